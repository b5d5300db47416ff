"""The array figures give exactly what the networkx reference (graph.compute_figures) gives."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techtree import graph, graph_arrays
from techtree.synthetic import synthetic_tree

from .test_graph import ATOMS, EDGES, MINUTES, NODES


def both(nodes, edges, minutes, atoms):
    reference = graph.compute_figures(graph.build_graph(nodes, edges), minutes, atoms)
    table = graph_arrays.figure_table(nodes, edges, minutes, atoms)
    return reference, table.as_dict()


def test_the_hand_computed_graph_gives_the_same_figures():
    reference, arrays = both(NODES, EDGES, MINUTES, ATOMS)
    assert arrays == reference
    assert arrays["d"] == graph.Figures(
        depth=2,
        unlocks=1,
        prerequisite_count=4,
        prerequisite_minutes=110,
        reach=1,
        bottleneck=1,
        chain_length=1,
        atoms=4,
        atoms_total=15,
    )


@pytest.mark.parametrize(("size", "seed"), [(1, 0), (2, 0), (50, 3), (700, 3), (3000, 11)])
def test_synthetic_trees_give_the_same_figures(size, seed):
    concepts, edges = synthetic_tree(size, seed=seed)
    nodes = [c.number for c in concepts]
    reference, arrays = both(
        nodes, edges, {c.number: c.minutes for c in concepts}, {c.number: c.atoms for c in concepts}
    )
    assert arrays == reference


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.floats(0, 0.5), st.integers(0, 10**6))
def test_random_dags_give_the_same_figures(size, density, seed):
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in rng.sample(range(size), size)]  # any order, string keys
    edges = [(nodes[i], nodes[j]) for j in range(size) for i in range(j) if rng.random() < density]
    minutes = {n: rng.randint(1, 60) for n in nodes}
    atoms = {n: rng.randint(0, 9) for n in nodes}
    reference, arrays = both(nodes, edges, minutes, atoms)
    assert arrays == reference


def test_an_empty_graph_has_no_figures():
    assert graph_arrays.figure_table([], [], {}, {}).as_dict() == {}


def test_a_cycle_is_refused_and_named_in_the_callers_keys():
    with pytest.raises(graph.CycleError) as error:
        graph_arrays.figure_table(
            ["t", "a", "x"],
            [("x", "a"), ("a", "t"), ("t", "a")],
            dict.fromkeys("tax", 1),
            dict.fromkeys("tax", 1),
        )
    assert error.value.cycle in (["a", "t", "a"], ["t", "a", "t"])


def test_a_self_edge_and_an_unknown_end_are_refused():
    with pytest.raises(graph.CycleError, match="q -> q"):
        graph_arrays.figure_table(["q"], [("q", "q")], {"q": 1}, {"q": 1})
    with pytest.raises(KeyError, match="unknown"):
        graph_arrays.figure_table(["a"], [("a", "zz")], {"a": 1}, {"a": 1})
