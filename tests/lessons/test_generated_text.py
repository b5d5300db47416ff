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

import pytest

from lessons.example_generators.display import fixed, fmt, vec


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
