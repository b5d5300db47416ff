"""Stored problems of Python generators that became templates (migration quizzes 0007).

Such a row names a generator the registry no longer has; the migration points it at the
template that replaced it (keeping its attempts) or removes it, so no page builds it.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from exercise_templates.models import ExerciseTemplate
from quizzes import problems
from quizzes.models import Attempt, Problem
from techtree.content import read_folder
from tests.authoring.templates import load_small_tree
from tests.conftest import CONTENT

MIGRATION = importlib.import_module("quizzes.migrations.0007_problems_of_generators_now_templates")
SLUG = "exponentials-and-logarithms"


def test_every_replaced_generator_is_gone_and_its_template_is_in_a_concept_file():
    keys = {
        entry["key"]
        for source in read_folder(CONTENT)
        for entry in source.sections.get("exercises", [])
    }
    assert not set(MIGRATION.NOW_TEMPLATES) & set(problems.REGISTRY)
    assert set(MIGRATION.NOW_TEMPLATES.values()) <= keys


@pytest.fixture
def concept(db):
    load_small_tree(SLUG)
    return ExerciseTemplate.objects.get(key="sums-become-products").concept


def _old_row(concept) -> Problem:
    """A row as stored before the change: the generator's key, no template."""
    return Problem.objects.create(
        concept=concept, order=90, title="Sums become products", difficulty="easy",
        generator="exp_sum_to_product",
    )  # fmt: skip


def _migrate() -> None:
    MIGRATION.point_at_templates(apps, None)


def test_a_row_is_pointed_at_its_template_and_keeps_its_attempts(concept):
    template = ExerciseTemplate.objects.get(concept=concept, key="sums-become-products")
    Problem.objects.filter(template=template).delete()  # stored before the file was loaded
    row = _old_row(concept)
    learner = get_user_model().objects.create_user("ada", password="x")
    Attempt.objects.create(learner=learner, problem=row, seed=7, raw="1", parsed=1, correct=False)
    _migrate()
    row.refresh_from_db()
    assert (row.template, row.generator) == (template, "")
    assert row.attempts.count() == 1
    assert row.instance(7).statement.startswith("You are told that $e^")


def test_a_row_whose_template_has_its_own_row_or_is_missing_is_removed(concept):
    duplicate = _old_row(concept)
    _migrate()
    assert not Problem.objects.filter(pk=duplicate.pk).exists()
    assert Problem.objects.filter(template__key="sums-become-products").count() == 1
    ExerciseTemplate.objects.get(concept=concept, key="sums-become-products").delete()
    orphan = _old_row(concept)
    _migrate()
    assert not Problem.objects.filter(pk=orphan.pk).exists()
    assert not Problem.objects.filter(generator__in=MIGRATION.NOW_TEMPLATES).exists()
