"""The concept graph's mathematics: DAG checks, graph figures and learning paths.

PURE: no Django. Concepts are any hashable keys; an edge ``(prerequisite, concept)`` means the
prerequisite must be learned before the concept. Every figure a learner sees beside a concept
is defined once here, in FIGURE_DEFINITIONS, and computed for the whole graph in a few linear
passes over a topological order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import networkx as nx

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Figure:
    """One graph figure: its name in Figures (and graph_arrays), label, definition, storage."""

    name: str
    label: str
    definition: str  # one sentence, shown to the learner beside the number (and in the admin)
    field: str | None  # the Concept field storing it; None when computed from the concept alone


# Every graph figure, in display order: the one list that the stored fields, the refresh,
# the history exclusions, the concept page and the admin all derive from.
FIGURES: tuple[Figure, ...] = (
    Figure(
        "depth",
        "Depth",
        "The longest chain of prerequisites above this concept; concepts with none are at 0.",
        "depth",
    ),
    Figure(
        "unlocks",
        "Unlocks",
        "How many concepts list this one as a direct prerequisite.",
        "unlocks_count",
    ),
    Figure(
        "prerequisite_count",
        "Prerequisite load",
        "How many concepts stand behind this one, directly or indirectly.",
        "prerequisite_count",
    ),
    Figure(
        "prerequisite_minutes",
        "Minutes behind it",
        "The estimated minutes needed to learn every concept behind this one.",
        "prerequisite_minutes",
    ),
    Figure(
        "reach",
        "Reach",
        "How many concepts this one leads to, directly or through others.",
        "reach",
    ),
    Figure(
        "bottleneck",
        "Bottleneck",
        "How many concepts could not be reached at all without this one, "
        "because every route to them passes through it.",
        "bottleneck",
    ),
    Figure(
        "chain_length",
        "Chain length",
        "The number of steps in the longest chain of concepts that starts here.",
        "chain_length",
    ),
    Figure("atoms", "Atomic ideas", "How many atomic ideas this concept introduces.", None),
    Figure(
        "atoms_total",
        "Cognitive load",
        "Its atomic ideas plus those of every concept behind it.",
        "atoms_total",
    ),
)
STORED_FIGURES: tuple[Figure, ...] = tuple(f for f in FIGURES if f.field)
FIGURE_FIELDS: tuple[str, ...] = tuple(f.field for f in STORED_FIGURES if f.field)
FIGURE_DEFINITIONS: dict[str, str] = {f.name: f.definition for f in FIGURES}
FIGURE_LABELS: dict[str, str] = {f.name: f.label for f in FIGURES}


class CycleError(ValueError):
    """A set of prerequisites that would make the graph circular; names the cycle."""

    def __init__(self, cycle: list) -> None:
        self.cycle = cycle
        super().__init__("Prerequisites would form a cycle: " + format_cycle(cycle))


def format_cycle(cycle: Iterable, name: Callable[[object], str] = str) -> str:
    """Render a cycle as 'A -> B -> A'."""
    return " -> ".join(name(node) for node in cycle)


@dataclass(frozen=True, slots=True)
class Figures:
    """Every graph figure of one concept (see FIGURE_DEFINITIONS)."""

    depth: int
    unlocks: int
    prerequisite_count: int
    prerequisite_minutes: int
    reach: int
    bottleneck: int
    chain_length: int
    atoms: int
    atoms_total: int


def build_graph(nodes: Iterable[K], edges: Iterable[tuple[K, K]]) -> nx.DiGraph:
    """Build the DAG, refusing self-edges, unknown endpoints and cycles with a clear error."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for prerequisite, concept in edges:
        if prerequisite == concept:
            raise CycleError([concept, concept])
        for end in (prerequisite, concept):
            if end not in graph:
                raise KeyError(f"edge mentions an unknown concept: {end!r}")
        graph.add_edge(prerequisite, concept)
    if not nx.is_directed_acyclic_graph(graph):
        raise CycleError(find_cycle(graph))
    return graph


def find_cycle(graph: nx.DiGraph) -> list | None:
    """Return one cycle as a closed walk [a, b, ..., a] in prerequisite order, or None."""
    try:
        cycle_edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [edge[0] for edge in cycle_edges] + [cycle_edges[0][0]]


