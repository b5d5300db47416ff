"""The review rules without a database: ratings, FSRS intervals, the implicit window."""

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from review import schedule

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("correct", "hints", "seconds", "rating"),
    [
        (False, 0, 5, Rating.Again),
        (False, 2, 500, Rating.Again),
        (True, 1, 5, Rating.Hard),
        (True, 0, schedule.QUICK_SECONDS, Rating.Easy),
        (True, 0, schedule.QUICK_SECONDS + 0.5, Rating.Good),
        (True, 0, 3600, Rating.Good),
    ],
)
def test_an_outcome_earns_its_rating(correct, hints, seconds, rating):
    assert schedule.rating_for(correct=correct, hints_used=hints, seconds=seconds) == rating


def test_mastery_is_a_first_review_rated_good_due_days_later():
    card = schedule.first_review(NOW)
    assert card.last_review == NOW
    assert card.due - NOW >= timedelta(days=1)


def test_better_ratings_push_the_next_review_further():
    card = schedule.first_review(NOW)
    later = card.due + timedelta(hours=1)
    dues = [schedule.review(card, rating, later).due for rating in Rating]
    assert dues == sorted(dues) and len(set(dues)) == 4
    # A card round-trips through its stored fields unchanged.
    assert schedule.CardState.from_card(card.to_card()) == card


def test_a_review_is_scheduled_by_fsrs_itself():
    """No rule of ours: the due date is the one the fsrs package computes."""
    card = schedule.first_review(NOW)
    when = card.due
    expected, _ = schedule.SCHEDULER.review_card(card.to_card(), Rating.Good, when)
    assert schedule.review(card, Rating.Good, when).due == expected.due


def test_implicit_review_only_near_or_past_the_due_date():
    card = schedule.first_review(NOW)
    window = schedule.IMPLICIT_WINDOW
    assert schedule.implicit_rating(card, card.due - window - timedelta(seconds=1)) is None
    assert schedule.implicit_rating(card, card.due - window) == Rating.Good
    assert schedule.implicit_rating(card, card.due + timedelta(days=30)) == Rating.Good


def test_the_time_estimate_is_the_median_of_recent_reviews_times_the_count():
    assert schedule.estimate_seconds(0, [30]) == 0
    assert schedule.estimate_seconds(3, []) == 3 * schedule.DEFAULT_REVIEW_SECONDS
    assert schedule.estimate_seconds(2, [10, 1000, 40]) == 80
    assert schedule.estimate_seconds(4, [10, 20, 40, 1000]) == 120
