"""The cognitive-load panel's levels (techtree.levels), against brute force on small DAGs."""

import itertools
import random

import networkx as nx
import pytest

from techtree import graph, levels


def test_percentile_is_the_share_at_or_below():
    assert levels.load_percentile(1, 4) == 25
    assert levels.load_percentile(4, 4) == 100
    assert levels.load_percentile(1, 3) == 33  # rounded down
    assert levels.load_percentile(0, 0) == 0


@pytest.mark.parametrize(
    ("percentile", "level"), [(0, 1), (1, 1), (20, 1), (21, 2), (60, 3), (80, 4), (81, 5), (100, 5)]
)
def test_percentile_levels_are_fifths(percentile, level):
    assert levels.percentile_level(percentile) == level


def brute_atomic_level(g: nx.DiGraph, target, atoms) -> int:
    """Every path ending at the target, summed: the slow, obvious definition."""
    best = atoms[target]
    for source in nx.ancestors(g, target):
        for path in nx.all_simple_paths(g, source, target):
            best = max(best, sum(atoms[n] for n in path))
    return best


def test_atomic_level_is_the_heaviest_chain_not_the_longest_or_the_sum():
    # a -> c, b -> c, d -> b: the depth of c is 2 (d, b, c), its load sums a, b, c and d.
    edges = [("a", "c"), ("b", "c"), ("d", "b")]
    atoms = {"a": 9, "b": 1, "c": 2, "d": 1}
    assert levels.atomic_level("c", edges, atoms) == 11  # a then c: the heaviest chain
    dag = graph.build_graph(atoms, edges)
    figures = graph.compute_figures(dag, minutes=dict.fromkeys(atoms, 1), atoms=atoms)
    assert figures["c"].depth == 2
    assert figures["c"].atoms_total == 13
    assert levels.atomic_level("a", edges, atoms) == 9  # a root: its own ideas


def test_edges_outside_the_ancestry_are_ignored():
    atoms = {"a": 1, "b": 2}
    assert levels.atomic_level("b", [("a", "b"), ("b", "x"), ("y", "a")], atoms) == 3


@pytest.mark.parametrize("seed", range(20))
def test_atomic_level_matches_brute_force_on_random_dags(seed):
    rng = random.Random(seed)
    nodes = list(range(9))
    edges = [(i, j) for i, j in itertools.combinations(nodes, 2) if rng.random() < 0.3]
    atoms = {n: rng.randint(0, 6) for n in nodes}
    g = nx.DiGraph(edges)
    g.add_nodes_from(nodes)
    for target in nodes:
        behind = nx.ancestors(g, target) | {target}
        inside = [(p, c) for p, c in edges if c in behind]
        got = levels.atomic_level(target, inside, {n: atoms[n] for n in behind})
        assert got == brute_atomic_level(g, target, atoms)
