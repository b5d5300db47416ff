"""The softmax family across ML (issue 11) against 50-digit mpmath, plus its clear errors.

Each reference works on the exact values of the float inputs (see test_engine_reference.py).
Bounds are first-order rounding bounds times the same safety factor C = 4: for a sum of
terms t_i each computed to a few ulps, |error| <= C u (k + log2 n) sum |t_i| with k the
ulps per term; functions built on softmax or log_softmax reuse those checks.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lessons import engine
from lessons.formulas import FUNCTIONS, FormulaError, evaluate
from tests.lessons.test_engine_reference import (
    DPS,
    TINY,
    UNIT,
    C,
    assert_within,
    check_log_softmax_row,
    check_softmax_row,
    mp_value,
    reference,
)

RANDOM = settings(max_examples=60, deadline=None)
F64 = np.dtype(np.float64)


@st.composite
def distributions(draw, n: int | None = None, zeros: bool = True) -> np.ndarray:
    """A float64 probability vector, some entries tiny or (optionally) exactly 0."""
    size = n or draw(st.integers(1, 6))
    weights = st.one_of(st.floats(1e-3, 1), st.floats(1e-300, 1e-200), st.just(1.0))
    if zeros:
        weights = st.one_of(weights, st.just(0.0))
    w = np.array(draw(st.lists(weights, min_size=size, max_size=size)))
    if w.sum() == 0:
        w[draw(st.integers(0, size - 1))] = 1.0
    return w / w.sum()


def close_pair(draw, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two distributions, the second a small perturbation of the first (tiny divergences)."""
    p = draw(distributions(n, zeros=False))
    scale = draw(st.sampled_from([1e-2, 1e-6, 1e-10]))
    noise = np.array(draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n)))
    q = p * (1 + scale * noise)
    return p, q / q.sum()


# --- KL and JS divergences ----------------------------------------------------------------


def mp_kl(p, q) -> tuple[mp.mpf, mp.mpf]:
    """Exact KL and the sum of its terms' magnitudes."""
    with mp.workdps(DPS):
        terms = []
        for a, b in zip(p, q, strict=True):
            if a == 0:
                continue
            if b == 0:
                return mp.inf, mp.inf
            terms.append(mp_value(a) * mp.log(mp_value(a) / mp_value(b)))
        return mp.fsum(terms), mp.fsum(abs(t) for t in terms)


@RANDOM
@given(data=st.data(), n=st.integers(1, 6), close=st.booleans())
def test_kl_divergence_matches_mpmath(data, n, close):
    if close:
        p, q = close_pair(data.draw, n)
    else:
        p, q = data.draw(distributions(n)), data.draw(distributions(n))
    exact, size = mp_kl(p, q)
    got = engine.kl_divergence(p, q)
    if mp.isinf(exact):
        assert got == np.inf
        return
    bound = C * UNIT[F64] * (4 + math.log2(n)) * size + 2 * n * TINY[F64]
    assert_within(got, exact, bound, "kl_divergence")
    # Gibbs: never below 0 by more than rounding (the float inputs may sum to 1 only
    # after rounding, which lets the exact value itself dip below 0).
    assert got >= min(0, float(exact)) - float(bound)


def test_kl_divergence_of_nearly_equal_distributions_keeps_its_digits():
    # log(p / q) goes through log1p near 1: a divergence of ~1e-20 is not rounding noise.
    p = np.array([0.5, 0.5])
    q = np.array([0.5 + 1e-10, 0.5 - 1e-10])
    exact, _ = mp_kl(p, q)
    assert float(exact) == pytest.approx(1e-20, rel=1e-3)
    assert engine.kl_divergence(p, q) == pytest.approx(float(exact), rel=1e-12)
    assert engine.js_divergence(p, q) == pytest.approx(float(exact) / 4, rel=1e-5)


