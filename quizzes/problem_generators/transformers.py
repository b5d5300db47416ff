"""Problems on transformers (unembedding, causal training; the residual stream and layer norm
are templates in the concept file) and on how logits evolve through the layers (ranks, the
logit lens, relative scores)."""

from __future__ import annotations

import random

import numpy as np

from exercises import Step, draws, readout
from exercises.display import matrix, num, nums, plain, vec
from lessons import engine
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    SIG3,
    WHOLE_NUMBER_FORMAT,
    Option,
    differs,
    fmt4,
    pos,
    shuffled,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

VOCABULARY = ("cat", "dog", "mat", "sat", "sun", "hat", "ran", "the", "on", "a")
SENTENCES = (
    ("the", "cat", "sat", "on", "the", "mat"),
    ("a", "dog", "ran", "home", "very", "fast"),
    ("we", "like", "small", "models", "that", "work"),
)


def _vocabulary(tokens: list[str]) -> str:
    return ", ".join(f"“{t}”" for t in tokens)


# --- Transformers ------------------------------------------------------------------------------


@register(
    "next_token_probability",
    title="From the last hidden state to a probability",
    kind="number",
    difficulty="hard",
)
def next_token_probability(rng: random.Random) -> ProblemInstance:
    """Unembed the final residual vector, softmax, read one token's probability."""
    tokens = rng.sample(VOCABULARY, 4)

    def draw() -> tuple[list[float], list[list[float]], int]:
        h = [float(rng.choice(readout.RESIDUAL_GRID)) for _ in range(3)]
        return h, readout.unembedding(rng), rng.randrange(4)

    def ok(drawn: tuple[list[float], list[list[float]], int]) -> bool:
        h, w_u, i = drawn
        z = np.array(h) @ np.array(w_u)
        p = engine.softmax(z)
        return readout.well_separated(z) and max(z) - min(z) <= 6 and float(p[i]) >= 0.03

    h, w_u, i = draws.until(draw, ok)
    z = np.array(h) @ np.array(w_u)
    p = engine.softmax(z)
    answer = float(p[i])
    steps = (
        Step(
            "Unembed",
            readout.readout(h, w_u, tokens),
            "One logit per vocabulary token.",
            {"logits": plain(z)},
        ),
        Step(
            "Softmax",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p, fmt4)}",
            "",
            {"probabilities": plain(p)},
        ),
        Step(
            "Read off the token",
            rf"p_{{\text{{{tokens[i]}}}}} = {fmt4(answer)}",
            "",
            {"answer": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A tiny transformer's final residual vector (after the last layer norm) is "
            f"$\\mathbf{{h}} = {nums(h)}$. Its unembedding is $W_U = {matrix(w_u)}$, one column "
            f"per token of the vocabulary {_vocabulary(tokens)}, in that order. The logits are "
            f"$\\mathbf{{z}} = \\mathbf{{h}} W_U$. What probability does the model give "
            f"“{tokens[i]}” "
            f"as the next token? Give it {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Each logit is the dot product of $\\mathbf{h}$ with one column of $W_U$.",
            f"The logits are ${nums(z)}$.",
            f"Take the softmax and read the entry for “{tokens[i]}”.",
        ),
        solution=(
            f"Multiplying $\\mathbf{{h}}$ by each column of $W_U$ gives logits ${nums(z)}$ for "
            f"{_vocabulary(tokens)}; their softmax is ${vec(p, fmt4)}$, so “{tokens[i]}” gets "
            f"${fmt4(answer)}$."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"h": h, "unembedding": w_u, "tokens": tokens, "token": i},
        mistakes=wrong_only(answer, (float(z[i]), 0.25)),
    )


