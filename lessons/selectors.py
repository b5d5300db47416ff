"""Reads for lesson content: the rendered lesson and its generated examples."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import partial

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lessons import engine, examples, formulas, markup, seeds
from lessons.models import Lesson, WorkedExample
from techtree.models import Concept
from techtree.versions import cached_fragment, content_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShownExample:
    """A worked example as generated for one seed, with its links."""

    row: WorkedExample
    example: examples.Example | None  # None until built (the concept page reads it rendered)
    seed: int

    @property
    def url(self) -> str:
        return self.row.get_absolute_url(self.seed)


@dataclass(frozen=True)
class Essential:
    """One essential relationship: a formula (display math) and what it says."""

    formula: SafeString
    meaning: SafeString


# Ids the concept page gives its own sections (and the contents link to): a lesson heading
# never takes one of them, so every anchor on the page stays unique.
PAGE_ANCHORS = frozenset({
    "main", "contents", "tldr", "essentials", "lesson", "worked-examples", "visualizer",
    "practice", "core-concepts", "cognitive-load", "leads-to",
})  # fmt: skip
EXAMPLES_HEADING = markup.Heading(2, "worked-examples", "Worked examples")


@dataclass(frozen=True)
class LessonView:
    """Everything the lesson part of a concept page shows."""

    html: SafeString | None  # the lesson up to its "Worked examples" section
    teaching_strategy: str
    examples: list[ShownExample]
    examples_intro: SafeString | None = None  # that section's own text, shown above them
    html_after: SafeString | None = None  # the lesson after it: takeaways, mistakes, ...
    tldr: SafeString | None = None
    essentials: tuple[Essential, ...] = ()
    headings: tuple[markup.Heading, ...] = ()  # the lesson's ## and ### headings, in order
    contents_html: str = ""  # `contents` as nested lists of links (safe HTML)

    @property
    def contents(self) -> list[tuple[markup.Heading, list[markup.Heading]]]:
        """The lesson's table of contents (what `contents_html` shows)."""
        return contents_tree(self.headings)


def contents_tree(headings) -> list[tuple[markup.Heading, list[markup.Heading]]]:
    """A table of contents: each ## with the ### under it (titles sanitised)."""
    return markup.contents_tree(
        [markup.Heading(h.level, h.anchor, mark_safe(h.html)) for h in headings]
    )


_ENTRY = '<li><a href="#{}">{}</a>{}</li>'


def contents_html(headings: tuple[markup.Heading, ...]) -> str:
    """The table of contents as nested lists of links, each ## with the ### under it: built
    once per content version with the lesson (format strings, not a template loop: about
    0.4 ms of each softmax page view when it was built per request)."""
    entries = []
    for heading, parts in contents_tree(headings):
        under = format_html_join("", _ENTRY, ((part.anchor, part.html, "") for part in parts))
        nested = format_html("<ol>{}</ol>", under) if parts else ""
        entries.append(format_html(_ENTRY, heading.anchor, heading.html, nested))
    return format_html("<ol>{}</ol>", mark_safe("".join(entries))) if entries else ""


def page_headings(text: dict, *, examples: bool) -> tuple[markup.Heading, ...]:
    """The lesson's headings as its page shows them: "Worked examples" (and its
    introduction's) between the parts when it has examples or that introduction."""
    headings = text["before_headings"]
    if examples or text["intro"]:
        headings = (*headings, EXAMPLES_HEADING, *text["intro_headings"])
    return (*headings, *text["after_headings"])


# A lesson's "## Worked examples" section: its text introduces the generated examples, which
# the page inserts right there, so the lesson reads in textbook order.
EXAMPLES_SECTION = re.compile(r"^## Worked examples[ \t]*\n(?P<intro>.*?)(?=^## |\Z)", re.M | re.S)


def render_lesson(body: str) -> SafeString:
    """A lesson body with engine numbers filled in, as sanitised HTML."""
    return mark_safe(markup.render_markdown(formulas.fill_numbers(body)))


def render_part(body: str, taken: set[str]) -> tuple[str, list[markup.Heading]]:
    """One part of a lesson with engine numbers filled in, its headings anchored."""
    return markup.render_document(formulas.fill_numbers(body), taken=taken)


