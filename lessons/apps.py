from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self) -> None:
        from lessons.loading import load_lesson
        from techtree.loading import register_section_loader

        register_section_loader(load_lesson)

        from exercise_templates.placements import register_placer
        from lessons.loading import place_examples

        register_placer(place_examples)

        from lessons.pages import concept_section
        from techtree.extensions import register_concept_section

        register_concept_section(concept_section)

        from lessons.models import Lesson, WorkedExample
        from techtree.versions import watch

        watch(Lesson, WorkedExample)
