"""Markdown with math to safe HTML: math survives, anything executable never does."""

from html.parser import HTMLParser

import pytest

from lessons.markup import render_inline, render_markdown


def test_inline_and_display_math_are_marked_for_katex():
    html = render_markdown(
        "Logits $z_i$ become\n\n$$\np_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}\n$$\n"
    )
    assert '<span class="math inline">z_i</span>' in html
    assert '<div class="math block">' in html
    assert "\\frac{e^{z_i}}{\\sum_j e^{z_j}}" in html


def test_math_is_escaped_not_interpreted():
    html = render_markdown("$a < b$ and $x > y$")
    assert "a &lt; b" in html and "x &gt; y" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div onclick="alert(1)">x</div>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        "$<script>alert(1)</script>$",
    ],
)
def test_nothing_executable_reaches_the_page(hostile):
    elements = parse(render_markdown(hostile))
    tags = {tag for tag, _ in elements}
    assert not tags & {"script", "iframe", "style", "img", "object", "embed"}
    for _, attrs in elements:
        for name, value in attrs:
            assert not name.startswith("on"), (name, value)
            if name in {"href", "src"}:
                assert value.lower().startswith(("https:", "http:", "mailto:", "#", "/")), value


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


def parse(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every real element and its attributes (escaped text is not an element)."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_a_paragraph_may_start_with_math_and_end_with_a_digit():
    assert render_markdown("$x$ is 2") == '<p><span class="math inline">x</span> is 2</p>\n'
    assert "math" not in render_markdown("It costs \\$5 and \\$6.")


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## Heading\n\n**bold** and *it* and `code`\n\n- one\n- two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[safe](https://example.org)"
    )
    for tag in ("<h2>", "<strong>", "<em>", "<code>", "<ul>", "<table>"):
        assert tag in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_inline_rendering_has_no_paragraph():
    assert render_inline("$z$ the logits") == '<span class="math inline">z</span> the logits'


def test_short_texts_are_rendered_once_and_long_ones_every_time():
    from techtree import markup

    markup._render_short.cache_clear()
    step = "Subtract the max: $z - 2.5$, then **exponentiate**."
    first = markup.render_markdown(step)
    assert markup.render_markdown(step) == first
    assert markup._render_short.cache_info().hits == 1
    lesson = "A paragraph with $x^2$.\n\n" * 400  # longer than REMEMBERED_CHARS
    assert len(lesson) > markup.REMEMBERED_CHARS
    markup.render_markdown(lesson)
    assert markup._render_short.cache_info().currsize == 1  # only the short text is kept
