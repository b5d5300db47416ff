"""The tree map's server-side layout: rows by depth, domains in bands, no overlaps."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techtree import graph_arrays
from techtree.layout import COLUMN, ROW, layered_layout
from techtree.synthetic import DOMAINS, synthetic_tree


def _tree(size, seed=0):
    concepts, edges = synthetic_tree(size, seed=seed)
    ends = np.array(edges, dtype=np.int64).reshape(-1, 2)
    depth = graph_arrays.figure_columns(
        size, ends[:, 0], ends[:, 1], np.ones(size, np.int64), np.ones(size, np.int64)
    )["depth"]
    domain = np.array([DOMAINS.index(c.domain) for c in concepts])
    return depth, domain, ends[:, 0], ends[:, 1]


def _assert_sound(x, y, depth, domain):
    assert np.array_equal(y, depth * ROW)  # one row per depth
    for row in np.unique(depth):
        xs = np.sort(x[depth == row])
        assert (np.diff(xs) >= COLUMN - 1e-9).all()  # never two boxes on one slot
    # Each domain's band lies apart from the others: clusters are rectangles.
    spans = sorted((x[domain == d].min(), x[domain == d].max()) for d in np.unique(domain))
    for (_, right), (left, _) in itertools.pairwise(spans):
        assert right < left


def test_a_small_hand_made_tree():
    # 0 -> 2, 1 -> 2, 1 -> 3; all one domain. Row 1 orders by its parents' barycentre.
    x, y = layered_layout([0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1], [2, 2, 3])
    assert y.tolist() == [0, 0, ROW, ROW]
    assert x[0] < x[1]  # roots keep the given order
    assert x[2] < x[3]  # 2 hangs under 0 and 1, 3 under 1 alone: 2 goes left
    assert x[1] - x[0] == COLUMN and x[3] - x[2] == COLUMN


def test_a_synthetic_curriculum_is_laid_out_soundly_and_deterministically():
    depth, domain, sources, targets = _tree(3000)
    x, y = layered_layout(depth, domain, sources, targets)
    _assert_sound(x, y, depth, domain)
    again = layered_layout(depth, domain, sources, targets)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])


def test_links_stay_shorter_than_a_shuffled_order():
    """The barycentre ordering is worth having: links are shorter than with rows shuffled."""
    depth, domain, sources, targets = _tree(2000)
    x, _ = layered_layout(depth, domain, sources, targets)
    ordered = np.abs(x[sources] - x[targets]).mean()
    rng = np.random.default_rng(0)
    shuffled = x.copy()
    for row in np.unique(depth):
        for d in np.unique(domain):
            cell = np.flatnonzero((depth == row) & (domain == d))
            shuffled[cell] = rng.permutation(x[cell])
    assert ordered < 0.8 * np.abs(shuffled[sources] - shuffled[targets]).mean()


def test_an_empty_tree():
    x, y = layered_layout([], [], [], [])
    assert len(x) == len(y) == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(0, 10_000), st.integers(1, 4))
def test_any_dag_gives_one_slot_per_concept_and_row(size, seed, domains):
    rng = np.random.default_rng(seed)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, size, (size * 2, 2)) if a < b}
    ends = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    depth = graph_arrays.figure_columns(
        size, ends[:, 0], ends[:, 1], np.ones(size, np.int64), np.ones(size, np.int64)
    )["depth"]
    domain = rng.integers(0, domains, size)
    domain = np.unique(domain, return_inverse=True)[1]  # numbered 0..k-1
    x, y = layered_layout(depth, domain, ends[:, 0], ends[:, 1])
    assert np.isfinite(x).all()
    _assert_sound(x, y, depth, domain)


@pytest.mark.parametrize("size", [1, 2])
def test_tiny_trees(size):
    x, _y = layered_layout([0] * size, [0] * size, [], [])
    assert sorted(x.tolist()) == [COLUMN * i for i in range(size)]
