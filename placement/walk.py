"""The placement walk: what a new learner already knows, in few questions.

PURE: no Django. Knowledge is assumed down-closed (who knows a concept knows everything it
builds on), so passing a probe decides the concept and all its ancestors (known), failing
decides it and all its descendants (not known). Each probe is the undecided concept whose
worst outcome decides the most undecided concepts: max over u of
min(|ancestors(u) + u|, |descendants(u) + u|) within the undecided set, ties to the larger
total, then the smaller id. On a chain this is binary search (log2 of its length); on a
tree it approaches that as far as its shape allows. The walk stops when nothing is
undecided, or after its question budget: a wide tree's incomparable concepts would each need
a question of their own, so a learner is placed in about 2 log2(size) questions and
whatever is still undecided is left to learn (or test out of) as usual. Nothing is ever
credited that was not passed or built on by a concept passed.

Sets are Python integers used as bitsets (one bit per concept), so a 1,000-concept tree's
probe choice is a few thousand popcounts.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from graphlib import TopologicalSorter


def question_budget(size: int) -> int:
    """How many questions a placement over `size` concepts may ask: 2 log2(size), rounded up."""
    return max(1, math.ceil(2 * math.log2(size + 1)))


class Walk:
    """One learner's placement in progress: ask `next_probe()`, then `record()` the answer.

    `budget` caps the questions (None: ask until everything is decided).
    """

    def __init__(
        self, prerequisites: Mapping[Hashable, Iterable[Hashable]], budget: int | None = None
    ) -> None:
        self.budget = budget
        order = list(
            TopologicalSorter({k: set(v) for k, v in prerequisites.items()}).static_order()
        )
        self.nodes = order
        self._bit = {node: 1 << i for i, node in enumerate(order)}
        needs = {node: set(prerequisites.get(node, ())) for node in order}
        self._ancestors: dict[Hashable, int] = {}
        for node in order:  # prerequisites come first in a topological order
            mask = self._bit[node]
            for p in needs[node]:
                mask |= self._ancestors[p]
            self._ancestors[node] = mask
        self._descendants = {node: self._bit[node] for node in order}
        for node in order:
            ancestors = self._ancestors[node] & ~self._bit[node]
            for other in order:
                if ancestors & self._bit[other]:
                    self._descendants[other] |= self._bit[node]
        self.undecided = (1 << len(order)) - 1
        self.known = 0
        self.unknown = 0
        self.asked: list[tuple[Hashable, bool]] = []

    def next_probe(self) -> Hashable | None:
        """The concept to ask about next, or None when everything is decided or asked enough."""
        if self.budget is not None and len(self.asked) >= self.budget:
            return None
        best, best_key = None, None
        rest = self.undecided
        for i, node in enumerate(self.nodes):
            if not rest >> i & 1:
                continue
            up = (self._ancestors[node] & rest).bit_count()
            down = (self._descendants[node] & rest).bit_count()
            key = (min(up, down), up + down, -i)
            if best_key is None or key > best_key:
                best, best_key = node, key
        return best

    def record(self, node: Hashable, passed: bool) -> None:
        """A probe's answer: credit its ancestors, or rule out its descendants."""
        self.asked.append((node, passed))
        decided = self._ancestors[node] if passed else self._descendants[node]
        decided &= self.undecided
        if passed:
            self.known |= decided
        else:
            self.unknown |= decided
        self.undecided &= ~decided

    @property
    def done(self) -> bool:
        return self.next_probe() is None

    def members(self, mask: int) -> set[Hashable]:
        return {node for i, node in enumerate(self.nodes) if mask >> i & 1}

    @classmethod
    def replay(
        cls,
        prerequisites: Mapping[Hashable, Iterable[Hashable]],
        answers: Iterable[tuple[Hashable, bool]],
        budget: int | None = None,
    ) -> Walk:
        """The walk after these answers (a web request rebuilds it from what is stored)."""
        walk = cls(prerequisites, budget)
        for node, passed in answers:
            walk.record(node, passed)
        return walk


def down_closure(prerequisites: Mapping[Hashable, Iterable[Hashable]], seeds: set) -> set:
    """The seeds and everything they build on."""
    closed, stack = set(), list(seeds)
    while stack:
        node = stack.pop()
        if node not in closed:
            closed.add(node)
            stack.extend(prerequisites.get(node, ()))
    return closed


def place(
    prerequisites: Mapping[Hashable, Iterable[Hashable]], knows, budget: int | None = None
) -> tuple[set, int]:
    """Run a whole walk against `knows(concept) -> bool`; returns (known, questions)."""
    walk = Walk(prerequisites, budget)
    while (probe := walk.next_probe()) is not None:
        walk.record(probe, knows(probe))
    return walk.members(walk.known), len(walk.asked)
