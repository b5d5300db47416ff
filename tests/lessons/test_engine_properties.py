"""Properties the softmax engine must have whatever the input: sums, invariances, limits,
dtypes, axes, masks and attention. Expected values come from plain NumPy or mpmath on the
side, or from mathematical identities, never from the engine checking itself.
"""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lessons import engine
from tests.lessons.test_engine_reference import (
    DPS,
    block_bytes,
    check_softmax_row,
    logits_and_axis,
    reference,
    rows_of,
)

RANDOM = settings(max_examples=60, deadline=None)
EPS = {np.dtype(np.float64): 2.0**-52, np.dtype(np.float32): 2.0**-23}


# --- Probabilities ----------------------------------------------------------------------------


@RANDOM
@given(data=logits_and_axis(), t=st.sampled_from([1.0, 0.1, 10.0]))
def test_rows_are_probabilities_summing_to_one(data, t):
    x, axis = data
    p = engine.softmax(x, axis=axis, temperature=t)
    assert np.all((p >= 0) & (p <= 1))
    for row in rows_of(p, axis):
        # Each entry is within a few ulps (see test_engine_reference), so the sum is too.
        assert abs(math.fsum(row.tolist()) - 1) <= (len(row) + 4) * EPS[p.dtype]


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 8), elements=st.integers(-1000, 1000).map(float)),
    shift=st.integers(-(10**9), 10**9).map(float),
)
def test_shift_invariance_is_exact_for_exact_shifts(z, shift):
    """Integers below 2^53 shift exactly, so z - max(z) is bit-for-bit the same row."""
    assert np.array_equal(engine.softmax(z + shift), engine.softmax(z))
    assert np.array_equal(engine.log_softmax(z + shift), engine.log_softmax(z))
    assert engine.logsumexp(z + shift) == pytest.approx(engine.logsumexp(z) + shift, rel=1e-15)


@RANDOM
@given(data=logits_and_axis(), shift=st.floats(-1e6, 1e6))
def test_shift_invariance_with_rounding(data, shift):
    """A shift that rounds z changes the inputs slightly; the result follows the new inputs."""
    x, axis = data
    assume(np.all(np.abs(x) < 1e6))
    shifted = (x + x.dtype.type(shift)).astype(x.dtype)
    p = engine.softmax(shifted, axis=axis)
    for z, row in zip(rows_of(shifted, axis), rows_of(p, axis), strict=True):
        check_softmax_row(row, reference(z), x.dtype)


def test_low_temperature_tends_to_argmax_and_splits_ties():
    z = np.array([1.0, 3.0, 2.0, 3.0 - 1e-3])
    cold = engine.softmax(z, temperature=1e-6)
    assert cold.tolist() == [0.0, 1.0, 0.0, 0.0]
    tied = engine.softmax([1.0, 3.0, 3.0, 2.0], temperature=1e-300)
    assert tied.tolist() == [0.0, 0.5, 0.5, 0.0]


def test_high_temperature_tends_to_uniform():
    z = np.array([1e3, -1e3, 0.0, 5.0])
    assert engine.softmax(z, temperature=1e300).tolist() == [0.25] * 4
    warm = engine.softmax(z, temperature=1e6)
    np.testing.assert_allclose(warm, 0.25, rtol=2e-3)
    assert engine.entropy_from_logits(z, temperature=1e300) == pytest.approx(math.log(4))


def test_temperature_scales_the_logits():
    z = np.array([0.3, -1.2, 2.5, 0.0])
    for t in (0.5, 2.0, 7.0):
        for want, got in [
            (engine.softmax(z / t), engine.softmax(z, temperature=t)),
            (engine.log_softmax(z / t), engine.log_softmax(z, temperature=t)),
        ]:
            np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


