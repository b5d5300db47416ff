"""Every table header in the demo lessons has text of its own, not only math.

KaTeX draws math for the eye with aria-hidden markup and gives assistive technology a
MathML copy that is hidden from sight, so a header cell holding nothing but math has no text
that is both visible and announced; axe-core reports it as an empty table header
(tests/browser/test_accessibility.py checks the pages; this checks every lesson at once).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from techtree.content import read_folder
from techtree.markup import render_markdown
from tests.conftest import CONTENT


class HeaderText(HTMLParser):
    """The text of each <th>, leaving out what is inside math elements."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.in_header = False
        self.math_depth = 0  # elements open inside a math element, itself included

    def handle_starttag(self, tag, attrs):
        if tag == "th":
            self.in_header = True
            self.headers.append("")
        elif self.math_depth or "math" in (dict(attrs).get("class") or "").split():
            self.math_depth += 1

    def handle_endtag(self, tag):
        if tag == "th":
            self.in_header = False
        elif self.math_depth:
            self.math_depth -= 1

    def handle_data(self, data):
        if self.in_header and not self.math_depth:
            self.headers[-1] += data


def header_texts(html: str) -> list[str]:
    parser = HeaderText()
    parser.feed(html)
    return parser.headers


def test_the_checker_sees_math_only_and_empty_headers():
    html = render_markdown("| $T$ | | temperature $T$ |\n|---|---|---|\n| 1 | 2 | 3 |\n")
    assert [re.sub(r"\s+", " ", t).strip() for t in header_texts(html)] == ["", "", "temperature"]


def test_every_lesson_table_header_has_text():
    bare = [
        (concept.slug, i)
        for concept in read_folder(CONTENT)
        for i, text in enumerate(header_texts(render_markdown(concept.body)))
        if not text.strip()
    ]
    assert bare == [], "empty or math-only table headers (slug, header number)"
