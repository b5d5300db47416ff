"""The mathematics under softmax: exponentials, dot products, entropy, derivatives, sigmoid."""

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
    plain,
    power_of_ten,
    scientific,
    shown_total,
    term,
    vec,
)
from lessons import engine
from lessons.examples import Example, Step, register

SOFTPLUS_POINTS = [x for x in draws.grid(-3.0, 3.0, 0.5) if x != 0]  # f'''(0) = 0: see below
STEP_EXPONENTS = (-1, -3, -5)
THRESHOLD = 0.5


def _fmt4(x: float) -> str:
    return fmt(x, 4)


def _dot_terms(a: list[float], b: list[float]) -> str:
    return " + ".join(rf"{term(x)} \cdot {term(y)}" for x, y in zip(a, b, strict=True))


@register("exp_log_identities", "Exponentials turn sums into products")
def exp_log_identities(key: str, seed: int, rng: random.Random) -> Example:
    """e^a e^b = e^(a+b), e^a / e^b = e^(a-b), and log(x / y) = log x - log y."""
    a, b = draws.distinct(rng, draws.HALVES, 2)

    def adds_up(pair: list[int]) -> bool:
        # log x - log y, from the two logs as shown, must give log(x / y) as shown.
        shown = float(fixed(np.log(pair[0]), 4)) - float(fixed(np.log(pair[1]), 4))
        return fixed(shown, 4) == fixed(np.log(pair[0] / pair[1]), 4)

    x, y = (float(v) for v in draws.until(lambda: rng.sample(range(2, 21), 2), adds_up))

    exp_a, exp_b = float(np.exp(a)), float(np.exp(b))
    product, exp_sum = exp_a * exp_b, float(np.exp(a + b))
    log_product = float(np.log(product))
    ratio, exp_difference = exp_a / exp_b, float(np.exp(a - b))
    log_x, log_y = float(np.log(x)), float(np.log(y))
    log_ratio = float(np.log(x / y))

    steps = (
        Step(
            "Exponentiate",
            rf"e^{{{num(a)}}} = {_fmt4(exp_a)},\quad e^{{{num(b)}}} = {_fmt4(exp_b)}",
            "Both are positive, whatever the sign of the exponent.",
            {"exp_a": exp_a, "exp_b": exp_b},
        ),
        Step(
            "Multiply",
            rf"e^{{{num(a)}}} \cdot e^{{{num(b)}}} = {_fmt4(product)},\quad"
            rf" e^{{{num(a)} + {term(b)}}} = e^{{{num(a + b)}}} = {_fmt4(exp_sum)}",
            "Multiplying exponentials adds their exponents.",
            {"product": product, "sum": a + b, "exp_sum": exp_sum},
        ),
        Step(
            "Take the logarithm back",
            rf"\log {_fmt4(product)} = {fixed(log_product, 4)} = {num(a)} + {term(b)}",
            "The logarithm undoes the exponential and turns the product back into a sum.",
            {"log_product": log_product},
        ),
        Step(
            "Divide",
            rf"\frac{{e^{{{num(a)}}}}}{{e^{{{num(b)}}}}} = {_fmt4(ratio)},\quad"
            rf" e^{{{num(a)} - {term(b)}}} = e^{{{num(a - b)}}} = {_fmt4(exp_difference)}",
            "Dividing exponentials subtracts their exponents: this is why softmax ratios "
            "depend only on logit differences.",
            {"ratio": ratio, "difference": a - b, "exp_difference": exp_difference},
        ),
        Step(
            "The log of a ratio",
            rf"\log \frac{{{num(x)}}}{{{num(y)}}} = {fixed(log_ratio, 4)},\quad"
            rf" \log {num(x)} - \log {num(y)} = {fixed(log_x, 4)} - {fixed(log_y, 4)}"
            rf" = {fixed(float(fixed(log_x, 4)) - float(fixed(log_y, 4)), 4)}",
            "Logarithms turn a ratio into a difference, the rule behind $\\log p_i = "
            "z_i - \\log \\sum_j e^{z_j}$.",
            {"log_x": log_x, "log_y": log_y, "log_ratio": log_ratio},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"With $a = {num(a)}$ and $b = {num(b)}$, check that $e^a e^b = e^{{a+b}}$ and "
            f"$e^a / e^b = e^{{a-b}}$. Then, with $x = {num(x)}$ and $y = {num(y)}$, check "
            "that $\\log(x/y) = \\log x - \\log y$."
        ),
        steps=steps,
        result=(
            f"$e^a e^b = e^{{{num(a + b)}}} = {_fmt4(exp_sum)}$, "
            f"$e^a / e^b = e^{{{num(a - b)}}} = {_fmt4(exp_difference)}$ and "
            f"$\\log(x/y) = {fixed(log_ratio, 4)}$."
        ),
        insight=(
            "Exponentials turn sums into products and logarithms turn them back, which is "
            "why logits add where probabilities multiply."
        ),
        inputs={"a": a, "b": b, "x": x, "y": y},
    )


