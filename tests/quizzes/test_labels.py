"""Admin labels read as English: Django's default plural just appends an "s"."""

import re

from django.apps import apps

# Plurals Django gets wrong by appending "s": "progresss", "categorys", "boxs".
BAD_PLURAL = re.compile(r"(sss|[^aeiou]ys|xs|chs|shs)$")


def test_no_model_has_a_broken_plural_label():
    wrong = [
        f"{model._meta.label}: {model._meta.verbose_name_plural!r}"
        for model in apps.get_models()
        if BAD_PLURAL.search(str(model._meta.verbose_name_plural))
    ]
    assert wrong == []


def test_problem_progress_reads_right():
    assert apps.get_model("quizzes", "ProblemProgress")._meta.verbose_name_plural == (
        "problem progress"
    )
