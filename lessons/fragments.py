"""Worked examples rendered once per content version and seed, for everyone, in the shared cache.

An example's numbers follow from its seed, and that seed is public (it is in the example's
link: a visitor sees seed 1, a learner their own), so its rendered numbers, steps and links
are the same for every reader with that seed. The concept page reads all its examples from
the shared cache in the same round trip as its lesson, and builds and renders only the
missing ones. What is the reader's own (the report form with its CSRF token and return
address) is rendered around them per request. Practice cards, whose seeds are secret, are
cached by `quizzes.fragments` under a keyed digest of the seed.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from lessons.models import WorkedExample

BODY_TEMPLATE = "lessons/_example_body.html"


def example_name(row: WorkedExample, seed: int) -> str:
    """An example body's name under the content version: concept, place and seed."""
    return f"example-body:{row.concept_id}:{row.order}:{seed}"


def render_example_body(shown: Any) -> str:
    """A shown example's numbers, steps, figures and links as HTML (no per-reader parts)."""
    return render_to_string(BODY_TEMPLATE, {"shown": shown})
