"""The softmax visualizer in a real browser: every control, and its numbers against the engine.

Controls are found by their labels and roles, as a learner finds them; numbers are read from
the data-value each output carries at full precision beside the rounded text it shows.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from playwright.sync_api import expect

from lessons import engine
from tests.browser.conftest import ARTEFACTS

VISUALIZER = "/visualizer/"
SOFTMAX = "/concepts/softmax-and-logits/"
FIRST_PRESET = [2.0, 1.0, 0.1]
TOLERANCE = {"rel_tol": 1e-9, "abs_tol": 1e-12}

PROBABILITIES = "els => els.map((el) => Number(el.dataset.value))"
LOGITS = "els => els.map((el) => el.value)"


def probabilities(page) -> list[float]:
    return page.locator("[data-viz-prob]").evaluate_all(PROBABILITIES)


def logits(page) -> list[str]:
    return page.locator("[data-viz-logit]").evaluate_all(LOGITS)


def assert_close(shown, expected) -> None:
    shown, expected = list(shown), [float(x) for x in np.atleast_1d(expected)]
    assert len(shown) == len(expected), (shown, expected)
    for a, b in zip(shown, expected, strict=True):
        if math.isnan(b):
            assert math.isnan(a), (shown, expected)
        elif math.isinf(b):
            assert a == b, (shown, expected)
        else:
            assert math.isclose(a, b, **TOLERANCE), (shown, expected)


def set_temperature(page, log10_t: float) -> float:
    """Move the slider to log10 T (keys reach only its ends quickly); return T as the page has it.

    The slider snaps to steps of 0.001 in log10 T, so T is read back from where it landed.
    """
    page.get_by_label("Temperature").evaluate(
        """(el, value) => {
            el.value = String(value);
            el.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        log10_t,
    )
    return 10 ** float(page.get_by_label("Temperature").input_value())


def open_visualizer(page, site):
    page.goto(site + VISUALIZER)
    expect(page.locator("[data-viz-app]")).to_be_visible()
    expect(page.locator("[data-viz-server-table]")).to_be_hidden()


def test_it_starts_from_the_first_preset_with_the_engines_numbers(
    page, site, console_errors, screenshot
):
    open_visualizer(page, site)
    assert logits(page) == ["2", "1", "0.1"]
    assert_close(probabilities(page), engine.softmax(FIRST_PRESET))
    expect(page.locator("[data-viz-prob]")).to_have_text(["0.6590", "0.2424", "0.0986"])
    expect(page.locator("[data-viz-sum]")).to_have_text("1.000000000000")
    entropy = page.locator("[data-viz-entropy]")
    expect(entropy).to_contain_text("0.8467 nats")
    assert_close(
        [float(entropy.get_attribute("data-value"))], engine.entropy_from_logits(FIRST_PRESET)
    )
    expect(page.locator("[data-viz-top]")).to_have_text("0.6590, entry z1")
    # Colour is not the only signal: the top bar says so in words, and a summary is announced.
    expect(page.locator(".viz-tag-top")).to_have_count(1)
    expect(page.locator("[data-viz-summary]")).to_contain_text("Top: z1")
    screenshot("visualizer")


def test_the_temperature_slider_reshapes_the_probabilities(page, site, console_errors, screenshot):
    open_visualizer(page, site)
    slider = page.get_by_label("Temperature")
    shown = page.locator("[data-viz-temperature-value]")
    entropy = page.locator("[data-viz-entropy]")
    h1 = float(entropy.get_attribute("data-value"))

    slider.focus()
    page.keyboard.press("End")
    expect(shown).to_have_text("10.0")
    assert_close(probabilities(page), engine.softmax(FIRST_PRESET, temperature=10))
    assert float(entropy.get_attribute("data-value")) > h1  # hotter: flatter
    screenshot("hot")

    page.keyboard.press("Home")
    expect(shown).to_have_text("0.05")
    t = 10 ** float(slider.input_value())
    assert_close(probabilities(page), engine.softmax(FIRST_PRESET, temperature=t))
    assert probabilities(page)[0] > 0.999  # cold: nearly the argmax

    t = set_temperature(page, 0.5)
    expect(shown).to_have_text("3.16")
    assert_close(probabilities(page), engine.softmax(FIRST_PRESET, temperature=t))
    page.get_by_role("button", name="Reset to T = 1").click()
    expect(shown).to_have_text("1.00")
    assert_close(probabilities(page), engine.softmax(FIRST_PRESET))


