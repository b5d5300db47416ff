"""Writes of feedback: rate a concept, report a problem in an exercise, close reports.

A rating and its concept's summary row (ConceptQuality) change in one transaction, the
summary recounted from the ratings, so the mean a page shows is never out of step. Reports
are counted per reporter and per client address in the shared limiter (techtree.limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from feedback import grades, selectors
from feedback.models import NOTE_MAX_LENGTH, ConceptQuality, ExerciseKind, Rating, Reason, Report
from lessons import seeds as example_seeds
from lessons.models import WorkedExample
from quizzes.models import Attempt, Problem
from techtree import limits
from techtree.models import Concept


class FeedbackRefused(Exception):
    """Input we will not store; `message` says why. Nothing is written."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPractised(FeedbackRefused):
    status = 403


class ReportsLimited(FeedbackRefused):
    status = 429


def has_practised(learner, concept: Concept) -> bool:
    """Whether the learner has answered at least one of the concept's problems."""
    return Attempt.objects.filter(learner=learner, problem__concept=concept).exists()


def rate(*, learner, concept: Concept, stars: int) -> ConceptQuality:
    """Store (or change) the learner's rating and recount the concept's summary row."""
    if not isinstance(stars, int) or not grades.LOWEST <= stars <= grades.HIGHEST:
        raise FeedbackRefused(f"A rating is a whole number of stars from 1 to 5, not {stars!r}.")
    if not has_practised(learner, concept):
        raise NotPractised(f"Practise {concept.title} first (answer one problem), then rate it.")
    with transaction.atomic():
        # Lock the summary row first, so two ratings of one concept are counted one at a time.
        ConceptQuality.objects.get_or_create(concept=concept)
        quality = ConceptQuality.objects.select_for_update().get(concept=concept)
        Rating.objects.update_or_create(learner=learner, concept=concept, defaults={"stars": stars})
        totals = Rating.objects.filter(concept=concept).aggregate(n=Count("pk"), s=Sum("stars"))
        quality.count, quality.total = totals["n"], totals["s"] or 0
        quality.mean = grades.mean(quality.total, quality.count)
        quality.save()
        summary = (quality.count, quality.mean)
        transaction.on_commit(
            lambda: cache.set(
                selectors.summary_key(concept.pk), summary, timeout=selectors.SUMMARY_SECONDS
            )
        )
        return quality


@dataclass(frozen=True)
class Reporter:
    """Who sends a report: a learner, or a visitor known by their session; and their address."""

    learner: object | None
    session: str | None
    address: str


def _check_limits(reporter: Reporter) -> None:
    key = f"learner:{reporter.learner.pk}" if reporter.learner else f"session:{reporter.session}"
    if not limits.hit_client(
        "report",
        key,
        settings.REPORTS_PER_HOUR,
        reporter.address,
        settings.REPORTS_PER_ADDRESS_PER_HOUR,
        limits.HOUR,
    ):
        raise ReportsLimited(
            f"Thank you, but that is many reports: at most {settings.REPORTS_PER_HOUR} an hour. "
            "Nothing was stored; please try again later."
        )


def _clean(reason: str, note: str) -> tuple[str, str]:
    if reason not in Reason.values:
        raise FeedbackRefused("Choose one of the listed reasons.")
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise FeedbackRefused(
            f"The note is {len(note)} characters long; at most {NOTE_MAX_LENGTH} fit."
        )
    if "\x00" in note:
        raise FeedbackRefused("The note holds a character we cannot store.")
    return reason, note


def _exercise(row) -> str:
    if row.template_id is not None:
        return f"template:{row.template.key}"
    if row.generator:
        return f"generator:{row.generator}"
    return "fixed"


def report_example(
    *, reporter: Reporter, example: WorkedExample, seed: int, reason: str, note: str
) -> Report:
    """Report a worked example as shown with `seed` (public: it is in the example's URL)."""
    reason, note = _clean(reason, note)
    if not isinstance(seed, int) or not example_seeds.valid_seed(seed):
        raise FeedbackRefused(f"Example seeds run from 0 to {example_seeds.MAX_SEED}.")
    _check_limits(reporter)
    return Report.objects.create(
        concept=example.concept,
        kind=ExerciseKind.EXAMPLE,
        example=example,
        exercise=_exercise(example),
        seed=seed,
        reason=reason,
        note=note,
        reporter=reporter.learner,
    )


def report_problem(
    *, reporter: Reporter, problem: Problem, seed: int | None, reason: str, note: str
) -> Report:
    """Report a practice problem; `seed` is what the server knows the reporter was shown
    (their progress row or visitor session), never a number sent by the page."""
    reason, note = _clean(reason, note)
    _check_limits(reporter)
    return Report.objects.create(
        concept=problem.concept,
        kind=ExerciseKind.PROBLEM,
        problem=problem,
        exercise=_exercise(problem),
        seed=seed if problem.is_generated else None,
        reason=reason,
        note=note,
        reporter=reporter.learner,
    )


def close_reports(*, reports, author) -> int:
    """Close the open reports among `reports` (a queryset) for `author`; how many closed."""
    return reports.filter(closed=False).update(
        closed=True, closed_by=author, closed_at=timezone.now()
    )
