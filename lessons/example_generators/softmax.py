"""Softmax itself: probabilities, shift invariance, temperature, the two-class case."""

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
    shown_total,
    vec,
)
from lessons import engine
from lessons.examples import Example, Step, register

SHIFTS = (-50.0, -3.0, -2.0, 2.0, 5.0, 10.0, 100.0)
LOW_TEMPERATURES = (0.25, 0.5)
HIGH_TEMPERATURES = (2.0, 3.0, 4.0)
EPSILON = float(np.finfo(np.float64).eps)


@register("softmax_probabilities", "Softmax probabilities and the ratio identity")
def softmax_probabilities(key: str, seed: int, rng: random.Random) -> Example:
    """Exponentiate, add up, divide; then p_i / p_j against e^(z_i - z_j) for one pair."""
    k = rng.choice([3, 4])
    z = draws.logits(rng, k)
    i, j = sorted(rng.sample(range(k), 2), key=lambda n: -z[n])  # z_i > z_j
    big, small = cls(i), cls(j)

    exps = np.exp(z)
    total = float(np.sum(exps))
    p = engine.softmax(z)
    ratio = float(p[i] / p[j])
    gap = z[i] - z[j]
    exp_gap = float(np.exp(gap))
    top = int(engine.argmax(z))
    # The quotient shown is that of the two probabilities as shown (6 digits each).
    shown_ratio = float(fmt(p[i], 6)) / float(fmt(p[j], 6))

    powers = r",\ ".join(f"e^{{{num(v)}}}" for v in z)
    exp_terms = [fixed(e, 4) for e in exps]  # one precision, and the total they add up to
    shown_sum = shown_total(exp_terms, 4)
    steps = (
        Step(
            "Exponentiate each logit",
            rf"e^{{\mathbf{{z}}}} = ({powers}) = {vec(exps, lambda e: fixed(e, 4))}",
            "Every $e^{z_i}$ is positive, so negative logits are no problem.",
            {"exps": plain(exps)},
        ),
        Step(
            "Add the exponentials",
            rf"S = \sum_j e^{{z_j}} = {' + '.join(exp_terms)} = {shown_sum}",
            "This sum is the normaliser: dividing by it makes the entries add up to one.",
            {"total": total, "shown_sum": float(shown_sum)},
        ),
        Step(
            "Divide by the sum",
            rf"\mathbf{{p}} = \frac{{e^{{\mathbf{{z}}}}}}{{S}} = {vec(p)},"
            rf"\quad \sum_i p_i = {fmt(float(np.sum(p)))}",
            "Each probability is one exponential's share of the total.",
            {"probabilities": plain(p), "probability_sum": float(np.sum(p))},
        ),
        Step(
            "Divide two probabilities",
            rf"\frac{{p_{{{big}}}}}{{p_{{{small}}}}}"
            rf" = \frac{{{fmt(p[i], 6)}}}{{{fmt(p[j], 6)}}} = {fmt(shown_ratio, 4)}",
            "The normaliser $S$ cancels in a ratio, so only the two exponentials are left.",
            {"ratio": ratio, "shown_ratio": shown_ratio},
        ),
        Step(
            "Compare with the logit gap",
            rf"e^{{z_{{{big}}} - z_{{{small}}}}} = e^{{{num(z[i])} - ({num(z[j])})}}"
            rf" = e^{{{num(gap)}}} = {fmt(exp_gap, 4)}",
            "The same number up to rounding: a ratio of probabilities is the exponential of a "
            "logit difference.",
            {"logit_difference": gap, "exp_difference": exp_gap},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A {k}-class model outputs logits $\\mathbf{{z}} = {nums(z)}$. Compute "
            f"$\\mathbf{{p}} = \\operatorname{{softmax}}(\\mathbf{{z}})$, then check numerically "
            f"that $p_{{{big}}} / p_{{{small}}} = e^{{z_{{{big}}} - z_{{{small}}}}}$."
        ),
        steps=steps,
        result=(
            f"$\\mathbf{{p}} = {vec(p)}$; class {cls(top)} is the most likely, and "
            f"$p_{{{big}}} / p_{{{small}}} = e^{{{num(gap)}}} \\approx {fmt(ratio, 4)}$."
        ),
        insight=(
            f"A logit gap of {num(gap)} makes one class {fmt(exp_gap)} times as likely as "
            "the other, whatever the remaining logits are."
        ),
        inputs={"logits": z, "pair": [i, j]},
    )


