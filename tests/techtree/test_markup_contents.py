"""Headings get stable, unique, linkable anchors, and a document's table of contents (pure)."""

import re

from hypothesis import given
from hypothesis import strategies as st

from techtree.markup import Heading, anchor_for, contents_tree, render_document, slugify

DOC = """## Why it matters

Text.

### Shift invariance

## Softmax: $e^{z_i}$ over the sum

### Shift invariance

## Why it matters
"""


def test_slugify_makes_plain_ascii_anchors():
    assert slugify("Why it matters") == "why-it-matters"
    assert slugify("Cooling: $T \\to 0$ gives the argmax") == "cooling-t-to-0-gives-the-argmax"
    assert slugify("Kullback–Leibler, naïvely") == "kullback-leibler-naively"
    assert slugify("∑ ∞") == "section"  # nothing left: still a valid anchor
    assert len(slugify("word " * 40)) <= 60


def test_anchors_are_unique_and_avoid_the_taken_ones():
    taken = {"lesson"}
    assert [anchor_for(t, taken) for t in ("Lesson", "Lesson", "Other", "Lesson")] == [
        "lesson-2",
        "lesson-3",
        "other",
        "lesson-4",
    ]


def test_every_heading_gets_its_id_and_the_contents_list_h2_and_h3():
    html, headings = render_document(DOC)
    ids = re.findall(r'<h[23] id="([^"]+)"', html)
    assert ids == [
        "why-it-matters",
        "shift-invariance",
        "softmax-e-z-i-over-the-sum",
        "shift-invariance-2",
        "why-it-matters-2",
    ]
    assert [h.anchor for h in headings] == ids
    assert [h.level for h in headings] == [2, 3, 2, 3, 2]
    # the title keeps its markup (math typeset in the page)
    assert headings[2].html == 'Softmax: <span class="math inline">e^{z_i}</span> over the sum'


def test_anchors_are_the_same_on_every_render():
    assert render_document(DOC) == render_document(DOC)


def test_parts_of_one_page_share_the_anchors():
    taken = {"worked-examples"}
    _, first = render_document("## Worked examples\n\n## Intro\n", taken=taken)
    _, second = render_document("## Intro\n", taken=taken)
    assert [h.anchor for h in first + second] == ["worked-examples-2", "intro", "intro-2"]


def test_authors_cannot_write_their_own_ids():
    html, _ = render_document('<h2 id="main">Hijack</h2>\n\n## Real\n')
    assert '<h2 id="main">' not in html  # shown as text, never as markup
    assert '<h2 id="real">' in html


def test_contents_tree_nests_h3_under_the_h2_before_it():
    h = [Heading(3, "a", "A"), Heading(2, "b", "B"), Heading(3, "c", "C"), Heading(3, "d", "D")]
    assert contents_tree(h) == [(h[0], []), (h[1], [h[2], h[3]])]
    assert contents_tree([]) == []


@given(st.lists(st.text(max_size=30), max_size=12))
def test_any_headings_get_distinct_valid_anchors(titles):
    taken: set[str] = set()
    anchors = [anchor_for(title, taken) for title in titles]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a) for a in anchors)
