"""Every number a worked example carries, recomputed independently.

Each check rebuilds the numbers from `example.inputs` alone with mpmath at 40 significant
digits (the reference), and also calls the engine directly, so a generator that used the
wrong numbers, the wrong engine call or the wrong formula fails. Invariants (sums to one,
masked weights exactly zero, gradients summing to zero...) are checked alongside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from lessons import engine
from lessons.examples import Example
from tests.lessons.test_examples import KEYS, built, merged_values

SEEDS = range(60)
REL = 1e-12  # float64 results against the 40-digit reference
TINY = 1e-15  # absolute slack for entries that should be (near) zero
DIGITS = 40  # mpmath working precision for the references


def mpf_list(values: Sequence[float]) -> list[mp.mpf]:
    return [mp.mpf(v) for v in values]


def ref_softmax(z: Sequence[float], temperature: float = 1) -> list[mp.mpf]:
    scaled = [mp.mpf(v) / mp.mpf(temperature) for v in z]
    top = max(scaled)
    exps = [mp.exp(v - top) for v in scaled]
    total = mp.fsum(exps)
    return [e / total for e in exps]


def ref_logsumexp(z: Sequence[float]) -> mp.mpf:
    return mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in z))


def ref_entropy(p: Sequence[mp.mpf]) -> mp.mpf:
    return -mp.fsum(v * mp.log(v) for v in p if v > 0)


def ref_sigmoid(x: float) -> mp.mpf:
    return 1 / (1 + mp.exp(-mp.mpf(x)))


def close(got, want, rel: float = REL, tiny: float = TINY) -> None:
    """`got` (floats, nested lists) matches `want` entry by entry within rel and tiny."""
    got_array = np.asarray(got, dtype=float)
    want_list = np.asarray(want, dtype=object).ravel().tolist()
    assert got_array.size == len(want_list), (got, want)
    for g, w in zip(got_array.ravel().tolist(), want_list, strict=True):
        assert abs(mp.mpf(g) - w) <= rel * abs(w) + tiny, (g, w)


def exact(got, want) -> None:
    assert np.asarray(got, dtype=float).tolist() == np.asarray(want, dtype=float).tolist()


# --- Softmax and logits ---------------------------------------------------------------------


def check_softmax_probabilities(example: Example, v: dict) -> None:
    z = example.inputs["logits"]
    i, j = example.inputs["pair"]
    p = ref_softmax(z)
    assert z[i] > z[j]
    close(v["exps"], [mp.exp(x) for x in mpf_list(z)])
    close(v["total"], mp.fsum(mp.exp(x) for x in mpf_list(z)))
    close(v["probabilities"], p)
    close(v["probabilities"], engine.softmax(z))
    close(v["probability_sum"], 1)
    close(v["ratio"], p[i] / p[j])
    close(v["exp_difference"], mp.exp(mp.mpf(z[i]) - mp.mpf(z[j])))
    assert v["logit_difference"] == z[i] - z[j]


def check_shift_invariance(example: Example, v: dict) -> None:
    z, c = example.inputs["logits"], example.inputs["shift"]
    p = ref_softmax(z)
    exact(v["shifted_logits"], [x + c for x in z])
    close(v["probabilities"], p)
    close(v["shifted_probabilities"], p)  # the reference of the *unshifted* logits
    close(v["shifted_probabilities"], engine.softmax(v["shifted_logits"]))
    close(v["exp_shift"], mp.exp(c))
    assert 0 <= v["max_difference"] <= 4 * np.finfo(float).eps
    exact(v["centred_logits"], [x - max(z) for x in z])
    assert max(v["centred_logits"]) == 0
    close(v["centred_probabilities"], p)
    assert v["centred_max_difference"] <= 4 * np.finfo(float).eps


def check_temperature_effect(example: Example, v: dict) -> None:
    z, ts = example.inputs["logits"], example.inputs["temperatures"]
    assert ts[0] < 1 == ts[1] < ts[2] and example.inputs["temperature"] == ts[0]
    for n, t in enumerate(ts):
        p = ref_softmax(z, t)
        close(v["scaled_logits"][n], [mp.mpf(x) / mp.mpf(t) for x in z])
        close(v["probabilities"][n], p)
        close(v["probabilities"][n], engine.softmax(z, temperature=t))
        close(v["entropies"][n], ref_entropy(p))
        close(v["top_probabilities"][n], max(p))
        assert v["orders"][n] == sorted(range(len(z)), key=lambda k: -z[k])
    close(v["max_entropy"], mp.log(len(z)))
    assert v["entropies"][0] < v["entropies"][1] < v["entropies"][2] < v["max_entropy"]
    assert v["top_probabilities"][0] > v["top_probabilities"][1] > v["top_probabilities"][2]


def check_sigmoid_two_class(example: Example, v: dict) -> None:
    a, b = example.inputs["logits"]
    close(v["probabilities"], ref_softmax([a, b]))
    assert v["difference"] == a - b
    close(v["sigmoid"], ref_sigmoid(a - b))
    close(v["sigmoid"], engine.sigmoid(a - b))
    close(v["sigmoid_reverse"], ref_sigmoid(b - a))
    assert v["abs_difference"] <= 2 * np.finfo(float).eps
    assert abs(v["probabilities"][0] - v["sigmoid"]) == v["abs_difference"]


# --- Stability --------------------------------------------------------------------------------


def check_stable_softmax_huge_logits(example: Example, v: dict) -> None:
    z = example.inputs["logits"]
    f64_max = mp.mpf(float(np.finfo(np.float64).max))
    assert all(mp.exp(x) > f64_max for x in mpf_list(z)), "the naive way must really overflow"
    assert v["naive_exps"] == [float("inf")] * len(z)
    assert v["float64_max"] == float(f64_max)
    close(v["float64_exp_limit"], mp.log(f64_max))
    close(v["float32_exp_limit"], mp.log(mp.mpf(float(np.finfo(np.float32).max))))
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.float32(v["float32_exp_limit"] - 0.01)))
        assert np.isinf(np.exp(np.float32(v["float32_exp_limit"] + 0.01)))
    assert v["max"] == max(z)
    exact(v["shifted"], [x - max(z) for x in z])
    close(v["shifted_exps"], [mp.exp(mp.mpf(x) - max(z)) for x in z])
    close(v["shifted_sum"], mp.fsum(mp.exp(mp.mpf(x) - max(z)) for x in z))
    close(v["probabilities"], ref_softmax(z))
    close(v["probabilities"], engine.softmax(z))


def check_float_overflow_limits(example: Example, v: dict) -> None:
    z, x = example.inputs["logits"], example.inputs["x"]
    assert max(z) == x == v["x"]
    for name, dtype in (("float64", np.float64), ("float32", np.float32)):
        largest = mp.mpf(float(np.finfo(dtype).max))
        assert v[f"{name}_max"] == float(largest)
        close(v[f"{name}_exp_limit"], mp.log(largest))
        assert v[f"overflows_{name}"] == bool(mp.exp(x) > largest)
    close(v["decimal_exponent"], mp.mpf(x) / mp.log(10))
    exact(v["shifted"], [w - x for w in z])
    close(v["shifted_exps"], [mp.exp(mp.mpf(w) - x) for w in z])
    close(v["probabilities"], ref_softmax(z))


def check_logsumexp_bounds(example: Example, v: dict) -> None:
    z = example.inputs["logits"]
    m, k = max(z), len(z)
    lse = ref_logsumexp(z)
    assert v["max"] == m
    close(v["shifted_exps"], [mp.exp(mp.mpf(x) - m) for x in z])
    close(v["shifted_sum"], mp.fsum(mp.exp(mp.mpf(x) - m) for x in z))
    assert 1 <= v["shifted_sum"] <= k
    close(v["log_shifted_sum"], lse - m)
    close(v["logsumexp"], lse)
    close(v["logsumexp"], engine.logsumexp(z))
    close(v["log_k"], mp.log(k))
    close(v["upper"], m + mp.log(k))
    close(v["gap"], lse - m, rel=1e-9, tiny=1e-12)  # a difference of two large numbers
    assert v["lower"] == m <= v["logsumexp"] <= v["upper"]


# --- Losses -----------------------------------------------------------------------------------


def check_cross_entropy_logsumexp(example: Example, v: dict) -> None:
    z, y = example.inputs["logits"], example.inputs["target"]
    lse = ref_logsumexp(z)
    p = ref_softmax(z)
    assert v["max"] == max(z)
    exact(v["shifted"], [x - max(z) for x in z])
    close(v["shifted_exps"], [mp.exp(mp.mpf(x) - max(z)) for x in z])
    close(v["log_shifted_sum"], lse - max(z))
    close(v["logsumexp"], lse)
    close(v["loss"], lse - z[y])
    close(v["loss"], -mp.log(p[y]))
    close(v["loss"], engine.cross_entropy(z, y))
    close(v["p_true"], p[y])
    close(v["softmax_true"], p[y])


def check_cross_entropy_gradient(example: Example, v: dict) -> None:
    z, y, i = (example.inputs[k] for k in ("logits", "target", "checked_index"))
    p = ref_softmax(z)
    one_hot = [1 if n == y else 0 for n in range(len(z))]
    close(v["probabilities"], p)
    assert v["one_hot"] == one_hot
    close(v["gradient"], [a - b for a, b in zip(p, one_hot, strict=True)])
    close(v["gradient"], engine.cross_entropy_grad(z, y))
    assert abs(v["gradient_sum"]) <= 4 * np.finfo(float).eps
    assert all((g < 0) == (n == y) for n, g in enumerate(v["gradient"]))
    h = v["step"]
    assert h == 1e-5
    bumped = [list(z), list(z)]
    bumped[0][i] += h
    bumped[1][i] -= h
    close(v["loss_plus"], ref_logsumexp(bumped[0]) - mp.mpf(bumped[0][y]), rel=1e-13)
    close(v["loss_minus"], ref_logsumexp(bumped[1]) - mp.mpf(bumped[1][y]), rel=1e-13)
    close(v["analytic"], p[i] - one_hot[i])
    assert abs(v["finite_difference"] - v["analytic"]) <= 1e-6
    assert v["abs_error"] == abs(v["finite_difference"] - v["analytic"])


# --- Foundations ------------------------------------------------------------------------------


def check_distribution_entropy(example: Example, v: dict) -> None:
    for name in ("p", "q"):
        dist = example.inputs[name]
        assert all(w > 0 for w in dist) and abs(sum(dist) - 1) <= 1e-15
        close(v[f"terms_{name}"], [-mp.mpf(w) * mp.log(w) for w in dist])
        close(v[f"entropy_{name}"], ref_entropy(mpf_list(dist)))
        close(v[f"entropy_{name}"], engine.entropy(dist))
        close(v[f"normalised_{name}"], ref_entropy(mpf_list(dist)) / mp.log(4))
    close(v["max_entropy"], mp.log(4))
    close(v["uniform_entropy"], mp.log(4))
    assert v["more_spread"] == (0 if v["entropy_p"] > v["entropy_q"] else 1)
    assert max(v["entropy_p"], v["entropy_q"]) < v["max_entropy"]


def check_finite_difference_derivative(example: Example, v: dict) -> None:
    x = example.inputs["x"]

    def softplus(t: float) -> mp.mpf:
        return mp.log(1 + mp.exp(mp.mpf(t)))

    s = ref_sigmoid(x)
    close(v["f"], softplus(x))
    close(v["derivative"], s)
    close(v["derivative"], engine.sigmoid(x))
    h = v["step"]
    close(v["f_plus"], softplus(x + h), rel=1e-15)
    close(v["f_minus"], softplus(x - h), rel=1e-15)
    assert abs(v["central_difference"] - v["derivative"]) <= 1e-9
    third = s * (1 - s) * (1 - 2 * s)  # f''' of the softplus: the truncation error term
    for step, central, error in zip(v["steps"], v["central_differences"], v["errors"], strict=True):
        close(central, (softplus(x + step) - softplus(x - step)) / (2 * step), rel=1e-9)
        assert error == abs(central - v["derivative"])
    close(v["errors"][0], abs(third) * v["steps"][0] ** 2 / 6, rel=0.05)
    assert v["errors"][0] > v["errors"][1] > v["errors"][2]


# --- Attention and masking --------------------------------------------------------------------


def check_attention_weights(example: Example, v: dict) -> None:
    q, keys, values = (example.inputs[k] for k in ("query", "keys", "values"))
    d = len(q)
    scores = [mp.fsum(mp.mpf(a) * b for a, b in zip(q, k, strict=True)) for k in keys]
    scaled = [s / mp.sqrt(d) for s in scores]
    weights = ref_softmax(scaled)
    output = [mp.fsum(w * val[c] for w, val in zip(weights, values, strict=True)) for c in (0, 1)]
    exact(v["scores"], scores)
    close(v["sqrt_d"], mp.sqrt(d))
    close(v["scaled_scores"], scaled, tiny=0)
    close(example.inputs["logits"], scaled, tiny=0)
    close(v["weights"], weights)
    close(v["weights"], np.ravel(engine.attention_weights(np.array([q]), np.array(keys))))
    close(v["weight_sum"], 1)
    close(v["output"], output)


def check_dot_product_growth(example: Example, v: dict) -> None:
    seed, pairs = example.inputs["sample_seed"], example.inputs["pairs"]
    assert v["dims"] == example.inputs["dims"] == [4, 16, 64] and pairs == v["pairs"] == 200
    for n, d in enumerate(v["dims"]):
        # The documented recipe, so an example can be rebuilt from its inputs.
        generator = np.random.default_rng([seed, d])
        queries = generator.integers(0, 2, size=(pairs, d)) * 2 - 1
        keys = generator.integers(0, 2, size=(pairs, d)) * 2 - 1
        dots = [int(a @ b) for a, b in zip(queries, keys, strict=True)]
        # Population variance of integers, exactly: (n sum x^2 - (sum x)^2) / n^2.
        variance = Fraction(pairs * sum(t * t for t in dots) - sum(dots) ** 2, pairs**2)
        std = mp.sqrt(mp.mpf(variance.numerator) / variance.denominator)
        close(v["std"][n], std)
        close(v["scaled_std"][n], std / mp.sqrt(d))
        close(v["ratios"][n], std / mp.sqrt(d))
        assert v["max_abs"][n] == max(abs(t) for t in dots)
        close(v["scaled_max_abs"][n], max(abs(t) for t in dots) / mp.sqrt(d))
        if n == 0:
            assert v["first_query"] == queries[0].tolist() and v["first_key"] == keys[0].tolist()
            assert v["first_dot"] == dots[0]
        # Var(q . k) = d exactly; 200 pairs estimate the spread to about 5 %.
        assert 0.75 < v["ratios"][n] < 1.25


def check_masked_softmax(example: Example, v: dict) -> None:
    scores, mask = example.inputs["scores"], example.inputs["mask"]
    kept = [s for s, k in zip(scores, mask, strict=True) if k]
    assert 2 <= len(kept) <= 3 and mask == sorted(mask, reverse=True)  # padding at the end
    reference = iter(ref_softmax(kept))
    want = [next(reference) if k else mp.mpf(0) for k in mask]
    close(v["weights"], want)
    close(v["weights"], engine.masked_softmax(scores, mask))
    assert all(w == 0.0 for w, k in zip(v["weights"], mask, strict=True) if not k)
    assert all(e == 0.0 for e, k in zip(v["exps"], mask, strict=True) if not k)
    close(v["total"], mp.fsum(mp.exp(s) for s in mpf_list(kept)))
    close(v["kept_softmax"], ref_softmax(kept))
    close(v["weight_sum"], 1)
    assert v["max_difference"] <= 4 * np.finfo(float).eps


def check_causal_mask_row(example: Example, v: dict) -> None:
    scores, t = example.inputs["scores"], example.inputs["position"]
    assert v["mask"] == [[j <= i for j in range(4)] for i in range(4)]
    assert v["row_scores"] == scores[t]
    close(v["weights"], [*ref_softmax(scores[t][: t + 1]), *[0] * (3 - t)])
    assert v["weights"][t + 1 :] == [0.0] * (3 - t)
    close(v["visible_softmax"], ref_softmax(scores[t][: t + 1]))
    for i, row in enumerate(v["all_weights"]):
        close(row, [*ref_softmax(scores[i][: i + 1]), *[0] * (3 - i)])
        assert row[i + 1 :] == [0.0] * (3 - i)
    assert v["all_weights"][0] == [1.0, 0.0, 0.0, 0.0]


# --- Decoding ---------------------------------------------------------------------------------


def check_argmax_vs_sampling(example: Example, v: dict) -> None:
    z, draws = example.inputs["logits"], example.inputs["draws"]
    p = ref_softmax(z)
    close(v["probabilities"], p)
    assert v["argmax"] == z.index(max(z))
    generator = np.random.default_rng(example.inputs["sample_seed"])
    assert v["samples"] == engine.sample(np.tile(z, (draws, 1)), generator).tolist()
    assert len(v["samples"]) == draws and set(v["samples"]) <= set(range(len(z)))
    assert v["counts"] == [v["samples"].count(c) for c in range(len(z))]
    assert v["frequencies"] == [c / draws for c in v["counts"]]
    close(v["expected_counts"], [draws * w for w in p])
    close(v["max_gap"], max(abs(f - w) for f, w in zip(v["frequencies"], p, strict=True)))


def test_sampling_frequencies_follow_the_probabilities():
    """Over 200 seeds (4000 draws) the top class is drawn as often as p says (5 sigma)."""
    hits = expected = variance = 0.0
    for example in built("argmax_vs_sampling"):
        v = merged_values(example)
        top_p = v["probabilities"][v["argmax"]]
        hits += v["counts"][v["argmax"]]
        expected += len(v["samples"]) * top_p
        variance += len(v["samples"]) * top_p * (1 - top_p)
    assert abs(hits - expected) < 5 * variance**0.5


def check_top_k_top_p(example: Example, v: dict) -> None:
    z, k, mass = (example.inputs[n] for n in ("logits", "k", "p"))
    p = ref_softmax(z)
    order = sorted(range(len(z)), key=lambda n: -p[n])
    close(v["probabilities"], p)
    assert v["order"] == order
    close(v["cumulative"], [mp.fsum(p[n] for n in order[: m + 1]) for m in range(len(z))])
    top = sorted(order[:k])
    assert v["top_k_indices"] == top
    top_mass = mp.fsum(p[n] for n in top)
    close(v["top_k_mass"], top_mass)
    close(v["top_k_probabilities"], [p[n] / top_mass if n in top else 0 for n in range(len(z))])
    size = next(m + 1 for m in range(len(z)) if mp.fsum(p[n] for n in order[: m + 1]) >= mass)
    nucleus = sorted(order[:size])
    assert v["top_p_indices"] == nucleus
    assert v["top_p_mask"] == [n in nucleus for n in range(len(z))]
    nucleus_mass = mp.fsum(p[n] for n in nucleus)
    close(v["top_p_mass"], nucleus_mass)
    want = [p[n] / nucleus_mass if n in nucleus else 0 for n in range(len(z))]
    close(v["top_p_probabilities"], want)
    for name in ("top_k_probabilities", "top_p_probabilities"):
        assert abs(sum(v[name]) - 1) <= 1e-15


def check_temperature_scaling_calibration(example: Example, v: dict) -> None:
    rows, labels, ts = (example.inputs[k] for k in ("logit_rows", "labels", "temperatures"))
    assert len(rows) == len(labels) == 8 and ts[0] == 1
    predictions = [row.index(max(row)) for row in rows]
    correct = [int(a == b) for a, b in zip(predictions, labels, strict=True)]
    assert v["predictions"] == predictions and v["correct"] == correct
    accuracy = mp.mpf(sum(correct)) / 8
    close(v["accuracy"], accuracy, tiny=0)
    for n, t in enumerate(ts):
        confidences = [max(ref_softmax(row, t)) for row in rows]
        close(v["confidences"][n], confidences)
        close(v["mean_confidences"][n], mp.fsum(confidences) / 8)
        close(v["gaps"][n], mp.fsum(confidences) / 8 - accuracy, rel=1e-11)
        losses = [
            ref_logsumexp([mp.mpf(x) / t for x in row]) - mp.mpf(row[y]) / t
            for row, y in zip(rows, labels, strict=True)
        ]
        close(v["nll"][n], mp.fsum(losses) / 8)
    assert v["confidences_t1"] == v["confidences"][0]
    assert v["gap"] == v["gaps"][0] >= 0.1  # overconfident, by construction
    for before, after in zip(v["confidences"], v["confidences"][1:], strict=False):
        assert all(a < b for a, b in zip(after, before, strict=True))
    assert v["closest"] == min(range(len(ts)), key=lambda n: abs(v["gaps"][n]))
    assert v["best_nll"] == min(range(len(ts)), key=lambda n: v["nll"][n])


# --- Transformers -----------------------------------------------------------------------------


def _readout(h: list[float], w_u: list[list[float]]) -> list[mp.mpf]:
    return [mp.fsum(mp.mpf(h[r]) * w_u[r][c] for r in range(3)) for c in range(4)]


def _ranks(z: list[mp.mpf]) -> list[int]:
    return [1 + sum(other > value for other in z) for value in z]


def check_next_token_logits(example: Example, v: dict) -> None:
    h, w_u = example.inputs["residual"], example.inputs["unembedding"]
    z = _readout(h, w_u)
    p = ref_softmax(z)
    order = sorted(range(4), key=lambda n: -z[n])
    exact(v["logits"], z)
    exact(example.inputs["logits"], z)
    close(v["probabilities"], p)
    assert v["predicted"] == order[0] and v["runner_up"] == order[1]
    close(v["predicted_probability"], p[order[0]])
    exact(v["logit_gap"], z[order[0]] - z[order[1]])
    close(v["probability_ratio"], mp.exp(z[order[0]] - z[order[1]]))


def check_logit_lens_readout(example: Example, v: dict) -> None:
    w_u = example.inputs["unembedding"]
    early = _readout(example.inputs["early_residual"], w_u)
    late = _readout(example.inputs["late_residual"], w_u)
    exact(v["early_logits"], early)
    exact(v["late_logits"], late)
    close(v["early_probabilities"], ref_softmax(early))
    close(v["late_probabilities"], ref_softmax(late))
    assert v["early_ranks"] == _ranks(early) and v["late_ranks"] == _ranks(late)
    assert sorted(v["early_ranks"]) == sorted(v["late_ranks"]) == [1, 2, 3, 4]
    exact(v["logit_change"], [b - a for a, b in zip(early, late, strict=True)])
    assert v["late_ranks"][v["riser"]] == 1 < v["early_ranks"][v["riser"]]
    gains = [b - a for a, b in zip(early, late, strict=True)]
    assert gains[v["largest_gain"]] == max(gains)


CHECKS: dict[str, Callable[[Example, dict], None]] = {
    name.removeprefix("check_"): function
    for name, function in globals().items()
    if name.startswith("check_")
}


def test_every_generator_has_a_reference_check():
    assert set(CHECKS) == KEYS


@pytest.mark.parametrize("key", sorted(KEYS))
def test_numbers_match_the_reference(key):
    count = len(SEEDS) // 2 if key == "temperature_scaling_calibration" else len(SEEDS)
    with mp.workdps(DIGITS):
        for example in built(key)[:count]:
            CHECKS[key](example, merged_values(example))
