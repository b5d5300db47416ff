"""The softmax engine against a 50-digit mpmath reference, on hard inputs and random ones.

The reference works on the exact values of the float inputs in 50-digit arithmetic, so its
own error (about 1e-48 relative) is far below anything checked here. The bounds are the
first-order rounding-error bounds of a max-shifted algorithm, times a safety factor C = 4
(the worst ratio measured over thousands of random rows is about 2). With u the unit
roundoff (2^-53 for float64, 2^-24 for float32), d_i = (z_i - max z) / T the shifted
exponents, p the exact probabilities, w = sum_j p_j |d_j| and n the number of classes:

- softmax:     |p^_i - p_i|      <= C u p_i (1 + |d_i| + w + log2 n)
- log_softmax: |l^_i - l_i|      <= C u (|l_i| + |d_i| + w + (1 + log2 n)(1 - p_max))
- logsumexp:   |s^ - s|          <= C u (|s| + w + (1 + log2 n)(1 - p_max))
- cross-entropy is -log_softmax at the target; its gradient obeys the softmax bound,
  with the target's entry p_y - 1 measured against |p_y - 1| (so tiny gradients of
  confident, correct predictions must keep their digits too).

For inputs with small spreads (|d_i| <= 1) these are a few units in the last place; the
|d_i| terms are the unavoidable rounding of z_i - max z, which every float implementation
(SciPy's included) pays. Every bound also allows two of the smallest subnormals, for
results below the float range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lessons import engine

DPS = 50  # mpmath digits for every reference value
C = 4  # safety factor over the first-order bounds above
UNIT = {np.dtype(np.float64): 2.0**-53, np.dtype(np.float32): 2.0**-24}
TINY = {np.dtype(np.float64): 2.0**-1074, np.dtype(np.float32): 2.0**-149}
RANDOM = settings(max_examples=60, deadline=None)


# --- The reference --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of logits worked out exactly: shifted exponents, probabilities, logs."""

    d: list[mp.mpf]  # (z_i - max) / T
    e: list[mp.mpf]  # exp(d_i)
    top: mp.mpf  # max z
    rest: mp.mpf  # sum of e over every position but the (first) maximum
    p: list[mp.mpf]
    log_total: mp.mpf  # log(sum e) = logsumexp(z / T) - max / T
    w: mp.mpf  # sum p_j |d_j|

    @property
    def n(self) -> int:
        return len(self.d)


def reference(values: Sequence[float], temperature: float = 1.0) -> Row:
    """Softmax quantities of one row at DPS digits (the row must hold a finite value)."""
    floats = [float(v) for v in values]
    top = max(floats)
    first = floats.index(top)
    with mp.workdps(DPS):
        t = mp.mpf(temperature)
        d = [(mp.mpf(v) - mp.mpf(top)) / t for v in floats]
        e = [mp.exp(v) for v in d]
        rest = mp.fsum(v for j, v in enumerate(e) if j != first)
        total = 1 + rest
        p = [v / total for v in e]
        w = mp.fsum(pj * abs(dj) for pj, dj in zip(p, d, strict=True) if pj)
        return Row(d, e, mp.mpf(top), rest, p, mp.log1p(rest), w)


def mp_value(x: float) -> mp.mpf:
    return mp.mpf(float(x))


def assert_within(got: float, exact: mp.mpf, bound: mp.mpf, what: str) -> None:
    """|got - exact| <= bound, in DPS-digit arithmetic; beyond the float range, got = ±inf."""
    largest = float(np.finfo(np.asarray(got).dtype).max)
    with mp.workdps(DPS):
        if mp.isinf(exact) or abs(exact) > mp.mpf(largest) * (1 + mp.mpf(2) ** -20):
            assert got == (np.inf if exact > 0 else -np.inf), (what, got, exact)
            return
        error = abs(mp_value(got) - exact)
        assert error <= bound, f"{what}: got {got!r}, exact {mp.nstr(exact, 20)}, " + (
            f"error {mp.nstr(error, 3)} > bound {mp.nstr(bound, 3)}"
        )


