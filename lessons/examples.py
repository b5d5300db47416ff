"""Worked examples from Python generators: the example shelf of the one exercise registry.

PURE: no Django. The generators live in `lessons/example_generators/`, one module per group
of concepts; importing this module imports them all, which fills the registry's "example"
shelf (`REGISTRY`). Each builds an `exercises.Exercise` (conventions in
`exercises.exercise`); the full-precision numbers go in `Step.values`, shown numbers are
rounded by `exercises.display`. The one non-finite entry in any `values` is the
naive exponentials of `stable_softmax_huge_logits`, which really do overflow.
"""

from __future__ import annotations

from exercises import registry
from exercises.exercise import Exercise, Step, json_safe
from exercises.registry import Example
from exercises.registry import register_example as register

__all__ = ["REGISTRY", "Example", "Exercise", "Step", "choices", "generate", "json_safe"]
__all__ += ["register"]

REGISTRY = registry.REGISTRY["example"]


def generate(key: str, seed: int) -> Exercise:
    """The example `key` for this seed (KeyError for an unknown key)."""
    return registry.generate("example", key, seed)


def choices() -> list[tuple[str, str]]:
    """(key, title) of every generator, for the admin's select box."""
    return registry.choices("example")


# The generator modules register themselves on import.
from lessons.example_generators import (  # noqa: E402, F401
    attention,
    decoding,
    foundations,
    losses,
    softmax,
    stability,
    transformers,
)
