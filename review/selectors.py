"""Reads for spaced review: what is due, about how long it takes, the statuses on the map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from quizzes import mastery
from quizzes.models import ConceptProgress
from quizzes.selectors import learner_statuses
from review import schedule
from review.models import Review, ReviewCard

RECENT_REVIEWS = 20  # the estimate's median runs over this many of the learner's reviews


@dataclass
class DueReviews:
    """The learner's reviews due now, the first one to do, and the time they take."""

    count: int
    seconds: int
    card: ReviewCard | None  # the review to do now (earliest due), None when nothing is due
    next_due: datetime | None  # when the next one comes due, if nothing is due now

    @property
    def minutes(self) -> int:
        """About how many minutes, rounded up (at least one while anything is due)."""
        return -(-self.seconds // 60)


def due_reviews(learner, *, now: datetime | None = None) -> DueReviews:
    """What is due for this learner: two queries when nothing is due, three when some are."""
    now = now or timezone.now()
    cards = ReviewCard.objects.filter(learner=learner, concept__published=True)
    due = cards.filter(due__lte=now)
    count = due.count()
    if not count:
        next_due = cards.order_by("due").values_list("due", flat=True).first()
        return DueReviews(count=0, seconds=0, card=None, next_due=next_due)
    card = due.select_related("concept", "problem").order_by("due", "pk").first()
    recent = list(
        Review.objects.filter(learner=learner, kind=Review.Kind.ANSWERED, seconds__isnull=False)
        .order_by("-created")
        .values_list("seconds", flat=True)[:RECENT_REVIEWS]
    )
    return DueReviews(
        count=count, seconds=schedule.estimate_seconds(count, recent), card=card, next_due=None
    )


def with_reviews(status: dict, due_ids: set[int], placed_ids: set[int] = frozenset()) -> dict:
    """'Review due' (first) or 'placed' in place of 'mastered' where they apply."""

    def shown(pk, value):
        if value != mastery.Status.MASTERED:
            return value
        if pk in due_ids:
            return schedule.ReviewStatus.REVIEW_DUE
        if pk in placed_ids:
            return schedule.ReviewStatus.PLACED
        return value

    return {pk: shown(pk, value) for pk, value in status.items()}


def review_statuses(learner, concept_ids: list[int], edges: list[tuple[int, int]]) -> dict:
    """Each concept's status for the map, 'review due' and 'placed' included (three queries)."""
    status = learner_statuses(learner, concept_ids, edges)
    due_ids = set(
        ReviewCard.objects.filter(learner=learner, due__lte=timezone.now()).values_list(
            "concept_id", flat=True
        )
    )
    placed_ids = set(
        ConceptProgress.objects.filter(
            learner=learner, placed=True, mastered__isnull=False
        ).values_list("concept_id", flat=True)
    )
    return with_reviews(status, due_ids, placed_ids)
