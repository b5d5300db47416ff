"""Pages of the concept tree: fetch through a selector, render."""

import dataclasses
import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from techtree import extensions, graph, marks, selectors, tree_map, versions
from techtree.forms import BrowseFilterForm
from techtree.models import Concept, concept_url

_STATUS_MARK = re.compile(r"<!--status:(\d+)-->")


def _status_badge(status: dict | None, pk: int) -> str:
    """A learner's status on one line of the list (nothing for a visitor)."""
    if not status or pk not in status:
        return ""
    value = status[pk]
    return format_html('<span class="status-badge status-{}">{}</span>', value.css, value.value)


def tree(request: HttpRequest) -> HttpResponse:
    """The tree page: the map (its script fetches what it draws) and a page of the list.

    Nothing here grows with the tree: the overview is cached, the list is one page, and a
    learner's statuses are read for that page's concepts only.
    """
    version = versions.content_version()
    overview = tree_map.overview(version)
    listed = selectors.tree_list_page(request.GET.get("list", 1), count=overview["size"])
    status, legend = None, []
    if request.user.is_authenticated and extensions.tree_status() is not None:
        status, legend = tree_map.statuses_and_legend(request.user, [c.pk for c in listed])

    # The page of the list is the same for everyone, rendered once per version; a learner's
    # statuses go into the marks it leaves, so 500 rows are not rendered per request.
    listing = versions.cached_fragment(
        f"tree-list:{listed.number}",
        lambda: render_to_string(
            "techtree/_tree_list.html",
            {"listed": listed, "levels": selectors.list_levels(listed.object_list)},
        ),
        version=version,
    )
    listing = _STATUS_MARK.sub(lambda mark: _status_badge(status, int(mark[1])), listing)
    return render(
        request,
        "techtree/tree.html",
        {
            "overview": overview,
            "listed": listed,
            "list_html": mark_safe(listing),  # rendered by the template engine, escaped there
            "status": status is not None,
            "status_legend": legend,
        },
    )


def map_overview(request: HttpRequest) -> JsonResponse:
    """The map's first draw: the whole tree when small, clusters with counts when large."""
    return JsonResponse(tree_map.overview())


def map_tile(request: HttpRequest, row: int, column: int) -> JsonResponse:
    """The concepts of one tile of a large tree's map, as the learner zooms in."""
    return JsonResponse(tree_map.tile(row, column))


def map_concept(request: HttpRequest, slug: str) -> JsonResponse:
    """A concept's neighbourhood and learning path, for selecting it on the map."""
    found = tree_map.neighbourhood_or_none(slug)
    if found is None:
        return JsonResponse({"error": f"No concept called “{slug}”."}, status=404)
    return JsonResponse(found)


def map_find(request: HttpRequest) -> JsonResponse:
    """Concepts whose title matches the find box's text."""
    return JsonResponse({"found": tree_map.find(request.GET.get("q", ""))})


def map_statuses(request: HttpRequest) -> JsonResponse:
    """The signed-in learner's statuses: on a concept's neighbourhood (?concept=), a tile
    (?tile=row,column), the whole small tree, or as counts per cluster. Never cached."""
    if not request.user.is_authenticated:
        return JsonResponse({"statuses": {}, "clusters": {}})
    learner = request.user
    if slug := request.GET.get("concept"):
        around = tree_map.neighbourhood_or_none(slug)
        slugs = [n["id"] for n in around["nodes"]] if around else []
        return JsonResponse({"statuses": tree_map.slug_statuses(learner, slugs)})
    if at := request.GET.get("tile"):
        try:
            row, column = (int(part) for part in at.split(","))
        except ValueError:
            return JsonResponse({"error": "tile is row,column"}, status=400)
        slugs = [n["id"] for n in tree_map.tile(row, column)["nodes"]]
        return JsonResponse({"statuses": tree_map.slug_statuses(learner, slugs)})
    overview = tree_map.overview()
    if overview["mode"] == "full":
        slugs = [n["id"] for n in overview["nodes"]]
        return JsonResponse({"statuses": tree_map.slug_statuses(learner, slugs)})
    return JsonResponse({"statuses": {}, "clusters": tree_map.cluster_statuses(learner, overview)})


