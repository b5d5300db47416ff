"""The rounded numbers shown in worked examples: formatting, and agreement with the values.

Formulas are re-read with a regular expression and every number in them must be one of
the example's full-precision numbers (its values or inputs) to within the rounding that
was displayed, so a formula that shows a stale, mistyped or mis-rounded number fails.
"""

from __future__ import annotations

import math
import re
from typing import Any

import mpmath as mp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises import display
from lessons import figures
from lessons.examples import Example
from tests.lessons.test_examples import (
    KEYS,
    NOT_A_NUMBER,
    built,
    flatten,
    merged_values,
    seeds_for,
)

SEEDS = range(40)
STRUCTURAL = range(11)  # indices, class counts, dimensions, "1 - 1": shown as they are
NUMBER = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<sci>-?\d+(?:\.\d+)?)\s*\\times\s*10\^\{(?P<sci_exp>-?\d+)\}"
    r"|10\^\{(?P<power>-?\d+(?:\.\d+)?)\}"
    r"|(?P<plain>-?\d+(?:\.\d+)?)"
    r")"
)
WORDS = re.compile(r"\\(?:text|operatorname)\{[^}]*\}")


def _half_unit(text: str) -> float:
    """Half a unit in the last displayed place of a decimal numeral."""
    decimals = len(text.partition(".")[2])
    return 0.5 * 10.0**-decimals * (1 + 1e-9)


def displayed_numbers(formula: str) -> list[tuple[Any, Any, str]]:
    """(value, rounding tolerance, text) for every number in a formula, in order."""
    found = []
    for match in NUMBER.finditer(WORDS.sub("", formula)):
        if match["sci"] is not None:
            # Exact arithmetic: 1.80 \times 10^{308} is beyond the largest float.
            scale = mp.mpf(10) ** int(match["sci_exp"])
            found.append((mp.mpf(match["sci"]) * scale, _half_unit(match["sci"]) * scale, match[0]))
        elif match["power"] is not None:
            exponent = match["power"]
            if "." in exponent:  # 10^{308.35}: the exponent is the shown number
                found.append((float(exponent), _half_unit(exponent), match[0]))
            else:
                value = 10.0 ** int(exponent)
                found.append((value, value * 1e-12, match[0]))
        else:
            found.append((float(match["plain"]), _half_unit(match["plain"]), match[0]))
    return found


def _candidates(example: Example) -> list[float]:
    numbers: list[Any] = [*flatten(list(merged_values(example).values()))]
    numbers += flatten(list(example.inputs.values()))
    return [
        float(n)
        for n in numbers
        if isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
    ]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_shown_number_is_one_of_the_example_numbers(key):
    for example in built(key)[: len(SEEDS)]:
        candidates = _candidates(example)
        for step in example.steps:
            for value, tolerance, text in displayed_numbers(step.formula):
                if value in STRUCTURAL:
                    continue
                assert any(abs(abs(value) - abs(c)) <= tolerance for c in candidates), (
                    f"{key} seed {example.seed}: {text} in {step.formula!r}"
                )


def _shown(formula: str, last: int) -> list[tuple[float, float, str]]:
    numbers = displayed_numbers(formula)
    assert len(numbers) >= last, formula
    return numbers[-last:]


def _agrees(formula: str, want: list) -> None:
    """The last len(want) numbers of the formula are `want`, to within display rounding."""
    for (value, tolerance, text), w in zip(_shown(formula, len(want)), want, strict=True):
        assert abs(value - w) <= tolerance, (text, float(w), formula)


def _softmax(z: list[float], temperature: float = 1) -> list[mp.mpf]:
    exps = [mp.exp(mp.mpf(v) / temperature) for v in z]
    total = mp.fsum(exps)
    return [e / total for e in exps]


def _step(example: Example, title_start: str):
    return next(s for s in example.steps if s.title.startswith(title_start))


