"""Practice cards rendered once per content version, secret seed and state, in the shared cache.

A card's numbers, hints and solution follow from its seed, which is secret
(`quizzes.practice_seeds`): the cache key names the seed only by a keyed digest, and the
cached HTML holds what the page shows anyway, never the seed. What a card shows also follows
from where the reader stands on it (hints and solution shown, solved, attempts, signed in or
not), so that is part of the name; a card showing feedback (after an answer posted without
JavaScript) is rendered afresh. What is the reader's own in every response, the CSRF token
and the submission id, is left as a mark in the cached HTML and filled in per request: a
comment, which neither an escaped value nor sanitised Markdown can ever produce.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from quizzes.practice_seeds import seed_digest

TEMPLATE = "quizzes/_problem.html"
CSRF_MARK = mark_safe("<!--csrf-token-->")
SUBMISSION_MARK = mark_safe("<!--submission-->")


def card_name(card: Any, *, signed_in: bool) -> str | None:
    """A card's name under the content version (None: not cached, it shows feedback)."""
    if card.feedback:
        return None
    state = f"{card.hints_shown}:{card.solution_shown:d}:{card.solved:d}:{card.attempts}"
    return f"problem-card:{card.problem.pk}:{seed_digest(card.seed)}:{state}:{signed_in:d}"


def render_card(card: Any, *, signed_in: bool) -> str:
    """A card as `quizzes/_problem.html` renders it, with marks for the per-request parts."""
    marked = dataclasses.replace(card, submission=SUBMISSION_MARK)
    user = SimpleNamespace(is_authenticated=signed_in)
    return render_to_string(TEMPLATE, {"card": marked, "csrf_token": CSRF_MARK, "user": user})


def fill(html: str, *, csrf_token: str, submission: Any) -> SafeString:
    """A cached card with this response's CSRF token and the card's submission id."""
    return mark_safe(
        html.replace(CSRF_MARK, conditional_escape(csrf_token)).replace(
            SUBMISSION_MARK, conditional_escape(str(submission))
        )
    )
