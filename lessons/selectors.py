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


def example_item(slug: str, order: int) -> str:
    """What a learner's example seed is derived from: the example's address, not its row id.

    Loading content replaces the example rows (new ids), so an id-based seed would give every
    learner new numbers after each reload; the concept and position in the URL stay put.
    """
    return f"example:{slug}:{order}"


def lesson_view(concept: Concept, *, learner_id: int | None) -> LessonView:
    """The lesson and the learner's variant of each worked example (two queries)."""
    lesson = Lesson.objects.filter(concept=concept).first()
    shown = []
    for row in WorkedExample.objects.filter(concept=concept).order_by("order"):
        row.concept = concept  # already loaded; saves a query per example link
        seed = seeds.personal_seed(learner_id, example_item(concept.slug, row.order))
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


def example_exists(slug: str, order: int) -> bool:
    """Whether a published concept has a worked example at this position (one query)."""
    return WorkedExample.objects.filter(
        concept__slug=slug, concept__published=True, order=order
    ).exists()


def sibling_examples(concept: Concept) -> list[WorkedExample]:
    """The concept's examples in order, for navigation between them."""
    return list(WorkedExample.objects.filter(concept=concept).only("order", "title"))