def test_kl_divergence_rows_zero_weights_and_asymmetry():
    p, q = [0.9, 0.1, 0.0], [0.3, 0.3, 0.4]
    assert engine.kl_divergence(p, q) == pytest.approx(0.9 * math.log(3) + 0.1 * math.log(1 / 3))
    assert engine.kl_divergence(q, p) == np.inf  # q puts mass where p has none
    assert engine.kl_divergence(p, p) == 0
    rows = engine.kl_divergence([p, q], [q, q])
    assert rows.shape == (2,) and rows[1] == 0


def mp_js(p, q) -> tuple[mp.mpf, mp.mpf]:
    with mp.workdps(DPS):
        terms = []
        for a, b in zip(p, q, strict=True):
            a, b = mp_value(a), mp_value(b)
            m = (a + b) / 2
            terms += [x * mp.log(x / m) / 2 for x in (a, b) if x]
        return mp.fsum(terms), mp.fsum(abs(t) for t in terms)


@RANDOM
@given(data=st.data(), n=st.integers(1, 6), close=st.booleans())
def test_js_divergence_matches_mpmath(data, n, close):
    if close:
        p, q = close_pair(data.draw, n)
    else:
        p, q = data.draw(distributions(n)), data.draw(distributions(n))
    exact, size = mp_js(p, q)
    got = engine.js_divergence(p, q)
    bound = C * UNIT[F64] * (6 + math.log2(n)) * size + 4 * n * TINY[F64]
    assert_within(got, exact, bound, "js_divergence")
    assert got <= math.log(2) * (1 + 1e-15)
    assert engine.js_divergence(q, p) == pytest.approx(got, rel=1e-12, abs=1e-300)


# --- Perplexity -----------------------------------------------------------------------------


@RANDOM
@given(p=hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(1e-30, 1)))
def test_perplexity_matches_mpmath(p):
    with mp.workdps(DPS):
        logs = [mp.log(mp_value(v)) for v in p]
        exact = mp.exp(-mp.fsum(logs) / len(p))
        # exp turns the exponent's absolute error into a relative one.
        exponent_error = C * UNIT[F64] * (2 + math.log2(len(p))) * mp.fsum(abs(v) for v in logs)
        bound = exact * (exponent_error / len(p) + C * UNIT[F64])
    assert_within(engine.perplexity(p), exact, bound, "perplexity")


def test_perplexity_known_values():
    assert engine.perplexity([0.25, 0.25]) == pytest.approx(4)
    assert engine.perplexity([1.0]) == 1
    assert engine.perplexity([0.5, 0.0]) == np.inf  # a true token given probability 0


# --- Decoding filters -------------------------------------------------------------------------


def kept_reference(z: np.ndarray, keep: np.ndarray, t: float):
    """The reference row of the kept logits only (the others are exactly 0)."""
    return reference(z[keep], t)


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 7), elements=st.integers(-6, 6).map(float)),
    t=st.sampled_from([1.0, 0.5, 2.0]),
    data=st.data(),
)
def test_top_k_probs_matches_mpmath(z, t, data):
    k = data.draw(st.integers(1, len(z)))
    got = engine.top_k_probs(z, k, temperature=t)
    order = sorted(range(len(z)), key=lambda i: (-z[i], i))  # largest first, ties by index
    keep = np.zeros(len(z), dtype=bool)
    keep[order[:k]] = True
    assert (got[~keep] == 0).all() and np.count_nonzero(got) == k
    check_softmax_row(got[keep], kept_reference(z, keep, t), F64)


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 7), elements=st.floats(-8, 8)),
    p=st.floats(0, 1),
    t=st.sampled_from([1.0, 0.5, 2.0]),
)
def test_top_p_probs_matches_mpmath(z, p, t):
    got = engine.top_p_probs(z, p, temperature=t)
    # The nucleus from exact probabilities: the fewest most likely whose total reaches p.
    full = reference(z, t)
    order = sorted(range(len(z)), key=lambda i: (-z[i], i))
    keep = np.zeros(len(z), dtype=bool)
    with mp.workdps(DPS):
        mass = mp.mpf(0)
        for i in order:
            if keep.any() and mass >= p:
                break
            keep[i] = True
            mass += full.p[i]
    # Float totals may disagree with exact ones only when a total is within rounding of p.
    engine_keep = engine.top_p_mask(z, p, temperature=t)
    if not (engine_keep == keep).all():
        ranked = [float(full.p[i]) for i in order]
        assert np.min(np.abs(np.cumsum(ranked) - p)) < 1e-12
        keep = engine_keep
    assert (got[~keep] == 0).all()
    check_softmax_row(got[keep], kept_reference(z, keep, t), F64)


