"""Review actions: answer the review posed, or reveal its hint.

Both work as plain form posts (then back to the dashboard, where the feedback is shown once
above the next review) and, with `Accept: application/json`, answer with the re-rendered
review section so review.js puts the next review in place without leaving the page.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from quizzes import answers
from review import pages, services
from techtree.models import Concept

FEEDBACK_KEY = pages.FEEDBACK_KEY
ECHO_LENGTH = 200


def _round(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("round", ""))
    except ValueError:
        return -1


def _respond(request: HttpRequest, feedback: dict, status: int = 200) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        section = pages.dashboard_section(request, feedback=feedback)
        html = render_to_string(section["template"], {"section": section}, request=request)
        return JsonResponse({**feedback, "html": html}, status=status)
    request.session[FEEDBACK_KEY] = feedback
    return redirect(reverse("quizzes:dashboard") + "#review")


def _concept(slug: str) -> Concept:
    return get_object_or_404(Concept, slug=slug, published=True)


@login_required
@require_POST
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    """Grade the review posed for this concept, rate it and reschedule it."""
    concept = _concept(slug)
    raw = request.POST.get("answer", "")
    try:
        submission = uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        submission = uuid.uuid4()
    try:
        if "\x00" in raw:
            raise answers.AnswerError("Your answer holds a character we cannot read.")
        result = services.answer_review(
            learner=request.user,
            concept=concept,
            raw=raw,
            round_=_round(request),
            submission=submission,
        )
    except answers.AnswerError as error:
        return _respond(request, {"error": error.message, "raw": raw[:ECHO_LENGTH]}, 400)
    except services.ReviewRefused as error:
        return _respond(request, {"error": error.message}, error.status)
    return _respond(
        request,
        {
            "concept": concept.title,
            "correct": result.correct,
            "message": result.message,
            "expected": result.expected,
            "rating": result.rating.name,
            "due": result.due.isoformat(),
            "duplicate": result.duplicate,
        },
    )


@login_required
@require_POST
def hint(request: HttpRequest, slug: str) -> HttpResponse:
    """One more hint on the review posed (a right answer then counts as Hard)."""
    concept = _concept(slug)
    try:
        services.reveal_hint(learner=request.user, concept=concept, round_=_round(request))
    except services.ReviewRefused as error:
        return _respond(request, {"error": error.message}, error.status)
    return _respond(request, {"hint": True})
