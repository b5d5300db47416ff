"""The Logit evolution lab in a real browser: sliders, typing, hostile input, no JavaScript."""

import re

from playwright.sync_api import expect

from lens.logit_lens import logit_lens
from lens.samples import SAMPLE_TEXTS
from tests.browser.conftest import ARTEFACTS

LAB = "/lab/logit-evolution/"
TEXT = "The cat sat on the mat, and the dog sat on the log."


def open_lab(page, site, query=""):
    page.goto(site + LAB + query)
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "ready")


def legend(page) -> list[str]:
    return page.locator("[data-lab-legend] code").all_text_contents()


def points(page, figure: str) -> list[str]:
    """Where the figure's markers are drawn, in drawing order."""
    return page.locator(f'[data-lab-figure="{figure}"] .point').evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('transform'))"
    )


def bars(page) -> list[tuple[str, str]]:
    return page.locator('[data-lab-figure="histogram"] .bin').evaluate_all(
        "nodes => nodes.map(n => [n.dataset.bin, n.getAttribute('height')])"
    )


def top_tokens(text: str, position: int) -> list[str]:
    result = logit_lens(text, position=position)
    return [result["vocab"][token] for token in result["top"][0]]


def test_sliders_redraw_all_three_figures(page, site, console_errors, screenshot):
    sample = SAMPLE_TEXTS[0]
    open_lab(page, site)
    last = len(logit_lens(sample.text)["tokens"]) - 1
    position = page.get_by_label("Token position")
    expect(position).to_have_value(str(last))
    # The figures draw exactly what the lens computes for the last token.
    assert legend(page) == top_tokens(sample.text, last)
    assert len(points(page, "logits")) == 10 * 9
    assert len(points(page, "ranks")) == 10 * 9
    screenshot("lab")

    before = (legend(page), points(page, "logits"), points(page, "ranks"), bars(page))
    position.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(position).to_have_value(str(last - 3))
    expect(page.locator('[data-lab-figure="logits"]')).to_have_attribute(
        "data-position", str(last - 3)
    )
    expect(page.locator("[data-lab-position-shown]")).to_contain_text(f"{last - 3} of {last}")
    expect(page.locator(".token-current")).to_have_attribute("data-index", str(last - 3))
    after = (legend(page), points(page, "logits"), points(page, "ranks"), bars(page))
    assert after[0] == top_tokens(sample.text, last - 3)
    for old, new in zip(before, after, strict=True):
        assert old != new

    # Dragging the slider (a value and an input event) works as well as the keyboard.
    position.fill("7")
    expect(page.locator('[data-lab-figure="ranks"]')).to_have_attribute("data-position", "7")
    assert legend(page) == top_tokens(sample.text, 7)
    expect(page).to_have_url(re.compile(r"position=7"))

    stage = page.get_by_label("Stage", exact=True)
    histogram = page.locator('[data-lab-figure="histogram"]')
    expect(histogram).to_have_attribute("data-stage", "8")
    at_output = bars(page)
    markers = histogram.locator(".top-marker path").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('transform'))"
    )
    stage.focus()
    page.keyboard.press("Home")
    expect(histogram).to_have_attribute("data-stage", "0")
    expect(page.locator("[data-lab-stage-shown]")).to_have_text("after the embedding")
    assert bars(page) != at_output
    assert (
        histogram.locator(".top-marker path").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('transform'))"
        )
        != markers
    )
    # The line figures mark the stage the histogram shows.
    expect(page.locator('[data-lab-figure="logits"]')).to_have_attribute("data-stage", "0")
    screenshot("lab-stage-0")


def test_histogram_bins_show_their_tokens_on_hover_and_focus(
    page, site, console_errors, screenshot
):
    open_lab(page, site)
    tooltip = page.locator("[data-lab-tooltip]")
    expect(tooltip).to_be_hidden()
    bins = page.locator('[data-lab-figure="histogram"] .bin')
    bins.nth(3).hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("highest:")
    hovered = tooltip.text_content()
    screenshot("lab-tooltip")

    # Keyboard: Tab reaches the histogram's one focusable bin; arrows move along the bars.
    page.mouse.move(0, 0)
    first = bins.first
    first.focus()
    expect(tooltip).to_be_visible()
    first_text = tooltip.text_content()
    assert first_text != hovered
    page.keyboard.press("ArrowRight")
    expect(bins.nth(1)).to_be_focused()
    expect(bins.nth(1)).to_have_attribute("tabindex", "0")
    expect(first).to_have_attribute("tabindex", "-1")
    assert tooltip.text_content() != first_text
    assert "token" in (bins.nth(1).get_attribute("aria-label") or "")