@register("dot_product_alignment", "Dot products and cosine similarity")
def dot_product_alignment(key: str, seed: int, rng: random.Random) -> Example:
    """Which of three small integer vectors points most nearly the same way as u."""
    u = draws.nonzero_vector(rng, -3, 3, 3)

    def cosines_of(vs: list[list[float]]) -> np.ndarray:
        m = np.array(vs)
        return m @ np.array(u) / (np.linalg.norm(m, axis=1) * np.linalg.norm(u))

    def well_separated(vs: list[list[float]]) -> bool:
        ranked = np.sort(cosines_of(vs))
        return ranked[-1] - ranked[-2] > 0.02

    candidates = draws.until(
        lambda: [draws.nonzero_vector(rng, -3, 3, 3) for _ in range(3)], well_separated
    )
    dots = np.array(candidates) @ np.array(u)
    squared_norm_u = float(np.dot(u, u))
    squared_norms = [float(np.dot(v, v)) for v in candidates]
    norm_u = float(np.sqrt(squared_norm_u))
    norms = [float(np.sqrt(s)) for s in squared_norms]
    cosines = [float(d / (norm_u * n)) for d, n in zip(dots, norms, strict=True)]
    angles = [float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))) for c in cosines]
    best = int(engine.argmax(cosines))
    biggest_dot = int(engine.argmax(dots))

    steps = (
        Step(
            "Dot products",
            aligned(
                [
                    rf"\mathbf{{u}} \cdot \mathbf{{v}}_{{{j + 1}}} &= {_dot_terms(u, v)}"
                    rf" = {num(d)}"
                    for j, (v, d) in enumerate(zip(candidates, dots, strict=True))
                ]
            ),
            "A dot product mixes direction with length, so on its own it can mislead.",
            {"dots": plain(dots)},
        ),
        Step(
            "Lengths",
            rf"\|\mathbf{{u}}\| = \sqrt{{{num(squared_norm_u)}}} = {_fmt4(norm_u)},\quad"
            + r",\ ".join(
                rf"\|\mathbf{{v}}_{{{j + 1}}}\| = \sqrt{{{num(s)}}} = {_fmt4(n)}"
                for j, (s, n) in enumerate(zip(squared_norms, norms, strict=True))
            ),
            "The length of a vector is the square root of its dot product with itself.",
            {
                "squared_norm_u": squared_norm_u,
                "norm_u": norm_u,
                "squared_norms": squared_norms,
                "norms": norms,
            },
        ),
        Step(
            "Cosine similarities",
            aligned(
                [
                    rf"\cos \theta_{{{j + 1}}} &= \frac{{{num(d)}}}{{{_fmt4(norm_u)} \cdot "
                    rf"{_fmt4(n)}}} = {fmt(c)}"
                    for j, (d, n, c) in enumerate(zip(dots, norms, cosines, strict=True))
                ]
            ),
            "Dividing by both lengths leaves only direction: 1 means the same way, 0 at "
            "right angles, -1 opposite.",
            {"cosines": cosines},
        ),
        Step(
            "Angles",
            r"\theta = " + vec(angles, lambda a: fixed(a, 1)) + r"\ \text{degrees}",
            f"The smallest angle belongs to $\\mathbf{{v}}_{{{best + 1}}}$.",
            {"angles_degrees": angles, "most_aligned": best, "largest_dot": biggest_dot},
        ),
    )
    agreement = (
        "the largest dot product points the same way"
        if best == biggest_dot
        else f"although $\\mathbf{{v}}_{{{biggest_dot + 1}}}$ has the largest dot product"
    )
    listed = ", ".join(rf"$\mathbf{{v}}_{{{j + 1}}} = {nums(v)}$" for j, v in enumerate(candidates))
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Which of {listed} points most nearly the same way as "
            f"$\\mathbf{{u}} = {nums(u)}$? Compare dot products and cosine similarities."
        ),
        steps=steps,
        result=(
            f"$\\mathbf{{v}}_{{{best + 1}}}$ is the most aligned, with "
            f"$\\cos\\theta = {fmt(cosines[best])}$; {agreement}."
        ),
        insight=(
            "Cosine similarity compares directions only, while a raw dot product also "
            "rewards length."
        ),
        inputs={"u": u, "candidates": candidates},
    )


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


