"""Friendly random inputs for worked examples: small, readable, and never degenerate.

Every draw goes through the `random.Random` the generator was given, so an example is a
pure function of its seed. Rejection loops are bounded: they redraw until the condition
holds, which for the conditions used here takes a handful of tries.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_TRIES = 10_000


def grid(low: float, high: float, step: float) -> list[float]:
    """low, low + step, ..., high (floats; exact for steps like 0.5 and 1)."""
    count = round((high - low) / step)
    return [round(low + i * step, 10) for i in range(count + 1)]


HALVES = grid(-2.0, 3.0, 0.5)  # the default logit alphabet


def until(draw: Callable[[], T], ok: Callable[[T], bool]) -> T:
    """Call `draw` until `ok` accepts the result."""
    for _ in range(MAX_TRIES):
        value = draw()
        if ok(value):
            return value
    raise RuntimeError("could not draw acceptable inputs")  # pragma: no cover


def distinct(rng: random.Random, alphabet: Sequence[float], k: int) -> list[float]:
    """`k` different values from `alphabet`, in random order."""
    return [float(v) for v in rng.sample(list(alphabet), k)]


def logits(
    rng: random.Random,
    k: int,
    alphabet: Sequence[float] = HALVES,
    *,
    min_spread: float = 1.0,
    unique: bool = True,
) -> list[float]:
    """`k` logits from `alphabet` whose max - min is at least `min_spread`."""

    def draw() -> list[float]:
        if unique:
            return distinct(rng, alphabet, k)
        return [float(rng.choice(alphabet)) for _ in range(k)]

    return until(draw, lambda z: max(z) - min(z) >= min_spread)


def integers(rng: random.Random, low: int, high: int, k: int) -> list[int]:
    """`k` integers from low..high inclusive (repeats allowed)."""
    return [rng.randint(low, high) for _ in range(k)]


def nonzero_vector(rng: random.Random, low: int, high: int, d: int) -> list[float]:
    """A length-`d` vector of integers from low..high that is not all zeros."""
    return until(lambda: [float(v) for v in integers(rng, low, high, d)], lambda v: any(v))


def all_different(rows: Sequence[Sequence[float]]) -> bool:
    """No two rows equal: two identical keys (or values) make a degenerate exercise."""
    return len({tuple(float(v) for v in row) for row in rows}) == len(rows)