def test_editing_a_logit_and_bad_input_keep_the_last_valid_state(
    page, site, console_errors, screenshot
):
    open_visualizer(page, site)
    box = page.get_by_label("Logit z1", exact=True)
    box.fill("3.5")
    assert_close(probabilities(page), engine.softmax([3.5, 1, 0.1]))
    error = page.locator("[data-viz-error='0']")
    for typed, message in [
        ("", "Enter a number"),
        ("abc", "is not a number"),
        ("1e400", "too large for a float64"),
        ("-1e400", "too large for a float64"),
        ("1..2", "is not a number"),
    ]:
        box.fill(typed)
        expect(error).to_be_visible()
        expect(error).to_contain_text(message)
        expect(error).to_contain_text("last valid value, 3.5")
        expect(box).to_have_attribute("aria-invalid", "true")
        assert_close(probabilities(page), engine.softmax([3.5, 1, 0.1]))  # unchanged
    screenshot("bad-input")
    box.fill("−2")  # a typographic minus sign reads as a minus
    expect(error).to_be_hidden()
    expect(box).to_have_attribute("aria-invalid", "false")
    assert_close(probabilities(page), engine.softmax([-2, 1, 0.1]))
    box.fill("1e300")  # huge but finite is fine: the max-shift handles it
    assert_close(probabilities(page), engine.softmax([1e300, 1, 0.1]))


def test_adding_and_removing_entries(page, site, console_errors, screenshot):
    open_visualizer(page, site)
    add = page.get_by_role("button", name="Add a logit")
    for count in range(4, 13):
        add.click()
        expect(page.locator("[data-viz-logit]")).to_have_count(count)
    expect(add).to_be_disabled()
    expect(page.locator("[data-viz-limit-note]")).to_have_text("At most 12 logits.")
    values = [float(v) for v in logits(page)]
    assert values[:3] == FIRST_PRESET
    assert all(new < old for old, new in itertools.pairwise(values[2:])), values  # least likely
    assert_close(probabilities(page), engine.softmax(values))
    expect(page.locator("[data-viz-prob]")).to_have_count(12)
    screenshot("twelve")

    page.get_by_role("button", name="Remove z1", exact=True).click()
    assert_close(probabilities(page), engine.softmax(values[1:]))
    while page.locator("[data-viz-logit]").count() > 1:
        page.get_by_role("button", name="Remove z2", exact=True).click()
    expect(page.get_by_role("button", name="Remove z1", exact=True)).to_be_disabled()
    expect(page.locator("[data-viz-limit-note]")).to_have_text("At least one logit is needed.")
    assert probabilities(page) == [1.0]
    expect(page.locator("[data-viz-entropy]")).to_contain_text("0 nats")
    expect(add).to_be_enabled()


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("2, 1, 0.1", [2, 1, 0.1]),
        ("1000, 1001, 999", [1000, 1001, 999]),
        ("Equal logits", [1, 1, 1, 1]),
        ("One dominant logit", [6, 1, 0.5, 0, -1]),
    ],
)
def test_each_preset(page, site, console_errors, screenshot, name, values):
    open_visualizer(page, site)
    page.get_by_label("Logit z1", exact=True).fill("abc")  # a preset clears any bad input too
    page.get_by_role("button", name=name).click()
    assert [float(v) for v in logits(page)] == values
    expect(page.locator("[data-viz-error]:visible")).to_have_count(0)
    shown = probabilities(page)
    assert_close(shown, engine.softmax(values))
    if name == "Equal logits":
        expect(page.locator("[data-viz-prob]")).to_have_text(["0.2500"] * 4)
        expect(page.locator("[data-viz-entropy]")).to_contain_text(f"{math.log(4):.4g} nats")
    if name == "One dominant logit":
        assert max(shown) > 0.98
    if name.startswith("1000"):
        assert all(math.isfinite(p) for p in shown)  # huge logits, sensible probabilities
    screenshot(name.replace(" ", "-").replace(",", ""))


