"""Reads for lesson content: the rendered lesson and its generated examples."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from lessons import engine, examples, formulas, markup, seeds
from lessons.models import Lesson, WorkedExample
from techtree.models import Concept
from techtree.versions import cached_fragment

logger = logging.getLogger(__name__)


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

    html: SafeString | None  # the lesson up to its "Worked examples" section
    teaching_strategy: str
    examples: list[ShownExample]
    examples_intro: SafeString | None = None  # that section's own text, shown above them
    html_after: SafeString | None = None  # the lesson after it: takeaways, mistakes, ...


# A lesson's "## Worked examples" section: its text introduces the generated examples, which
# the page inserts right there, so the lesson reads in textbook order.
EXAMPLES_SECTION = re.compile(r"^## Worked examples[ \t]*\n(?P<intro>.*?)(?=^## |\Z)", re.M | re.S)


def render_lesson(body: str) -> SafeString:
    """A lesson body with engine numbers filled in, as sanitised HTML."""
    return mark_safe(markup.render_markdown(formulas.fill_numbers(body)))


def split_lesson(body: str) -> tuple[str, str, str]:
    """The lesson's Markdown before its worked-examples section, that section's text, after."""
    match = EXAMPLES_SECTION.search(body)
    if not match:
        return body, "", ""
    return body[: match.start()], match["intro"].strip(), body[match.end() :]


def example_item(slug: str, order: int) -> str:
    """What a learner's example seed is derived from: the example's address, not its row id.

    Loading content replaces the example rows (new ids), so an id-based seed would give every
    learner new numbers after each reload; the concept and position in the URL stay put.
    """
    return f"example:{slug}:{order}"


def lesson_view(concept: Concept, *, learner_id: int | None) -> LessonView:
    """The lesson and the learner's variant of each worked example.

    The examples are one query; the rendered lesson comes from the shared cache (the content
    version, then the lesson: two reads), so its Markdown and numbers are rendered once per
    content version, by whichever worker asks first.
    """
    shown = []
    rows = WorkedExample.objects.filter(concept=concept).select_related("template")
    for row in rows.order_by("order"):
        if not row.buildable:
            # A row left behind by a release that dropped its generator: skip it, not the page.
            logger.warning("worked example %s has no generator %r", row.pk, row.generator)
            continue
        row.concept = concept  # already loaded; saves a query per example link
        seed = seeds.personal_seed(learner_id, example_item(concept.slug, row.order))
        shown.append(ShownExample(row=row, example=row.build(seed), seed=seed))
    text = cached_fragment(f"lesson:{concept.pk}", lambda: _lesson_text(concept))
    if not text:
        return LessonView(html=None, teaching_strategy="", examples=shown)
    html, teaching_strategy, intro, after = text
    return LessonView(
        html=mark_safe(html),
        teaching_strategy=teaching_strategy,
        examples=shown,
        examples_intro=mark_safe(intro) if intro else None,
        html_after=mark_safe(after) if after else None,
    )


def _lesson_text(concept: Concept) -> tuple[str, str, str | None, str | None] | tuple[()]:
    """The lesson rendered once per content version: (html, strategy, intro, after), or ()."""
    lesson = Lesson.objects.filter(concept=concept).first()
    if lesson is None:
        return ()
    before, intro, after = split_lesson(lesson.body)
    return (
        str(render_lesson(before)),
        lesson.teaching_strategy,
        str(render_lesson(intro)) if intro else None,
        str(render_lesson(after)) if after.strip() else None,
    )


def example_view(slug: str, order: int, seed: int) -> ShownExample:
    """One worked example of a published concept for a seed (WorkedExample.DoesNotExist)."""
    row = WorkedExample.objects.select_related("concept", "template").get(
        concept__slug=slug, concept__published=True, order=order
    )
    if not row.buildable:
        raise WorkedExample.DoesNotExist(f"no generator {row.generator!r}")
    return ShownExample(row=row, example=row.build(seed), seed=seed)


def example_exists(slug: str, order: int) -> bool:
    """Whether a published concept has a worked example at this position (one query)."""
    return WorkedExample.objects.filter(
        concept__slug=slug, concept__published=True, order=order
    ).exists()


def sibling_examples(concept: Concept) -> list[WorkedExample]:
    """The concept's examples in order, for navigation between them."""
    return list(WorkedExample.objects.filter(concept=concept).only("order", "title"))


# The visualizer's first preset (lessons/templates/lessons/_visualizer.html), at T = 1.
VISUALIZER_LOGITS = (2.0, 1.0, 0.1)


@dataclass(frozen=True)
class SoftmaxTable:
    """Logits with their probabilities as the engine computes them, for readers without JS."""

    logits: tuple[float, ...]
    temperature: float
    rows: list[dict[str, float]]
    total: float
    entropy: float
    logsumexp: float

    @property
    def logits_text(self) -> str:
        return ", ".join(f"{z:g}" for z in self.logits)


def softmax_table(logits: tuple[float, ...]) -> SoftmaxTable:
    """The engine's softmax, log-softmax, entropy and log-sum-exp of some logits at T = 1."""
    probs = engine.softmax(logits)
    log_probs = engine.log_softmax(logits)
    return SoftmaxTable(
        logits=logits,
        temperature=1.0,
        rows=[
            {"logit": z, "probability": float(p), "log_probability": float(lp)}
            for z, p, lp in zip(logits, probs, log_probs, strict=True)
        ],
        total=math.fsum(float(p) for p in probs),
        entropy=float(engine.entropy_from_logits(logits)),
        logsumexp=float(engine.logsumexp(logits)),
    )
