"""Numbers as LaTeX for worked examples: rounded for reading, never "inf" or "nan".

Shown numbers are rounded; the full-precision numbers travel separately in `Step.values`.
Negative numbers are written with the minus sign touching the digits ("-2"), while a
subtraction in a formula is written with spaces ("3 - 1"), so a test can re-read the
numbers in a formula unambiguously.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

SCIENTIFIC_BELOW = 1e-4  # smaller magnitudes are shown as m \times 10^{k}
SCIENTIFIC_FROM = 1e6  # and so are magnitudes from here up


def _checked(x: float) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"refusing to display a non-finite number ({value!r})")
    return value


def _trim(text: str) -> str:
    """Drop trailing zeros after a decimal point, and the sign of a zero."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# A value this close (relative) to a short decimal is that decimal plus rounding noise:
# 1 - 0.85 is 0.15000000000000002 in binary, and is shown as 0.15, not 0.1500.
EXACT_WITHIN = 1e-12


def _exact_or_rounded(value: float, rounded: str) -> str:
    """Trailing zeros go only when the shorter text is exact: 1 and 0.5, but 1.10 for 1.0986.

    "Exact" allows binary rounding noise (EXACT_WITHIN), so an entry that is really 0.15
    never shows as 0.1500 beside a 0.2 in the same vector.
    """
    short = _trim(rounded)
    if abs(float(short) - value) <= EXACT_WITHIN * abs(value):
        return short
    return rounded.lstrip("-") if float(rounded) == 0 else rounded


def scientific(x: float, digits: int = 3) -> str:
    r"""`x` as ``m \times 10^{k}`` with `digits` significant digits."""
    value = _checked(x)
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if float(_trim(mantissa)) * 10.0 ** int(exponent) == value:
        mantissa = _trim(mantissa)
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def fmt(x: float, digits: int = 3) -> str:
    """`x` rounded to `digits` significant digits, plain unless very small or very large."""
    value = _checked(x)
    if value == 0:
        return "0"
    if not SCIENTIFIC_BELOW <= abs(value) < SCIENTIFIC_FROM:
        return scientific(value, digits)
    exponent = math.floor(math.log10(abs(value)))
    return _exact_or_rounded(value, f"{value:.{max(digits - 1 - exponent, 0)}f}")


def fixed(x: float, places: int = 3) -> str:
    """`x` rounded to `places` decimal places (for numbers like 801.4076 next to 801)."""
    value = _checked(x)
    return _exact_or_rounded(value, f"{value:.{places}f}")


def num(x: float) -> str:
    """An input number exactly as drawn: 2, 0.5, -1.5, 1000 (no rounding)."""
    value = _checked(x)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        raise ValueError(f"{value!r} is not a friendly input number")
    return text


def vec(values: Iterable[float], show: Callable[[float], str] = fmt) -> str:
    r"""A vector as ``(a,\ b,\ c)``, each entry through `show` (default: `fmt`)."""
    return "(" + r",\ ".join(show(v) for v in values) + ")"


def nums(values: Iterable[float]) -> str:
    """A vector of exact inputs, e.g. ``(2,\\ 1,\\ 0.5)``."""
    return vec(values, num)


def matrix(rows: Iterable[Iterable[float]], show: Callable[[float], str] = num) -> str:
    """A matrix as a LaTeX pmatrix."""
    body = r" \\ ".join(" & ".join(show(v) for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def power_of_ten(exponent: int) -> str:
    """``10^{k}``, e.g. for a step size h."""
    return f"10^{{{int(exponent)}}}"


def near_zero(x: float, below: float = 1e-12) -> str:
    """0 for rounding noise (|x| < `below`), otherwise the number in scientific form."""
    return "0" if abs(_checked(x)) < below else scientific(x)


def term(x: float) -> str:
    """A number as a factor in a product: negative ones in parentheses, e.g. (-1)."""
    text = num(x)
    return f"({text})" if text.startswith("-") else text


def cls(index: int) -> int:
    """The 1-based class number shown to learners for a 0-based index."""
    return int(index) + 1


def plain(x: object) -> object:
    """NumPy arrays and scalars as plain Python floats, ints, bools and lists (for `values`)."""
    return np.asarray(x).tolist()


def aligned(lines: Iterable[str]) -> str:
    """Several LaTeX lines, aligned at their ``&``."""
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def decimals(text: str) -> int:
    """How many decimals a shown number has: 3 for "0.659", 0 for "12"."""
    return len(text.partition(".")[2])


def shown_total(terms: Iterable[str], places: int) -> str:
    """The sum of numbers AS SHOWN, to `places` decimals: displayed arithmetic adds up."""
    return fixed(math.fsum(float(text) for text in terms), places)


def square_root(n: float, show: Callable[[float], str] = fmt) -> str:
    r"""``\sqrt{64} = 8`` when the root is exact, ``\sqrt{27} \approx 5.196`` otherwise."""
    root = math.sqrt(_checked(n))
    relation = "=" if root == int(root) and int(root) ** 2 == n else r"\approx"
    return rf"\sqrt{{{num(n)}}} {relation} {num(root) if relation == '=' else show(root)}"
