"""Problems on floating point: IEEE 754's special values (the concept's other problems, and
those of log-sum-exp, are templates in their concept files)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from exercises import Step
from quizzes.problem_generators.writing import (
    Option,
    shuffled,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register


@dataclass(frozen=True)
class Special:
    """An IEEE 754 expression: how it is shown, how NumPy computes it, why it gives what it does."""

    latex: str
    compute: Callable[[], float]
    why: str


INF = float(np.finfo(np.float64).max) * 2  # built, not typed: overflow to +infinity
SPECIALS = (
    Special(r"\infty - \infty", lambda: INF - INF, "two infinities cancel in no definite way."),
    Special(r"0 \times \infty", lambda: 0.0 * INF, "zero times $\\infty$ has no definite value."),
    Special(r"\infty / \infty", lambda: INF / INF, "a ratio of infinities has no definite value."),
    Special(
        r"e^{1000} / e^{1000}",
        lambda: float(np.exp(np.float64(1000)) / np.exp(np.float64(1000))),
        "both exponentials overflow to $+\\infty$ first, and then it is "
        "$\\infty / \\infty$: the naive softmax's failure.",
    ),
    Special(r"1 / \infty", lambda: 1.0 / INF, "a finite number divided by $\\infty$ is 0."),
    Special(
        r"e^{-1000}",
        lambda: float(np.exp(np.float64(-1000))),
        "the true value, about $10^{-434}$, is far below the smallest float64, so it "
        "underflows to 0.",
    ),
    Special(
        r"\infty + 10^{308}",
        lambda: INF + 1e308,
        "adding a finite number to $\\infty$ leaves $\\infty$.",
    ),
    Special(
        r"e^{1000}",
        lambda: float(np.exp(np.float64(1000))),
        "the true value, about $10^{434}$, is beyond the largest float64 "
        "(about $1.8 \\times 10^{308}$), so it overflows.",
    ),
    Special(
        r"-2 \times \infty",
        lambda: -2.0 * INF,
        "a negative number times $\\infty$ is $-\\infty$.",
    ),
    Special(
        r"\log 0",
        lambda: float(np.log(np.float64(0))),
        "the logarithm falls without limit as its argument approaches 0.",
    ),
)


def _outcome(value: float) -> str:
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "plus" if value > 0 else "minus"
    if value == 0:
        return "zero"
    raise ValueError(f"not a special outcome: {value!r}")


OUTCOME_TEXT = {
    "plus": r"$+\infty$",
    "minus": r"$-\infty$",
    "nan": "NaN (not a number)",
    "zero": "$0$",
}
OUTCOME_LATEX = {"plus": r"+\infty", "minus": r"-\infty", "nan": r"\text{NaN}", "zero": "0"}
OUTCOME_RULE = {
    "plus": "$+\\infty$ comes from overflow, or from arithmetic on $+\\infty$ with a clear "
    "limit such as $\\infty + 1$.",
    "minus": "$-\\infty$ needs a result that falls without limit, such as $\\log 0$ or "
    "$-2 \\times \\infty$.",
    "nan": "NaN is reserved for results with no definite value, such as "
    "$\\infty - \\infty$, $0 \\times \\infty$ or $0/0$.",
    "zero": "0 comes from dividing a finite number by $\\infty$, or from underflow.",
}


@register(
    "float_special_values",
    title="Overflow, underflow and undefined results",
    kind="choice",
    difficulty="easy",
)
def float_special_values(rng: random.Random) -> ProblemInstance:
    """What IEEE 754 float64 arithmetic gives for an expression involving overflow or infinity."""
    special = rng.choice(SPECIALS)
    with np.errstate(all="ignore"):
        outcome = _outcome(special.compute())
    others = [o for o in OUTCOME_TEXT if o != outcome]
    choices = shuffled(
        rng,
        Option(OUTCOME_TEXT[outcome], special.why),
        [
            Option(OUTCOME_TEXT[o], f"{OUTCOME_RULE[o]} That is not what happens here.")
            for o in others
        ],
    )
    steps = (
        Step(
            "Follow IEEE 754",
            rf"{special.latex} \;\to\; {OUTCOME_LATEX[outcome]}",
            special.why[0].upper() + special.why[1:],
            {"outcome": outcome},
        ),
    )
    return ProblemInstance(
        statement=(
            f"In float64 arithmetic (as NumPy does it, with warnings switched off), what is "
            f"the result of ${special.latex}$? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Ask first whether the true mathematical result is too large, too small, or "
            "has no definite value at all.",
            OUTCOME_RULE["nan"],
        ),
        solution=f"The result is {OUTCOME_TEXT[outcome]}: {special.why}\n\n{choices.review}",
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"expression": special.latex, "outcome": outcome},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )
