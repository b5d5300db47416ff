"""The softmax lesson in a real browser: typeset math, new numbers, reproducible seeds, figures.

Elements are found through the data attributes of lessons/_example.html ([data-example],
[data-new-numbers], [data-seed-label]) and the markers math.js leaves on typeset math
([data-tex]), so the test holds however the worked examples are laid out or animated.
"""

import re

from playwright.sync_api import expect

SOFTMAX = "/concepts/softmax-and-logits/"
EXAMPLE_URL = re.compile(r"/concepts/softmax-and-logits/examples/1/(\d+)/$")

# The lesson's visible text with KaTeX's hidden MathML copy left out.
PROSE_TEXT = """(root) => {
    const copy = root.cloneNode(true);
    copy.querySelectorAll('.katex-mathml').forEach((n) => n.remove());
    return copy.textContent;
}"""
# The TeX of every typeset formula in an example: the numbers it shows.
SHOWN_TEX = "(root) => [...root.querySelectorAll('[data-tex]')].map((n) => n.dataset.tex)"
LOADED = "(img) => img.complete && img.naturalWidth > 0"


def shown_numbers(example) -> list[str]:
    """Wait until the example's math is typeset, then read what it shows."""
    expect(example.locator(".math:not([data-typeset])")).to_have_count(0)
    tex = example.evaluate(SHOWN_TEX)
    assert len(tex) >= 3, tex
    return tex


def loaded_figures(page) -> list:
    """Every worked-example figure, scrolled to (they load lazily) and waited for."""
    images = page.locator("[data-example] figure img")
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(LOADED, arg=image.element_handle())
    return [images.nth(index) for index in range(images.count())]


def seed_from(url: str) -> int:
    match = EXAMPLE_URL.search(url)
    assert match, url
    return int(match[1])


def test_the_softmax_lesson_shows_typeset_math(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    # The lesson is split around the worked examples, so it has several bodies.
    parts = page.locator(".lesson-body")
    expect(parts.first).to_be_visible()
    assert parts.count() >= 2
    expect(page.locator(".math:not([data-typeset])")).to_have_count(0)  # all typeset
    assert parts.locator(".katex").count() > 20
    assert page.locator(".katex-error").count() == 0
    prose = "\n".join(parts.nth(index).evaluate(PROSE_TEXT) for index in range(parts.count()))
    assert "Softmax" in prose or "softmax" in prose
    assert "$" not in prose, "a formula was left as raw TeX"
    assert "{{" not in prose, "a number directive was left unfilled"
    screenshot("lesson")


def test_new_numbers_change_and_a_seed_url_reproduces_them(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    first = page.locator("[data-example]").first
    before_seed = first.get_attribute("data-seed")
    before = shown_numbers(first)
    expect(first.locator("[data-seed-label]")).to_contain_text(before_seed)

    # A fresh seed can, rarely, draw the same small numbers again; a learner would click again.
    for _ in range(3):
        with page.expect_navigation():
            page.locator("[data-example]").first.locator("[data-new-numbers]").click()
        expect(page).to_have_url(EXAMPLE_URL)
        example = page.locator("[data-example]")
        expect(example).to_have_count(1)
        after = shown_numbers(example)
        if after != before:
            break
    assert after != before, "new numbers were asked for three times and never changed"
    seed = seed_from(page.url)
    assert str(seed) != before_seed
    expect(example.locator("[data-seed-label]")).to_contain_text(str(seed))
    loaded_figures(page)
    screenshot("new-numbers")

    # The seed is in the URL: loading it again, or sharing it, shows exactly these numbers.
    url = page.url
    page.reload()
    assert page.url == url
    assert shown_numbers(page.locator("[data-example]")) == after
    other = page.context.new_page()
    other.goto(url)
    assert shown_numbers(other.locator("[data-example]")) == after
    other.close()


def test_an_example_figure_loads_with_alt_text(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX + "examples/1/12345/")
    images = loaded_figures(page)
    assert len(images) >= 1
    for image in images:
        assert image.evaluate("(img) => img.naturalWidth") > 0
        alt = image.get_attribute("alt")
        assert alt and "softmax" in alt.lower() and "logits" in alt
    screenshot("figure")
