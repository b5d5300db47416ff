"""The graph figures after a few edges change, computed from the part of the tree they touch.

PURE: no Django. When edges (p, c) are added or removed, or a concept's minutes or atomic
ideas change, each figure can move only in one part of the tree:

- depth, prerequisite load (count and minutes) and cognitive load depend on a concept's
  ancestry alone: they move only for the changed heads c (and changed concepts) and
  everything after them, called BELOW;
- reach and bottleneck count, for each concept, the concepts it stands behind or dominates:
  only the members of BELOW gain or lose ancestors or dominators, so only the concepts
  behind BELOW's members move (a number each member of BELOW adds or takes away);
- chain length looks forward: it moves only for the sources p and everything behind them,
  called UPSTREAM; unlocks only for the sources p;
- atomic ideas are the concept's own.

Everything is computed on the REGION: BELOW, the sources and everything behind them. It is
closed under "prerequisite of", so the ancestry figures computed inside it are exact, and
reach and bottleneck counted inside it before and after the change differ exactly as they
differ in the whole tree. tests/techtree/test_graph_delta.py checks all of this against the
networkx reference on random DAGs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from techtree import graph, graph_arrays
from techtree.graph import Figures

K = TypeVar("K", bound=Hashable)

# From this many concepts on, SciPy's arrays (graph_arrays) beat the networkx reference;
# below it their fixed cost per depth level dominates (70 ms against 2 ms for 170 concepts).
ARRAYS_FROM = 2_000


def region_figures(
    nodes: Sequence[K],
    edges: Iterable[tuple[K, K]],
    *,
    added: Collection[tuple[K, K]],
    removed: Collection[tuple[K, K]],
    minutes: Mapping[K, int],
    atoms: Mapping[K, int],
    stored: Mapping[K, Figures],
    exits: Iterable[tuple[K, K]],
    exit_chains: Mapping[K, int],
) -> dict[K, Figures]:
    """Every figure of every member of the region, after the change.

    `nodes` is the region, `edges` every edge into its members after the change; `stored`
    holds each member's figures from before it. `exits` is every edge out of an UPSTREAM
    concept after the change, and `exit_chains` the chain length of each of their heads that
    is not UPSTREAM (their chains cannot move).
    """
    nodes = list(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    after = list(edges)
    added, removed = set(added), set(removed)
    minutes_column = np.array([minutes[node] for node in nodes], dtype=np.int64)
    atoms_column = np.array([atoms[node] for node in nodes], dtype=np.int64)

    def columns(pairs: list[tuple[K, K]]) -> dict[str, np.ndarray]:
        ends = np.array([(index[p], index[c]) for p, c in pairs], dtype=np.int64).reshape(-1, 2)
        figure_columns = (
            graph_arrays.figure_columns if len(nodes) >= ARRAYS_FROM else _reference_columns
        )
        return figure_columns(len(nodes), ends[:, 0], ends[:, 1], minutes_column, atoms_column)

    now = columns(after)
    before = columns([e for e in after if e not in added] + sorted(removed, key=repr))
    if not (added or removed):
        before = now
    reach = now["reach"] - before["reach"]
    bottleneck = now["bottleneck"] - before["bottleneck"]

    concepts_upstream = upstream({p for p, _ in added | removed}, after)
    children: dict[K, list[K]] = defaultdict(list)
    for prerequisite, concept in exits:
        children[prerequisite].append(concept)
    chains: dict[K, int] = {}
    for node in sorted(concepts_upstream, key=lambda n: -now["depth"][index[n]]):  # children first
        chains[node] = max(
            (
                (chains[child] if child in concepts_upstream else exit_chains[child]) + 1
                for child in children[node]
            ),
            default=0,
        )

    figures = {}
    for i, node in enumerate(nodes):
        old = stored[node]
        figures[node] = Figures(
            depth=int(now["depth"][i]),
            unlocks=len(children[node]) if node in concepts_upstream else old.unlocks,
            prerequisite_count=int(now["prerequisite_count"][i]),
            prerequisite_minutes=int(now["prerequisite_minutes"][i]),
            reach=old.reach + int(reach[i]),
            bottleneck=old.bottleneck + int(bottleneck[i]),
            chain_length=chains.get(node, old.chain_length),
            atoms=int(atoms_column[i]),
            atoms_total=int(now["atoms_total"][i]),
        )
    return figures


def upstream(sources: set[K], edges: list[tuple[K, K]]) -> set[K]:
    """The sources and everything behind them, along `edges` (every edge into them)."""
    parents: dict[K, list[K]] = defaultdict(list)
    for prerequisite, concept in edges:
        parents[concept].append(prerequisite)
    seen, frontier = set(sources), list(sources)
    while frontier:
        for parent in parents[frontier.pop()]:
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    return seen


def _reference_columns(
    size: int, sources: np.ndarray, targets: np.ndarray, minutes: np.ndarray, atoms: np.ndarray
) -> dict[str, np.ndarray]:
    """graph_arrays.figure_columns computed with the networkx reference (same output)."""
    g = graph.build_graph(range(size), zip(sources.tolist(), targets.tolist(), strict=True))
    figures = graph.compute_figures(
        g, dict(enumerate(minutes.tolist())), dict(enumerate(atoms.tolist()))
    )
    return {
        name: np.array([getattr(figures[i], name) for i in range(size)], dtype=np.int64)
        for name in graph_arrays.FIGURE_COLUMNS
    }
