"""Problems on floating point and numerical stability: special values, overflow, spacing,
log-sum-exp and log-softmax."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from exercises import Step, draws
from exercises.display import fixed, fmt, num, nums, vec
from lessons import engine
from quizzes.answers import Tolerance
from quizzes.problem_generators.writing import (
    NUMBER_FORMAT,
    SIG3,
    Option,
    fmt4,
    pos,
    shuffled,
    wrong_only,
)
from quizzes.problems import ProblemInstance, register

# float32 overflows in exp just above log(3.4e38) = 88.72...
SAFE_EXPONENTS = (10.0, 20.0, 40.0, 60.0, 75.0, 80.0, 85.0, 88.0)
OVERFLOWING_EXPONENTS = (89.0, 90.0, 100.0, 120.0, 200.0)
SPACING_POWERS = tuple(range(24, 34))
HUGE_BASES = (100.0, 200.0, 500.0, 700.0)  # below 1000: four digits still show a decimal
OFFSETS = draws.grid(-3.0, 3.0, 0.5)
FLOAT32_EXP_LIMIT = float(np.log(np.finfo(np.float32).max, dtype=np.float64))  # 88.72
FLOAT64_EXP_LIMIT = float(np.log(np.finfo(np.float64).max))  # 709.78
# "To one decimal place": the decimals are the point, so 1% of ~500 would be far too loose.
ONE_DECIMAL = Tolerance(rel=0.0, abs=0.05)


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


@register("logsumexp_bounds", title="Where log-sum-exp lies", kind="choice", difficulty="easy")
def logsumexp_bounds(rng: random.Random) -> ProblemInstance:
    """max(z) <= logsumexp(z) <= max(z) + log K."""
    k = rng.choice([3, 4, 5])
    z = draws.logits(rng, k, draws.grid(-2.0, 6.0, 1.0), min_spread=2.0)
    m = max(z)
    log_k = float(np.log(k))
    lse = float(engine.logsumexp(z))
    mean = float(np.mean(z))
    choices = shuffled(
        rng,
        Option(
            f"Between ${num(m)}$ and ${num(m)} + \\log {k} \\approx {fixed(m + log_k, 3)}$",
            f"the largest term alone gives at least $m = {num(m)}$, and {k} terms each at most "
            f"$e^m$ give at most $m + \\log {k}$; in fact it is ${fixed(lse, 3)}$.",
        ),
        [
            Option(
                f"Between the mean logit ${fmt(mean)}$ and ${num(m)}$",
                "log-sum-exp is never below the largest logit: the sum contains $e^m$ itself.",
            ),
            Option(
                f"Exactly ${num(m)}$",
                "that would need every other exponential to be 0; they are small but positive.",
            ),
            Option(
                "Between 0 and 1, because it is the log of a sum of probabilities",
                "the terms $e^{z_j}$ are not probabilities and need not add up to 1.",
            ),
        ],
    )
    steps = (
        Step(
            "Lower bound",
            rf"\log \sum_j e^{{z_j}} \ge \log e^{{m}} = m = {num(m)}",
            "The sum contains the largest term.",
            {"max": m},
        ),
        Step(
            "Upper bound",
            rf"\log \sum_j e^{{z_j}} \le \log\left({k}\, e^{{m}}\right) = m + \log {k}"
            rf" = {fixed(m + log_k, 3)}",
            "No term is larger than the largest.",
            {"upper": m + log_k},
        ),
        Step(
            "Check",
            rf"\operatorname{{logsumexp}}{nums(z)} = {fixed(lse, 3)}",
            "",
            {"logsumexp": lse},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Without computing it exactly, where does "
            f"$\\operatorname{{logsumexp}}(\\mathbf{{z}}) = \\log \\sum_j e^{{z_j}}$ lie for "
            f"$\\mathbf{{z}} = {nums(z)}$? Enter the letter of your choice."
        ),
        kind="choice",
        answer=choices.answer,
        options=choices.options,
        hints=(
            f"Compare the sum with its largest term, and with that term repeated {k} times.",
            f"$e^{{{num(m)}}} \\le \\sum_j e^{{z_j}} \\le {k} e^{{{num(m)}}}$; take logs.",
        ),
        solution=(
            f"Since $e^{{{num(m)}}} \\le \\sum_j e^{{z_j}} \\le {k}\\, e^{{{num(m)}}}$, taking "
            f"logs gives ${num(m)} \\le \\operatorname{{logsumexp}}(\\mathbf{{z}}) \\le "
            f"{num(m)} + \\log {k}$. The exact value is ${fixed(lse, 3)}$: log-sum-exp is a "
            f"smooth maximum, a little above the largest logit.\n\n{choices.review}"
        ),
        steps=steps,
        answer_format=choices.answer_format,
        inputs={"logits": z, "options": [text for _, text in choices.options]},
        mistakes=wrong_only(choices.answer, choices.wrong_keys),
    )


@register("logsumexp_value", title="Log-sum-exp by hand", kind="number", difficulty="medium")
def logsumexp_value(rng: random.Random) -> ProblemInstance:
    """m + log sum exp(z - m) for a few small logits."""
    k = rng.choice([3, 4])

    def ok(z: list[float]) -> bool:
        lse = float(engine.logsumexp(z))
        return abs(lse) >= 0.5 and lse - max(z) >= 0.05 * abs(lse)

    z = draws.until(lambda: draws.logits(rng, k), ok)
    m = max(z)
    shifted = [v - m for v in z]
    exps = np.exp(shifted)
    total = float(np.sum(exps))
    answer = float(engine.logsumexp(z))
    steps = (
        Step(
            "Shift by the largest logit", rf"m = {num(m)},\quad \mathbf{{z}} - m = {nums(shifted)}"
        ),
        Step(
            "Exponentiate and add",
            rf"\sum_j e^{{z_j - m}} = {' + '.join(fmt4(e) for e in exps)} = {fmt4(total)}",
            "The largest term is exactly 1.",
            {"shifted_sum": total},
        ),
        Step(
            "Take the log and add m back",
            rf"{num(m)} + \log {fmt4(total)} = {fmt4(answer)}",
            "",
            {"logsumexp": answer},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\operatorname{{logsumexp}}(\\mathbf{{z}}) = \\log \\sum_j e^{{z_j}}$ for "
            f"$\\mathbf{{z}} = {nums(z)}$, {SIG3}."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Factor out the largest exponential: $\\log \\sum_j e^{z_j} = m + \\log \\sum_j "
            "e^{z_j - m}$.",
            f"With $m = {num(m)}$ the shifted logits are ${nums(shifted)}$.",
            f"Their exponentials add up to ${fmt4(total)}$; take the log and add ${num(m)}$.",
        ),
        solution=(
            f"With $m = {num(m)}$, the shifted exponentials ${vec(exps, fmt4)}$ add up to "
            f"${fmt4(total)}$, so $\\operatorname{{logsumexp}}(\\mathbf{{z}}) = {num(m)} + "
            f"\\log {fmt4(total)} \\approx {fmt4(answer)}$, a little above the largest "
            "logit, as it must be."
        ),
        steps=steps,
        answer_format=NUMBER_FORMAT,
        inputs={"logits": z},
        mistakes=wrong_only(answer, (m, float(np.sum(z)))),
    )


@register("logsumexp_huge", title="Log-sum-exp of huge logits", kind="number", difficulty="hard")
def logsumexp_huge(rng: random.Random) -> ProblemInstance:
    """Logits in the hundreds: the shift is the only way, and the answer is wanted to one
    decimal, so the tolerance is absolute (1% of 500 would accept the plain maximum)."""
    base = rng.choice(HUGE_BASES)
    k = rng.choice([3, 4])

    def ok(v: list[float]) -> bool:
        # The correction log sum exp(z - m) must stand clear of the tolerance.
        return max(v) - min(v) <= 3.0 and float(engine.logsumexp(v)) - max(v) >= 0.15

    offsets = draws.until(lambda: draws.logits(rng, k, OFFSETS, min_spread=1.0), ok)
    z = [base + v for v in offsets]
    m = max(z)
    shifted = [v - m for v in z]
    exps = np.exp(shifted)
    total = float(np.sum(exps))
    answer = float(engine.logsumexp(z))
    naive = (
        rf"e^{{{num(min(z))}}} > e^{{{fixed(FLOAT32_EXP_LIMIT, 2)}}}"
        r" \approx 3.4 \times 10^{38}",
        "Every exponential is beyond the largest float32 (float64 would last until "
        f"$e^{{{fixed(FLOAT64_EXP_LIMIT, 1)}}}$).",
    )
    steps = (
        Step("The naive way overflows", *naive),
        Step("Shift", rf"m = {num(m)},\quad \mathbf{{z}} - m = {nums(shifted)}"),
        Step(
            "Exponentiate and add",
            rf"\sum_j e^{{z_j - m}} = {' + '.join(fmt4(e) for e in exps)} = {fmt4(total)}",
            "",
            {"shifted_sum": total},
        ),
        Step(
            "Add the log to m",
            rf"{num(m)} + \log {fmt4(total)} = {num(m)} + {fixed(float(np.log(total)), 4)}"
            rf" = {fixed(answer, 4)}",
            "",
            {"logsumexp": answer, "log_shifted_sum": float(np.log(total))},
        ),
    )
    return ProblemInstance(
        statement=(
            f"Compute $\\operatorname{{logsumexp}}(\\mathbf{{z}}) = \\log \\sum_j e^{{z_j}}$ for "
            f"$\\mathbf{{z}} = {nums(z)}$. The exponentials themselves overflow in float32, so "
            "shift first. Give the answer to one decimal place: the decimals are what "
            "this problem is about."
        ),
        kind="number",
        answer=answer,
        hints=(
            "$\\log \\sum_j e^{z_j} = m + \\log \\sum_j e^{z_j - m}$ with $m$ the largest logit.",
            f"With $m = {num(m)}$ the shifted logits are ${nums(shifted)}$.",
            f"Their exponentials add up to ${fmt4(total)}$, whose log is "
            f"${fixed(float(np.log(total)), 4)}$.",
        ),
        solution=(
            f"Take out $m = {num(m)}$: the shifted exponentials ${vec(exps, fmt4)}$ add up to "
            f"${fmt4(total)}$, and $\\log {fmt4(total)} \\approx "
            f"{fixed(float(np.log(total)), 4)}$, so $\\operatorname{{logsumexp}}(\\mathbf{{z}}) "
            f"\\approx {fixed(answer, 4)}$. The answer is the largest logit plus a small "
            "correction; the correction is what the computation is for."
        ),
        steps=steps,
        tolerance=ONE_DECIMAL,
        answer_format="a number, to one decimal place",
        inputs={"logits": z},
        mistakes=wrong_only(
            answer,
            (m, m + float(np.log(k))),
            ONE_DECIMAL,
        ),
    )


@register(
    "log_softmax_underflow",
    title="A log-probability that cannot be a probability",
    kind="number",
    difficulty="hard",
)
def log_softmax_underflow(rng: random.Random) -> ProblemInstance:
    """log p_i = z_i - logsumexp(z) for a class whose p_i underflows in float32."""
    # Top two logits within 1.5 of each other: log-sum-exp sits at least 0.2 above the max.
    top = draws.until(
        lambda: draws.distinct(rng, draws.grid(0.0, 3.0, 0.5), 2),
        lambda v: abs(v[0] - v[1]) <= 1.5,
    )
    low = -float(rng.choice([110, 120, 150, 200]))
    z = [*top, low]
    rng.shuffle(z)
    i = z.index(low)
    m = max(z)
    lse = float(engine.logsumexp(z))
    answer = float(engine.log_softmax(z)[i])
    p32 = float(np.exp(np.float32(answer)))  # underflows to 0 in float32
    with np.errstate(divide="ignore"):
        naive32 = float(np.log(np.float32(p32)))
    assert p32 == 0.0 and np.isneginf(naive32)
    steps = (
        Step(
            "Log-sum-exp of the logits",
            rf"\operatorname{{logsumexp}}{nums(z)} = {num(m)} + \log \sum_j e^{{z_j - {num(m)}}}"
            rf" = {fixed(lse, 4)}",
            f"The tiny logit ${num(low)}$ adds almost nothing to the sum.",
            {"logsumexp": lse},
        ),
        Step(
            "Subtract from the logit",
            rf"\log p_{{{pos(i)}}} = z_{{{pos(i)}}} - \operatorname{{logsumexp}}(\mathbf{{z}}) = "
            rf"{num(low)} - {fixed(lse, 4)} = {fixed(answer, 4)}",
            "No probability is formed, so nothing underflows.",
            {"log_probability": answer},
        ),
        Step(
            "The probability itself",
            rf"p_{{{pos(i)}}} = e^{{{fixed(answer, 2)}}} \approx {fmt(float(np.exp(answer)), 3)}",
            "Below the smallest positive float32 (about $1.4 \\times 10^{-45}$): computed "
            "in float32 it would be 0, and its log $-\\infty$.",
            {"probability": float(np.exp(answer))},
        ),
    )
    return ProblemInstance(
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$. In float32, the softmax "
            f"probability of the class with logit ${num(low)}$ underflows to 0, and its log "
            f"would be $-\\infty$. Compute its log-probability $\\log p_{{{pos(i)}}}$ "
            f"(class {pos(i)}, counting from 1) directly, as $z_{{{pos(i)}}} - "
            "\\operatorname{logsumexp}(\\mathbf{z})$. Give it to one decimal place."
        ),
        kind="number",
        answer=answer,
        hints=(
            "Log-softmax never needs the probability: $\\log p_i = z_i - "
            "\\operatorname{logsumexp}(\\mathbf{z})$.",
            f"In the log-sum-exp, take out $m = {num(m)}$; the term $e^{{{num(low)} - "
            f"{num(m)}}}$ is negligible.",
            f"$\\operatorname{{logsumexp}}(\\mathbf{{z}}) \\approx {fixed(lse, 4)}$.",
        ),
        solution=(
            f"$\\operatorname{{logsumexp}}(\\mathbf{{z}}) \\approx {fixed(lse, 4)}$ (the two "
            f"large logits decide it), so $\\log p_{{{pos(i)}}} = {num(low)} - {fixed(lse, 4)} "
            f"\\approx {fixed(answer, 4)}$. The probability is about "
            f"${fmt(float(np.exp(answer)), 3)}$, which float32 cannot store, but its log is "
            "an ordinary number: this is why losses are computed from log-softmax."
        ),
        steps=steps,
        tolerance=ONE_DECIMAL,
        answer_format="a number, to one decimal place",
        inputs={"logits": z, "index": i},
        mistakes=wrong_only(answer, (low - m, low, -answer), ONE_DECIMAL),
    )
