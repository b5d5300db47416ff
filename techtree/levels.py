"""The two levels of a concept's cognitive-load panel, beside its stored figures.

PURE: no Django.

- **Percentile level**: where the concept's cognitive load (its atomic ideas plus those of
  everything behind it) sits among all published concepts. The percentile is the share of
  published concepts whose load is at most this one's; L1 is the lightest fifth of the tree,
  L5 the heaviest. It is relative: adding heavy concepts elsewhere can lower it.
- **Atomic level**: the most atomic ideas met along any single chain of prerequisites ending
  at the concept, its own included. Depth counts the concepts on the longest chain and the
  cognitive load counts every idea behind it; the atomic level counts the ideas that must be
  learnt one after another, because each chain's concepts build on each other, while
  separate branches could be learnt side by side. It is absolute: it changes only when this
  concept's own ancestry does.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from graphlib import TopologicalSorter
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

PERCENTILE_LEVELS = 5  # L1 .. L5, fifths of the published tree


def load_percentile(at_most: int, total: int) -> int:
    """The percentage (0 to 100, rounded down) of `total` concepts whose load is at most
    this one's, `at_most` of them; 0 for an empty tree."""
    if total <= 0:
        return 0
    return 100 * min(at_most, total) // total


def percentile_level(percentile: int) -> int:
    """The fifth of the tree a percentile falls in: 1 (lightest) to 5 (heaviest)."""
    width = 100 / PERCENTILE_LEVELS
    return min(PERCENTILE_LEVELS, max(1, math.ceil(percentile / width)))


def atomic_level(target: K, edges: Iterable[tuple[K, K]], atoms: Mapping[K, int]) -> int:
    """The largest sum of atomic ideas over the chains of prerequisites ending at `target`.

    `edges` are (prerequisite, concept) pairs of the target's ancestry (others are ignored,
    as are their ends missing from `atoms`); `atoms` gives each concept's own atomic ideas.
    """
    parents: dict[K, list[K]] = {node: [] for node in atoms}
    for prerequisite, concept in edges:
        if prerequisite in parents and concept in parents:
            parents[concept].append(prerequisite)
    best: dict[K, int] = {}
    for node in TopologicalSorter(parents).static_order():  # prerequisites first
        best[node] = atoms[node] + max((best[p] for p in parents[node]), default=0)
    return best.get(target, atoms.get(target, 0))
