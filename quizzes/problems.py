"""Practice problem generators: a seed in, a problem with its answer and solution out.

PURE: no Django. Generators are registered under stable keys (stored on Problem rows) and
are deterministic in the seed, so a learner's numbers can always be rebuilt from the seed
stored with their attempt. Every answer is computed by the softmax engine.

The generators live in `quizzes/problem_generators/`, one module per group of concepts;
importing this module imports them all, which fills `REGISTRY`. Their shared wording
conventions (positions count from 1, as in the lessons; three significant figures) are in
`problem_generators/writing.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lessons.examples import Step
from quizzes import answers
from quizzes.answers import Tolerance


@dataclass(frozen=True)
class ProblemInstance:
    """A problem as posed for one seed."""

    statement: str  # Markdown with $math$
    kind: str  # "number", "vector", "choice" or "index"
    answer: Any  # float, tuple of floats, choice key, or a position counting from 1
    hints: tuple[str, ...] = ()  # Markdown, revealed one at a time
    solution: str = ""  # Markdown with $math$: the worked solution for these numbers
    steps: tuple[Step, ...] = ()  # the engine's steps for these numbers
    options: tuple[tuple[str, str], ...] = ()  # (key, Markdown) for "choice"
    tolerance: Tolerance | None = None  # None: the Problem row's tolerance
    allow_percent: bool = False
    answer_format: str = ""  # e.g. "three numbers, comma-separated"
    inputs: dict[str, Any] = field(default_factory=dict)  # the drawn numbers, as drawn
    mistakes: tuple[Any, ...] = ()  # typical wrong answers for these numbers (tests grade them)
    count: int | None = None  # "index": how many positions there are to choose from

    def grade(self, raw: str, tolerance: Tolerance | None = None) -> answers.Grade:
        """Grade what a learner typed against these numbers; AnswerError if unreadable.

        The instance's own tolerance wins over `tolerance` (the problem row's), because some
        generators ask for fewer digits than the default allows for.
        """
        return answers.grade(
            self.kind,
            raw,
            self.answer,
            tolerance=self.tolerance or tolerance or answers.DEFAULT_TOLERANCE,
            options=[key for key, _ in self.options] or None,
            allow_percent=self.allow_percent,
            count=self.count,
        )

    @property
    def expected(self) -> str:
        """The expected answer as a learner would type it."""
        return answers.format_answer(self.kind, self.answer)


@dataclass(frozen=True)
class Registered:
    """A generator under its stable key, with the title, kind and difficulty authors see."""

    key: str
    title: str
    kind: str
    difficulty: str
    build: Callable[[random.Random], ProblemInstance]


REGISTRY: dict[str, Registered] = {}


def register(key: str, *, title: str, kind: str, difficulty: str) -> Callable:
    """Register a generator `build(rng) -> ProblemInstance` under a stable key."""

    def wrap(build: Callable[[random.Random], ProblemInstance]):
        if key in REGISTRY:
            raise ValueError(f"problem generator {key!r} registered twice")
        REGISTRY[key] = Registered(key, title, kind, difficulty, build)
        return build

    return wrap


def generate(key: str, seed: int) -> ProblemInstance:
    """The problem `key` for this seed (KeyError for an unknown key)."""
    return REGISTRY[key].build(random.Random(seed))


def choices() -> list[tuple[str, str]]:
    """(key, label) of every generator, for the admin."""
    return sorted((r.key, f"{r.title} [{r.difficulty}] ({r.key})") for r in REGISTRY.values())


# The generator modules register themselves on import. They import the names above from
# this module, so the import has to come after those names exist.
from quizzes.problem_generators import (  # noqa: E402, F401
    attention,
    decoding,
    foundations,
    losses,
    softmax,
    stability,
    transformers,
)
