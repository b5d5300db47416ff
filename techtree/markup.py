"""Markdown with math to sanitised HTML.

Math between dollar signs (a literal dollar is written ``\\$``) becomes
``<span class="math inline">`` or ``<div class="math block">``
holding the escaped TeX, which the page typesets with the vendored KaTeX. Everything else goes
through nh3 with a short allow-list, so raw HTML, scripts, event attributes and
``javascript:`` links in an author's text never reach a learner's page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "kbd", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# Headings keep the `id` the renderer gives them (authors cannot write HTML, so every id on a
# page comes from `anchor_for`).
ALLOWED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(2, 7)},
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "span": {"math", "inline"},
    "div": {"math", "block", "note", "warning"},
    "code": {"language-python", "language-text"},
}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    # allow_digits=False looks at the character before a paragraph's first `$` with index -1,
    # i.e. the paragraph's last character, and leaves "$x$ is 2" unrendered; a literal dollar
    # sign is written \$ instead.
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=False)
    return md


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes, classes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Short texts (an exercise's statement, steps, hints) come back on every page view with the
# same numbers (a worked example's public seed); their HTML is remembered. A pure function
# of the text, so each process may keep its own copy; bounded in entries and in size.
REMEMBERED_CHARS = 4_000
REMEMBERED_TEXTS = 2_048


def render_markdown(text: str) -> str:
    """Render a Markdown document with $math$ to safe HTML."""
    if len(text) <= REMEMBERED_CHARS:
        return _render_short(text)
    return _render(text)


@lru_cache(maxsize=REMEMBERED_TEXTS)
def _render_short(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    return sanitise(_markdown().render(text))


@dataclass(frozen=True)
class Heading:
    """One heading of a document: its level (2 for ##), its anchor and its title as HTML."""

    level: int
    anchor: str
    html: str


# Table-of-contents depth: ## and ### headings (a lesson's sections and their parts).
CONTENTS_LEVELS = (2, 3)
ANCHOR_CHARS = 60


def slugify(text: str) -> str:
    """A heading's text as an anchor: ASCII lower case, words joined by hyphens."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")
    return slug[:ANCHOR_CHARS].rstrip("-") or "section"


def anchor_for(text: str, taken: set[str]) -> str:
    """A unique anchor for a heading: its slug, or the slug with -2, -3, ... if taken.

    Adds the anchor to `taken`; the same headings in the same order always get the same
    anchors, so links to them keep working across renders.
    """
    base = slugify(text)
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def _plain_text(children) -> str:
    """A heading's words for its anchor: text and code as written, math's TeX letters."""
    return "".join(
        child.content for child in children or () if child.type in {"text", "code_inline"}
        or child.type.startswith("math")
    )  # fmt: skip


def render_document(text: str, *, taken: set[str] | None = None) -> tuple[str, list[Heading]]:
    """Render Markdown to safe HTML, giving every heading an `id`; return it with the headings.

    `taken` holds anchors already used on the page (and receives these), so several
    documents on one page, or the page's own section ids, never share an anchor.
    """
    md = _markdown()
    taken = set() if taken is None else taken
    tokens = md.parse(text)
    headings = []
    for position, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[position + 1]
        anchor = anchor_for(_plain_text(inline.children), taken)
        token.attrSet("id", anchor)
        level = int(token.tag[1])
        if level in CONTENTS_LEVELS:
            title = sanitise(md.renderer.render(inline.children, md.options, {}))
            headings.append(Heading(level, anchor, title))
    return sanitise(md.renderer.render(tokens, md.options, {})), headings


def contents_tree(headings: Collection[Heading]) -> list[tuple[Heading, list[Heading]]]:
    """Headings nested one level: each ## with the ### under it (a ### first stands alone)."""
    tree: list[tuple[Heading, list[Heading]]] = []
    top = min((h.level for h in headings), default=2)
    for heading in headings:
        if heading.level > top and tree:
            tree[-1][1].append(heading)
        else:
            tree.append((heading, []))
    return tree


def render_inline(text: str) -> str:
    """Render one line (a title, a key symbol) without wrapping it in a paragraph."""
    return sanitise(_markdown().renderInline(text))
