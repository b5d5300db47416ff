"""Writes of spaced review: schedule a mastered concept, pose and answer its reviews.

Every write runs in one transaction holding the learner's lock (`quizzes.progress.
lock_learner`, the one practice takes, so reviews and practice queue up in one order),
so two tabs answering the same review apply it once: the second finds the card's review
count moved on and is refused, and a replayed submission finds the review it stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from fsrs import Rating

from quizzes import practice_seeds
from quizzes.hooks import StoredAttempt
from quizzes.models import Problem
from quizzes.progress import lock_learner
from review import schedule
from review.models import Review, ReviewCard
from techtree.models import Concept, Prerequisite


class ReviewRefused(Exception):
    """A review answer we will not grade; `message` says why. Nothing is stored."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReviewResult:
    """What a learner is told after answering a review."""

    concept: Concept
    correct: bool
    message: str
    expected: str
    rating: Rating
    due: datetime
    duplicate: bool = False


def schedule_mastered(*, learner, concept: Concept, now: datetime | None = None) -> ReviewCard:
    """Give a concept just mastered (or placed) its card: a first review rated Good.

    A concept that already has a card keeps it (mastery is recorded once; this is safe to
    call again).
    """
    now = now or timezone.now()
    state = schedule.first_review(now)
    card, created = ReviewCard.objects.get_or_create(
        learner=learner,
        concept=concept,
        defaults={
            "state": state.state,
            "step": state.step,
            "stability": state.stability,
            "difficulty": state.difficulty,
            "due": state.due,
            "last_review": state.last_review,
            "reviews": 1,
        },
    )
    if created:
        Review.objects.create(
            learner=learner,
            concept=concept,
            kind=Review.Kind.FIRST,
            rating=int(Rating.Good),
            due_after=state.due,
            created=now,
        )
    return card


def after_attempt(stored: StoredAttempt) -> None:
    """Attempt listener: schedule a concept just mastered; a clean solve reviews its needs."""
    concept = stored.attempt.problem.concept
    if stored.mastered_now:
        schedule_mastered(learner=stored.learner, concept=concept)
    if stored.clean:
        implicit_review(learner=stored.learner, concept=concept)


def implicit_review(*, learner, concept: Concept, now: datetime | None = None) -> list[Concept]:
    """Review Good each direct prerequisite whose card is due within the implicit window.

    Called inside practice's transaction, which holds the learner's lock.
    """
    now = now or timezone.now()
    needs = Prerequisite.objects.filter(concept=concept).values("prerequisite_id")
    cards = list(
        ReviewCard.objects.filter(
            learner=learner, concept_id__in=needs, due__lte=now + schedule.IMPLICIT_WINDOW
        ).select_related("concept")
    )
    reviewed = []
    for card in cards:
        rating = schedule.implicit_rating(card.card_state, now)
        if rating is None:  # pragma: no cover - the query already keeps only these
            continue
        _apply(card, rating, now, kind=Review.Kind.IMPLICIT)
        reviewed.append(card.concept)
    return reviewed


def _apply(card: ReviewCard, rating: Rating, now: datetime, *, kind: str, **stored) -> Review:
    """Review the card, clear the review posed on it, and keep the review (one write each)."""
    before = card.due
    card.set_state(schedule.review(card.card_state, rating, now))
    card.reviews += 1
    card.problem, card.seed, card.shown, card.hints_shown = None, None, None, 0
    card.save()
    return Review.objects.create(
        learner=card.learner,
        concept=card.concept,
        kind=kind,
        rating=int(rating),
        due_before=before,
        due_after=card.due,
        created=now,
        **stored,
    )


def _locked_card(learner, concept: Concept) -> ReviewCard:
    """The learner's card, after taking the learner's lock (as practice does, in that order:
    locking the card first deadlocked against a practice answer reviewing it implicitly)."""
    lock_learner(learner)
    cards = ReviewCard.objects.filter(learner=learner, concept=concept)
    card = cards.select_related("concept", "problem").first()
    if card is None:
        raise ReviewRefused(f"{concept.title} has no review: master it first.")
    return card


def _choose_problem(card: ReviewCard) -> Problem | None:
    """The concept's problems in turn, one per review, so successive reviews vary."""
    problems = list(Problem.objects.filter(concept=card.concept).order_by("order", "pk"))
    return problems[card.reviews % len(problems)] if problems else None


def pose(*, learner, card: ReviewCard, now: datetime | None = None) -> ReviewCard:
    """Put a fresh-seeded problem on a due card if it has none yet (the clock starts now)."""
    if card.problem_id is not None:
        return card
    now = now or timezone.now()
    with transaction.atomic():
        card = _locked_card(learner, card.concept)
        if card.problem_id is None:
            problem = _choose_problem(card)
            if problem is None:
                return card
            card.problem, card.seed, card.shown, card.hints_shown = (
                problem,
                practice_seeds.fresh_seed(),
                now,
                0,
            )
            card.save(update_fields=["problem", "seed", "shown", "hints_shown"])
    return card


def _posed(card: ReviewCard, round_: int) -> None:
    if card.reviews != round_ or card.problem_id is None:
        raise ReviewRefused(
            f"This review of {card.concept.title} was already done (in another tab?): "
            "your dashboard shows what is due now."
        )


def reveal_hint(*, learner, concept: Concept, round_: int) -> ReviewCard:
    """Show one more hint of the review posed (a right answer then rates Hard)."""
    with transaction.atomic():
        card = _locked_card(learner, concept)
        _posed(card, round_)
        available = len(card.problem.instance(card.seed).hints)
        if card.hints_shown < available:
            card.hints_shown += 1
            card.save(update_fields=["hints_shown"])
        return card


def answer_review(
    *, learner, concept: Concept, raw: str, round_: int, submission: uuid.UUID
) -> ReviewResult:
    """Grade one review answer, rate it, reschedule the card and keep the review.

    Raises AnswerError (unreadable input: nothing counts, try again) or ReviewRefused (no
    card, or this review was already answered); a submission already stored returns its
    result again.
    """
    with transaction.atomic():
        card = _locked_card(learner, concept)
        done = Review.objects.filter(learner=learner, submission=submission).first()
        if done is not None:
            return _replay(done, card)
        _posed(card, round_)
        problem = card.problem
        instance = problem.instance(card.seed)
        grade = problem.grade(instance, raw)  # AnswerError propagates: nothing stored
        now = timezone.now()
        seconds = max(0.0, (now - card.shown).total_seconds())
        rating = schedule.rating_for(
            correct=grade.correct, hints_used=card.hints_shown, seconds=seconds
        )
        _apply(
            card,
            rating,
            now,
            kind=Review.Kind.ANSWERED,
            problem=problem,
            seed=card.seed,
            raw=raw,
            correct=grade.correct,
            hints_used=card.hints_shown,
            seconds=seconds,
            submission=submission,
        )
        return ReviewResult(
            concept=card.concept,
            correct=grade.correct,
            message=grade.message,
            expected=instance.expected,
            rating=rating,
            due=card.due,
        )


def _replay(done: Review, card: ReviewCard) -> ReviewResult:
    problem = done.problem
    instance = problem.instance(done.seed)
    grade = problem.grade(instance, done.raw)
    return ReviewResult(
        concept=card.concept,
        correct=grade.correct,
        message=grade.message,
        expected=instance.expected,
        rating=Rating(done.rating),
        due=done.due_after,
        duplicate=True,
    )