def check_softmax_row(got: np.ndarray, row: Row, dtype: np.dtype) -> None:
    u, tiny, lg = UNIT[dtype], TINY[dtype], math.log2(row.n)
    with mp.workdps(DPS):
        for i, exact in enumerate(row.p):
            if not exact:  # only a -inf logit has probability exactly 0
                assert got[i] == 0, (i, got[i])
                continue
            bound = C * u * exact * (1 + abs(row.d[i]) + row.w + lg) + 2 * tiny
            assert_within(got[i], exact, bound, f"softmax[{i}]")


def check_log_softmax_row(got: np.ndarray, row: Row, dtype: np.dtype) -> None:
    u, tiny, lg = UNIT[dtype], TINY[dtype], math.log2(row.n)
    with mp.workdps(DPS):
        spread = (1 + lg) * row.rest / (1 + row.rest)
        for i, d in enumerate(row.d):
            exact = d - row.log_total
            if mp.isinf(exact):
                assert got[i] == -np.inf
                continue
            bound = C * u * (abs(exact) + abs(d) + row.w + spread) + 2 * tiny
            assert_within(got[i], exact, bound, f"log_softmax[{i}]")


def check_logsumexp_value(got: float, row: Row, dtype: np.dtype) -> None:
    u, tiny, lg = UNIT[dtype], TINY[dtype], math.log2(row.n)
    with mp.workdps(DPS):
        exact = row.top + row.log_total
        spread = (1 + lg) * row.rest / (1 + row.rest)
        assert_within(got, exact, C * u * (abs(exact) + row.w + spread) + 2 * tiny, "logsumexp")


def check_cross_entropy_value(got: float, row: Row, y: int, dtype: np.dtype) -> None:
    u, tiny, lg = UNIT[dtype], TINY[dtype], math.log2(row.n)
    with mp.workdps(DPS):
        exact = row.log_total - row.d[y]
        if mp.isinf(exact):
            assert got == np.inf
            return
        spread = (1 + lg) * row.rest / (1 + row.rest)
        bound = C * u * (exact + abs(row.d[y]) + row.w + spread) + 2 * tiny
        assert_within(got, exact, bound, "cross_entropy")


def check_gradient_row(got: np.ndarray, row: Row, y: int, dtype: np.dtype) -> None:
    u, tiny, lg = UNIT[dtype], TINY[dtype], math.log2(row.n)
    with mp.workdps(DPS):
        total = 1 + row.rest
        for j, p in enumerate(row.p):
            if j != y and not p:
                assert got[j] == 0, (j, got[j])
            elif j != y:
                bound = C * u * p * (1 + abs(row.d[j]) + row.w + lg) + 2 * tiny
                assert_within(got[j], p, bound, f"gradient[{j}]")
        # p_y - 1 = -(everything but the target) / total, exactly, without cancellation.
        others = [(row.e[k], abs(row.d[k])) for k in range(row.n) if k != y]
        mass = mp.fsum(e for e, _ in others)
        exact = -mass / total
        w_others = mp.fsum(e * d for e, d in others if e) / mass if mass else 0
        scale = 1 + lg + abs(row.d[y]) + row.w + w_others
        assert_within(got[y], exact, C * u * abs(exact) * scale + 2 * tiny, f"gradient[{y}]")


def rows_of(x: np.ndarray, axis: int) -> np.ndarray:
    """The 1-D rows along axis, as a (rows, n) array (plain NumPy, not the engine)."""
    moved = np.moveaxis(x, axis, -1)
    return moved.reshape(-1, moved.shape[-1])


@contextmanager
def block_bytes(size: int):
    """Shrink the engine's row blocks so that small arrays take the multi-block path."""
    saved = engine._BLOCK_BYTES
    engine._BLOCK_BYTES = size
    try:
        yield
    finally:
        engine._BLOCK_BYTES = saved


# --- Strategies -------------------------------------------------------------------------------