@register("logistic_regression_prediction", "A logistic-regression prediction")
def logistic_regression_prediction(key: str, seed: int, rng: random.Random) -> Example:
    """w . x + b, the sigmoid, a 0.5 threshold, and the logit read as log-odds."""
    weight_grid = [v for v in draws.grid(-2.0, 2.0, 0.5) if v != 0]

    def draw() -> tuple[list[float], list[float], float]:
        w = [float(rng.choice(weight_grid)) for _ in range(2)]
        x = [float(v) for v in draws.integers(rng, 0, 4, 2)]
        b = float(rng.choice(draws.grid(-2.0, 2.0, 0.5)))
        return w, x, b

    def friendly(drawn: tuple[list[float], list[float], float]) -> bool:
        w, x, b = drawn
        z = float(np.dot(w, x)) + b
        return 0 < abs(z) <= 4

    w, x, b = draws.until(draw, friendly)
    dot = float(np.dot(w, x))
    z = dot + b
    p = float(engine.sigmoid(z))
    predicted = 1 if p >= THRESHOLD else 0
    odds = p / (1 - p)
    log_odds = float(np.log(odds))
    relation = r"\ge" if predicted else "<"

    steps = (
        Step(
            "Weighted sum plus bias",
            rf"z = \mathbf{{w}} \cdot \mathbf{{x}} + b = {_dot_terms(w, x)} + {term(b)}"
            rf" = {num(dot)} + {term(b)} = {num(z)}",
            "This number is the model's logit for class 1.",
            {"dot": dot, "logit": z},
        ),
        Step(
            "Squash with the sigmoid",
            rf"p = \sigma({num(z)}) = \frac{{1}}{{1 + e^{{{num(-z)}}}}} = {_fmt4(p)}",
            "The sigmoid maps any real logit to a probability between 0 and 1.",
            {"probability": p},
        ),
        Step(
            f"Threshold at {num(THRESHOLD)}",
            rf"p = {_fmt4(p)} {relation} {num(THRESHOLD)}"
            rf" \;\Rightarrow\; \hat y = {predicted}",
            f"$p \\ge {num(THRESHOLD)}$ exactly when $z \\ge 0$, so the sign of the logit "
            "decides the class.",
            {"threshold": THRESHOLD, "predicted_class": predicted},
        ),
        Step(
            "Read the logit as log-odds",
            rf"\frac{{p}}{{1 - p}} = {_fmt4(odds)} = e^{{{num(z)}}},\quad"
            rf" \log \frac{{p}}{{1 - p}} = {fixed(log_odds, 4)}",
            "The logit is the logarithm of the odds of class 1 against class 0.",
            {"odds": odds, "log_odds": log_odds},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A logistic-regression model has weights $\\mathbf{{w}} = {nums(w)}$ and bias "
            f"$b = {num(b)}$. For the input $\\mathbf{{x}} = {nums(x)}$, find the probability "
            f"of class 1, the predicted class at threshold {num(THRESHOLD)}, and the log-odds."
        ),
        steps=steps,
        result=(
            f"$p = \\sigma({num(z)}) = {_fmt4(p)}$, so the model predicts class {predicted}; "
            f"the log-odds are the logit itself, ${num(z)}$."
        ),
        insight=(
            "Logistic regression is a linear score passed through a sigmoid, and that "
            "score is exactly the log-odds of the positive class."
        ),
        inputs={"weights": w, "features": x, "bias": b},
    )