def test_top_k_and_top_p_known_values():
    z = [2.0, 1.0, 0.0, -1.0]
    top_two = [math.e / (math.e + 1), 1 / (math.e + 1), 0, 0]
    np.testing.assert_allclose(engine.top_k_probs(z, 2), top_two)
    assert engine.top_p_probs(z, 0)[0] == 1  # p = 0 is greedy
    np.testing.assert_allclose(engine.top_p_probs(z, 1), engine.softmax(z))
    np.testing.assert_allclose(
        engine.top_k_probs(z, 4, temperature=3), engine.softmax(z, temperature=3)
    )


# --- Label smoothing, focal loss, InfoNCE --------------------------------------------------------


def test_smooth_labels_is_exact_and_sums_to_one():
    labels = engine.smooth_labels(2, 4, 0.1)
    np.testing.assert_array_equal(labels, [0.025, 0.025, 0.925, 0.025])
    assert labels.sum() == pytest.approx(1, abs=1e-15)
    np.testing.assert_array_equal(engine.smooth_labels(0, 3, 0), [1, 0, 0])
    np.testing.assert_array_equal(engine.one_hot(1.0, 3), [0, 1, 0])


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-30, 30)),
    eps=st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]),
    data=st.data(),
)
def test_label_smoothed_ce_matches_mpmath(z, eps, data):
    y = data.draw(st.integers(0, len(z) - 1))
    row = reference(z)
    n = len(z)
    with mp.workdps(DPS):
        e = mp.mpf(eps)
        targets = [(1 - e) * (i == y) + e / n for i in range(n)]
        nll = [row.log_total - d for d in row.d]  # -log p_i
        exact = mp.fsum(t * v for t, v in zip(targets, nll, strict=True))
        size = mp.fsum(
            t * (v + abs(d) + row.w + 1) for t, v, d in zip(targets, nll, row.d, strict=True)
        )
        bound = C * UNIT[F64] * (2 + math.log2(n)) * size
    assert_within(engine.label_smoothed_ce(z, y, eps), exact, bound, "label_smoothed_ce")


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-40, 40)),
    gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
    data=st.data(),
)
def test_focal_loss_matches_mpmath(z, gamma, data):
    y = data.draw(st.integers(0, len(z) - 1))
    row = reference(z)
    u = UNIT[F64]
    with mp.workdps(DPS):
        ce = row.log_total - row.d[y]
        p_y = mp.exp(-ce)
        exact = (1 - p_y) ** gamma * ce
        spread = (1 + math.log2(row.n)) * row.rest / (1 + row.rest)
        ce_error = C * u * (ce + abs(row.d[y]) + row.w + spread)
        relative = (1 + gamma) * ce_error / ce + 3 * C * u if ce else 0
        bound = exact * relative + 2 * TINY[F64]
    got = engine.focal_loss(z, y, gamma)
    assert_within(got, exact, bound, "focal_loss")
    if gamma == 0:
        assert got == engine.cross_entropy(z, y)


def test_focal_loss_of_a_confident_prediction_keeps_its_digits():
    # p_y = 1 / (1 + e^-40): 1 - p_y ~ 4.2e-18 would be 0 if computed as 1 - p.
    with mp.workdps(DPS):
        ce = mp.log1p(mp.exp(-40))
        exact = float((1 - mp.exp(-ce)) ** 2 * ce)
    np.testing.assert_array_max_ulp(engine.focal_loss([40.0, 0.0], 0, 2), exact, maxulp=8)


