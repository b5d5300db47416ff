"""A small tree of fixed problems (fast to build) and a clock that stands still.

exps, probs -> softmax -> after; each concept has an easy, a medium and a hard problem whose
answer is a number, so mastering goes through the real practice path in a few writes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model

from quizzes.models import Problem
from techtree import services
from techtree.models import Concept, Prerequisite
from tests.quizzes.solving import mark_mastered, master

SOFTMAX = "softmax"
PREREQUISITES = ("exps", "probs")
AFTER = "after"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def build_small_tree() -> dict[str, Concept]:
    concepts = {}
    for slug in (*PREREQUISITES, SOFTMAX, AFTER):
        concept = Concept.objects.create(
            slug=slug,
            title=slug.title(),
            summary=f"{slug} in one line.",
            domain="Mathematics",
            difficulty=2,
            minutes=10,
        )
        for order, difficulty in enumerate(("easy", "medium", "hard"), start=1):
            Problem.objects.create(
                concept=concept,
                title=f"{slug} {difficulty}",
                difficulty=difficulty,
                order=order,
                kind="number",
                statement=f"What is {order} + {len(slug)}?",
                answer=order + len(slug),
                hints="Add the two numbers.",
            )
        concepts[slug] = concept
    edges = [(p, SOFTMAX) for p in PREREQUISITES] + [(SOFTMAX, AFTER)]
    for prerequisite, concept in edges:
        Prerequisite.objects.create(prerequisite=concepts[prerequisite], concept=concepts[concept])
    services.refresh_graph_figures()
    return concepts


@pytest.fixture
def clock():
    """Time stands still at START until a test moves it (move_to / shift)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("reviewer", password="a-long-enough-password")


@pytest.fixture
def signed_in(client, learner, settings):
    """The test client logged in as the learner.

    force_login's request has no address, which django-axes would log as 'unknown' (refused
    by PostgreSQL's inet column), so the login is made with axes off, then axes is back on.
    """
    settings.AXES_ENABLED = False
    client.force_login(learner)
    settings.AXES_ENABLED = True
    return client


@pytest.fixture
def small_tree(db):
    return build_small_tree()


@pytest.fixture
def softmax(small_tree, learner, clock, settings):
    """Softmax mastered at START (its prerequisites marked mastered, without cards)."""
    settings.ATTEMPTS_PER_MINUTE = 1000
    mark_mastered(learner, *PREREQUISITES)
    concept = small_tree[SOFTMAX]
    master(learner, concept)
    return concept