def test_the_ratio_of_two_chosen_entries(page, site, console_errors, screenshot):
    open_visualizer(page, site)
    ratio = page.locator("[data-viz-ratio]")
    expect(ratio).to_contain_text(
        "p1 / p2 = exp((z1 − z2) / T) = exp((2 − 1) / 1) = exp(1) = 2.71828"
    )
    page.get_by_label("Entry j").select_option("z3")
    expect(ratio).to_contain_text("exp((2 − 0.1) / 1) = exp(1.9)")
    assert_close([float(ratio.get_attribute("data-value"))], math.exp(1.9))
    p = engine.softmax(FIRST_PRESET)
    assert_close([float(ratio.get_attribute("data-value"))], p[0] / p[2])
    expect(page.locator("[data-viz-ratio-check]")).to_contain_text("0.6590 / 0.0986")
    # The i and j bars are labelled in words as well as by position.
    expect(page.locator("[data-viz-prob-chart] .viz-tag", has_text="j")).to_have_count(1)

    page.get_by_label("Entry i").select_option("z2")
    assert set_temperature(page, -1) == 0.1
    expect(ratio).to_contain_text("p2 / p3 = exp((z2 − z3) / T) = exp((1 − 0.1) / 0.1) = exp(9)")
    assert_close([float(ratio.get_attribute("data-value"))], math.exp(0.9 / 0.1))
    # Shift invariance: the same gap far from zero gives the same ratio.
    page.get_by_role("button", name="1000, 1001, 999").click()
    page.get_by_label("Entry i").select_option("z2")
    page.get_by_label("Entry j").select_option("z1")
    expect(ratio).to_contain_text("exp((1001 − 1000) / 0.1) = exp(10)")
    screenshot("ratio")


def test_the_steps_show_naive_overflow_and_the_stable_fix(page, site, console_errors, screenshot):
    open_visualizer(page, site)
    toggle = page.locator("[data-viz-steps-toggle]")
    expect(toggle).to_have_text("Show the steps")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Hide the steps")
    steps = page.locator("[data-viz-steps]")
    expect(steps).to_contain_text("m = max z = 2 (entry z1)")
    expect(page.get_by_label("Stable: subtract the maximum first")).to_be_checked()

    page.get_by_role("button", name="1000, 1001, 999").click()
    expect(steps).to_contain_text("m = max z = 1001 (entry z2)")
    expect(steps).to_contain_text("(z − m) = (-1, 0, -2)")
    expect(steps.locator(".viz-verdict-good")).to_be_visible()
    expect(steps.locator("tbody tr")).to_have_count(3)
    expect(steps.locator("tbody tr").first).to_contain_text("0.367879")
    screenshot("stable")

    page.get_by_label("Naive: exponentiate the raw logits").check()
    expect(steps).to_contain_text("exp(1001) = ∞")
    expect(steps).to_contain_text("S = ∞")
    expect(steps).to_contain_text("p = e / S = (NaN, NaN, NaN)")
    expect(steps.locator("td", has_text="overflow")).to_have_count(3)
    expect(steps.locator("[data-viz-naive-failed='true']")).to_contain_text(
        "The stable way gives (0.2447, 0.6652, 0.0900)"
    )
    assert np.isnan(engine.naive_softmax([1000, 1001, 999])).all()  # the engine agrees
    # The probabilities the page shows are still the stable ones.
    assert_close(probabilities(page), engine.softmax([1000, 1001, 999]))
    screenshot("naive")

    page.get_by_role("button", name="2, 1, 0.1").click()
    expect(steps.locator("[data-viz-naive-failed='false']")).to_contain_text("No overflow here")
    page.get_by_label("Logit z1", exact=True).fill("-1000")
    page.get_by_label("Logit z2", exact=True).fill("-1001")
    page.get_by_label("Logit z3", exact=True).fill("-999")
    expect(steps.locator("[data-viz-naive-failed='true']")).to_contain_text("Underflow")
    toggle.click()
    expect(page.locator("[data-viz-steps-panel]")).to_be_hidden()


def test_dragging_a_bar_changes_its_logit(page, site, console_errors, screenshot):
    open_visualizer(page, site)
    handle = page.get_by_role("slider", name="Drag logit z2")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 30, steps=5)
    page.mouse.move(x, y - 60, steps=5)
    page.mouse.up()
    raised = float(page.get_by_label("Logit z2", exact=True).input_value())
    assert raised > 1.5, raised
    assert_close(probabilities(page), engine.softmax([2, raised, 0.1]))
    expect(handle).to_have_attribute("aria-valuenow", str(raised).removesuffix(".0"))
    screenshot("dragged")

    # Downwards, past the others: the order of the probabilities follows.
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 400, steps=8)
    page.mouse.up()
    lowered = float(page.get_by_label("Logit z2", exact=True).input_value())
    assert lowered < 0.1
    assert probabilities(page)[1] == min(probabilities(page))

    # The same bar from the keyboard.
    handle.focus()
    page.keyboard.press("ArrowUp")
    after_key = float(page.get_by_label("Logit z2", exact=True).input_value())
    assert after_key > lowered
    assert_close(probabilities(page), engine.softmax([2, after_key, 0.1]))


