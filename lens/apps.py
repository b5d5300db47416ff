from django.apps import AppConfig


class LensConfig(AppConfig):
    name = "lens"