@register("shift_invariance", "Shift invariance, checked numerically")
def shift_invariance(key: str, seed: int, rng: random.Random) -> Example:
    """softmax(z + c) equals softmax(z); subtracting max(z) is the case c = -max(z)."""
    k = rng.choice([3, 4])
    z = draws.logits(rng, k)
    c = rng.choice(SHIFTS)
    shifted = [v + c for v in z]  # halves plus a whole number: exact in float64

    p = engine.softmax(z)
    p_shifted = engine.softmax(shifted)
    difference = float(np.max(np.abs(p - p_shifted)))
    exp_c = float(np.exp(c))
    m = max(z)
    centred = [v - m for v in z]
    p_centred = engine.softmax(centred)
    centred_difference = float(np.max(np.abs(p - p_centred)))

    steps = (
        Step(
            "Softmax of the original logits",
            rf"\operatorname{{softmax}}{nums(z)} = {vec(p, lambda x: fmt(x, 4))}",
            "The reference distribution.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Add the same constant to every logit",
            rf"\mathbf{{z}} + c = {nums(z)} + ({num(c)}) = {nums(shifted)}",
            "Every logit moves by the same amount, so every gap $z_i - z_j$ stays the same.",
            {"shifted_logits": shifted, "shift": c},
        ),
        Step(
            "Softmax of the shifted logits",
            rf"\operatorname{{softmax}}{nums(shifted)} = {vec(p_shifted, lambda x: fmt(x, 4))}",
            f"Each exponential was multiplied by $e^{{c}} \\approx {fmt(exp_c)}$, "
            "and so was their sum, so the factor cancels.",
            {"shifted_probabilities": plain(p_shifted), "exp_shift": exp_c},
        ),
        Step(
            "Measure the difference",
            rf"\max_i \left| p_i(\mathbf{{z}} + c) - p_i(\mathbf{{z}}) \right|"
            rf" = {near_zero(difference, 1e-300)}",
            "Zero, or a difference at the level of float64 rounding (machine epsilon is "
            f"${fmt(EPSILON)}$).",
            {"max_difference": difference},
        ),
        Step(
            "The max-shift is a special case",
            rf"c = -\max_i z_i = {num(-m)}:\quad \operatorname{{softmax}}{nums(centred)}"
            rf" = {vec(p_centred, lambda x: fmt(x, 4))}",
            "Choosing $c = -\\max_i z_i$ makes the largest logit 0, "
            "which is exactly what stable softmax does.",
            {
                "centred_logits": centred,
                "centred_probabilities": plain(p_centred),
                "centred_max_difference": centred_difference,
            },
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Take logits $\\mathbf{{z}} = {nums(z)}$ and add $c = {num(c)}$ to every entry. "
            "Compare the two softmax distributions."
        ),
        steps=steps,
        result=(
            f"Both give $\\mathbf{{p}} = {vec(p, lambda x: fmt(x, 4))}$: adding $c = {num(c)}$ "
            "to all logits leaves the probabilities unchanged."
        ),
        insight=(
            "Softmax only sees differences between logits, which is why subtracting the "
            "largest logit before exponentiating is allowed."
        ),
        inputs={"logits": z, "shift": c},
    )


