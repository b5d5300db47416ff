from django.apps import AppConfig


class ExerciseTemplatesConfig(AppConfig):
    name = "exercise_templates"
    verbose_name = "Exercise templates"

    def ready(self) -> None:
        from exercise_templates.loading import load_templates
        from techtree.loading import register_section_loader

        register_section_loader(load_templates)

        from exercise_templates.models import ExerciseTemplate
        from techtree.versions import watch

        watch(ExerciseTemplate)  # worked examples built from one are cached per content version
