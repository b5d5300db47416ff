"""The test-out page: its questions, then its result (learners keep it, visitors are invited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from placement import services
from quizzes import answers
from techtree.models import Concept

VISITOR_KEY = "test_out"


def _typed(request: HttpRequest, questions) -> dict[int, str]:
    return {q.problem.pk: request.POST.get(f"answer-{q.problem.pk}", "")[:400] for q in questions}


def _visitor_questions(request: HttpRequest, concept: Concept) -> list[dict]:
    """A visitor's questions, kept in their session until graded (nothing is credited)."""
    kept = request.session.get(VISITOR_KEY) or {}
    if concept.slug not in kept:
        prerequisites = list(concept.prerequisites.filter(published=True).order_by("title"))
        kept[concept.slug] = services.choose_questions(prerequisites)
        request.session[VISITOR_KEY] = kept
    return kept[concept.slug]


def test_out(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the questions (a learner's test-out begins); POST: grade them once."""
    concept = get_object_or_404(Concept, slug=slug, published=True)
    learner = request.user if request.user.is_authenticated else None
    context = {"concept": concept, "visitor": learner is None}
    test_out = None
    try:
        if learner is not None:
            test_out = services.begin(learner=learner, concept=concept)
            stored = test_out.questions
        else:
            stored = _visitor_questions(request, concept)
    except services.TestOutRefused as refused:
        context["refused"] = refused.message
        return render(request, "placement/test_out.html", context, status=refused.status)
    questions = services.questions_of(stored)
    context["questions"] = [(q, q.problem.instance(q.seed)) for q in questions]
    context["cool_down"] = services.COOL_DOWN
    if request.method != "POST":
        return render(request, "placement/test_out.html", context)
    typed = _typed(request, questions)
    context["typed"] = typed
    try:
        if learner is not None:
            outcome = services.submit(learner=learner, test_out_id=test_out.pk, typed=typed)
        else:
            right, wrong, expected = services.grade_answers(questions, typed)
            outcome = services.Outcome(not wrong, right, wrong, [], expected)
            request.session[VISITOR_KEY].pop(concept.slug, None)
            request.session.modified = True
    except answers.AnswerError as error:
        context["error"] = error.message
        return render(request, "placement/test_out.html", context, status=400)
    except services.TestOutRefused as refused:
        context["refused"] = refused.message
        return render(request, "placement/test_out.html", context, status=refused.status)
    context["outcome"] = outcome
    return render(request, "placement/test_out.html", context)


def _back() -> HttpResponse:
    return redirect(reverse("quizzes:dashboard") + "#placement")


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Begin the placement (new learners only)."""
    try:
        services.start_placement(learner=request.user)
    except services.TestOutRefused as refused:
        messages.warning(request, refused.message)
    return _back()


@login_required
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    """Grade the placement's question (or 'not learnt yet'), then on to the next."""
    try:
        concept_id = int(request.POST.get("concept", ""))
    except ValueError:
        concept_id = -1
    raw = None if request.POST.get("unknown") else request.POST.get("answer", "")[:400]
    try:
        run = services.answer_placement(learner=request.user, concept_id=concept_id, raw=raw)
    except answers.AnswerError as error:
        messages.warning(request, f"{error.message} Nothing was counted.")
    except services.TestOutRefused as refused:
        messages.info(request, refused.message)
    else:
        if run.finished:
            messages.success(request, "Placement done: what you know is credited as placed.")
    return _back()
