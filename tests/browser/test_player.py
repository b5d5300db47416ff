"""The step-by-step player of worked examples in a real browser: buttons, speed, zoom, keys.

It runs on concept pages and example pages alike, from the steps the server rendered,
including the stable-softmax example whose naive exponentials overflow.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lessons.models import WorkedExample

SOFTMAX = "/concepts/softmax-and-logits/"
VISIBLE_STEPS = (
    "(ol) => [...ol.querySelectorAll(':scope > [data-step]')].filter((li) => !li.hidden).length"
)
FONT_SIZE = "(el) => parseFloat(getComputedStyle(el).fontSize)"


def counter(example):
    return example.locator("[data-player-counter]")


def visible_steps(example) -> int:
    return example.locator("[data-steps]").evaluate(VISIBLE_STEPS)


def step_count(example) -> int:
    return example.locator("[data-steps] > [data-step]").count()


def current_step(example):
    return example.locator("[data-steps] > [aria-current='step']")


def stable_softmax_order() -> int:
    return WorkedExample.objects.get(
        concept__slug="softmax-and-logits", generator="stable_softmax_huge_logits"
    ).order


def test_every_worked_example_gets_a_player(page, site, console_errors):
    page.goto(site + SOFTMAX)
    examples = page.locator("[data-example]")
    expect(examples.first).to_have_attribute("data-player-ready", "true")
    assert examples.count() >= 5
    expect(page.locator("[data-player]")).to_have_count(examples.count())
    expect(page.get_by_role("heading", name=re.compile("^Worked examples"))).to_have_count(1)


def test_the_buttons_step_through_an_example(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    example = page.locator("[data-example]").first
    n = step_count(example)
    assert n >= 3
    # At first everything is listed, as without JavaScript.
    expect(counter(example)).to_have_text(f"Step {n} of {n}")
    assert visible_steps(example) == n
    expect(current_step(example)).to_have_count(0)
    player = example.get_by_role("group", name=re.compile("^Step-by-step player"))

    player.get_by_role("button", name="First").click()
    expect(counter(example)).to_have_text(f"Step 1 of {n}")
    assert visible_steps(example) == 1
    expect(current_step(example)).to_have_attribute("data-step", "0")
    expect(example.locator(".result")).to_be_hidden()  # the answer comes last
    expect(player.get_by_role("button", name="Back")).to_have_attribute("aria-disabled", "true")

    player.get_by_role("button", name="Forward").click()
    expect(counter(example)).to_have_text(f"Step 2 of {n}")
    assert visible_steps(example) == 2
    expect(current_step(example)).to_have_attribute("data-step", "1")
    expect(current_step(example)).to_be_in_viewport()
    screenshot("step-2")

    player.get_by_role("button", name="Back").click()
    expect(counter(example)).to_have_text(f"Step 1 of {n}")
    player.get_by_role("button", name="Back").click(force=True)  # disabled at the first step
    expect(counter(example)).to_have_text(f"Step 1 of {n}")

    player.get_by_role("button", name="Last").click()
    expect(counter(example)).to_have_text(f"Step {n} of {n}")
    assert visible_steps(example) == n
    expect(example.locator(".result")).to_be_visible()
    expect(player.get_by_role("button", name="Forward")).to_have_attribute("aria-disabled", "true")
    # Only this example's player moved.
    other = page.locator("[data-example]").nth(1)
    expect(counter(other)).to_have_text(f"Step {step_count(other)} of {step_count(other)}")


def test_play_pause_and_speed(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    example = page.locator("[data-example]").first
    n = step_count(example)
    player = example.locator("[data-player]")
    play = player.locator("[data-player-action='play']")

    player.get_by_label("Speed").select_option("0.25")  # 10 s a step
    play.click()
    expect(play).to_have_text("Pause")
    expect(player).to_have_attribute("data-playing", "true")
    expect(counter(example)).to_have_text(f"Step 1 of {n}")  # playing starts from the top
    page.wait_for_timeout(1500)
    expect(counter(example)).to_have_text(f"Step 1 of {n}")  # still on it at a quarter speed

    player.get_by_label("Speed").select_option("2")  # 1.25 s a step
    expect(counter(example)).to_have_text(f"Step 2 of {n}", timeout=4000)
    play.click()
    expect(play).to_have_text("Play")
    expect(player).to_have_attribute("data-playing", "false")
    paused_at = counter(example).inner_text()
    assert paused_at != f"Step {n} of {n}"
    screenshot("paused")  # after pausing: a full-page screenshot takes seconds
    page.wait_for_timeout(1800)
    expect(counter(example)).to_have_text(paused_at)  # paused means paused

    play.click()  # plays on to the end, then stops by itself
    expect(counter(example)).to_have_text(f"Step {n} of {n}", timeout=1500 * n)
    expect(play).to_have_text("Play")
    expect(example.locator(".result")).to_be_visible()


def test_zoom_changes_the_text_size(page, site, console_errors):
    page.goto(site + SOFTMAX)
    example = page.locator("[data-example]").first
    steps = example.locator("[data-steps]")
    zoom = example.locator("[data-player-zoom-value]")
    expect(zoom).to_have_text("100%")
    before = steps.evaluate(FONT_SIZE)

    example.get_by_role("button", name="Larger text").click()
    expect(zoom).to_have_text("115%")
    assert steps.evaluate(FONT_SIZE) == pytest.approx(before * 1.15, rel=0.01)
    example.get_by_role("button", name="Larger text").click()
    expect(zoom).to_have_text("130%")
    for _ in range(3):
        example.get_by_role("button", name="Smaller text").click()
    expect(zoom).to_have_text("90%")
    assert steps.evaluate(FONT_SIZE) == pytest.approx(before * 0.9, rel=0.01)
    smaller = example.get_by_role("button", name="Smaller text")
    smaller.click()
    expect(zoom).to_have_text("80%")  # the smallest
    expect(smaller).to_have_attribute("aria-disabled", "true")
    smaller.click(force=True)
    expect(zoom).to_have_text("80%")


def test_keys_drive_the_player_when_it_has_focus(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    example = page.locator("[data-example]").first
    n = step_count(example)
    player = example.locator("[data-player]")
    # Tab into the player as a keyboard user would: it takes focus, with a visible outline.
    example.locator("[data-seed-label]").click()
    player.focus()
    assert player.evaluate("(el) => el === document.activeElement")
    assert player.evaluate("(el) => getComputedStyle(el).outlineStyle") == "solid"
    expect(player.locator(".player-keys")).to_be_visible()

    page.keyboard.press("Home")
    expect(counter(example)).to_have_text(f"Step 1 of {n}")
    page.keyboard.press("ArrowRight")
    expect(counter(example)).to_have_text(f"Step 2 of {n}")
    page.keyboard.press("ArrowRight")
    expect(counter(example)).to_have_text(f"Step 3 of {n}")
    page.keyboard.press("ArrowLeft")
    expect(counter(example)).to_have_text(f"Step 2 of {n}")
    page.keyboard.press("End")
    expect(counter(example)).to_have_text(f"Step {n} of {n}")
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "true")
    expect(counter(example)).to_have_text(f"Step 1 of {n}")
    page.keyboard.press("Space")
    expect(player).to_have_attribute("data-playing", "false")
    assert player.evaluate("(el) => el === document.activeElement")  # focus stays put
    screenshot("keys")

    # On a focused button, arrows still step; Space presses the button itself.
    forward = player.get_by_role("button", name="Forward")
    forward.focus()
    page.keyboard.press("ArrowRight")
    expect(counter(example)).to_have_text(f"Step 2 of {n}")
    page.keyboard.press("Space")  # presses Forward
    expect(counter(example)).to_have_text(f"Step 3 of {n}")
    expect(player).to_have_attribute("data-playing", "false")


def test_the_player_on_an_example_page_with_overflowing_values(
    page, site, console_errors, screenshot
):
    order = stable_softmax_order()
    page.goto(f"{site}{SOFTMAX}examples/{order}/4242/")
    example = page.locator("[data-example]")
    expect(example).to_have_count(1)
    expect(example).to_have_attribute("data-player-ready", "true")
    n = step_count(example)
    expect(counter(example)).to_have_text(f"Step {n} of {n}")
    # The naive exponentials overflow; the steps say so in words and the player is unbothered.
    expect(example.locator("[data-steps]")).to_contain_text(re.compile("overflow", re.I))

    example.get_by_role("button", name="First").click()
    for k in range(2, n + 1):
        example.get_by_role("button", name="Forward").click()
        expect(counter(example)).to_have_text(f"Step {k} of {n}")
        assert visible_steps(example) == k
    example.locator("[data-player]").focus()
    page.keyboard.press("Home")
    expect(counter(example)).to_have_text(f"Step 1 of {n}")
    example.get_by_label("Speed").select_option("2")
    page.keyboard.press("Space")
    expect(counter(example)).to_have_text(f"Step 2 of {n}", timeout=4000)
    page.keyboard.press("Space")
    screenshot("example-page")


def test_without_javascript_every_step_is_listed(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + SOFTMAX + "examples/1/7/")
    example = page.locator("[data-example]")
    expect(example.locator("[data-player]")).to_have_count(0)
    expect(example.locator("[data-steps] > [data-step]").first).to_be_visible()
    expect(example.locator("[data-steps] > [data-step]").last).to_be_visible()
    expect(example.locator(".result")).to_be_visible()
    context.close()
