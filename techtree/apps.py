from django.apps import AppConfig


class TechtreeConfig(AppConfig):
    name = "techtree"
    verbose_name = "Concept tree"

    def ready(self) -> None:
        from techtree.models import Concept, Prerequisite
        from techtree.versions import watch

        watch(Concept, Prerequisite)
