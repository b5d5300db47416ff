"""Reads for lesson content: the rendered lesson and its generated examples."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from lessons import examples, formulas, markup, seeds
from lessons.models import Lesson, WorkedExample
from techtree.models import Concept


@dataclass(frozen=True)
class ShownExample:
    """A worked example as generated for one seed, with its links."""

    row: WorkedExample
    example: examples.Example
    seed: int

    @property
    def url(self) -> str:
        return self.row.get_absolute_url(self.seed)


@dataclass(frozen=True)
class LessonView:
    """Everything the lesson part of a concept page shows."""

    html: SafeString | None
    teaching_strategy: str
    examples: list[ShownExample]


def render_lesson(body: str) -> SafeString:
    """A lesson body with engine numbers filled in, as sanitised HTML."""
    return mark_safe(markup.render_markdown(formulas.fill_numbers(body)))


def lesson_view(concept: Concept, *, learner_id: int | None) -> LessonView:
    """The lesson and the learner's variant of each worked example (two queries)."""
    lesson = Lesson.objects.filter(concept=concept).first()
    shown = []
    for row in WorkedExample.objects.filter(concept=concept).order_by("order"):
        row.concept = concept  # already loaded; saves a query per example link
        seed = seeds.personal_seed(learner_id, f"example:{row.pk}")
        shown.append(ShownExample(row=row, example=row.build(seed), seed=seed))
    return LessonView(
        html=render_lesson(lesson.body) if lesson else None,
        teaching_strategy=lesson.teaching_strategy if lesson else "",
        examples=shown,
    )


def example_view(slug: str, order: int, seed: int) -> ShownExample:
    """One worked example of a published concept for a seed (WorkedExample.DoesNotExist)."""
    row = WorkedExample.objects.select_related("concept").get(
        concept__slug=slug, concept__published=True, order=order
    )
    return ShownExample(row=row, example=row.build(seed), seed=seed)


def sibling_examples(concept: Concept) -> list[WorkedExample]:
    """The concept's examples in order, for navigation between them."""
    return list(WorkedExample.objects.filter(concept=concept).only("order", "title"))
