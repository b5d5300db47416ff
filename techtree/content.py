"""Reading the tree's content files: one Markdown file per concept with TOML front matter.

PURE: no Django. A file looks like::

    +++
    title = "Softmax and Logits"
    summary = "Turning raw scores into probabilities."
    domain = "Machine Learning"
    difficulty = 3
    minutes = 45
    prerequisites = ["exponentials-and-logarithms"]
    core_concepts = ["Logits are unnormalised scores"]
    key_symbols = [["$z$", "the vector of logits"]]

    [[examples]]          # sections like this one belong to other apps' loaders
    generator = "softmax_probabilities"
    +++
    The lesson, in Markdown with $math$.

The slug is the file's name. Every field's type and size is checked against
`techtree.content_rules` while parsing, and `check_sources` finds what spans files (unknown or
duplicate slugs, cycles named by title), all before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from techtree import content_rules, graph

FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(?P<meta>.*?)\n\+\+\+\s*(?:\n|\Z)(?P<body>.*)\Z", re.S)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONCEPT_KEYS = {
    "title", "summary", "domain", "difficulty", "minutes", "published", "prerequisites",
    "core_concepts", "key_symbols",
}  # fmt: skip


class ContentError(ValueError):
    """A content file that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class ConceptSource:
    """One concept as written in its file; `sections` hold what other apps load."""

    slug: str
    title: str
    summary: str
    domain: str
    difficulty: int
    minutes: int
    prerequisites: tuple[str, ...] = ()
    core_concepts: tuple[str, ...] = ()
    key_symbols: tuple[tuple[str, str], ...] = ()
    published: bool = True
    body: str = ""
    sections: dict = field(default_factory=dict)

    @property
    def change_reason(self) -> str:
        """What the history of a row written from this file says about the change."""
        return f"Loaded from {self.slug}.md"

    def key_symbols_text(self) -> str:
        """Key symbols in the model's 'symbol | meaning' line format."""
        return "\n".join(
            f"{symbol}{content_rules.KEY_SYMBOL_SEPARATOR}{meaning}"
            for symbol, meaning in self.key_symbols
        )


def file_error(slug: str, field: str, why: str) -> ContentError:
    """The one shape of a content error: 'softmax.md, problems[2].title: why'."""
    return ContentError(f"{slug}.md, {field}: {why}")


def parse_concept(text: str, slug: str) -> ConceptSource:
    """Parse one content file's text, checking every field's type and size (content_rules).

    ContentError names the file, the field and what is wrong with it.
    """
    if not SLUG.match(slug) or len(slug) > content_rules.SLUG_CHARS:
        raise file_error(slug, "file name", "file names must be slugs like 'softmax-and-logits'")
    match = FRONT_MATTER.match(text)
    if not match:
        raise file_error(
            slug, "front matter", "the file must start with front matter between '+++' lines"
        )
    try:
        meta = tomllib.loads(match["meta"])
    except tomllib.TOMLDecodeError as error:
        raise file_error(slug, "front matter", f"not valid TOML ({error})") from error
    try:
        meta = content_rules.check_front_matter(meta)
        body = content_rules.LESSON_BODY(match["body"].strip() + "\n", "lesson body")
    except content_rules.RuleError as error:
        raise file_error(slug, error.field, error.why) from error
    return ConceptSource(
        slug=slug,
        title=meta["title"],
        summary=meta["summary"],
        domain=meta["domain"],
        difficulty=meta["difficulty"],
        minutes=meta["minutes"],
        prerequisites=tuple(meta.get("prerequisites", ())),
        core_concepts=tuple(meta.get("core_concepts", ())),
        key_symbols=tuple(tuple(pair) for pair in meta.get("key_symbols", ())),
        published=meta.get("published", True),
        body=body,
        sections={key: value for key, value in meta.items() if key not in CONCEPT_KEYS},
    )


def read_concept_file(path: Path) -> ConceptSource:
    """Read and parse one file, refusing one too large or not UTF-8 before decoding it."""
    slug = path.stem
    size = path.stat().st_size
    if size > content_rules.FILE_BYTES:
        raise file_error(
            slug, "file", f"is {size:,} bytes; the limit is {content_rules.FILE_BYTES:,}"
        )
    data = path.read_bytes()[: content_rules.FILE_BYTES + 1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise file_error(
            slug,
            "file",
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); save it as UTF-8",
        ) from error
    return parse_concept(text, slug)


def read_folder(folder: Path) -> list[ConceptSource]:
    """Every `*.md` concept file in a folder, sorted by slug."""
    files = sorted(Path(folder).glob("*.md"))
    if not files:
        raise ContentError(f"{folder}: no concept files (*.md) found")
    return [read_concept_file(path) for path in files]


def check_sources(
    sources: Iterable[ConceptSource],
    *,
    existing: Iterable[tuple[str, str]] = (),
    existing_edges: Iterable[tuple[str, str]] = (),
) -> None:
    """Refuse duplicate slugs or titles, unknown prerequisites and cycles, naming each.

    `existing` lists (slug, title) of concepts already stored and not being rewritten;
    `existing_edges` their prerequisite edges as (prerequisite slug, concept slug).
    """
    sources = list(sources)
    by_slug: dict[str, ConceptSource] = {}
    titles: dict[str, str] = {}
    for source in sources:
        if source.slug in by_slug:
            raise file_error(source.slug, "file name", "two files share this slug")
        if source.title in titles:
            raise file_error(
                source.slug, "title", f"title {source.title!r} is also {titles[source.title]}"
            )
        by_slug[source.slug] = source
        titles[source.title] = source.slug
    for slug, title in existing:
        if title in titles and titles[title] != slug:
            raise file_error(titles[title], "title", f"title {title!r} is already used by {slug}")
    existing_edges = list(existing_edges)
    stored = {slug for slug, _ in existing}
    known = set(by_slug) | stored | {end for edge in existing_edges for end in edge}
    edges = set(existing_edges)
    for source in sources:
        for prerequisite in source.prerequisites:
            if prerequisite not in known:
                raise file_error(
                    source.slug, "prerequisites", f"unknown prerequisite {prerequisite!r}"
                )
            edges.add((prerequisite, source.slug))
    try:
        graph.build_graph(known, edges)
    except graph.CycleError as error:

        def name(slug: str) -> str:
            return by_slug[slug].title if slug in by_slug else slug

        raise ContentError(
            "prerequisites form a cycle: " + graph.format_cycle(error.cycle, name=name)
        ) from error