@st.composite
def logits_and_axis(draw, max_dims: int = 3) -> tuple[np.ndarray, int]:
    """Finite float64 or float32 logits of 1 to 3 dimensions at one of several scales."""
    dtype = np.dtype(draw(st.sampled_from([np.float64, np.float32])))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=4))
    biggest = float(np.finfo(dtype).max)
    scale = draw(st.sampled_from([1.0, 30.0, 800.0, 1e5, biggest]))
    elements = st.floats(-scale, scale, width=dtype.itemsize * 8)
    x = draw(hnp.arrays(dtype, shape, elements=elements))
    if scale <= 800.0:
        x = x + dtype.type(draw(st.sampled_from([0.0, 1e4, -3e6])))  # far from 0, small spread
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return x, axis


temperatures = st.sampled_from([1.0, 0.25, 3.0, 1e-3, 1e3])
block_sizes = st.sampled_from([engine._BLOCK_BYTES, 1])  # one block, or one row per block


# --- Hard inputs ------------------------------------------------------------------------------

HARD_ROWS = [
    [1.0, 2.0, 3.0],
    [0.0, 0.0, 0.0],
    [1000.0, 0.0],
    [0.0, -40.0],
    [0.0, -10.0, -10.0, -10.0],
    [1e308, -1e308],
    [-1e308, 1e308, 0.0],
    [1e308, 1e308],
    [-1e308, -1e308],
    [1e4, -1e4, 0.0, 1.0, 2.0],
    [1e4, 1e4 + 1e-12, 1e4 - 1e-12],
    [5e-324, 0.0, -5e-324],
    [1e-300, 2e-300],
    [745.0, 0.0, -745.0],
    [-0.0, 0.0],
    [float(np.finfo(np.float64).max), float(np.finfo(np.float64).max) * 0.5, 0.0],
    [3.0] * 300,
    list(np.linspace(-50, 50, 257)),
]
HARD_ROWS_32 = [
    [3.4e38, -3.4e38],
    [3.4e38, 3.4e38, 0.0],
    [88.0, 0.0, -88.0],
    [1e4, 1e4 + 1.0, 1e4 - 1.0],
    [0.0, -17.0],
    [1e-45, 0.0],
]
HARD = [(row, np.float64) for row in HARD_ROWS] + [
    (row, dtype) for row in HARD_ROWS_32 for dtype in (np.float32, np.float64)
]


@pytest.mark.parametrize(("values", "dtype"), HARD)
@pytest.mark.parametrize("temperature", [1.0, 0.5, 7.0])
def test_hard_rows_against_mpmath(values, dtype, temperature):
    z = np.array(values, dtype=dtype)
    row = reference(z, temperature)
    dt = np.dtype(dtype)
    check_softmax_row(engine.softmax(z, temperature=temperature), row, dt)
    check_log_softmax_row(engine.log_softmax(z, temperature=temperature), row, dt)
    if temperature == 1.0:
        check_logsumexp_value(engine.logsumexp(z), row, dt)
        for y in {0, len(values) - 1, int(np.argmax(z))}:
            check_cross_entropy_value(engine.cross_entropy(z, y), row, y, dt)
            check_gradient_row(engine.cross_entropy_grad(z, y), row, y, dt)


@pytest.mark.parametrize(
    "values",
    [
        [0.0, -40.0],  # confident rows: the answer is the tiny held-out sum, not 0
        [0.0, -10.0],
        [0.0, -745.0],  # the answer is the smallest subnormal
        [1e308, -1e308],
        [-1e308, -1e308],
        [3.0, 3.0, 3.0],
        [-0.5, -0.5],  # log 2 - 0.5: no cancellation trouble either
    ],
)
def test_logsumexp_is_within_one_ulp_on_known_rows(values):
    with mp.workdps(DPS):
        exact = float(mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in values)))
    np.testing.assert_array_max_ulp(engine.logsumexp(values), exact, maxulp=1)


def test_loss_of_a_confident_correct_prediction_keeps_its_digits():
    # -log(1 / (1 + e^-40)) = log1p(e^-40); computing it as -log(softmax) would give 0.
    z = np.array([40.0, 0.0])
    with mp.workdps(DPS):
        exact = float(mp.log1p(mp.exp(-40)))
    np.testing.assert_array_max_ulp(engine.cross_entropy(z, 0), exact, maxulp=2)
    np.testing.assert_array_max_ulp(engine.log_softmax(z)[0], -exact, maxulp=2)
    grad = engine.cross_entropy_grad(z, 0)
    np.testing.assert_array_max_ulp(grad, [-exact, exact], maxulp=4)


