"""Lessons and worked examples attached to concepts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from exercises import Exercise
from lessons import examples, formulas
from techtree import content_rules
from techtree.models import Concept


class Lesson(models.Model):
    """A concept's lesson: Markdown with $math$ and {{ engine numbers }}."""

    concept = models.OneToOneField(Concept, on_delete=models.CASCADE, related_name="lesson")
    body = models.TextField(
        max_length=content_rules.LESSON_BODY_CHARS,
        help_text=(
            "Markdown with $inline$ and $$display$$ math. Write numbers the engine can compute "
            "as {{ softmax([2, 1, 0.1]) | 3 }} so they are never copied by hand."
        ),
    )
    teaching_strategy = models.TextField(
        blank=True, max_length=content_rules.TEACHING_STRATEGY_CHARS
    )
    tldr = models.TextField(
        "TL;DR",
        blank=True,
        max_length=content_rules.TLDR_CHARS,
        help_text="The lesson in a few sentences, shown first. Markdown with $math$.",
    )
    essentials = models.TextField(
        "essential relationships",
        blank=True,
        max_length=content_rules.ESSENTIALS_CHARS,
        help_text=(
            "The few formulas to carry away, one per line: formula | what it says. The formula "
            "is TeX without dollar signs; numbers in it are {{ directives }}."
        ),
    )
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["concept__title"]

    def __str__(self) -> str:
        return f"Lesson: {self.concept}"

    def get_absolute_url(self) -> str:
        return self.concept.get_absolute_url() + "#lesson"

    @property
    def essential_pairs(self) -> list[tuple[str, str]]:
        """(formula, meaning) pairs from the 'formula | meaning' lines."""
        lines = filter(None, map(str.strip, self.essentials.splitlines()))
        return [content_rules.split_pair_line(line) for line in lines]

    def clean(self) -> None:
        """The TL;DR and essential relationships within a content file's limits, and every
        number directive evaluating, so a broken formula never reaches a learner."""
        errors = {}
        rules = content_rules.LESSON.fields
        for name, value in (
            ("tldr", self.tldr),
            ("essentials", [list(pair) for pair in self.essential_pairs]),
        ):
            try:
                rules[name](value, name)
            except content_rules.RuleError as error:
                errors[name] = str(error)
        for name, text in (
            ("body", self.body),
            ("tldr", self.tldr),
            ("essentials", self.essentials),
        ):
            try:
                formulas.fill_numbers(text)
            except formulas.FormulaError as error:
                errors.setdefault(name, f"A number directive failed: {error}")
        if errors:
            raise ValidationError(errors)


class WorkedExample(models.Model):
    """A worked example shown on a concept's page, generated afresh for every seed.

    Its exercise comes from a registered Python generator or from an exercise template of the
    concept (`template`, placed here by `lessons.loading.place_examples`).
    """

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="worked_examples")
    generator = models.CharField(
        max_length=content_rules.GENERATOR_CHARS,
        blank=True,
        help_text="Which registered generator builds the example's numbers (or a template).",
    )
    template = models.ForeignKey(
        "exercise_templates.ExerciseTemplate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="examples",
        help_text="The exercise template shown as this example (instead of a generator).",
    )
    title = models.CharField(max_length=content_rules.ITEM_TITLE_CHARS)
    order = models.PositiveSmallIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["concept", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "order"], name="unique_example_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self, seed: int | None = None) -> str:
        return reverse(
            "lessons:example",
            args=[self.concept.slug, self.order, seed if seed is not None else 1],
        )

    def clean(self) -> None:
        if self.template_id is None and self.generator not in examples.REGISTRY:
            raise ValidationError({"generator": f"No generator called {self.generator!r}."})

    @property
    def buildable(self) -> bool:
        """False for a row left behind by a release that dropped its generator."""
        return self.template_id is not None or self.generator in examples.REGISTRY

    def build(self, seed: int) -> Exercise:
        """The exercise for a seed, from the template or the generator."""
        if self.template_id is not None:
            return self.template.build(seed)
        return examples.generate(self.generator, seed)
