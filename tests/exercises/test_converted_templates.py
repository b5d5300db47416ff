"""The templates that replaced Python generators, checked like the generators were.

Each check recomputes the answer from the exercise's drawn inputs alone with mpmath at 40
digits (an independent reference, not the engine the template calls), over seeds 1-29, so
a template with the wrong formula fails here even though it validates.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath as mp
import numpy as np
import pytest

from exercises import templates
from exercises.check import file_templates
from tests.conftest import CONTENT

mp.mp.dps = 40
SEEDS = range(1, 30)


def _softmax(z) -> list:
    exps = [mp.exp(mp.mpf(v)) for v in z]
    return [e / mp.fsum(exps) for e in exps]


def _dot(a, b) -> mp.mpf:
    return mp.fsum(mp.mpf(x) * mp.mpf(y) for x, y in zip(a, b, strict=True))


def _sigmoid(x) -> mp.mpf:
    return 1 / (1 + mp.exp(-mp.mpf(x)))


def _grad(z, y) -> list:
    return [p - (1 if n == y else 0) for n, p in enumerate(_softmax(z))]


def _probabilities_4(h) -> list:
    return [mp.mpf(v) / 100 for v in [*h, 100 - sum(h)]]


def _smoothed(eps, y) -> list:
    return [mp.mpf(eps) / 3 + (1 - mp.mpf(eps) if n == y else 0) for n in range(3)]


def _position(values) -> int:
    return max(range(len(values)), key=lambda n: values[n]) + 1


def _logsumexp(z) -> mp.mpf:
    return mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in z))


def _underflow_logits(i) -> list:
    others = iter(i["t"])
    return [i["low"] if n == i["i"] else next(others) for n in range(3)]


def _layer_norm(x) -> list:
    mean = mp.fsum(x) / len(x)
    sd = mp.sqrt(mp.fsum((v - mean) ** 2 for v in x) / len(x))
    return [(v - mean) / sd for v in x]


def _f_descent(i, w) -> list:
    a, b, c, eta = (mp.mpf(i[n]) for n in ("a", "b", "c", "eta"))
    grad = [2 * (w[0] - a), 2 * c * (w[1] - b)]
    return [w[0] - eta * grad[0], w[1] - eta * grad[1]]


# template key -> the answer from its inputs `i`
REFERENCES: dict[str, Callable[[dict], object]] = {
    "sums-become-products": lambda i: mp.exp(i["a"]) * mp.exp(i["b"]),
    "a-difference-of-logs": lambda i: mp.log(i["y"] * i["r"]) - mp.log(i["y"]),
    "the-log-of-a-tiny-probability": lambda i: mp.log(mp.mpf(i["p"]) ** i["n"]),
    "exponentials-turn-sums-into-products": lambda i: mp.exp(mp.mpf(i["a"]) + mp.mpf(i["b"])),
    "a-query-key-dot-product": lambda i: _dot(i["q"], i["k"]),
    "the-best-matching-key": lambda i: _position([_dot(i["q"], i[f"k{n}"]) for n in "1234"]),
    "cosine-similarity": lambda i: (
        _dot(i["q"], i["k"]) / mp.sqrt(_dot(i["q"], i["q"]) * _dot(i["k"], i["k"]))
    ),
    "dot-products-and-cosine-similarity": lambda i: _position(
        [_dot(i["u"], i[f"v{n}"]) / mp.sqrt(_dot(i[f"v{n}"], i[f"v{n}"])) for n in "123"]
    ),
    "the-missing-probability": lambda i: 1 - mp.fsum(mp.mpf(t) / 20 for t in i["t"][:3]),
    "how-often-will-it-come-up": lambda i: i["n"] * mp.mpf(i["w"][i["i"]]) / sum(i["w"]),
    "entropy-of-a-distribution": lambda i: (
        -mp.fsum(mp.mpf(t) / 10 * mp.log(mp.mpf(t) / 10) for t in i["t"] if t)
    ),
    "the-slope-at-a-point": lambda i: mp.diff(
        lambda x: i["a"] * x**2 + i["b"] * x + i["c"], mp.mpf(i["x"])
    ),
    "the-chain-rule-for-softplus": lambda i: mp.diff(
        lambda x: mp.log(1 + mp.exp(i["a"] * x)), mp.mpf(i["x"])
    ),
    "one-step-of-gradient-descent": lambda i: _f_descent(i, [mp.mpf(v) for v in i["w"]]),
    "the-sigmoids-mirror": lambda i: 1 - _sigmoid(i["x"]),
    "a-logistic-regression-probability": lambda i: _sigmoid(_dot(i["w"], i["x"]) + i["b"]),
    "a-logistic-regression-prediction": lambda i: _sigmoid(_dot(i["w"], i["x"]) + i["b"]),
    "choosing-the-bias": lambda i: (
        mp.log(mp.mpf(i["p"]) / (1 - mp.mpf(i["p"]))) - _dot(i["w"], i["x"])
    ),
    "the-surprise-at-the-true-class": lambda i: -mp.log(_probabilities_4(i["h"])[i["y"]]),
    "cross-entropy-from-the-logits": lambda i: -mp.log(_softmax(i["z"])[i["y"]]),
    "which-prediction-costs-most": lambda i: _position([-mp.log(q) for q in i["q"]]),
    "cross-entropy-with-a-smoothed-target": lambda i: (
        -mp.fsum(
            q * mp.log(p)
            for q, p in zip(_smoothed(i["eps"], i["y"]), _softmax(i["z"]), strict=True)
        )
    ),
    "the-gradient-at-the-true-class": lambda i: mp.mpf(i["t"][i["y"]]) / 10 - 1,
    "the-gradient-entries-add-up-to-zero": lambda i: _grad(i["z"], i["y"])[3],
    "log-sum-exp-by-hand": lambda i: _logsumexp(i["z"]),
    "the-gap-between-floats": lambda i: mp.mpf(2) ** (i["k"] - 23),
    "the-residual-stream-through-a-block": lambda i: [
        mp.mpf(h) + a + m for h, a, m in zip(i["h"], i["a"], i["m"], strict=True)
    ],
    "layer-normalisation": lambda i: _layer_norm([mp.mpf(v) for v in i["x"]]),
    "log-sum-exp-of-huge-logits": lambda i: _logsumexp([i["base"] + v for v in i["o"]]),
    "a-log-probability-that-cannot-be-a-probability": lambda i: (
        i["low"] - _logsumexp(_underflow_logits(i))
    ),
    "a-gradient-step-on-the-logits": lambda i: [
        mp.mpf(z) - i["eta"] * g for z, g in zip(i["z"], _grad(i["z"], i["y"]), strict=True)
    ],
}
ENTRIES = {
    entry["key"]: entry
    for path in sorted(CONTENT.glob("*.md"))
    for entry in file_templates(path)
    if isinstance(entry, dict) and entry.get("key") in REFERENCES
}


def test_every_converted_template_is_in_a_concept_file():
    assert set(ENTRIES) == set(REFERENCES)


@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_answers_match_the_reference(key):
    for seed in SEEDS:
        exercise = templates.build(ENTRIES[key], seed)
        expected = REFERENCES[key](exercise.inputs)
        answer = exercise.answer
        if exercise.kind == "choice":
            continue
        if isinstance(expected, int):
            assert answer == expected, (key, seed)
            continue
        got = answer if isinstance(answer, tuple) else (answer,)
        want = expected if isinstance(expected, list) else [expected]
        for g, w in zip(got, want, strict=True):
            # choosing-the-bias uses the log-odds as shown (4 decimals): 1e-4 of slack
            slack = 1e-4 if key == "choosing-the-bias" else 1e-12
            assert abs(mp.mpf(g) - w) <= slack + 1e-9 * abs(w), (key, seed, g, w)


def _entry(key: str) -> dict:
    return next(
        e
        for path in sorted(CONTENT.glob("*.md"))
        for e in file_templates(path)
        if isinstance(e, dict) and e.get("key") == key
    )


def test_the_log_sum_exp_choice_names_the_interval_that_holds_it():
    for seed in SEEDS:
        exercise = templates.build(_entry("where-log-sum-exp-lies"), seed)
        lse = _logsumexp(exercise.inputs["z"])
        holding = []
        for key, text in exercise.options:
            low, high = (mp.mpf(v.strip("$")) for v in text.removeprefix("Between ").split(" and "))
            if low <= lse <= high:
                holding.append(key)
        assert holding == [exercise.answer], (seed, exercise.options)


def test_the_overflow_choice_names_the_one_exponential_past_float32():
    largest = mp.mpf(float(np.finfo(np.float32).max))
    for seed in SEEDS:
        exercise = templates.build(_entry("which-exponential-overflows"), seed)
        past = [key for key, text in exercise.options if mp.exp(int(text[4:-3])) > largest]
        assert past == [exercise.answer], (seed, exercise.options)
        with np.errstate(over="ignore"):  # the overflow is the point: float32 agrees
            overflowed = [k for k, t in exercise.options if np.isinf(np.exp(np.float32(t[4:-3])))]
        assert overflowed == past


def test_the_distribution_choice_names_the_one_valid_list():
    entry = _entry("which-is-a-distribution")
    for seed in SEEDS:
        exercise = templates.build(entry, seed)
        valid = []
        for key, text in exercise.options:
            values = [mp.mpf(v) for v in text.strip("$()").split(", ")]
            if min(values) >= 0 and abs(mp.fsum(values) - 1) < mp.mpf("1e-30"):
                valid.append(key)
        assert valid == [exercise.answer], (seed, exercise.options)