# --- Random inputs ----------------------------------------------------------------------------


@RANDOM
@given(data=logits_and_axis(), t=temperatures, blocks=block_sizes)
def test_softmax_and_log_softmax_match_mpmath(data, t, blocks):
    x, axis = data
    dtype = x.dtype
    with block_bytes(blocks):
        p = engine.softmax(x, axis=axis, temperature=t)
        logp = engine.log_softmax(x, axis=axis, temperature=t)
    assert p.dtype == logp.dtype == np.dtype(dtype)
    assert p.shape == logp.shape == x.shape
    for z, p_row, logp_row in zip(
        rows_of(x, axis), rows_of(p, axis), rows_of(logp, axis), strict=True
    ):
        row = reference(z, t)
        check_softmax_row(p_row, row, np.dtype(dtype))
        check_log_softmax_row(logp_row, row, np.dtype(dtype))


@RANDOM
@given(data=logits_and_axis(), blocks=block_sizes, keepdims=st.booleans())
def test_logsumexp_matches_mpmath(data, blocks, keepdims):
    x, axis = data
    dtype = x.dtype
    with block_bytes(blocks):
        lse = engine.logsumexp(x, axis=axis, keepdims=keepdims)
    expected_shape = np.zeros(x.shape).sum(axis=axis, keepdims=keepdims).shape
    assert np.shape(lse) == expected_shape
    assert np.asarray(lse).dtype == np.dtype(dtype)
    flat = np.asarray(lse).reshape(-1)
    for z, value in zip(rows_of(x, axis), flat, strict=True):
        check_logsumexp_value(value, reference(z), np.dtype(dtype))


@RANDOM
@given(data=logits_and_axis(), blocks=block_sizes, seed=st.integers(0, 2**32 - 1))
def test_cross_entropy_and_gradient_match_mpmath(data, blocks, seed):
    x, axis = data
    dtype = x.dtype
    n = x.shape[axis]
    labels = np.random.default_rng(seed).integers(0, n, size=np.delete(x.shape, axis))
    with block_bytes(blocks):
        loss = engine.cross_entropy(x, labels, axis=axis)
        grad = engine.cross_entropy_grad(x, labels, axis=axis)
    assert np.shape(loss) == labels.shape and grad.shape == x.shape
    assert np.asarray(loss).dtype == grad.dtype == np.dtype(dtype)
    flat_loss = np.asarray(loss).reshape(-1)
    for z, y, value, g in zip(
        rows_of(x, axis), labels.reshape(-1), flat_loss, rows_of(grad, axis), strict=True
    ):
        row = reference(z)
        check_cross_entropy_value(value, row, int(y), np.dtype(dtype))
        check_gradient_row(g, row, int(y), np.dtype(dtype))


@RANDOM
@given(data=logits_and_axis(), t=temperatures)
def test_entropy_from_logits_matches_mpmath(data, t):
    x, axis = data
    dtype = x.dtype
    h = np.asarray(engine.entropy_from_logits(x, axis=axis, temperature=t)).reshape(-1)
    u, tiny = UNIT[np.dtype(dtype)], TINY[np.dtype(dtype)]
    for z, got in zip(rows_of(x, axis), h, strict=True):
        row = reference(z, t)
        with mp.workdps(DPS):
            exact = row.log_total - mp.fsum(p * d for p, d in zip(row.p, row.d, strict=True) if p)
            squares = mp.fsum(p * d * d for p, d in zip(row.p, row.d, strict=True) if p)
            # Terms p_j d_j whose exp(d_j) underflowed are lost: at most ~1000 subnormals each.
            bound = C * u * (exact * (1 + math.log2(row.n) + row.w) + squares)
            assert_within(got, exact, bound + 1000 * row.n * tiny, "entropy_from_logits")


