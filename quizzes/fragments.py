"""Practice cards rendered once per content version, secret seed and state, in the shared cache.

A card's numbers, hints and solution follow from its seed, which is secret
(`quizzes.practice_seeds`): the cache key names the seed only by a keyed digest, and the
cached HTML holds what the page shows anyway, never the seed. What a card shows also follows
from where the reader stands on it (hints and solution shown, solved, attempts, signed in or
not), so that is part of the name; a card showing feedback (after an answer posted without
JavaScript) is rendered afresh. The cached HTML is the card and its "Report a problem" form
(`quizzes/_card.html`). What is the reader's own in every response is left as a mark and
filled in per request: the CSRF token and the page's address by the page
(`techtree.marks`), the card's submission id, a comment like the token's mark, here.
"""

from __future__ import annotations

import dataclasses
import uuid
from functools import partial
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from quizzes.practice_seeds import seed_digest
from quizzes.selectors import practice_view
from techtree import marks
from techtree.versions import cached_fragment, cached_fragments

TEMPLATE = "quizzes/_card.html"
PRACTICE_TEMPLATE = "quizzes/_practice.html"
SUBMISSION_MARK = mark_safe("<!--submission-->")


def card_name(card: Any, *, signed_in: bool) -> str | None:
    """A card's name under the content version (None: not cached, it shows feedback)."""
    if card.feedback:
        return None
    state = f"{card.hints_shown}:{card.solution_shown:d}:{card.solved:d}:{card.attempts}"
    seed = seed_digest(card.seed)
    return f"problem-card:{card.problem.pk}:{seed}:{state}:{signed_in:d}:{marks.tag()}"


def render_card(card: Any, *, signed_in: bool, request: HttpRequest) -> str:
    """A card as `quizzes/_card.html` renders it, with marks for the per-request parts (the
    request only gives the context processors' constant parts, such as the report form's)."""
    context = {
        "card": dataclasses.replace(card, submission=SUBMISSION_MARK),
        "csrf_token": marks.CSRF_TOKEN,
        "user": SimpleNamespace(is_authenticated=signed_in),
        "request": marks.marked_request(),
    }
    return render_to_string(TEMPLATE, context, request=request)


def fill(html: str, *, submission: Any) -> str:
    """A cached card with its submission id for this response."""
    return html.replace(SUBMISSION_MARK, conditional_escape(str(submission)))


def render_cards(cards: list, *, request: HttpRequest, version: str) -> None:
    """Give each card without feedback its HTML (`card.html`) from the shared cache, in one
    read, with marks for the CSRF token and address that the page fills in; missing ones are
    rendered and kept."""
    signed_in = request.user.is_authenticated
    names = [card_name(card, signed_in=signed_in) for card in cards]
    found = cached_fragments(
        {
            name: partial(render_card, card, signed_in=signed_in, request=request)
            for card, name in zip(cards, names, strict=True)
            if name is not None
        },
        version=version,
    )
    for card, name in zip(cards, names, strict=True):
        if name is not None:
            html = fill(found[name], submission=card.submission)
            card.html = mark_safe(html)  # rendered by our own template, escaped there


def visitor_practice_html(
    request: HttpRequest, view: Any, visitor: Any, *, version: str
) -> SafeString:
    """A returning visitor's whole practice section (`_practice.html`) at the page's own
    address, kept per content version under their fingerprint (`VisitorPractice`): one read
    where the problems, their cards and the section's render were three steps. Each card gets
    a submission id of its own here, fresh in every response."""

    def build() -> str:
        practice = practice_view(view.concept, view.prerequisites, visitor=visitor, version=version)
        for card in practice.cards:
            card.submission = SUBMISSION_MARK
        render_cards(practice.cards, request=request, version=version)
        context = {"practice": practice, "concept": view.concept, "csrf_token": marks.CSRF_TOKEN}
        return render_to_string(PRACTICE_TEMPLATE, context, request=request)

    name = f"practice-section:{view.concept.pk}:{visitor.fingerprint()}:{marks.tag()}"
    first, *rest = cached_fragment(name, build, version=version).split(SUBMISSION_MARK)
    return mark_safe(first + "".join(str(uuid.uuid4()) + piece for piece in rest))
