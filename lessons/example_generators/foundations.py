"""The mathematics under softmax: entropy and derivatives."""

from __future__ import annotations

import itertools
import random

import numpy as np

from exercises import draws
from exercises.display import (
    aligned,
    fixed,
    fmt,
    num,
    nums,
    power_of_ten,
    scientific,
    shown_total,
)
from lessons import engine
from lessons.examples import Example, Step, register

SOFTPLUS_POINTS = [x for x in draws.grid(-3.0, 3.0, 0.5) if x != 0]  # f'''(0) = 0: see below
STEP_EXPONENTS = (-1, -3, -5)


def _fmt4(x: float) -> str:
    return fmt(x, 4)


def _composition(rng: random.Random, total: int, parts: int) -> list[int]:
    """`parts` positive integers adding up to `total`, uniformly among such lists."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    edges = [0, *cuts, total]
    return [hi - lo for lo, hi in itertools.pairwise(edges)]


@register("distribution_entropy", "Entropy: how spread out is a distribution?")
def distribution_entropy(key: str, seed: int, rng: random.Random) -> Example:
    """Two distributions over 4 outcomes: their entropies against the uniform's log 4."""
    k = 4

    def draw_pair() -> tuple[list[float], list[float]]:
        return (
            [w / 10 for w in _composition(rng, 10, k)],
            [w / 10 for w in _composition(rng, 10, k)],
        )

    def different(pair: tuple[list[float], list[float]]) -> bool:
        first, second = pair
        gap = abs(float(engine.entropy(first)) - float(engine.entropy(second)))
        return sorted(first) != sorted(second) and gap > 0.02

    p, q = draws.until(draw_pair, different)
    terms_p = [float(-v * np.log(v)) for v in p]
    terms_q = [float(-v * np.log(v)) for v in q]
    h_p, h_q = float(engine.entropy(p)), float(engine.entropy(q))
    max_entropy = float(np.log(k))
    uniform_entropy = float(engine.entropy([1 / k] * k))
    spread = 0 if h_p > h_q else 1
    names = ("p", "q")

    # The entropies are shown as the sums of their shown terms, everywhere, so that the
    # displayed sums add up (the exact values travel in `values`).
    shown_p = [fixed(t, 4) for t in terms_p]
    shown_q = [fixed(t, 4) for t in terms_q]
    shown_h = {"p": shown_total(shown_p, 4), "q": shown_total(shown_q, 4)}

    def entropy_formula(name: str, terms: list[str]) -> str:
        return (
            rf"H(\mathbf{{{name}}}) = -\sum_i {name}_i \log {name}_i = "
            rf"{' + '.join(terms)} = {shown_h[name]}"
        )

    steps = (
        Step(
            "Entropy of p",
            entropy_formula("p", shown_p),
            "Each outcome adds $-p_i \\log p_i$: rare outcomes are surprising but seldom "
            "seen, so they add little.",
            {"terms_p": terms_p, "entropy_p": h_p, "shown_sum_p": float(shown_h["p"])},
        ),
        Step(
            "Entropy of q",
            entropy_formula("q", shown_q),
            "The same sum for the second distribution.",
            {"terms_q": terms_q, "entropy_q": h_q, "shown_sum_q": float(shown_h["q"])},
        ),
        Step(
            "The most spread-out distribution",
            rf"H(\text{{uniform}}) = \log {k} = {_fmt4(max_entropy)}",
            f"No distribution over {k} outcomes has a larger entropy than the uniform one.",
            {"max_entropy": max_entropy, "uniform_entropy": uniform_entropy},
        ),
        Step(
            "Compare with the maximum",
            rf"\frac{{H(\mathbf{{p}})}}{{\log {k}}} = {fmt(h_p / max_entropy)},\quad"
            rf" \frac{{H(\mathbf{{q}})}}{{\log {k}}} = {fmt(h_q / max_entropy)}",
            f"$\\mathbf{{{names[spread]}}}$ is closer to uniform, so it is more spread out.",
            {
                "normalised_p": h_p / max_entropy,
                "normalised_q": h_q / max_entropy,
                "more_spread": spread,
            },
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Two distributions over {k} outcomes are $\\mathbf{{p}} = {nums(p)}$ and "
            f"$\\mathbf{{q}} = {nums(q)}$. Compute their entropies in nats and compare them "
            f"with $\\log {k}$, the entropy of the uniform distribution. Which is more "
            "spread out?"
        ),
        steps=steps,
        result=(
            f"$H(\\mathbf{{p}}) = {shown_h['p']}$ and $H(\\mathbf{{q}}) = {shown_h['q']}$ nats, "
            f"against $\\log {k} = {_fmt4(max_entropy)}$: "
            f"$\\mathbf{{{names[spread]}}}$ is more spread out."
        ),
        insight=(
            "Entropy measures spread: it is largest for the uniform distribution and "
            "shrinks as the mass piles onto fewer outcomes."
        ),
        inputs={"p": p, "q": q},
    )