def render_essential(formula: str, meaning: str) -> Essential:
    """An essential relationship with its numbers filled in: display math and its meaning."""
    tex = formulas.fill_numbers(formula)
    return Essential(
        formula=mark_safe(markup.render_markdown(f"$${tex}$$")),
        meaning=mark_safe(markup.render_inline(formulas.fill_numbers(meaning))),
    )


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


def lesson_view(
    concept: Concept, *, learner_id: int | None, version: str | None = None
) -> LessonView:
    """The lesson and the learner's seed of each worked example (not built: the concept page
    reads the examples rendered from the shared cache, `lessons.fragments`).

    One read of the shared cache under the content version (`version`, else read here)
    gives the rendered lesson and the example rows: Markdown is rendered once per content
    version, by whichever worker asks first.
    """
    version = version or content_version()
    part = cached_fragment(
        f"lesson-part:{concept.pk}", partial(_lesson_part, concept), version=version
    )
    shown = []
    for row in part["examples"]:
        if not row.buildable:  # cached before a release that dropped its generator
            continue
        row.concept = concept  # the page's own; saves a query per example link
        seed = seeds.personal_seed(learner_id, example_item(concept.slug, row.order))
        shown.append(ShownExample(row=row, example=None, seed=seed))
    text = part["lesson"]
    if not text:
        return LessonView(html=None, teaching_strategy="", examples=shown)
    return LessonView(
        html=mark_safe(text["html"]),
        teaching_strategy=text["teaching_strategy"],
        examples=shown,
        examples_intro=mark_safe(text["intro"]) if text["intro"] else None,
        html_after=mark_safe(text["after"]) if text["after"] else None,
        tldr=mark_safe(text["tldr"]) if text["tldr"] else None,
        essentials=tuple(
            Essential(mark_safe(formula), mark_safe(meaning))
            for formula, meaning in text["essentials"]
        ),
        headings=page_headings(text, examples=bool(shown)),
        contents_html=mark_safe(part["contents"]),  # built by contents_html, escaped there
    )


def _lesson_part(concept: Concept) -> dict:
    """What every reader's lesson part starts from: the rendered lesson, and the example rows
    that can be built."""
    examples = []
    for row in (
        WorkedExample.objects.filter(concept=concept).select_related("template").order_by("order")
    ):
        if not row.buildable:
            # A row left behind by a release that dropped its generator: skip it, not the page.
            logger.warning("worked example %s has no generator %r", row.pk, row.generator)
            continue
        row.concept = concept
        examples.append(row)
    text = _lesson_text(concept)
    headings = page_headings(text, examples=bool(examples)) if text else ()
    return {"lesson": text, "examples": examples, "contents": contents_html(headings)}


def _lesson_text(concept: Concept) -> dict:
    """The lesson rendered once per content version (plain strings and headings), or {}.

    Its parts share one set of anchors with the page's own sections, so every heading's id
    is unique on the page and the same on every render.
    """
    lesson = Lesson.objects.filter(concept=concept).first()
    if lesson is None:
        return {}
    taken = set(PAGE_ANCHORS)
    before, intro, after = split_lesson(lesson.body)
    html, before_headings = render_part(before, taken)
    intro_html, intro_headings = render_part(intro, taken) if intro else ("", [])
    after_html, after_headings = render_part(after, taken) if after.strip() else ("", [])
    essentials = [render_essential(*pair) for pair in lesson.essential_pairs]
    return {
        "html": html,
        "teaching_strategy": lesson.teaching_strategy,
        "intro": intro_html or None,
        "after": after_html or None,
        "tldr": str(render_lesson(lesson.tldr)) if lesson.tldr.strip() else None,
        "essentials": [(str(e.formula), str(e.meaning)) for e in essentials],
        "before_headings": tuple(before_headings),
        # ### headings of the examples' introduction sit under "Worked examples".
        "intro_headings": tuple(
            markup.Heading(max(h.level, 3), h.anchor, h.html) for h in intro_headings
        ),
        "after_headings": tuple(after_headings),
    }


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
