"""Problems on the sigmoid and logistic regression, cross-entropy, and its gradient."""

from __future__ import annotations

import math
import random

import numpy as np

from exercises import Step, draws
from exercises.display import (
    aligned,
    decimals,
    fixed,
    num,
    nums,
    plain,
    shown_total,
    signed_sum,
    term,
    vec,
)
from lessons import engine
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    SIG3,
    differs,
    floats,
    fmt4,
    index_format,
    pos,
    vector_format,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

SIGMOID_INPUTS = [x for x in draws.grid(-3.0, 3.0, 0.5) if x != 0]
TARGET_PROBABILITIES = (0.1, 0.2, 0.25, 0.75, 0.8, 0.9)
TRUE_CLASS_PROBABILITIES = (0.9, 0.8, 0.6, 0.5, 0.3, 0.2, 0.1, 0.05)
SMOOTHING = (0.1, 0.2)
LEARNING_RATES = (0.5, 1.0, 2.0)


def _dot_terms(a: list[float], b: list[float]) -> str:
    return " + ".join(rf"{term(x)} \cdot {term(y)}" for x, y in zip(a, b, strict=True))


def _spread_at_most(z: list[float], spread: float) -> bool:
    return max(z) - min(z) <= spread


# --- The sigmoid and logistic regression ------------------------------------------------------


