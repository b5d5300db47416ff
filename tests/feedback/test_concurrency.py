"""Two learners rating one concept at the same moment: both ratings count in its summary row
(the row is locked, then recounted from the ratings, in each rating's transaction)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from feedback import services
from feedback.models import ConceptQuality, Rating
from tests.feedback.conftest import ROOT, build_tree, practise
from tests.quizzes.test_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_ratings_at_once_both_count():
    tree = build_tree()
    concept, problem = tree[ROOT], tree[ROOT].problems.get(order=1)
    learners = [get_user_model().objects.create_user(name) for name in ("ada", "grace")]
    for learner in learners:
        practise(learner, problem)
    at_once(
        lambda: services.rate(learner=learners[0], concept=concept, stars=5),
        lambda: services.rate(learner=learners[1], concept=concept, stars=2),
    )
    quality = ConceptQuality.objects.get(concept=concept)
    assert Rating.objects.count() == 2
    assert (quality.count, quality.total, quality.mean) == (2, 7, 3.5)
