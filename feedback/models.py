"""Learners' quality ratings of concepts, and problem reports on exercises."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from feedback import grades
from techtree.models import Concept

NOTE_MAX_LENGTH = 1000


class Rating(models.Model):
    """One learner's quality rating of one concept, 1 to 5 stars; they may change it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concept_ratings"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "concept"], name="one_rating_per_concept"),
            models.CheckConstraint(
                condition=Q(stars__gte=grades.LOWEST) & Q(stars__lte=grades.HIGHEST),
                name="rating_stars_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["concept"], name="rating_concept")]

    def __str__(self) -> str:
        return f"{self.learner} rates {self.concept}: {self.stars}/5"


class ConceptQuality(models.Model):
    """A concept's ratings summed up (written only by services.rate, in its transaction), so
    a page reads one row and browse sorts by an indexed column."""

    concept = models.OneToOneField(
        Concept, on_delete=models.CASCADE, primary_key=True, related_name="quality"
    )
    count = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    mean = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "concept quality"
        indexes = [models.Index(fields=["-mean", "-count"], name="quality_best_first")]

    def __str__(self) -> str:
        return f"{self.concept}: {self.letter or '–'} ({self.count} ratings)"

    @property
    def letter(self) -> str | None:
        return grades.letter(self.mean)


class Reason(models.TextChoices):
    WRONG_ANSWER = "wrong-answer", "The answer or a step is wrong"
    GRADING = "grading", "My right answer was marked wrong"
    UNCLEAR = "unclear", "The statement is unclear"
    DISPLAY = "display", "Math or text does not display properly"
    TOO_HARD = "difficulty", "Much harder or easier than its level"
    OTHER = "other", "Something else"


class ExerciseKind(models.TextChoices):
    EXAMPLE = "example", "Worked example"
    PROBLEM = "problem", "Practice problem"


class Report(models.Model):
    """A problem someone found in one exercise, as shown to them (its seed), for authors."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=ExerciseKind.choices)
    example = models.ForeignKey(
        "lessons.WorkedExample", null=True, blank=True, on_delete=models.SET_NULL
    )
    problem = models.ForeignKey("quizzes.Problem", null=True, blank=True, on_delete=models.SET_NULL)
    exercise = models.CharField(
        max_length=200,
        help_text="What produced the numbers: 'generator:<key>' or 'template:<key>' (or "
        "'fixed' for a problem written with its numbers), kept if the row goes.",
    )
    seed = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The numbers the reporter saw. A practice seed is secret: shown to staff only.",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_sent",
        help_text="Empty for a visitor.",
    )
    created = models.DateTimeField(auto_now_add=True)
    closed = models.BooleanField(default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_closed",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="example") & Q(problem__isnull=True))
                | (Q(kind="problem") & Q(example__isnull=True)),
                name="report_names_one_exercise",
            ),
            models.CheckConstraint(
                condition=Q(closed=False, closed_at__isnull=True)
                | Q(closed=True, closed_at__isnull=False),
                name="report_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["closed", "-created"], name="report_open_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.concept}: {self.get_reason_display()}"

    def reproduce_url(self) -> str | None:
        """Where an author sees exactly these numbers (worked examples: their public URL)."""
        if self.example is not None and self.seed is not None:
            return self.example.get_absolute_url(self.seed)
        return None
