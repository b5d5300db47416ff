"""The pure graph module on small hand-built graphs with hand-computed answers."""

import pytest

from techtree import graph
from techtree.synthetic import synthetic_tree

# A diamond with a tail and a separate root:
#
#   a     e
#  / \    |
# b   c   |
#  \ /    |
#   d ----+
#   |
#   f
NODES = ["a", "b", "c", "d", "e", "f"]
EDGES = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("e", "d"), ("d", "f")]
MINUTES = {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50, "f": 60}
ATOMS = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}


@pytest.fixture
def figures():
    return graph.compute_figures(graph.build_graph(NODES, EDGES), MINUTES, ATOMS)


def test_depth_is_the_longest_chain_above(figures):
    assert {n: f.depth for n, f in figures.items()} == {
        "a": 0, "e": 0, "b": 1, "c": 1, "d": 2, "f": 3,
    }  # fmt: skip


def test_unlocks_counts_direct_children(figures):
    assert {n: f.unlocks for n, f in figures.items()} == {
        "a": 2, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0,
    }  # fmt: skip


def test_prerequisite_load_counts_and_sums_everything_behind(figures):
    assert figures["d"].prerequisite_count == 4  # a, b, c, e
    assert figures["d"].prerequisite_minutes == 10 + 20 + 30 + 50
    assert figures["f"].prerequisite_count == 5
    assert figures["f"].prerequisite_minutes == 10 + 20 + 30 + 40 + 50
    assert figures["a"].prerequisite_count == 0
    assert figures["a"].prerequisite_minutes == 0


def test_reach_counts_everything_ahead(figures):
    assert {n: f.reach for n, f in figures.items()} == {
        "a": 4, "b": 2, "c": 2, "d": 1, "e": 2, "f": 0,
    }  # fmt: skip


def test_bottleneck_counts_what_every_route_passes_through(figures):
    # d can be reached from a or from e, so neither a nor e is a bottleneck for d;
    # every route to f passes through d. a alone stands before b and c.
    assert {n: f.bottleneck for n, f in figures.items()} == {
        "a": 2, "b": 0, "c": 0, "d": 1, "e": 0, "f": 0,
    }  # fmt: skip


def test_chain_length_is_the_longest_chain_below(figures):
    assert {n: f.chain_length for n, f in figures.items()} == {
        "a": 3, "b": 2, "c": 2, "d": 1, "e": 2, "f": 0,
    }  # fmt: skip


def test_cognitive_load_adds_the_atoms_behind(figures):
    assert figures["d"].atoms == 4
    assert figures["d"].atoms_total == 4 + 1 + 2 + 3 + 5
    assert figures["a"].atoms_total == 1


def test_a_chain_makes_every_node_a_bottleneck_for_those_after_it():
    nodes = [1, 2, 3, 4]
    g = graph.build_graph(nodes, [(1, 2), (2, 3), (3, 4)])
    figures = graph.compute_figures(g, dict.fromkeys(nodes, 1), dict.fromkeys(nodes, 1))
    assert [figures[n].bottleneck for n in nodes] == [3, 2, 1, 0]
    assert [figures[n].depth for n in nodes] == [0, 1, 2, 3]


def test_nested_dominators_are_found():
    # r -> x -> {y, z} -> w ; every route to w passes through x (not through y or z).
    edges = [("r", "x"), ("x", "y"), ("x", "z"), ("y", "w"), ("z", "w")]
    nodes = ["r", "w", "x", "y", "z"]
    figures = graph.compute_figures(
        graph.build_graph(nodes, edges), dict.fromkeys(nodes, 1), dict.fromkeys(nodes, 1)
    )
    assert figures["r"].bottleneck == 4
    assert figures["x"].bottleneck == 3
    assert figures["y"].bottleneck == 0


def test_a_cycle_is_refused_and_named():
    with pytest.raises(graph.CycleError) as error:
        graph.build_graph(["t", "a", "x"], [("x", "a"), ("a", "t"), ("t", "a")])
    cycle = error.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "t"}
    assert "a -> t -> a" in str(error.value) or "t -> a -> t" in str(error.value)


def test_a_self_edge_is_a_cycle():
    with pytest.raises(graph.CycleError, match="q -> q"):
        graph.build_graph(["q"], [("q", "q")])


def test_an_edge_to_an_unknown_node_is_refused():
    with pytest.raises(KeyError, match="unknown"):
        graph.build_graph(["a"], [("a", "zz")])


def test_learning_path_puts_prerequisites_first_level_by_level():
    g = graph.build_graph(NODES, EDGES)
    assert graph.learning_path(g, "f") == ["a", "e", "b", "c", "d", "f"]
    assert graph.learning_path(g, "a") == ["a"]
    # The key orders concepts within a level.
    assert graph.learning_path(g, "d", key=lambda n: -ord(n)) == ["e", "a", "c", "b", "d"]


def test_every_figure_has_a_label_and_a_definition():
    assert graph.FIGURE_LABELS.keys() == graph.FIGURE_DEFINITIONS.keys()
    assert set(graph.FIGURE_DEFINITIONS) == set(graph.Figures.__dataclass_fields__)
    assert all(text.endswith(".") for text in graph.FIGURE_DEFINITIONS.values())


@pytest.mark.parametrize("size", [1, 2, 50, 700])
def test_synthetic_trees_are_connected_dags(size):
    concepts, edges = synthetic_tree(size, seed=3)
    g = graph.build_graph([c.number for c in concepts], edges)  # raises on a cycle
    roots = [n for n in g if g.in_degree(n) == 0]
    assert roots == [0]
    figures = graph.compute_figures(
        g, {c.number: c.minutes for c in concepts}, {c.number: c.atoms for c in concepts}
    )
    assert figures[0].reach == size - 1
    assert figures[0].bottleneck == size - 1


def test_figures_agree_with_brute_force_on_a_synthetic_tree():
    import networkx as nx

    concepts, edges = synthetic_tree(300, seed=7)
    g = graph.build_graph([c.number for c in concepts], edges)
    minutes = {c.number: c.minutes for c in concepts}
    figures = graph.compute_figures(g, minutes, {c.number: c.atoms for c in concepts})
    for node in range(0, 300, 7):
        behind = nx.ancestors(g, node)
        assert figures[node].prerequisite_count == len(behind)
        assert figures[node].prerequisite_minutes == sum(minutes[n] for n in behind)
        assert figures[node].reach == len(nx.descendants(g, node))
        # Bottleneck by definition: remove the node, count who becomes unreachable.
        cut = g.copy()
        cut.remove_node(node)
        reachable = set()
        for root in (n for n in g if g.in_degree(n) == 0 and n != node):
            reachable |= {root} | nx.descendants(cut, root)
        assert figures[node].bottleneck == len(set(g) - {node} - reachable)
