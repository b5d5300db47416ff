"""Attention: scaled dot products, why the scale is sqrt(d), padding and causal masks."""

from __future__ import annotations

import random

import numpy as np

from exercises import draws
from exercises.display import (
    aligned,
    fixed,
    fmt,
    matrix,
    num,
    nums,
    plain,
    shown_total,
    term,
    vec,
)
from lessons import engine
from lessons.examples import Example, Step, register

GROWTH_DIMS = (4, 16, 64)
GROWTH_PAIRS = 200
SENTENCES = (
    ("the", "cat", "sat", "down"),
    ("a", "dog", "ran", "home"),
    ("we", "like", "small", "models"),
    ("birds", "sing", "at", "dawn"),
    ("time", "flies", "very", "fast"),
)
MINUS_INFINITY = r"-\infty"


def _fmt4(x: float) -> str:
    return fmt(x, 4)


def _dot_terms(a: list[float], b: list[float]) -> str:
    """'2 \\cdot (-1) + 0 \\cdot 1' for vectors a and b."""
    return " + ".join(rf"{term(x)} \cdot {term(y)}" for x, y in zip(a, b, strict=True))


def _masked(scores: list[float], keep: list[bool]) -> str:
    """A score vector with hidden entries written as minus infinity."""
    shown = [num(s) if k else MINUS_INFINITY for s, k in zip(scores, keep, strict=True)]
    return "(" + r",\ ".join(shown) + ")"


def sign_vectors(sample_seed: int, pairs: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """`pairs` query and key vectors with independent, equally likely entries -1 and +1.

    Drawn with NumPy's default generator seeded by `sample_seed`, queries first, so the
    vectors can be rebuilt from the example's inputs.
    """
    generator = np.random.default_rng([sample_seed, d])
    queries = generator.integers(0, 2, size=(pairs, d)) * 2 - 1
    keys = generator.integers(0, 2, size=(pairs, d)) * 2 - 1
    return queries, keys


@register("attention_weights", "Attention weights for one query")
def attention_weights(key: str, seed: int, rng: random.Random) -> Example:
    """Scores q . k_j, scaled by sqrt(d), softmax, and the weighted average of the values."""
    d = rng.choice([2, 3])

    def draw_keys() -> list[list[float]]:
        return [draws.nonzero_vector(rng, -2, 2, d) for _ in range(3)]

    q = draws.nonzero_vector(rng, -2, 2, d)
    # Distinct keys and distinct values: two identical keys would make a degenerate example.
    keys = draws.until(
        draw_keys,
        lambda ks: np.ptp(np.array(ks) @ np.array(q)) >= 1 and draws.all_different(ks),
    )
    values = draws.until(
        lambda: [[float(v) for v in draws.integers(rng, 0, 4, 2)] for _ in range(3)],
        draws.all_different,
    )

    scores = np.array(keys) @ np.array(q)
    sqrt_d = float(np.sqrt(d))
    scaled = np.ravel(engine.attention_scores(np.array([q]), np.array(keys)))
    weights, output = engine.attention(np.array([q]), np.array(keys), np.array(values))
    weights, output = np.ravel(weights), np.ravel(output)
    best = int(np.argmax(weights))

    mixture = " + ".join(rf"{fmt(w)} {nums(v)}" for w, v in zip(weights, values, strict=True))
    steps = (
        Step(
            "Score each key",
            aligned(
                [
                    rf"\mathbf{{q}} \cdot \mathbf{{k}}_{{{j + 1}}} &= {_dot_terms(q, k)}"
                    rf" = {num(s)}"
                    for j, (k, s) in enumerate(zip(keys, scores, strict=True))
                ]
            ),
            "A dot product is large when the key points the same way as the query.",
            {"scores": plain(scores)},
        ),
        Step(
            "Scale by the square root of the dimension",
            rf"\frac{{\mathbf{{s}}}}{{\sqrt{{{d}}}}} = \frac{{{nums(scores)}}}{{{_fmt4(sqrt_d)}}}"
            rf" = {vec(scaled, _fmt4)}",
            "Dividing by $\\sqrt{d}$ keeps the scores at a similar size whatever the dimension.",
            {"sqrt_d": sqrt_d, "scaled_scores": plain(scaled)},
        ),
        Step(
            "Softmax over the keys",
            rf"\boldsymbol{{\alpha}} = \operatorname{{softmax}}{vec(scaled, _fmt4)}"
            rf" = {vec(weights, _fmt4)}",
            "The weights are positive and sum to 1.",
            {"weights": plain(weights), "weight_sum": float(np.sum(weights))},
        ),
        Step(
            "Average the values",
            rf"\mathbf{{o}} = \sum_j \alpha_j \mathbf{{v}}_j = {mixture} = {vec(output)}",
            "The output is a weighted average of the value vectors, so it lies between them.",
            {"output": plain(output)},
        ),
    )
    listed = ", ".join(rf"$\mathbf{{k}}_{{{j + 1}}} = {nums(k)}$" for j, k in enumerate(keys))
    carried = ", ".join(rf"$\mathbf{{v}}_{{{j + 1}}} = {nums(v)}$" for j, v in enumerate(values))
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A query $\\mathbf{{q}} = {nums(q)}$ (so $d = {d}$) attends over three keys "
            f"{listed}, which carry the values {carried}. Compute the attention weights "
            "and the output."
        ),
        steps=steps,
        result=(
            f"$\\boldsymbol{{\\alpha}} = {vec(weights)}$, so key {best + 1} gets the most "
            f"weight, and $\\mathbf{{o}} = {vec(output)}$."
        ),
        insight=(
            "Attention is a softmax over similarity scores followed by an average, so the "
            "output leans towards the values of the keys most aligned with the query."
        ),
        inputs={"query": q, "keys": keys, "values": values, "logits": plain(scaled)},
    )


