"""Worked examples rendered once per content version and seed, for everyone, in the shared cache.

An example's numbers follow from its seed, and that seed is public (it is in the example's
link: a visitor sees seed 1, a learner their own), so the rendered example, with its numbers,
steps, links and "Report a problem" form, is the same for every reader with that seed but
for the form's CSRF token and way back, kept as marks (`techtree.marks`) that the page fills
in per response. The concept page reads all its examples from the shared cache in one round trip
and builds and renders only the missing ones: nine examples with their forms took about
4 ms of the softmax page's template time per request, reading them back takes a fraction.
Practice cards, whose seeds are secret, are cached by `quizzes.fragments` under a keyed
digest of the seed.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from lessons.models import WorkedExample
from techtree import marks
from techtree.versions import cached_fragments

TEMPLATE = "lessons/_example.html"


def example_name(row: WorkedExample, seed: int) -> str:
    """A rendered example's name under the content version: concept, place and seed."""
    return f"example:{row.concept_id}:{row.order}:{seed}:{marks.tag()}"


def render_example(shown: Any, *, request: HttpRequest) -> str:
    """An example built for its seed and rendered as the concept page shows it, with marks
    for the per-request parts (the request only gives the context processors' constant parts,
    such as the report form's)."""
    built = dataclasses.replace(shown, example=shown.row.build(shown.seed))
    context = {"shown": built, "csrf_token": marks.CSRF_TOKEN, "request": marks.marked_request()}
    return render_to_string(TEMPLATE, context, request=request)


def examples_html(shown: list, *, request: HttpRequest, version: str) -> SafeString:
    """The concept page's worked examples in order, with marks for the CSRF token and address
    (the page fills them in): one read of the shared cache, the missing ones rendered and
    kept."""
    if not shown:
        return mark_safe("")
    names = [example_name(example.row, example.seed) for example in shown]
    found = cached_fragments(
        {
            name: partial(render_example, example, request=request)
            for name, example in zip(names, shown, strict=True)
        },
        version=version,
    )
    return mark_safe("".join(found[name] for name in names))  # our own template escaped it
