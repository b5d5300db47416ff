"""Worked-example pages, server-rendered figures and the softmax visualizer."""

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lessons import figures, seeds, selectors
from lessons.models import WorkedExample
from lessons.pages import VISUALIZER_CONCEPT

FIGURE_RETRY_AFTER = 5  # seconds: a busy drawing lock frees within a few renders


@require_safe
def example(request: HttpRequest, slug: str, order: int, seed: int) -> HttpResponse:
    """One worked example for one seed: shareable, reproducible."""
    if not seeds.valid_seed(seed):
        raise Http404(f"Seeds run from 0 to {seeds.MAX_SEED}; {seed} is out of range.")
    try:
        shown = selectors.example_view(slug, order, seed)
    except WorkedExample.DoesNotExist:
        raise Http404(f"No worked example number {order} for “{slug}”.") from None
    return render(
        request,
        "lessons/example_page.html",
        {
            "shown": shown,
            "concept": shown.row.concept,
            "siblings": selectors.sibling_examples(shown.row.concept),
        },
    )


@never_cache  # a fresh seed on every visit, never a remembered redirect
@require_safe
def new_numbers(request: HttpRequest, slug: str, order: int) -> HttpResponse:
    """Send the learner to the same example with a fresh random seed."""
    if not selectors.example_exists(slug, order):
        raise Http404(f"No worked example number {order} for “{slug}”.")
    return redirect("lessons:example", slug=slug, order=order, seed=seeds.fresh_seed())


@require_safe
def figure(request: HttpRequest, kind: str) -> HttpResponse:
    """A matplotlib figure as SVG, from parameters in the query string; cached for everyone."""
    try:
        spec = figures.parse_request(kind, request.GET)
    except figures.FigureError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    try:
        svg = cache.get_or_set(spec.cache_key(), lambda: figures.render(spec).svg, timeout=None)
    except figures.FigureBusy:
        response = HttpResponse(
            "Other figures are being drawn right now; try again in a few seconds.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(FIGURE_RETRY_AFTER)
        return response
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def visualizer(request: HttpRequest) -> HttpResponse:
    """The softmax visualizer, with its first preset as a table for readers without JS."""
    return render(
        request,
        "lessons/visualizer.html",
        {
            "table": selectors.softmax_table(selectors.VISUALIZER_LOGITS),
            "concept_slug": VISUALIZER_CONCEPT,
        },
    )