@register("dot_product_growth", "Why dot products grow with dimension")
def dot_product_growth(key: str, seed: int, rng: random.Random) -> Example:
    """Random +-1 vectors: the spread of q . k is about sqrt(d); dividing by sqrt(d) fixes it."""
    sample_seed = rng.randrange(2**32)
    dims = list(GROWTH_DIMS)
    stds, maxima, scaled_stds, scaled_maxima = [], [], [], []
    first_query, first_key = sign_vectors(sample_seed, GROWTH_PAIRS, dims[0])
    for d in dims:
        queries, keys = sign_vectors(sample_seed, GROWTH_PAIRS, d)
        dots = np.sum(queries * keys, axis=1)
        scaled = dots / np.sqrt(d)
        stds.append(float(np.std(dots)))
        maxima.append(int(np.max(np.abs(dots))))
        scaled_stds.append(float(np.std(scaled)))
        scaled_maxima.append(float(np.max(np.abs(scaled))))
    roots = [float(np.sqrt(d)) for d in dims]
    ratios = [s / r for s, r in zip(stds, roots, strict=True)]
    # The quotient shown is that of the numbers shown, so the division adds up as displayed.
    shown_ratios = [float(fmt(s)) / float(fmt(r)) for s, r in zip(stds, roots, strict=True)]
    q0, k0 = [float(v) for v in first_query[0]], [float(v) for v in first_key[0]]
    dot0 = float(np.dot(q0, k0))

    def rows(show) -> str:
        return aligned([rf"d = {d}: &\quad {show(n)}" for n, d in enumerate(dims)])

    steps = (
        Step(
            "One pair, by hand",
            rf"{nums(q0)} \cdot {nums(k0)} = {_dot_terms(q0, k0)} = {num(dot0)}",
            "Each product $q_i k_i$ is $+1$ or $-1$ with equal chance, so the dot product is "
            "a sum of $d$ coin flips: its variance is $d$.",
            {"first_query": q0, "first_key": k0, "first_dot": dot0},
        ),
        Step(
            f"Spread over {GROWTH_PAIRS} pairs",
            rows(
                lambda n: (
                    rf"\operatorname{{std}}(\mathbf{{q}} \cdot \mathbf{{k}}) = "
                    rf"{fmt(stds[n])},\quad \max |\mathbf{{q}} \cdot \mathbf{{k}}| = {maxima[n]}"
                )
            ),
            "The typical size of a score grows with the dimension.",
            {"dims": dims, "pairs": GROWTH_PAIRS, "std": stds, "max_abs": maxima},
        ),
        Step(
            "Compare with the square root of d",
            rows(
                lambda n: (
                    rf"\operatorname{{std}} / \sqrt{{{dims[n]}}} = "
                    rf"{fmt(stds[n])} / {fmt(roots[n])} = {fmt(shown_ratios[n])}"
                )
            ),
            "The ratio stays near 1: the spread grows like $\\sqrt{d}$, not like $d$.",
            {"sqrt_d": roots, "ratios": ratios, "shown_ratios": shown_ratios},
        ),
        Step(
            "Divide the scores by the square root of d",
            rows(
                lambda n: (
                    rf"\operatorname{{std}}\left(\tfrac{{\mathbf{{q}} \cdot \mathbf{{k}}}}"
                    rf"{{\sqrt{{d}}}}\right) = {fmt(scaled_stds[n])},\quad \max = "
                    rf"{fmt(scaled_maxima[n])}"
                )
            ),
            "After scaling, the scores have about the same spread in every dimension, "
            "so softmax sees the same range of inputs.",
            {"scaled_std": scaled_stds, "scaled_max_abs": scaled_maxima},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Draw {GROWTH_PAIRS} pairs of random vectors $\\mathbf{{q}}, \\mathbf{{k}}$ whose "
            "entries are $+1$ or $-1$ with equal chance, in dimensions "
            f"$d = {', '.join(str(d) for d in dims)}$. How does the spread of "
            "$\\mathbf{q} \\cdot \\mathbf{k}$ grow with $d$, and what does dividing by "
            "$\\sqrt{d}$ do?"
        ),
        steps=steps,
        result=(
            f"The standard deviation goes {', '.join(fmt(s) for s in stds)} for "
            f"$\\sqrt{{d}} = {', '.join(fmt(r) for r in roots)}$; after dividing by "
            f"$\\sqrt{{d}}$ it is {', '.join(fmt(s) for s in scaled_stds)}."
        ),
        insight=(
            "Without the square-root scale, larger heads would feed softmax larger scores "
            "and push it towards one-hot weights."
        ),
        inputs={"dims": dims, "pairs": GROWTH_PAIRS, "sample_seed": sample_seed},
    )


