"""How problems are worded: precision phrases, answer formats, shuffled choices.

Conventions every problem generator follows:

- Positions, subscripts and class numbers shown to learners count from 1 (the first entry
  is entry 1), as in the lessons and worked examples; every statement that uses them says
  so, and an "index" answer is such a position. Where a class is named, its logit is named
  too, so the convention cannot trip anyone up. ``inputs`` keep NumPy's 0-based indices:
  ``pos`` turns one into the number shown.
- Numbers are asked for "to three significant figures", which the default 1% relative
  tolerance always accepts (rounding to three significant figures moves a number by at
  most 0.5%).
- Inputs go in ``ProblemInstance.inputs`` exactly as drawn, so the answer can be recomputed
  from them alone; typical wrong answers go in ``mistakes``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises import Mistake
from exercises.display import fmt, num
from quizzes.answers import DEFAULT_TOLERANCE, Tolerance

SIG3 = "to three significant figures"
KEYS = ("a", "b", "c", "d", "e")


def fmt4(x: float) -> str:
    """A computed number to four significant figures, for intermediate steps."""
    return fmt(x, 4)


def floats(values: Iterable[float]) -> tuple[float, ...]:
    """Plain Python floats (a vector answer), from a list or a NumPy array."""
    return tuple(float(v) for v in np.asarray(list(values), dtype=float).ravel())


def minus(v: float) -> str:
    """ "- 2" or "+ 1.5": subtracting `v`, written the way one would by hand."""
    return f"- {num(v)}" if v >= 0 else f"+ {num(-v)}"


NUMBER_FORMAT = "a number"
WHOLE_NUMBER_FORMAT = "a whole number"


def vector_format(k: int) -> str:
    """The placeholder for a vector answer of `k` entries."""
    return f"{k} numbers, comma-separated"


def pos(index: int) -> int:
    """The 1-based position shown to learners for a 0-based index."""
    return int(index) + 1


def index_format(k: int) -> str:
    """The placeholder for a position among `k` entries."""
    return f"a position from 1 to {k}"


def choice_format(count: int) -> str:
    """The placeholder for a choice among `count` options: "a, b, c or d"."""
    keys = KEYS[:count]
    return ", ".join(keys[:-1]) + f" or {keys[-1]}"


@dataclass(frozen=True)
class Option:
    """One option of a choice problem, and why it is right or wrong (for the solution)."""

    text: str  # Markdown with $math$
    why: str  # Markdown: one sentence


@dataclass(frozen=True)
class Choices:
    """Options in their shuffled order, the key of the right one, and a review of them all."""

    options: tuple[tuple[str, str], ...]
    answer: str
    review: str  # Markdown list: every option with why it is right or wrong

    @property
    def answer_format(self) -> str:
        return choice_format(len(self.options))

    @property
    def wrong_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.options if key != self.answer)


def shuffled(rng: random.Random, right: Option, wrong: Sequence[Option]) -> Choices:
    """Put `right` among `wrong` in an order drawn from `rng`, keyed a, b, c, ..."""
    texts = [o.text for o in (right, *wrong)]
    if len(set(texts)) != len(texts):
        raise ValueError(f"two options read the same: {texts}")
    ordered = [right, *wrong]
    rng.shuffle(ordered)
    keys = KEYS[: len(ordered)]
    answer = keys[ordered.index(right)]
    review = "\n".join(
        f"- **{key}.** {'Right' if o is right else 'Wrong'}: {o.why}"
        for key, o in zip(keys, ordered, strict=True)
    )
    options = tuple((key, o.text) for key, o in zip(keys, ordered, strict=True))
    return Choices(options=options, answer=answer, review=review)


def ordinal_position(i: int) -> str:
    """'position 3 (the third entry)' for the 0-based index 2."""
    names = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    return f"position {pos(i)} (the {names[i]} entry)"


def differs(a: float, b: float, rel: float = 0.05, floor: float = 3e-4) -> bool:
    """Whether two numbers are far enough apart to tell apart when graded (1% and 1e-4)."""
    return abs(a - b) > max(rel * max(abs(a), abs(b)), floor)


def wrong_only(
    answer: Any, candidates: Iterable[Any], tolerance: Tolerance | None = None
) -> tuple[Any, ...]:
    """The candidate mistakes that grading rejects with room to spare, without repeats.

    A candidate may be a `Mistake` with a message, which a learner who types it is shown.

    A typical mistake can land on, or next to, the right answer for some draws (forgetting
    to subtract a logit of 0, say); it is no mistake then. "Room to spare" is three times the
    grading tolerance, so the rounding of a typed answer cannot matter.
    """
    limit = (tolerance or DEFAULT_TOLERANCE).limit

    def far(a: float, b: float) -> bool:
        return abs(a - b) > 3 * limit(a)

    kept: list[Any] = []
    for candidate in candidates:
        if isinstance(candidate, Mistake):  # a named mistake: judged by its answer
            value = wrong_only(answer, (candidate.answer,), tolerance)
            if value and candidate not in kept:
                kept.append(Mistake(value[0], candidate.message))
            continue
        if isinstance(answer, tuple):
            candidate = tuple(float(c) for c in candidate)
            wrong = any(far(a, c) for a, c in zip(answer, candidate, strict=True))
        elif isinstance(answer, float):
            candidate = float(candidate)
            wrong = far(answer, candidate)
        else:
            wrong = candidate != answer
        if wrong and candidate not in kept:
            kept.append(candidate)
    return tuple(kept)


def apart(values: Sequence[float], rel: float = 0.05) -> bool:
    """Whether every pair of `values` differs by more than `rel` (for distinct options)."""
    return all(differs(a, b, rel) for n, a in enumerate(values) for b in values[n + 1 :])
