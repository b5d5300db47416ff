"""Plain helpers for the formula language: logs, vectors, rounding and constraint tests.

PURE: NumPy only, no Django. These are the small tools a template needs beside the softmax
engine (``lessons.engine``): ``round(p, 3)`` to show rounded terms whose shown sum adds up,
``sort``/``argsort``/``cumsum`` for nucleus tables, and the constraint helpers ``distinct``,
``unique_max`` and ``min_gap`` that keep degenerate draws (tied keys, two equal maxima) out
of an exercise. Bad input raises ValueError or TypeError, which the formula language reports
as a FormulaError naming the expression.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from lessons.engine import _floats, _real, _whole, one_hot

__all__ = [
    "argsort",
    "clip",
    "cumsum",
    "distinct",
    "dot",
    "log2",
    "log10",
    "min_gap",
    "norm",
    "one_hot",
    "round_to",
    "sort",
    "unique_max",
]

MAX_DECIMALS = 15


def _vector(values: ArrayLike, what: str = "v") -> np.ndarray:
    """A 1-D float vector without NaN, or a clear error."""
    v = _floats(values, what)
    if v.ndim != 1:
        raise ValueError(f"{what} must be a vector (one dimension), got shape {v.shape}")
    if np.isnan(v).any():
        raise ValueError(f"{what} contains NaN")
    return v


def log2(x: ArrayLike) -> np.ndarray:
    """Base-2 logarithm (bits)."""
    return np.log2(_floats(x, "x"))


def log10(x: ArrayLike) -> np.ndarray:
    """Base-10 logarithm."""
    return np.log10(_floats(x, "x"))


def dot(a: ArrayLike, b: ArrayLike) -> np.floating:
    """Dot product of two vectors of the same length."""
    u, v = _vector(a, "a"), _vector(b, "b")
    if u.shape != v.shape:
        raise ValueError(f"dot needs vectors of the same length, got {u.size} and {v.size}")
    return np.dot(u, v)


def norm(a: ArrayLike) -> np.floating:
    """Euclidean length of a vector."""
    return np.linalg.norm(_vector(a, "a"))


def sort(v: ArrayLike) -> np.ndarray:
    """The entries in ascending order (reverse with ``sort(v)[::-1]``)."""
    return np.sort(_vector(v))


def argsort(v: ArrayLike) -> np.ndarray:
    """Indices (from 0) that sort v ascending; equal entries keep their order."""
    return np.argsort(_vector(v), kind="stable")


def cumsum(v: ArrayLike) -> np.ndarray:
    """Running totals v0, v0 + v1, ..."""
    return np.cumsum(_vector(v))


def round_to(x: ArrayLike, decimals: int = 0) -> np.ndarray | float:
    """x rounded to d decimals exactly as the display spec ``| d`` prints it.

    Rounding goes through the same correctly rounded decimal text as the display, so a sum
    of ``round(p, 3)`` terms is the sum of the numbers the learner sees.
    """
    d = _whole(decimals, "d")
    if not 0 <= d <= MAX_DECIMALS:
        raise ValueError(f"d must be from 0 to {MAX_DECIMALS} decimals, got {d}")
    values = _floats(x, "x")
    rounded = np.array([float(f"{v:.{d}f}") for v in values.astype(np.float64).flat])
    result = rounded.reshape(values.shape) + 0.0  # + 0.0 turns -0.0 into 0.0
    return float(result) if result.ndim == 0 else result


def clip(x: ArrayLike, lo: float, hi: float) -> np.ndarray:
    """x limited to [lo, hi]."""
    low, high = _real(lo, "lo"), _real(hi, "hi")
    if low > high:
        raise ValueError(f"clip needs lo <= hi, got {low} > {high}")
    result = np.clip(_floats(x, "x"), low, high)
    return result[()] if result.ndim == 0 else result


def distinct(v: ArrayLike) -> bool:
    """True when no two entries are equal."""
    w = _vector(v)
    return bool(np.unique(w).size == w.size)


def unique_max(v: ArrayLike) -> bool:
    """True when the largest entry occurs once (argmax is then unambiguous)."""
    w = _vector(v)
    if w.size == 0:
        raise ValueError("unique_max needs at least one entry")
    return bool(np.count_nonzero(w == np.max(w)) == 1)


def min_gap(v: ArrayLike) -> float:
    """The smallest distance between two entries (inf for fewer than two entries)."""
    w = np.sort(_vector(v))
    if w.size < 2:
        return math.inf
    with np.errstate(invalid="ignore"):
        gaps = np.diff(w)
    gaps[np.isnan(gaps)] = 0  # two equal infinities: no gap
    return float(np.min(gaps))
