"""Problems on turning a distribution into choices: argmax, sampling, top-k and top-p,
temperature, and calibration."""

from __future__ import annotations

import itertools
import random

import numpy as np

from exercises import Step, draws
from exercises.display import aligned, fixed, num, nums, plain, shown_total, vec
from lessons import engine
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    SIG3,
    WHOLE_NUMBER_FORMAT,
    Option,
    apart,
    differs,
    floats,
    fmt4,
    index_format,
    pos,
    shuffled,
    vector_format,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

VOCABULARY = ("cat", "dog", "mat", "sat", "sun", "hat", "ran", "the", "on", "a")
SAMPLE_COUNTS = (100, 500, 1000, 2000)
NUCLEUS_MASSES = (0.5, 0.75, 0.8, 0.9, 0.95)
TEMPERATURES = (0.5, 2.0, 3.0)
RATIOS = (2.0, 3.0, 4.0, 5.0, 10.0)
CONFIDENCES = draws.grid(0.55, 0.95, 0.05)
BIN_EDGES = (0.5, 0.7, 0.9, 1.0)


def _token_table(tokens: list[str], logits: list[float]) -> str:
    """A Markdown table: position (counting from 1), token, logit."""
    header = "| position | " + " | ".join(str(i) for i in range(1, len(tokens) + 1)) + " |"
    rule = "|---|" + "---|" * len(tokens)
    words = "| token | " + " | ".join(f"“{t}”" for t in tokens) + " |"
    values = "| logit | " + " | ".join(num(v) for v in logits) + " |"
    return "\n".join([header, rule, words, values])


def _spread_at_most(z: list[float], spread: float) -> bool:
    return max(z) - min(z) <= spread


# --- Argmax vs sampling ----------------------------------------------------------------------


@register("greedy_next_token", title="Greedy decoding", kind="index", difficulty="easy")
def greedy_next_token(rng: random.Random) -> ProblemInstance:
    """Greedy decoding takes the argmax of the logits."""
    k = rng.choice([4, 5])
    tokens = rng.sample(VOCABULARY, k)
    z = draws.logits(rng, k, draws.grid(-3.0, 4.0, 0.5), min_spread=1.5)
    top = int(engine.argmax(z))
    p = engine.softmax(z)
    steps = (
        Step(
            "Find the largest logit",
            rf"\arg\max_i z_i = {pos(top)}\quad (\text{{“{tokens[top]}”}},\ z = {num(z[top])})",
            "Greedy decoding needs no probabilities: softmax keeps the order of the logits.",
            {"argmax": top},
        ),
        Step(
            "Its probability, for the record",
            rf"p_{{{pos(top)}}} = {fmt4(float(p[top]))}",
            "Greedy decoding picks this token every time, however small its lead.",
            {"probabilities": plain(p)},
        ),
    )
    return ProblemInstance(
        statement=(
            "A language model's next-token logits are:\n\n"
            f"{_token_table(tokens, z)}\n\n"
            "Greedy decoding picks one token. Which? Enter its position in the table, counting "
            "from 1."
        ),
        kind="index",
        answer=pos(top),
        count=k,
        hints=(
            "Greedy decoding always takes the single most likely token.",
            "The most likely token is the one with the largest logit.",
        ),
        solution=(
            f"The largest logit is ${num(z[top])}$, for “{tokens[top]}” at position "
            f"{pos(top)}; greedy decoding picks it every time. Its probability is "
            f"${fmt4(float(p[top]))}$, so sampling would pick something else fairly often."
        ),
        steps=steps,
        answer_format=index_format(k),
        inputs={"logits": z, "tokens": tokens},
        mistakes=wrong_only(pos(top), (top,) if top > 0 else ()),
    )


@register(
    "expected_sample_count",
    title="How often sampling picks a token",
    kind="number",
    difficulty="medium",
)
def expected_sample_count(rng: random.Random) -> ProblemInstance:
    """N samples from softmax(z): token i comes up N p_i times on average."""
    k = rng.choice([3, 4])
    z = draws.until(lambda: draws.logits(rng, k), lambda v: _spread_at_most(v, 3.0))
    n = rng.choice(SAMPLE_COUNTS)
    top = int(engine.argmax(z))
    i = rng.choice([c for c in range(k) if c != top])
    p = engine.softmax(z)
    answer = float(n * p[i])
    steps = (
        Step(
            "Probabilities",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p, fmt4)}",
            "",
            {"probabilities": plain(p)},
        ),
        Step(
            "Expected count",
            rf"{n} \times p_{{{pos(i)}}} = {n} \times {fmt4(float(p[i]))} = {fmt4(answer)}",
            "Each draw picks class $i$ with probability $p_i$.",
            {"expected": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$. You sample a class from "
            f"$\\operatorname{{softmax}}(\\mathbf{{z}})$ {n} times. How many times do you expect "
            f"to get class {pos(i)} (classes count from 1), the class with logit ${num(z[i])}$? "
            f"Give the expected count {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Sampling picks each class in proportion to its probability, not only the argmax.",
            f"Compute $p_{{{pos(i)}}}$ with softmax, then multiply by {n}.",
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$.",
        ),
        solution=(
            f"$\\mathbf{{p}} \\approx {vec(p, fmt4)}$, so class {pos(i)} comes up about "
            f"${n} \\times {fmt4(float(p[i]))} \\approx {fmt4(answer)}$ times. Argmax would "
            f"never pick it; sampling picks it in proportion to its probability."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "samples": n, "class": i},
        mistakes=wrong_only(answer, (0.0, float(n / k))),
    )