@RANDOM
@given(
    s=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-1, 1)),
    tau=st.sampled_from([0.05, 0.1, 0.5, 1.0]),
    data=st.data(),
)
def test_info_nce_matches_mpmath(s, tau, data):
    i = data.draw(st.integers(0, len(s) - 1))
    row = reference(s, tau)
    got = engine.info_nce(s, i, tau)
    # -info_nce is the positive's log_softmax at temperature tau: the same bound holds.
    full = engine.log_softmax(s, temperature=tau)
    full[i] = -got
    check_log_softmax_row(full, row, F64)


# --- Gumbel, sparsemax, logit adjustment -------------------------------------------------------


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5)),
    seed=st.integers(0, 2**32 - 1),
    tau=st.sampled_from([0.1, 0.5, 1.0, 5.0]),
)
def test_gumbel_max_and_softmax_match_mpmath(z, seed, tau):
    g = np.random.default_rng(seed).gumbel(size=z.shape)
    noisy = z + g  # the engine adds in float64; the reference starts from that sum
    assert engine.gumbel_max(z, g) == int(np.argmax(noisy))
    with mp.workdps(DPS):
        values = [mp_value(a) + mp_value(b) for a, b in zip(z, g, strict=True)]
        assert engine.gumbel_max(z, g) == values.index(max(values)) or (
            abs(sorted(values)[-1] - sorted(values)[-2]) < 1e-14
        )
    check_softmax_row(engine.gumbel_softmax(z, g, tau), reference(noisy, tau), F64)


def test_gumbel_max_draws_follow_softmax():
    """Over many noise draws the argmax frequencies approach softmax(z): the trick itself."""
    z = np.array([1.0, 0.0, -1.0])
    g = np.random.default_rng(5).gumbel(size=(20000, 3))
    counts = np.bincount([engine.gumbel_max(z, row) for row in g], minlength=3) / 20000
    np.testing.assert_allclose(counts, engine.softmax(z), atol=0.015)


def mp_sparsemax(z) -> tuple[list[mp.mpf], mp.mpf]:
    """Sparsemax by bisection on tau (sum max(z - tau, 0) = 1): a different algorithm."""
    with mp.workdps(DPS):
        values = [mp_value(v) for v in z if v != -np.inf]
        lo, hi = max(values) - 1, max(values)
        for _ in range(200):
            mid = (lo + hi) / 2
            if mp.fsum(max(v - mid, 0) for v in values) > 1:
                lo = mid
            else:
                hi = mid
        tau = (lo + hi) / 2
        return [max(mp_value(v) - tau, 0) if v != -np.inf else mp.mpf(0) for v in z], tau


@RANDOM
@given(
    z=hnp.arrays(np.float64, st.integers(1, 7), elements=st.floats(-3, 3)),
    shift=st.sampled_from([0.0, 1e3, -1e6]),
)
def test_sparsemax_matches_mpmath(z, shift):
    z = z + shift
    got = engine.sparsemax(z)
    exact, tau = mp_sparsemax(z)
    top = float(np.max(z))
    with mp.workdps(DPS):
        d = [abs(mp_value(v) - top) for v in z]
        support = [di for di, e in zip(d, exact, strict=True) if e > 0]
        spread = (1 + math.log2(len(z))) * (1 + max(support))
        for i, e in enumerate(exact):
            bound = C * UNIT[F64] * (1 + d[i] + abs(tau - top) + spread)
            assert_within(got[i], e, bound, f"sparsemax[{i}]")
    assert got.sum() == pytest.approx(1, abs=1e-12)