@register("sigmoid_symmetry", title="The sigmoid's mirror", kind="number", difficulty="easy")
def sigmoid_symmetry(rng: random.Random) -> ProblemInstance:
    """sigma(-x) = 1 - sigma(x)."""
    x = rng.choice(SIGMOID_INPUTS)
    s = float(engine.sigmoid(x))
    answer = float(engine.sigmoid(-x))
    # sigma(x) is given to as many decimals as the answer shows, so 1 - given = shown answer.
    places = decimals(fmt4(answer))
    given = fixed(s, places)
    shown_answer = fixed(1 - float(given), places)
    steps = (
        Step(
            "The mirror identity",
            r"\sigma(-x) = \frac{1}{1 + e^{x}} = \frac{e^{-x}}{e^{-x} + 1} = 1 - \sigma(x)",
            "Multiply the top and bottom by $e^{-x}$.",
            {},
        ),
        Step(
            "Use it",
            rf"\sigma({num(-x)}) = 1 - {given} = {shown_answer}",
            "",
            {"sigmoid": s, "answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"You are told that $\\sigma({num(x)}) \\approx {given}$, where "
            "$\\sigma(x) = 1 / (1 + e^{-x})$. What is "
            f"$\\sigma({num(-x)})$? Give it {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "The sigmoid is symmetric about the point $(0, 0.5)$.",
            "$\\sigma(-x) = 1 - \\sigma(x)$.",
        ),
        solution=(
            f"$\\sigma(-x) = 1 - \\sigma(x)$, so $\\sigma({num(-x)}) \\approx 1 - {given} = "
            f"{shown_answer}$. In two-class terms: the two probabilities add up to 1."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"x": x},
        mistakes=wrong_only(answer, (-s, s)),
    )


@register(
    "logistic_regression_probability",
    title="A logistic-regression prediction",
    kind="number",
    difficulty="medium",
)
def logistic_regression_probability(rng: random.Random) -> ProblemInstance:
    """p = sigma(w . x + b)."""
    d = rng.choice([2, 3])

    def draw() -> tuple[list[float], list[float], float]:
        w = [float(rng.choice(draws.grid(-2.0, 2.0, 0.5))) for _ in range(d)]
        x = [float(rng.randint(-3, 3)) for _ in range(d)]
        b = float(rng.choice(draws.grid(-2.0, 2.0, 0.5)))
        return w, x, b

    def ok(drawn: tuple[list[float], list[float], float]) -> bool:
        w, x, b = drawn
        score = float(np.dot(w, x)) + b
        return b != 0 and 0.5 <= abs(score) <= 4 and differs(float(np.dot(w, x)), score)

    w, x, b = draws.until(draw, ok)
    dot = float(np.dot(w, x))
    score = dot + b
    answer = float(engine.sigmoid(score))
    steps = (
        Step(
            "Score",
            rf"\mathbf{{w}} \cdot \mathbf{{x}} + b = {_dot_terms(w, x)} + {term(b)} = {num(score)}",
            "The score is the log-odds of the positive class.",
            {"score": score},
        ),
        Step(
            "Squash",
            rf"\sigma({num(score)}) = \frac{{1}}{{1 + e^{{{num(-score)}}}}} = {fmt4(answer)}",
            "",
            {"probability": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A logistic regression has weights $\\mathbf{{w}} = {nums(w)}$ and bias "
            f"$b = {num(b)}$. For the input $\\mathbf{{x}} = {nums(x)}$, what probability "
            "$\\sigma(\\mathbf{w} \\cdot \\mathbf{x} + b)$ does it give the positive class? "
            f"Give it {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "First the score: a dot product plus the bias. Then the sigmoid.",
            f"$\\mathbf{{w}} \\cdot \\mathbf{{x}} = {num(dot)}$; add $b = {num(b)}$.",
            f"The score is ${num(score)}$; compute $1 / (1 + e^{{{num(-score)}}})$.",
        ),
        solution=(
            f"The score is $\\mathbf{{w}} \\cdot \\mathbf{{x}} + b = {num(dot)} + {term(b)} = "
            f"{num(score)}$, and $\\sigma({num(score)}) \\approx {fmt4(answer)}$. A positive "
            "score means better than even odds for the positive class, a negative one worse."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"w": w, "x": x, "b": b},
        mistakes=wrong_only(answer, (score, float(engine.sigmoid(dot)))),
    )


@register(
    "logistic_bias_for_probability",
    title="Choosing the bias",
    kind="number",
    difficulty="hard",
)
def logistic_bias_for_probability(rng: random.Random) -> ProblemInstance:
    """Invert the sigmoid: b = log(p / (1 - p)) - w . x."""
    p = rng.choice(TARGET_PROBABILITIES)

    def draw() -> tuple[list[float], list[float]]:
        w = [float(rng.choice(draws.grid(-2.0, 2.0, 0.5))) for _ in range(2)]
        x = [float(rng.randint(-2, 3)) for _ in range(2)]
        return w, x

    log_odds = float(np.log(p / (1 - p)))

    def ok(drawn: tuple[list[float], list[float]]) -> bool:
        b = log_odds - float(np.dot(*drawn))
        return abs(b) >= 0.3 and differs(b, log_odds) and differs(b, -log_odds)

    w, x = draws.until(draw, ok)
    dot = float(np.dot(w, x))
    answer = log_odds - dot
    check = float(engine.sigmoid(dot + answer))
    # s is shown to the answer's decimals, so that b = s - w.x adds up as shown.
    places = decimals(fmt4(answer))
    s_text = fixed(log_odds, places)
    b_text = fixed(float(s_text) - dot, places)
    steps = (
        Step(
            "Invert the sigmoid",
            rf"\sigma(s) = {num(p)} \iff s = \log\frac{{{num(p)}}}{{1 - {num(p)}}}"
            rf" = {s_text}",
            "The score a logistic regression produces is the log-odds of its probability.",
            {"log_odds": log_odds},
        ),
        Step(
            "Subtract the dot product",
            rf"b = s - \mathbf{{w}} \cdot \mathbf{{x}} = {s_text} - ({num(dot)})"
            rf" = {b_text}",
            "",
            {"dot": dot, "bias": answer},
        ),
        Step(
            "Check",
            rf"\sigma({num(dot)} + ({b_text})) = {fmt4(check)}",
            "",
            {"check": check},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A logistic regression has weights $\\mathbf{{w}} = {nums(w)}$. Which bias $b$ "
            f"makes it give probability exactly ${num(p)}$ to the input "
            f"$\\mathbf{{x}} = {nums(x)}$, that is "
            "$\\sigma(\\mathbf{w} \\cdot \\mathbf{x} + b) "
            f"= {num(p)}$? Give $b$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Work backwards: which score $s$ has $\\sigma(s) = p$?",
            "The inverse of the sigmoid is the log-odds: $s = \\log \\frac{p}{1 - p}$.",
            f"$s \\approx {s_text}$ and $\\mathbf{{w}} \\cdot \\mathbf{{x}} = {num(dot)}$; "
            "the bias makes up the difference.",
        ),
        solution=(
            f"The score must be the log-odds $\\log({num(p)} / {fixed(1 - p, 2)}) \\approx "
            f"{s_text}$. The weights contribute $\\mathbf{{w}} \\cdot \\mathbf{{x}} = "
            f"{num(dot)}$, so $b = {s_text} - ({num(dot)}) \\approx {b_text}$. "
            f"Check: $\\sigma({num(dot)} + ({b_text})) \\approx {fmt4(check)}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"w": w, "x": x, "p": p},
        mistakes=wrong_only(answer, (log_odds, -answer)),
    )


# --- Cross-entropy loss ----------------------------------------------------------------------


@register(
    "cross_entropy_from_probability",
    title="The surprise at the true class",
    kind="number",
    difficulty="easy",
)
def cross_entropy_from_probability(rng: random.Random) -> ProblemInstance:
    """L = -log p_y, read off a predicted distribution."""
    k = rng.choice([3, 4])

    def draw() -> tuple[list[int], int]:
        hundredths = [rng.randint(2, 60) for _ in range(k - 1)]
        return [*hundredths, 100 - sum(hundredths)], rng.randrange(k)

    def ok(drawn: tuple[list[int], int]) -> bool:
        h, y = drawn
        return 2 <= h[-1] <= 80 and h[y] != max(h) and h.count(max(h)) == 1

    hundredths, y = draws.until(draw, ok)
    p = [v / 100 for v in hundredths]
    # The engine takes logits; log p are logits whose softmax is exactly p.
    answer = float(engine.cross_entropy(np.log(p), y))
    top = int(np.argmax(p))
    steps = (
        Step(
            "Pick the true class",
            rf"p_y = p_{{{pos(y)}}} = {num(p[y])}",
            "Only the probability of the true class matters.",
            {},
        ),
        Step(
            "Take minus its log",
            rf"L = -\log {num(p[y])} = {fmt4(answer)}",
            "",
            {"loss": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier predicts $\\mathbf{{p}} = {nums(p)}$ and the true class is "
            f"$y = {pos(y)}$ (classes count from 1), the class it gave ${num(p[y])}$. Compute the "
            f"cross-entropy loss $L = -\\log p_y$ (natural log), {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Cross-entropy with a single true class uses only that class's probability.",
            f"$p_{{{pos(y)}}} = {num(p[y])}$: compute $-\\log {num(p[y])}$.",
        ),
        solution=(
            f"$L = -\\log p_{{{pos(y)}}} = -\\log {num(p[y])} \\approx {fmt4(answer)}$. The model "
            f"put most of its probability on class {pos(top)}, so it pays for being wrong; had it "
            f"given the true class ${num(p[top])}$ instead, the loss would have been "
            f"${fmt4(-float(np.log(p[top])))}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"probabilities": p, "target": y},
        mistakes=wrong_only(
            answer, (-float(np.log(p[top])), -float(np.log10(p[y])), float(np.log(p[y])))
        ),
    )


@register(
    "cross_entropy_from_logits",
    title="Cross-entropy from logits",
    kind="number",
    difficulty="medium",
)
def cross_entropy_from_logits(rng: random.Random) -> ProblemInstance:
    """L = logsumexp(z) - z_y: no probabilities needed."""
    k = rng.choice([3, 4])

    def ok(drawn: tuple[list[float], int]) -> bool:
        z, y = drawn
        return 0.1 <= float(engine.cross_entropy(z, y)) <= 5

    z, y = draws.until(lambda: (draws.logits(rng, k), rng.randrange(k)), ok)
    lse = float(engine.logsumexp(z))
    answer = float(engine.cross_entropy(z, y))
    exps = np.exp(z)
    # logsumexp is shown to the answer's decimals, so the subtraction adds up as shown.
    places = decimals(fmt4(answer))
    lse_text = fixed(lse, places)
    shown_answer = fixed(float(lse_text) - z[y], places)
    steps = (
        Step(
            "Log-sum-exp",
            rf"\log({' + '.join(f'e^{{{num(v)}}}' for v in z)}) = \log {fmt4(float(np.sum(exps)))}"
            rf" = {lse_text}",
            "",
            {"logsumexp": lse},
        ),
        Step(
            "Subtract the true logit",
            rf"L = {lse_text} - {term(z[y])} = {shown_answer}",
            "",
            {"loss": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A {k}-class model outputs logits $\\mathbf{{z}} = {nums(z)}$ and the true class "
            f"is $y = {pos(y)}$ (classes count from 1), the class with logit ${num(z[y])}$. "
            "Compute the cross-entropy $L = -\\log \\operatorname{softmax}(\\mathbf{z})_y$ "
            f"{SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "$-\\log \\operatorname{softmax}(\\mathbf{z})_y$ simplifies: write the softmax "
            "out and take the log.",
            "$L = \\log \\sum_j e^{z_j} - z_y$.",
            f"$\\log \\sum_j e^{{z_j}} \\approx {lse_text}$.",
        ),
        solution=(
            f"$L = \\operatorname{{logsumexp}}(\\mathbf{{z}}) - z_{{{pos(y)}}} \\approx "
            f"{lse_text} - {term(z[y])} = {shown_answer}$. This form never forms a "
            "probability, which is why losses that take logits compute it this way."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "target": y},
        mistakes=wrong_only(answer, (lse, -answer)),
    )


@register(
    "cross_entropy_highest_loss",
    title="Which prediction costs most?",
    kind="index",
    difficulty="medium",
)
def cross_entropy_highest_loss(rng: random.Random) -> ProblemInstance:
    """Four predictions; the confident wrong one costs most, not the unsure one."""
    probabilities = draws.until(
        lambda: draws.distinct(rng, TRUE_CLASS_PROBABILITIES, 4),
        lambda v: min(v) <= 0.1,
    )
    losses = [float(engine.cross_entropy(np.log([q, 1 - q]), 0)) for q in probabilities]
    worst = int(engine.argmax(losses))
    closest_to_half = int(np.argmin([abs(q - 0.5) for q in probabilities]))
    lines = [rf"-\log {num(q)} &= {fmt4(v)}" for q, v in zip(probabilities, losses, strict=True)]
    steps = (
        Step("Loss of each prediction", aligned(lines), "", {"losses": losses}),
        Step(
            "The largest",
            rf"\arg\max_n L_n = {pos(worst)}",
            "Predictions count from 1.",
            {"worst": worst},
        ),
    )
    listed = "; ".join(
        f"prediction {pos(n)} gave the true class probability ${num(q)}$"
        for n, q in enumerate(probabilities)
    )
    return ProblemInstance(
        statement=(
            f"Four predictions of a classifier: {listed}. Which prediction has the highest "
            "cross-entropy loss? Enter its number, counting from 1."
        ),
        kind="index",
        answer=pos(worst),
        count=len(probabilities),
        hints=(
            "The loss of one prediction is $-\\log$ of the probability it gave the true class.",
            "$-\\log p$ grows as $p$ shrinks, and without limit as $p \\to 0$.",
        ),
        solution=(
            f"The losses are ${vec(losses, fmt4)}$. Prediction {pos(worst)} gave the true class "
            f"only ${num(probabilities[worst])}$, a confident mistake, and pays the most. A "
            "prediction near 0.5 is unsure, not badly wrong, and costs only about 0.69."
        ),
        steps=steps,
        answer_format=index_format(4),
        inputs={"true_class_probabilities": probabilities},
        mistakes=wrong_only(pos(worst), (pos(closest_to_half), *((worst,) if worst > 0 else ()))),
    )


@register(
    "cross_entropy_soft_target",
    title="Cross-entropy with a smoothed target",
    kind="number",
    difficulty="hard",
)
def cross_entropy_soft_target(rng: random.Random) -> ProblemInstance:
    """H(q, p) = -sum q_i log p_i, with q a label-smoothed target and p from logits."""
    k = 3
    eps = rng.choice(SMOOTHING)
    z = draws.until(lambda: draws.logits(rng, k), lambda v: _spread_at_most(v, 3.0))
    y = rng.randrange(k)
    q = [eps / k + (1 - eps if i == y else 0.0) for i in range(k)]
    q = [round(v, 10) for v in q]
    log_p = engine.log_softmax(z)
    answer = float(engine.cross_entropy(z, np.array(q)))
    hard = float(engine.cross_entropy(z, y))
    terms = [-qi * float(lp) for qi, lp in zip(q, log_p, strict=True)]
    shown_terms = [fixed(t, 4) for t in terms]  # one precision, and a total that adds up
    shown_loss = shown_total(shown_terms, 4)
    steps = (
        Step(
            "Log-probabilities",
            rf"\log \operatorname{{softmax}}(\mathbf{{z}}) = \mathbf{{z}} - "
            rf"\operatorname{{logsumexp}}(\mathbf{{z}}) = {vec(log_p, fmt4)}",
            "",
            {"log_probabilities": plain(log_p)},
        ),
        Step(
            "Weight by the target",
            rf"-\sum_i q_i \log p_i = {signed_sum(shown_terms)} = {shown_loss}",
            "",
            {"terms": terms, "loss": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A 3-class model outputs logits $\\mathbf{{z}} = {nums(z)}$. The true class is "
            f"$y = {pos(y)}$ (classes count from 1), but training uses label smoothing with "
            f"$\\varepsilon = {num(eps)}$, so the target is $\\mathbf{{q}} = {vec(q, fmt4)}$. "
            "Compute the cross-entropy $-\\sum_i q_i \\log \\operatorname{softmax}"
            f"(\\mathbf{{z}})_i$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "You need $\\log p_i$ for every class, not only the true one.",
            "$\\log p_i = z_i - \\operatorname{logsumexp}(\\mathbf{z})$.",
            f"The log-probabilities are ${vec(log_p, fmt4)}$; weight them by $\\mathbf{{q}}$.",
        ),
        solution=(
            "The log-probabilities are "
            "$\\mathbf{z} - \\operatorname{logsumexp}(\\mathbf{z}) "
            f"\\approx {vec(log_p, fmt4)}$. Weighting them by $\\mathbf{{q}}$ and changing sign "
            f"gives ${signed_sum(shown_terms)} = {shown_loss}$. With the "
            f"one-hot target it would be ${fmt4(hard)}$: smoothing also charges the model for "
            "being too sure."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "target": q},
        mistakes=wrong_only(answer, (hard,)),
    )


# --- The softmax cross-entropy gradient ----------------------------------------------------------


@register(
    "gradient_true_class_entry",
    title="The gradient at the true class",
    kind="number",
    difficulty="easy",
)
def gradient_true_class_entry(rng: random.Random) -> ProblemInstance:
    """dL/dz_y = p_y - 1."""
    k = 3
    tenths = draws.until(lambda: [rng.randint(1, 8) for _ in range(k)], lambda v: sum(v) == 10)
    p = [t / 10 for t in tenths]
    y = rng.randrange(k)
    grad = engine.cross_entropy_grad(np.log(p), y)  # log p: logits whose softmax is p
    answer = float(grad[y])
    steps = (
        Step(
            "The gradient formula",
            r"\frac{\partial L}{\partial z_i} = p_i - y_i",
            "With $y_i$ the one-hot target: 1 for the true class, 0 elsewhere.",
            {},
        ),
        Step(
            "At the true class",
            rf"\frac{{\partial L}}{{\partial z_{{{pos(y)}}}}} = {num(p[y])} - 1 = {fmt4(answer)}",
            "Negative: raising this logit lowers the loss.",
            {"gradient": plain(grad)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier's softmax output is $\\mathbf{{p}} = {nums(p)}$ and the true class is "
            f"$y = {pos(y)}$ (classes count from 1). For the cross-entropy loss, what is "
            f"$\\partial L / \\partial z_{{{pos(y)}}}$, the gradient with respect to the true "
            "class's logit? Give it exactly."
        ),
        kind="number",
        answer=answer,
        hints=(
            "For softmax with cross-entropy, $\\partial L / \\partial z_i = p_i - y_i$.",
            f"At the true class $y_{{{pos(y)}}} = 1$.",
        ),
        solution=(
            f"$\\partial L / \\partial z_{{{pos(y)}}} = p_{{{pos(y)}}} - 1 = {num(p[y])} - 1 = "
            f"{fmt4(answer)}$. It is negative, so gradient descent raises the true logit, "
            "and it would be 0 only if the model were already certain."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"probabilities": p, "target": y},
        mistakes=wrong_only(answer, (p[y], 1 - p[y])),
    )


@register(
    "gradient_missing_entry",
    title="The entries add up to zero",
    kind="number",
    difficulty="medium",
)
def gradient_missing_entry(rng: random.Random) -> ProblemInstance:
    """sum_i (p_i - y_i) = 1 - 1 = 0, so one entry follows from the others."""
    k = 4

    def draw() -> tuple[list[float], int, int]:
        return draws.logits(rng, k), rng.randrange(k), rng.randrange(k)

    def ok(drawn: tuple[list[float], int, int]) -> bool:
        z, y, hidden = drawn
        g = engine.cross_entropy_grad(z, y)
        return abs(float(g[hidden])) >= 0.1

    z, y, hidden = draws.until(draw, ok)
    grad = engine.cross_entropy_grad(z, y)
    answer = float(grad[hidden])
    shown = [float(g) for n, g in enumerate(grad) if n != hidden]
    shown_terms = [fixed(g, 4) for g in shown]
    shown_sum = signed_sum(shown_terms)
    # The learner adds the shown, rounded entries: the shown result is their sum.
    shown_answer = fixed(-math.fsum(float(t) for t in shown_terms), 4)
    exact_note = ""
    if shown_answer != fixed(answer, 4):
        exact_note = f" (the unrounded entries give ${fmt4(answer)}$)"
    shown_text = ", ".join("?" if n == hidden else fixed(float(g), 4) for n, g in enumerate(grad))
    steps = (
        Step(
            "The entries add up to zero",
            r"\sum_i (p_i - y_i) = \sum_i p_i - \sum_i y_i = 1 - 1 = 0",
            "",
            {},
        ),
        Step(
            "Solve for the missing one",
            rf"g_{{{pos(hidden)}}} = -({shown_sum}) = {shown_answer}",
            "",
            {"gradient": plain(grad)},
        ),
    )
    role = "the true class" if hidden == y else "a wrong class"
    return ProblemInstance(
        statement=(
            "The gradient of a softmax cross-entropy loss with respect to four logits is "
            f"$\\mathbf{{g}} = ({shown_text})$, with entry {pos(hidden)} (counting from 1) hidden. "
            f"Without any logits, find $g_{{{pos(hidden)}}}$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "The gradient is $\\mathbf{p} - \\mathbf{y}$. What do the entries of "
            "$\\mathbf{p}$ add up to, and those of $\\mathbf{y}$?",
            "So the entries of $\\mathbf{g}$ add up to 0.",
        ),
        solution=(
            f"Both $\\mathbf{{p}}$ and the one-hot $\\mathbf{{y}}$ add up to 1, so the gradient's "
            f"entries add up to 0, and $g_{{{pos(hidden)}}} = -({shown_sum}) = {shown_answer}$"
            f"{exact_note}. Its sign tells you it belongs to {role}: only the true "
            "class has a negative entry."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "target": y, "hidden": hidden},
        mistakes=wrong_only(answer, (-answer,)),
    )


@register(
    "gradient_step_on_logits",
    title="A gradient step on the logits",
    kind="vector",
    difficulty="hard",
)
def gradient_step_on_logits(rng: random.Random) -> ProblemInstance:
    """z - eta (p - y): the true logit rises, the others fall, and the loss drops."""
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    y = rng.randrange(3)
    eta = rng.choice(LEARNING_RATES)
    p = engine.softmax(z)
    grad = engine.cross_entropy_grad(z, y)
    new_z = np.array(z) - eta * grad
    before = float(engine.cross_entropy(z, y))
    after = float(engine.cross_entropy(new_z, y))
    steps = (
        Step("Probabilities", rf"\mathbf{{p}} = {vec(p, fmt4)}", "", {"probabilities": plain(p)}),
        Step(
            "Gradient",
            rf"\mathbf{{p}} - \mathbf{{y}} = {vec(grad, fmt4)}",
            f"Subtract 1 at the true class, entry {pos(y)}.",
            {"gradient": plain(grad)},
        ),
        Step(
            "Step",
            rf"\mathbf{{z}} - {num(eta)}(\mathbf{{p}} - \mathbf{{y}}) = {vec(new_z, fmt4)}",
            f"The loss falls from ${fmt4(before)}$ to ${fmt4(after)}$.",
            {"new_logits": plain(new_z), "loss_before": before, "loss_after": after},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$ for an example whose true class "
            f"is $y = {pos(y)}$ (classes count from 1). Take one gradient-descent step on the "
            f"logits themselves with learning rate $\\eta = {num(eta)}$ on the cross-entropy loss: "
            "$\\mathbf{z} - \\eta\\, \\partial L / \\partial \\mathbf{z}$. Enter the three new "
            f"logits in order, comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(new_z),
        hints=(
            "The gradient of the cross-entropy with respect to the logits is "
            "$\\mathbf{p} - \\mathbf{y}$.",
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$, so the gradient is ${vec(grad, fmt4)}$.",
            f"Subtract ${num(eta)}$ times the gradient from $\\mathbf{{z}}$.",
        ),
        solution=(
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$ and the gradient is $\\mathbf{{p}} - "
            f"\\mathbf{{y}} \\approx {vec(grad, fmt4)}$. The step gives $\\mathbf{{z}} - "
            f"{num(eta)}(\\mathbf{{p}} - \\mathbf{{y}}) \\approx {vec(new_z, fmt4)}$: the true "
            f"logit rises, the others fall, and the loss drops from ${fmt4(before)}$ to "
            f"${fmt4(after)}$. The logits' sum is unchanged, because the gradient's entries "
            "add up to zero."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z, "target": y, "learning_rate": eta},
        mistakes=wrong_only(floats(new_z), (floats(np.array(z) + eta * grad), floats(grad))),
    )
