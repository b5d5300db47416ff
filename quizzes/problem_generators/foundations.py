"""Problems on the mathematics under softmax: exponentials and logs, dot products,
probability distributions, derivatives and gradients."""

from __future__ import annotations

import random

import numpy as np

from exercises import Step, draws
from exercises.display import (
    coefficient,
    fixed,
    num,
    nums,
    plain,
    shown_total,
    square_root,
    term,
    vec,
)
from lessons import engine
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    SIG3,
    Option,
    differs,
    floats,
    fmt4,
    index_format,
    minus,
    polynomial,
    pos,
    shuffled,
    vector_format,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

EXPONENTS = draws.grid(0.5, 3.0, 0.5)
TOKEN_PROBABILITIES = (0.5, 0.8, 0.9, 0.95, 0.25, 0.1)
SEQUENCE_LENGTHS = (50, 100, 200, 500, 1000)
DRAW_COUNTS = (200, 500, 1000, 2000)
CURVATURES = (0.5, 2.0, 3.0)
LEARNING_RATES = (0.1, 0.25)
INNER_SLOPES = (-2.0, -1.0, 0.5, 2.0, 3.0)
# log10 of the smallest positive (subnormal) floats: about 4.9e-324 and 1.4e-45.
FLOAT64_SMALLEST_EXPONENT = float(np.log10(np.nextafter(0.0, 1.0)))
FLOAT32_SMALLEST_EXPONENT = float(np.log10(float(np.nextafter(np.float32(0), np.float32(1)))))


def _dot_terms(a: list[float], b: list[float]) -> str:
    return " + ".join(rf"{term(x)} \cdot {term(y)}" for x, y in zip(a, b, strict=True))


def _tenths(rng: random.Random, k: int, low: int = 1) -> list[int]:
    """`k` whole numbers >= `low` adding up to 10 (a distribution in tenths)."""
    return draws.until(lambda: [rng.randint(low, 10) for _ in range(k)], lambda v: sum(v) == 10)


# --- Exponentials and logarithms -----------------------------------------------------------


