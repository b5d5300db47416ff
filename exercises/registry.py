"""The one registry of Python exercise generators: a stable key and a seed in, an Exercise out.

PURE: no Django. A generator registers as a worked example (`register_example`) or as a
practice problem (`register_problem`); keys are stable (stored on WorkedExample and Problem
rows) and unique within their role, and every generator is deterministic in its seed, so a
URL or a stored attempt carrying the seed rebuilds the same exercise. Templates
(`exercises.templates`) build the same `Exercise` from data, without a registry entry.

The generator modules live in `lessons/example_generators/` and `quizzes/problem_generators/`
and register themselves when imported (`lessons.examples` and `quizzes.problems` import
them). They build exercises through `Example(...)` and `ProblemInstance(...)` below, the
spellings they were written with. What both kinds share (rounded display, draws, the
logit-lens readout) is part of this kit: `exercises.display`, `exercises.draws`,
`exercises.readout`, so practice code never reaches into the worked examples.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from exercises.exercise import Exercise, Mistake

ROLES = ("example", "practice")


@dataclass(frozen=True)
class Registered:
    """A generator under its stable key, with the title (and for practice the kind and
    difficulty) that authors see."""

    key: str
    role: str
    title: str
    build: Callable[[int], Exercise]  # seed in, exercise out
    kind: str = ""
    difficulty: str = ""


REGISTRY: dict[str, dict[str, Registered]] = {role: {} for role in ROLES}


def _add(registered: Registered) -> None:
    shelf = REGISTRY[registered.role]
    if registered.key in shelf:
        raise ValueError(f"{registered.role} generator {registered.key!r} registered twice")
    shelf[registered.key] = registered


def register_example(key: str, title: str) -> Callable:
    """Register a worked-example generator `build(key, seed, rng) -> Exercise`."""

    def wrap(build: Callable[[str, int, random.Random], Exercise]):
        _add(Registered(key, "example", title, lambda seed: build(key, seed, random.Random(seed))))
        return build

    return wrap


def register_problem(key: str, *, title: str, kind: str, difficulty: str) -> Callable:
    """Register a practice-problem generator `build(rng) -> Exercise` (key and seed are
    filled in here)."""

    def wrap(build: Callable[[random.Random], Exercise]):
        def seeded(seed: int) -> Exercise:
            return replace(build(random.Random(seed)), key=key, seed=seed)

        _add(Registered(key, "practice", title, seeded, kind, difficulty))
        return build

    return wrap


def generate(role: str, key: str, seed: int) -> Exercise:
    """The exercise `key` of this role for a seed (KeyError for an unknown key)."""
    return REGISTRY[role][key].build(seed)


def choices(role: str) -> list[tuple[str, str]]:
    """(key, label) of every generator of a role, for the admin's select box."""
    shelf = REGISTRY[role].values()
    if role == "practice":
        return sorted((r.key, f"{r.title} [{r.difficulty}] ({r.key})") for r in shelf)
    return sorted((r.key, f"{r.title} ({r.key})") for r in shelf)


def Example(*, result: str, **fields: Any) -> Exercise:
    """A worked example as the example generators write it: `result` is its solution."""
    return Exercise(solution=result, **fields)


def ProblemInstance(*, count: int | None = None, mistakes: tuple = (), **fields: Any) -> Exercise:
    """A problem as the problem generators write it: `count` positions, unnamed mistakes."""
    return Exercise(
        key="",
        seed=0,
        positions=count,
        mistakes=tuple(m if isinstance(m, Mistake) else Mistake(m) for m in mistakes),
        **fields,
    )
