"""Problems on softmax itself: probabilities, invariances, temperature, stability, the loss
and its gradient."""

from __future__ import annotations

import random

import numpy as np

from exercises import Mistake, Step, draws
from exercises.display import (
    decimals,
    fixed,
    fmt,
    num,
    nums,
    plain,
    shown_total,
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
    ordinal_position,
    pos,
    shuffled,
    vector_format,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

CONCEPT = "softmax-and-logits"
CLASS_COUNTS = (3, 4, 5, 6, 8, 10)
CONSTANTS = draws.grid(-3.0, 5.0, 0.5)
WIDE = draws.grid(-4.0, 4.0, 0.5)
SHIFTS = (-100.0, -20.0, 10.0, 50.0, 100.0, 1000.0)
TEMPERATURES = (0.5, 2.0, 4.0)
HUGE_BASES = (800.0, 1000.0, 1200.0, 2000.0)  # minus 3, still beyond float64's e^709.78
OFFSETS = draws.grid(-3.0, 3.0, 1.0)
LOSS_BASES = (0.0, 10.0, 100.0, 1000.0)


def _sum_line(exps) -> tuple[str, str]:
    """Exponentials as a shown sum and its shown total, 4 decimals each, so they add up."""
    terms = [fixed(e, 4) for e in exps]
    return " + ".join(terms), shown_total(terms, 4)


def _exps(exps) -> str:
    """The exponentials as a vector, at the precision the sum shows them."""
    return vec(exps, lambda e: fixed(e, 4))


def _spread_at_most(z: list[float], spread: float) -> bool:
    return max(z) - min(z) <= spread


@register("softmax_uniform_logits", title="Equal logits", kind="number", difficulty="easy")
def softmax_uniform_logits(rng: random.Random) -> ProblemInstance:
    """K equal logits: every class gets 1/K, whatever the common value."""
    k = rng.choice(CLASS_COUNTS)
    c = rng.choice(CONSTANTS)
    z = [c] * k
    p = engine.softmax(z)
    answer = float(p[0])
    e = float(np.exp(c))
    steps = (
        Step(
            "Exponentiate",
            rf"e^{{{num(c)}}} = {fmt4(e)}\ \text{{for every class}}",
            "Equal logits give equal exponentials.",
            {"exp": e},
        ),
        Step(
            "Add them up",
            rf"S = {k} \times {fmt4(e)} = {fmt4(k * e)}",
            "The normaliser is the common exponential times the number of classes.",
            {"total": k * e},
        ),
        Step(
            "Divide",
            rf"p_i = \frac{{{fmt4(e)}}}{{{fmt4(k * e)}}} = \frac{{1}}{{{k}}} = {fmt4(answer)}",
            "The common factor cancels, so the value of the logit does not matter.",
            {"probabilities": plain(p)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A {k}-class classifier outputs the same logit, ${num(c)}$, for every class. "
            "What probability does softmax give each class? "
            f"Give it {SIG3} (an exact fraction such as 1/4 is fine too)."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Look at the exponentials before you compute anything: how do they compare?",
            f"Every class has the same $e^{{{num(c)}}}$, so each gets an equal share of the sum.",
            f"The logit value cancels: the answer is $1/{k}$ as a decimal.",
        ),
        solution=(
            f"All {k} exponentials equal $e^{{{num(c)}}} \\approx {fmt4(e)}$, so the sum is "
            f"{k} times that and each probability is $1/{k} \\approx {fmt4(answer)}$. "
            "Equal logits mean no preference: softmax returns the uniform distribution, "
            "the one with the largest entropy, whatever the shared value is."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z},
        mistakes=wrong_only(
            answer,
            (
                Mistake(1.0, f"That is one exponential over itself: divide by the sum of all {k}."),
                Mistake(1 / (k - 1), f"That divides by {k - 1}: all {k} classes share the sum."),
            )[: 2 if k > 2 else 1],
        ),
    )


@register("softmax_argmax_index", title="The most likely class", kind="index", difficulty="easy")
def softmax_argmax_index(rng: random.Random) -> ProblemInstance:
    """Argmax of the softmax is the argmax of the logits; a big negative logit is a trap."""
    k = rng.choice([4, 5])
    z = draws.until(lambda: draws.distinct(rng, WIDE, k), lambda v: min(v) < -max(v) < 0)
    p = engine.softmax(z)
    top = int(engine.argmax(z))
    loudest = int(np.argmax(np.abs(z)))
    steps = (
        Step(
            "Softmax keeps the order",
            rf"\operatorname{{softmax}}{nums(z)} = {vec(p)}",
            "The exponential is increasing and every entry is divided by the same sum, "
            "so a larger logit always gets a larger probability.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Find the largest",
            rf"\arg\max_i z_i = {pos(top)}\quad"
            rf" (z_{{{pos(top)}}} = {num(z[top])},\ p_{{{pos(top)}}} = {fmt(p[top])})",
            "Positions count from 1: the first logit is $z_1$.",
            {"argmax": top},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier outputs logits $\\mathbf{{z}} = {nums(z)}$. Which class does softmax "
            "make the most probable? Enter its position, counting from 1 "
            "(the first logit is at position 1)."
        ),
        kind="index",
        answer=pos(top),
        count=k,
        hints=(
            "You do not need to compute the probabilities: softmax never changes the order.",
            "Look for the largest logit, not the one furthest from zero; "
            "a very negative logit gets a tiny probability.",
        ),
        solution=(
            f"Softmax is increasing in each logit, so the most probable class has the largest "
            f"logit, ${num(z[top])}$, at {ordinal_position(top)}; its probability is "
            f"${fmt(p[top])}$. The logit ${num(z[loudest])}$ has the largest size but is "
            f"negative, so its probability is only ${fmt(p[loudest])}$."
        ),
        steps=steps,
        answer_format=index_format(k),
        inputs={"logits": z},
        mistakes=wrong_only(pos(top), (pos(loudest), top) if top > 0 else (pos(loudest),)),
    )


@register("softmax_probabilities", title="Softmax by hand", kind="vector", difficulty="medium")
def softmax_probabilities(rng: random.Random) -> ProblemInstance:
    """Exponentiate, add, divide, for three logits."""
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    exps = np.exp(z)
    total = float(np.sum(exps))
    p = engine.softmax(z)
    powers = r",\ ".join(f"e^{{{num(v)}}}" for v in z)
    sum_line, total_text = _sum_line(exps)
    steps = (
        Step(
            "Exponentiate",
            rf"({powers}) = {_exps(exps)}",
            "Every exponential is positive, whatever the sign of the logit.",
            {"exps": plain(exps)},
        ),
        Step(
            "Add",
            rf"S = {sum_line} = {total_text}",
            "The sum is the normaliser.",
            {"total": total},
        ),
        Step(
            "Divide",
            rf"\mathbf{{p}} = \frac{{1}}{{{total_text}}}{_exps(exps)} = {vec(p)}",
            "The probabilities add up to 1.",
            {"probabilities": plain(p)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\mathbf{{p}} = \\operatorname{{softmax}}(\\mathbf{{z}})$ for "
            f"$\\mathbf{{z}} = {nums(z)}$. Enter the three probabilities in order, "
            f"comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(p),
        hints=(
            "Softmax exponentiates each logit, then divides by the sum of the exponentials.",
            f"The exponentials are ${_exps(exps)}$.",
            f"Their sum is $S \\approx {total_text}$; divide each exponential by it.",
        ),
        solution=(
            f"Exponentiating gives ${_exps(exps)}$, which add up to "
            f"$S \\approx {total_text}$. Dividing each by $S$ gives "
            f"$\\mathbf{{p}} \\approx {vec(p)}$, and the three add up to 1 as they must."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z},
        mistakes=wrong_only(
            floats(p),
            (Mistake(floats(exps), "Those are the exponentials: divide each by their sum."),),
        ),
    )


@register(
    "softmax_shift_invariance",
    title="Adding a constant to every logit",
    kind="vector",
    difficulty="medium",
)
def softmax_shift_invariance(rng: random.Random) -> ProblemInstance:
    """softmax(z + c) = softmax(z), with c large enough that recomputing is painful."""
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    c = rng.choice(SHIFTS)
    shifted = [v + c for v in z]  # halves plus a whole number: exact
    p = engine.softmax(z)
    p_shifted = engine.softmax(shifted)
    difference = float(np.max(np.abs(p - p_shifted)))
    steps = (
        Step(
            "Factor the shift out of each exponential",
            rf"e^{{z_i + {term(c)}}} = e^{{{num(c)}}}\, e^{{z_i}}",
            "Adding $c$ to a logit multiplies its exponential by $e^c$.",
            {"shift": c},
        ),
        Step(
            "The factor cancels",
            rf"\frac{{e^{{{num(c)}}} e^{{z_i}}}}{{\sum_j e^{{{num(c)}}} e^{{z_j}}}}"
            rf" = \frac{{e^{{z_i}}}}{{\sum_j e^{{z_j}}}}",
            "The same factor multiplies the numerator and every term of the denominator.",
            {},
        ),
        Step(
            "Check numerically",
            rf"\operatorname{{softmax}}{nums(shifted)} = {vec(p_shifted, fmt4)}"
            rf" = \operatorname{{softmax}}{nums(z)}",
            f"The largest difference between the two is ${fmt(difference)}$: "
            "float64 rounding at most.",
            {"probabilities": plain(p), "shifted_probabilities": plain(p_shifted)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$, softmax gives "
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$. Now every logit is increased by "
            f"${num(c)}$: $\\mathbf{{z}}' = {nums(shifted)}$. Compute "
            "$\\operatorname{softmax}(\\mathbf{z}')$ and enter the three probabilities in "
            f"order, comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(p_shifted),
        hints=(
            f"Write $e^{{z_i + {term(c)}}}$ as a product of two exponentials.",
            f"Every numerator and every term of the sum gains the same factor "
            f"$e^{{{num(c)}}}$. What happens to it in the division?",
            "It cancels: the probabilities are the ones you were given.",
        ),
        solution=(
            f"Each $e^{{z_i + {term(c)}}} = e^{{{num(c)}}} e^{{z_i}}$: the shift multiplies "
            "every exponential, and therefore their sum, by the same factor, which cancels. "
            f"So $\\operatorname{{softmax}}(\\mathbf{{z}}') = \\operatorname{{softmax}}"
            f"(\\mathbf{{z}}) \\approx {vec(p_shifted, fmt4)}$. "
            "This is why subtracting the largest logit before exponentiating is allowed."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z, "shift": c},
    )


@register(
    "softmax_ratio_identity",
    title="A ratio of probabilities",
    kind="number",
    difficulty="medium",
)
def softmax_ratio_identity(rng: random.Random) -> ProblemInstance:
    """p_i / p_j = e^(z_i - z_j): the other logits do not matter."""
    z = draws.logits(rng, 4)
    i, j = draws.until(lambda: rng.sample(range(4), 2), lambda ij: z[ij[0]] > z[ij[1]])
    p = engine.softmax(z)
    ratio = float(p[i] / p[j])
    gap = z[i] - z[j]
    a, b = pos(i), pos(j)
    steps = (
        Step(
            "Write the ratio",
            rf"\frac{{p_{{{a}}}}}{{p_{{{b}}}}} = \frac{{e^{{z_{{{a}}}}}/S}}{{e^{{z_{{{b}}}}}/S}}"
            rf" = e^{{z_{{{a}}} - z_{{{b}}}}}",
            "The normaliser $S$ cancels, and so do all the other logits.",
            {},
        ),
        Step(
            "Put in the logits",
            rf"e^{{{num(z[i])} - ({num(z[j])})}} = e^{{{num(gap)}}} = {fmt4(ratio)}",
            "Only the gap between the two logits matters.",
            {"gap": gap, "ratio": ratio},
        ),
        Step(
            "Check with the probabilities",
            rf"\mathbf{{p}} = {vec(p, fmt4)},\quad \frac{{{fmt(p[i], 6)}}}{{{fmt(p[j], 6)}}}"
            rf" = {fmt4(float(fmt(p[i], 6)) / float(fmt(p[j], 6)))}",
            "The same number, up to the rounding of the probabilities.",
            {
                "probabilities": plain(p),
                "shown_ratio": float(fmt(p[i], 6)) / float(fmt(p[j], 6)),
            },
        ),
    )
    mistakes = [gap]
    if z[j] != 0 and differs(z[i] / z[j], ratio):
        mistakes.append(z[i] / z[j])
    return ProblemInstance(
        statement=(
            f"A 4-class model outputs logits $\\mathbf{{z}} = {nums(z)}$. Classes count from "
            f"1, so $p_{{{a}}}$ is the probability of the class with logit ${num(z[i])}$ and "
            f"$p_{{{b}}}$ that of the class with logit ${num(z[j])}$. "
            f"Compute $p_{{{a}}} / p_{{{b}}}$ {SIG3}."
        ),
        kind="number",
        answer=ratio,
        hints=(
            "Write both probabilities as an exponential over the same sum $S$.",
            "In the ratio the sum cancels: $p_i / p_j = e^{z_i - z_j}$.",
            f"The gap is ${num(z[i])} - ({num(z[j])}) = {num(gap)}$; exponentiate it.",
        ),
        solution=(
            f"Both probabilities share the denominator $S$, so it cancels: "
            f"$p_{{{a}}} / p_{{{b}}} = e^{{z_{{{a}}} - z_{{{b}}}}} = e^{{{num(gap)}}} \\approx "
            f"{fmt4(ratio)}$. The other two logits play no part: a logit gap of "
            f"${num(gap)}$ always means a factor of about ${fmt(ratio)}$ in probability."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "pair": [i, j]},
        mistakes=wrong_only(ratio, tuple(mistakes)),
    )


@register(
    "softmax_temperature_top",
    title="The top probability at a temperature",
    kind="number",
    difficulty="medium",
)
def softmax_temperature_top(rng: random.Random) -> ProblemInstance:
    """Divide by T, then softmax; report the largest probability."""
    t = rng.choice(TEMPERATURES)
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    scaled = [v / t for v in z]
    p = engine.softmax(z, temperature=t)
    top = int(engine.argmax(z))
    answer = float(p[top])
    at_one = float(np.max(engine.softmax(z)))
    multiplied = float(np.max(engine.softmax([v * t for v in z])))
    steps = (
        Step(
            "Divide the logits by T",
            rf"\mathbf{{z}} / {num(t)} = {vec(scaled, fmt4)}",
            "Temperature scales every gap between logits by $1/T$.",
            {"scaled_logits": scaled},
        ),
        Step(
            "Softmax",
            rf"\operatorname{{softmax}}(\mathbf{{z}}/T) = {vec(p, fmt4)}",
            "The order of the classes is unchanged.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Compare with T = 1",
            rf"\max_i p_i = {fmt4(answer)}\ \text{{at}}\ T = {num(t)},\quad"
            rf" {fmt4(at_one)}\ \text{{at}}\ T = 1",
            "A temperature below 1 sharpens the distribution; above 1 it flattens it.",
            {"top_probability": answer, "top_probability_t1": at_one},
        ),
    )
    direction = "sharper" if t < 1 else "flatter"
    return ProblemInstance(
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$, compute the softmax at temperature "
            f"$T = {num(t)}$, that is $\\operatorname{{softmax}}(\\mathbf{{z}} / T)$. "
            f"Enter the largest of the three probabilities, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Temperature acts on the logits before the softmax.",
            f"Divide each logit by ${num(t)}$ (do not multiply).",
            f"$\\mathbf{{z}}/T = {vec(scaled, fmt4)}$; now take the softmax of that.",
        ),
        solution=(
            f"Dividing by $T = {num(t)}$ gives $\\mathbf{{z}}/T \\approx {vec(scaled, fmt4)}$, "
            f"and its softmax is ${vec(p, fmt4)}$. The largest probability is "
            f"${fmt4(answer)}$, against ${fmt4(at_one)}$ at $T = 1$: this temperature makes "
            f"the distribution {direction}, but the most likely class stays the same."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "temperature": t},
        mistakes=wrong_only(answer, (at_one, multiplied)),
    )


@register(
    "softmax_two_class_sigmoid",
    title="Two classes and the sigmoid",
    kind="choice",
    difficulty="medium",
)
def softmax_two_class_sigmoid(rng: random.Random) -> ProblemInstance:
    """softmax(a, b)_0 = sigmoid(a - b), against plausible look-alikes."""
    a, b = draws.until(
        lambda: draws.logits(rng, 2, min_spread=0.5), lambda v: v[1] != 0 and v[0] != 0
    )
    p = engine.softmax([a, b])
    gap = a - b
    value = float(engine.sigmoid(gap))
    swapped = float(engine.sigmoid(b - a))
    normalised = float(engine.sigmoid(a) / (engine.sigmoid(a) + engine.sigmoid(b)))
    total = float(engine.sigmoid(a + b))
    choices = shuffled(
        rng,
        Option(
            rf"$\sigma(a - b) = \sigma({num(a)} - ({num(b)}))$",
            f"dividing top and bottom by $e^{{b}}$ leaves $1/(1 + e^{{-(a-b)}})$, which is "
            f"$\\sigma({num(gap)}) \\approx {fmt4(value)}$.",
        ),
        [
            Option(
                rf"$\sigma(b - a) = \sigma({num(b)} - ({num(a)}))$",
                f"that is the probability of the other class, $p_2 \\approx {fmt4(swapped)}$.",
            ),
            Option(
                r"$\sigma(a) / (\sigma(a) + \sigma(b))$",
                f"normalising sigmoids is not softmax; here it gives ${fmt4(normalised)}$.",
            ),
            Option(
                rf"$\sigma(a + b) = \sigma({num(a)} + ({num(b)}))$",
                "softmax depends only on the difference of the logits, never on their sum; "
                f"this gives ${fmt4(total)}$.",
            ),
        ],
    )
    steps = (
        Step(
            "Two-class softmax",
            r"p_1 = \frac{e^{a}}{e^{a} + e^{b}} = \frac{1}{1 + e^{-(a - b)}}",
            "Divide the numerator and the denominator by $e^a$.",
            {},
        ),
        Step(
            "Put in the logits",
            rf"p_1 = \sigma({num(gap)}) = {fmt4(value)},\quad"
            rf" \operatorname{{softmax}}{nums([a, b])} = {vec(p, fmt4)}",
            "The same number either way.",
            {"probabilities": plain(p), "sigmoid": value},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A two-class model outputs logits $(a, b) = {nums([a, b])}$. Which expression "
            "equals $p_1$, the softmax probability of the class with logit "
            f"$a = {num(a)}$? (Here $\\sigma(x) = 1 / (1 + e^{{-x}})$.) "
            f"Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Write $p_1 = e^a / (e^a + e^b)$ and divide the top and bottom by $e^a$.",
            "You get $1 / (1 + e^{b - a})$. Which sigmoid is that?",
        ),
        solution=(
            f"$p_1 = e^a / (e^a + e^b) = 1 / (1 + e^{{-(a - b)}}) = \\sigma(a - b) = "
            f"\\sigma({num(gap)}) \\approx {fmt4(value)}$.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"logits": [a, b], "options": [text for _, text in choices.options]},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register("softmax_huge_logits", title="Softmax of huge logits", kind="vector", difficulty="hard")
def softmax_huge_logits(rng: random.Random) -> ProblemInstance:
    """Logits in the hundreds: subtract the max, then everything is small and safe."""
    base = rng.choice(HUGE_BASES)
    offsets = draws.until(
        lambda: draws.distinct(rng, OFFSETS, 3),
        lambda v: max(v) - min(v) >= 1 and _spread_at_most(v, 3.0),
    )
    z = [base + v for v in offsets]
    m = max(z)
    shifted = [v - m for v in z]
    exps = np.exp(shifted)
    total = float(np.sum(exps))
    p = engine.softmax(z)
    steps = (
        Step(
            "Find the largest logit",
            rf"m = \max_i z_i = {num(m)}",
            f"$e^{{{num(min(z))}}}$ is far beyond the largest float64 (about $1.8 \\times "
            "10^{308}$, which is $e^{709.8}$), so the naive formula overflows.",
            {"max": m},
        ),
        Step(
            "Subtract it",
            rf"\mathbf{{z}} - m = {nums(shifted)}",
            "Softmax does not change when every logit moves by the same amount.",
            {"shifted": shifted},
        ),
        Step(
            "Exponentiate and add",
            rf"e^{{\mathbf{{z}} - m}} = {vec(exps, fmt4)},\quad S = {fmt4(total)}",
            "The largest term is exactly $e^0 = 1$: nothing overflows.",
            {"shifted_exps": plain(exps), "shifted_sum": total},
        ),
        Step(
            "Divide",
            rf"\mathbf{{p}} = {vec(p, fmt4)}",
            "The same probabilities the naive formula means.",
            {"probabilities": plain(p)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\operatorname{{softmax}}(\\mathbf{{z}})$ for $\\mathbf{{z}} = {nums(z)}$. "
            "Exponentiating these logits directly overflows even in float64, so compute it "
            "stably. Enter the three probabilities in order, comma-separated, each "
            f"{SIG3}."
        ),
        kind="vector",
        answer=floats(p),
        hints=(
            "Softmax does not change if you subtract the same number from every logit.",
            f"Subtract the largest logit, ${num(m)}$: you get ${nums(shifted)}$.",
            f"Exponentiate those: ${vec(exps, fmt4)}$, then divide by their sum.",
        ),
        solution=(
            f"Subtract $m = {num(m)}$ to get ${nums(shifted)}$; this changes nothing "
            f"because softmax is shift-invariant. The exponentials ${vec(exps, fmt4)}$ add up "
            f"to $S \\approx {fmt4(total)}$, and dividing gives "
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$. Only the gaps between the logits "
            f"matter; the size of the logits ({num(base)} or so) does not."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z},
        mistakes=wrong_only(
            floats(p),
            (
                Mistake(
                    (1 / 3, 1 / 3, 1 / 3),
                    "That is the uniform distribution: huge logits still differ, and only "
                    "their differences matter.",
                ),
            ),
        ),
    )


@register(
    "softmax_cross_entropy_logsumexp",
    title="Cross-entropy through log-sum-exp",
    kind="number",
    difficulty="hard",
)
def softmax_cross_entropy_logsumexp(rng: random.Random) -> ProblemInstance:
    """L = logsumexp(z) - z_y, with logits possibly too large to exponentiate directly."""
    base = rng.choice(LOSS_BASES)

    def draw() -> tuple[list[float], int]:
        return [base + v for v in draws.logits(rng, 4, min_spread=1.0)], rng.randrange(4)

    def ok(drawn: tuple[list[float], int]) -> bool:
        z, y = drawn
        return _spread_at_most(z, 4.0) and 0.1 <= float(engine.cross_entropy(z, y)) <= 5

    z, y = draws.until(draw, ok)
    shown_y = pos(y)
    m = max(z)
    shifted = [v - m for v in z]
    exps = np.exp(shifted)
    total = float(np.sum(exps))
    lse = float(engine.logsumexp(z))
    loss = float(engine.cross_entropy(z, y))
    p = engine.softmax(z)
    sum_line, total_text = _sum_line(exps)
    # logsumexp to the loss's decimals, so that L = logsumexp - z_y adds up as shown.
    places = decimals(fmt4(loss))
    lse_text = fixed(lse, places)
    loss_text = fixed(float(lse_text) - z[y], places)
    steps = (
        Step(
            "Shift by the largest logit",
            rf"m = {num(m)},\quad \mathbf{{z}} - m = {nums(shifted)}",
            "After the shift the largest term of the sum is $e^0 = 1$.",
            {"max": m, "shifted": shifted},
        ),
        Step(
            "Sum the shifted exponentials",
            rf"\sum_j e^{{z_j - m}} = {sum_line} = {total_text}",
            "",
            {"shifted_sum": total},
        ),
        Step(
            "Log-sum-exp",
            rf"\operatorname{{logsumexp}}(\mathbf{{z}}) = {num(m)} + \log {total_text}"
            rf" = {lse_text}",
            "Add the shift back after taking the log.",
            {"logsumexp": lse},
        ),
        Step(
            "Subtract the true logit",
            rf"L = {lse_text} - {term(z[y])} = {loss_text}",
            f"The same as $-\\log p_{{{shown_y}}} = -\\log {fmt4(p[y])}$.",
            {"loss": loss, "probabilities": plain(p)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A 4-class model outputs logits $\\mathbf{{z}} = {nums(z)}$ and the true class "
            f"is $y = {shown_y}$ (classes count from 1), the class with logit ${num(z[y])}$. "
            "Compute the "
            "cross-entropy $L = \\operatorname{logsumexp}(\\mathbf{z}) - z_y$ "
            f"{SIG3}, using a stable log-sum-exp."
        ),
        kind="number",
        answer=loss,
        hints=(
            "Take the largest logit $m$ out of the sum: "
            "$\\operatorname{logsumexp}(\\mathbf{z}) = m + \\log \\sum_j e^{z_j - m}$.",
            f"With $m = {num(m)}$ the shifted logits are ${nums(shifted)}$ and their "
            f"exponentials add up to ${total_text}$.",
            f"$\\operatorname{{logsumexp}}(\\mathbf{{z}}) \\approx {lse_text}$; subtract "
            f"$z_{{{shown_y}}} = {num(z[y])}$.",
        ),
        solution=(
            f"With $m = {num(m)}$, the shifted exponentials add up to ${total_text}$, so "
            f"$\\operatorname{{logsumexp}}(\\mathbf{{z}}) = {num(m)} + \\log {total_text} "
            f"\\approx {lse_text}$. Subtracting the true logit ${num(z[y])}$ gives "
            f"$L = {lse_text} - {term(z[y])} = {loss_text}$, which is "
            f"$-\\log p_{{{shown_y}}}$ with "
            f"$p_{{{shown_y}}} \\approx {fmt4(p[y])}$. No probability was formed on the way, "
            "and no exponential was larger than 1."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "target": y},
        mistakes=wrong_only(loss, (lse, -loss, float(p[y]))),
    )


@register("softmax_gradient", title="The gradient of the loss", kind="vector", difficulty="hard")
def softmax_gradient(rng: random.Random) -> ProblemInstance:
    """dL/dz = softmax(z) - onehot(y) for cross-entropy on softmax."""
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    y = rng.randrange(3)
    p = engine.softmax(z)
    grad = engine.cross_entropy_grad(z, y)
    onehot = [1.0 if i == y else 0.0 for i in range(3)]
    steps = (
        Step(
            "Softmax",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p, fmt4)}",
            "",
            {"probabilities": plain(p)},
        ),
        Step(
            "One-hot target",
            rf"\mathbf{{y}} = {nums(onehot)}",
            f"A 1 at position {pos(y)}, the true class.",
            {"onehot": onehot},
        ),
        Step(
            "Subtract",
            rf"\nabla_{{\mathbf{{z}}}} L = \mathbf{{p}} - \mathbf{{y}} = {vec(grad, fmt4)}",
            "The entries add up to zero: the true logit is pushed up as much as the "
            "others are pushed down.",
            {"gradient": plain(grad)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$ and the true class is "
            f"$y = {pos(y)}$ (classes count from 1), the class with logit ${num(z[y])}$. "
            "For the loss "
            "$L = -\\log \\operatorname{softmax}(\\mathbf{z})_y$, compute the gradient "
            "$\\partial L / \\partial \\mathbf{z}$. Enter its three entries in order, "
            f"comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(grad),
        hints=(
            "For softmax followed by cross-entropy, the gradient with respect to the logits "
            "has a famously short form.",
            "It is $\\mathbf{p} - \\mathbf{y}$: the probabilities minus the one-hot target.",
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$; subtract 1 from entry {pos(y)} only.",
        ),
        solution=(
            f"The gradient is $\\mathbf{{p}} - \\mathbf{{y}}$. Here "
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$ and $\\mathbf{{y}} = {nums(onehot)}$, so "
            f"$\\nabla_{{\\mathbf{{z}}}} L \\approx {vec(grad, fmt4)}$. Only the true class has "
            "a negative entry, so a gradient step raises its logit and lowers the others, "
            "each in proportion to its probability; the entries add up to zero."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z, "target": y},
        mistakes=wrong_only(floats(grad), (floats(p), floats(-grad))),
    )
