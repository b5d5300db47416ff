"""Each documented edge case of the softmax engine has exactly one behaviour (see the
module docstring of lessons/engine.py): NaN, infinities, temperatures, empty axes, fully
masked rows, huge inputs, and the naive softmax that is allowed to fail.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lessons import engine

NAN, INF = float("nan"), float("inf")

# Every function that takes logits, called on a 1-D row.
ON_LOGITS = {
    "softmax": lambda z: engine.softmax(z),
    "log_softmax": lambda z: engine.log_softmax(z),
    "logsumexp": lambda z: engine.logsumexp(z),
    "cross_entropy": lambda z: engine.cross_entropy(z, 0),
    "cross_entropy_soft": lambda z: engine.cross_entropy(z, np.full(len(z), 1 / len(z))),
    "cross_entropy_grad": lambda z: engine.cross_entropy_grad(z, 0),
    "masked_softmax": lambda z: engine.masked_softmax(z, np.ones(len(z), dtype=bool)),
    "entropy_from_logits": lambda z: engine.entropy_from_logits(z),
    "argmax": lambda z: engine.argmax(z),
    "top_k": lambda z: engine.top_k(z, 1),
    "top_p_mask": lambda z: engine.top_p_mask(z, 0.9),
    "sample": lambda z: engine.sample(z, 0),
    "attention_weights": lambda z: engine.attention_weights(
        np.ones((1, 1)), np.array(z, dtype=float)[:, None]
    ),
}


# --- NaN and +inf -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ON_LOGITS)
@pytest.mark.parametrize("where", [0, 1, 2])
def test_nan_anywhere_is_a_value_error(name, where):
    z = np.array([1.0, 2.0, 3.0])
    z[where] = NAN
    with pytest.raises(ValueError, match="NaN"):
        ON_LOGITS[name](z)


@pytest.mark.parametrize("name", ON_LOGITS)
def test_plus_infinity_is_a_value_error(name):
    with pytest.raises(ValueError, match=r"\+inf"):
        ON_LOGITS[name]([1.0, INF, 3.0])


def test_nan_in_one_row_of_a_batch_or_a_later_block_is_found():
    x = np.zeros((400, 1000))
    x[399, 999] = NAN  # the last block
    for fn in (engine.softmax, engine.log_softmax, engine.logsumexp):
        with pytest.raises(ValueError, match="NaN"):
            fn(x)


def test_nan_in_other_inputs():
    with pytest.raises(ValueError, match="NaN"):
        engine.sigmoid([0.0, NAN])
    with pytest.raises(ValueError, match="NaN"):
        engine.entropy([0.5, NAN])
    with pytest.raises(ValueError, match="non-negative"):
        engine.cross_entropy([1.0, 2.0], [NAN, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        engine.attention(np.ones((1, 2)), np.array([[NAN, 1.0]]), np.ones((1, 1)))


# --- -inf: masked logits ----------------------------------------------------------------------


def test_minus_infinity_is_a_masked_logit():
    z = np.array([2.0, -INF, 0.0])
    p = engine.softmax(z)
    assert p[1] == 0.0
    np.testing.assert_array_equal(p[[0, 2]], engine.softmax([2.0, 0.0]))
    assert engine.log_softmax(z)[1] == -INF
    assert engine.logsumexp(z) == engine.logsumexp([2.0, 0.0])
    assert engine.cross_entropy(z, 1) == INF
    assert engine.cross_entropy(z, 0) == engine.cross_entropy([2.0, 0.0], 0)
    np.testing.assert_array_equal(engine.cross_entropy_grad(z, 0)[1], 0.0)
    assert engine.entropy_from_logits(z) == pytest.approx(engine.entropy_from_logits([2.0, 0.0]))
    assert engine.cross_entropy(z, [0.5, 0.0, 0.5]) == pytest.approx(
        engine.cross_entropy([2.0, 0.0], [0.5, 0.5])
    )


def test_a_row_of_minus_infinity_is_a_fully_masked_row():
    x = np.array([[1.0, 2.0, 3.0], [-INF, -INF, -INF]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert engine.softmax(x)[1].tolist() == [0.0, 0.0, 0.0]
        assert engine.log_softmax(x)[1].tolist() == [-INF, -INF, -INF]
        assert engine.logsumexp(x)[1] == -INF
        assert engine.entropy_from_logits(x)[1] == 0.0
        assert engine.cross_entropy(x, [0, 2])[1] == INF
        assert engine.cross_entropy_grad(x, [0, 2])[1].tolist() == [0.0, 0.0, -1.0]
        assert engine.masked_softmax(x[0], [False] * 3).tolist() == [0.0, 0.0, 0.0]
    # The live row is untouched by its dead neighbour.
    np.testing.assert_array_equal(engine.softmax(x)[0], engine.softmax(x[0]))
    np.testing.assert_array_equal(engine.log_softmax(x)[0], engine.log_softmax(x[0]))


def test_a_query_with_nothing_to_attend_to_gets_zero_weights_and_zero_output():
    q = np.ones((2, 3))
    k = np.ones((4, 3))
    v = np.arange(8.0).reshape(4, 2)
    mask = np.array([[True, False, True, False], [False, False, False, False]])
    weights, output = engine.attention(q, k, v, mask)
    assert weights[1].tolist() == [0.0] * 4 and output[1].tolist() == [0.0, 0.0]
    assert weights[0].tolist() == [0.5, 0.0, 0.5, 0.0]


# --- Temperature ------------------------------------------------------------------------------

TEMPERED = {
    "softmax": lambda t: engine.softmax([1.0, 2.0], temperature=t),
    "log_softmax": lambda t: engine.log_softmax([1.0, 2.0], temperature=t),
    "masked_softmax": lambda t: engine.masked_softmax([1.0, 2.0], [True, True], temperature=t),
    "entropy_from_logits": lambda t: engine.entropy_from_logits([1.0, 2.0], temperature=t),
    "top_p_mask": lambda t: engine.top_p_mask([1.0, 2.0], 0.5, temperature=t),
}


@pytest.mark.parametrize("name", TEMPERED)
@pytest.mark.parametrize("t", [0, 0.0, -1.0, -0.0, NAN, INF, -INF, np.float32(0)])
def test_temperature_must_be_finite_and_positive(name, t):
    with pytest.raises(ValueError, match="temperature must be a finite number greater than 0"):
        TEMPERED[name](t)


@pytest.mark.parametrize("name", TEMPERED)
@pytest.mark.parametrize("t", ["1", None, np.array([1.0]), True])
def test_temperature_must_be_a_number(name, t):
    with pytest.raises(TypeError, match="temperature must be a number"):
        TEMPERED[name](t)


@pytest.mark.parametrize("t", [1, 2, 0.5, np.float32(0.5), np.float64(3.0), 1e-300, 1e300])
def test_numeric_temperatures_of_any_type_are_accepted(t):
    p = engine.softmax(np.array([1.0, 2.0], dtype=np.float32), temperature=t)
    assert p.dtype == np.float32 and abs(float(p.sum()) - 1) < 1e-6


def test_sample_alone_takes_temperature_zero_as_greedy():
    assert engine.sample([1.0, 3.0, 3.0, 2.0], 0, temperature=0) == 1
    with pytest.raises(ValueError, match="temperature"):
        engine.sample([1.0, 2.0], 0, temperature=-1.0)


# --- Empty axis ------------------------------------------------------------------------------


def test_an_empty_class_axis_follows_the_mathematics():
    empty = np.zeros((3, 0))
    for fn in (engine.softmax, engine.log_softmax, engine.naive_softmax):
        assert fn(empty).shape == (3, 0)
    assert engine.masked_softmax(empty, np.zeros((3, 0), dtype=bool)).shape == (3, 0)
    assert engine.logsumexp(empty).tolist() == [-INF] * 3  # log of an empty sum
    assert engine.logsumexp(empty, keepdims=True).shape == (3, 1)
    assert engine.logsumexp([]) == -INF
    assert engine.entropy(empty).tolist() == [0.0] * 3
    assert engine.entropy_from_logits(empty).tolist() == [0.0] * 3
    assert engine.softmax(np.zeros(0, dtype=np.float32)).dtype == np.float32
    weights, output = engine.attention(np.ones((2, 3)), np.ones((0, 3)), np.ones((0, 4)))
    assert weights.shape == (2, 0) and output.tolist() == [[0.0] * 4] * 2


@pytest.mark.parametrize(
    "call",
    [
        lambda: engine.cross_entropy(np.zeros((2, 0)), np.zeros(2, dtype=int)),
        lambda: engine.cross_entropy_grad(np.zeros((2, 0)), np.zeros(2, dtype=int)),
        lambda: engine.argmax([]),
        lambda: engine.top_k([], 1),
        lambda: engine.top_p_mask([], 0.5),
        lambda: engine.sample([], 0),
    ],
)
def test_choosing_from_no_classes_is_a_value_error(call):
    with pytest.raises(ValueError, match="at least one class"):
        call()


def test_empty_batches_are_fine():
    assert engine.softmax(np.zeros((0, 5))).shape == (0, 5)
    assert engine.logsumexp(np.zeros((0, 5))).shape == (0,)
    assert engine.cross_entropy(np.zeros((0, 5)), np.zeros(0, dtype=int)).shape == (0,)


def test_a_scalar_has_no_class_axis():
    with pytest.raises(ValueError):  # numpy's AxisError is a ValueError
        engine.softmax(3.0)
    with pytest.raises(ValueError):
        engine.softmax([1.0, 2.0], axis=1)


# --- Huge and tiny finite inputs --------------------------------------------------------------

BIG64 = float(np.finfo(np.float64).max)
BIG32 = float(np.finfo(np.float32).max)


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1e4, -1e4], np.float64, [1.0, 0.0]),
        ([1e308, -1e308], np.float64, [1.0, 0.0]),
        ([-1e308, 1e308, 1e308], np.float64, [0.0, 0.5, 0.5]),
        ([BIG64, -BIG64], np.float64, [1.0, 0.0]),
        ([-BIG64, -BIG64], np.float64, [0.5, 0.5]),
        ([5e-324, -5e-324], np.float64, [0.5, 0.5]),
        ([BIG32, -BIG32], np.float32, [1.0, 0.0]),
        ([BIG32, BIG32, -BIG32, 0.0], np.float32, [0.5, 0.5, 0.0, 0.0]),
        ([1e-45, 0.0], np.float32, [0.5, 0.5]),
    ],
)
@pytest.mark.parametrize("t", [1.0, 1e-3, 1e3, 1e300])
def test_huge_inputs_neither_overflow_nor_warn(values, dtype, expected, t):
    z = np.array(values, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = engine.softmax(z, temperature=t)
        logp = engine.log_softmax(z, temperature=t)
        lse = engine.logsumexp(z)
        h = engine.entropy_from_logits(z, temperature=t)
        grad = engine.cross_entropy_grad(z, 0)
        loss = engine.cross_entropy(z, 0)
    assert p.dtype == z.dtype
    if t <= 1:  # colder only sharpens these: the same answer
        np.testing.assert_allclose(p, expected, rtol=1e-6, atol=0)
    assert abs(float(p.sum()) - 1) <= 4 * np.finfo(dtype).eps
    assert np.all(np.isfinite(logp) | (logp == -INF)) and np.all(logp <= 0)
    assert np.isfinite(lse) and lse >= z.max()
    assert np.isfinite(h) and h >= 0
    assert np.all(np.isfinite(grad)) and loss >= 0  # the loss may be +inf: -log(0)


def test_a_large_temperature_brings_an_overflowing_gap_back_into_range():
    # (1e308 - (-1e308)) overflows, but divided by T = 1e306 the gap is only 200.
    p = engine.softmax([1e308, -1e308], temperature=1e306)
    np.testing.assert_allclose(p, [1 / (1 + np.exp(-200.0)), np.exp(-200.0)], rtol=1e-13)
    logp = engine.log_softmax([1e308, -1e308], temperature=1e306)
    np.testing.assert_allclose(logp, [-np.exp(-200.0), -200.0], rtol=1e-13)


@settings(max_examples=100, deadline=None)
@given(
    x=hnp.arrays(
        st.sampled_from([np.float64, np.float32]),
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6),
        elements={"allow_nan": False, "allow_infinity": False},
    ),
    t=st.sampled_from([1.0, 1e-300, 1e-10, 1e10, 1e300]),
)
def test_any_finite_input_gives_a_distribution_without_warnings(x, t):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = engine.softmax(x, temperature=t)
        logp = engine.log_softmax(x, temperature=t)
        lse = engine.logsumexp(x)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1, rtol=8 * np.finfo(x.dtype).eps * x.shape[-1])
    assert not np.any(np.isnan(logp)) and np.all(logp <= 0)
    assert not np.any(np.isnan(lse)) and np.all(lse >= x.max(axis=-1))


# --- The naive softmax is allowed to fail -----------------------------------------------------


def test_naive_softmax_overflows_quietly_where_the_real_one_does_not():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        naive = engine.naive_softmax([1000.0, 0.0])
        underflow = engine.naive_softmax([-1000.0, -1000.0])
    assert np.isnan(naive[0]) and naive[1] == 0.0  # inf / inf and 1 / inf
    assert np.all(np.isnan(underflow))  # 0 / 0
    assert engine.softmax([1000.0, 0.0]).tolist() == [1.0, 0.0]
    assert engine.softmax([-1000.0, -1000.0]).tolist() == [0.5, 0.5]
    np.testing.assert_allclose(engine.naive_softmax([1.0, 2.0, 3.0]), engine.softmax([1, 2, 3]))
    assert engine.naive_softmax(np.array([100.0, 0.0], dtype=np.float32))[0] != 1.0  # inf/inf


# --- Arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (np.array([0, 3]), ValueError, r"in 0\.\.2"),
        (np.array([-1, 0]), ValueError, r"in 0\.\.2"),
        (np.array([0.0, 1.0]), TypeError, "integers"),
        (np.array([True, False]), TypeError, "integers"),
        (np.array([0, 1, 2]), ValueError, "shape"),
        (np.zeros((2, 2)), ValueError, "soft targets must have the logits' shape"),
        (np.array([[0.5, 0.5, -0.1], [1.0, 0.0, 0.0]]), ValueError, "non-negative"),
        (np.array([[0.5, 0.5, INF], [1.0, 0.0, 0.0]]), ValueError, "finite"),
    ],
)
def test_bad_targets_are_explained(target, error, message):
    z = np.zeros((2, 3))
    for fn in (engine.cross_entropy, engine.cross_entropy_grad):
        with pytest.raises(error, match=message):
            fn(z, target)


def test_bad_inputs_are_explained():
    with pytest.raises(TypeError, match="complex"):
        engine.softmax([1j, 2.0])
    with pytest.raises(TypeError, match="numbers"):
        engine.softmax(["a", "b"])
    with pytest.raises(ValueError, match="mask must be boolean"):
        engine.masked_softmax([1.0, 2.0], [1, 2])
    with pytest.raises(ValueError, match="shape"):
        engine.attention_scores(np.ones(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match="share the last dimension"):
        engine.attention_scores(np.ones((1, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="at least one feature"):
        engine.attention_scores(np.ones((1, 0)), np.ones((2, 0)))
    with pytest.raises(ValueError, match="one row per key"):
        engine.attention(np.ones((1, 3)), np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="probabilities must be finite and non-negative"):
        engine.entropy([0.5, -0.5])
    with pytest.raises(ValueError, match="non-negative"):
        engine.entropy([INF, 0.5])