def browse(request: HttpRequest) -> HttpResponse:
    """Every concept, filtered by domain and difficulty and searched by title.

    The domains, by title without a search each page, and a search's pages past its bound
    come from the shared cache under the content version; any other search, or an order an
    app registered (it may change without a content save), is read each time.
    """
    version = versions.content_version()
    domains = versions.cached_fragment("browse:domains", selectors.domains, version=version)
    form = BrowseFilterForm(request.GET, domains=domains)
    filters, number = form.filters(), request.GET.get("page", 1)
    if filters["search"] or filters["sort"]:
        page = selectors.browse_page(**filters, page=number, version=version)
    else:
        page = selectors.cached_browse_page(
            domain=filters["domain"], difficulty=filters["difficulty"], page=number, version=version
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "techtree/browse.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def concept(request: HttpRequest, slug: str) -> HttpResponse:
    """A concept's page: its place in the graph, its learning path, and its lesson.

    The graph part (neighbours, figures, load and learning path, rendered) and the concept's
    core concepts and symbols are the same for every learner, so they are built once per
    content version and read from the shared cache (one read of the version per request); the
    lesson, the practice and whatever else is the learner's own are added per request. A
    visitor's page is kept whole (`visitor_page`).
    """
    if kept_for_visitors(request, slug):
        html = visitor_page(request, slug)
    else:
        view, context = concept_context(request, slug)
        for section in extensions.concept_sections():  # the lesson, practice, ... (apps above)
            context.update(section(request, view))
        html = render_to_string("techtree/concept.html", context, request=request).encode()
    return HttpResponse(marks.fill_page(html, request))


def concept_context(request: HttpRequest, slug: str) -> tuple[selectors.ConceptView, dict]:
    """The concept's view and the page's context for its graph part, from the shared cache."""
    audience = "staff" if request.user.is_staff else "public"
    try:
        view, graph_html, facts_html = versions.cached_fragment(
            f"concept-shared:{audience}:{slug}",
            lambda: concept_graph(slug, include_unpublished=request.user.is_staff),
            version=versions.request_version(request),  # read once; the sections reuse it
        )
    except Concept.DoesNotExist:
        raise Http404(f"No concept called “{slug}”.") from None
    return view, {
        "view": view,
        "concept": view.concept,
        "definitions": graph.FIGURE_DEFINITIONS,
        "graph_html": mark_safe(graph_html),  # rendered by our own template, escaped there
        "facts_html": mark_safe(facts_html),  # likewise
    }


def kept_for_visitors(request: HttpRequest, slug: str) -> bool:
    """A visitor at the page's own address (no query) with no message waiting: the page is
    the same for every such visitor but for its reader parts."""
    return (
        not request.user.is_authenticated
        and request.get_full_path() == concept_url(slug)
        and not len(messages.get_messages(request))
    )


def visitor_page(request: HttpRequest, slug: str) -> bytes:
    """The page every visitor sees, kept in the shared cache per content version (one read,
    with the concept's view) with its reader parts (practice, ratings) as marks, each
    rendered per request from the reader's sections with the view and the concept. The rest
    (lesson, examples, visualizer, figures) took about two thirds of the softmax page's time
    when rendered per request."""

    def build() -> tuple[selectors.ConceptView, list]:
        view, context = concept_context(request, slug)
        context.update({marks.KEPT_PAGE: True, "csrf_token": marks.CSRF_TOKEN})
        for section in extensions.concept_sections(reader=False):
            context.update(section(request, view))
        html = render_to_string("techtree/concept.html", context, request=request)
        return view, marks.page_pieces(html)

    view, pieces = versions.cached_fragment(
        f"visitor-page:{slug}:{marks.tag()}", build, version=versions.request_version(request)
    )
    context = {"view": view, "concept": view.concept}
    for section in extensions.concept_sections(reader=True):
        context.update(section(request, view))
    page = list(pieces)
    page[1::2] = (
        render_to_string(name, context, request=request).encode() for name in pieces[1::2]
    )
    return b"".join(page)


def concept_graph(
    slug: str, *, include_unpublished: bool
) -> tuple[selectors.ConceptView, str, str]:
    """A concept's part that is the same for everyone: its view, the aside's HTML and its core
    concepts and symbols' HTML (Markdown rendered); Concept.DoesNotExist if unknown."""
    view = selectors.concept_view(slug, include_unpublished=include_unpublished)
    context = {"view": view, "concept": view.concept, "definitions": graph.FIGURE_DEFINITIONS}
    return (
        # What only the aside shows (everything behind, the path, the load) is rendered into
        # it; the view kept for the sections is the rest: reading the whole view from the
        # cache took 650 of a deep concept page's microseconds, this 50.
        dataclasses.replace(view, behind=[], path=[], load=None),
        render_to_string("techtree/_concept_graph.html", context),
        render_to_string("techtree/_concept_facts.html", context),
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's."""
    return redirect(static("techtree/favicon.svg"), permanent=True)