def _last_positions(count: int) -> str:
    """'the last position is' or 'the last 2 positions are': no 'last 1 position'."""
    return "the last position is" if count == 1 else f"the last {count} positions are"


@register("masked_softmax", "A masked softmax")
def masked_softmax(key: str, seed: int, rng: random.Random) -> Example:
    """A padding mask: hidden scores get weight exactly 0, the rest renormalise."""
    scores = draws.logits(rng, 4)
    hidden = rng.choice([1, 2])
    keep = [True] * (4 - hidden) + [False] * hidden
    kept = scores[: 4 - hidden]

    exps = [float(np.exp(s)) if k else 0.0 for s, k in zip(scores, keep, strict=True)]
    total = float(np.sum(exps))
    kept_terms = [fixed(e, 4) for e in exps[: 4 - hidden]]  # shown, with their total
    weights = engine.masked_softmax(scores, keep)
    kept_softmax = engine.softmax(kept)
    difference = float(np.max(np.abs(weights[: 4 - hidden] - kept_softmax)))
    unmasked = engine.softmax(scores)

    steps = (
        Step(
            "Hide the padding",
            rf"\tilde{{\mathbf{{s}}}} = {_masked(scores, keep)}",
            f"{_last_positions(hidden).capitalize()} padding: "
            f"{'their scores are' if hidden > 1 else 'its score is'} replaced by $-\\infty$ "
            "before softmax.",
            {"mask": keep},
        ),
        Step(
            "Exponentiate",
            rf"e^{{\tilde{{\mathbf{{s}}}}}} = {vec(exps, lambda e: fixed(e, 4))}",
            "Because $e^{-\\infty} = 0$, hidden positions contribute nothing.",
            {"exps": exps},
        ),
        Step(
            "Add the kept terms",
            rf"S = {' + '.join(kept_terms)} = {shown_total(kept_terms, 4)}",
            "Only the visible positions share the probability mass.",
            {"total": total, "shown_sum": float(shown_total(kept_terms, 4))},
        ),
        Step(
            "Normalise",
            rf"\boldsymbol{{\alpha}} = {vec(weights, _fmt4)}",
            "Hidden positions get weight exactly 0, and the rest sum to 1.",
            {"weights": plain(weights), "weight_sum": float(np.sum(weights))},
        ),
        Step(
            "Compare with softmax over the kept scores",
            rf"\operatorname{{softmax}}{nums(kept)} = {vec(kept_softmax, _fmt4)}",
            "The same numbers: masking is the same as dropping the hidden positions.",
            {"kept_softmax": plain(kept_softmax), "max_difference": difference},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Attention scores $\\mathbf{{s}} = {nums(scores)}$ belong to a sequence in which "
            f"{_last_positions(hidden)} padding. Compute the "
            "masked softmax."
        ),
        steps=steps,
        result=(
            f"$\\boldsymbol{{\\alpha}} = {vec(weights)}$; without the mask the padding would "
            f"have taken ${fmt(float(np.sum(unmasked[4 - hidden :])))}$ of the weight."
        ),
        insight=(
            "A mask does not shrink hidden weights towards zero, it makes them exactly zero "
            "and hands their share to the visible positions."
        ),
        inputs={"scores": scores, "mask": keep},
    )


