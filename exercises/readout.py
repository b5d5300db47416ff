"""PURE: a toy unembedding read out of a residual vector, shared by examples and problems.

The logit-lens examples and problems draw the same kind of inputs: a 3-entry residual
vector (early, and late after an update), a 3 x 4 unembedding of small integers, and
logits far enough apart that rounding never changes their order.
"""

from __future__ import annotations

import random

import numpy as np

from exercises import draws
from exercises.display import aligned, num, term

RESIDUAL_GRID = draws.grid(-1.5, 2.0, 0.5)
UPDATE_GRID = draws.grid(-1.5, 1.5, 0.5)

Drawn = tuple[list[float], list[float], list[list[float]]]


def well_separated(values, gap: float = 0.5) -> bool:
    """Whether every two entries differ by at least `gap`."""
    ordered = np.sort(np.asarray(values, dtype=float))
    return bool(np.min(np.diff(ordered)) >= gap)


def unembedding(rng: random.Random, d: int = 3, size: int = 4) -> list[list[float]]:
    """A d x size matrix of small integers: one column per vocabulary token."""
    return [[float(v) for v in draws.integers(rng, -2, 2, size)] for _ in range(d)]


def readout(h: list[float], w_u: list[list[float]], tokens: list[str]) -> str:
    """One aligned line per token: z_token = h . (its column of W_U) = value."""
    columns = np.array(w_u).T
    logits = np.array(h) @ np.array(w_u)
    lines = [
        rf"z_{{\text{{{token}}}}} &= "
        + " + ".join(rf"{term(a)} \cdot {term(b)}" for a, b in zip(h, column, strict=True))
        + rf" = {num(value)}"
        for token, column, value in zip(tokens, columns, logits, strict=True)
    ]
    return aligned(lines)


def early_and_late(rng: random.Random) -> Drawn:
    """An early residual, the late one after an update, and W_U, where the leader changes."""

    def draw() -> Drawn:
        early = [float(rng.choice(RESIDUAL_GRID)) for _ in range(3)]
        update = [float(rng.choice(UPDATE_GRID)) for _ in range(3)]
        late = [e + u for e, u in zip(early, update, strict=True)]
        return early, late, unembedding(rng)

    def readable(drawn: Drawn) -> bool:
        early, late, w_u = drawn
        z_early, z_late = np.array(early) @ np.array(w_u), np.array(late) @ np.array(w_u)
        return (
            well_separated(z_early)
            and well_separated(z_late)
            and int(np.argmax(z_early)) != int(np.argmax(z_late))
        )

    return draws.until(draw, readable)
