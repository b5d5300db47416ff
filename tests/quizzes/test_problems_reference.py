"""Every problem's answer, recomputed independently from the instance's inputs.

Each check rebuilds the expected answer from `instance.inputs` alone with mpmath at 40
significant digits (or, for facts about float32 and IEEE 754, from first principles), so a
generator that used the wrong numbers, the wrong engine call or the wrong formula fails.
A choice problem's check recomputes which option is right and finds it under the answer key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction

import mpmath as mp
import pytest

from quizzes import problems
from quizzes.problems import ProblemInstance
from tests.quizzes.test_problems import SEEDS, built

REL = 1e-9  # float64 answers against the 40-digit reference
TINY = 1e-12  # absolute slack for answers that should be (near) zero
mp.mp.dps = 40

Check = Callable[[ProblemInstance, dict], None]
CHECKS: dict[str, Check] = {}


def check(*keys: str) -> Callable[[Check], Check]:
    def wrap(function: Check) -> Check:
        for key in keys:
            CHECKS[key] = function
        return function

    return wrap


# --- References -----------------------------------------------------------------------------------


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


def ref_sigmoid(x) -> mp.mpf:
    return 1 / (1 + mp.exp(-mp.mpf(x)))


def ref_dot(a: Sequence[float], b: Sequence[float]) -> mp.mpf:
    return mp.fsum(mp.mpf(x) * mp.mpf(y) for x, y in zip(a, b, strict=True))


def ref_matvec(h: Sequence[float], w: Sequence[Sequence[float]]) -> list[mp.mpf]:
    """h times a matrix given by rows: one entry per column."""
    return [ref_dot(h, [row[j] for row in w]) for j in range(len(w[0]))]


def ref_argmax(values: Sequence) -> int:
    best = max(values)
    assert sum(1 for v in values if v == best) == 1, "a tie: the argmax is ambiguous"
    return list(values).index(best)


def ref_position(values: Sequence) -> int:
    """The argmax as learners count positions: the first entry is 1."""
    return ref_argmax(values) + 1


def close(got, want, rel: float = REL, tiny: float = TINY) -> None:
    """`got` (a float or a tuple of floats) matches `want` entry by entry."""
    got_list = list(got) if isinstance(got, tuple) else [got]
    want_list = list(want) if isinstance(want, list | tuple) else [want]
    assert len(got_list) == len(want_list), (got, want)
    for g, w in zip(got_list, want_list, strict=True):
        assert abs(mp.mpf(g) - w) <= rel * abs(w) + tiny, (g, w)


def chosen(instance: ProblemInstance) -> str:
    """The text of the option under the answer key."""
    return dict(instance.options)[instance.answer]


def options_with(instance: ProblemInstance, fragment: str) -> list[str]:
    return [key for key, text in instance.options if fragment in text]


def _numbers(text: str) -> list[mp.mpf]:
    return [mp.mpf(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


# --- Softmax and logits ---------------------------------------------------------------------------


@check("softmax_uniform_logits")
def _(instance, inputs):
    z = inputs["logits"]
    assert len(set(z)) == 1
    close(instance.answer, mp.mpf(1) / len(z))
    close(instance.answer, ref_softmax(z)[0])


@check("softmax_argmax_index", "greedy_next_token")
def _(instance, inputs):
    z = inputs["logits"]
    assert instance.answer == ref_position(ref_softmax(z)) == ref_position(z)
    assert instance.positions == len(z)


@check("softmax_probabilities", "softmax_huge_logits")
def _(instance, inputs):
    close(instance.answer, ref_softmax(inputs["logits"]))


@check("softmax_shift_invariance")
def _(instance, inputs):
    z, c = inputs["logits"], inputs["shift"]
    close(instance.answer, ref_softmax([v + c for v in z]))
    close(instance.answer, ref_softmax(z))


@check("softmax_ratio_identity")
def _(instance, inputs):
    z, (i, j) = inputs["logits"], inputs["pair"]
    p = ref_softmax(z)
    close(instance.answer, p[i] / p[j])
    close(instance.answer, mp.exp(mp.mpf(z[i]) - mp.mpf(z[j])))
    assert instance.answer > 1


@check("softmax_temperature_top")
def _(instance, inputs):
    close(instance.answer, max(ref_softmax(inputs["logits"], inputs["temperature"])))


@check("softmax_two_class_sigmoid")
def _(instance, inputs):
    a, b = inputs["logits"]
    assert chosen(instance).startswith(r"$\sigma(a - b)")
    close(ref_sigmoid(mp.mpf(a) - mp.mpf(b)), ref_softmax([a, b])[0], rel=1e-30)


@check("softmax_cross_entropy_logsumexp")
def _(instance, inputs):
    z, y = inputs["logits"], inputs["target"]
    close(instance.answer, ref_logsumexp(z) - mp.mpf(z[y]))
    close(instance.answer, -mp.log(ref_softmax(z)[y]))


@check("softmax_gradient")
def _(instance, inputs):
    z, y = inputs["logits"], inputs["target"]
    p = ref_softmax(z)
    close(instance.answer, [v - (1 if n == y else 0) for n, v in enumerate(p)])
    assert abs(sum(instance.answer)) < 1e-12


# --- Exponentials, vectors, distributions, derivatives --------------------------------------------


# --- Floating point and stability -----------------------------------------------------------------


# What IEEE 754 float64 gives, by its rules (worked out by hand, not by NumPy).
SPECIAL_OUTCOMES = {
    r"\infty - \infty": "nan",
    r"0 \times \infty": "nan",
    r"\infty / \infty": "nan",
    r"e^{1000} / e^{1000}": "nan",  # both overflow first
    r"1 / \infty": "zero",
    r"e^{-1000}": "zero",  # below the smallest subnormal, about 4.9e-324 = e^-744.4
    r"\infty + 10^{308}": "plus",
    r"e^{1000}": "plus",  # above the largest float64, about 1.8e308 = e^709.8
    r"-2 \times \infty": "minus",
    r"\log 0": "minus",
}
OUTCOME_WORDS = {"nan": "NaN", "zero": "$0$", "plus": r"$+\infty$", "minus": r"$-\infty$"}


@check("float_special_values")
def _(instance, inputs):
    outcome = SPECIAL_OUTCOMES[inputs["expression"]]
    assert inputs["outcome"] == outcome
    assert chosen(instance).startswith(OUTCOME_WORDS[outcome])


FLOAT32_MAX = (2 - mp.mpf(2) ** -23) * mp.mpf(2) ** 127


# --- Decoding, temperature, calibration -----------------------------------------------------------


@check("expected_sample_count")
def _(instance, inputs):
    p = ref_softmax(inputs["logits"])
    close(instance.answer, inputs["samples"] * p[inputs["class"]])


@check("top_k_renormalise")
def _(instance, inputs):
    z, k = inputs["logits"], inputs["k"]
    p = sorted(ref_softmax(z), reverse=True)[:k]
    close(instance.answer, [v / mp.fsum(p) for v in p])


@check("nucleus_size")
def _(instance, inputs):
    mass = mp.mpf(inputs["p"])
    total, count = mp.mpf(0), 0
    for v in sorted(ref_softmax(inputs["logits"]), reverse=True):
        total += v
        count += 1
        if total >= mass:
            break
    assert instance.answer == count


@check("argmax_not_differentiable")
def _(instance, inputs):
    assert chosen(instance).startswith("Argmax does not change under small nudges")


@check("temperature_direction")
def _(instance, inputs):
    top = max(ref_softmax(inputs["logits"], inputs["temperature"]))
    assert abs(_numbers(chosen(instance))[0] - top) <= mp.mpf("0.0005")


@check("tempered_distribution")
def _(instance, inputs):
    close(instance.answer, ref_softmax(inputs["logits"], inputs["temperature"]))


@check("temperature_entropy")
def _(instance, inputs):
    close(instance.answer, ref_entropy(ref_softmax(inputs["logits"], inputs["temperature"])))


@check("temperature_for_ratio")
def _(instance, inputs):
    z, ratio = inputs["logits"], inputs["ratio"]
    p = sorted(ref_softmax(z, instance.answer), reverse=True)
    close(p[0] / p[1], mp.mpf(ratio), rel=1e-12)


@check("overconfidence_gap")
def _(instance, inputs):
    c, right = inputs["confidences"], inputs["correct"]
    close(instance.answer, mp.fsum(mpf_list(c)) / len(c) - mp.mpf(sum(right)) / len(right))


@check("calibration_error_from_bins")
def _(instance, inputs):
    n, conf, acc = inputs["counts"], inputs["confidences"], inputs["accuracies"]
    total = mp.fsum(mpf_list(n))
    terms = (
        mp.mpf(k) / total * abs(mp.mpf(a) - mp.mpf(c)) for k, c, a in zip(n, conf, acc, strict=True)
    )
    close(instance.answer, mp.fsum(terms))
    # Each accuracy is a whole number of right answers out of its bin's predictions.
    assert all((k * Fraction(str(a))).denominator == 1 for k, a in zip(n, acc, strict=True))


@check("calibration_error_from_predictions")
def _(instance, inputs):
    c, right, (low, middle, high) = inputs["confidences"], inputs["correct"], inputs["edges"]
    bins = [
        [i for i, v in enumerate(c) if low <= v < middle],
        [i for i, v in enumerate(c) if middle <= v <= high],
    ]
    assert sum(map(len, bins)) == len(c)
    ece = mp.fsum(
        mp.mpf(len(b))
        / len(c)
        * abs(mp.fsum(right[i] for i in b) / len(b) - mp.fsum(mp.mpf(c[i]) for i in b) / len(b))
        for b in bins
        if b
    )
    close(instance.answer, ece)


@check("temperature_scaling_accuracy")
def _(instance, inputs):
    assert chosen(instance).startswith("Accuracy stays at")
    z, t = inputs["logits"], inputs["temperature"]
    assert ref_argmax(ref_softmax(z, t)) == ref_argmax(z)


# --- Attention and masking ------------------------------------------------------------------------


def ref_weights(q, keys, keep=None) -> list[mp.mpf]:
    scores = [ref_dot(q, k) / mp.sqrt(len(q)) for k in keys]
    keep = keep or [True] * len(keys)
    kept = ref_softmax([s for s, k in zip(scores, keep, strict=True) if k])
    it = iter(kept)
    return [next(it) if k else mp.mpf(0) for k in keep]


def ref_masked(scores, keep) -> list[mp.mpf]:
    kept = iter(ref_softmax([s for s, k in zip(scores, keep, strict=True) if k]))
    return [next(kept) if k else mp.mpf(0) for k in keep]


@check("attention_scaled_score")
def _(instance, inputs):
    q, k = inputs["q"], inputs["k"]
    close(instance.answer, ref_dot(q, k) / mp.sqrt(len(q)))


@check("attention_weights_one_query")
def _(instance, inputs):
    close(instance.answer, ref_weights(inputs["q"], inputs["keys"]))


@check("attention_output")
def _(instance, inputs):
    w = ref_weights(inputs["q"], inputs["keys"])
    values = inputs["values"]
    out = [mp.fsum(a * mp.mpf(v[j]) for a, v in zip(w, values, strict=True)) for j in range(2)]
    close(instance.answer, out)


@check("dot_product_spread")
def _(instance, inputs):
    # Var(q.k) = sum of d independent products, each of variance E[q^2] E[k^2] = 1.
    close(instance.answer, mp.sqrt(inputs["d"]))


@check("causal_mask_visible")
def _(instance, inputs):
    t, n = inputs["query"], inputs["length"]
    text = chosen(instance)
    visible = [int(j) for j in re.findall(r"(\d+) \(“", text)]
    assert visible == list(range(1, t + 2)), (text, t, n)  # positions count from 1


@check("padding_masked_weights")
def _(instance, inputs):
    close(instance.answer, ref_masked(inputs["scores"], inputs["keep"]))
    assert all(w == 0 for w, k in zip(instance.answer, inputs["keep"], strict=True) if not k)


@check("causal_and_padding_row")
def _(instance, inputs):
    scores, t, pads = inputs["scores"], inputs["query"], inputs["padding"]
    keep = [pads <= j <= t for j in range(len(scores))]
    close(instance.answer, ref_masked(scores, keep))
    assert all(w == 0 for w, k in zip(instance.answer, keep, strict=True) if not k)


# --- Transformers and logit evolution -------------------------------------------------------------


@check("next_token_probability")
def _(instance, inputs):
    z = ref_matvec(inputs["h"], inputs["unembedding"])
    close(instance.answer, ref_softmax(z)[inputs["token"]])


@check("causal_training_purpose")
def _(instance, inputs):
    words, t = inputs["sentence"], inputs["query"]
    assert f"position {t + 2} and read “{words[t + 1]}”" in chosen(instance)  # from 1


@check("token_rank")
def _(instance, inputs):
    z, i = inputs["logits"], inputs["token"]
    assert len(set(z)) == len(z)
    assert instance.answer == sorted(z, reverse=True).index(z[i]) + 1


@check("logit_lens_top_token")
def _(instance, inputs):
    z = ref_matvec(inputs["early"], inputs["unembedding"])
    assert chosen(instance) == f"“{inputs['tokens'][ref_argmax(z)]}”"


@check("relative_logit_change")
def _(instance, inputs):
    before, after, i = inputs["before"], inputs["after"], inputs["token"]
    close(instance.answer, ref_softmax(after)[i])
    assert after[i] > before[i] and instance.answer < ref_softmax(before)[i]


# --- The tests ------------------------------------------------------------------------------------


def test_every_generator_has_a_reference_check():
    assert set(CHECKS) == set(problems.REGISTRY)


@pytest.mark.parametrize("key", sorted(problems.REGISTRY))
def test_answers_match_the_reference(key):
    for seed, instance in zip(SEEDS, built(key), strict=True):
        try:
            CHECKS[key](instance, instance.inputs)
        except AssertionError as error:
            raise AssertionError(f"{key}, seed {seed}: {error}") from error
