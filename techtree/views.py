"""Pages of the concept tree: fetch through a selector, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from techtree import graph, selectors
from techtree.forms import BrowseFilterForm
from techtree.models import Concept


def tree(request: HttpRequest) -> HttpResponse:
    """The whole published tree: an interactive graph with a plain list beneath it."""
    data = selectors.tree_data()
    return render(
        request,
        "techtree/tree.html",
        {"tree": data, "tree_json": data.as_json(), "levels": data.levels()},
    )


def browse(request: HttpRequest) -> HttpResponse:
    """Every concept, filtered by domain and difficulty and searched by title."""
    form = BrowseFilterForm(request.GET, domains=selectors.domains())
    page = selectors.browse_page(**form.filters(), page=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "techtree/browse.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def concept(request: HttpRequest, slug: str) -> HttpResponse:
    """A concept's page: its place in the graph, its learning path, and its lesson."""
    try:
        view = selectors.concept_view(slug, include_unpublished=request.user.is_staff)
    except Concept.DoesNotExist:
        raise Http404(f"No concept called “{slug}”.") from None
    return render(
        request,
        "techtree/concept.html",
        {"view": view, "concept": view.concept, "definitions": graph.FIGURE_DEFINITIONS},
    )
