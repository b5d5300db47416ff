"""Facts stated in the concept files, checked against the machine that they describe.

An outside check found a lesson pairing a vector with the softmax of a different one, a
lesson quoting the wrong underflow thresholds, and a problem saying 0.3 is stored above
0.3. Each kind of claim is recomputed here from first principles.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest

from lessons import formulas
from techtree.content import read_folder
from tests.conftest import CONTENT

SOURCES = read_folder(CONTENT)
BY_SLUG = {source.slug: source for source in SOURCES}
VECTOR = r"\((-?\d+(?:\.\d+)?(?:,\s*-?\d+(?:\.\d+)?)+)\)"


def _vector(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.replace("−", "-").split(","))


def _texts(source) -> list[str]:
    """The lesson body and every fixed problem's text fields in one concept file."""
    texts = [source.body]
    for spec in source.sections.get("problems", []):
        for field in ("statement", "solution"):
            texts.append(str(spec.get(field, "")))
        texts += [str(h) for h in spec.get("hints", [])]
    return texts


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_a_vector_said_to_be_a_shift_of_another_is_one(source):
    """'(1, 0, 2) shifted by -1001' must be one of the vectors the lesson writes out."""
    body = formulas.fill_numbers(source.body)
    written = {_vector(m) for m in re.findall(VECTOR, body)}
    for base, shift in re.findall(VECTOR + r"\$? shifted by \$?(-?\d+(?:\.\d+)?)", body):
        shifted = tuple(v + float(shift) for v in _vector(base))
        assert shifted in written, (base, shift)


def test_the_softmax_lesson_gives_each_huge_vector_its_own_answer():
    body = formulas.fill_numbers(BY_SLUG["softmax-and-logits"].body)
    paragraph = next(p for p in body.split("\n\n") if p.startswith("Neither vector"))
    for z in ([1000, 1001, 999], [-1000, -1001, -999]):
        shown = formulas.format_value(np.exp(z - np.max(z)) / np.exp(z - np.max(z)).sum(), "3")
        assert shown in paragraph, (z, shown)


def _underflow_threshold(dtype) -> float:
    """The smallest x (to float64 precision) with exp(x) > 0 in `dtype`, by bisection."""
    lo, hi = -2000.0, 0.0  # exp(lo) == 0 < exp(hi)
    with np.errstate(under="ignore"):
        while hi - lo > 1e-9:
            mid = (lo + hi) / 2
            if np.exp(np.asarray(mid, dtype=dtype)) > 0:
                hi = mid
            else:
                lo = mid
    return hi


def test_the_underflow_thresholds_in_the_log_sum_exp_lesson_are_the_machines():
    body = formulas.fill_numbers(BY_SLUG["log-sum-exp-and-numerical-stability"].body)
    sentence = next(s for s in body.split(". ") if "rounds to 0" in s)
    stated = [float(v) for v in re.findall(r"\$(-\d+\.\d+)\$", sentence)]
    assert stated == [
        round(_underflow_threshold(np.float64), 2),
        round(_underflow_threshold(np.float32), 2),
    ]
    assert stated == [-745.13, -103.97]  # subnormals included, not -744.4 and -103.3


# "0.2999999999999999888977… (slightly less)": long decimal expansions of stored floats.
STORED = re.compile(r"(\d+\.\d{15,})…(?:[^(.]*?\(?slightly (more|less))?")


def test_every_stored_value_quoted_is_the_exact_float():
    quoted = 0
    for source in SOURCES:
        for text in _texts(source):
            for digits, direction in STORED.findall(text):
                value = float(digits)
                exact = str(Decimal(value))
                assert exact.startswith(digits), (source.slug, digits, exact)
                if direction:
                    intended = Decimal(repr(value))  # the short decimal the float stands for
                    above = Decimal(value) > intended
                    assert direction == ("more" if above else "less"), (source.slug, digits)
                quoted += 1
    assert quoted >= 4  # 0.1, 0.2, 0.3 and their sum, in the floating-point concept


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_no_rendered_lesson_writes_plus_minus(source):
    """Directives print negatives with '-': a lesson must write '- x', never '+ -x'."""
    body = formulas.fill_numbers(source.body)
    assert re.findall(r".{0,30}[+\-−]\s+[-−]\s?\d", body) == []
