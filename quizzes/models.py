"""Practice problems, learners' attempts, and their progress through the tree."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from exercises import Exercise
from quizzes import answers, mastery, problems
from techtree import content_rules
from techtree.models import Concept


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Kind(models.TextChoices):
    NUMBER = "number", "A number"
    VECTOR = "vector", "A vector of numbers"
    CHOICE = "choice", "One choice out of several"
    INDEX = "index", "A position, counting from 1"


class Problem(models.Model):
    """A practice problem: generated per learner from a seed, or fixed by its author."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="problems")
    title = models.CharField(max_length=content_rules.ITEM_TITLE_CHARS)
    difficulty = models.CharField(max_length=6, choices=Difficulty.choices)
    order = models.PositiveSmallIntegerField(default=1)
    generator = models.CharField(
        max_length=content_rules.GENERATOR_CHARS,
        blank=True,
        help_text="A registered generator builds the numbers per learner. Leave empty to write "
        "a fixed problem below.",
    )
    template = models.ForeignKey(
        "exercise_templates.ExerciseTemplate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="problems",
        help_text="The exercise template asked as this problem (placed by loading).",
    )
    # A fixed problem's own text and answer (ignored when a generator is set).
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.NUMBER)
    statement = models.TextField(
        blank=True, max_length=content_rules.PROBLEM_TEXT_CHARS, help_text="Markdown with $math$."
    )
    answer = models.JSONField(
        null=True,
        blank=True,
        help_text="A number, a list of numbers, a position (counting from 1: the first entry "
        "is 1), or the key of the right choice.",
    )
    positions = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a position answer: how many entries there are to choose from. An answer "
        "outside 1 to this number is explained to the learner and not counted.",
    )
    options = models.JSONField(
        default=list, blank=True, help_text='For choices: [["a", "text"], ["b", "text"], ...]'
    )
    hints = models.TextField(
        blank=True,
        max_length=content_rules.PROBLEM_TEXT_CHARS,
        help_text="One hint per paragraph (blank-line separated).",
    )
    solution = models.TextField(
        blank=True, max_length=content_rules.PROBLEM_TEXT_CHARS, help_text="Markdown with $math$."
    )
    allow_percent = models.BooleanField(default=False)
    # Grading.
    tolerance_rel = models.FloatField(
        "relative tolerance", default=answers.Tolerance().rel, help_text="0.01 means 1%."
    )
    tolerance_abs = models.FloatField(
        "absolute tolerance",
        default=answers.Tolerance().abs,
        help_text="A floor so that answers near 0 are graded fairly.",
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3, help_text="After this many wrong answers the expected answer is shown."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["concept", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "order"], name="unique_problem_order"),
            models.CheckConstraint(
                condition=Q(tolerance_rel__gte=0) & Q(tolerance_abs__gte=0),
                name="problem_tolerance_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.concept.get_absolute_url()}#problem-{self.pk}"

    @property
    def tolerance(self) -> answers.Tolerance:
        return answers.Tolerance(rel=self.tolerance_rel, abs=self.tolerance_abs)

    @property
    def is_generated(self) -> bool:
        return bool(self.generator) or self.template_id is not None

    def instance(self, seed: int) -> Exercise:
        """The problem as this seed poses it (a fixed problem ignores the seed)."""
        if self.template_id is not None:
            return self.template.build(seed)
        if self.generator:
            return problems.generate(self.generator, seed)
        return problems.ProblemInstance(
            statement=self.statement,
            kind=self.kind,
            answer=self._fixed_answer(),
            options=tuple((str(key), str(text)) for key, text in self.options or ()),
            hints=tuple(h.strip() for h in self.hints.split("\n\n") if h.strip()),
            solution=self.solution,
            allow_percent=self.allow_percent,
            count=self.positions if self.kind == Kind.INDEX else None,
        )

    def grade(self, instance: Exercise, raw: str) -> answers.Grade:
        """Grade what a learner typed against `instance` (this problem for their seed)."""
        return instance.grade(raw, self.tolerance)

    def _fixed_answer(self):
        if self.kind == Kind.VECTOR:
            return tuple(float(x) for x in self.answer or ())
        if self.kind == Kind.INDEX:
            return int(self.answer)
        if self.kind == Kind.CHOICE:
            return str(self.answer)
        return float(self.answer)

    def clean(self) -> None:
        """A problem is a template's, generated (known generator) or complete as written."""
        if self.template_id is not None:
            return
        if self.generator:
            if self.generator not in problems.REGISTRY:
                raise ValidationError({"generator": f"No generator called {self.generator!r}."})
            return
        errors = {}
        if not self.statement.strip():
            errors["statement"] = "A fixed problem needs a statement."
        if self.answer is None:
            errors["answer"] = "A fixed problem needs an answer."
        else:
            try:
                instance = self.instance(0)
                if not self.grade(instance, instance.expected).correct:
                    raise ValueError("it is not graded right when typed as shown")
            except answers.AnswerError as error:
                errors["answer"] = (
                    f"This answer does not fit the kind {self.kind!r}: {error.message}"
                )
            except (TypeError, ValueError) as error:
                errors["answer"] = f"This answer does not fit the kind {self.kind!r}: {error}"
        if self.kind == Kind.CHOICE and len(self.options or ()) < 2:
            errors["options"] = "A choice needs at least two options."
        if self.kind == Kind.INDEX and not self.positions:
            errors["positions"] = "Say how many entries a position answer chooses from."
        if errors:
            raise ValidationError(errors)


class Attempt(models.Model):
    """One graded answer, kept forever: who, which problem and numbers, what was typed."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attempts")
    seed = models.PositiveIntegerField()
    raw = models.CharField("what was typed", max_length=answers.MAX_VECTOR_LENGTH)
    parsed = models.JSONField()
    correct = models.BooleanField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # One per form submission: a double-clicked submit is stored once.
    submission = models.UUIDField(default=uuid.uuid4, editable=False)
    mastered = models.BooleanField(
        default=False, help_text="This answer completed the mastery of the problem's concept."
    )

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "submission"], name="one_attempt_per_submit")
        ]
        indexes = [models.Index(fields=["learner", "created"])]

    def __str__(self) -> str:
        verdict = "right" if self.correct else "wrong"
        return f"{self.learner} on {self.problem}: {self.raw!r} ({verdict})"


class ProblemProgress(models.Model):
    """A learner's state on one problem: its current numbers, hints seen, solved or not."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_progress"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="progress")
    seed = models.PositiveIntegerField()
    attempts = models.PositiveSmallIntegerField(default=0)
    hints_shown = models.PositiveSmallIntegerField(default=0)
    solution_shown = models.BooleanField(default=False)
    solved = models.BooleanField(default=False)
    solved_cleanly = models.BooleanField(
        default=False, help_text="Solved on these numbers before the solution was revealed."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "problem progress"  # not Django's default "problem progresss"
        constraints = [
            models.UniqueConstraint(fields=["learner", "problem"], name="one_progress_per_problem")
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.problem}"

    @property
    def answer_revealed(self) -> bool:
        """Whether the expected answer may be shown now."""
        return mastery.answer_revealed(
            solved=self.solved,
            solution_shown=self.solution_shown,
            attempts=self.attempts,
            max_attempts=self.problem.max_attempts,
        )


class ConceptProgress(models.Model):
    """A learner's milestones on one concept; their status is derived from these and the tree."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concept_progress"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="progress")
    started = models.DateTimeField(null=True, blank=True)
    mastered = models.DateTimeField(null=True, blank=True)
    unlocked = models.DateTimeField(
        null=True, blank=True, help_text="When mastering its last prerequisite opened it."
    )
    placed = models.BooleanField(
        default=False,
        help_text="Mastered by a test-out or the placement, not by practice (it can still be "
        "practised).",
    )

    class Meta:
        verbose_name_plural = "concept progress"
        constraints = [
            models.UniqueConstraint(fields=["learner", "concept"], name="one_progress_per_concept")
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.concept}"
