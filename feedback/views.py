"""Rating a concept and reporting a problem: plain form posts, then back to the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.forms import ExampleReportForm, RatingForm, ReportForm
from lessons.models import WorkedExample
from quizzes import visitors
from quizzes.models import Problem
from techtree import limits
from techtree.models import Concept


def _back(request: HttpRequest, fallback: str) -> str:
    """The page the form was on (a local path only), else `fallback`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _refused(request: HttpRequest, message: str, back: str, status: int) -> HttpResponse:
    return render(
        request, "feedback/refused.html", {"message": message, "back": back}, status=status
    )


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _reporter(request: HttpRequest) -> services.Reporter:
    if request.user.is_authenticated:
        return services.Reporter(request.user, None, limits.address_key(request))
    if request.session.session_key is None:
        request.session.save()  # a visitor is counted by a session of their own
    return services.Reporter(None, request.session.session_key, limits.address_key(request))


@require_POST
def rate(request: HttpRequest, slug: str) -> HttpResponse:
    """Store the learner's rating of a concept they have practised."""
    concept = get_object_or_404(Concept, slug=slug, published=True)
    back = _back(request, f"{concept.get_absolute_url()}#quality")
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _refused(request, _form_error(form), back, 400)
    try:
        services.rate(learner=request.user, concept=concept, stars=form.cleaned_data["stars"])
    except services.FeedbackRefused as error:
        return _refused(request, error.message, back, error.status)
    messages.success(
        request, f"Thank you: you rated {concept.title} {form.cleaned_data['stars']}/5."
    )
    return HttpResponseRedirect(back)


def _report(request: HttpRequest, form: ReportForm, back: str, send, **known) -> HttpResponse:
    """Send a valid report through `send` (a service), with the fields the server supplies."""
    if not form.is_valid():
        return _refused(request, _form_error(form), back, 400)
    try:
        send(reporter=_reporter(request), **form.cleaned_data, **known)
    except services.FeedbackRefused as error:
        return _refused(request, error.message, back, error.status)
    messages.success(request, "Thank you: your report was sent to the authors.")
    return HttpResponseRedirect(back)


@require_POST
def report_example(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a worked example as shown with the seed in its URL (posted with the form)."""
    example = get_object_or_404(
        WorkedExample.objects.select_related("concept", "template"), pk=pk, concept__published=True
    )
    back = _back(request, f"{example.concept.get_absolute_url()}#example-{example.order}")
    form = ExampleReportForm(request.POST)
    return _report(request, form, back, services.report_example, example=example)


@require_POST
def report_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a practice problem; its (secret) seed is looked up here, never posted."""
    problem = get_object_or_404(
        Problem.objects.select_related("concept", "template"), pk=pk, concept__published=True
    )
    back = _back(request, problem.get_absolute_url())
    learner = request.user if request.user.is_authenticated else None
    visitor = None if learner else visitors.load(request)
    seed = selectors.practice_seed_shown(problem, learner=learner, visitor=visitor)
    form = ReportForm(request.POST)
    return _report(request, form, back, services.report_problem, problem=problem, seed=seed)
