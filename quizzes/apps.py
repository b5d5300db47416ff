from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Practice and progress"

    def ready(self) -> None:
        from quizzes.loading import load_problems
        from techtree.loading import register_section_loader

        register_section_loader(load_problems)

        from exercise_templates.placements import register_placer
        from quizzes.loading import place_problems

        register_placer(place_problems)

        from quizzes.pages import concept_section, learner_concepts, practice_link, tree_status
        from techtree.extensions import (
            register_concept_section,
            register_learner_concepts,
            register_tree_status,
        )

        register_concept_section(concept_section, reader=True)
        register_concept_section(practice_link)
        register_tree_status(tree_status)
        register_learner_concepts(learner_concepts)

        from accounts.hooks import register_signup_listener
        from quizzes.signup import keep_solves

        register_signup_listener(keep_solves)

        from quizzes.models import Problem
        from techtree.versions import watch

        watch(Problem)