@register("top_k_renormalise", title="Top-k filtering", kind="vector", difficulty="medium")
def top_k_renormalise(rng: random.Random) -> ProblemInstance:
    """Keep the k largest logits, renormalise: softmax of just those logits."""
    size = 5
    keep = rng.choice([2, 3])
    z = draws.until(
        lambda: draws.logits(rng, size, min_spread=2.0), lambda v: _spread_at_most(v, 4.0)
    )
    p = engine.softmax(z)
    indices, values = engine.top_k(z, keep)
    indices = [int(i) for i in np.ravel(indices)]
    kept = p[indices]
    positions = [pos(i) for i in indices]  # as learners count, from 1
    renormalised = kept / float(np.sum(kept))
    check = engine.softmax(np.ravel(values))
    kept_terms = [fixed(float(v), 4) for v in kept]
    kept_mass = shown_total(kept_terms, 4)  # the mass as the shown terms add up
    kept_vec = vec(kept, lambda v: fixed(float(v), 4))
    steps = (
        Step("Probabilities", rf"\mathbf{{p}} = {vec(p, fmt4)}", "", {"probabilities": plain(p)}),
        Step(
            f"Keep the top {keep}",
            rf"\text{{positions}}\ {nums(positions)},\quad \text{{mass}} = "
            rf"{' + '.join(kept_terms)} = {kept_mass}",
            "",
            {"indices": indices, "kept": plain(kept)},
        ),
        Step(
            "Renormalise",
            rf"{kept_vec} / {kept_mass} = {vec(renormalised, fmt4)}",
            "The same as the softmax of the kept logits alone.",
            {"renormalised": plain(renormalised), "softmax_of_kept": plain(check)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Next-token logits over {size} tokens are $\\mathbf{{z}} = {nums(z)}$. Top-k "
            f"sampling with $k = {keep}$ keeps the {keep} most likely tokens and renormalises "
            "their probabilities. Enter the renormalised probabilities of the kept tokens, "
            f"from most to least likely, comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(renormalised),
        hints=(
            f"Find the {keep} largest logits; the other tokens get probability 0.",
            "Renormalising the kept probabilities is the same as taking the softmax of the "
            "kept logits alone.",
            f"The kept logits are ${nums(np.ravel(values))}$.",
        ),
        solution=(
            f"The {keep} largest logits are ${nums(np.ravel(values))}$ (at positions "
            f"${nums(positions)}$). Their probabilities ${kept_vec}$ add up to "
            f"${kept_mass}$; dividing by that gives "
            f"${vec(renormalised, fmt4)}$, which is also the softmax of the kept logits."
        ),
        steps=steps,
        answer_format=vector_format(keep),
        inputs={"logits": z, "k": keep},
        mistakes=wrong_only(floats(renormalised), (floats(kept),)),
    )


@register("nucleus_size", title="How big is the nucleus?", kind="number", difficulty="hard")
def nucleus_size(rng: random.Random) -> ProblemInstance:
    """Top-p keeps the smallest set of most likely tokens whose mass reaches p."""
    size = rng.choice([5, 6])
    mass = rng.choice(NUCLEUS_MASSES)

    def clear_cut(z: list[float]) -> bool:
        cumulative = np.cumsum(np.sort(engine.softmax(z))[::-1])
        return bool(np.min(np.abs(cumulative - mass)) > 0.02 and cumulative[0] < mass)

    z = draws.until(lambda: draws.logits(rng, size, min_spread=2.0), clear_cut)
    p = engine.softmax(z)
    order = [int(i) for i in np.argsort(-p, kind="stable")]
    cumulative = np.cumsum(p[order])
    mask = np.asarray(engine.top_p_mask(z, mass), dtype=bool)
    answer = float(np.sum(mask))
    lines = [rf"\text{{top }} {n + 1}: & \quad {fmt4(float(c))}" for n, c in enumerate(cumulative)]
    steps = (
        Step("Probabilities", rf"\mathbf{{p}} = {vec(p, fmt4)}", "", {"probabilities": plain(p)}),
        Step(
            "Running total, most likely first",
            aligned(lines),
            f"Stop as soon as the total reaches ${num(mass)}$.",
            {"cumulative": plain(cumulative)},
        ),
        Step(
            "Count",
            rf"\lvert \text{{nucleus}} \rvert = {int(answer)}",
            "",
            {"mask": plain(mask), "size": int(answer)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Next-token logits over {size} tokens are $\\mathbf{{z}} = {nums(z)}$. Top-p "
            f"(nucleus) sampling with $p = {num(mass)}$ keeps the smallest set of most likely "
            f"tokens whose probabilities add up to at least ${num(mass)}$. How many tokens "
            "does it keep?"
        ),
        kind="number",
        answer=answer,
        hints=(
            "Compute the softmax probabilities and sort them from largest to smallest.",
            "Add them up one at a time and count how many you need to reach $p$.",
            f"The sorted probabilities are ${vec(p[order], fmt4)}$.",
        ),
        solution=(
            f"Sorted, the probabilities are ${vec(p[order], fmt4)}$, with running totals "
            f"${vec(cumulative, fmt4)}$. The total first reaches ${num(mass)}$ after "
            f"{int(answer)} tokens, so the nucleus holds {int(answer)} of the {size}. A "
            "flatter distribution would need more, a peakier one fewer: the nucleus adapts, "
            "where top-k does not."
        ),
        steps=steps,
        answer_format=WHOLE_NUMBER_FORMAT,
        inputs={"logits": z, "p": mass},
        mistakes=wrong_only(answer, (answer - 1, answer + 1)),
    )


@register(
    "argmax_not_differentiable",
    title="Why not train through argmax?",
    kind="choice",
    difficulty="medium",
)
def argmax_not_differentiable(rng: random.Random) -> ProblemInstance:
    """A small nudge to a logit moves softmax but not argmax: argmax gives no gradient."""
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    top = int(engine.argmax(z))
    j = rng.choice([c for c in range(3) if c != top])
    nudged = list(z)
    nudged[j] += 0.1
    p, p_nudged = engine.softmax(z), engine.softmax(nudged)
    choices = shuffled(
        rng,
        Option(
            "Argmax does not change under small nudges, so its gradient is zero almost "
            "everywhere and gives the model nothing to learn from",
            f"nudging $z_{{{pos(j)}}}$ by 0.1 leaves the argmax at class {pos(top)} but moves "
            f"$p_{{{pos(j)}}}$ from ${fmt4(float(p[j]))}$ to ${fmt4(float(p_nudged[j]))}$; "
            "softmax responds smoothly.",
        ),
        [
            Option(
                "Argmax can pick a different class from the one softmax makes most likely",
                "softmax never changes the order of the logits, so both pick the same class.",
            ),
            Option(
                "Argmax is too slow to compute on large vocabularies",
                "finding a maximum is as cheap as computing a softmax, cheaper even.",
            ),
            Option(
                "Argmax only works with two classes",
                "argmax works for any number of classes; the problem is its flat gradient.",
            ),
        ],
    )
    steps = (
        Step(
            "Nudge one logit",
            rf"z_{{{pos(j)}}}: {num(z[j])} \to {num(nudged[j])}",
            "",
            {"nudged_logits": nudged},
        ),
        Step(
            "Argmax does not move",
            rf"\arg\max {nums(z)} = \arg\max {nums(nudged)} = {pos(top)}",
            "A piecewise-constant function has zero slope wherever it is defined.",
            {"argmax": top},
        ),
        Step(
            "Softmax does",
            rf"p_{{{pos(j)}}}: {fmt4(float(p[j]))} \to {fmt4(float(p_nudged[j]))}",
            "A smooth function of the logits, with a useful gradient.",
            {"probabilities": plain(p), "nudged_probabilities": plain(p_nudged)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier outputs logits $\\mathbf{{z}} = {nums(z)}$. At prediction time we "
            "take the argmax, yet training uses softmax probabilities instead. Why? "
            "Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            f"Imagine raising $z_{{{pos(j)}}}$ from ${num(z[j])}$ to ${num(nudged[j])}$. "
            "What happens to the argmax, and to the softmax?",
            "Training follows gradients. What is the gradient of a function that does not change?",
        ),
        solution=(
            f"Raising $z_{{{pos(j)}}}$ by 0.1 leaves the argmax at class {pos(top)}, so its "
            f"derivative there is zero, while $p_{{{pos(j)}}}$ moves from ${fmt4(float(p[j]))}$ to "
            f"${fmt4(float(p_nudged[j]))}$. Gradient descent needs the smooth "
            f"response.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"logits": z, "nudged": j, "options": [text for _, text in choices.options]},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


# --- Temperature and sampling ------------------------------------------------------------------


@register(
    "temperature_direction",
    title="Hotter or colder",
    kind="choice",
    difficulty="easy",
)
def temperature_direction(rng: random.Random) -> ProblemInstance:
    """The top probability at a new temperature, among its look-alikes."""
    k = 3

    def candidates(z: list[float], t: float) -> list[float]:
        return [
            float(np.max(engine.softmax(z, temperature=t))),
            float(np.max(engine.softmax(z, temperature=1 / t))),
            float(np.max(engine.softmax(z))),
            1 / k,
        ]

    def draw() -> tuple[list[float], float]:
        return draws.logits(rng, k, min_spread=1.0), rng.choice(TEMPERATURES)

    def ok(drawn: tuple[list[float], float]) -> bool:
        z, t = drawn
        values = candidates(z, t)
        return _spread_at_most(z, 3.0) and apart(values, 0.08) and max(values) < 0.995

    z, t = draws.until(draw, ok)
    right, inverse, same, uniform = candidates(z, t)
    colder = t < 1
    choices = shuffled(
        rng,
        Option(
            f"${fixed(right, 3)}$",
            f"softmax of $\\mathbf{{z}}/{num(t)}$ gives it; a temperature "
            f"{'below' if colder else 'above'} 1 makes the top class "
            f"{'more' if colder else 'less'} likely.",
        ),
        [
            Option(
                f"${fixed(inverse, 3)}$",
                f"that comes from multiplying the logits by ${num(t)}$ instead of dividing by it.",
            ),
            Option(
                f"${fixed(same, 3)}$",
                "that is the value at $T = 1$; temperature does change the probabilities, "
                "only not their order.",
            ),
            Option(
                f"${fixed(uniform, 3)}$",
                "that is $1/3$, the uniform limit as $T \\to \\infty$, not the value at this "
                "temperature.",
            ),
        ],
    )
    p_t = engine.softmax(z, temperature=t)
    steps = (
        Step(
            "Divide by T",
            rf"\mathbf{{z}} / {num(t)} = {vec([v / t for v in z], fmt4)}",
            "",
            {"scaled_logits": [v / t for v in z]},
        ),
        Step(
            "Softmax",
            rf"\operatorname{{softmax}}(\mathbf{{z}}/T) = {vec(p_t, fmt4)},\quad"
            rf" \max_i p_i = {fmt4(right)}",
            "",
            {"probabilities": plain(p_t), "top": right, "top_t1": same},
        ),
    )
    return ProblemInstance(
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$, softmax at $T = 1$ gives the most likely "
            f"class probability ${fixed(same, 3)}$. What is that class's probability at "
            f"temperature $T = {num(t)}$, that is in $\\operatorname{{softmax}}(\\mathbf{{z}} / "
            f"{num(t)})$? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Decide the direction first: does this temperature sharpen or flatten the "
            "distribution?",
            f"Then compute $\\operatorname{{softmax}}(\\mathbf{{z}}/{num(t)})$: divide, do not "
            "multiply.",
        ),
        solution=(
            f"$\\mathbf{{z}}/{num(t)} = {vec([v / t for v in z], fmt4)}$ and its softmax is "
            f"${vec(p_t, fmt4)}$, so the top probability is ${fixed(right, 3)}$, "
            f"{'up' if colder else 'down'} from ${fixed(same, 3)}$ at $T = 1$."
            f"\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"logits": z, "temperature": t, "options": [text for _, text in choices.options]},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register(
    "tempered_distribution",
    title="A tempered distribution",
    kind="vector",
    difficulty="medium",
)
def tempered_distribution(rng: random.Random) -> ProblemInstance:
    """softmax(z / T) for a low or high temperature."""
    t = rng.choice(TEMPERATURES)

    def ok(z: list[float]) -> bool:
        return float(np.min(engine.softmax(z, temperature=t))) >= 0.01

    z = draws.until(lambda: draws.logits(rng, 3), ok)
    scaled = [v / t for v in z]
    p = engine.softmax(z, temperature=t)
    p1 = engine.softmax(z)
    steps = (
        Step(
            "Divide by T",
            rf"\mathbf{{z}}/{num(t)} = {vec(scaled, fmt4)}",
            "",
            {"scaled_logits": scaled},
        ),
        Step(
            "Softmax",
            rf"\operatorname{{softmax}}(\mathbf{{z}}/T) = {vec(p, fmt4)}",
            f"At $T = 1$ it would be ${vec(p1, fmt4)}$.",
            {"probabilities": plain(p), "probabilities_t1": plain(p1)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\operatorname{{softmax}}(\\mathbf{{z}}/T)$ for $\\mathbf{{z}} = {nums(z)}$ "
            f"at temperature $T = {num(t)}$. Enter the three probabilities in order, "
            f"comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(p),
        hints=(
            "Temperature divides the logits before the softmax.",
            f"$\\mathbf{{z}}/{num(t)} = {vec(scaled, fmt4)}$.",
        ),
        solution=(
            f"Dividing by $T = {num(t)}$ gives ${vec(scaled, fmt4)}$, and the softmax of that "
            f"is ${vec(p, fmt4)}$. Compared with ${vec(p1, fmt4)}$ at $T = 1$, the "
            f"distribution is {'sharper' if t < 1 else 'flatter'}, and the order of the "
            "classes is the same."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"logits": z, "temperature": t},
        mistakes=wrong_only(floats(p), (floats(p1), floats(engine.softmax([v * t for v in z])))),
    )


@register(
    "temperature_entropy",
    title="Entropy at a temperature",
    kind="number",
    difficulty="medium",
)
def temperature_entropy(rng: random.Random) -> ProblemInstance:
    """H(softmax(z / T)) in nats: higher T, higher entropy."""
    t = rng.choice(TEMPERATURES)
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    p = engine.softmax(z, temperature=t)
    answer = float(engine.entropy_from_logits(z, temperature=t))
    at_one = float(engine.entropy_from_logits(z))
    effect = (
        "cooling sharpens the distribution and lowers"
        if t < 1
        else "heating flattens the distribution and raises"
    )
    terms = [fixed(-float(v) * float(np.log(v)), 4) for v in p]  # shown, with their total
    shown_h = shown_total(terms, 4)
    steps = (
        Step(
            "Tempered probabilities",
            rf"\operatorname{{softmax}}(\mathbf{{z}}/{num(t)}) = "
            rf"{vec(p, fmt4)}",
            "",
            {"probabilities": plain(p)},
        ),
        Step(
            "Entropy",
            rf"H = -\sum_i p_i \log p_i = {' + '.join(terms)} = {shown_h}",
            f"At $T = 1$ it is ${fmt4(at_one)}$; the maximum, $\\log 3$, is "
            f"${fmt4(float(np.log(3)))}$.",
            {"entropy": answer, "entropy_t1": at_one},
        ),
    )
    return ProblemInstance(
        statement=(
            f"For logits $\\mathbf{{z}} = {nums(z)}$, compute the entropy (in nats) of "
            f"$\\operatorname{{softmax}}(\\mathbf{{z}}/T)$ at $T = {num(t)}$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "First the tempered distribution, then $H = -\\sum_i p_i \\log p_i$.",
            f"$\\operatorname{{softmax}}(\\mathbf{{z}}/{num(t)}) \\approx {vec(p, fmt4)}$.",
        ),
        solution=(
            f"The tempered distribution is ${vec(p, fmt4)}$ and its entropy is "
            f"$-\\sum_i p_i \\log p_i \\approx {fmt4(answer)}$ nats, against ${fmt4(at_one)}$ "
            f"at $T = 1$: {effect} the entropy."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "temperature": t},
        mistakes=wrong_only(answer, (at_one,)),
    )


@register(
    "temperature_for_ratio",
    title="Choosing a temperature",
    kind="number",
    difficulty="hard",
)
def temperature_for_ratio(rng: random.Random) -> ProblemInstance:
    """p_a / p_b = e^((z_a - z_b) / T), so T = (z_a - z_b) / log R."""
    ratio = rng.choice(RATIOS)

    def ok(z: list[float]) -> bool:
        ordered = sorted(z, reverse=True)
        gap = ordered[0] - ordered[1]
        return gap >= 1.0 and differs(gap / float(np.log(ratio)), 1.0, 0.1)

    z = draws.until(lambda: draws.logits(rng, 3, min_spread=1.0), ok)
    order = sorted(range(3), key=lambda n: -z[n])
    a, b = order[0], order[1]
    shown_a, shown_b = pos(a), pos(b)
    gap = z[a] - z[b]
    answer = gap / float(np.log(ratio))
    p = engine.softmax(z, temperature=answer)
    check = float(p[a] / p[b])
    steps = (
        Step(
            "Ratio at temperature T",
            rf"\frac{{p_{{{shown_a}}}}}{{p_{{{shown_b}}}}}"
            rf" = e^{{(z_{{{shown_a}}} - z_{{{shown_b}}})/T}}"
            rf" = e^{{{num(gap)}/T}}",
            "The normaliser cancels, as at $T = 1$.",
            {"gap": gap},
        ),
        Step(
            "Solve for T",
            rf"{num(gap)}/T = \log {num(ratio)} \;\Rightarrow\; T = \frac{{{num(gap)}}}"
            rf"{{\log {num(ratio)}}} = {fmt4(answer)}",
            "",
            {"temperature": answer},
        ),
        Step(
            "Check",
            rf"\operatorname{{softmax}}(\mathbf{{z}}/{fmt4(answer)}) = {vec(p, fmt4)},\quad"
            rf" \frac{{{fmt4(float(p[a]))}}}{{{fmt4(float(p[b]))}}} = {fmt4(check)}",
            "",
            {"probabilities": plain(p), "ratio": check},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$. At which temperature $T$ is "
            f"the most likely class exactly {num(ratio)} times as likely as the runner-up? "
            f"Give $T$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "At temperature $T$ the logits are $\\mathbf{z}/T$, so the ratio identity "
            "becomes $p_i / p_j = e^{(z_i - z_j)/T}$.",
            f"The two largest logits differ by ${num(gap)}$; set "
            f"$e^{{{num(gap)}/T}} = {num(ratio)}$.",
            f"Take logs: ${num(gap)}/T = \\log {num(ratio)}$.",
        ),
        solution=(
            f"The top two logits are ${num(z[a])}$ and ${num(z[b])}$, a gap of ${num(gap)}$. "
            f"At temperature $T$ their probability ratio is $e^{{{num(gap)}/T}}$; setting it "
            f"to ${num(ratio)}$ gives $T = {num(gap)}/\\log {num(ratio)} \\approx "
            f"{fmt4(answer)}$. The third logit plays no part."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z, "ratio": ratio},
        mistakes=wrong_only(
            answer,
            (float(np.log(ratio)) / gap, gap / ratio),
        ),
    )


# --- Calibration ----------------------------------------------------------------------------


def _prediction_table(confidences: list[float], correct: list[int]) -> str:
    header = "| prediction | " + " | ".join(str(i) for i in range(1, len(correct) + 1)) + " |"
    rule = "|---|" + "---|" * len(correct)
    conf = "| confidence | " + " | ".join(num(c) for c in confidences) + " |"
    right = "| correct? | " + " | ".join("yes" if c else "no" for c in correct) + " |"
    return "\n".join([header, rule, conf, right])


@register(
    "overconfidence_gap",
    title="Confidence against accuracy",
    kind="number",
    difficulty="easy",
)
def overconfidence_gap(rng: random.Random) -> ProblemInstance:
    """Average confidence minus accuracy: positive means over-confident."""
    n = rng.choice([8, 10])

    def draw() -> tuple[list[float], list[int]]:
        confidences = [float(rng.choice(CONFIDENCES[5:])) for _ in range(n)]
        correct = [int(rng.random() < 0.6) for _ in range(n)]
        return confidences, correct

    def ok(drawn: tuple[list[float], list[int]]) -> bool:
        confidences, correct = drawn
        return float(np.mean(confidences)) - float(np.mean(correct)) >= 0.05

    confidences, correct = draws.until(draw, ok)
    mean_confidence = float(np.mean(confidences))
    accuracy = float(np.mean(correct))
    answer = mean_confidence - accuracy
    steps = (
        Step(
            "Average confidence",
            rf"\bar c = \frac{{{' + '.join(num(c) for c in confidences)}}}{{{n}}}"
            rf" = {fmt4(mean_confidence)}",
            "",
            {"mean_confidence": mean_confidence},
        ),
        Step(
            "Accuracy",
            rf"\text{{accuracy}} = \frac{{{sum(correct)}}}{{{n}}} = {num(accuracy)}",
            "",
            {"accuracy": accuracy},
        ),
        Step(
            "Gap",
            rf"{fmt4(mean_confidence)} - {num(accuracy)} = {fmt4(answer)}",
            "Positive: the model claims more than it delivers.",
            {"gap": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier made {n} predictions. Its confidence in each (its largest softmax "
            "probability) and whether it was right:\n\n"
            f"{_prediction_table(confidences, correct)}\n\n"
            "Compute its average confidence minus its accuracy (as a fraction, not a "
            f"percentage), {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Average the confidences; separately, count the fraction of predictions that "
            "were right.",
            f"The average confidence is ${fmt4(mean_confidence)}$.",
            f"The accuracy is ${sum(correct)}/{n}$.",
        ),
        solution=(
            f"The confidences average ${fmt4(mean_confidence)}$ and {sum(correct)} of {n} "
            f"predictions were right, an accuracy of ${num(accuracy)}$. The gap "
            f"${fmt4(answer)}$ is positive: the model is over-confident, as modern networks "
            "often are. A calibrated model's gap would be near 0."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"confidences": confidences, "correct": correct},
        mistakes=wrong_only(answer, (mean_confidence, accuracy)),
    )


@register(
    "calibration_error_from_bins",
    title="Expected calibration error",
    kind="number",
    difficulty="medium",
)
def calibration_error_from_bins(rng: random.Random) -> ProblemInstance:
    """ECE = sum_b (n_b / N) |accuracy_b - confidence_b| from a summary table."""

    def draw() -> list[tuple[int, float, float]]:
        rows = []
        for low, high in itertools.pairwise(BIN_EDGES):
            count = rng.choice([100, 200, 300, 400, 500])
            confidence = round(rng.uniform(low + 0.02, high - 0.02), 2)
            accuracy = round(
                rng.choice(
                    [confidence - 0.2, confidence - 0.1, confidence + 0.05, confidence - 0.15]
                ),
                2,
            )
            rows.append((count, confidence, min(accuracy, 1.0)))
        return rows

    def ok(rows: list[tuple[int, float, float]]) -> bool:
        return all(0 <= a <= 1 and a != c for _, c, a in rows)

    rows = draws.until(draw, ok)
    counts = np.array([r[0] for r in rows], dtype=float)
    confidences = np.array([r[1] for r in rows])
    accuracies = np.array([r[2] for r in rows])
    total = float(np.sum(counts))
    gaps = np.abs(accuracies - confidences)
    answer = float(np.sum(counts / total * gaps))
    unweighted = float(np.mean(gaps))
    table = "\n".join(
        ["| confidence bin | predictions | average confidence | accuracy |", "|---|---|---|---|"]
        + [
            f"| {num(lo)} to {num(hi)} | {int(c)} | {num(conf)} | {num(acc)} |"
            for (lo, hi), c, conf, acc in zip(
                itertools.pairwise(BIN_EDGES),
                counts,
                confidences,
                accuracies,
                strict=True,
            )
        ]
    )
    terms = [
        rf"\tfrac{{{int(c)}}}{{{int(total)}}} \cdot {fixed(float(g), 2)}"
        for c, g in zip(counts, gaps, strict=True)
    ]
    steps = (
        Step(
            "Gaps per bin",
            rf"\lvert \text{{acc}} - \text{{conf}} \rvert = {vec(gaps, fmt4)}",
            "",
            {"gaps": plain(gaps)},
        ),
        Step(
            "Weight by bin size",
            rf"\text{{ECE}} = {' + '.join(terms)} = {fmt4(answer)}",
            "Bins with more predictions count for more.",
            {"ece": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            "A classifier's predictions on a test set are grouped into confidence bins:\n\n"
            f"{table}\n\n"
            "Compute its expected calibration error, $\\text{ECE} = \\sum_b \\frac{n_b}{N} "
            f"\\lvert \\text{{acc}}_b - \\text{{conf}}_b \\rvert$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "For each bin, take the absolute gap between accuracy and average confidence.",
            f"Weight each gap by the bin's share of all {int(total)} predictions, then add.",
            f"The gaps are ${vec(gaps, fmt4)}$.",
        ),
        solution=(
            f"The gaps are ${vec(gaps, fmt4)}$ and the bins hold "
            f"${', '.join(str(int(c)) for c in counts)}$ of {int(total)} predictions, so "
            f"$\\text{{ECE}} = {' + '.join(terms)} \\approx {fmt4(answer)}$. Averaging the gaps "
            f"without weights would give ${fmt4(unweighted)}$, which gives a small bin "
            "as much say as a large one."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={
            "counts": [int(c) for c in counts],
            "confidences": plain(confidences),
            "accuracies": plain(accuracies),
        },
        mistakes=wrong_only(answer, (unweighted,)),
    )


@register(
    "calibration_error_from_predictions",
    title="Calibration error from raw predictions",
    kind="number",
    difficulty="hard",
)
def calibration_error_from_predictions(rng: random.Random) -> ProblemInstance:
    """Bin ten predictions by confidence, then ECE."""
    n = 10
    edges = (0.5, 0.75, 1.0)

    def draw() -> tuple[list[float], list[int]]:
        confidences = [float(rng.choice(CONFIDENCES)) for _ in range(n)]
        correct = [int(rng.random() < 0.65) for _ in range(n)]
        return confidences, correct

    def bins(confidences: list[float]) -> list[list[int]]:
        low = [i for i, c in enumerate(confidences) if c < edges[1]]
        high = [i for i, c in enumerate(confidences) if c >= edges[1]]
        return [low, high]

    def ece(confidences: list[float], correct: list[int]) -> float:
        total = 0.0
        for members in bins(confidences):
            if members:
                gap = abs(
                    np.mean([correct[i] for i in members])
                    - np.mean([confidences[i] for i in members])
                )
                total += len(members) / n * gap
        return float(total)

    def ok(drawn: tuple[list[float], list[int]]) -> bool:
        return all(len(b) >= 3 for b in bins(drawn[0])) and ece(*drawn) >= 0.05

    confidences, correct = draws.until(draw, ok)
    members = bins(confidences)
    rows = []
    for b in members:
        conf = float(np.mean([confidences[i] for i in b]))
        acc = float(np.mean([correct[i] for i in b]))
        rows.append((len(b), conf, acc, abs(acc - conf)))
    answer = float(sum(count / n * gap for count, _, _, gap in rows))
    overall = abs(float(np.mean(correct)) - float(np.mean(confidences)))
    lines = [
        rf"[{num(lo)}, {num(hi)}{closing}: & \quad n = {count},\ \text{{conf}} = {fmt4(conf)},\ "
        rf"\text{{acc}} = {fmt4(acc)},\ \text{{gap}} = {fmt4(gap)}"
        for (lo, hi), (count, conf, acc, gap), closing in zip(
            itertools.pairwise(edges), rows, (")", "]"), strict=True
        )
    ]
    weighted = " + ".join(rf"\tfrac{{{c}}}{{{n}}} \cdot {fmt4(g)}" for c, _, _, g in rows)
    steps = (
        Step(
            "Bin the predictions",
            aligned(lines),
            "A confidence of exactly 0.75 belongs to the upper bin.",
            {"bins": members, "rows": [list(r) for r in rows]},
        ),
        Step(
            "Weighted average of the gaps",
            rf"\text{{ECE}} = {weighted} = {fmt4(answer)}",
            "",
            {"ece": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier made {n} predictions:\n\n"
            f"{_prediction_table(confidences, correct)}\n\n"
            "Group them into two confidence bins, $[0.5, 0.75)$ and $[0.75, 1]$, and compute "
            "the expected calibration error $\\text{ECE} = \\sum_b \\frac{n_b}{N} \\lvert "
            f"\\text{{acc}}_b - \\text{{conf}}_b \\rvert$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Sort the predictions into the two bins first; a confidence of exactly 0.75 "
            "goes into the upper bin.",
            "In each bin, compute the average confidence and the fraction correct.",
            f"The bins hold {rows[0][0]} and {rows[1][0]} predictions, with gaps "
            f"${fmt4(rows[0][3])}$ and ${fmt4(rows[1][3])}$.",
        ),
        solution=(
            f"The lower bin holds {rows[0][0]} predictions with average confidence "
            f"${fmt4(rows[0][1])}$ and accuracy ${fmt4(rows[0][2])}$; the upper bin holds "
            f"{rows[1][0]} with ${fmt4(rows[1][1])}$ and ${fmt4(rows[1][2])}$. Weighting the "
            f"gaps by bin size gives $\\text{{ECE}} \\approx {fmt4(answer)}$. The gap over all "
            f"predictions at once would be only ${fmt4(overall)}$: binning stops over- and "
            "under-confidence in different bins from cancelling out."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"confidences": confidences, "correct": correct, "edges": list(edges)},
        mistakes=wrong_only(answer, (overall,)),
    )


@register(
    "temperature_scaling_accuracy",
    title="What temperature scaling changes",
    kind="choice",
    difficulty="medium",
)
def temperature_scaling_accuracy(rng: random.Random) -> ProblemInstance:
    """Dividing logits by T changes confidence, never the predicted class, so accuracy stays."""
    t = rng.choice([1.5, 2.0, 2.5, 3.0])
    accuracy = rng.choice([0.7, 0.75, 0.8, 0.85])
    confidence = round(accuracy + rng.choice([0.1, 0.12, 0.15]), 2)
    z = draws.until(lambda: draws.logits(rng, 3), lambda v: _spread_at_most(v, 3.0))
    p, p_t = engine.softmax(z), engine.softmax(z, temperature=t)
    top = int(engine.argmax(z))
    same_class = top == int(engine.argmax(p_t))
    percent = f"{round(accuracy * 100)}%"
    choices = shuffled(
        rng,
        Option(
            f"Accuracy stays at {percent}; the average confidence drops",
            "dividing every logit by the same positive $T$ keeps their order, so every "
            "prediction, and hence the accuracy, is unchanged, while each top probability falls.",
        ),
        [
            Option(
                "Accuracy rises, because the model is now better calibrated",
                "calibration changes how sure the model says it is, not what it predicts.",
            ),
            Option(
                "Accuracy falls, because the probabilities are flatter",
                "flatter probabilities still have the same largest entry.",
            ),
            Option(
                "Both accuracy and average confidence stay the same",
                f"with $T = {num(t)} > 1$ every softmax gets flatter, so confidence drops.",
            ),
        ],
    )
    steps = (
        Step(
            "One example",
            rf"\operatorname{{softmax}}{nums(z)} = {vec(p, fmt4)},\quad"
            rf" \operatorname{{softmax}}(\mathbf{{z}}/{num(t)}) = {vec(p_t, fmt4)}",
            f"The top class is class {pos(top)} both times; its probability drops from "
            f"${fmt4(float(p[top]))}$ to ${fmt4(float(p_t[top]))}$.",
            {"probabilities": plain(p), "tempered": plain(p_t), "same_class": same_class},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A classifier has accuracy {percent} on held-out data but average confidence "
            f"${num(confidence)}$. You fit temperature scaling and get $T = {num(t)}$, so "
            f"from now on its logits are divided by {num(t)} before the softmax. What "
            "happens on the same data? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Does dividing every logit by the same positive number change which one is largest?",
            f"Try it on one example, such as $\\mathbf{{z}} = {nums(z)}$.",
        ),
        solution=(
            f"For example, $\\mathbf{{z}} = {nums(z)}$ gives ${vec(p, fmt4)}$ at $T = 1$ and "
            f"${vec(p_t, fmt4)}$ at $T = {num(t)}$: the same predicted class (class {pos(top)}) "
            "with a lower probability. So accuracy is unchanged and confidence falls towards it."
            f"\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={
            "logits": z,
            "temperature": t,
            "accuracy": accuracy,
            "confidence": confidence,
            "options": [text for _, text in choices.options],
        },
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )
