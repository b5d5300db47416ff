from django.apps import AppConfig


class TechtreeConfig(AppConfig):
    name = "techtree"
    verbose_name = "Concept tree"
