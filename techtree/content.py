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

The slug is the file's name. `check_sources` finds every problem (missing fields, unknown or
duplicate slugs, cycles named by title) before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from techtree import graph

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

    def key_symbols_text(self) -> str:
        """Key symbols in the model's 'symbol | meaning' line format."""
        return "\n".join(f"{symbol} | {meaning}" for symbol, meaning in self.key_symbols)


def parse_concept(text: str, slug: str) -> ConceptSource:
    """Parse one content file's text; ContentError says what is wrong."""
    if not SLUG.match(slug):
        raise ContentError(f"{slug}: file names must be slugs like 'softmax-and-logits'")
    match = FRONT_MATTER.match(text)
    if not match:
        raise ContentError(f"{slug}: the file must start with front matter between '+++' lines")
    try:
        meta = tomllib.loads(match["meta"])
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{slug}: front matter is not valid TOML ({error})") from error
    missing = {"title", "summary", "domain", "difficulty", "minutes"} - meta.keys()
    if missing:
        raise ContentError(f"{slug}: missing {', '.join(sorted(missing))}")
    difficulty, minutes = meta["difficulty"], meta["minutes"]
    if not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        raise ContentError(f"{slug}: difficulty must be a whole number from 1 to 5")
    if not isinstance(minutes, int) or minutes < 1:
        raise ContentError(f"{slug}: minutes must be a positive whole number")
    try:
        symbols = tuple((str(s), str(m)) for s, m in meta.get("key_symbols", []))
    except ValueError as error:
        raise ContentError(f"{slug}: key_symbols must be [symbol, meaning] pairs") from error
    return ConceptSource(
        slug=slug,
        title=str(meta["title"]),
        summary=str(meta["summary"]),
        domain=str(meta["domain"]),
        difficulty=difficulty,
        minutes=minutes,
        prerequisites=tuple(meta.get("prerequisites", ())),
        core_concepts=tuple(meta.get("core_concepts", ())),
        key_symbols=symbols,
        published=bool(meta.get("published", True)),
        body=match["body"].strip() + "\n",
        sections={key: value for key, value in meta.items() if key not in CONCEPT_KEYS},
    )


def read_folder(folder: Path) -> list[ConceptSource]:
    """Every `*.md` concept file in a folder, sorted by slug."""
    files = sorted(Path(folder).glob("*.md"))
    if not files:
        raise ContentError(f"{folder}: no concept files (*.md) found")
    return [parse_concept(path.read_text(encoding="utf-8"), path.stem) for path in files]


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
            raise ContentError(f"{source.slug}: two files share this slug")
        if source.title in titles:
            raise ContentError(
                f"{source.slug}: title {source.title!r} is also {titles[source.title]}"
            )
        by_slug[source.slug] = source
        titles[source.title] = source.slug
    for slug, title in existing:
        if title in titles and titles[title] != slug:
            raise ContentError(f"{titles[title]}: title {title!r} is already used by {slug}")
    existing_edges = list(existing_edges)
    stored = {slug for slug, _ in existing}
    known = set(by_slug) | stored | {end for edge in existing_edges for end in edge}
    edges = set(existing_edges)
    for source in sources:
        for prerequisite in source.prerequisites:
            if prerequisite not in known:
                raise ContentError(f"{source.slug}: unknown prerequisite {prerequisite!r}")
            edges.add((prerequisite, source.slug))
    try:
        graph.build_graph(known, edges)
    except graph.CycleError as error:

        def name(slug: str) -> str:
            return by_slug[slug].title if slug in by_slug else slug

        raise ContentError(
            "prerequisites form a cycle: " + graph.format_cycle(error.cycle, name=name)
        ) from error
