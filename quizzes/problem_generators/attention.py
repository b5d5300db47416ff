"""Problems on scaled dot-product attention and on padding and causal masks."""

from __future__ import annotations

import random

import numpy as np

from exercises import Step, draws
from exercises.display import (
    aligned,
    matrix,
    num,
    nums,
    plain,
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
    pos,
    shuffled,
    vector_format,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

SENTENCES = (
    ("the", "cat", "sat", "on", "the", "mat"),
    ("a", "dog", "ran", "home", "very", "fast"),
    ("we", "like", "small", "models", "that", "work"),
    ("birds", "sing", "at", "dawn", "every", "day"),
)
DIMENSIONS = (16, 64, 100, 256, 512, 1024)
MINUS_INFINITY = r"-\infty"


def _dot_terms(a: list[float], b: list[float]) -> str:
    return " + ".join(rf"{term(x)} \cdot {term(y)}" for x, y in zip(a, b, strict=True))


def _masked(scores: list[float], keep: list[bool]) -> str:
    """Scores with hidden entries written as LaTeX minus infinity."""
    shown = [num(s) if k else MINUS_INFINITY for s, k in zip(scores, keep, strict=True)]
    return "(" + r",\ ".join(shown) + ")"


def _distinct_gap(values: np.ndarray, gap: float) -> bool:
    """Whether sorted neighbours differ by at least `gap` (no ties to confuse anyone)."""
    return bool(np.min(np.diff(np.sort(values))) >= gap)


def _positions(indices: list[int], words: tuple[str, ...]) -> str:
    """'1 (“the”), 2 (“cat”)': positions as learners count them, from 1, with their words."""
    return ", ".join(f"{pos(i)} (“{words[i]}”)" for i in indices)


# --- Scaled dot-product attention ------------------------------------------------------------


@register("attention_scaled_score", title="One attention score", kind="number", difficulty="easy")
def attention_scaled_score(rng: random.Random) -> ProblemInstance:
    """q . k / sqrt(d) for d = 4 (so sqrt(d) = 2) or d = 9 with friendly integers."""
    d = rng.choice([4, 9])

    def draw() -> tuple[list[float], list[float]]:
        return draws.nonzero_vector(rng, -2, 3, d), draws.nonzero_vector(rng, -2, 3, d)

    q, k = draws.until(draw, lambda qk: abs(float(np.dot(*qk))) >= 2)
    dot = float(np.dot(q, k))
    answer = float(np.ravel(engine.attention_scores([q], [k]))[0])
    root = float(np.sqrt(d))
    steps = (
        Step("Dot product", rf"\mathbf{{q}} \cdot \mathbf{{k}} = {_dot_terms(q, k)} = {num(dot)}"),
        Step(
            "Scale",
            rf"\frac{{{num(dot)}}}{{\sqrt{{{d}}}}} = \frac{{{num(dot)}}}{{{num(root)}}}"
            rf" = {fmt4(answer)}",
            "Dividing by $\\sqrt{d}$ keeps the spread of scores steady as $d$ grows.",
            {"dot": dot, "score": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"In scaled dot-product attention with $d = {d}$, a query "
            f"$\\mathbf{{q}} = {nums(q)}$ meets a key $\\mathbf{{k}} = {nums(k)}$. Compute the "
            f"attention score $\\mathbf{{q}} \\cdot \\mathbf{{k}} / \\sqrt{{d}}$ {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "First the dot product: multiply matching entries and add.",
            f"$\\mathbf{{q}} \\cdot \\mathbf{{k}} = {num(dot)}$; divide by $\\sqrt{{{d}}} = "
            f"{num(root)}$.",
        ),
        solution=(
            f"$\\mathbf{{q}} \\cdot \\mathbf{{k}} = {num(dot)}$ and $\\sqrt{{{d}}} = {num(root)}$, "
            f"so the score is ${num(dot)}/{num(root)} \\approx {fmt4(answer)}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"q": q, "k": k},
        mistakes=wrong_only(answer, (dot, dot / d)),
    )


@register(
    "attention_weights_one_query",
    title="Attention weights",
    kind="vector",
    difficulty="medium",
)
def attention_weights_one_query(rng: random.Random) -> ProblemInstance:
    """softmax(q K^T / sqrt(d)) for one query and three keys, d = 4."""
    d = 4

    def draw() -> tuple[list[float], list[list[float]]]:
        q = draws.nonzero_vector(rng, -1, 2, d)
        keys = [draws.nonzero_vector(rng, -2, 2, d) for _ in range(3)]
        return q, keys

    def ok(drawn: tuple[list[float], list[list[float]]]) -> bool:
        weights = np.ravel(engine.attention_weights([drawn[0]], drawn[1]))
        return (
            float(np.min(weights)) >= 0.02
            and float(np.max(weights)) <= 0.95
            and _distinct_gap(weights, 0.02)
        )

    q, keys = draws.until(draw, ok)
    dots = np.array(keys) @ np.array(q)
    scores = np.ravel(engine.attention_scores([q], keys))
    weights = np.ravel(engine.attention_weights([q], keys))
    lines = [
        rf"\mathbf{{q}} \cdot \mathbf{{k}}_{{{pos(j)}}} &= {_dot_terms(q, kj)} = {num(dots[j])}"
        for j, kj in enumerate(keys)
    ]
    steps = (
        Step("Dot products", aligned(lines), "", {"dots": plain(dots)}),
        Step(
            "Scale by the square root of d",
            rf"\mathbf{{s}} = {nums(dots)} / \sqrt{{{d}}} = {nums(scores)}",
            "",
            {"scores": plain(scores)},
        ),
        Step(
            "Softmax",
            rf"\boldsymbol{{\alpha}} = \operatorname{{softmax}}{nums(scores)}"
            rf" = {vec(weights, fmt4)}",
            "The weights are positive and add up to 1.",
            {"weights": plain(weights)},
        ),
    )
    listed = ", ".join(f"$\\mathbf{{k}}_{{{pos(j)}}} = {nums(kj)}$" for j, kj in enumerate(keys))
    return ProblemInstance(
        statement=(
            f"A query $\\mathbf{{q}} = {nums(q)}$ attends over three keys {listed} "
            f"(dimension $d = {d}$). Compute the attention weights "
            "$\\operatorname{softmax}(\\mathbf{q} \\cdot \\mathbf{k}_j / \\sqrt{d})$ and enter "
            f"the three in order, comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(weights),
        hints=(
            "Score each key with a dot product, scale by $1/\\sqrt{d}$, then take the softmax.",
            f"The dot products are ${nums(dots)}$; divide them by $\\sqrt{{{d}}} = 2$.",
            f"The scaled scores are ${nums(scores)}$.",
        ),
        solution=(
            f"The dot products ${nums(dots)}$ become scores ${nums(scores)}$ after dividing by "
            f"2, and their softmax gives the weights ${vec(weights, fmt4)}$. The key most "
            "aligned with the query gets the most weight, but every key gets some."
        ),
        steps=steps,
        answer_format=vector_format(3),
        inputs={"q": q, "keys": keys},
        mistakes=wrong_only(floats(weights), (floats(engine.softmax(dots)),)),
    )


@register("attention_output", title="The attention output", kind="vector", difficulty="hard")
def attention_output(rng: random.Random) -> ProblemInstance:
    """weights @ V: a weighted average of the value vectors."""
    d = 4

    def draw() -> tuple[list[float], list[list[float]], list[list[float]]]:
        q = draws.nonzero_vector(rng, -1, 2, d)
        keys = [draws.nonzero_vector(rng, -2, 2, d) for _ in range(3)]
        values = [[float(rng.randint(-2, 4)) for _ in range(2)] for _ in range(3)]
        return q, keys, values

    def ok(drawn) -> bool:
        q, keys, values = drawn
        weights, out = engine.attention([q], keys, values)
        out = np.ravel(out)
        uniform = np.mean(values, axis=0)
        return (
            draws.all_different(keys)
            and draws.all_different(values)
            and float(np.min(weights)) >= 0.02
            and float(np.max(weights)) <= 0.95
            and _distinct_gap(np.ravel(weights), 0.02)
            and float(np.min(np.abs(out))) >= 0.1
            and all(differs(float(a), float(b), 0.05) for a, b in zip(out, uniform, strict=True))
        )

    q, keys, values = draws.until(draw, ok)
    weights, out = engine.attention([q], keys, values)
    weights, out = np.ravel(weights), np.ravel(out)
    scores = np.ravel(engine.attention_scores([q], keys))
    uniform = np.mean(values, axis=0)
    top = int(engine.argmax(weights))
    mix = " + ".join(rf"{fmt4(w)} {nums(v)}" for w, v in zip(weights, values, strict=True))
    steps = (
        Step(
            "Scores",
            rf"\mathbf{{s}} = \mathbf{{q}} K^\top / \sqrt{{{d}}} = {nums(scores)}",
            "",
            {"scores": plain(scores)},
        ),
        Step(
            "Weights",
            rf"\boldsymbol{{\alpha}} = \operatorname{{softmax}}(\mathbf{{s}})"
            rf" = {vec(weights, fmt4)}",
            "",
            {"weights": plain(weights)},
        ),
        Step(
            "Mix the values",
            rf"\mathbf{{o}} = {mix} = {vec(out, fmt4)}",
            "A weighted average: it lies inside the spread of the value vectors.",
            {"output": plain(out)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A query $\\mathbf{{q}} = {nums(q)}$ attends over three positions with keys "
            f"$K = {matrix(keys)}$ (one key per row, $d = {d}$) and values "
            f"$V = {matrix(values)}$ (one value per row). Compute the attention output "
            "$\\mathbf{o} = \\sum_j \\alpha_j \\mathbf{v}_j$ with "
            "$\\boldsymbol{\\alpha} = \\operatorname{softmax}(\\mathbf{q} K^\\top / \\sqrt{d})$. "
            f"Enter its two entries, comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(out),
        hints=(
            "Three steps: scaled scores, softmax weights, weighted sum of the value rows.",
            f"The scaled scores are ${nums(scores)}$.",
            f"The weights are ${vec(weights, fmt4)}$; multiply each value row by its weight "
            "and add.",
        ),
        solution=(
            f"The scores ${nums(scores)}$ give weights ${vec(weights, fmt4)}$, so "
            f"$\\mathbf{{o}} = {mix} \\approx {vec(out, fmt4)}$. It leans towards value row "
            f"{pos(top)}, whose key best matches the query; a plain average of the values would be "
            f"${vec(uniform, fmt4)}$."
        ),
        steps=steps,
        answer_format=vector_format(2),
        inputs={"q": q, "keys": keys, "values": values},
        mistakes=wrong_only(floats(out), (floats(uniform), floats(values[top]))),
    )


@register(
    "dot_product_spread",
    title="Why divide by the square root of d?",
    kind="number",
    difficulty="medium",
)
def dot_product_spread(rng: random.Random) -> ProblemInstance:
    """Var(q . k) = d for independent unit-variance entries, so its spread is sqrt(d)."""
    d = rng.choice(DIMENSIONS)
    answer = float(np.sqrt(d))
    steps = (
        Step(
            "Variance of one product",
            r"\operatorname{Var}(q_i k_i) = \mathbb{E}[q_i^2]\, \mathbb{E}[k_i^2] = 1 \cdot 1 = 1",
            "Independent, mean 0, variance 1.",
            {},
        ),
        Step(
            "Add d independent products",
            rf"\operatorname{{Var}}(\mathbf{{q}} \cdot \mathbf{{k}}) = {d} \times 1 = {d}",
            "Variances of independent terms add.",
            {"variance": d},
        ),
        Step(
            "Standard deviation",
            rf"\sqrt{{{d}}} = {fmt4(answer)}",
            "Dividing the score by $\\sqrt{d}$ brings its spread back to 1.",
            {"std": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"The entries of a query $\\mathbf{{q}}$ and a key $\\mathbf{{k}}$ in "
            f"$\\mathbb{{R}}^{{{d}}}$ are independent, with mean 0 and variance 1. What is the "
            "standard deviation of the unscaled score $\\mathbf{q} \\cdot \\mathbf{k}$? "
            f"Give it {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "The dot product is a sum of $d$ independent products $q_i k_i$.",
            "Each product has variance 1, and variances of independent terms add.",
        ),
        solution=(
            f"Each $q_i k_i$ has mean 0 and variance 1, so the sum of {d} of them has variance "
            f"{d} and standard deviation ${square_root(d, fmt4)}$. Scores that "
            "spread this widely make softmax nearly one-hot; dividing by $\\sqrt{d}$ brings the "
            "spread back to 1 whatever the dimension."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"d": d},
        mistakes=wrong_only(answer, (float(d), 1.0)),
    )


# --- Sequence masking --------------------------------------------------------------------------


@register(
    "causal_mask_visible", title="What a causal mask lets through", kind="choice", difficulty="easy"
)
def causal_mask_visible(rng: random.Random) -> ProblemInstance:
    """Position t attends to positions 0..t under a causal mask."""
    words = rng.choice(SENTENCES)
    n = rng.choice([4, 5, 6])
    words = words[:n]
    t = rng.randint(1, n - 2)
    past = list(range(t + 1))
    future = list(range(t, n))
    choices = shuffled(
        rng,
        Option(
            f"Positions {_positions(past, words)}",
            f"a causal mask keeps every position up to and including {pos(t)}, itself included.",
        ),
        [
            Option(
                f"Positions {_positions(future, words)}",
                "that is the future; a causal mask hides exactly those after the query.",
            ),
            Option(
                f"Only position {pos(t)} (“{words[t]}”)",
                "the query sees its own position, but the earlier ones too.",
            ),
            Option(
                f"All {n} positions",
                "that would be attention with no mask; the later positions must stay hidden.",
            ),
        ],
    )
    row = ["0" if j <= t else MINUS_INFINITY for j in range(n)]
    steps = (
        Step(
            f"Row {pos(t)} of the causal mask",
            rf"M_{{{pos(t)},\cdot}} = (" + r",\ ".join(row) + ")",
            "0 keeps a position, $-\\infty$ hides it.",
            {"keep": [j <= t for j in range(n)]},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A decoder reads the sequence “{' '.join(words)}” ({n} tokens, positions counted "
            f"from 1). With a causal mask, which positions can the query at position {pos(t)} "
            f"(“{words[t]}”) attend to? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "A causal mask stops a token from looking at anything that comes after it.",
            "Does a token see itself?",
        ),
        solution=(
            f"A causal mask hides every position after the query, so position {pos(t)} sees "
            f"positions 1 to {pos(t)}, itself included: {_positions(past, words)}.\n\n"
            f"{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"length": n, "query": t, "options": [text for _, text in choices.options]},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register(
    "padding_masked_weights", title="Weights with padding", kind="vector", difficulty="medium"
)
def padding_masked_weights(rng: random.Random) -> ProblemInstance:
    """Masked positions get exactly 0; the rest share all the weight."""
    n = rng.choice([4, 5])
    pads = rng.choice([1, 2])
    real = n - pads
    keep = [j < real for j in range(n)]

    def ok(scores: list[float]) -> bool:
        w = engine.masked_softmax(scores, keep)
        kept = w[:real]
        return float(np.min(kept)) >= 0.03 and max(scores[real:]) >= max(scores[:real]) - 1

    scores = draws.until(lambda: draws.logits(rng, n, min_spread=1.0), ok)
    weights = engine.masked_softmax(scores, keep)
    unmasked = engine.softmax(scores)
    kept_scores = scores[:real]
    steps = (
        Step(
            "Hide the padding",
            rf"\mathbf{{s}} + M = {_masked(scores, keep)}",
            "Padding holds no real token, so its score becomes $-\\infty$.",
            {"keep": keep},
        ),
        Step(
            "Softmax over what is left",
            rf"\operatorname{{softmax}}{nums(kept_scores)} = {vec(weights[:real], fmt4)}",
            "$e^{-\\infty} = 0$: the hidden positions drop out of the sum.",
            {"weights": plain(weights)},
        ),
        Step(
            "All weights",
            rf"\boldsymbol{{\alpha}} = {vec(weights, fmt4)}",
            "They still add up to 1.",
            {},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A sequence has {real} real tokens followed by {pads} padding "
            f"position{'s' if pads > 1 else ''}. One query's attention scores over all {n} "
            f"positions are $\\mathbf{{s}} = {nums(scores)}$. With a padding mask, compute the "
            f"attention weights. Enter all {n} weights in order, padding included, "
            f"comma-separated, each {SIG3}."
        ),
        kind="vector",
        answer=floats(weights),
        hints=(
            "A padded position's score is replaced by $-\\infty$ before the softmax.",
            "So the padded weights are exactly 0, and the softmax runs over the real "
            "positions only.",
            f"Take the softmax of ${nums(kept_scores)}$ and append {pads} zero"
            f"{'s' if pads > 1 else ''}.",
        ),
        solution=(
            f"The padding scores become $-\\infty$, whose exponential is 0, so the weights are "
            f"the softmax of the real scores ${nums(kept_scores)}$, namely "
            f"${vec(weights[:real], fmt4)}$, followed by {pads} exact zero"
            f"{'s' if pads > 1 else ''}: $\\boldsymbol{{\\alpha}} = {vec(weights, fmt4)}$. "
            f"Without the mask, padding would take ${fmt4(float(np.sum(unmasked[real:])))}$ "
            "of the weight."
        ),
        steps=steps,
        answer_format=vector_format(n),
        inputs={"scores": scores, "keep": keep},
        mistakes=wrong_only(floats(weights), (floats(unmasked),)),
    )


def padding_phrase(pads: int, n: int) -> str:
    """Which leading positions are padding, with the grammar right for one or several."""
    if pads == 1:
        return f"the first of its {n} positions (position 1) is padding"
    return f"the first {pads} of its {n} positions (positions 1 to {pads}) are padding"


@register(
    "causal_and_padding_row",
    title="A causal mask and padding together",
    kind="vector",
    difficulty="hard",
)
def causal_and_padding_row(rng: random.Random) -> ProblemInstance:
    """Left padding plus a causal mask: keep j <= t and j not padded."""
    n = 5
    pads = rng.choice([1, 2])
    t = rng.randint(pads + 1, n - 2)  # at least two real tokens visible, one future hidden
    keep = [pads <= j <= t for j in range(n)]
    causal_only = [j <= t for j in range(n)]
    padding_only = [j >= pads for j in range(n)]

    def ok(scores: list[float]) -> bool:
        w = engine.masked_softmax(scores, keep)
        return float(np.min(w[np.array(keep)])) >= 0.03

    scores = draws.until(lambda: draws.logits(rng, n, min_spread=1.0), ok)
    weights = engine.masked_softmax(scores, keep)
    visible = [j for j in range(n) if keep[j]]
    query, shown = pos(t), ", ".join(str(pos(j)) for j in visible)  # counted from 1
    steps = (
        Step(
            "Which positions survive",
            rf"\text{{keep}}_j = [\,j \le {query}\,] \wedge [\,j > {pads}\,]:\quad"
            rf" j \in \{{{shown}\}}",
            "Both masks must allow a position.",
            {"keep": keep},
        ),
        Step(
            "Mask the scores",
            rf"\mathbf{{s}} + M = {_masked(scores, keep)}",
            "",
            {},
        ),
        Step(
            "Softmax",
            rf"\boldsymbol{{\alpha}} = {vec(weights, fmt4)}",
            "Hidden positions get exactly 0; the others add up to 1.",
            {"weights": plain(weights)},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A batch is left-padded: {padding_phrase(pads, n)}. A decoder "
            f"applies both a causal mask and a padding mask. The query at position {query} "
            f"(counting from 1) has scores $\\mathbf{{s}} = {nums(scores)}$ over all {n} "
            f"positions. Enter its {n} attention weights in order, comma-separated, each "
            f"{SIG3}."
        ),
        kind="vector",
        answer=floats(weights),
        hints=(
            "A position is kept only if neither mask hides it.",
            f"The causal mask hides positions after {query}; the padding mask hides "
            f"{'position 1' if pads == 1 else f'the first {pads}'}.",
            f"Take the softmax over positions {shown} only; the rest get 0.",
        ),
        solution=(
            f"The causal mask keeps positions 1 to {query} and the padding mask drops "
            f"{'position 1' if pads == 1 else f'the first {pads}'}, leaving {shown}. "
            "The softmax of their scores "
            f"${nums([scores[j] for j in visible])}$ gives the weights, and every hidden "
            f"position gets 0: $\\boldsymbol{{\\alpha}} = {vec(weights, fmt4)}$."
        ),
        steps=steps,
        answer_format=vector_format(n),
        inputs={"scores": scores, "query": t, "padding": pads},
        mistakes=wrong_only(
            floats(weights),
            (
                floats(engine.masked_softmax(scores, causal_only)),
                floats(engine.masked_softmax(scores, padding_only)),
            ),
        ),
    )
