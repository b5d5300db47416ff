"""Practice actions and the dashboard.

Every action works as a plain form post (then a redirect back to the problem on its concept
page, where the feedback is shown once) and, when the page's script asks for JSON with
`Accept: application/json`, answers in place with the feedback and the re-rendered card.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from quizzes import answers, hooks, progress, selectors, visitors
from quizzes.models import Problem
from quizzes.visitors import SESSION_KEY, VisitorPractice
from techtree import limits

FEEDBACK_KEY = "practice_feedback"
VISITOR_KEY = SESSION_KEY  # where a visitor's practice lives in the session
ECHO_LENGTH = 200  # characters of the learner's text sent back with the feedback


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _problem(pk: int) -> Problem:
    return get_object_or_404(
        Problem.objects.select_related("concept"), pk=pk, concept__published=True
    )


def _visitor(request: HttpRequest) -> VisitorPractice:
    """A visitor's numbers, hints and given-up problems, kept in their session."""
    return visitors.load(request)


def _learner(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _respond(request, problem: Problem, feedback: dict, status: int = 200) -> HttpResponse:
    """Answer in place (JSON with the card) or keep the feedback for the page we go back to."""
    if _wants_json(request):
        card = selectors.problem_card(
            problem, learner=_learner(request), visitor=_visitor(request), feedback=feedback
        )
        html = render_to_string("quizzes/_problem.html", {"card": card}, request=request)
        return JsonResponse({**feedback, "html": html}, status=status)
    if status == progress.RateLimited.status:
        # A redirect cannot say 429; the page says what happened and links back.
        return render(
            request,
            "quizzes/slow_down.html",
            {"problem": problem, "message": feedback["error"]},
            status=status,
        )
    stored = request.session.get(FEEDBACK_KEY, {})
    stored[str(problem.pk)] = feedback
    request.session[FEEDBACK_KEY] = stored
    return redirect(f"{problem.concept.get_absolute_url()}#problem-{problem.pk}")


def _refused(request, problem: Problem, message: str, raw: str, status: int) -> HttpResponse:
    return _respond(request, problem, {"error": message, "raw": raw[:ECHO_LENGTH]}, status)


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Grade an answer; store it for a signed-in learner; explain input we cannot read."""
    problem = _problem(pk)
    raw = request.POST.get("answer", "")
    try:
        submission = uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        submission = uuid.uuid4()
    learner = _learner(request)
    try:
        if "\x00" in raw:
            raise answers.AnswerError("Your answer holds a character we cannot read.")
        if learner is not None:
            result = progress.record_attempt(
                learner=learner, problem=problem, raw=raw, submission=submission
            )
        else:
            visitor = _visitor(request)
            seed = visitor.keep(pk)  # an answer on these numbers: they stay this visitor's
            if visitor.changed:
                visitor.save(request.session)
                request.session.save()  # its key counts this visitor's answers (the limit)
            result = progress.grade_for_visitor(
                problem=problem,
                raw=raw,
                seed=seed,
                session=request.session.session_key,
                address=limits.address_key(request),
            )
            if result.correct:  # kept in the session, for a sign-up to keep
                visitor.record_solve(pk, seed, raw)
                visitor.save(request.session)
    except answers.AnswerError as error:
        return _refused(request, problem, error.message, raw, status=400)
    except progress.PracticeRefused as error:
        return _refused(request, problem, error.message, raw, status=error.status)
    feedback = {
        "correct": result.correct,
        "message": result.message,
        "wrong_components": [i + 1 for i in result.wrong_components],
        "expected": result.expected,
        "attempts_left": result.attempts_left if result.stored else None,
        "stored": result.stored,
        "duplicate": result.duplicate,
        "raw": raw[:ECHO_LENGTH],
        "mistake": result.mistake,
        "mastered": result.mastered,
        "unlocked": [{"title": c.title, "url": c.get_absolute_url()} for c in result.unlocked],
        "status": result.status.value if result.status else None,
    }
    if result.mastered and not _wants_json(request):
        names = ", ".join(c.title for c in result.unlocked) or "nothing new yet"
        messages.success(request, f"You mastered {problem.concept.title}! Unlocked: {names}.")
    return _respond(request, problem, feedback)


def _step(request: HttpRequest, pk: int, for_learner, for_visitor, done: str) -> HttpResponse:
    """One step on a problem: stored through `progress` for a learner, kept in the session
    for a visitor; `done` names it in the JSON answer."""
    problem = _problem(pk)
    if request.user.is_authenticated:
        try:
            for_learner(learner=request.user, problem=problem)
        except progress.PracticeRefused as error:
            return _refused(request, problem, error.message, "", error.status)
    else:
        visitor = _visitor(request)
        for_visitor(visitor, problem)
        visitor.save(request.session)
    return _respond(request, problem, {done: True})


def _visitor_hint(visitor: VisitorPractice, problem: Problem) -> None:
    visitor.reveal_hint(problem.pk, available=len(problem.instance(visitor.seed(problem.pk)).hints))


@require_POST
def hint(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal one more hint."""
    return _step(request, pk, progress.reveal_hint, _visitor_hint, "hint")


@require_POST
def solution(request: HttpRequest, pk: int) -> HttpResponse:
    """Give up on these numbers and show the worked solution."""
    return _step(
        request, pk, progress.reveal_solution, lambda v, p: v.reveal_solution(p.pk), "solution"
    )


@require_POST
def new_numbers(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the problem again with fresh numbers."""
    return _step(request, pk, progress.new_numbers, lambda v, p: v.new_numbers(p.pk), "new_numbers")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The learner's tree by status, what was unlocked, what to learn next, and history."""
    data = selectors.dashboard(request.user, page=request.GET.get("page", 1))
    context = {"data": data, "tree_json": data.tree_json()}
    context["sections"] = hooks.dashboard_sections(request)
    return render(request, "quizzes/dashboard.html", context)


def pop_feedback(request: HttpRequest) -> dict:
    """Feedback left by a form post for the page we came back to (read once)."""
    if FEEDBACK_KEY not in request.session:
        return {}
    return request.session.pop(FEEDBACK_KEY)
