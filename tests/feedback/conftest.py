"""Shared fixtures for ratings and reports: an empty shared cache, learners, a practised
concept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from lessons import examples
from lessons.models import WorkedExample
from quizzes import problems
from quizzes.models import Problem
from techtree import services
from techtree.models import Concept
from tests.quizzes.solving import answer, wrong_answer

ROOT = "root"  # open to every learner
OTHER = "other"


def build_tree() -> dict[str, Concept]:
    """Two published roots, each with two generated worked examples, a generated problem and
    a fixed one (independent of the demo content, and fast)."""
    concepts = {}
    for slug in (ROOT, OTHER):
        concept = Concept.objects.create(
            slug=slug,
            title=f"The {slug} concept",
            summary=f"{slug} in one line.",
            domain="Mathematics",
            difficulty=2,
            minutes=10,
        )
        # any registered generators (the registries shrink as generators become templates)
        for order, generator in enumerate(sorted(examples.REGISTRY)[:2], 1):
            WorkedExample.objects.create(
                concept=concept, generator=generator, order=order, title=f"Example {order}"
            )
        Problem.objects.create(
            concept=concept,
            order=1,
            title="Scaled score",
            difficulty="easy",
            generator=sorted(problems.REGISTRY)[0],
        )
        Problem.objects.create(
            concept=concept,
            order=2,
            title="Fixed",
            difficulty="medium",
            kind="number",
            statement="What is 2 + 2?",
            answer=4,
        )
        concepts[slug] = concept
    services.refresh_graph_figures()
    return concepts


@pytest.fixture
def empty_cache(db):
    """Limiter counters outlive a test's transaction on Redis; start from none, with the
    clock standing still so no window closes halfway."""
    cache.clear()
    with time_machine.travel(datetime.now(tz=UTC), tick=False):
        yield


@pytest.fixture
def tree(db) -> dict[str, Concept]:
    return build_tree()


@pytest.fixture
def concept(tree) -> Concept:
    return tree[ROOT]


@pytest.fixture
def problem(concept) -> Problem:
    """A problem whose numbers come from a seed."""
    return concept.problems.get(order=1)


@pytest.fixture
def learner(db, django_user_model):
    return django_user_model.objects.create_user("ada", password="pw")


def practise(learner, problem: Problem) -> None:
    """One attempt (a wrong one is enough: practised, not mastered)."""
    answer(learner, problem, wrong_answer(learner, problem))


@pytest.fixture
def practised(learner, problem):
    practise(learner, problem)
    return learner
