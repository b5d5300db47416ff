"""Reading logits out of a transformer's residual stream."""

from __future__ import annotations

import random

import numpy as np

from exercises import draws, readout
from exercises.display import fmt, matrix, num, nums, plain, term, vec
from lessons import engine
from lessons.examples import Example, Step, register

VOCABULARY = ("cat", "dog", "mat", "sat", "sun", "hat", "ran", "the")


def _fmt4(x: float) -> str:
    return fmt(x, 4)


def _ranks(logits: np.ndarray) -> list[int]:
    """Rank of each entry, 1 for the largest (entries are distinct)."""
    return [int(np.sum(logits > v)) + 1 for v in logits]


@register("next_token_logits", "From the last hidden state to the next token")
def next_token_logits(key: str, seed: int, rng: random.Random) -> Example:
    """h times a tiny unembedding gives logits; softmax gives next-token probabilities."""
    tokens = rng.sample(VOCABULARY, 4)

    def draw() -> tuple[list[float], list[list[float]]]:
        h = [float(rng.choice(readout.RESIDUAL_GRID)) for _ in range(3)]
        return h, readout.unembedding(rng)

    h, w_u = draws.until(draw, lambda d: readout.well_separated(np.array(d[0]) @ np.array(d[1])))
    z = np.array(h) @ np.array(w_u)
    p = engine.softmax(z)
    order = [int(i) for i in np.argsort(-z, kind="stable")]
    best, runner_up = int(engine.argmax(z)), order[1]
    gap = float(z[best] - z[runner_up])
    ratio = float(p[best] / p[runner_up])

    steps = (
        Step(
            "Unembed: one logit per token",
            readout.readout(h, w_u, tokens),
            "Each logit is the dot product of the hidden state with that token's column "
            "of the unembedding matrix.",
            {"logits": plain(z)},
        ),
        Step(
            "Softmax over the vocabulary",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p, _fmt4)}",
            "The logits become a distribution over the four tokens.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Predict the next token",
            rf"\arg\max_j z_j = \text{{{tokens[best]}}},\quad"
            rf" p_{{\text{{{tokens[best]}}}}} = {_fmt4(p[best])}",
            "Greedy decoding would emit this token; sampling would pick it with this probability.",
            {"predicted": best, "predicted_probability": float(p[best])},
        ),
        Step(
            "Margin over the runner-up",
            rf"\frac{{p_{{\text{{{tokens[best]}}}}}}}{{p_{{\text{{{tokens[runner_up]}}}}}}}"
            rf" = e^{{{num(z[best])} - {term(z[runner_up])}}} = e^{{{num(gap)}}}"
            rf" = {_fmt4(ratio)}",
            "As with any softmax, the ratio of two probabilities depends only on the "
            "difference of their logits.",
            {"runner_up": runner_up, "logit_gap": gap, "probability_ratio": ratio},
        ),
    )
    vocabulary = ", ".join(f"“{t}”" for t in tokens)
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A toy transformer ends with the hidden state $\\mathbf{{h}} = {nums(h)}$. Its "
            f"unembedding $W_U = {matrix(w_u)}$ has one column per token of the vocabulary "
            f"{vocabulary}. Compute the logits, the next-token probabilities and the "
            "predicted token."
        ),
        steps=steps,
        result=(
            f"$\\mathbf{{z}} = {nums(z)}$ and $\\mathbf{{p}} = {vec(p)}$: the model predicts "
            f"“{tokens[best]}” with probability ${fmt(p[best])}$."
        ),
        insight=(
            "A transformer's last step is a dot product per vocabulary token followed by a "
            "softmax, the same softmax as in any classifier."
        ),
        inputs={
            "residual": h,
            "unembedding": w_u,
            "vocabulary": tokens,
            "logits": plain(z),
        },
    )


@register("logit_lens_readout", "Reading an early layer with the logit lens")
def logit_lens_readout(key: str, seed: int, rng: random.Random) -> Example:
    """The same unembedding applied to an early and a late residual vector: who rises?"""
    tokens = rng.sample(VOCABULARY, 4)

    early, late, w_u = readout.early_and_late(rng)
    z_early = np.array(early) @ np.array(w_u)
    z_late = np.array(late) @ np.array(w_u)
    p_early, p_late = engine.softmax(z_early), engine.softmax(z_late)
    ranks_early, ranks_late = _ranks(z_early), _ranks(z_late)
    change = z_late - z_early
    riser = int(engine.argmax(z_late))
    gainer = int(engine.argmax(change))
    word = tokens[riser]
    gain_note = (
        "it also gains the most logit"
        if gainer == riser
        else f"the largest logit gain, {num(change[gainer])}, goes to “{tokens[gainer]}”"
    )

    def rank_line(ranks: list[int]) -> str:
        return r",\ ".join(rf"\text{{{t}}}: {r}" for t, r in zip(tokens, ranks, strict=True))

    steps = (
        Step(
            "Read out the early residual",
            readout.readout(early, w_u, tokens),
            "The logit lens applies the final unembedding to an intermediate residual "
            "vector, as if the model stopped there.",
            {"early_logits": plain(z_early)},
        ),
        Step(
            "Early distribution and ranks",
            rf"\mathbf{{p}}_{{\text{{early}}}} = {vec(p_early)},\quad"
            rf" \text{{ranks: }} {rank_line(ranks_early)}",
            f"Early on, “{word}” is ranked {ranks_early[riser]} of 4.",
            {"early_probabilities": plain(p_early), "early_ranks": ranks_early},
        ),
        Step(
            "Read out the late residual",
            readout.readout(late, w_u, tokens),
            "Later blocks have added their updates to the residual stream.",
            {"late_logits": plain(z_late)},
        ),
        Step(
            "Late distribution and ranks",
            rf"\mathbf{{p}}_{{\text{{late}}}} = {vec(p_late)},\quad"
            rf" \text{{ranks: }} {rank_line(ranks_late)}",
            f"Now “{word}” is the top prediction.",
            {"late_probabilities": plain(p_late), "late_ranks": ranks_late},
        ),
        Step(
            "What changed",
            rf"\mathbf{{z}}_{{\text{{late}}}} - \mathbf{{z}}_{{\text{{early}}}} = {nums(change)}",
            f"“{word}” climbs from rank {ranks_early[riser]} to 1 and its probability goes "
            f"from {fmt(p_early[riser])} to {fmt(p_late[riser])}; {gain_note}.",
            {"logit_change": plain(change), "riser": riser, "largest_gain": gainer},
        ),
    )
    vocabulary = ", ".join(f"“{t}”" for t in tokens)
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A toy transformer's residual stream is $\\mathbf{{h}}_{{\\text{{early}}}} = "
            f"{nums(early)}$ after an early block and $\\mathbf{{h}}_{{\\text{{late}}}} = "
            f"{nums(late)}$ after the last one. Read both out through the unembedding "
            f"$W_U = {matrix(w_u)}$ (vocabulary {vocabulary}), skipping the final layer norm "
            "to keep the numbers simple. Which token rises?"
        ),
        steps=steps,
        result=(
            f"“{word}” rises from rank {ranks_early[riser]} to rank 1, its probability from "
            f"${fmt(p_early[riser])}$ to ${fmt(p_late[riser])}$."
        ),
        insight=(
            "Reading intermediate layers through the final unembedding shows a prediction "
            "taking shape block by block."
        ),
        inputs={
            "early_residual": early,
            "late_residual": late,
            "unembedding": w_u,
            "vocabulary": tokens,
            "logits": plain(z_late),
        },
    )
