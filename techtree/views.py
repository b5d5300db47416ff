"""Pages of the concept tree: fetch through a selector, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from techtree import extensions, graph, selectors
from techtree.forms import BrowseFilterForm
from techtree.models import Concept


def tree(request: HttpRequest) -> HttpResponse:
    """The whole published tree: an interactive map with a plain list beneath it."""
    data = selectors.tree_data()
    status, legend = None, []
    provider = extensions.tree_status()
    if request.user.is_authenticated and provider is not None:
        status, legend = provider(request.user, [c.pk for c in data.concepts], data.edges)
    listed = data.list_page(request.GET.get("list", 1))
    return render(
        request,
        "techtree/tree.html",
        {
            "tree": data,
            "tree_json": data.as_json(status),
            "listed": listed,
            "levels": data.levels(status, listed.object_list),
            "status": status,
            "status_legend": legend if status is not None else [],
        },
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
    context = {"view": view, "concept": view.concept, "definitions": graph.FIGURE_DEFINITIONS}
    for section in extensions.concept_sections():  # the lesson, practice, ... (apps above)
        context.update(section(request, view))
    return render(request, "techtree/concept.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's."""
    return redirect(static("techtree/favicon.svg"), permanent=True)
