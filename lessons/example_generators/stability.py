"""Numerical stability: where exp overflows, the max-shift, and log-sum-exp."""

from __future__ import annotations

import math
import random

import numpy as np

from exercises import draws
from exercises.display import fixed, fmt, num, nums, plain, vec
from lessons import engine
from lessons.examples import Example, Step, register

HUGE_BASES = (900.0, 1000.0, 1100.0)
LARGE_LOGITS = (50.0, 100.0, 250.0, 500.0, 710.0, 800.0, 1000.0)
LSE_BASES = (0.0, 10.0, 100.0, 500.0, 1000.0)
SMALL_OFFSETS = [float(v) for v in range(-3, 4)]


def exp_limit(dtype: type[np.floating]) -> float:
    """The largest x whose exp(x) is still finite in `dtype`: log of the largest float."""
    return float(np.log(np.finfo(dtype).max, dtype=np.float64))


def overflows(x: float, dtype: type[np.floating]) -> bool:
    """Whether exp(x) overflows when computed in `dtype`."""
    with np.errstate(over="ignore"):
        return bool(np.isinf(np.exp(dtype(x))))


@register("stable_softmax_huge_logits", "Stable softmax of huge logits")
def stable_softmax_huge_logits(key: str, seed: int, rng: random.Random) -> Example:
    """Logits near 1000: the naive exp overflows; subtracting the max does not."""
    k = rng.choice([3, 4])
    base = rng.choice(HUGE_BASES)
    z = [base + v for v in draws.logits(rng, k, SMALL_OFFSETS)]

    max64 = float(np.finfo(np.float64).max)
    limit64, limit32 = exp_limit(np.float64), exp_limit(np.float32)
    with np.errstate(over="ignore"):
        naive_exps = np.exp(np.array(z))  # really overflows: every entry is inf
    m = max(z)
    shifted = [v - m for v in z]
    shifted_exps = np.exp(shifted)
    total = float(np.sum(shifted_exps))
    p = engine.softmax(z)

    steps = (
        Step(
            "Try the naive way",
            rf"e^{{{num(min(z))}}} > e^{{{fixed(limit64, 2)}}} \approx {fmt(max64)}"
            r"\;\Rightarrow\; \text{overflow}",
            f"The largest float64 is about ${fmt(max64)}$, which is $e^{{{fixed(limit64, 2)}}}$; "
            "every $e^{z_i}$ here is beyond it, and so is their sum, leaving "
            "overflow divided by overflow, which is undefined. In float32 the trouble "
            f"starts above $x \\approx {fixed(limit32, 2)}$.",
            {
                "naive_exps": plain(naive_exps),
                "float64_max": max64,
                "float64_exp_limit": limit64,
                "float32_exp_limit": limit32,
            },
        ),
        Step(
            "Find the largest logit",
            rf"m = \max_i z_i = {num(m)}",
            "Softmax does not change when every logit moves by the same amount, "
            "so we may move them all down by $m$.",
            {"max": m},
        ),
        Step(
            "Subtract it",
            rf"\mathbf{{z}} - m = {nums(shifted)}",
            "Now the largest entry is 0 and the rest are negative.",
            {"shifted": shifted},
        ),
        Step(
            "Exponentiate the shifted logits",
            rf"e^{{\mathbf{{z}} - m}} = {vec(shifted_exps, lambda x: fmt(x, 4))},"
            rf"\quad S = {fmt(total, 4)}",
            "Every exponential lies between 0 and 1, and the sum lies between 1 and "
            f"{k}: nothing can overflow.",
            {"shifted_exps": plain(shifted_exps), "shifted_sum": total},
        ),
        Step(
            "Normalise",
            rf"\mathbf{{p}} = \frac{{e^{{\mathbf{{z}} - m}}}}{{S}} = {vec(p, lambda x: fmt(x, 4))}",
            "These are exactly the probabilities the naive formula means, computed safely.",
            {"probabilities": plain(p)},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Compute $\\operatorname{{softmax}}(\\mathbf{{z}})$ for $\\mathbf{{z}} = {nums(z)}$ "
            "in float64, first naively and then stably."
        ),
        steps=steps,
        result=(
            f"$\\mathbf{{p}} = {vec(p, lambda x: fmt(x, 4))}$, the same as the softmax of "
            f"${nums(shifted)}$."
        ),
        insight=(
            "Stable softmax is not an approximation: it computes the same probabilities "
            "after a shift that keeps every exponential at most 1."
        ),
        inputs={"logits": z},
    )


