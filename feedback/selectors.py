"""Reads of feedback: a concept's quality for its page, the seed a reporter was shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Subquery

from feedback import grades
from feedback.models import ConceptQuality, Rating
from quizzes import practice_seeds
from quizzes.models import Attempt, ProblemProgress
from quizzes.visitors import VisitorPractice
from techtree.models import Concept


@dataclass(frozen=True)
class QualityView:
    """A concept's quality as its page shows it, and what this learner may do about it."""

    count: int
    mean: float | None
    own: int | None  # this learner's rating
    can_rate: bool  # signed in and has practised the concept
    signed_in: bool

    @property
    def letter(self) -> str | None:
        return grades.letter(self.mean)

    @property
    def mean_shown(self) -> str:
        """The mean to one decimal, as the grade's band reads it."""
        return f"{self.mean:.1f}" if self.mean is not None else ""

    @property
    def stars(self) -> range:
        return range(grades.LOWEST, grades.HIGHEST + 1)


# How long a visitor's view of a concept's grade is kept in the shared cache. A rating
# replaces it as soon as it commits (services.rate); this only bounds how long two ratings
# committed a moment apart could leave the earlier one's summary showing.
SUMMARY_SECONDS = 600


def summary_key(concept_id: int) -> str:
    return f"quality:{concept_id}"


def quality_view(concept, *, learner=None) -> QualityView:
    """The concept's grade, mean and count (its summary row, whatever the tree's size), the
    learner's own rating and whether they may rate: one query for a learner; for a visitor
    the summary from the shared cache (a concept page without a query)."""
    if learner is None:
        summary = cache.get(summary_key(concept.pk))
        if summary is None:
            row = ConceptQuality.objects.filter(concept_id=concept.pk).values_list("count", "mean")
            summary = row.first() or (0, None)
            # add, not set: a rating committed since the read above has put the new one there
            cache.add(summary_key(concept.pk), summary, timeout=SUMMARY_SECONDS)
        count, mean = summary
        return QualityView(count=count, mean=mean, own=None, can_rate=False, signed_in=False)
    row = Concept.objects.filter(pk=concept.pk).annotate(
        rating_count=F("quality__count"), rating_mean=F("quality__mean")
    )
    fields = ["rating_count", "rating_mean"]
    if learner is not None:
        row = row.annotate(
            own=Subquery(
                Rating.objects.filter(learner=learner, concept=OuterRef("pk")).values("stars")[:1]
            ),
            practised=Exists(
                Attempt.objects.filter(learner=learner, problem__concept=OuterRef("pk"))
            ),
        )
        fields += ["own", "practised"]
    values = row.values(*fields).first() or {}
    own = values.get("own")
    return QualityView(
        count=values.get("rating_count") or 0,
        mean=values.get("rating_mean"),
        own=own,
        can_rate=own is not None or bool(values.get("practised")),
        signed_in=learner is not None,
    )


def practice_seed_shown(
    problem, *, learner=None, visitor: VisitorPractice | None = None
) -> int | None:
    """The practice seed behind the numbers this learner (or visitor) sees on a problem,
    looked up on the server: the page never carries it."""
    if learner is not None:
        seed = (
            ProblemProgress.objects.filter(learner=learner, problem=problem)
            .values_list("seed", flat=True)
            .first()
        )
        return seed if seed is not None else practice_seeds.learner_seed(learner.pk, problem.pk)
    if visitor is None:
        return None
    return visitor.seed(problem.pk)
