"""A learner's test-outs: the problems asked, and how each one went."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from techtree.models import Concept


class TestOut(models.Model):
    """A challenge to skip a locked concept's prerequisites: one problem per prerequisite.

    `questions` holds, per prerequisite not mastered when it began, the problem asked and
    its fresh seed: [{"prerequisite": id, "problem": id, "seed": n}]. An unfinished test-out
    is the same in every tab; a failed one starts the cool-down (`finished`).
    """

    __test__ = False  # not a pytest test class, whatever its name

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_outs"
    )
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="test_outs")
    questions = models.JSONField()
    created = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    answers = models.JSONField(default=dict, blank=True, help_text="What was typed, by problem.")
    to_study = models.ManyToManyField(Concept, blank=True, related_name="+")

    class Meta:
        verbose_name = "test-out"
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["learner", "concept", "created"])]

    def __str__(self) -> str:
        verdict = {None: "unfinished", True: "passed", False: "failed"}[self.passed]
        return f"{self.learner} · test-out of {self.concept} ({verdict})"


class PlacementRun(models.Model):
    """A new learner's placement: the answers so far and the question on screen.

    The walk itself is not stored: it is replayed from `answers` ([[concept id, passed]])
    over the published tree, so an author's edit between two questions cannot corrupt it.
    """

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placement"
    )
    answers = models.JSONField(default=list, blank=True)
    probe = models.JSONField(
        null=True, blank=True, help_text='The question asked now: {"concept", "problem", "seed"}.'
    )
    created = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.learner} · placement ({len(self.answers)} answers)"
