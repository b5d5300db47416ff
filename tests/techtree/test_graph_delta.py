"""graph_delta: the figures after an edge change, from its region only, equal the networkx
reference over the whole tree; and each figure moves only in the part of the tree named."""

import random
from unittest import mock

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from techtree import graph, graph_delta


def random_dag(size: int, density: float, rng: random.Random) -> tuple[list[int], set]:
    order = list(range(size))
    rng.shuffle(order)  # edges run forward in a random order, so ids say nothing
    edges = {
        (order[i], order[j])
        for i in range(size)
        for j in range(i + 1, size)
        if rng.random() < density
    }
    return order, edges


def reference(nodes, edges, minutes, atoms):
    return graph.compute_figures(graph.build_graph(nodes, edges), minutes, atoms)


def change(size: int, edges: set, rng: random.Random, order: list[int]):
    """Random edges added (forward, so still a DAG) and removed, and re-timed concepts."""
    rank = {node: i for i, node in enumerate(order)}
    pairs = [(p, c) for p in range(size) for c in range(size) if rank[p] < rank[c]]
    absent = [pair for pair in pairs if pair not in edges]
    added = set(rng.sample(absent, min(len(absent), rng.randint(0, 2))))
    removed = set(rng.sample(sorted(edges), min(len(edges), rng.randint(0, 2))))
    retimed = set(rng.sample(range(size), rng.randint(0, 1)))
    return added, removed, retimed


def run(size: int, density: float, seed: int) -> None:
    rng = random.Random(seed)
    nodes, edges = random_dag(size, density, rng)
    minutes = {n: rng.randint(1, 90) for n in nodes}
    atoms = {n: rng.randint(0, 5) for n in nodes}
    before = reference(nodes, edges, minutes, atoms)
    added, removed, retimed = change(size, edges, rng, nodes)
    minutes_after = {n: minutes[n] + (7 if n in retimed else 0) for n in nodes}
    atoms_after = {n: atoms[n] + (1 if n in retimed else 0) for n in nodes}
    new_edges = (edges - removed) | added
    after = reference(nodes, new_edges, minutes_after, atoms_after)

    g = graph.build_graph(nodes, new_edges)
    heads = {c for _, c in added | removed} | retimed
    sources = {p for p, _ in added | removed}
    below = heads.union(*(nx.descendants(g, n) for n in heads))
    upstream = sources.union(*(nx.ancestors(g, n) for n in sources))
    region = below | upstream
    region |= set().union(*(nx.ancestors(g, n) for n in below))

    # Which figure can move where: the claims graph_delta rests on.
    for node in nodes:
        old, new = before[node], after[node]
        if node not in below:
            assert (old.depth, old.prerequisite_count, old.prerequisite_minutes) == (
                new.depth,
                new.prerequisite_count,
                new.prerequisite_minutes,
            )
            assert old.atoms_total == new.atoms_total
        if node not in region:
            assert (old.reach, old.bottleneck) == (new.reach, new.bottleneck)
        if node not in upstream:
            assert old.chain_length == new.chain_length
        if node not in sources:
            assert old.unlocks == new.unlocks

    exits = [(p, c) for p, c in new_edges if p in upstream]
    exit_chains = {c: before[c].chain_length for _, c in exits if c not in upstream}
    ordered = sorted(region, key=lambda n: rng.random())
    figures = graph_delta.region_figures(
        ordered,
        [(p, c) for p, c in new_edges if c in region],
        added=added,
        removed=removed,
        minutes={n: minutes_after[n] for n in region},
        atoms={n: atoms_after[n] for n in region},
        stored={n: before[n] for n in region},
        exits=exits,
        exit_chains=exit_chains,
    )
    assert figures == {n: after[n] for n in region}


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 14), st.floats(0, 0.6), st.integers(0, 10**6))
def test_region_figures_equal_the_whole_tree_reference(size, density, seed):
    run(size, density, seed)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 14), st.floats(0, 0.6), st.integers(0, 10**6))
def test_region_figures_with_arrays_equal_the_whole_tree_reference(size, density, seed):
    """Large regions are computed with graph_arrays: the same result."""
    with mock.patch.object(graph_delta, "ARRAYS_FROM", 0):
        run(size, density, seed)


def test_an_edge_into_a_root_and_out_of_a_leaf():
    """Adding an edge to a root changes its dominators too (it was only below the top)."""
    nodes = ["a", "b", "c", "d"]
    edges = {("a", "b"), ("c", "d")}
    ones = dict.fromkeys(nodes, 1)
    before = reference(nodes, edges, ones, ones)
    after = reference(nodes, edges | {("b", "c")}, ones, ones)
    assert (before["a"].bottleneck, after["a"].bottleneck) == (1, 3)
    figures = graph_delta.region_figures(
        nodes,
        [("a", "b"), ("b", "c"), ("c", "d")],
        added={("b", "c")},
        removed=set(),
        minutes=ones,
        atoms=ones,
        stored=before,
        exits=[("a", "b"), ("b", "c")],
        exit_chains={"c": before["c"].chain_length},
    )
    assert figures == after


def test_removing_the_only_edge_leaves_two_roots():
    nodes = [1, 2]
    ones = dict.fromkeys(nodes, 2)
    before = reference(nodes, {(1, 2)}, ones, ones)
    figures = graph_delta.region_figures(
        nodes,
        [],
        added=set(),
        removed={(1, 2)},
        minutes=ones,
        atoms=ones,
        stored=before,
        exits=[],
        exit_chains={},
    )
    assert figures == reference(nodes, set(), ones, ones)