@register("exp_sum_to_product", title="Sums become products", kind="number", difficulty="easy")
def exp_sum_to_product(rng: random.Random) -> ProblemInstance:
    """e^(a+b) from e^a and e^b: multiply, do not add."""
    a, b = draws.distinct(rng, EXPONENTS, 2)
    ea, eb = float(np.exp(a)), float(np.exp(b))
    answer = float(np.exp(a + b))
    steps = (
        Step(
            "Add the exponents",
            rf"e^{{{num(a)} + {num(b)}}} = e^{{{num(a)}}} \cdot e^{{{num(b)}}}",
            "An exponential of a sum is the product of the exponentials.",
            {},
        ),
        Step(
            "Multiply",
            rf"{fmt4(ea)} \times {fmt4(eb)} = {fmt4(answer)}",
            f"The same as $e^{{{num(a + b)}}}$ computed directly.",
            {"exp_a": ea, "exp_b": eb, "answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"You are told that $e^{{{num(a)}}} \\approx {fmt4(ea)}$ and "
            f"$e^{{{num(b)}}} \\approx {fmt4(eb)}$. Use them to compute "
            f"$e^{{{num(a)} + {num(b)}}}$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "How does an exponential treat a sum in its exponent?",
            "$e^{a + b} = e^a \\cdot e^b$: multiply the two numbers you were given.",
        ),
        solution=(
            f"$e^{{{num(a)} + {num(b)}}} = e^{{{num(a)}}} \\cdot e^{{{num(b)}}} \\approx "
            f"{fmt4(ea)} \\times {fmt4(eb)} \\approx {fmt4(answer)}$. Adding the two numbers "
            f"instead would give ${fmt4(ea + eb)}$, which is not an exponential of anything "
            "useful: exponentials turn sums into products."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"a": a, "b": b},
        mistakes=wrong_only(answer, (ea + eb,)),
    )


@register("log_of_ratio", title="A difference of logs", kind="number", difficulty="medium")
def log_of_ratio(rng: random.Random) -> ProblemInstance:
    """log x - log y = log(x / y), with x a multiple of y."""
    y = rng.randint(2, 9)
    x = y * rng.randint(2, 9)
    answer = float(np.log(x) - np.log(y))
    ratio = x // y
    steps = (
        Step(
            "Combine the logs",
            rf"\log {x} - \log {y} = \log \frac{{{x}}}{{{y}}} = \log {ratio}",
            "A difference of logs is the log of the ratio.",
            {},
        ),
        Step(
            "Evaluate",
            rf"\log {ratio} = {fmt4(answer)}",
            "Natural logarithm, base $e$.",
            {"answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\log {x} - \\log {y}$ (natural logarithms), {SIG3}. "
            "Try to do it with a single logarithm."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Logarithms turn products into sums; what do they turn a ratio into?",
            f"$\\log {x} - \\log {y} = \\log({x}/{y})$.",
            f"${x}/{y} = {ratio}$; take its natural log.",
        ),
        solution=(
            f"$\\log {x} - \\log {y} = \\log({x}/{y}) = \\log {ratio} \\approx {fmt4(answer)}$. "
            "The same rule turns a ratio of probabilities into a difference of "
            "log-probabilities."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"x": x, "y": y},
        mistakes=wrong_only(answer, (float(np.log(x - y)), float(ratio), float(np.log10(ratio)))),
    )


@register(
    "sequence_log_likelihood",
    title="The log of a tiny probability",
    kind="number",
    difficulty="hard",
)
def sequence_log_likelihood(rng: random.Random) -> ProblemInstance:
    """log of p^n is n log p: a number far too small to store becomes a modest one."""
    p = rng.choice(TOKEN_PROBABILITIES)
    n = rng.choice(SEQUENCE_LENGTHS)
    log_p = float(np.log(p))
    answer = n * log_p
    decimal_exponent = n * float(np.log10(p))
    if decimal_exponent < FLOAT64_SMALLEST_EXPONENT:
        storage = "below the smallest positive float64, so computing it directly gives 0"
    elif decimal_exponent < FLOAT32_SMALLEST_EXPONENT:
        storage = "which float64 can still hold but float32 cannot"
    else:
        storage = "small but still storable; a longer text would soon underflow"
    steps = (
        Step(
            "The log of a product is a sum",
            rf"\log \prod_{{t=1}}^{{{n}}} {num(p)} = \sum_{{t=1}}^{{{n}}} \log {num(p)}"
            rf" = {n} \log {num(p)}",
            "",
            {},
        ),
        Step(
            "Evaluate",
            rf"{n} \times ({fmt4(log_p)}) = {fmt4(answer)}",
            f"The probability itself is about $10^{{{fixed(decimal_exponent, 1)}}}$.",
            {"log_p": log_p, "answer": answer, "log10_probability": decimal_exponent},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A language model gives each of the {n} tokens of a text probability ${num(p)}$, "
            f"so the probability of the whole text is ${num(p)}^{{{n}}}$. Compute its natural "
            f"logarithm, $\\log\\left({num(p)}^{{{n}}}\\right)$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "You do not need the probability itself, which may be too small for a calculator.",
            "The log of a product is the sum of the logs: $\\log(p^n) = n \\log p$.",
            f"$\\log {num(p)} \\approx {fmt4(log_p)}$; multiply by {n}.",
        ),
        solution=(
            f"$\\log({num(p)}^{{{n}}}) = {n} \\log {num(p)} \\approx {n} \\times "
            f"({fmt4(log_p)}) \\approx {fmt4(answer)}$. The probability is about "
            f"$10^{{{fixed(decimal_exponent, 1)}}}$, {storage}, while its logarithm is an "
            "ordinary number: this is why models add log-probabilities instead of multiplying "
            "probabilities."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"p": p, "n": n},
        mistakes=wrong_only(answer, (log_p, decimal_exponent)),
    )


# --- Vectors and dot products ----------------------------------------------------------------


@register("dot_product", title="A dot product", kind="number", difficulty="easy")
def dot_product(rng: random.Random) -> ProblemInstance:
    """Multiply matching entries and add."""
    d = rng.choice([3, 4])

    def draw() -> tuple[list[float], list[float]]:
        return draws.nonzero_vector(rng, -3, 3, d), draws.nonzero_vector(rng, -3, 3, d)

    q, k = draws.until(draw, lambda qk: np.dot(*qk) != 0)
    products = [a * b for a, b in zip(q, k, strict=True)]
    answer = float(np.dot(q, k))
    steps = (
        Step(
            "Multiply matching entries",
            rf"{_dot_terms(q, k)}",
            "",
            {"products": products},
        ),
        Step(
            "Add",
            rf"{' + '.join(term(v) for v in products)} = {num(answer)}",
            "",
            {"answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute the dot product $\\mathbf{{q}} \\cdot \\mathbf{{k}}$ for "
            f"$\\mathbf{{q}} = {nums(q)}$ and $\\mathbf{{k}} = {nums(k)}$."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Multiply the first entries together, then the second, and so on.",
            f"The products are ${nums(products)}$; add them up.",
        ),
        solution=(
            f"The matching products are ${nums(products)}$, and their sum is "
            f"$\\mathbf{{q}} \\cdot \\mathbf{{k}} = {num(answer)}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"q": q, "k": k},
        mistakes=wrong_only(answer, (float(sum(q) + sum(k)),)),
    )


@register("most_aligned_key", title="The best-matching key", kind="index", difficulty="medium")
def most_aligned_key(rng: random.Random) -> ProblemInstance:
    """Which key has the largest dot product with the query; the longest key is a decoy."""
    d = 3

    def draw() -> tuple[list[float], list[list[float]]]:
        q = draws.nonzero_vector(rng, -2, 2, d)
        keys = [draws.nonzero_vector(rng, -3, 3, d) for _ in range(4)]
        return q, keys

    def ok(drawn: tuple[list[float], list[list[float]]]) -> bool:
        q, keys = drawn
        dots = sorted(np.dot(keys, q))
        lengths = np.linalg.norm(keys, axis=1)
        longest = int(np.argmax(lengths))
        return (
            dots[-1] - dots[-2] >= 1
            and draws.all_different(keys)
            and longest != int(np.argmax(np.dot(keys, q)))
            and np.sum(lengths == lengths[longest]) == 1
        )

    q, keys = draws.until(draw, ok)
    dots = np.dot(np.array(keys), np.array(q))
    best = int(engine.argmax(dots))
    longest = int(np.argmax(np.linalg.norm(keys, axis=1)))
    lines = [
        rf"\mathbf{{q}} \cdot \mathbf{{k}}_{{{pos(j)}}} &= {_dot_terms(q, kj)} = {num(dots[j])}"
        for j, kj in enumerate(keys)
    ]
    steps = (
        Step(
            "Score every key",
            r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}",
            "",
            {"dots": plain(dots)},
        ),
        Step(
            "Pick the largest",
            rf"\arg\max_j \mathbf{{q}} \cdot \mathbf{{k}}_j = {pos(best)}",
            "Keys count from 1: the first key is $\\mathbf{k}_1$.",
            {"best": best},
        ),
    )
    listed = ", ".join(f"$\\mathbf{{k}}_{{{pos(j)}}} = {nums(kj)}$" for j, kj in enumerate(keys))
    return ProblemInstance(
        statement=(
            f"A query $\\mathbf{{q}} = {nums(q)}$ is compared with four keys: {listed}. "
            "Which key has the largest dot product with $\\mathbf{q}$? Enter its number, "
            "counting from 1 (the first key is $\\mathbf{k}_1$)."
        ),
        kind="index",
        answer=pos(best),
        count=len(keys),
        hints=(
            "Compute $\\mathbf{q} \\cdot \\mathbf{k}_j$ for each of the four keys.",
            "The longest key is not necessarily the best match: direction counts too.",
            f"The four dot products are ${nums(dots)}$.",
        ),
        solution=(
            f"The dot products are ${nums(dots)}$, so key {pos(best)} scores highest with "
            f"${num(dots[best])}$. Key {pos(longest)} is the longest, but it points less "
            f"along $\\mathbf{{q}}$ and scores ${num(dots[longest])}$."
        ),
        steps=steps,
        answer_format=index_format(4),
        inputs={"q": q, "keys": keys},
        mistakes=wrong_only(pos(best), (pos(longest), *((best,) if best > 0 else ()))),
    )


@register("cosine_similarity", title="Cosine similarity", kind="number", difficulty="hard")
def cosine_similarity(rng: random.Random) -> ProblemInstance:
    """cos = q . k / (|q| |k|)."""

    def draw() -> tuple[list[float], list[float]]:
        return draws.nonzero_vector(rng, -3, 3, 3), draws.nonzero_vector(rng, -3, 3, 3)

    def ok(qk: tuple[list[float], list[float]]) -> bool:
        q, k = qk
        cos = np.dot(q, k) / (np.linalg.norm(q) * np.linalg.norm(k))
        return 0.1 <= abs(cos) <= 0.97 and differs(float(np.dot(q, k)), float(cos))

    q, k = draws.until(draw, ok)
    dot = float(np.dot(q, k))
    nq2, nk2 = float(np.dot(q, q)), float(np.dot(k, k))
    nq, nk = float(np.sqrt(nq2)), float(np.sqrt(nk2))
    answer = dot / (nq * nk)
    steps = (
        Step("Dot product", rf"\mathbf{{q}} \cdot \mathbf{{k}} = {_dot_terms(q, k)} = {num(dot)}"),
        Step(
            "Lengths",
            rf"\lVert \mathbf{{q}} \rVert = \sqrt{{{num(nq2)}}} = {fmt4(nq)},\quad"
            rf" \lVert \mathbf{{k}} \rVert = \sqrt{{{num(nk2)}}} = {fmt4(nk)}",
            "The length is the square root of a vector's dot product with itself.",
            {"norm_q": nq, "norm_k": nk},
        ),
        Step(
            "Divide",
            rf"\cos \theta = \frac{{{num(dot)}}}{{{fmt4(nq)} \times {fmt4(nk)}}} = {fmt4(answer)}",
            "Between -1 (opposite) and 1 (same direction).",
            {"cosine": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute the cosine similarity $\\dfrac{{\\mathbf{{q}} \\cdot \\mathbf{{k}}}}"
            f"{{\\lVert \\mathbf{{q}} \\rVert \\, \\lVert \\mathbf{{k}} \\rVert}}$ of "
            f"$\\mathbf{{q}} = {nums(q)}$ and $\\mathbf{{k}} = {nums(k)}$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "You need three things: the dot product and the two lengths.",
            "A length is $\\lVert \\mathbf{x} \\rVert = \\sqrt{\\mathbf{x} \\cdot \\mathbf{x}}$.",
            f"$\\mathbf{{q}} \\cdot \\mathbf{{k}} = {num(dot)}$, "
            f"$\\lVert \\mathbf{{q}} \\rVert = \\sqrt{{{num(nq2)}}}$, "
            f"$\\lVert \\mathbf{{k}} \\rVert = \\sqrt{{{num(nk2)}}}$.",
        ),
        solution=(
            f"$\\mathbf{{q}} \\cdot \\mathbf{{k}} = {num(dot)}$, "
            f"$\\lVert \\mathbf{{q}} \\rVert = {square_root(nq2, fmt4)}$ and "
            f"$\\lVert \\mathbf{{k}} \\rVert = {square_root(nk2, fmt4)}$, so "
            f"the cosine is ${num(dot)} / ({fmt4(nq)} \\times {fmt4(nk)}) \\approx "
            f"{fmt4(answer)}$. Dividing by the lengths removes their scale and keeps only "
            "the direction."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"q": q, "k": k},
        mistakes=wrong_only(answer, (dot, dot / nq2)),
    )


# --- Probability distributions ----------------------------------------------------------------


@register("missing_probability", title="The missing probability", kind="number", difficulty="easy")
def missing_probability(rng: random.Random) -> ProblemInstance:
    """Probabilities add up to 1, so the last one is 1 minus the rest."""
    k = 4
    twentieths = draws.until(lambda: [rng.randint(1, 12) for _ in range(k)], lambda v: sum(v) == 20)
    p = [v / 20 for v in twentieths]
    hidden = rng.randrange(k)
    known = [v for i, v in enumerate(p) if i != hidden]
    answer = float(1 - np.sum(known))
    shown = ", ".join("?" if i == hidden else num(v) for i, v in enumerate(p))
    steps = (
        Step(
            "Add the known probabilities",
            rf"{' + '.join(num(v) for v in known)} = {fmt4(float(np.sum(known)))}",
            "",
            {"known_sum": float(np.sum(known))},
        ),
        Step(
            "The rest is missing",
            rf"p_{{{pos(hidden)}}} = 1 - {fmt4(float(np.sum(known)))} = {fmt4(answer)}",
            "All probabilities of a distribution add up to exactly 1.",
            {"answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A distribution over four outcomes is $({shown})$, with one probability "
            "hidden. What is the hidden probability? Give it exactly (it is a decimal "
            "with at most two places)."
        ),
        kind="number",
        answer=answer,
        hints=(
            "What must the four probabilities add up to?",
            "Subtract the sum of the three you know from 1.",
        ),
        solution=(
            f"The known probabilities add up to ${fmt4(float(np.sum(known)))}$, and all four "
            f"must add up to 1, so the hidden one is $1 - {fmt4(float(np.sum(known)))} = "
            f"{fmt4(answer)}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"probabilities": p, "hidden": hidden},
        mistakes=wrong_only(answer, (float(np.sum(known)),)),
    )


@register(
    "valid_distribution", title="Which is a distribution?", kind="choice", difficulty="medium"
)
def valid_distribution(rng: random.Random) -> ProblemInstance:
    """One valid distribution among a negative entry, a sum above 1 and a sum below 1."""
    k = rng.choice([3, 4])
    valid = _tenths(rng, k)
    # A negative entry that still sums to 1: move two tenths to one entry from another.
    negative = list(valid)
    i, j = rng.sample(range(k), 2)
    negative[i] = -negative[i]
    negative[j] += 2 * valid[i]
    too_much = list(valid)
    too_much[rng.randrange(k)] += 1
    too_little = list(valid)
    donors = [n for n, v in enumerate(valid) if v >= 2]
    too_little[rng.choice(donors)] -= 1

    def show(tenths: list[int]) -> str:
        return f"$({', '.join(num(t / 10) for t in tenths)})$"

    def total(tenths: list[int]) -> str:
        return num(sum(tenths) / 10)

    choices = shuffled(
        rng,
        Option(show(valid), "every entry is between 0 and 1 and they add up to exactly 1."),
        [
            Option(
                show(negative),
                f"it adds up to {total(negative)}, but a probability cannot be negative.",
            ),
            Option(show(too_much), f"its entries add up to {total(too_much)}, not 1."),
            Option(show(too_little), f"its entries add up to {total(too_little)}, not 1."),
        ],
    )
    steps = (
        Step(
            "Check the two rules for each option",
            r"p_i \ge 0\ \text{for every } i \quad \text{and} \quad \sum_i p_i = 1",
            "A list of numbers is a probability distribution only if both hold.",
            {},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Which of these lists is a valid probability distribution over {k} outcomes? "
            "Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "There are two rules: one about each entry, one about all of them together.",
            "Every entry must lie between 0 and 1, and the entries must add up to exactly 1.",
        ),
        solution=f"Check both rules for every option.\n\n{choices.review}",
        steps=steps,
        answer_format=choices.answer_format,
        inputs={
            "valid": [t / 10 for t in valid],
            "options": [text for _, text in choices.options],
        },
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register(
    "expected_draw_count", title="How often will it come up?", kind="number", difficulty="medium"
)
def expected_draw_count(rng: random.Random) -> ProblemInstance:
    """Normalise weights into probabilities; the expected count is N times the probability."""
    k = rng.choice([3, 4])
    weights = [
        float(v)
        for v in draws.until(
            lambda: [rng.randint(1, 9) for _ in range(k)], lambda w: len(set(w)) > 1
        )
    ]
    n = rng.choice(DRAW_COUNTS)
    i = rng.randrange(k)
    total = float(np.sum(weights))
    p = np.array(weights) / total
    answer = float(n * p[i])
    steps = (
        Step(
            "Normalise the weights",
            rf"\mathbf{{p}} = \frac{{{nums(weights)}}}{{{num(total)}}} = {vec(p, fmt4)}",
            "Divide by the total so the probabilities add up to 1.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Multiply by the number of draws",
            rf"{n} \times p_{{{pos(i)}}} = {n} \times {fmt4(p[i])} = {fmt4(answer)}",
            "On average, an outcome comes up in proportion to its probability.",
            {"answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A bag holds tickets for {k} outcomes in the proportions "
            f"${' : '.join(num(w) for w in weights)}$. You draw a ticket {n} times, putting it "
            f"back each time. How many times do you expect outcome {pos(i)} (counting from 1, the "
            f"one with weight ${num(weights[i])}$) to come up? Give the expected count "
            f"{SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "First turn the proportions into probabilities.",
            f"Divide each weight by their total, ${num(total)}$.",
            f"$p_{{{pos(i)}}} = {num(weights[i])}/{num(total)}$; multiply by {n}.",
        ),
        solution=(
            f"The weights add up to ${num(total)}$, so outcome {pos(i)} has probability "
            f"${num(weights[i])}/{num(total)} \\approx {fmt4(p[i])}$. Over {n} draws it comes "
            f"up $N p_{{{pos(i)}}} \\approx {fmt4(answer)}$ times on average; any one run of "
            f"{n} draws will be a little above or below."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"weights": weights, "draws": n, "outcome": i},
        mistakes=wrong_only(
            answer,
            (float(n * weights[i] / 10), float(n / k)),
        ),
    )


@register(
    "distribution_entropy", title="Entropy of a distribution", kind="number", difficulty="hard"
)
def distribution_entropy(rng: random.Random) -> ProblemInstance:
    """H(p) = -sum p log p in nats, with a zero entry contributing nothing."""
    k = 4
    tenths = draws.until(lambda: _tenths(rng, k, low=0), lambda v: max(v) < 10 and len(set(v)) > 1)
    p = [t / 10 for t in tenths]
    terms = [-v * float(np.log(v)) if v > 0 else 0.0 for v in p]
    answer = float(engine.entropy(p))
    bits = answer / float(np.log(2))
    uniform = float(np.log(k))
    shown_terms = " + ".join(rf"({num(-v)}) \log {num(v)}" if v > 0 else "0" for v in p)
    rounded = [fixed(t, 4) for t in terms]  # the terms as shown, and the total they give
    shown_h = shown_total(rounded, 4)
    rounded_vec = vec(terms, lambda t: fixed(t, 4))
    steps = (
        Step(
            "One term per outcome",
            rf"H = -\sum_i p_i \log p_i = {shown_terms}",
            "A zero probability contributes nothing: $p \\log p \\to 0$ as $p \\to 0$.",
            {"terms": terms},
        ),
        Step(
            "Add",
            rf"H = {' + '.join(rounded)} = {shown_h}\ \text{{nats}}",
            f"The uniform distribution over {k} outcomes would reach "
            f"$\\log {k} \\approx {fmt4(uniform)}$.",
            {"entropy": answer, "max_entropy": uniform, "shown_sum": float(shown_h)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute the entropy $H(\\mathbf{{p}}) = -\\sum_i p_i \\log p_i$ of "
            f"$\\mathbf{{p}} = {nums(p)}$ in nats (natural logarithms), {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Compute $-p_i \\log p_i$ for each outcome and add the terms up.",
            "An outcome with probability 0 contributes 0 (not an error).",
            f"The terms are ${rounded_vec}$.",
        ),
        solution=(
            f"The terms $-p_i \\log p_i$ are ${rounded_vec}$, which add up to "
            f"$H \\approx {shown_h}$ nats (${fmt4(bits)}$ bits if you use $\\log_2$). "
            f"The most spread-out distribution over {k} outcomes, the uniform one, has "
            f"$\\log {k} \\approx {fmt4(uniform)}$ nats, so this one is less spread out."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"probabilities": p},
        mistakes=wrong_only(answer, (bits, uniform)),
    )


# --- Derivatives and gradients ------------------------------------------------------------------


@register("slope_of_quadratic", title="The slope at a point", kind="number", difficulty="easy")
def slope_of_quadratic(rng: random.Random) -> ProblemInstance:
    """f(x) = a x^2 + b x + c has slope 2 a x + b."""

    def draw() -> tuple[float, float, float, float]:
        a = float(rng.choice([-2, -1, 1, 2, 3]))
        b = float(rng.randint(-4, 4))
        c = float(rng.randint(-3, 3))
        x = float(rng.choice(draws.grid(-2.0, 3.0, 0.5)))
        return a, b, c, x

    def ok(v: tuple[float, float, float, float]) -> bool:
        a, b, c, x = v
        slope = 2 * a * x + b
        value = a * x * x + b * x + c
        return slope != 0 and differs(slope, value)

    a, b, c, x = draws.until(draw, ok)
    answer = 2 * a * x + b
    value = a * x * x + b * x + c
    f = polynomial(a, b, c)
    slope = polynomial(0, 2 * a, b)
    steps = (
        Step(
            "Differentiate term by term",
            rf"f'(x) = {slope}",
            "The derivative of $x^2$ is $2x$, of $x$ is 1, and of a constant is 0.",
            {},
        ),
        Step(
            "Evaluate at the point",
            rf"f'({num(x)}) = 2 \cdot {term(a)} \cdot {term(x)} + {term(b)} = {num(answer)}",
            "",
            {"slope": answer, "value": value},
        ),
    )
    return ProblemInstance(
        statement=(f"What is the slope of $f(x) = {f}$ at $x = {num(x)}$, that is $f'({num(x)})$?"),
        kind="number",
        answer=answer,
        hints=(
            "Differentiate each term separately; the constant disappears.",
            f"$f'(x) = {slope}$; put in $x = {num(x)}$.",
        ),
        solution=(
            f"$f'(x) = {slope}$, so $f'({num(x)}) = {num(2 * a)} \\cdot {term(x)} + {term(b)} = "
            f"{num(answer)}$. (The value of the function there, "
            f"$f({num(x)}) = {num(value)}$, is a different thing from its slope.)"
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"a": a, "b": b, "c": c, "x": x},
        mistakes=wrong_only(answer, (value,)),
    )


@register("chain_rule_softplus", title="The chain rule", kind="number", difficulty="medium")
def chain_rule_softplus(rng: random.Random) -> ProblemInstance:
    """d/dx log(1 + e^(a x)) = a sigmoid(a x): outer slope times inner slope."""
    a = rng.choice(INNER_SLOPES)
    x = draws.until(lambda: float(rng.choice(draws.grid(-2.0, 2.0, 0.5))), lambda v: v != 0)
    u = a * x
    s = float(engine.sigmoid(u))
    answer = a * s
    steps = (
        Step(
            "Outer and inner functions",
            rf"f(x) = g(u),\quad g(u) = \log(1 + e^u),\quad u = {coefficient(a)}x",
            "",
            {},
        ),
        Step(
            "Their slopes",
            r"g'(u) = \frac{e^u}{1 + e^u} = \sigma(u),\quad u'(x) = " + num(a),
            "The slope of $\\log(1 + e^u)$ is the sigmoid.",
            {},
        ),
        Step(
            "Multiply",
            rf"f'({num(x)}) = \sigma({num(u)}) \cdot {term(a)} = {fmt4(s)} \cdot {term(a)}"
            rf" = {fmt4(answer)}",
            "The chain rule multiplies the slopes of the composed functions.",
            {"u": u, "sigmoid": s, "answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Let $f(x) = \\log\\left(1 + e^{{{coefficient(a)}x}}\\right)$. "
            f"Compute $f'({num(x)})$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            f"Treat it as $\\log(1 + e^u)$ with $u = {coefficient(a)}x$.",
            "The derivative of $\\log(1 + e^u)$ with respect to $u$ is "
            "$e^u / (1 + e^u) = \\sigma(u)$; then multiply by $du/dx$.",
            f"$u = {num(u)}$ and $\\sigma({num(u)}) \\approx {fmt4(s)}$.",
        ),
        solution=(
            f"With $u = {coefficient(a)}x$, $f'(x) = \\sigma(u) \\cdot {term(a)}$. "
            f"At $x = {num(x)}$, "
            f"$u = {num(u)}$ and $\\sigma({num(u)}) \\approx {fmt4(s)}$, so "
            f"$f'({num(x)}) \\approx {fmt4(answer)}$. Forgetting the inner slope "
            f"${num(a)}$ is the usual slip."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"a": a, "x": x},
        mistakes=wrong_only(answer, (s,)),
    )


@register(
    "gradient_descent_step",
    title="One step of gradient descent",
    kind="vector",
    difficulty="hard",
)
def gradient_descent_step(rng: random.Random) -> ProblemInstance:
    """w - eta * grad f(w) for f(w) = (w0 - a)^2 + c (w1 - b)^2."""
    c = rng.choice(CURVATURES)
    eta = rng.choice(LEARNING_RATES)

    def draw() -> tuple[list[float], list[float]]:
        centre = [float(rng.choice([-2, -1, 1, 2])), float(rng.choice([-2, -1, 1, 2]))]
        w = [float(rng.choice(draws.HALVES)), float(rng.choice(draws.HALVES))]
        return centre, w

    def ok(drawn: tuple[list[float], list[float]]) -> bool:
        (a, b), (w0, w1) = drawn
        return w0 != a and w1 != b

    (a, b), w = draws.until(draw, ok)
    grad = np.array([2 * (w[0] - a), 2 * c * (w[1] - b)])
    new_w = np.array(w) - eta * grad

    def f(v) -> float:
        return float((v[0] - a) ** 2 + c * (v[1] - b) ** 2)

    before, after = f(w), f(new_w)
    steps = (
        Step(
            "Partial derivatives",
            rf"\frac{{\partial f}}{{\partial w_1}} = 2(w_1 {minus(a)}),\quad"
            rf" \frac{{\partial f}}{{\partial w_2}} = {num(2 * c)}(w_2 {minus(b)})",
            "Each partial derivative treats the other variable as a constant.",
            {},
        ),
        Step(
            "The gradient at the point",
            rf"\nabla f{nums(w)} = {nums(grad)}",
            "",
            {"gradient": plain(grad)},
        ),
        Step(
            "Step against it",
            rf"\mathbf{{w}} - {num(eta)} \nabla f = {nums(w)} - {num(eta)}{nums(grad)}"
            rf" = {vec(new_w, fmt4)}",
            f"$f$ drops from ${fmt4(before)}$ to ${fmt4(after)}$.",
            {"new_w": plain(new_w), "f_before": before, "f_after": after},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Let $f(w_1, w_2) = (w_1 {minus(a)})^2 + {num(c)}\\,(w_2 {minus(b)})^2$. "
            f"Starting from $\\mathbf{{w}} = {nums(w)}$, take one gradient-descent step with "
            f"learning rate $\\eta = {num(eta)}$: "
            "$\\mathbf{w} - \\eta \\nabla f(\\mathbf{w})$. "
            "Enter the two new coordinates, comma-separated "
            "(exact decimals, or three significant figures)."
        ),
        kind="vector",
        answer=floats(new_w),
        hints=(
            "Find the two partial derivatives, then evaluate them at the starting point.",
            f"The gradient at ${nums(w)}$ is ${nums(grad)}$.",
            f"Subtract ${num(eta)}$ times the gradient from the starting point.",
        ),
        solution=(
            f"The gradient is $(2(w_1 {minus(a)}),\\ {num(2 * c)}(w_2 {minus(b)}))$, which at "
            f"${nums(w)}$ is ${nums(grad)}$. The step gives ${nums(w)} - {num(eta)} \\times "
            f"{nums(grad)} = {vec(new_w, fmt4)}$, and $f$ drops from ${fmt4(before)}$ to "
            f"${fmt4(after)}$. Moving with the gradient instead would climb."
        ),
        steps=steps,
        answer_format=vector_format(2),
        inputs={"a": a, "b": b, "c": c, "w": w, "learning_rate": eta},
        mistakes=wrong_only(floats(new_w), (floats(np.array(w) + eta * grad), floats(grad))),
    )
