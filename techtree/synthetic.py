"""Synthetic tech trees shaped like a real curriculum, for benchmarks and scale tests.

PURE: no Django. A large curriculum is a shared foundation plus many subjects: each subject is
a few dozen concepts deep and builds on a few foundation concepts, rarely on other subjects.
That shape, not a single endless chain, is what a 100,000-concept tree would look like.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DOMAINS = ("Mathematics", "Probability", "Machine Learning", "Deep Learning", "Language Models")


@dataclass(frozen=True, slots=True)
class SyntheticConcept:
    """One made-up concept: its number, title, domain, difficulty, minutes and atom count."""

    number: int
    title: str
    domain: str
    difficulty: int
    minutes: int
    atoms: int


def synthetic_tree(
    size: int, *, subject_size: int = 40, foundation_size: int = 60, seed: int = 0
) -> tuple[list[SyntheticConcept], list[tuple[int, int]]]:
    """`size` concepts and their prerequisite edges (by number); always a DAG."""
    rng = random.Random(seed)
    concepts = [
        SyntheticConcept(
            number=n,
            title=f"Concept {n:06d}",
            domain=DOMAINS[(n // subject_size) % len(DOMAINS)],
            difficulty=rng.randint(1, 5),
            minutes=rng.choice((10, 15, 20, 30, 45)),
            atoms=rng.randint(2, 8),
        )
        for n in range(size)
    ]
    edges: set[tuple[int, int]] = set()
    foundation = min(foundation_size, size)
    for n in range(1, size):
        # The first concept of n's subject (or of the foundation).
        start = 0 if n < foundation else n - (n - foundation) % subject_size
        # Within the foundation or the subject: one to three earlier concepts nearby.
        pool = range(max(start, n - 8), n)
        for prerequisite in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            edges.add((prerequisite, n))
        # A subject's first concepts build on the foundation.
        if n >= foundation and n - start < 3:
            edges.add((rng.randrange(foundation), n))
    return concepts, sorted(edges)
