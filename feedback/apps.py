from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Ratings and reports"

    def ready(self) -> None:
        from feedback.pages import BROWSE_ORDER, concept_section
        from techtree.extensions import register_browse_order, register_concept_section

        # Ratings change with no content save: the quality card is filled in per request.
        register_concept_section(concept_section, reader=True)
        register_browse_order(BROWSE_ORDER)
