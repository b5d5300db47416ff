"""Markdown with math to sanitised HTML.

Math between dollar signs (a literal dollar is written ``\\$``) becomes
``<span class="math inline">`` or ``<div class="math block">``
holding the escaped TeX, which the page typesets with the vendored KaTeX. Everything else goes
through nh3 with a short allow-list, so raw HTML, scripts, event attributes and
``javascript:`` links in an author's text never reach a learner's page.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "kbd", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
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


def render_markdown(text: str) -> str:
    """Render a Markdown document with $math$ to safe HTML."""
    return sanitise(_markdown().render(text))


def render_inline(text: str) -> str:
    """Render one line (a title, a key symbol) without wrapping it in a paragraph."""
    return sanitise(_markdown().renderInline(text))