def _sort_key(node: Hashable) -> tuple[str, str]:
    return (type(node).__name__, f"{node!r:>24}" if not isinstance(node, str) else node)


def compute_figures(
    graph: nx.DiGraph,
    minutes: Mapping[K, int],
    atoms: Mapping[K, int],
) -> dict[K, Figures]:
    """Every figure for every concept, in time linear in the graph plus the closures' sizes."""
    order = list(nx.topological_sort(graph))
    depth: dict = {}
    for node in order:
        depth[node] = max((depth[p] + 1 for p in graph.predecessors(node)), default=0)
    chain: dict = {}
    for node in reversed(order):
        chain[node] = max((chain[c] + 1 for c in graph.successors(node)), default=0)

    parents = {node: list(graph.pred[node]) for node in order}
    children = {node: list(graph.succ[node]) for node in order}
    behind = _closure_sizes(order, parents, children, minutes, atoms)
    ahead = _closure_sizes(order[::-1], children, parents, minutes, atoms)
    dominated = _dominated_counts(order, parents)

    return {
        node: Figures(
            depth=depth[node],
            unlocks=graph.out_degree(node),
            prerequisite_count=behind[node][0],
            prerequisite_minutes=behind[node][1],
            reach=ahead[node][0],
            bottleneck=dominated[node],
            chain_length=chain[node],
            atoms=atoms[node],
            atoms_total=atoms[node] + behind[node][2],
        )
        for node in order
    }


def _closure_sizes(order: list, parents: dict, children: dict, minutes, atoms) -> dict:
    """(count, minutes, atoms) of every node's closure along `parents`, freeing sets early."""
    closures: dict = {}
    waiting = {node: len(children[node]) for node in order}
    sizes: dict = {}
    for node in order:
        closure: set = set(parents[node])
        for parent in parents[node]:
            closure |= closures[parent]
            waiting[parent] -= 1
            if waiting[parent] == 0:
                del closures[parent]  # nobody else needs it: memory stays at the frontier
        sizes[node] = (
            len(closure),
            sum(map(minutes.__getitem__, closure)),
            sum(map(atoms.__getitem__, closure)),
        )
        if waiting[node]:
            closures[node] = closure
    return sizes


def _dominated_counts(order: list, parents: dict) -> dict:
    """For each concept, how many others every route from the roots passes through.

    Builds the dominator tree of the DAG (with a virtual root above every root) in one pass:
    in topological order, a concept's immediate dominator is the nearest common dominator of
    its prerequisites (Cooper, Harvey and Kennedy's intersection, exact on a DAG).
    """
    ROOT = -1
    position = {node: i for i, node in enumerate(order)}
    idom: dict = {}
    for node in order:
        dominator = ROOT
        for i, parent in enumerate(parents[node]):
            if i == 0:
                dominator = parent
                continue
            other = parent
            while dominator != other:
                while dominator != ROOT and (
                    other == ROOT or position[dominator] > position[other]
                ):
                    dominator = idom[dominator]
                while other != ROOT and (
                    dominator == ROOT or position[other] > position[dominator]
                ):
                    other = idom[other]
        idom[node] = dominator
    below = dict.fromkeys(order, 0)
    for node in reversed(order):  # a dominator always comes earlier in topological order
        if idom[node] != ROOT:
            below[idom[node]] += below[node] + 1
    return below


def ancestors(graph: nx.DiGraph, target: K) -> set[K]:
    """Every concept that stands behind the target."""
    return nx.ancestors(graph, target)


def learning_path(
    graph: nx.DiGraph, target: K, key: Callable[[K], object] | None = None
) -> list[K]:
    """The concepts behind the target, then the target: level by level, prerequisites first.

    A concept's level inside its own ancestry equals its depth in the whole graph, so the
    path reads foundations first; `key` orders concepts within a level (e.g. by title).
    """
    wanted = ancestors(graph, target) | {target}
    levels = nx.topological_generations(graph.subgraph(wanted))
    return [node for level in levels for node in sorted(level, key=key or _sort_key)]