@RANDOM
@given(
    p=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6),
        elements=st.one_of(st.just(0.0), st.floats(0, 1), st.floats(0, 1e-300)),
    ),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_entropy_matches_mpmath(p, dtype):
    p = p.astype(dtype)
    h = np.asarray(engine.entropy(p)).reshape(-1)
    u, tiny = UNIT[np.dtype(dtype)], TINY[np.dtype(dtype)]
    for row, got in zip(rows_of(p, -1), h, strict=True):
        with mp.workdps(DPS):
            terms = [-mp_value(v) * mp.log(mp_value(v)) for v in row if v > 0]
            exact = mp.fsum(terms)
            bound = C * u * (2 + math.log2(len(row))) * mp.fsum(abs(t) for t in terms)
            assert_within(got, exact, bound + 2 * tiny * len(row), "entropy")


@settings(max_examples=200, deadline=None)
@given(
    x=st.one_of(st.floats(-50, 50, width=32), st.floats(allow_nan=False, width=32)),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_sigmoid_is_within_three_ulps(x, dtype):
    """exp, 1 + e, 1 / (1 + e) and the product each round once: at most 3 ulps in all."""
    value = np.array(x, dtype=dtype)
    with mp.workdps(DPS):
        exact = 1 / (1 + mp.exp(-mp_value(value)))
        expected = np.array(float(exact)).astype(dtype)
    got = engine.sigmoid(value)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_max_ulp(got, expected, maxulp=3)


def test_large_arrays_match_mpmath_on_sampled_rows():
    """Big arrays take the multi-block path for real; a few rows of each are checked."""
    rng = np.random.default_rng(7)
    for dtype in (np.float64, np.float32):
        x = (rng.standard_normal((601, 900)) * 8).astype(dtype)
        assert x.nbytes > 2 * engine._BLOCK_BYTES
        p, logp, lse = engine.softmax(x), engine.log_softmax(x), engine.logsumexp(x)
        for i in (0, 600):
            row = reference(x[i])
            check_softmax_row(p[i], row, np.dtype(dtype))
            check_log_softmax_row(logp[i], row, np.dtype(dtype))
            check_logsumexp_value(lse[i], row, np.dtype(dtype))


# --- Attention --------------------------------------------------------------------------------


def mp_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> tuple[list, list]:
    """Weights and outputs of one (n_q, d) x (n_k, d) x (n_k, d_v) attention, at DPS digits."""
    with mp.workdps(DPS):
        scale = mp.sqrt(q.shape[-1])
        weights, outputs = [], []
        for query in q:
            scores = [
                mp.fsum(mp_value(a) * mp_value(b) for a, b in zip(query, key, strict=True)) / scale
                for key in k
            ]
            top = max(scores)
            e = [mp.exp(s - top) for s in scores]
            total = mp.fsum(e)
            w = [x / total for x in e]
            weights.append(w)
            outputs.append(
                [
                    mp.fsum(wi * mp_value(vi[c]) for wi, vi in zip(w, v, strict=True))
                    for c in range(v.shape[-1])
                ]
            )
        return weights, outputs


@RANDOM
@given(
    n_q=st.integers(1, 3),
    n_k=st.integers(1, 4),
    d=st.integers(1, 4),
    d_v=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 10.0]),
)
def test_attention_matches_mpmath(n_q, n_k, d, d_v, seed, scale):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal(s) * scale for s in ((n_q, d), (n_k, d), (n_k, d_v)))
    weights, output = engine.attention(q, k, v)
    exact_w, exact_out = mp_attention(q, k, v)
    # Scores carry the dot product's rounding, ~d u sum|q_i k_i|, amplified by up to
    # 2 |score| in the weights: a loose 1e-12 relative bound covers this comfortably.
    for i in range(n_q):
        for j in range(n_k):
            assert_within(weights[i, j], exact_w[i][j], 1e-12 * exact_w[i][j] + 1e-300, "w")
        for c in range(d_v):
            magnitude = float(np.max(np.abs(v[:, c])))
            assert_within(output[i, c], exact_out[i][c], 1e-12 * magnitude + 1e-300, "out")
