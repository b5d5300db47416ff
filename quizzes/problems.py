"""Practice problems from Python generators: the practice shelf of the one exercise registry.

PURE: no Django. Generators are registered under stable keys (stored on Problem rows) and
are deterministic in the seed, so a learner's numbers can always be rebuilt from the seed
stored with their attempt. Every answer is computed by the softmax engine.

The generators live in `quizzes/problem_generators/`, one module per group of concepts;
importing this module imports them all, which fills the registry's "practice" shelf
(`REGISTRY`). Their shared wording conventions (positions count from 1, as in the lessons;
three significant figures) are in `problem_generators/writing.py`.
"""

from __future__ import annotations

from exercises import registry
from exercises.exercise import Exercise
from exercises.registry import ProblemInstance

__all__ = ["REGISTRY", "Exercise", "ProblemInstance", "choices", "generate", "register"]

REGISTRY = registry.REGISTRY["practice"]
register = registry.register_problem


def generate(key: str, seed: int) -> Exercise:
    """The problem `key` for this seed (KeyError for an unknown key)."""
    return registry.generate("practice", key, seed)


def choices() -> list[tuple[str, str]]:
    """(key, label) of every generator, for the admin."""
    return registry.choices("practice")


# The generator modules register themselves on import.
from quizzes.problem_generators import (  # noqa: E402, F401
    attention,
    decoding,
    softmax,
    stability,
    transformers,
)
