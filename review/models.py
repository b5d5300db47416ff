"""Each learner's FSRS card per mastered concept, and every review kept with its rating."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from fsrs import Rating, State

from quizzes import answers
from quizzes.models import Problem
from review import schedule
from techtree.models import Concept


class ReviewCard(models.Model):
    """When a learner's mastered concept is next due, and the review currently posed for it.

    The FSRS memory state is kept in columns (due is indexed: the dashboard counts due
    cards). `problem`, `seed`, `shown` and `hints_shown` describe the review on screen, the
    same in every tab; `reviews` counts the reviews applied, and a review form carries the
    count it was shown at, so a second tab's answer to a review already done is refused.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField(
        choices=[(int(s), s.name) for s in State], default=int(State.Review)
    )
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(db_index=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0, help_text="Reviews applied so far.")
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seed = models.PositiveIntegerField(null=True, blank=True)
    shown = models.DateTimeField(null=True, blank=True, help_text="When the review was posed.")
    hints_shown = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "concept"], name="one_card_per_concept")
        ]
        indexes = [models.Index(fields=["learner", "due"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.concept} (due {self.due:%Y-%m-%d})"

    @property
    def card_state(self) -> schedule.CardState:
        return schedule.CardState(
            state=self.state,
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def set_state(self, state: schedule.CardState) -> None:
        self.state = state.state
        self.step = state.step
        self.stability = state.stability
        self.difficulty = state.difficulty
        self.due = state.due
        self.last_review = state.last_review


class Review(models.Model):
    """One review, kept forever: the answer (none for an implicit one) and its FSRS rating."""

    class Kind(models.TextChoices):
        FIRST = "first", "Mastered (first review)"
        ANSWERED = "answered", "Answered a review problem"
        IMPLICIT = "implicit", "Clean solve of a concept that needs it"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField(choices=[(int(r), r.name) for r in Rating])
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seed = models.PositiveIntegerField(null=True, blank=True)
    raw = models.CharField(
        "what was typed", max_length=answers.MAX_VECTOR_LENGTH, blank=True, default=""
    )
    correct = models.BooleanField(null=True)
    hints_used = models.PositiveSmallIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True, help_text="From shown to answered.")
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField()
    created = models.DateTimeField(db_index=True)
    submission = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "submission"], name="one_review_per_submit")
        ]

    def __str__(self) -> str:
        return f"{self.learner} reviewed {self.concept}: {Rating(self.rating).name}"
