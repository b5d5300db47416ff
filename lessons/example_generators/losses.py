"""Cross-entropy from logits, and its gradient p - y."""

from __future__ import annotations

import random

import numpy as np

from exercises import draws
from exercises.display import (
    cls,
    fixed,
    fmt,
    near_zero,
    num,
    nums,
    plain,
    power_of_ten,
    scientific,
    shown_total,
    vec,
)
from lessons import engine
from lessons.examples import Example, Step, register

STEP_EXPONENT = -5  # the finite-difference step h = 10^-5


@register("cross_entropy_logsumexp", "Cross-entropy through log-sum-exp")
def cross_entropy_logsumexp(key: str, seed: int, rng: random.Random) -> Example:
    """L = logsumexp(z) - z_y for a 4-class example, and p_y = e^-L."""
    z = draws.logits(rng, 4, min_spread=1.5)
    y = rng.randrange(4)
    shown_y = cls(y)

    m = max(z)
    shifted = [v - m for v in z]
    shifted_exps = np.exp(shifted)
    total = float(np.sum(shifted_exps))
    log_total = float(np.log(total))
    lse = float(engine.logsumexp(z))
    loss = float(engine.cross_entropy(z, y))
    p_true = float(np.exp(-loss))
    softmax_true = float(engine.softmax(z)[y])

    exp_terms = [fixed(v, 4) for v in shifted_exps]  # one precision; the total adds up
    shown_sum = shown_total(exp_terms, 4)
    steps = (
        Step(
            "Take the largest logit",
            rf"m = \max_i z_i = {num(m)}",
            "Shifting by $m$ keeps every exponential at most 1.",
            {"max": m},
        ),
        Step(
            "Shift and exponentiate",
            rf"\mathbf{{z}} - m = {nums(shifted)},\quad"
            rf" e^{{\mathbf{{z}} - m}} = {vec(shifted_exps, lambda v: fixed(v, 4))}",
            "The largest logit becomes $e^0 = 1$; the others shrink below 1.",
            {"shifted": shifted, "shifted_exps": plain(shifted_exps)},
        ),
        Step(
            "Add them up",
            rf"\tilde S = {' + '.join(exp_terms)} = {shown_sum}",
            "A number between 1 and 4, so its logarithm is safe.",
            {"shifted_sum": total, "shown_sum": float(shown_sum)},
        ),
        Step(
            "Log-sum-exp",
            rf"\log \sum_j e^{{z_j}} = m + \log \tilde S = {num(m)} + {fixed(log_total, 4)}"
            rf" = {fixed(lse, 4)}",
            "The log of the softmax normaliser, computed without forming $e^{z_j}$ itself.",
            {"log_shifted_sum": log_total, "logsumexp": lse},
        ),
        Step(
            "Subtract the true logit",
            rf"L = \log \sum_j e^{{z_j}} - z_{{{shown_y}}} = {fixed(lse, 4)} - ({num(z[y])})"
            rf" = {fixed(loss, 4)}",
            "Cross-entropy with a one-hot target is $-\\log p_y$, which simplifies to this.",
            {"loss": loss},
        ),
        Step(
            "Recover the probability",
            rf"p_{{{shown_y}}} = e^{{-L}} = e^{{{fixed(-loss, 4)}}} = {fmt(p_true, 4)}",
            "The same number as the softmax entry of the true class, "
            "but it never had to be formed to get the loss.",
            {"p_true": p_true, "softmax_true": softmax_true},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A 4-class model outputs logits $\\mathbf{{z}} = {nums(z)}$ and the true class is "
            f"$y = {shown_y}$. Compute the cross-entropy $L = -\\log p_y$ stably, "
            "through log-sum-exp."
        ),
        steps=steps,
        result=(
            f"$L = {fixed(loss, 4)}$ nats, so the model gives the true class "
            f"probability $p_{{{shown_y}}} = {fmt(p_true, 4)}$."
        ),
        insight=(
            "Cross-entropy from logits is log-sum-exp minus the true logit, so a stable "
            "log-sum-exp gives a stable loss."
        ),
        inputs={"logits": z, "target": y},
    )