def _agreement(error: float) -> str:
    """How many decimal places two numbers share, given their difference."""
    if error == 0:
        return "They agree exactly in float64."
    return f"They agree to {int(np.floor(-np.log10(error)))} decimal places."


@register("finite_difference_derivative", "Checking a derivative by finite differences")
def finite_difference_derivative(key: str, seed: int, rng: random.Random) -> Example:
    """The softplus log(1 + e^x) has derivative sigmoid(x); a central difference agrees."""
    x = rng.choice(SOFTPLUS_POINTS)

    def softplus(v: float) -> float:
        return float(np.logaddexp(0.0, v))  # log(1 + e^v) without overflow

    value = softplus(x)
    derivative = float(engine.sigmoid(x))
    log_loss = float(engine.cross_entropy([0.0, x], 0))  # -log(1 - sigma(x)), label 0
    hs = [10.0**e for e in STEP_EXPONENTS]
    centrals = [(softplus(x + h) - softplus(x - h)) / (2 * h) for h in hs]
    errors = [abs(c - derivative) for c in centrals]
    h, e = hs[-1], STEP_EXPONENTS[-1]
    f_plus, f_minus = softplus(x + h), softplus(x - h)

    steps = (
        Step(
            "The function and its exact derivative",
            rf"f({num(x)}) = \log\left(1 + e^{{{num(x)}}}\right) = {fixed(value, 6)},\quad"
            rf" f'(x) = \frac{{e^x}}{{1 + e^x}} = \sigma(x)",
            "The chain rule gives the sigmoid as the derivative of the softplus.",
            {"f": value},
        ),
        Step(
            "The softplus is the log loss",
            rf"-\log\left(1 - \sigma({num(x)})\right) = -\log {fixed(1 - derivative, 6)}"
            rf" = {fixed(log_loss, 6)} = f({num(x)})",
            "A logistic model that gives logit $x$ to an example of class 0 predicts class 1 "
            r"with probability $\sigma(x)$; its log loss $-\log(1 - \sigma(x))$ is exactly "
            r"the softplus, and the derivative $\sigma(x) = p - y$ is the log loss's gradient.",
            {"log_loss": log_loss, "one_minus_sigmoid": 1 - derivative},
        ),
        Step(
            "Nudge x both ways",
            rf"f({num(x)} + {power_of_ten(e)}) = {fixed(f_plus, 11)},\quad"
            rf" f({num(x)} - {power_of_ten(e)}) = {fixed(f_minus, 11)}",
            "The two values agree in their first few decimals; the slope hides in the "
            "tiny difference.",
            {"step": h, "f_plus": f_plus, "f_minus": f_minus},
        ),
        Step(
            "Central difference",
            rf"\frac{{f(x + h) - f(x - h)}}{{2h}} = {fixed(centrals[-1], 9)}",
            "The slope of the chord through the two nearby points.",
            {"central_difference": centrals[-1]},
        ),
        Step(
            "Compare with the exact derivative",
            rf"\sigma({num(x)}) = {fixed(derivative, 9)},\quad"
            rf" |\text{{difference}}| = {scientific(errors[-1], 2)}",
            _agreement(errors[-1]),
            {"derivative": derivative, "abs_error": errors[-1]},
        ),
        Step(
            "How the error depends on h",
            aligned(
                [
                    rf"h = {power_of_ten(k)}: &\quad |\text{{error}}| = {scientific(err, 2)}"
                    for k, err in zip(STEP_EXPONENTS, errors, strict=True)
                ]
            ),
            "While truncation dominates, each tenfold cut in $h$ cuts the error about a "
            "hundredfold; at the smallest $h$ float64 rounding starts to compete.",
            {"steps": hs, "central_differences": centrals, "errors": errors},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            "The softplus $f(x) = \\log(1 + e^x)$ is the log loss of a logistic model that "
            "gives logit $x$ to an example of class 0, and its derivative is $\\sigma(x)$. "
            f"Check that at $x = {num(x)}$, then compare $\\sigma(x)$ with the central difference "
            "$\\frac{f(x+h) - f(x-h)}{2h}$."
        ),
        steps=steps,
        result=(
            f"$\\sigma({num(x)}) = {fixed(derivative, 6)}$, and the central difference with "
            f"$h = {power_of_ten(e)}$ agrees to within ${scientific(errors[-1], 2)}$."
        ),
        insight=(
            "A central difference is a cheap, independent check of a derivative formula, "
            "accurate to about the square of the step."
        ),
        inputs={"x": x},
    )
