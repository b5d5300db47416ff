"""Exercise templates written by authors (in concept files or the admin), stored as JSON."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from exercise_templates import placements
from exercise_templates.fields import OrderedJSONField
from exercises import Exercise, templates
from techtree import content_rules
from techtree.models import Concept

FALLBACK_SEEDS = 10  # seeds tried in turn when one seed's draw fails


class ExerciseTemplate(models.Model):
    """One authored exercise: a template (README, "Exercise templates") kept as its JSON spec.

    There is one notion of exercise: this row serves as a worked example and/or a practice
    problem, as `spec["serves"]` says. It is shown and asked through the concept's
    `WorkedExample` and `Problem` rows that point at it (their `template`), which keep the
    concept's order and the learners' attempts. Saving or deleting a template places it
    (`exercise_templates.placements`: lessons and quizzes create, reorder and remove those
    rows); deleting it deletes its placements and their attempts.

    `spec` is the whole template, the same dict a concept file's `[[exercises]]` entry holds;
    `key` is copied from it on save and never changes for a stored exercise (placements and
    attempts refer to it). `clean()` runs `exercises.templates.validate_template` over 50
    seeds: nothing invalid is saved through a form or a load.
    """

    concept = models.ForeignKey(
        Concept, on_delete=models.CASCADE, related_name="exercise_templates"
    )
    key = models.CharField(
        max_length=content_rules.EXERCISE_KEY_CHARS,
        editable=False,
        validators=[RegexValidator(templates.KEY, "Lower-case letters, digits and dashes.")],
        help_text="Copied from the spec's key; unique within the concept, never renamed.",
    )
    spec = OrderedJSONField(
        help_text="The template: key, title, difficulty, kind, draw, let, constraints, "
        "statement, steps, hints, solution, insight, answer, mistakes (see the README)."
    )
    order = models.PositiveSmallIntegerField(default=1)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["concept", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "key"], name="unique_template_key"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, place: bool = True, **kwargs) -> None:
        """Save, then place it as an example and/or a problem (a load places once, at the
        end, with place=False)."""
        self._copy_key()
        self.__dict__.pop("template", None)
        super().save(*args, **kwargs)
        if place:
            placements.place(self.concept)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)  # its placements go with it (CASCADE)
        placements.place(self.concept)
        return result

    def clean_fields(self, exclude=None) -> None:
        self._copy_key()
        super().clean_fields(exclude=exclude)

    def _copy_key(self) -> None:
        if isinstance(self.spec, dict) and isinstance(self.spec.get("key"), str):
            self.key = self.spec["key"]

    @property
    def title(self) -> str:
        return str(self.spec.get("title", self.key)) if isinstance(self.spec, dict) else self.key

    @property
    def difficulty(self) -> str:
        return str(self.spec.get("difficulty", "")) if isinstance(self.spec, dict) else ""

    @cached_property
    def template(self) -> templates.Template:
        """The parsed spec (TemplateInvalid if it no longer parses)."""
        return templates.parse(self.spec)

    def serves(self, role: str) -> bool:
        """Whether it serves as an "example" or as "practice" (False if it no longer parses)."""
        try:
            return self.template.serves_as(role)
        except templates.TemplateInvalid:
            return False

    def build(self, seed: int) -> Exercise:
        """The exercise for this seed, never an error page for a valid template.

        Validation covers 50 seeds and learners have millions: a seed whose draw still fails
        (its constraints not met within the tries, say) falls back to the next seeds, the
        same way every time, so the page and the grading of an answer agree.
        """
        for offset in range(FALLBACK_SEEDS):
            try:
                return self.template.build(seed + offset)
            except templates.TemplateInvalid as error:
                failure = error
        raise failure

    def clean(self) -> None:
        """Validate the spec over 50 seeds; every error names field, expression and seed."""
        errors = templates.validate_template(self.spec)
        if errors:
            raise ValidationError({"spec": [str(error) for error in errors]})
        if self.pk:
            stored = ExerciseTemplate.objects.filter(pk=self.pk).values_list("key", flat=True)
            if stored and stored[0] != self.spec["key"]:
                raise ValidationError({"spec": "key: a stored template's key is never renamed."})
