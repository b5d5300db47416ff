"""Two tabs reviewing at once: nothing lost, nothing counted twice (SQLite and PostgreSQL).

As in tests/quizzes/test_concurrency.py, each call runs in its own thread and connection,
released together by a barrier. The clock is frozen by time-machine for every thread.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from quizzes.models import Attempt
from quizzes.progress import new_numbers
from review import services
from review.models import Review, ReviewCard
from tests.quizzes.solving import answer, mark_mastered, master, one_per_difficulty, right_answer
from tests.quizzes.test_concurrency import at_once

from .conftest import PREREQUISITES, SOFTMAX, build_small_tree
from .test_review import card_of, right

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tree(transactional_db, learner, clock, settings):
    settings.ATTEMPTS_PER_MINUTE = 1000
    concepts = build_small_tree()
    mark_mastered(learner, PREREQUISITES[1])
    master(learner, concepts[PREREQUISITES[0]])  # carded
    master(learner, concepts[SOFTMAX])  # carded
    return concepts


def _answer(learner, card, raw, submission=None):
    def call():
        try:
            return services.answer_review(
                learner=learner,
                concept=card.concept,
                raw=raw,
                round_=card.reviews,
                submission=submission or uuid.uuid4(),
            )
        except services.ReviewRefused as refused:
            return refused

    return call


def test_two_tabs_answering_the_same_review_apply_it_once(learner, tree, clock):
    softmax = tree[SOFTMAX]
    clock.move_to(card_of(learner, softmax).due)
    card = services.pose(learner=learner, card=card_of(learner, softmax))
    results = at_once(_answer(learner, card, right(card)), _answer(learner, card, right(card)))
    refused = [r for r in results if isinstance(r, services.ReviewRefused)]
    assert len(refused) == 1 and "already done" in refused[0].message
    assert Review.objects.filter(learner=learner, kind="answered").count() == 1
    assert card_of(learner, softmax).reviews == 2


def test_a_double_click_from_two_connections_is_stored_once(learner, tree, clock):
    softmax = tree[SOFTMAX]
    clock.move_to(card_of(learner, softmax).due)
    card = services.pose(learner=learner, card=card_of(learner, softmax))
    submission = uuid.uuid4()
    results = at_once(
        _answer(learner, card, right(card), submission),
        _answer(learner, card, right(card), submission),
    )
    assert sorted(r.duplicate for r in results) == [False, True]
    assert len({r.due for r in results}) == 1
    assert Review.objects.filter(learner=learner, kind="answered").count() == 1


def test_two_tabs_reviewing_two_concepts_both_land(learner, tree, clock):
    exps, softmax = tree[PREREQUISITES[0]], tree[SOFTMAX]
    clock.move_to(max(card_of(learner, c).due for c in (exps, softmax)) + timedelta(days=1))
    cards = [services.pose(learner=learner, card=card_of(learner, c)) for c in (exps, softmax)]
    results = at_once(*(_answer(learner, c, right(c)) for c in cards))
    assert all(r.correct for r in results)
    assert Review.objects.filter(learner=learner, kind="answered").count() == 2
    assert not ReviewCard.objects.filter(learner=learner, due__lte=clock_now()).exists()


def test_a_review_racing_a_clean_solve_that_would_review_it_counts_once(learner, tree, clock):
    """Reviewing Exps in one tab while a clean solve of Softmax (which needs Exps) lands.

    Whichever lands first reviews Exps: the answered review moves Exps out of the implicit
    window, or the implicit review clears the review posed, whose answer is then refused.
    Either way Exps is reviewed once more, and the practice attempt is stored.
    """
    exps = tree[PREREQUISITES[0]]
    clock.move_to(card_of(learner, exps).due + timedelta(days=1))
    card = services.pose(learner=learner, card=card_of(learner, exps))
    problem = one_per_difficulty(tree[SOFTMAX])[0]
    new_numbers(learner=learner, problem=problem)  # solved while mastering: solve it afresh
    typed = right_answer(learner, problem)
    reviewed, solved = at_once(
        _answer(learner, card, right(card)), lambda: answer(learner, problem, typed)
    )
    assert solved.correct
    kinds = sorted(
        Review.objects.filter(learner=learner, concept=exps).values_list("kind", flat=True)
    )
    if isinstance(reviewed, services.ReviewRefused):
        assert kinds == ["first", "implicit"]
    else:
        assert reviewed.correct and kinds == ["answered", "first"]
    assert card_of(learner, exps).reviews == 2
    assert Attempt.objects.filter(learner=learner, problem=problem).count() == 2


def clock_now():
    from django.utils import timezone

    return timezone.now()
