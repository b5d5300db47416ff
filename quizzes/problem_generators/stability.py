"""Problems on floating point: special values, overflow in exp, spacing (log-sum-exp and
log-softmax problems are templates in their concept file)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from exercises import Step, draws
from exercises.display import fixed, fmt, num
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    Option,
    shuffled,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

# float32 overflows in exp just above log(3.4e38) = 88.72...
SAFE_EXPONENTS = (10.0, 20.0, 40.0, 60.0, 75.0, 80.0, 85.0, 88.0)
OVERFLOWING_EXPONENTS = (89.0, 90.0, 100.0, 120.0, 200.0)
SPACING_POWERS = tuple(range(24, 34))
FLOAT32_EXP_LIMIT = float(np.log(np.finfo(np.float32).max, dtype=np.float64))  # 88.72


def overflows(x: float, dtype: type[np.floating]) -> bool:
    """Whether exp(x) overflows when computed in `dtype`."""
    with np.errstate(over="ignore"):
        return bool(np.isinf(np.exp(dtype(x))))


# --- Floating-point arithmetic ---------------------------------------------------------------


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


@register(
    "float32_exp_overflow", title="Which exponential overflows?", kind="choice", difficulty="medium"
)
def float32_exp_overflow(rng: random.Random) -> ProblemInstance:
    """Exactly one of four exponentials exceeds float32's largest number."""
    safe = draws.distinct(rng, SAFE_EXPONENTS, 3)
    bad = rng.choice(OVERFLOWING_EXPONENTS)
    limit = FLOAT32_EXP_LIMIT
    largest = float(np.finfo(np.float32).max)
    assert overflows(bad, np.float32) and not any(overflows(x, np.float32) for x in safe)

    def value(x: float) -> str:
        return fmt(float(np.exp(x)), 2)

    choices = shuffled(
        rng,
        Option(
            f"$e^{{{num(bad)}}}$",
            f"${num(bad)} > {fixed(limit, 2)}$, so $e^{{{num(bad)}}} \\approx {value(bad)}$ "
            f"is larger than the largest float32, about ${fmt(largest, 2)}$.",
        ),
        [
            Option(
                f"$e^{{{num(x)}}}$",
                f"$e^{{{num(x)}}} \\approx {value(x)}$ still fits below ${fmt(largest, 2)}$.",
            )
            for x in safe
        ],
    )
    steps = (
        Step(
            "The largest float32",
            rf"\text{{max}} \approx {fmt(largest, 3)} = e^{{{fixed(limit, 2)}}}",
            "The exponential overflows exactly when its argument passes the log of the "
            "largest float.",
            {"float32_max": largest, "exp_limit": limit},
        ),
        Step(
            "Compare each exponent",
            rf"{num(bad)} > {fixed(limit, 2)} > "
            + ", ".join(num(x) for x in sorted(safe, reverse=True)),
            "",
            {"overflowing": bad, "safe": safe},
        ),
    )
    return ProblemInstance(
        statement=(
            "The largest float32 is about $3.4 \\times 10^{38}$. Computed in float32, which "
            "of these exponentials overflows? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            "Compare exponents rather than the huge numbers: take the log of the largest float32.",
            f"$\\log(3.4 \\times 10^{{38}}) \\approx {fixed(limit, 2)}$: which exponent is "
            "above it?",
        ),
        solution=(
            f"$e^x$ overflows in float32 once $x > \\log(3.4 \\times 10^{{38}}) \\approx "
            f"{fixed(limit, 2)}$. Only ${num(bad)}$ is above that. Logits of this size are "
            "ordinary in a real model, which is why softmax subtracts the largest logit "
            f"first.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"exponents": [*safe, bad], "overflowing": bad},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register("float32_spacing", title="The gap between floats", kind="number", difficulty="hard")
def float32_spacing(rng: random.Random) -> ProblemInstance:
    """Near 2^k the float32 spacing is 2^(k - 23): large integers are not all representable."""
    k = rng.choice(SPACING_POWERS)
    x = 2**k
    answer = float(np.spacing(np.float32(x)))
    eps = float(np.finfo(np.float32).eps)
    steps = (
        Step(
            "Spacing just above 1",
            rf"\varepsilon_{{32}} = 2^{{-23}} = {fmt(eps, 4)}",
            "With 23 stored fraction bits, the next float32 after 1 is $1 + 2^{-23}$.",
            {"epsilon": eps},
        ),
        Step(
            "Scale by the power of two",
            rf"2^{{{k}}} \times 2^{{-23}} = 2^{{{k - 23}}} = {num(answer)}",
            "The relative spacing is the same in every binade, so the absolute spacing "
            "grows with the number.",
            {"spacing": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            "A float32 stores 23 fraction bits, so the next float32 after 1 is "
            f"$1 + 2^{{-23}}$. What is the gap between $2^{{{k}}} = {x}$ and the next larger "
            "float32? Give the exact number."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Floats keep the same number of significant bits at every size, so the gap "
            "scales with the number.",
            f"Between $2^{{{k}}}$ and $2^{{{k + 1}}}$ the gap is $2^{{{k}}}$ times the gap "
            "just above 1.",
            f"$2^{{{k}}} \\times 2^{{-23}} = 2^{{{k - 23}}}$.",
        ),
        solution=(
            f"Just above 1 the gap is $2^{{-23}}$. Every float between $2^{{{k}}}$ and "
            f"$2^{{{k + 1}}}$ has the same 23 fraction bits scaled by $2^{{{k}}}$, so the gap "
            f"there is $2^{{{k - 23}}} = {num(answer)}$. In float32, ${x} + 1$ rounds back "
            f"to ${x}$: the rounding error depends on the size of the number."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"power": k},
        mistakes=wrong_only(answer, (eps, 1.0, answer / 2, answer * 2)),
    )


# --- Log-sum-exp and numerical stability --------------------------------------------------------
