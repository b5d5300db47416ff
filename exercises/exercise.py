"""The one exercise object that worked examples and practice problems are made of.

PURE: no Django. Conventions every source (generator or template) follows:

- Every number shown is computed from the drawn inputs; full-precision numbers of a step go
  in `Step.values` as plain floats, ints, bools and lists.
- Indices in `inputs` and `values` are 0-based; text shows classes and positions 1-based.
- `inputs["logits"]`, when present, is a 1-D logit vector (the figures draw it) and
  `inputs["temperature"]` the temperature it is shown at.
- Shown text never contains "inf" or "nan"; a non-finite float in `values` travels in JSON
  spelled "Infinity" (`as_dict`, `to_json`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

from quizzes import answers
from quizzes.answers import Tolerance

# How a non-finite float travels in JSON, which has no spelling for it (JSON.parse rejects
# Python's bare Infinity and NaN).
NON_FINITE_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}
KINDS = answers.KINDS  # "number", "vector", "choice", "index" (a position counting from 1)


@dataclass(frozen=True)
class Step:
    """One numbered step: what is done, the formula with its numbers, and the raw values."""

    title: str
    formula: str  # LaTeX, numbers filled in and rounded for display
    explanation: str = ""  # one or two sentences, Markdown with $math$
    values: dict[str, Any] = field(default_factory=dict)  # full-precision numbers, by name


@dataclass(frozen=True)
class Mistake:
    """A wrong-but-plausible answer for these numbers, and what to tell a learner who types it.

    A generator's mistakes may have no message: tests grade them as wrong, learners are told
    nothing more than "Not quite."
    """

    answer: Any
    message: str = ""


@dataclass(frozen=True)
class Exercise:
    """An exercise as one seed poses it: shown solved as a worked example, or asked.

    `kind` is "" for an exercise that only serves as a worked example and has no answer to
    grade; `solution` is the worked solution's conclusion for these numbers.
    """

    key: str
    seed: int
    statement: str  # Markdown with $math$
    steps: tuple[Step, ...] = ()
    hints: tuple[str, ...] = ()  # Markdown, revealed one at a time
    solution: str = ""  # Markdown with $math$
    insight: str = ""
    answer: Any = None  # float, tuple of floats, choice key, or a position counting from 1
    kind: str = ""
    tolerance: Tolerance | None = None  # None: the caller's (e.g. the problem row's)
    options: tuple[tuple[str, str], ...] = ()  # (key, Markdown) for "choice"
    positions: int | None = None  # "index": how many positions there are to choose from
    mistakes: tuple[Mistake, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)  # the drawn numbers, as drawn
    allow_percent: bool = False
    answer_format: str = ""  # e.g. "three numbers, comma-separated"

    def grade(self, raw: str, tolerance: Tolerance | None = None) -> answers.Grade:
        """Grade what a learner typed against these numbers; AnswerError if unreadable.

        The exercise's own tolerance wins over `tolerance` (the problem row's), because some
        exercises ask for fewer digits than the default allows for.
        """
        return self._grade_against(self.answer, raw, tolerance)

    def mistake_for(self, raw: str, tolerance: Tolerance | None = None) -> Mistake | None:
        """The named mistake a (wrong) answer looks like, if any; never raises."""
        for mistake in self.mistakes:
            if not mistake.message:
                continue
            try:
                if self._grade_against(mistake.answer, raw, tolerance).correct:
                    return mistake
            except ValueError:  # AnswerError included: unreadable is no mistake
                continue
        return None

    def _grade_against(self, expected: Any, raw: str, tolerance: Tolerance | None):
        return answers.grade(
            self.kind,
            raw,
            expected,
            tolerance=self.tolerance or tolerance or answers.DEFAULT_TOLERANCE,
            options=[key for key, _ in self.options] or None,
            allow_percent=self.allow_percent,
            count=self.positions,
        )

    @property
    def expected(self) -> str:
        """The expected answer as a learner would type it."""
        return answers.format_answer(self.kind, self.answer)

    @property
    def gradable(self) -> bool:
        """Whether this exercise asks for an answer (a practice problem can be made of it)."""
        return bool(self.kind)

    def as_dict(self) -> dict[str, Any]:
        """The exercise as JSON-safe plain data: non-finite floats become "Infinity" etc."""
        return json_safe(dataclasses.asdict(self))

    def to_json(self) -> str:
        """The exercise as strict JSON text (what `json_script` or a player can ship)."""
        return json.dumps(self.as_dict(), allow_nan=False, ensure_ascii=False)


def json_safe(value: Any) -> Any:
    """Plain data with tuples as lists and non-finite floats spelled as strings.

    Overflow is real content in some examples (the naive exponentials of huge logits), so it
    is kept, spelled "Infinity", "-Infinity" or "NaN", rather than dropped or sent as the bare
    tokens that strict JSON parsers refuse.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return NON_FINITE_NAMES.get(value, float(value))
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not plain exercise data")