def test_legend_picks_a_token_out(page, site, console_errors):
    open_lab(page, site)
    button = page.locator("[data-lab-legend] button").nth(2)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    figure = page.locator('[data-lab-figure="logits"]')
    expect(figure).to_have_class(re.compile("has-highlight"))
    expect(figure.locator(".token-line.is-highlighted")).to_have_attribute("data-k", "2")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")


def test_typing_a_text_draws_new_figures(page, site, console_errors, screenshot):
    open_lab(page, site)
    before = legend(page)
    page.get_by_label("Text the model reads").fill(TEXT)
    expected = logit_lens(TEXT)
    last = len(expected["tokens"]) - 1
    expect(page.locator("[data-lab-tokens] .token")).to_have_count(last + 1)
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "ready")
    expect(page.get_by_label("Sample text")).to_have_value("custom")
    expect(page.get_by_label("Token position")).to_have_value(str(last))
    assert legend(page) == top_tokens(TEXT, last) != before
    expect(page.locator('[data-lab-figure="ranks"]')).to_have_attribute("data-position", str(last))
    screenshot("lab-typed")

    # The address now names the typed text: reloading shows the same figures.
    page.get_by_label("Token position").fill("4")
    expect(page).to_have_url(re.compile(r"position=4"))
    page.reload()
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "ready")
    expect(page.get_by_label("Text the model reads")).to_have_value(TEXT)
    expect(page.get_by_label("Token position")).to_have_value("4")
    assert legend(page) == top_tokens(TEXT, 4)


def test_choosing_a_sample_loads_it(page, site, console_errors):
    open_lab(page, site)
    sample = SAMPLE_TEXTS[3]
    page.get_by_label("Sample text").select_option(sample.slug)
    expect(page.get_by_label("Text the model reads")).to_have_value(sample.text)
    last = len(logit_lens(sample.text)["tokens"]) - 1
    expect(page.get_by_label("Token position")).to_have_value(str(last))
    expect(page.locator("[data-lab-legend] code").first).to_have_text(
        top_tokens(sample.text, last)[0]
    )
    assert legend(page) == top_tokens(sample.text, last)


def test_hostile_input_shows_a_clear_message(page, site, console_errors, screenshot):
    open_lab(page, site)
    text = page.get_by_label("Text the model reads")
    error = page.get_by_role("alert")
    text.fill("   ")
    expect(error).to_contain_text("Type some text first")
    expect(page.locator("[data-lab-results]")).to_be_hidden()
    expect(page.get_by_label("Token position")).to_be_disabled()
    screenshot("lab-error")

    # Characters the model has never seen are read, and named.
    text.fill("naïve café ☃")
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "ready")
    expect(error).to_be_hidden()
    expect(page.locator("[data-lab-unknown]")).to_contain_text("“ï”, “é”, “☃”")

    # The address bar is input too: a position past the end is refused on the page.
    page.goto(site + LAB + "?position=999")
    expect(error).to_contain_text("Position 999 is outside the text")
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "error")
    page.get_by_label("Sample text").select_option(SAMPLE_TEXTS[1].slug)
    expect(page.locator("[data-lab]")).to_have_attribute("data-lab-state", "ready")
    expect(error).to_be_hidden()

    # Chromium logs every 400 response as a failed load; those two are the point of this test.
    # Anything else (a script error, a CSP violation) still fails it.
    refused = "console: Failed to load resource: the server responded with a status of 400"
    assert len([e for e in console_errors if e.startswith(refused)]) == 2
    console_errors[:] = [e for e in console_errors if not e.startswith(refused)]


def test_the_lab_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + LAB)
    table = page.locator("[data-lab-score-table]")
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(page.locator("noscript")).to_have_count(1)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "lab-without-javascript.png"), full_page=True)

    # A token is a link to its position; the form reads a typed text.
    page.locator("[data-lab-tokens] a").nth(4).click()
    expect(page).to_have_url(re.compile(r"position=4"))
    expect(table.locator("caption")).to_contain_text("Position 4")
    page.get_by_label("Sample text").select_option("custom")
    page.get_by_label("Text the model reads").fill(TEXT)
    page.get_by_role("button", name="Show", exact=True).click()
    first = table.locator("tbody th code").first
    expect(first).to_have_text(top_tokens(TEXT, 4)[0])  # the form keeps the chosen position
    context.close()
