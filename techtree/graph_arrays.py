"""Every graph figure of a whole tree at once, fast enough for 100,000 concepts.

PURE: no Django. The same figures as graph.compute_figures (the readable networkx reference,
tested to give identical output), computed with rustworkx (DAG check, topological
generations, dominators, in Rust) and SciPy sparse arrays (the closure of everything behind
each concept, one sparse product per depth level). On a 100,000-concept curriculum this takes
about a tenth of the networkx version: see bench/graph.py.

Depth is a concept's topological generation; chain length its generation in the reversed
graph. Counting what stands behind each concept needs the closures themselves (a DAG has no
shortcut): row v of C holds v and everything behind it, C[v] = e_v + OR of C[p] over v's
prerequisites p, filled level by level. Reach is then a column count of the same C.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import rustworkx as rx
from scipy import sparse

from techtree.graph import CycleError, Figures

K = TypeVar("K", bound=Hashable)

FIGURE_COLUMNS = tuple(Figures.__dataclass_fields__)


@dataclass(frozen=True)
class FigureTable:
    """Figures as one integer array per figure, aligned with `nodes`."""

    nodes: list
    columns: dict[str, np.ndarray]

    def as_dict(self) -> dict:
        """{node: Figures}, as graph.compute_figures returns it."""
        rows = zip(*(self.columns[name].tolist() for name in FIGURE_COLUMNS), strict=True)
        return {node: Figures(*row) for node, row in zip(self.nodes, rows, strict=True)}


def dag(size: int, sources: np.ndarray, targets: np.ndarray) -> rx.PyDiGraph:
    """A rustworkx graph on nodes 0..size-1; CycleError (in node indices) if it is not a DAG."""
    loops = np.flatnonzero(sources == targets)
    if loops.size:
        node = int(sources[loops[0]])
        raise CycleError([node, node])
    g = rx.PyDiGraph(multigraph=False)
    g.add_nodes_from(range(size))
    g.extend_from_edge_list(list(zip(sources.tolist(), targets.tolist(), strict=True)))
    if not rx.is_directed_acyclic_graph(g):
        cycle = [edge[0] for edge in rx.digraph_find_cycle(g)]
        raise CycleError([*cycle, cycle[0]])
    return g


def figure_table(
    nodes: Sequence[K],
    edges: Iterable[tuple[K, K]],
    minutes: Mapping[K, int],
    atoms: Mapping[K, int],
) -> FigureTable:
    """Every figure for every node; CycleError naming the cycle, KeyError for an unknown end."""
    nodes = list(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = list(edges)
    try:
        ends = np.array([(index[p], index[c]) for p, c in pairs], dtype=np.int64).reshape(-1, 2)
    except KeyError as error:
        raise KeyError(f"edge mentions an unknown concept: {error.args[0]!r}") from None
    try:
        columns = figure_columns(
            len(nodes),
            ends[:, 0],
            ends[:, 1],
            np.array([minutes[node] for node in nodes], dtype=np.int64),
            np.array([atoms[node] for node in nodes], dtype=np.int64),
        )
    except CycleError as error:
        raise CycleError([nodes[i] for i in error.cycle]) from None
    return FigureTable(nodes, columns)


def figure_columns(
    size: int,
    sources: np.ndarray,
    targets: np.ndarray,
    minutes: np.ndarray,
    atoms: np.ndarray,
) -> dict[str, np.ndarray]:
    """The figures of nodes 0..size-1 given edges sources[i] -> targets[i], as arrays."""
    g = dag(size, sources, targets)
    generations = [np.asarray(level, dtype=np.int64) for level in rx.topological_generations(g)]
    depth = np.zeros(size, dtype=np.int64)
    for level, members in enumerate(generations):
        depth[members] = level
    backwards = g.copy()
    backwards.reverse()
    chain = np.zeros(size, dtype=np.int64)
    for level, members in enumerate(rx.topological_generations(backwards)):
        chain[np.asarray(members, dtype=np.int64)] = level

    order = np.concatenate(generations) if generations else np.zeros(0, dtype=np.int64)
    position = np.empty(size, dtype=np.int64)
    position[order] = np.arange(size)
    closure = _closures(size, position[sources], position[targets], [len(x) for x in generations])
    behind_count = np.diff(closure.indptr) - 1
    atoms_total = closure @ atoms[order]
    minutes_behind = closure @ minutes[order] - minutes[order]
    reach = np.bincount(closure.indices, minlength=size) - 1

    columns = {
        "depth": depth,
        "unlocks": np.bincount(sources, minlength=size).astype(np.int64),
        "prerequisite_count": np.empty(size, dtype=np.int64),
        "prerequisite_minutes": np.empty(size, dtype=np.int64),
        "reach": np.empty(size, dtype=np.int64),
        "bottleneck": _dominated_counts(g, generations, size),
        "chain_length": chain,
        "atoms": atoms.astype(np.int64),
        "atoms_total": np.empty(size, dtype=np.int64),
    }
    # The closure is indexed by topological position; put the columns back in node order.
    columns["prerequisite_count"][order] = behind_count
    columns["prerequisite_minutes"][order] = minutes_behind
    columns["reach"][order] = reach
    columns["atoms_total"][order] = atoms_total
    return columns


def _closures(size: int, sources: np.ndarray, targets: np.ndarray, levels: list[int]):
    """CSR array whose row v holds v and every node behind it (positions in level order)."""
    parents = sparse.csr_array(
        (np.ones(len(sources), dtype=np.int32), (targets, sources)), shape=(size, size)
    )
    bounds = np.concatenate([[0], np.cumsum(levels, dtype=np.int64)])
    indptr = np.zeros(size + 1, dtype=np.int64)
    indices = np.empty(max(4 * size, 16), dtype=np.int32)  # grows by doubling
    used = 0
    ones = np.ones(0, dtype=np.int32)
    for level in range(len(levels)):
        start, end = int(bounds[level]), int(bounds[level + 1])
        if level == 0:
            rows = sparse.csr_array((end - start, size), dtype=np.int32)
        else:
            if len(ones) < used:
                ones = np.ones(len(indices), dtype=np.int32)
            earlier = sparse.csr_array(
                (ones[:used], indices[:used], indptr[: start + 1]),
                shape=(start, size),
                copy=False,
            )
            rows = parents[start:end, :start] @ earlier
        # Each row gets the node itself, then the union of its prerequisites' rows.
        row_ptr = np.zeros(end - start + 1, dtype=np.int64)
        np.cumsum(np.diff(rows.indptr) + 1, out=row_ptr[1:])
        while used + row_ptr[-1] > len(indices):
            indices = np.concatenate([indices, np.empty_like(indices)])
        out = indices[used : used + row_ptr[-1]]
        own = row_ptr[:-1]
        out[own] = np.arange(start, end, dtype=np.int32)
        rest = np.ones(len(out), dtype=bool)
        rest[own] = False
        out[rest] = rows.indices
        indptr[start + 1 : end + 1] = used + row_ptr[1:]
        used += len(out)
    return sparse.csr_array(
        (np.ones(used, dtype=np.int64), indices[:used], indptr), shape=(size, size)
    )


def _dominated_counts(g: rx.PyDiGraph, generations: list[np.ndarray], size: int) -> np.ndarray:
    """How many nodes every route from the roots passes through each node to reach."""
    below = np.zeros(size, dtype=np.int64)
    if not size:
        return below
    root = g.add_node(None)  # a virtual root above every real root
    g.add_edges_from_no_data([(root, int(node)) for node in generations[0]])
    idom = rx.immediate_dominators(g, root)
    counts = [0] * size
    for level in reversed(generations):
        for node in level.tolist():
            parent = idom[node]
            if parent != root:
                counts[parent] += counts[node] + 1
    below[:] = counts
    return below
