"""Engine numbers in lesson text: a tiny safe language, formatted for prose."""

import math

import numpy as np
import pytest

from lessons import engine
from lessons.formulas import FormulaError, directives, evaluate, fill_numbers, format_value


def test_expressions_call_the_engine():
    assert np.allclose(evaluate("softmax([2, 1, 0.1])"), engine.softmax([2, 1, 0.1]))
    assert evaluate("softmax([2, 1, 0])[0] / softmax([2, 1, 0])[1]") == pytest.approx(math.e)
    assert evaluate("cross_entropy([3, 1, -2, 0], 1)") == pytest.approx(
        math.log(math.exp(3) + math.exp(1) + math.exp(-2) + 1) - 1
    )
    assert evaluate("softmax([2, 1], temperature=0.5)")[0] == pytest.approx(1 / (1 + math.exp(-2)))
    assert list(evaluate("masked_softmax([1, 2, 3], [True, False, True])"))[1] == 0.0
    assert evaluate("-e ** 2 + 2 * pi") == pytest.approx(-(math.e**2) + 2 * math.pi)
    assert list(evaluate("array([1, 2, 3])[1:]")) == [2, 3]


@pytest.mark.parametrize(
    "hostile",
    [
        "__import__('os').system('true')",
        "softmax.__globals__",
        "open('/etc/passwd')",
        "[x for x in [1, 2]]",
        "lambda: 1",
        "eval('1')",
        "engine",
        "'text'",
        "(1).real",
        "softmax(*[[1, 2]])",
        "1 if 1 else 2",
        "9 ** 9 ** 9 ** 9",
        "x" * 400,
        "softmax([1, 2], temperature=-1)",
        "[1, 2][5]",
        "1 +",
    ],
)
def test_anything_else_is_refused_with_a_formula_error(hostile):
    with pytest.raises(FormulaError):
        evaluate(hostile)


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (0.65900114, "3", "0.659"),
        (0.65900114, "", "0.6590"),
        (0.65900114, "2s", "0.66"),
        (0.2447, "%1", "24.5%"),
        (3.4028234663852886e38, "e2", "3.40 × 10³⁸"),
        (2.0**-52, "e2", "2.22 × 10⁻¹⁶"),
        (7.0, "", "7"),
        (np.int64(3), "", "3"),
        (math.inf, "", "∞"),
        (0.25, "g", "0.25"),
        (-1.5, "g", "-1.5"),
        (3, "+", "+ 3"),
        (-3, "+", "- 3"),
        (-0.25, "+3", "- 0.250"),
        (-2, "(", "(-2)"),
        (2.5, "(", "2.500"),
        (-0.5, "(g", "(-0.5)"),
        ([1.0, -2.0], "(g", "(1, (-2))"),
        ([0.65900114, 0.24243297, 0.09856589], "3", "(0.659, 0.242, 0.099)"),
    ],
)
def test_formats(value, spec, text):
    assert format_value(value, spec) == text


def test_unknown_formats_are_refused():
    with pytest.raises(FormulaError, match="unknown format"):
        format_value(1.5, "x")


def test_fill_numbers_replaces_every_directive():
    text = "Softmax gives {{ softmax([2, 1, 0.1]) | 3 }}, and $e \\approx {{ exp(1) | 3 }}$."
    assert directives(text) == [" softmax([2, 1, 0.1]) | 3 ", " exp(1) | 3 "]
    assert fill_numbers(text) == "Softmax gives (0.659, 0.242, 0.099), and $e \\approx 2.718$."


def test_named_values_comparisons_and_logic():
    names = {"z": np.array([1.0, 3.0, 2.0]), "k": 2, "T": 0.5}
    assert np.allclose(evaluate("softmax(z / T)", names), engine.softmax([2.0, 6.0, 4.0]))
    assert evaluate("k < len(z) and not z[0] > 1", names) is True
    assert evaluate("0 < k <= 2 < len(z)", names) is True
    assert evaluate("k == 3 or z[1] != 3", names) is False
    assert evaluate("len(k)", names) == 1
    assert evaluate("e", {"e": 5}) == 5  # names shadow constants
    with pytest.raises(FormulaError, match="one true/false"):
        evaluate("z > 1 and k", names)
    with pytest.raises(FormulaError, match="not allowed"):
        evaluate("w + 1", names)


def test_arrays_are_bounded():
    from lessons.formulas import MAX_ARRAY

    names = {"z": np.zeros(MAX_ARRAY)}
    assert evaluate("len(z)", names) == MAX_ARRAY
    with pytest.raises(FormulaError, match="entries"):
        evaluate("array([z, z])", names)
