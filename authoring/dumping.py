"""The stored tree back to content files, in exactly the format `load_content` reads.

One file a concept (`<slug>.md`): TOML front matter (the concept's fields, `[lesson]`,
`[[examples]]`, `[[problems]]`, `[[exercises]]`) and the lesson in Markdown. Every file is
parsed back before anything is written, and must read as the rows it came from, so a dump
that `load_content` would read differently is refused rather than written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w
from django.db.models import Prefetch

from exercise_templates.models import ExerciseTemplate
from lessons.models import Lesson, WorkedExample
from quizzes.models import Problem
from techtree import content_rules
from techtree.content import ContentError, parse_concept
from techtree.models import Concept, Prerequisite


def problem_entry(problem: Problem, defaults: Problem) -> dict[str, Any]:
    """A problem as a `[[problems]]` table: generator, title, difficulty (a fixed problem's
    kind too), then every field that differs from the model's default (a generated
    problem's kind is its generator's)."""
    entry: dict[str, Any] = {}
    always = ("generator", "title", "difficulty") + (() if problem.generator else ("kind",))
    for name in (*always, *sorted(content_rules.PROBLEM_FIELDS)):
        if name in entry or (name == "kind" and problem.generator):
            continue
        value = getattr(problem, name)
        if name in always or value != getattr(defaults, name):
            if name == "hints":
                value = [hint.strip() for hint in value.split("\n\n") if hint.strip()]
            if value is not None and value != "":
                entry[name] = value
    return entry


def front_matter(concept: Concept) -> dict[str, Any]:
    """The concept's file as a dict, in the order a person would write it."""
    meta: dict[str, Any] = {
        "title": concept.title,
        "summary": concept.summary,
        "domain": concept.domain,
        "difficulty": concept.difficulty,
        "minutes": concept.minutes,
        "published": concept.published,
        "prerequisites": sorted(
            link.prerequisite.slug for link in concept.prerequisite_links.all()
        ),
        "core_concepts": concept.core_concept_list,
        "key_symbols": [list(pair) for pair in concept.key_symbol_pairs],
    }
    lesson = getattr(concept, "lesson", None)
    if lesson is not None:
        section = {
            "teaching_strategy": lesson.teaching_strategy,
            "tldr": lesson.tldr,
            "essentials": [list(pair) for pair in lesson.essential_pairs],
        }
        section = {name: value for name, value in section.items() if value}
        if section:
            meta["lesson"] = section
    examples = [{"generator": e.generator, "title": e.title} for e in concept.worked_examples.all()]
    defaults = Problem()
    problems = [problem_entry(problem, defaults) for problem in concept.problems.all()]
    exercises = [template.spec for template in concept.exercise_templates.all()]
    for name, rows in (("examples", examples), ("problems", problems), ("exercises", exercises)):
        if rows:
            meta[name] = rows
    return meta


def concept_file(concept: Concept) -> str:
    """The text of one concept's file; ContentError if it would not read back the same."""
    lesson = getattr(concept, "lesson", None)
    body = lesson.body if lesson is not None else ""
    meta = front_matter(concept)
    text = f"+++\n{tomli_w.dumps(meta, multiline_strings=True)}+++\n{body.strip()}\n"
    source = parse_concept(text, concept.slug)
    read_back = {
        "title": source.title, "summary": source.summary, "domain": source.domain,
        "difficulty": source.difficulty, "minutes": source.minutes,
        "published": source.published, "prerequisites": list(source.prerequisites),
        "core_concepts": list(source.core_concepts),
        "key_symbols": [list(pair) for pair in source.key_symbols], **source.sections,
    }  # fmt: skip
    if read_back != meta or source.body != body.strip() + "\n":
        raise ContentError(f"{concept.slug}.md: would not read back as stored; nothing written")
    return text


def concepts_to_dump():
    """Every concept with all it needs for its file, in a fixed number of queries."""
    return Concept.objects.order_by("slug").prefetch_related(
        Prefetch(
            "prerequisite_links",
            queryset=Prerequisite.objects.select_related("prerequisite").order_by(
                "prerequisite__slug"
            ),
        ),
        Prefetch("lesson", queryset=Lesson.objects.all()),
        # A template's placements as an example or a problem are written by its
        # [[exercises]] entry (loading places them again), not as [[examples]]/[[problems]].
        Prefetch(
            "worked_examples",
            queryset=WorkedExample.objects.filter(template=None).order_by("order", "pk"),
        ),
        Prefetch(
            "problems", queryset=Problem.objects.filter(template=None).order_by("order", "pk")
        ),
        Prefetch("exercise_templates", queryset=ExerciseTemplate.objects.order_by("order", "pk")),
    )


def dump_tree(folder: Path) -> list[Path]:
    """Write every stored concept to `folder/<slug>.md`; all files are built before any is
    written, so a concept that cannot be dumped leaves the folder as it was."""
    files = {concept.slug: concept_file(concept) for concept in concepts_to_dump()}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for slug, text in files.items():
        path = folder / f"{slug}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