@settings(max_examples=150, deadline=None)
@given(
    a=st.floats(allow_nan=False, allow_infinity=False),
    b=st.floats(allow_nan=False, allow_infinity=False),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_sigmoid_of_a_difference_is_the_two_class_softmax_to_the_bit(a, b, dtype):
    with np.errstate(over="ignore"):  # the cast may overflow: skip those
        pair = np.array([a, b]).astype(dtype)
    assume(np.all(np.isfinite(pair)))
    with np.errstate(over="ignore"):  # a - b may overflow: sigmoid(±inf) is exact
        gap = pair[0] - pair[1]
    assert engine.sigmoid(gap) == engine.softmax(pair)[0]
    assert engine.sigmoid(-gap) == engine.softmax(pair)[1]


def test_sigmoid_is_stable_and_silent_for_huge_inputs():
    x = np.array([-1e308, -800.0, -745.0, -30.0, 0.0, 30.0, 800.0, 1e308, -np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = engine.sigmoid(x)
    assert s[0] == s[1] == 0 and s[-2] == 0 and s[-1] == 1 and s[-3] == s[-4] == 1
    assert 0 < s[2] < 1e-300 and s[4] == 0.5
    assert s[3] == pytest.approx(float(1 / (1 + mp.exp(30))), rel=1e-15)


# --- dtypes and axes --------------------------------------------------------------------------

FUNCTIONS = {
    "softmax": lambda z: engine.softmax(z),
    "log_softmax": lambda z: engine.log_softmax(z),
    "logsumexp": lambda z: engine.logsumexp(z),
    "cross_entropy": lambda z: engine.cross_entropy(z, 1),
    "cross_entropy_grad": lambda z: engine.cross_entropy_grad(z, 1),
    "masked_softmax": lambda z: engine.masked_softmax(z, [True, False, True]),
    "entropy": lambda z: engine.entropy(np.abs(z) / 10),
    "entropy_from_logits": lambda z: engine.entropy_from_logits(z),
    "sigmoid": lambda z: engine.sigmoid(z),
    "attention_scores": lambda z: engine.attention_scores([z], [z, z]),
    "attention_weights": lambda z: engine.attention_weights([z], [z, z]),
    "naive_softmax": lambda z: engine.naive_softmax(z),
}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize(
    ("logits", "dtype"),
    [
        (np.array([1.0, 2.0, 3.0], dtype=np.float32), np.float32),
        (np.array([1.0, 2.0, 3.0], dtype=np.float16), np.float32),
        (np.array([1.0, 2.0, 3.0]), np.float64),
        ([1.0, 2.0, 3.0], np.float64),
        ([1, 2, 3], np.float64),
        (np.array([1, 2, 3], dtype=np.int8), np.float64),
    ],
)
def test_float32_stays_float32_and_everything_else_becomes_float64(name, logits, dtype):
    assert np.asarray(FUNCTIONS[name](logits)).dtype == np.dtype(dtype)


def test_attention_keeps_float32():
    q = np.ones((2, 3), dtype=np.float32)
    weights, output = engine.attention(q, q, q)
    assert weights.dtype == output.dtype == np.float32


@RANDOM
@given(data=logits_and_axis(), small_blocks=st.booleans())
def test_any_axis_gives_the_last_axis_result_moved_back(data, small_blocks):
    """Rows are identical whichever axis holds them, so the results are bit-for-bit equal."""
    x, axis = data
    last = np.moveaxis(x, axis, -1).copy()
    back = lambda r: np.moveaxis(r, -1, axis)  # noqa: E731
    with block_bytes(64 if small_blocks else engine._BLOCK_BYTES):
        assert np.array_equal(engine.softmax(x, axis=axis), back(engine.softmax(last)))
        assert np.array_equal(engine.log_softmax(x, axis=axis), back(engine.log_softmax(last)))
        assert np.array_equal(engine.logsumexp(x, axis=axis), engine.logsumexp(last))
        assert np.array_equal(
            engine.entropy_from_logits(x, axis=axis), engine.entropy_from_logits(last)
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_blocks_do_not_change_the_result(dtype):
    x = (np.random.default_rng(3).standard_normal((300, 1001)) * 5).astype(dtype)
    x[17] = -np.inf  # a fully masked row inside one block
    y = np.random.default_rng(4).integers(0, 1001, size=300)
    results = []
    for size in (engine._BLOCK_BYTES, 1 << 14, 1):
        with block_bytes(size):
            results.append(
                [
                    engine.softmax(x),
                    engine.log_softmax(x, temperature=3.0),
                    engine.logsumexp(x),
                    engine.cross_entropy(x, y),
                    engine.cross_entropy_grad(x, y),
                ]
            )
    for other in results[1:]:
        for want, got in zip(results[0], other, strict=True):
            assert np.array_equal(want, got)


def test_non_contiguous_input_is_fine():
    x = np.random.default_rng(5).standard_normal((6, 10))[:, ::2]
    for z, row in zip(x, engine.softmax(x), strict=True):
        check_softmax_row(row, reference(z), np.dtype(np.float64))
    np.testing.assert_array_equal(engine.softmax(x.T, axis=0), engine.softmax(x).T)


# --- Losses -----------------------------------------------------------------------------------


def mp_loss(z: list[mp.mpf], y: int) -> mp.mpf:
    return mp.log(mp.fsum(mp.exp(v) for v in z)) - z[y]


@settings(max_examples=40, deadline=None)
@given(
    z=hnp.arrays(np.float64, st.integers(2, 5), elements=st.floats(-20, 20)),
    data=st.data(),
)
def test_gradient_matches_mpmath_numerical_derivative(z, data):
    """mpmath differentiates the exact loss numerically, at 50 digits: independent of p - y.

    The tolerance is the gradient bound of test_engine_reference with every |d| at most
    the row's spread.
    """
    y = data.draw(st.integers(0, len(z) - 1))
    grad = engine.cross_entropy_grad(z, y)
    rel = 4 * 2.0**-53 * (2 + 3 * np.ptp(z) + math.log2(len(z)))
    with mp.workdps(DPS):
        point = [mp.mpf(float(v)) for v in z]
        for j in range(len(z)):

            def along(h, j=j):
                moved = list(point)
                moved[j] += h
                return mp_loss(moved, y)

            exact = mp.diff(along, 0)
            assert abs(mp.mpf(float(grad[j])) - exact) <= rel * abs(exact) + 1e-300


def test_gradient_matches_central_differences_of_the_loss():
    """A float64 cross-check between the two engine functions: O(h^2) + rounding."""
    rng = np.random.default_rng(11)
    z = rng.standard_normal((4, 6)) * 3
    y = rng.integers(0, 6, size=4)
    grad = engine.cross_entropy_grad(z, y)
    h = 1e-5
    for j in range(6):
        step = np.zeros_like(z)
        step[:, j] = h
        central = (engine.cross_entropy(z + step, y) - engine.cross_entropy(z - step, y)) / (2 * h)
        np.testing.assert_allclose(grad[:, j], central, atol=1e-9)


def test_gradient_rows_sum_to_zero_and_soft_targets_match_one_hot():
    z = np.random.default_rng(12).standard_normal((5, 7))
    y = np.array([0, 6, 3, 3, 1])
    onehot = np.eye(7)[y]
    grad = engine.cross_entropy_grad(z, y)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)
    np.testing.assert_allclose(engine.cross_entropy_grad(z, onehot), grad, atol=1e-16)
    np.testing.assert_allclose(engine.cross_entropy(z, onehot), engine.cross_entropy(z, y))


def test_soft_target_loss_and_gradient_against_mpmath():
    z = np.array([[2.0, -1.0, 0.5, -np.inf], [0.0, 0.0, 0.0, 0.0]])
    t = np.array([[0.7, 0.1, 0.2, 0.0], [0.25, 0.25, 0.5, 0.0]])
    loss = engine.cross_entropy(z, t)
    grad = engine.cross_entropy_grad(z, t)
    with mp.workdps(DPS):
        for i in range(2):
            finite = [mp.mpf(float(v)) for v in z[i] if v != -np.inf]
            lse = mp.log(mp.fsum(mp.exp(v) for v in finite))
            exact = mp.fsum(
                mp.mpf(float(w)) * (lse - mp.mpf(float(v)))
                for w, v in zip(t[i], z[i], strict=True)
                if w
            )
            assert abs(loss[i] - exact) <= 1e-15 * exact
            for j in range(4):
                p = 0 if z[i, j] == -np.inf else mp.exp(mp.mpf(float(z[i, j])) - lse)
                exact_g = p * mp.fsum(mp.mpf(float(w)) for w in t[i]) - mp.mpf(float(t[i, j]))
                assert abs(grad[i, j] - exact_g) <= 1e-15


def test_cross_entropy_along_another_axis():
    z = np.random.default_rng(13).standard_normal((5, 3))
    y = np.array([4, 0, 2])
    np.testing.assert_array_equal(engine.cross_entropy(z, y, axis=0), engine.cross_entropy(z.T, y))
    np.testing.assert_array_equal(
        engine.cross_entropy_grad(z, y, axis=0), engine.cross_entropy_grad(z.T, y).T
    )


# --- Masks ------------------------------------------------------------------------------------


@RANDOM
@given(data=logits_and_axis(max_dims=2), seed=st.integers(0, 2**32 - 1))
def test_masked_entries_are_exactly_zero_and_the_rest_renormalise(data, seed):
    x, axis = data
    keep = np.random.default_rng(seed).random(x.shape) < 0.6
    p = engine.masked_softmax(x, keep, axis=axis)
    assert np.all(p[~keep] == 0.0)
    for z, k, row in zip(rows_of(x, axis), rows_of(keep, axis), rows_of(p, axis), strict=True):
        if not k.any():
            assert np.all(row == 0.0)  # nothing to attend to: a row of exact zeros
            continue
        check_softmax_row(row[k], reference(z[k]), x.dtype)


def test_mask_broadcasts_and_ignores_what_it_hides():
    scores = np.array([[1.0, np.nan, 3.0], [np.inf, 2.0, 0.5]])
    keep = np.array([[True, False, True], [False, True, True]])
    p = engine.masked_softmax(scores, keep)
    # Two kept classes: the two-class softmax, i.e. 1 / (1 + e^-(a - b)).
    np.testing.assert_allclose(p[0], [1 / (1 + math.exp(2)), 0, 1 / (1 + math.exp(-2))])
    np.testing.assert_allclose(p[1], [0, 1 / (1 + math.exp(-1.5)), 1 / (1 + math.exp(1.5))])
    assert p[0, 1] == 0 and p[1, 0] == 0
    causal = np.tril(np.ones((3, 3), dtype=bool))
    rows = engine.masked_softmax(np.zeros(3), causal)  # (3,) logits against a (3, 3) mask
    np.testing.assert_allclose(rows, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    as_bools = engine.masked_softmax([1, 2, 3], [True, False, True])
    assert np.array_equal(engine.masked_softmax([1, 2, 3], [1, 0, 1]), as_bools)
    assert np.array_equal(engine.masked_softmax([1, 2, 3], [1.0, 0.0, 1.0]), as_bools)


# --- Attention --------------------------------------------------------------------------------


@RANDOM
@given(
    batch=st.integers(1, 3),
    n_q=st.integers(1, 4),
    n_k=st.integers(1, 5),
    d=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    masked=st.booleans(),
)
def test_attention_rows_sum_to_one_and_outputs_are_convex_combinations(
    batch, n_q, n_k, d, seed, masked
):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((batch, n_q, d)) * 3
    k = rng.standard_normal((batch, n_k, d)) * 3
    v = rng.standard_normal((batch, n_k, 2))
    mask = rng.random((n_q, n_k)) < 0.7 if masked else None
    weights, output = engine.attention(q, k, v, mask)
    assert weights.shape == (batch, n_q, n_k) and output.shape == (batch, n_q, 2)
    live = np.ones((n_q,), dtype=bool) if mask is None else mask.any(axis=1)
    sums = weights.sum(axis=-1)
    np.testing.assert_allclose(sums[:, live], 1, atol=8 * EPS[weights.dtype])
    assert np.all(sums[:, ~live] == 0) and np.all(output[:, ~live] == 0)
    if mask is not None:
        assert np.all(weights[:, ~mask] == 0)
    # A convex combination of value rows stays inside their range, per coordinate.
    low, high = v.min(axis=1, keepdims=True), v.max(axis=1, keepdims=True)
    slack = 1e-12 * (1 + np.abs(v).max())
    assert np.all(output[:, live] >= low - slack) and np.all(output[:, live] <= high + slack)
    np.testing.assert_allclose(output, np.einsum("bqk,bkc->bqc", weights, v), atol=1e-12)


def test_attention_scores_are_scaled_dot_products():
    q = np.array([[1.0, 2.0, 2.0, 0.0]])
    k = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 4.0]])
    assert engine.attention_scores(q, k).tolist() == [[0.5, 2.0]]  # dot / sqrt(4)
    w = engine.attention_weights(q, k)
    np.testing.assert_allclose(w, [[1 / (1 + math.exp(1.5)), 1 / (1 + math.exp(-1.5))]])


def test_a_causal_mask_lets_each_query_see_only_the_past():
    rng = np.random.default_rng(9)
    q, k, v = rng.standard_normal((3, 5, 4))
    causal = np.tril(np.ones((5, 5), dtype=bool))
    weights, output = engine.attention(q, k, v, causal)
    assert np.all(np.triu(weights, 1) == 0)
    assert weights[0].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    np.testing.assert_array_equal(output[0], v[0])