@register("cross_entropy_gradient", "The gradient p - y")
def cross_entropy_gradient(key: str, seed: int, rng: random.Random) -> Example:
    """dL/dz = softmax(z) - onehot(y), with a central-difference check of one entry."""
    k = rng.choice([3, 4])
    z = draws.logits(rng, k)
    y = rng.randrange(k)
    i = rng.randrange(k)
    shown_y, shown_i = cls(y), cls(i)

    p = engine.softmax(z)
    one_hot = [1.0 if n == y else 0.0 for n in range(k)]
    gradient = engine.cross_entropy_grad(z, y)
    gradient_sum = float(np.sum(gradient))
    h = 10.0**STEP_EXPONENT
    bump = np.zeros(k)
    bump[i] = h
    loss_plus = float(engine.cross_entropy(np.array(z) + bump, y))
    loss_minus = float(engine.cross_entropy(np.array(z) - bump, y))
    central = (loss_plus - loss_minus) / (2 * h)
    error = abs(central - float(gradient[i]))

    steps = (
        Step(
            "Softmax probabilities",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p, lambda v: fmt(v, 4))}",
            "The model's current distribution.",
            {"probabilities": plain(p)},
        ),
        Step(
            "One-hot target",
            rf"\mathbf{{y}} = {nums(one_hot)}",
            f"A 1 in position {shown_y}, the true class, and 0 elsewhere.",
            {"one_hot": one_hot},
        ),
        Step(
            "Subtract",
            rf"\nabla_{{\mathbf{{z}}}} L = \mathbf{{p}} - \mathbf{{y}}"
            rf" = {vec(gradient, lambda v: fmt(v, 4))}",
            "Only the true class gets a negative entry: gradient descent raises its logit "
            "and lowers every other one in proportion to its probability.",
            {"gradient": plain(gradient)},
        ),
        Step(
            "The entries sum to zero",
            rf"\sum_i (p_i - y_i) = 1 - 1 = {near_zero(gradient_sum)}",
            "Both $\\mathbf{p}$ and $\\mathbf{y}$ sum to 1 (up to float64 rounding), "
            "so a step along the gradient does not shift all logits together.",
            {"gradient_sum": gradient_sum},
        ),
        Step(
            f"Check entry {shown_i} by finite differences",
            rf"\frac{{L(\mathbf{{z}} + h\mathbf{{e}}_{{{shown_i}}})"
            rf" - L(\mathbf{{z}} - h\mathbf{{e}}_{{{shown_i}}})}}{{2h}}"
            rf" = \frac{{{fixed(loss_plus, 10)} - {fixed(loss_minus, 10)}}}"
            rf"{{2 \cdot {power_of_ten(STEP_EXPONENT)}}} = {fixed(central, 7)}",
            f"With $h = {power_of_ten(STEP_EXPONENT)}$ the central difference matches "
            f"$p_{{{shown_i}}} - y_{{{shown_i}}} = {fixed(gradient[i], 7)}$ to within "
            f"${scientific(error, 2)}$.",
            {
                "step": h,
                "loss_plus": loss_plus,
                "loss_minus": loss_minus,
                "finite_difference": central,
                "analytic": float(gradient[i]),
                "abs_error": error,
            },
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$ and true class $y = {shown_y}$, compute "
            "the gradient of the cross-entropy with respect to the logits, and check one "
            "entry with a central difference."
        ),
        steps=steps,
        result=(
            f"$\\nabla_{{\\mathbf{{z}}}} L = {vec(gradient, lambda v: fmt(v, 4))}$; its entries "
            "sum to zero and the finite difference agrees."
        ),
        insight=(
            "The gradient of softmax cross-entropy is just predicted minus true "
            "probabilities, so it is large exactly where the model is confidently wrong."
        ),
        inputs={"logits": z, "target": y, "checked_index": i},
    )