@register("temperature_effect", "How temperature reshapes the distribution")
def temperature_effect(key: str, seed: int, rng: random.Random) -> Example:
    """Softmax of the same logits at a low, the standard and a high temperature."""
    k = rng.choice([3, 4])
    z = draws.logits(rng, k, min_spread=1.5)
    temperatures = [rng.choice(LOW_TEMPERATURES), 1.0, rng.choice(HIGH_TEMPERATURES)]

    scaled = [[v / t for v in z] for t in temperatures]
    probabilities = [engine.softmax(z, temperature=t) for t in temperatures]
    entropies = [float(engine.entropy_from_logits(z, temperature=t)) for t in temperatures]
    max_entropy = float(np.log(k))
    orders = [plain(np.argsort(-p, kind="stable")) for p in probabilities]
    tops = [float(np.max(p)) for p in probabilities]
    ranking = r" \succ ".join(str(cls(n)) for n in orders[0])

    def rows(show) -> str:
        lines = [rf"T = {num(t)}: & \quad {show(n)}" for n, t in enumerate(temperatures)]
        return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"

    steps = (
        Step(
            "Divide the logits by T",
            rows(lambda n: rf"\mathbf{{z}}/T = {vec(scaled[n], lambda x: fixed(x, 3))}"),
            "A small $T$ stretches the gaps between logits; a large $T$ shrinks them.",
            {"temperatures": temperatures, "scaled_logits": scaled},
        ),
        Step(
            "Softmax at each temperature",
            rows(lambda n: rf"\mathbf{{p}} = {vec(probabilities[n])}"),
            "The same logits give a sharper distribution when cold and a flatter one when hot.",
            {"probabilities": [plain(p) for p in probabilities]},
        ),
        Step(
            "Entropy at each temperature",
            rows(lambda n: rf"H = {fmt(entropies[n])}\ \text{{nats}}")
            + rf",\quad \log {k} = {fmt(max_entropy)}",
            f"Entropy rises with $T$ towards $\\log {k}$, the entropy of the uniform "
            f"distribution over {k} classes.",
            {"entropies": entropies, "max_entropy": max_entropy},
        ),
        Step(
            "The order of the classes never changes",
            rf"\text{{ranking at every }} T:\ {ranking},\quad"
            rf" \max_i p_i = {vec(tops)}",
            "Dividing by a positive $T$ keeps the logits in the same order, "
            "so the most likely class stays the most likely.",
            {"orders": orders, "top_probabilities": tops},
        ),
    )
    low, high = temperatures[0], temperatures[2]
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$, compute "
            f"$\\operatorname{{softmax}}(\\mathbf{{z}}/T)$ and its entropy at "
            f"$T = {num(low)}$, $T = 1$ and $T = {num(high)}$."
        ),
        steps=steps,
        result=(
            f"The top probability falls from ${fmt(tops[0])}$ at $T = {num(low)}$ to "
            f"${fmt(tops[2])}$ at $T = {num(high)}$, while the entropy rises from "
            f"${fmt(entropies[0])}$ to ${fmt(entropies[2])}$ nats."
        ),
        insight=("Temperature changes how sure the distribution is, never which class it prefers."),
        inputs={"logits": z, "temperatures": temperatures, "temperature": low},
    )


@register("sigmoid_two_class", "The sigmoid as two-class softmax")
def sigmoid_two_class(key: str, seed: int, rng: random.Random) -> Example:
    """softmax([a, b])_0 against sigmoid(a - b)."""
    a, b = draws.logits(rng, 2, min_spread=0.5)
    p = engine.softmax([a, b])
    gap = a - b
    s = float(engine.sigmoid(gap))
    s_reverse = float(engine.sigmoid(-gap))
    difference = abs(float(p[0]) - s)

    steps = (
        Step(
            "Two-class softmax",
            rf"p_1 = \frac{{e^{{{num(a)}}}}}{{e^{{{num(a)}}} + e^{{{num(b)}}}}} = {fmt(p[0], 4)},"
            rf"\quad p_2 = {fmt(p[1], 4)}",
            "Softmax over two logits $(a, b)$.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Divide top and bottom by the second exponential",
            rf"p_1 = \frac{{1}}{{1 + e^{{-(a - b)}}}} = \sigma(a - b),\quad"
            rf" a - b = {num(a)} - ({num(b)}) = {num(gap)}",
            "Only the difference of the two logits survives.",
            {"difference": gap},
        ),
        Step(
            "Evaluate the sigmoid",
            rf"\sigma({num(gap)}) = \frac{{1}}{{1 + e^{{{num(-gap)}}}}} = {fmt(s, 4)}",
            "The logistic sigmoid of the logit gap.",
            {"sigmoid": s},
        ),
        Step(
            "Compare",
            rf"\left| p_1 - \sigma(a - b) \right| = {near_zero(difference, 1e-300)},\quad"
            rf" p_2 = \sigma(b - a) = {fmt(s_reverse, 4)}",
            "The two computations agree to float64 rounding, and the other class gets "
            "$\\sigma(b - a) = 1 - \\sigma(a - b)$.",
            {"abs_difference": difference, "sigmoid_reverse": s_reverse},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A two-class model outputs logits $(a, b) = {nums([a, b])}$. Compare "
            f"$\\operatorname{{softmax}}(a, b)_1$ with $\\sigma(a - b)$."
        ),
        steps=steps,
        result=(
            f"$\\operatorname{{softmax}}(a, b)_1 = \\sigma({num(gap)}) = {fmt(s, 4)}$: "
            "the same number."
        ),
        insight="A sigmoid is a softmax over two classes whose second logit is fixed at zero.",
        inputs={"logits": [a, b]},
    )