@register("causal_mask_row", "One row of a causal mask")
def causal_mask_row(key: str, seed: int, rng: random.Random) -> Example:
    """A 4-token causal mask; the row for position t attends only to positions up to t."""
    tokens = list(rng.choice(SENTENCES))
    t = rng.choice([1, 2, 3])

    def draw_scores() -> list[list[float]]:
        return [[float(rng.choice(draws.HALVES)) for _ in range(4)] for _ in range(4)]

    scores = draws.until(draw_scores, lambda s: np.ptp(s[t][: t + 1]) >= 1)
    mask = [[j <= i for j in range(4)] for i in range(4)]
    row = scores[t]
    weights = engine.masked_softmax(row, mask[t])
    visible = engine.softmax(row[: t + 1])
    every_row = engine.masked_softmax(np.array(scores), np.array(mask))
    word = tokens[t]

    additive = [[0.0 if keep else None for keep in line] for line in mask]
    mask_tex = matrix(additive, lambda v: MINUS_INFINITY if v is None else num(v))
    steps = (
        Step(
            "Build the causal mask",
            rf"M = {mask_tex}",
            "Row $i$ is added to the scores of query $i$: 0 where the key is at or before "
            "$i$, $-\\infty$ for every later position.",
            {"mask": mask},
        ),
        Step(
            f"Mask the row for “{word}”",
            rf"\mathbf{{s}}_{{{t + 1}}} + M_{{{t + 1}}} = {_masked(row, mask[t])}",
            f"Token {t + 1} may look at itself and the {t} token{'s' if t > 1 else ''} "
            "before it, never ahead.",
            {"row_scores": row},
        ),
        Step(
            "Softmax of the masked row",
            rf"\boldsymbol{{\alpha}}_{{{t + 1}}} = {vec(weights, _fmt4)}",
            "Future positions get weight exactly 0.",
            {"weights": plain(weights), "weight_sum": float(np.sum(weights))},
        ),
        Step(
            "Same as softmax over the visible prefix",
            rf"\operatorname{{softmax}}{nums(row[: t + 1])} = {vec(visible, _fmt4)}",
            "Masking the future is the same as dropping it.",
            {"visible_softmax": plain(visible)},
        ),
        Step(
            "Every row at once",
            rf"A = {matrix(plain(every_row), fmt)}",
            "The weights form a lower-triangular matrix; the first token can only attend "
            "to itself, so its row is one-hot.",
            {"all_weights": plain(every_row)},
        ),
    )
    sentence = " ".join(f"“{w}”" for w in tokens)
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A decoder reads the 4 tokens {sentence} with attention scores "
            f"$S = {matrix(scores)}$ (row $i$ holds the scores of query $i$). Apply a "
            f"causal mask and compute the attention weights of token {t + 1}, “{word}”."
        ),
        steps=steps,
        result=(
            f"$\\boldsymbol{{\\alpha}}_{{{t + 1}}} = {vec(weights)}$: “{word}” spreads its "
            f"attention over the first {t + 1} tokens only."
        ),
        insight=(
            "A causal mask lets each token use only what came before it, which is what "
            "makes next-token prediction honest during training."
        ),
        inputs={"tokens": tokens, "scores": scores, "position": t},
    )
