"""Turning logits into choices: argmax, top-k, the nucleus (top-p) mask and seeded sampling.

References are written out by hand or computed with plain Python and mpmath on the side.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lessons import engine

RANDOM = settings(max_examples=80, deadline=None)
small_logits = hnp.arrays(
    np.float64,
    st.integers(1, 8),
    elements=st.one_of(st.integers(-3, 3).map(float), st.floats(-20, 20)),
)


# --- argmax and top-k -------------------------------------------------------------------------


def test_argmax_prefers_the_lower_index_on_ties():
    assert engine.argmax([1.0, 3.0, 3.0, 2.0]) == 1
    assert engine.argmax([-np.inf, -np.inf]) == 0
    assert engine.argmax([[0.0, 1.0], [5.0, 5.0]]).tolist() == [1, 0]
    assert engine.argmax([[0.0, 1.0], [5.0, 5.0]], axis=0).tolist() == [1, 1]
    assert isinstance(int(engine.argmax(np.array([2.0, 1.0], dtype=np.float32))), int)


def test_top_k_orders_by_score_and_breaks_ties_by_index():
    indices, values = engine.top_k([0.5, 2.0, -1.0, 2.0, 1.0], 3)
    assert indices.tolist() == [1, 3, 4]
    assert values.tolist() == [2.0, 2.0, 1.0]
    rows, _ = engine.top_k([[3.0, 1.0, 2.0], [0.0, 0.0, 0.0]], 2)
    assert rows.tolist() == [[0, 2], [0, 1]]
    columns, column_values = engine.top_k([[3.0, 1.0], [4.0, 1.0], [0.0, 1.0]], 2, axis=0)
    assert columns.tolist() == [[1, 0], [0, 1]]
    assert column_values.tolist() == [[4.0, 1.0], [3.0, 1.0]]
    masked, _ = engine.top_k([-np.inf, 1.0, -np.inf], 3)
    assert masked.tolist() == [1, 0, 2]
    assert engine.top_k([-0.0, 0.0], 2)[0].tolist() == [0, 1]


@RANDOM
@given(z=small_logits, data=st.data())
def test_top_k_against_a_sorted_reference(z, data):
    k = data.draw(st.integers(1, len(z)))
    indices, values = engine.top_k(z, k)
    expected = sorted(range(len(z)), key=lambda i: (-z[i], i))[:k]
    assert indices.tolist() == expected
    assert values.tolist() == [z[i] for i in expected]


@pytest.mark.parametrize("k", [0, -1, 4, 1.5, True, None])
def test_k_must_be_a_whole_number_of_classes(k):
    with pytest.raises(ValueError, match="k must be an integer from 1 to 3"):
        engine.top_k([1.0, 2.0, 3.0], k)


# --- top-p ------------------------------------------------------------------------------------


def nucleus_reference(z: np.ndarray, p: float, temperature: float = 1.0) -> list[bool]:
    """The smallest set of most likely tokens with total >= p, at 50 digits."""
    with mp.workdps(50):
        weights = [mp.exp(mp.mpf(float(v)) / temperature) for v in z]
        total = mp.fsum(weights)
        ranked = sorted(range(len(z)), key=lambda i: (-z[i], i))
        keep = [False] * len(z)
        mass = mp.mpf(0)
        for i in ranked:
            if keep[ranked[0]] and (mass >= p or weights[i] == 0):
                break
            keep[i] = True
            mass += weights[i] / total
        return keep


def test_top_p_mask_on_a_worked_example():
    z = np.log([0.5, 0.25, 0.125, 0.125])
    assert engine.top_p_mask(z, 0.4).tolist() == [True, False, False, False]
    assert engine.top_p_mask(z, 0.7).tolist() == [True, True, False, False]
    assert engine.top_p_mask(z, 0.8).tolist() == [True, True, True, False]
    assert engine.top_p_mask(z, 1.0).tolist() == [True] * 4
    assert engine.top_p_mask(z, 0.0).tolist() == [True, False, False, False]  # greedy
    assert engine.top_p_mask(z[::-1], 0.7).tolist() == [False, False, True, True]
    # Ties at the boundary go to the lower index.
    assert engine.top_p_mask([0.0, 0.0, 0.0], 0.5).tolist() == [True, True, False]
    # Masked tokens are never needed, not even for p = 1.
    assert engine.top_p_mask([0.0, -np.inf, 0.0], 1.0).tolist() == [True, False, True]
    # Batched along the last axis; a hotter temperature flattens and so widens the nucleus.
    both = engine.top_p_mask(np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 3.0]]), 0.8)
    assert both.tolist() == [[True, False, False], [False, False, True]]
    assert engine.top_p_mask([3.0, 0.0, 0.0], 0.8, temperature=10.0).tolist() == [True] * 3


@RANDOM
@given(z=small_logits, p=st.floats(0, 1), t=st.sampled_from([1.0, 0.5, 4.0]))
def test_top_p_mask_against_the_definition(z, p, t):
    with mp.workdps(50):
        probs = [mp.exp(mp.mpf(float(v)) / t) for v in z]
        total = mp.fsum(probs)
        ranked = sorted(probs, reverse=True)
        prefix = [mp.fsum(ranked[:i]) / total for i in range(len(z) + 1)]
    # Stay clear of boundaries that float64 rounding could decide either way.
    assume(all(abs(float(c) - p) > 1e-9 for c in prefix))
    assert engine.top_p_mask(z, p, temperature=t).tolist() == nucleus_reference(z, p, t)


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan, None, "0.5"])
def test_p_must_be_a_probability(p):
    with pytest.raises(ValueError, match="p must be a number from 0 to 1"):
        engine.top_p_mask([1.0, 2.0], p)


# --- Sampling ---------------------------------------------------------------------------------


def test_sampling_is_reproducible_from_a_seed_or_a_generator():
    z = [1.0, 2.0, 0.5, 1.5]
    a = [engine.sample(z, np.random.default_rng(42)) for _ in range(3)]
    assert a == [engine.sample(z, 42)] * 3
    one, two = np.random.default_rng(5), np.random.default_rng(5)
    assert [engine.sample(z, one) for _ in range(50)] == [engine.sample(z, two) for _ in range(50)]
    draws = [engine.sample(z, one) for _ in range(50)]
    assert len(set(draws)) > 1 and all(isinstance(d, int) for d in draws)


def test_a_batch_draws_one_class_per_row():
    z = np.zeros((2, 3, 5))
    choice = engine.sample(z, 0)
    assert choice.shape == (2, 3) and choice.dtype.kind == "i"
    assert np.all((choice >= 0) & (choice < 5))


@pytest.mark.parametrize("t", [1.0, 0.5, 2.0])
def test_sample_frequencies_follow_the_probabilities(t):
    z = np.array([1.0, 0.0, -1.0, 2.0, -np.inf])
    draws = engine.sample(np.tile(z, (40_000, 1)), 123, temperature=t)
    with mp.workdps(30):
        weights = [mp.exp(mp.mpf(float(v)) / t) for v in z]
        p = [float(w / mp.fsum(weights)) for w in weights]
    frequencies = np.bincount(draws, minlength=5) / len(draws)
    # Five standard errors of a proportion at 40,000 draws: a seeded, stable check.
    tolerance = 5 * np.sqrt(np.array(p) * (1 - np.array(p)) / len(draws)) + 1e-12
    assert np.all(np.abs(frequencies - p) <= tolerance)
    assert frequencies[4] == 0  # a masked class is never drawn


def test_top_k_and_top_p_restrict_what_can_be_drawn():
    z = np.array([2.0, 1.9, 0.0, -1.0, 1.0])
    rows = np.tile(z, (5000, 1))
    assert set(engine.sample(rows, 1, top_k=2).tolist()) == {0, 1}
    nucleus = engine.top_p_mask(z, 0.6)
    assert set(engine.sample(rows, 2, top_p=0.6).tolist()) == set(np.flatnonzero(nucleus))
    assert set(engine.sample(rows, 3, top_k=3, top_p=0.999).tolist()) == {0, 1, 4}
    assert set(engine.sample(rows, 4, top_k=1).tolist()) == {0}


def test_temperature_zero_is_greedy_and_a_cold_temperature_nearly_so():
    z = [0.1, 2.0, 2.0, 1.0]
    assert engine.sample(z, 0, temperature=0) == 1
    assert engine.sample(z, 0, temperature=0.0, top_k=1, top_p=0.1) == 1
    assert engine.sample(np.array([z, z[::-1]]), 0, temperature=0).tolist() == [1, 1]
    cold = engine.sample(np.tile([0.0, 1.0, 0.5], (1000, 1)), 9, temperature=1e-3)
    assert set(cold.tolist()) == {1}


def test_sampling_needs_something_to_draw_and_a_source_of_randomness():
    with pytest.raises(ValueError, match="entirely -inf"):
        engine.sample([[0.0, 1.0], [-np.inf, -np.inf]], 0)
    with pytest.raises(ValueError, match="entirely -inf"):
        engine.sample([-np.inf, -np.inf], 0, temperature=0)
    for source in (None, 1.5, "seed", True, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="Generator or an integer seed"):
            engine.sample([0.0, 1.0], source)
    with pytest.raises(ValueError, match="k must be"):
        engine.sample([0.0, 1.0], 0, top_k=3)
    with pytest.raises(ValueError, match="p must be"):
        engine.sample([0.0, 1.0], 0, top_p=2.0)


@settings(max_examples=60, deadline=None)
@given(z=small_logits, seed=st.integers(0, 2**32 - 1), t=st.sampled_from([0.3, 1.0, 3.0]))
def test_a_sample_is_always_a_class_with_positive_probability(z, seed, t):
    z = z.copy()
    z[seed % len(z)] = -np.inf if len(z) > 1 else z[0]
    choice = engine.sample(z, seed, temperature=t)
    assert 0 <= choice < len(z) and z[choice] != -np.inf
