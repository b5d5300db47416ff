from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Spaced review"

    def ready(self) -> None:
        from quizzes.hooks import register_attempt_listener, register_dashboard_section
        from review.pages import dashboard_section, tree_status
        from review.services import after_attempt
        from techtree.extensions import register_tree_status

        register_attempt_listener(after_attempt)
        register_dashboard_section(dashboard_section)
        register_tree_status(tree_status)
