from django.apps import AppConfig


class PlacementConfig(AppConfig):
    name = "placement"
    verbose_name = "Test-outs and placement"

    def ready(self) -> None:
        from placement.pages import concept_section
        from techtree.extensions import register_concept_section

        # Its link shows in the practice section, a reader part of the page.
        register_concept_section(concept_section, reader=True)

        from placement.pages import dashboard_section
        from quizzes.hooks import register_dashboard_section

        register_dashboard_section(dashboard_section)