def test_it_is_embedded_on_the_softmax_concept_page(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    section = page.locator("#visualizer")
    expect(section.get_by_role("heading", name="Try it: the softmax visualizer")).to_be_visible()
    section.get_by_role("button", name="1000, 1001, 999").click()
    assert_close(probabilities(page), engine.softmax([1000, 1001, 999]))
    section.get_by_role("link", name="Open it on its own page").click()
    expect(page).to_have_url(site + VISUALIZER)
    page.goto(site + SOFTMAX)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTEFACTS / "visualizer-on-the-concept-page.png"))


def test_without_javascript_the_page_shows_the_engines_table(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + VISUALIZER)
    table = page.locator("[data-viz-server-table]")
    expect(table).to_be_visible()
    expect(page.locator("[data-viz-app]")).to_be_hidden()
    shown = [float(td.inner_text()) for td in table.locator("td[data-probability]").all()]
    assert_close(shown, [round(p, 6) for p in engine.softmax(FIRST_PRESET)])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "visualizer-without-javascript.png"), full_page=True)
    context.close()


# --- The JavaScript module against the Python engine ------------------------------------------

CASES = [
    [2, 1, 0.1],
    [1000, 1001, 999],
    [-1000, -1001, -999],
    [0],
    [7.5],
    [1, 1, 1, 1],
    [1e308, -1e308],
    [1e308, 1e308, 1e308],
    [-1e308, -1e308],
    [1e-300, 2e-300, -5e-301],
    [1e-12, 0, -1e-12],
    [710, -710, 0, 709.5],
    [-3.5, 12, 0.25, 7, -40, 100, 3e5, -2e5],
    [3, -np.inf, 1],  # -inf is a masked entry: probability exactly 0
    [-np.inf, -np.inf],  # fully masked
    [0.1 * k for k in range(12)],
]
TEMPERATURES = [1, 0.05, 0.37, 2, 10, 1e-300, 1e300, 3.3e-7]

RUN_MODULE = """async ([cases, temperatures]) => {
    const sm = await import('/static/lessons/softmax.js');
    const out = [];
    for (const z of cases) {
        for (const t of temperatures) {
            out.push({
                z, t,
                softmax: sm.softmax(z, t),
                logSoftmax: sm.logSoftmax(z, t),
                logsumexp: sm.logsumexp(z, t),
                entropyFromLogits: sm.entropyFromLogits(z, t),
                entropy: sm.entropy(sm.softmax(z, t)),
                naive: sm.naiveSoftmax(z),
            });
        }
    }
    return out;
}"""


def test_the_browsers_softmax_agrees_with_the_engine(page, site, console_errors):
    page.goto(site + VISUALIZER)
    results = page.evaluate(RUN_MODULE, [CASES, TEMPERATURES])
    assert len(results) == len(CASES) * len(TEMPERATURES)
    for result in results:
        z, t = result["z"], result["t"]
        where = f"z={z}, T={t}"
        try:
            assert_close(result["softmax"], engine.softmax(z, temperature=t))
            assert_close(result["logSoftmax"], engine.log_softmax(z, temperature=t))
            assert_close(
                [result["entropyFromLogits"]], engine.entropy_from_logits(z, temperature=t)
            )
            assert_close([result["entropy"]], engine.entropy(engine.softmax(z, temperature=t)))
            if t == 1:
                assert_close([result["logsumexp"]], engine.logsumexp(z))
                assert_close(result["naive"], engine.naive_softmax(z))
                continue
            with np.errstate(over="ignore"):
                scaled = np.divide(z, t)
            if np.isfinite(scaled[np.isfinite(z)]).all():
                # logsumexp(z / T): the engine takes no temperature, so divide first.
                assert_close([result["logsumexp"]], engine.logsumexp(scaled))
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from None


def test_the_browser_refuses_what_the_engine_refuses(page, site, console_errors):
    page.goto(site + VISUALIZER)
    refused = page.evaluate(
        """async () => {
            const sm = await import('/static/lessons/softmax.js');
            const attempt = (f) => { try { f(); return null; } catch (e) { return e.message; } };
            return [
                attempt(() => sm.softmax([1, NaN])),
                attempt(() => sm.softmax([1, Infinity])),
                attempt(() => sm.softmax([1, 2], 0)),
                attempt(() => sm.softmax([1, 2], -1)),
                attempt(() => sm.softmax([1, 2], Infinity)),
            ];
        }"""
    )
    assert refused[0] == "logits contain NaN"
    assert refused[1].startswith("logits contain +inf")
    assert all("temperature must be a finite number greater than 0" in m for m in refused[2:])
    for z, t in [([1, np.nan], 1), ([1, np.inf], 1), ([1, 2], 0), ([1, 2], -1), ([1, 2], np.inf)]:
        with pytest.raises(ValueError):
            engine.softmax(z, temperature=t)
