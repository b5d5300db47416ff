from django.apps import AppConfig


class ExerciseTemplatesConfig(AppConfig):
    name = "exercise_templates"
    verbose_name = "Exercise templates"

    def ready(self) -> None:
        from exercise_templates.loading import load_templates
        from techtree.loading import register_section_loader

        register_section_loader(load_templates)