@register("float_overflow_limits", "Where exp overflows")
def float_overflow_limits(key: str, seed: int, rng: random.Random) -> Example:
    """The overflow threshold of exp in float32 and float64, and the max-shift for large x."""
    x = rng.choice(LARGE_LOGITS)
    gaps = sorted(draws.distinct(rng, draws.grid(0.5, 3.0, 0.5), 2))
    z = [x, x - gaps[0], x - gaps[1]]
    rng.shuffle(z)

    max64, max32 = float(np.finfo(np.float64).max), float(np.finfo(np.float32).max)
    limit64, limit32 = exp_limit(np.float64), exp_limit(np.float32)
    over32, over64 = overflows(x, np.float32), overflows(x, np.float64)
    decimal_exponent = float(x / np.log(10.0))
    shifted = [v - x for v in z]
    shifted_exps = np.exp(shifted)
    p = engine.softmax(z)

    def verdict(over: bool) -> str:
        return r"\text{overflow}" if over else r"\text{finite}"

    steps = (
        Step(
            "The float64 limit",
            rf"\log\left({fmt(max64)}\right) = {fixed(limit64, 2)}",
            f"The largest float64 is about ${fmt(max64)}$; "
            "$e^x$ is finite only while $x$ is below its logarithm.",
            {"float64_max": max64, "float64_exp_limit": limit64},
        ),
        Step(
            "The float32 limit",
            rf"\log\left({fmt(max32)}\right) = {fixed(limit32, 2)}",
            f"float32 runs out far sooner: a logit of {math.ceil(limit32)} already overflows.",
            {"float32_max": max32, "float32_exp_limit": limit32},
        ),
        Step(
            f"Where the exponential of {num(x)} lands",
            rf"e^{{{num(x)}}} = 10^{{{fixed(decimal_exponent, 2)}}}:\quad"
            rf" \text{{float32: }}{verdict(over32)},\ \text{{float64: }}{verdict(over64)}",
            "Dividing the exponent by $\\log 10$ gives the number of decimal digits.",
            {
                "x": x,
                "decimal_exponent": decimal_exponent,
                "overflows_float32": over32,
                "overflows_float64": over64,
            },
        ),
        Step(
            "Shift by the largest logit",
            rf"\mathbf{{z}} - {num(x)} = {nums(shifted)},\quad"
            rf" e^{{\mathbf{{z}} - {num(x)}}} = {vec(shifted_exps, lambda v: fmt(v, 4))}",
            "After subtracting the maximum every exponent is at most 0, in either format.",
            {"shifted": shifted, "shifted_exps": plain(shifted_exps)},
        ),
        Step(
            "Normalise",
            rf"\mathbf{{p}} = {vec(p, lambda v: fmt(v, 4))}",
            "The softmax of the huge logits, computed without a single overflow.",
            {"probabilities": plain(p)},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            "Find the largest $x$ for which $e^x$ is finite in float32 and in float64. "
            f"Then compute the softmax of $\\mathbf{{z}} = {nums(z)}$ without overflow."
        ),
        steps=steps,
        result=(
            f"$e^x$ overflows above $x \\approx {fixed(limit32, 2)}$ in float32 and "
            f"$x \\approx {fixed(limit64, 2)}$ in float64; the stable softmax is "
            f"$\\mathbf{{p}} = {vec(p, lambda v: fmt(v, 4))}$."
        ),
        insight=(
            "Overflow depends on the size of the exponent, and the max-shift makes the "
            "largest exponent exactly zero."
        ),
        inputs={"logits": z, "x": x},
    )


@register("logsumexp_bounds", "Log-sum-exp between max and max + log K")
def logsumexp_bounds(key: str, seed: int, rng: random.Random) -> Example:
    """logsumexp(z) computed stably, and checked against max(z) and max(z) + log K."""
    k = rng.choice([3, 4, 5])
    base = rng.choice(LSE_BASES)
    z = [base + v for v in draws.logits(rng, k)]

    m = max(z)
    shifted = [v - m for v in z]
    shifted_exps = np.exp(shifted)
    total = float(np.sum(shifted_exps))
    log_total = float(np.log(total))
    lse = float(engine.logsumexp(z))
    log_k = float(np.log(k))

    steps = (
        Step(
            "Take the largest logit",
            rf"m = \max_i z_i = {num(m)}",
            "Log-sum-exp is never smaller than this: the sum contains $e^m$.",
            {"max": m},
        ),
        Step(
            "Shift and exponentiate",
            rf"e^{{\mathbf{{z}} - m}} = {vec(shifted_exps, lambda v: fmt(v, 4))},\quad"
            rf" \tilde S = {fmt(total, 4)}",
            f"One term is exactly 1 and the others are at most 1, so $1 \\le \\tilde S \\le {k}$.",
            {"shifted": shifted, "shifted_exps": plain(shifted_exps), "shifted_sum": total},
        ),
        Step(
            "Add the log back",
            rf"\operatorname{{LSE}}(\mathbf{{z}}) = m + \log \tilde S"
            rf" = {num(m)} + {fixed(log_total, 4)} = {fixed(lse, 4)}",
            "The exponentials never see a large number, so nothing overflows.",
            {"log_shifted_sum": log_total, "logsumexp": lse},
        ),
        Step(
            "Check the bounds",
            rf"{num(m)} \le {fixed(lse, 4)} \le {num(m)} + \log {k} = {fixed(m + log_k, 4)}",
            "It sits near the lower bound when one logit dominates and would reach the upper "
            "bound only if all logits were equal.",
            {"lower": m, "upper": m + log_k, "log_k": log_k, "gap": lse - m},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Compute $\\operatorname{{LSE}}(\\mathbf{{z}}) = \\log \\sum_i e^{{z_i}}$ for "
            f"$\\mathbf{{z}} = {nums(z)}$ and check that it lies between $\\max_i z_i$ and "
            f"$\\max_i z_i + \\log {k}$."
        ),
        steps=steps,
        result=(
            f"$\\operatorname{{LSE}}(\\mathbf{{z}}) = {fixed(lse, 4)}$, which is "
            f"${fixed(lse - m, 4)}$ above the largest logit."
        ),
        insight="Log-sum-exp is a smooth maximum: never below the largest logit and at most "
        "log K above it.",
        inputs={"logits": z},
    )
