"""The placement on the dashboard: a new learner answers until everything is decided."""

from __future__ import annotations

from django.urls import reverse

from placement.models import PlacementRun
from quizzes.models import ConceptProgress, Problem
from review.models import ReviewCard
from tests.review.conftest import PREREQUISITES, SOFTMAX, build_small_tree

DASHBOARD = reverse("quizzes:dashboard")


def _answer_as(client, learner, truth: set[str]) -> int:
    """Answer every question as a learner who knows exactly `truth`; returns how many."""
    asked = 0
    while (run := PlacementRun.objects.get(learner=learner)).probe:
        problem = Problem.objects.select_related("concept").get(pk=run.probe["problem"])
        if problem.concept.slug in truth:
            data = {"concept": problem.concept_id, "answer": problem.instance(0).expected}
        else:
            data = {"concept": problem.concept_id, "unknown": "1"}
        assert client.post(reverse("placement:answer"), data).status_code == 302
        asked += 1
    return asked


def test_a_new_learner_is_placed_and_sees_placed_and_practised_apart(signed_in, learner, db, clock):
    build_small_tree()
    assert "What do you already know?" in signed_in.get(DASHBOARD).content.decode()
    signed_in.post(reverse("placement:start"))
    page = signed_in.get(DASHBOARD).content.decode()
    assert "data-placement-form" in page
    truth = {*PREREQUISITES, SOFTMAX}
    asked = _answer_as(signed_in, learner, truth)
    assert asked < 4  # fewer questions than concepts
    rows = ConceptProgress.objects.filter(learner=learner, mastered__isnull=False)
    assert {r.concept.slug for r in rows} == truth and all(r.placed for r in rows)
    assert ReviewCard.objects.filter(learner=learner).count() == 3
    page = signed_in.get(DASHBOARD).content.decode()
    assert "What do you already know?" not in page
    assert "data-practised>0<" in page and "data-placed>3<" in page


def test_a_stale_answer_is_refused_and_counts_nothing(signed_in, learner, db, clock):
    build_small_tree()
    signed_in.post(reverse("placement:start"))
    run = PlacementRun.objects.get(learner=learner)
    other = next(c for c in (1, 2, 3, 4, 5) if c != run.probe["concept"])
    signed_in.post(reverse("placement:answer"), {"concept": other, "unknown": "1"})
    assert PlacementRun.objects.get(learner=learner).answers == []
