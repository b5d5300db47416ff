"""Every generated worked example and problem, seeds 1-29, read as a learner reads it.

An outside check of every number on the site found slips of a few kinds; each kind has a
test here over every registered generator, so it cannot come back:

- displayed arithmetic that does not add up as shown (a sum recomputed from its shown,
  rounded terms), or a result padded with zeros beyond its exact inputs ("1 - 0.85 = 0.1500");
- "+ -x" or "- -x" instead of "- x" / "+ x";
- a coefficient of 1 written out ("e^{-1x}");
- "approximately" for an exact square root ("sqrt(64) ~ 8");
- counts whose grammar breaks at 1 ("the first 1 of its 5 positions are padding");
- degenerate draws (two identical keys in an attention example).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from exercises import templates
from exercises.check import file_templates
from exercises.display import fixed, fmt, vec
from lessons import examples
from quizzes import problems
from tests.conftest import CONTENT


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1 - 0.85, 4, "0.15"),  # 0.15000000000000002: noise, not precision
        (0.1 + 0.2, 4, "0.3"),
        (0.1 - 1, 4, "-0.9"),
        (0.14999, 4, "0.1500"),  # really rounded: the zeros say so
        (1.0986, 3, "1.10"),
        (2 / 3, 3, "0.667"),
    ],
)
def test_short_decimals_are_not_padded_with_zeros(value, digits, text):
    assert fmt(value, digits) == text


def test_a_vector_is_not_mixed_precision_because_of_rounding_noise():
    assert vec([0.2, 1 - 0.85, 0.3 - 0.2], lambda v: fmt(v, 4)) == r"(0.2,\ 0.15,\ 0.1)"
    assert fixed(1 - 0.85, 4) == "0.15"


# --- Every generator, seeds 1-29 ----------------------------------------------------------

SEEDS = range(1, 30)
NUMBER = r"-?\d+(?:\.\d+)?"
TERM_TEXT = rf"(?:{NUMBER}|\(-\d+(?:\.\d+)?\))"
# A chain of shown numbers joined by + and -, then = or \approx and a shown result; the
# chain may be negated as -( ... ). What precedes the chain must not bind tighter than +
# (a product, a power, a fraction), and the result must not continue into more arithmetic.
CHAIN = re.compile(
    r"(?P<neg>-\\left\(|-\()?(?<![\w.^{}/\\*])(?P<terms>"
    + TERM_TEXT
    + r"(?:\s*[+\-]\s*"
    + TERM_TEXT
    + r")+)"
    r"(?P<close>\\right\)|\))?\s*(?P<rel>=|\\approx)\s*(?P<result>" + NUMBER + r")"
    r"(?![\d.]|\s*\\times|\s*\^|\s*\\cdot|\s*/|\s*[+\-]\s*\d|\s*\\%|%|\})"
)
TIGHTER_BEFORE = re.compile(r"(\\cdot|\\times|/|\^|\{|_|\\frac|[a-zA-Z])\s*$")
SIGNED_TERM = re.compile(r"([+\-]?)\s*\(?(" + NUMBER + r")\)?")
PLUS_MINUS = re.compile(r"[+\-−]\s+[-−]\s?\d")
ONE_COEFFICIENT = re.compile(r"(?<![\w.^{_\\])[-−]?1(?=[a-z]\b)")
SQUARE_ROOT_APPROX = re.compile(r"\\sqrt\{(\d+)\}\s*\\approx\s*(\d+(?:\.\d+)?)(?![\d.])")
ONE_COUNTED = re.compile(
    r"\b(?:first|last) 1\b|(?<![\d.,\-])\b1 (?:positions|tokens|classes|keys|queries|draws|"
    r"predictions|examples|samples|bins|steps|entries|terms|logits|words|layers|outcomes)\b"
)


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def arithmetic_slips(text: str) -> list[str]:
    """Shown sums that do not add up as shown, and results padded beyond their inputs."""
    slips = []
    for match in CHAIN.finditer(text):
        if bool(match["neg"]) != bool(match["close"]):
            continue
        before = text[max(0, match.start("terms") - 12) : match.start("terms")]
        if not match["neg"] and TIGHTER_BEFORE.search(before.rstrip("( ")):
            continue
        terms = SIGNED_TERM.findall(match["terms"])
        total = math.fsum(-float(v) if sign == "-" else float(v) for sign, v in terms)
        total = -total if match["neg"] else total
        result = match["result"]
        places = _decimals(result)
        if abs(total - float(result)) > 0.5 * 10**-places + 1e-12:
            slips.append(f"{match.group(0)!r}: the shown terms give {total:.{places + 2}f}")
        elif (
            places > max(_decimals(v) for _, v in terms)
            and result.endswith("0")
            and abs(total - float(result)) < 1e-12
        ):
            slips.append(f"{match.group(0)!r}: an exact result padded with zeros")
    return slips


# A quotient of two shown numbers and its shown result: "\frac{0.9088}{0.01664} = 54.60".
QUOTIENT = re.compile(
    r"(?<![\w.^{}\\])(?<!\\log )(?:\\frac\{\s*(" + NUMBER + r")\s*\}\{\s*(" + NUMBER + r")\s*\}"
    r"|(" + NUMBER + r")\s*/\s*(" + NUMBER + r"))\s*(?:=|\\approx)\s*(" + NUMBER + r")"
    r"(?![\d.]|\s*\\times|\s*\^|\s*\\%|%)"
)


def quotient_slips(text: str) -> list[str]:
    """Shown divisions whose shown result is not the quotient of the shown numbers."""
    slips = []
    for match in QUOTIENT.finditer(text):
        if TIGHTER_BEFORE.search(text[max(0, match.start() - 12) : match.start()].rstrip("( ")):
            continue  # e.g. "1.25 \times 16 / 4": the division is part of a product
        top, bottom = match[1] or match[3], match[2] or match[4]
        if float(bottom) == 0:
            continue
        result = match[5]
        if abs(float(top) / float(bottom) - float(result)) > 0.5 * 10 ** -_decimals(result) + 1e-12:
            slips.append(f"{match.group(0)!r}: the shown numbers give {float(top) / float(bottom)}")
    return slips


def slips_in(text: str) -> list[str]:
    """Every kind of slip found in one piece of shown text."""
    found = [f"write '- x', not {m.group(0)!r}" for m in PLUS_MINUS.finditer(text)]
    found += [
        f"coefficient 1 written out: {text[max(0, m.start() - 10) : m.end() + 3]!r}"
        for m in ONE_COEFFICIENT.finditer(text)
    ]
    found += [
        f"{m.group(0)!r} is exact"
        for m in SQUARE_ROOT_APPROX.finditer(text)
        if float(m[2]) ** 2 == float(m[1])
    ]
    found += [f"count of one: {m.group(0)!r}" for m in ONE_COUNTED.finditer(text)]
    return found + arithmetic_slips(text) + quotient_slips(text)


def _example_texts(key: str, seed: int) -> list[str]:
    example = examples.generate(key, seed)
    texts = [example.statement, getattr(example, "result", ""), example.insight]
    for name in ("solution", "hints"):
        value = getattr(example, name, "")
        texts += list(value) if isinstance(value, tuple | list) else [value]
    return texts + [t for s in example.steps for t in (s.title, s.formula, s.explanation)]


def _problem_texts(key: str, seed: int) -> list[str]:
    problem = problems.generate(key, seed)
    texts = [problem.statement, problem.solution, *problem.hints]
    texts += [text for _, text in getattr(problem, "options", ())]
    return texts + [t for s in problem.steps for t in (s.title, s.formula, s.explanation)]


@pytest.mark.parametrize("key", sorted(examples.REGISTRY))
def test_worked_examples_read_right(key):
    found = [
        f"seed {seed}: {slip}"
        for seed in SEEDS
        for text in _example_texts(key, seed)
        if isinstance(text, str)
        for slip in slips_in(text)
    ]
    assert found == []


@pytest.mark.parametrize("key", sorted(problems.REGISTRY))
def test_problems_read_right(key):
    found = [
        f"seed {seed}: {slip}"
        for seed in SEEDS
        for text in _problem_texts(key, seed)
        if isinstance(text, str)
        for slip in slips_in(text)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (r"g_{3} = -(0.0039 + 0.0774 + -0.4281) \approx 0.3469", "'- x'"),
        (r"g_{3} = -(0.0039 + 0.0774 - 0.4281) = 0.3469", "shown terms give 0.346800"),
        (r"L = 2.993 - 2 = 0.9927", "shown terms give"),
        (r"p_{1} = 1 - 0.85 = 0.1500", "padded"),
        (r"f(x) = \log(1 + e^{-1x})", "coefficient 1"),
        (r"standard deviation $\sqrt{64} \approx 8$", "exact"),
        ("the first 1 of its 5 positions (position 1) are padding", "count of one"),
        (r"L = 2.07214 - -0.5 = 2.572", "'- x'"),
        (r"\frac{p_{1}}{p_{2}} = \frac{0.9088}{0.01664} = 54.60", "the shown numbers give"),
        (r"\operatorname{std} / \sqrt{4} = 1.96 / 2 = 0.979", "the shown numbers give"),
    ],
)
def test_the_checks_catch_each_slip_the_outside_check_found(text, kind):
    assert any(kind in slip for slip in slips_in(text)), slips_in(text)


@pytest.mark.parametrize(
    "text",
    [
        r"-(0.0039 + 0.0774 - 0.4281) = 0.3468",
        r"3 + (-9) + (-3) = -9",
        r"1 - 0.85 = 0.15",
        r"2 \cdot 3 + 1 = 7",  # a product before the chain: not a plain sum
        r"\sqrt{27} \approx 5.196",
        "the first of its 5 positions (position 1) is padding",
        r"0.2356 + 0.3521 + 0.0572 = 0.6449",
        r"\log \frac{4}{10} = -0.9163",  # a logarithm of a fraction, not a division
        r"\frac{0.908760}{0.0166445} = 54.60",
    ],
)
def test_the_checks_pass_text_that_adds_up(text):
    assert slips_in(text) == []


def test_no_generator_draws_two_identical_keys_or_values():
    for registry, generate in (
        (examples.REGISTRY, examples.generate),
        (problems.REGISTRY, problems.generate),
    ):
        for key in sorted(registry):
            for seed in SEEDS:
                inputs = generate(key, seed).inputs
                for field in ("keys", "values"):
                    if field in inputs and np.ndim(inputs[field]) == 2:
                        rows = [tuple(np.ravel(row)) for row in inputs[field]]
                        assert len(set(rows)) == len(rows), (key, seed, field, rows)


def test_the_softplus_example_shows_the_log_loss():
    """Its concept calls it 'Softplus, the log loss, and a finite-difference check'."""
    for seed in SEEDS:
        example = examples.generate("finite_difference_derivative", seed)
        assert "log loss" in " ".join(_example_texts("finite_difference_derivative", seed))
        values = {k: v for step in example.steps for k, v in step.values.items()}
        x = example.inputs["x"]
        assert values["log_loss"] == pytest.approx(-math.log(1 - 1 / (1 + math.exp(-x))))


# --- Exercise templates in the concept files, seeds 1-29 -------------------------------------

TEMPLATES = [
    (path.stem, entry)
    for path in sorted(CONTENT.glob("*.md"))
    for entry in file_templates(path)
    if isinstance(entry, dict) and "key" in entry
]


def _template_texts(entry: dict, seed: int) -> list[str]:
    exercise = templates.build(entry, seed)
    texts = [exercise.statement, exercise.solution or "", exercise.insight or "", *exercise.hints]
    texts += [text for _, text in exercise.options or ()]
    return texts + [t for s in exercise.steps for t in (s.title, s.formula, s.explanation)]


@pytest.mark.parametrize(
    ("slug", "entry"),
    [pytest.param(slug, entry, id=f"{slug}:{entry['key']}") for slug, entry in TEMPLATES],
)
def test_exercise_templates_read_right(slug, entry):
    found = {
        f"seed {seed}: {slip}"
        for seed in range(1, 30)
        for text in _template_texts(entry, seed)
        for slip in slips_in(text)
    }
    assert sorted(found) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (r"T = \frac{ 4 }{ 0.4055 } \approx 9.87", "the shown numbers give"),
        ("the nucleus holds 1 tokens", "count of one"),
    ],
)
def test_the_two_slips_once_open_in_templates_are_caught(text, kind):
    """Knowledge distillation divided by an unrounded log-odds; nucleus sampling said
    "1 tokens". Both templates now read right (above); the checks still see the slips."""
    assert any(kind in slip for slip in slips_in(text)), slips_in(text)