@pytest.mark.parametrize("seed", SEEDS)
def test_headline_numbers_are_shown_correctly(seed):
    """Key formulas show the right numbers, recomputed here with mpmath from the inputs."""
    with mp.workdps(40):
        ex = built("softmax_probabilities")[seed]
        _agrees(_step(ex, "Divide by the sum").formula, [*_softmax(ex.inputs["logits"]), 1])

        ex = built("stable_softmax_huge_logits")[seed]
        _agrees(ex.steps[-1].formula, _softmax(ex.inputs["logits"]))

        ex = built("cross_entropy_logsumexp")[seed]
        z, y = ex.inputs["logits"], ex.inputs["target"]
        loss = mp.log(mp.fsum(mp.exp(v) for v in z)) - z[y]
        _agrees(_step(ex, "Subtract the true logit").formula, [loss])

        ex = built("temperature_effect")[seed]
        want = []
        for t in ex.inputs["temperatures"]:
            want += [t, *_softmax(ex.inputs["logits"], t)]
        _agrees(_step(ex, "Softmax at each temperature").formula, want)

        ex = built("cross_entropy_gradient")[seed]
        z, y = ex.inputs["logits"], ex.inputs["target"]
        gradient = [p - (n == y) for n, p in enumerate(_softmax(z))]
        _agrees(_step(ex, "Subtract").formula, gradient)

        ex = built("masked_softmax")[seed]
        kept = [s for s, k in zip(ex.inputs["scores"], ex.inputs["mask"], strict=True) if k]
        _agrees(_step(ex, "Normalise").formula, [*_softmax(kept), *[0] * (4 - len(kept))])

        ex = built("attention_weights")[seed]
        q, keys = ex.inputs["query"], ex.inputs["keys"]
        scores = [mp.fsum(mp.mpf(a) * b for a, b in zip(q, k, strict=True)) for k in keys]
        _agrees(
            _step(ex, "Softmax over the keys").formula,
            _softmax([s / mp.sqrt(len(q)) for s in scores]),
        )

        ex = built("next_token_logits")[seed]
        _agrees(_step(ex, "Softmax over the vocabulary").formula, _softmax(ex.inputs["logits"]))


# --- the formatting helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "digits", "shown"),
    [
        (0.6652409557748219, 3, "0.665"),
        (1.0986122886681098, 3, "1.10"),  # significant zeros stay
        (1.0, 3, "1"),  # exact numbers lose them
        (0.5, 3, "0.5"),
        (-0.458867, 4, "-0.4589"),
        (11.107, 4, "11.11"),
        (801.4076, 3, "801"),
        (1.7976931348623157e308, 3, r"1.80 \times 10^{308}"),
        (3.2e-11, 2, r"3.2 \times 10^{-11}"),
        (0.0, 3, "0"),
    ],
)
def test_fmt(x, digits, shown):
    assert display.fmt(x, digits) == shown


def test_fixed_num_and_vectors():
    assert display.fixed(3.17553, 4) == "3.1755"
    assert display.fixed(-0.00001, 3) == "0.000"  # no minus sign on a rounded zero
    assert display.fixed(2.0, 4) == "2"
    assert display.num(1000.0) == "1000"
    assert display.num(-1.5) == "-1.5"
    assert display.vec([2.0, 1.0, 0.5], display.num) == r"(2,\ 1,\ 0.5)"
    assert display.term(-1.0) == "(-1)"
    assert display.power_of_ten(-5) == "10^{-5}"
    assert display.near_zero(5.5e-17) == "0"
    assert display.plain([1, 2]) == [1, 2]


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_numbers_are_never_displayed(bad):
    for show in (display.fmt, display.fixed, display.num, display.scientific):
        with pytest.raises(ValueError, match="non-finite"):
            show(bad)


@given(
    st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.integers(min_value=2, max_value=6),
)
def test_fmt_reads_back_within_its_rounding(magnitude, negative, digits):
    x = -magnitude if negative else magnitude
    [(value, tolerance, _)] = displayed_numbers(display.fmt(x, digits))
    assert abs(value - x) <= tolerance * (1 + 1e-6) + abs(x) * 1e-15
    assert abs(value - x) <= abs(x) * 10.0 ** (1 - digits)  # `digits` significant digits


@pytest.mark.parametrize("key", sorted(KEYS))
def test_figure_text_of_every_example_is_finite(key):
    """The alt text and captions of an example's figures read as numbers, never "inf"/"nan"."""
    for example in built(key)[: len(seeds_for(key))]:
        for spec in figures.specs_for_example(example):
            for text in (spec.alt, spec.caption):
                assert not NOT_A_NUMBER.search(text), f"{key} seed {example.seed}: {text}"