def test_sparsemax_known_values():
    np.testing.assert_allclose(engine.sparsemax([1.0, 0.0, -1.0]), [1, 0, 0])
    np.testing.assert_allclose(engine.sparsemax([0.5, 0.0, -1.0]), [0.75, 0.25, 0])
    np.testing.assert_allclose(engine.sparsemax([1.0, -np.inf, 0.5]), [0.75, 0, 0.25])
    np.testing.assert_allclose(engine.sparsemax([[0, 0], [3, 0]]), [[0.5, 0.5], [1, 0]])


@RANDOM
@given(
    z=hnp.arrays(np.float64, 4, elements=st.floats(-10, 10)),
    priors=distributions(4, zeros=False),
    tau=st.sampled_from([0.0, 0.5, 1.0, -1.0]),
)
def test_logit_adjust_matches_mpmath(z, priors, tau):
    got = engine.logit_adjust(z, priors, tau)
    with mp.workdps(DPS):
        for i in range(4):
            exact = mp_value(z[i]) - tau * mp.log(mp_value(priors[i]))
            size = abs(mp_value(z[i])) + 2 * abs(tau * mp.log(mp_value(priors[i])))
            assert_within(got[i], exact, C * UNIT[F64] * size + 2 * TINY[F64], "logit_adjust")


