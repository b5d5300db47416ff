"""PURE: the letter grade of a concept's mean quality rating (1 to 5 stars).

The bands are defined here once; the concept page, browse's rating sort and the README read
them from here. A grade needs at least one rating; a mean is shown to one decimal.
"""

from __future__ import annotations

# (lowest mean, letter), best first: A 4.5 to 5, B 3.5 to under 4.5, C 2.5, D 1.5, F below.
BANDS: tuple[tuple[float, str], ...] = (
    (4.5, "A"),
    (3.5, "B"),
    (2.5, "C"),
    (1.5, "D"),
    (1.0, "F"),
)
LOWEST, HIGHEST = 1, 5  # stars a learner can give


def letter(mean: float | None) -> str | None:
    """The letter for a mean rating; None when there are no ratings.

    Bands compare the mean rounded to one decimal, as it is shown, so "4.5" is always an A.
    """
    if mean is None:
        return None
    if not LOWEST <= mean <= HIGHEST:
        raise ValueError(f"A mean rating lies between {LOWEST} and {HIGHEST}, not {mean}.")
    shown = round(mean, 1)
    for lowest, grade in BANDS:
        if shown >= lowest:
            return grade
    return BANDS[-1][1]


def mean(total: int, count: int) -> float | None:
    """The mean of `count` ratings adding up to `total` (None without ratings)."""
    if count < 0 or total < 0:
        raise ValueError("Counts and totals of ratings are never negative.")
    return total / count if count else None