@register(
    "causal_training_purpose",
    title="Why train with a causal mask?",
    kind="choice",
    difficulty="medium",
)
def causal_training_purpose(rng: random.Random) -> ProblemInstance:
    """During training every position predicts the next token; without the mask it could
    simply read that token."""
    words = rng.choice(SENTENCES)
    t = rng.randint(1, len(words) - 3)
    target = words[t + 1]
    here, there = pos(t), pos(t + 1)  # as learners count, from 1
    choices = shuffled(
        rng,
        Option(
            f"It could attend to position {there} and read “{target}”, the very token it must "
            "predict, so it would learn to copy rather than to predict",
            "training would reach a near-zero loss by copying, and the model would fail at "
            "generation time, when the next token does not exist yet.",
        ),
        [
            Option(
                "Nothing: the mask only speeds up training",
                "the mask changes what each position can see, which is the whole point.",
            ),
            Option(
                f"It could no longer see the earlier positions 1 to {here - 1}",
                "removing the mask adds visible positions; it never hides earlier ones.",
            ),
            Option(
                "The attention weights would no longer add up to 1",
                "softmax makes them add up to 1 with or without a mask.",
            ),
        ],
    )
    steps = (
        Step(
            "What each position is trained to predict",
            rf"\text{{position }} {here}\ (\text{{“{words[t]}”}}) \to \text{{target “{target}”}}"
            rf"\ \text{{at position }} {there}",
            "All positions are trained at once, in parallel, on the same sequence.",
            {"query": t},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A decoder is trained on the sentence “{' '.join(words)}” (positions counted from "
            f"1). At position {here} (“{words[t]}”) its training target is the next token, "
            f"“{target}”. What would go wrong if training used no causal mask? Enter the "
            "letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "In training the whole sentence is fed in at once. Where does the target token sit?",
            "What could attention at this position read if nothing were hidden?",
        ),
        solution=(
            f"All positions are trained in parallel, so the target “{target}” is right there "
            f"at position {there}. Without the causal mask, position {here} could attend to it and "
            f"copy it.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={
            "sentence": list(words),
            "query": t,
            "options": [text for _, text in choices.options],
        },
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


# --- Logit evolution --------------------------------------------------------------------------


@register("token_rank", title="A token's rank", kind="number", difficulty="easy")
def token_rank(rng: random.Random) -> ProblemInstance:
    """Rank 1 for the largest logit: 1 + the number of larger logits."""
    size = rng.choice([5, 6])
    tokens = rng.sample(VOCABULARY, size)
    z = draws.logits(rng, size, draws.grid(-3.0, 4.0, 0.5), min_spread=2.0)
    i = rng.randrange(size)
    above = [tokens[j] for j in range(size) if z[j] > z[i]]
    answer = float(1 + len(above))
    steps = (
        Step(
            "Count the tokens scored higher",
            rf"\#\{{j : z_j > z_{{\text{{{tokens[i]}}}}} = {num(z[i])}\}} = {len(above)}",
            "",
            {"above": above},
        ),
        Step(
            "Add one",
            rf"\text{{rank}} = {len(above)} + 1 = {int(answer)}",
            "",
            {"rank": int(answer)},
        ),
    )
    listed = ", ".join(f"“{t}” ${num(v)}$" for t, v in zip(tokens, z, strict=True))
    return ProblemInstance(
        statement=(
            f"Read out after some layer, a model's logits are: {listed}. What is the rank of "
            f"“{tokens[i]}”, where rank 1 is the token with the largest logit?"
        ),
        kind="number",
        answer=answer,
        hints=(
            f"Count how many tokens have a larger logit than “{tokens[i]}”.",
            "The rank is that count plus one.",
        ),
        solution=(
            f"{len(above)} token{'s have' if len(above) != 1 else ' has'} a larger logit than "
            f"“{tokens[i]}” (${num(z[i])}$)"
            + (f": {', '.join(f'“{t}”' for t in above)}" if above else "")
            + f". So its rank is {int(answer)}. Ranks need no softmax: they depend only on the "
            "order of the logits."
        ),
        steps=steps,
        answer_format=WHOLE_NUMBER_FORMAT,
        inputs={"logits": z, "tokens": tokens, "token": i},
        mistakes=wrong_only(answer, (answer - 1, float(size) - answer + 1)),
    )


@register(
    "logit_lens_top_token",
    title="Reading an early layer",
    kind="choice",
    difficulty="medium",
)
def logit_lens_top_token(rng: random.Random) -> ProblemInstance:
    """Apply the unembedding to an intermediate residual vector: which token leads?"""
    tokens = rng.sample(VOCABULARY, 4)

    early, late, w_u = readout.early_and_late(rng)
    z_early = np.array(early) @ np.array(w_u)
    z_late = np.array(late) @ np.array(w_u)
    top = int(engine.argmax(z_early))
    final = int(engine.argmax(z_late))
    choices = shuffled(
        rng,
        Option(
            f"“{tokens[top]}”",
            f"its early logit, ${num(z_early[top])}$, is the largest.",
        ),
        [
            Option(
                f"“{tokens[j]}”",
                (
                    f"that is the final prediction (logit ${num(z_late[j])}$ at the end), but "
                    f"early on its logit is only ${num(z_early[j])}$."
                )
                if j == final
                else f"its early logit, ${num(z_early[j])}$, is below ${num(z_early[top])}$.",
            )
            for j in range(4)
            if j != top
        ],
    )
    steps = (
        Step(
            "Unembed the early residual",
            readout.readout(early, w_u, tokens),
            "",
            {"early_logits": plain(z_early)},
        ),
        Step(
            "The leader",
            rf"\arg\max = \text{{“{tokens[top]}”}}",
            f"At the last layer the leader is “{tokens[final]}” instead.",
            {"early_top": top, "late_logits": plain(z_late), "late_top": final},
        ),
    )
    return ProblemInstance(
        statement=(
            f"With the logit lens, a model's early residual vector "
            f"$\\mathbf{{h}}_{{\\text{{early}}}} = {nums(early)}$ is read out through the final "
            f"unembedding $W_U = {matrix(w_u)}$ (one column per token: {_vocabulary(tokens)}, "
            "in that order; skip the final layer norm to keep the numbers simple). The last "
            f"layer's residual vector is $\\mathbf{{h}}_{{\\text{{late}}}} = {nums(late)}$. Which "
            "token leads at the early layer? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Only the early vector matters for this question.",
            "Each token's logit is the dot product of the early vector with that token's "
            "column of $W_U$.",
            f"The early logits are ${nums(z_early)}$.",
        ),
        solution=(
            f"The early logits are ${nums(z_early)}$ for {_vocabulary(tokens)}, so “{tokens[top]}” "
            f"leads early on. The late logits are ${nums(z_late)}$: by the last layer the "
            f"model has switched to “{tokens[final]}”. Reading intermediate layers shows when "
            f"a prediction settles.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={
            "early": early,
            "late": late,
            "unembedding": w_u,
            "tokens": tokens,
            "options": [text for _, text in choices.options],
        },
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register(
    "relative_logit_change",
    title="A rising logit, a falling probability",
    kind="number",
    difficulty="hard",
)
def relative_logit_change(rng: random.Random) -> ProblemInstance:
    """Only relative scores matter: a token whose logit rises less than the others loses."""
    tokens = rng.sample(VOCABULARY, 4)

    def draw() -> tuple[list[float], list[float], int]:
        before = draws.logits(rng, 4, min_spread=1.0)
        i = rng.randrange(4)
        own = float(rng.choice([0.5, 1.0]))
        after = [
            v + (own if j == i else own + float(rng.choice([1.0, 1.5, 2.0])))
            for j, v in enumerate(before)
        ]
        return before, after, i

    def ok(drawn: tuple[list[float], list[float], int]) -> bool:
        before, after, i = drawn
        p0, p1 = engine.softmax(before)[i], engine.softmax(after)[i]
        return (
            float(p1) >= 0.02
            and differs(float(p0), float(p1), 0.15)
            and readout.well_separated(after, 0.5)
        )

    before, after, i = draws.until(draw, ok)
    p_before, p_after = engine.softmax(before), engine.softmax(after)
    answer = float(p_after[i])
    change = [a - b for a, b in zip(after, before, strict=True)]
    steps = (
        Step(
            "Before",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(before)} = {vec(p_before, fmt4)}",
            "",
            {"before": plain(p_before)},
        ),
        Step(
            "What changed",
            rf"\Delta \mathbf{{z}} = {nums(change)}",
            f"“{tokens[i]}” rises by ${num(change[i])}$, every other token by more.",
            {"change": change},
        ),
        Step(
            "After",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(after)} = {vec(p_after, fmt4)}",
            "",
            {"after": plain(p_after)},
        ),
    )
    table = "\n".join(
        [
            "| token | " + " | ".join(f"“{t}”" for t in tokens) + " |",
            "|---|" + "---|" * 4,
            "| logit at layer 2 | " + " | ".join(num(v) for v in before) + " |",
            "| logit at layer 3 | " + " | ".join(num(v) for v in after) + " |",
        ]
    )
    return ProblemInstance(
        statement=(
            "Read out with the logit lens, a model's logits for four tokens at two "
            f"consecutive layers are:\n\n{table}\n\n"
            f"The logit of “{tokens[i]}” goes up. What is its softmax probability at layer 3? "
            f"Give it {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "A probability depends on a logit relative to the others, not on its own value.",
            f"Compare how much “{tokens[i]}” rose with how much the others rose.",
            f"Take the softmax of the layer-3 logits, ${nums(after)}$.",
        ),
        solution=(
            f"At layer 2, “{tokens[i]}” has probability ${fmt4(float(p_before[i]))}$. Its logit "
            f"rises by ${num(change[i])}$, but every other logit rises by more, so at layer 3 "
            f"the softmax of ${nums(after)}$ gives it only ${fmt4(answer)}$. Watching one "
            "token's logit alone would have suggested the opposite."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"before": before, "after": after, "token": i, "tokens": tokens},
        mistakes=wrong_only(answer, (float(p_before[i]),)),
    )