# --- Clear errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: engine.kl_divergence([0.5, 0.4], [0.5, 0.5]), "p must sum to 1"),
        (lambda: engine.kl_divergence([0.5, 0.5], [1.2, -0.2]), "finite and non-negative"),
        (lambda: engine.kl_divergence([1.0], [0.5, 0.5]), "same shape"),
        (lambda: engine.js_divergence([0.5, 0.5], [np.nan, 1]), "NaN"),
        (lambda: engine.kl_divergence([], []), "non-empty"),
        (lambda: engine.perplexity([0.5, 1.5]), "from 0 to 1"),
        (lambda: engine.perplexity([]), "at least one"),
        (lambda: engine.top_k_probs([1, 2, 3], 0), "k must be an integer from 1 to 3"),
        (lambda: engine.top_k_probs([1, 2, 3], 4), "k must be an integer from 1 to 3"),
        (lambda: engine.top_k_probs([1, 2, 3], 1.5), "whole number"),
        (lambda: engine.top_k_probs([1, 2, 3], 2, temperature=0), "temperature"),
        (lambda: engine.top_p_probs([1, 2, 3], 1.5), "p must be a finite number from 0"),
        (lambda: engine.top_p_probs([1, np.nan], 0.5), "NaN"),
        (lambda: engine.smooth_labels(3, 3, 0.1), "target_index must be from 0 to 2"),
        (lambda: engine.smooth_labels(0, 3, 1.5), "eps"),
        (lambda: engine.smooth_labels(0, 0, 0.1), "K must be at least 1"),
        (lambda: engine.label_smoothed_ce([[1, 2]], 0, 0.1), "one vector"),
        (lambda: engine.gumbel_max([1, 2], [0.0]), "same shape"),
        (lambda: engine.gumbel_softmax([1, 2], [0.0, np.inf], 1), "finite"),
        (lambda: engine.gumbel_softmax([1, 2], [0.0, 0.0], 0), "temperature"),
        (lambda: engine.sparsemax([-np.inf, -np.inf]), "entirely -inf"),
        (lambda: engine.sparsemax([]), "at least one class"),
        (lambda: engine.focal_loss([1, 2], 0, -1), "gamma"),
        (lambda: engine.focal_loss([1, 2], 2, 1), "target_index"),
        (lambda: engine.info_nce([1, 2], 5, 0.1), "positive_index"),
        (lambda: engine.info_nce([1, 2], 0, 0), "temperature"),
        (lambda: engine.logit_adjust([1, 2], [1.0, 0.0]), "greater than 0"),
        (lambda: engine.logit_adjust([1, 2], [0.2, 0.3, 0.5]), "one entry per class"),
        (lambda: engine.logit_adjust([1, 2], [0.6, 0.6]), "sum to 1"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- In formulas ------------------------------------------------------------------------------

NEW_NAMES = {
    *("kl_divergence", "js_divergence", "perplexity", "top_k_probs", "top_p_probs"),
    *("top_p_mask", "smooth_labels", "label_smoothed_ce", "gumbel_max", "gumbel_softmax"),
    *("sparsemax", "focal_loss", "info_nce", "logit_adjust", "log2", "log10", "dot", "norm"),
    *("sort", "argsort", "cumsum", "round", "one_hot", "clip", "distinct", "unique_max"),
    "min_gap",
}


def test_every_new_function_is_registered_in_formulas():
    assert set(FUNCTIONS) >= NEW_NAMES


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("kl_divergence([0.5, 0.5], [0.25, 0.75])", 0.5 * math.log(2) + 0.5 * math.log(2 / 3)),
        ("js_divergence([1, 0], [0, 1])", math.log(2)),
        ("perplexity([0.5, 0.125])", 4.0),
        ("top_k_probs([3, 1, 2], 1)", [1, 0, 0]),
        ("top_p_probs([3, 1, 2], 0)", [1, 0, 0]),
        ("smooth_labels(1, 4, 0.2)", [0.05, 0.85, 0.05, 0.05]),
        ("label_smoothed_ce([0, 0], 0, 0.5)", math.log(2)),
        ("gumbel_max([1, 2, 3], [2.5, 0, 0])", 0),
        ("gumbel_softmax([0, 0], [1, 0], 1)", [1 / (1 + math.exp(-1)), 1 / (1 + math.e)]),
        ("sparsemax([0.5, 0, -1])", [0.75, 0.25, 0]),
        ("focal_loss([0, 0], 1, 1)", 0.5 * math.log(2)),
        ("info_nce([1, 0], 0, 0.5)", math.log1p(math.exp(-2))),
        ("logit_adjust([1, 1], [0.5, 0.5], 1)", [1 + math.log(2)] * 2),
        ("log2(8)", 3),
        ("log10(1000)", 3),
        ("dot([1, 2], [3, 4])", 11),
        ("norm([3, 4])", 5),
        ("sort([3, 1, 2])", [1, 2, 3]),
        ("argsort([3, 1, 2])", [1, 2, 0]),
        ("cumsum([1, 2, 3])", [1, 3, 6]),
        ("round(2.675, 2)", 2.67),  # as "| 2" prints it: 2.675 is stored below 2.675
        ("round([0.1234, -0.0004], 3)", [0.123, 0.0]),
        ("one_hot(2 - 1, 3)", [0, 1, 0]),
        ("clip([-1, 0.5, 2], 0, 1)", [0, 0.5, 1]),
        ("distinct([1, 2, 3])", True),
        ("distinct([1, 2, 1])", False),
        ("unique_max([3, 1, 3])", False),
        ("unique_max([3, 1, 2])", True),
        ("min_gap([3, 1, 2.5])", 0.5),
        ("min_gap([4])", math.inf),
    ],
)
def test_new_functions_in_formulas(expression, expected):
    got = evaluate(expression)
    if isinstance(expected, bool):
        assert got is expected
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_round_agrees_with_the_display_everywhere():
    """round(x, d) is the number "| d" shows, so shown sums of rounded terms add up."""
    from lessons.formulas import format_value

    values = np.random.default_rng(3).uniform(-2, 2, 2000)
    for d in (0, 1, 2, 3, 4):
        for v in values:
            assert float(format_value(v, str(d))) == evaluate(f"round({float(v)!r}, {d})")


@pytest.mark.parametrize(
    "expression",
    [
        "kl_divergence([0.5, 0.4], [0.5, 0.5])",
        "top_k_probs([1, 2], 3)",
        "round(1.5, 99)",
        "round(1.5, 0.5)",
        "clip(1, 2, 1)",
        "dot([1, 2], [1, 2, 3])",
        "sort([[1, 2], [3, 4]])",
        "one_hot(3, 3)",
    ],
)
def test_bad_formula_input_is_a_formula_error(expression):
    with pytest.raises(FormulaError):
        evaluate(expression)
