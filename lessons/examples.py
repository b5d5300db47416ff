"""Worked examples, generated: a seed in, numbered steps with engine-computed numbers out.

PURE: no Django. Each generator is registered under a stable key (stored on WorkedExample
rows) and must be deterministic in its seed: the same seed always gives the same example,
so a URL carrying the seed reproduces it exactly.

Conventions every generator follows:

- Every number shown is computed (by `lessons.engine`, or NumPy for plain arithmetic) from
  the drawn inputs, then rounded for display by `example_generators.display`; the
  full-precision numbers go in `Step.values` as plain floats, ints, bools and lists.
- Shown text never contains "inf" or "nan": overflow is said in words, masked scores are
  written with LaTeX's infinity sign. The one non-finite entry in any `values` is the naive
  exponentials of `stable_softmax_huge_logits`, which really do overflow; `Example.as_dict()`
  and `Example.to_json()` spell it "Infinity" so the example still travels as strict JSON.
- Indices in `inputs` and `values` are 0-based; text shows classes and tokens 1-based.
- `inputs["logits"]`, when present, is a 1-D logit vector (the figures draw it) and
  `inputs["temperature"]` the temperature it is shown at. In the attention and transformer
  examples these logits are computed from the drawn vectors, so the figure shows them too.

The generators live in `lessons/example_generators/`, one module per group of concepts;
importing this module imports them all, which fills `REGISTRY`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How a non-finite float travels in JSON, which has no spelling for it (JSON.parse rejects
# Python's bare Infinity and NaN).
NON_FINITE_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}


@dataclass(frozen=True)
class Step:
    """One numbered step: what is done, the formula with its numbers, and the raw values."""

    title: str
    formula: str  # LaTeX, numbers filled in and rounded for display
    explanation: str = ""  # one or two sentences, Markdown with $math$
    values: dict[str, Any] = field(default_factory=dict)  # full-precision numbers, by name


@dataclass(frozen=True)
class Example:
    """A generated worked example, ready to show or animate."""

    key: str
    seed: int
    statement: str  # Markdown with $math$
    steps: tuple[Step, ...]
    result: str  # Markdown with $math$
    insight: str
    inputs: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The example as JSON-safe plain data: non-finite floats become "Infinity" etc."""
        return json_safe(dataclasses.asdict(self))

    def to_json(self) -> str:
        """The example as strict JSON text (what `json_script` or a player can ship)."""
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
    raise TypeError(f"{type(value).__name__} is not plain example data")


Generator = Callable[[str, int, random.Random], Example]


@dataclass(frozen=True)
class Registered:
    """A generator under its stable key, with the title shown to authors."""

    key: str
    title: str
    build: Generator


REGISTRY: dict[str, Registered] = {}


def register(key: str, title: str) -> Callable:
    """Register a generator `build(key, seed, rng) -> Example` under a stable key."""

    def wrap(build: Generator) -> Generator:
        if key in REGISTRY:
            raise ValueError(f"example generator {key!r} registered twice")
        REGISTRY[key] = Registered(key=key, title=title, build=build)
        return build

    return wrap


def generate(key: str, seed: int) -> Example:
    """The example `key` for this seed (KeyError for an unknown key)."""
    registered = REGISTRY[key]
    return registered.build(key, seed, random.Random(seed))


def choices() -> list[tuple[str, str]]:
    """(key, title) of every generator, for the admin's select box."""
    return sorted((r.key, f"{r.title} ({r.key})") for r in REGISTRY.values())


# The generator modules register themselves on import. They import the names above from
# this module, so the import has to come after those names exist.
from lessons.example_generators import (  # noqa: E402, F401
    attention,
    decoding,
    foundations,
    losses,
    softmax,
    stability,
    transformers,
)
