"""Reads for the tree map: an overview, neighbourhoods, tiles and a learner's statuses.

The tree page itself carries none of the tree: its script asks these for what it draws.
Everything the same for every reader is cached in the shared cache under the content version
(techtree.versions), so it is built once per graph change, on any server. A learner's
statuses are never cached: they are asked for separately, only for the concepts on screen
(or as counts per cluster), and cost what the learner's own progress costs, not the tree.

A tree of up to FULL_MAP_CONCEPTS concepts is sent whole, as before; a larger one as
clusters (a domain and a band of depths), with concepts fetched by tile as the learner
zooms in and by neighbourhood as they select one or ask for a path.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.db.models.expressions import RawSQL

from techtree import extensions, layout, selectors, versions
from techtree.models import Concept, Prerequisite, concept_url
from techtree.palette import domain_index

FULL_MAP_CONCEPTS = 1000  # up to this many, the map shows every concept at once
BANDS = 8  # bands of depth in the overview (each cluster is a domain and a band)
TILE_COLUMNS = 24  # layout slots across one tile
NEIGHBOURHOOD_LIMIT = 1500  # concepts sent behind a selected concept (its learning path)
AHEAD_LIMIT = 300  # concepts sent ahead of it (the nearest; the panel gives the count)
AHEAD_BATCH = 50  # of those, the map draws this many at first and this many more on request
FIND_LIMIT = 12  # titles offered by the find box

NODE_FIELDS = ("id", "slug", "title", "domain", "difficulty", "depth", "map_x", "map_y")


def _node(c: Concept) -> dict[str, Any]:
    return {**selectors.map_node(c, concept_url(c.slug)), "x": c.map_x, "y": c.map_y}


def _placed() -> Any:
    """Published concepts with a place on the map (figures and layout refreshed)."""
    return selectors.published_concepts().filter(depth__isnull=False, map_x__isnull=False)


def overview(version: str | None = None) -> dict[str, Any]:
    """What the map draws first, the same for everyone (cached per content version)."""
    return versions.cached_fragment("map:overview", _build_overview, version=version)


def _build_overview() -> dict[str, Any]:
    size = _placed().count()
    domains = selectors.domains()
    base = {
        "size": size,
        "domains": [{"name": d, "domain_index": domain_index(d)} for d in domains],
        "column": layout.COLUMN,
        "row": layout.ROW,
    }
    if size <= FULL_MAP_CONCEPTS:
        concepts = list(_placed().only(*NODE_FIELDS).order_by("depth", "title"))
        slugs = {c.pk: c.slug for c in concepts}
        edges = (
            Prerequisite.objects.published()
            .order_by()  # no joins for Meta.ordering
            .values_list("prerequisite_id", "concept_id")
        )
        return {
            **base,
            "mode": "full",
            "nodes": [_node(c) for c in concepts],
            "edges": [[slugs[p], slugs[c]] for p, c in edges if p in slugs and c in slugs],
        }
    deepest = _placed().aggregate(deepest=Max("depth"))["deepest"] or 0
    band = math.ceil((deepest + 1) / BANDS)
    cells = (
        _placed()
        .annotate(band=RawSQL("depth / %s", (band,)))
        .values("domain", "band")
        .annotate(
            count=Count("id"),
            roots=Count("id", filter=Q(depth=0)),
            x0=Min("map_x"),
            x1=Max("map_x"),
            y0=Min("map_y"),
            y1=Max("map_y"),
        )
        .order_by("domain", "band")
    )
    return {
        **base,
        "mode": "overview",
        "band": band,
        "tile_width": TILE_COLUMNS * layout.COLUMN,
        "clusters": [
            {
                "id": cluster_id(cell["domain"], cell["band"]),
                "domain": cell["domain"],
                "domain_index": domain_index(cell["domain"]),
                "depths": [cell["band"] * band, cell["band"] * band + band - 1],
                "count": cell["count"],
                "roots": cell["roots"],
                "x": cell["x0"],
                "y": cell["y0"],
                "w": cell["x1"] - cell["x0"],
                "h": cell["y1"] - cell["y0"],
            }
            for cell in cells
        ],
    }


def cluster_id(domain: str, band: int) -> str:
    return f"{band}:{domain}"


def tile(row: int, column: int) -> dict[str, Any]:
    """The concepts of one tile (a band of depths, TILE_COLUMNS slots across) and the links
    into them, cached per content version. Empty for a tree drawn whole."""
    return versions.cached_fragment(f"map:tile:{row}:{column}", lambda: _build_tile(row, column))


def _build_tile(row: int, column: int) -> dict[str, Any]:
    band = overview().get("band")
    if not band or row < 0:
        return {"nodes": [], "edges": []}
    width = TILE_COLUMNS * layout.COLUMN
    concepts = list(
        _placed()
        .filter(depth__gte=row * band, depth__lt=(row + 1) * band)
        .filter(map_x__gte=column * width, map_x__lt=(column + 1) * width)
        .only(*NODE_FIELDS)
    )
    ids = [c.pk for c in concepts]
    edges = (
        Prerequisite.objects.published()
        .filter(concept_id__in=ids)
        .values_list("prerequisite__slug", "concept__slug")
    )
    return {"nodes": [_node(c) for c in concepts], "edges": [list(e) for e in edges]}


def _walk(start: int, *, ahead: bool, limit: int) -> list[int]:
    """Published concepts ahead of (or behind) one, nearest first, at most `limit`: one query
    per level of the walk, each reading only the links of the level before. (A recursive
    query took seconds on SQLite for a concept with thousands of concepts ahead.)"""
    near, far = ("concept_id", "prerequisite_id") if ahead else ("prerequisite_id", "concept_id")
    found: list[int] = []
    seen = {start}
    level = [start]
    while level and len(found) < limit:
        links = Prerequisite.objects.published().filter(**{f"{far}__in": level})
        level = []
        for pk in links.order_by(near).values_list(near, flat=True).distinct():
            if pk not in seen:
                seen.add(pk)
                level.append(pk)
        level = level[: limit - len(found)]
        found += level
    return found


def neighbourhood(slug: str) -> dict[str, Any] | None:
    """A concept, everything behind it (up to NEIGHBOURHOOD_LIMIT) and the nearest
    AHEAD_LIMIT concepts ahead of it (nearest first; the map draws AHEAD_BATCH at a time),
    the links between them and its learning path; False for no such concept. Cached per
    version."""
    return versions.cached_fragment(f"map:around:{slug}", lambda: _build_neighbourhood(slug))


def _build_neighbourhood(slug: str) -> dict[str, Any] | bool:
    concept = _placed().only(*NODE_FIELDS, "prerequisite_count", "reach").filter(slug=slug).first()
    if concept is None:
        return False  # cached too: asking again for a wrong slug costs one cache read
    behind = _walk(concept.pk, ahead=False, limit=NEIGHBOURHOOD_LIMIT)
    ahead = _walk(concept.pk, ahead=True, limit=AHEAD_LIMIT)
    ids = {concept.pk, *behind, *ahead}
    concepts = {c.pk: c for c in _placed().filter(pk__in=ids).only(*NODE_FIELDS)}
    edges = list(
        Prerequisite.objects.published()
        .filter(concept_id__in=ids, prerequisite_id__in=ids)
        .order_by()  # no joins for Meta.ordering
        .values_list("prerequisite_id", "concept_id")
    )
    slugs = {pk: c.slug for pk, c in concepts.items()}
    # The learning path: everything behind, by depth then title (graph.learning_path's order).
    path = sorted((concepts[pk] for pk in behind), key=lambda c: (c.depth or 0, c.title))
    return {
        "concept": slug,
        "nodes": [_node(c) for c in concepts.values()],
        "edges": [[slugs[p], slugs[c]] for p, c in edges],
        "behind": [slugs[pk] for pk in behind],
        "ahead": [slugs[pk] for pk in ahead],
        "behind_total": concept.prerequisite_count or 0,
        "ahead_total": concept.reach or 0,
        "ahead_batch": AHEAD_BATCH,
        "direct_prerequisites": sum(1 for _, c in edges if c == concept.pk),
        "direct_unlocks": sum(1 for p, _ in edges if p == concept.pk),
        "path": [c.slug for c in path] + [slug] if len(behind) < NEIGHBOURHOOD_LIMIT else None,
    }


def neighbourhood_or_none(slug: str) -> dict[str, Any] | None:
    found = neighbourhood(slug)
    return found or None


def find(text: str) -> list[dict[str, str]]:
    """Up to FIND_LIMIT concepts whose title matches, best first (the site's search, bounded
    as its pages are: a word in most concepts does not order them all)."""
    text = text.strip()[:200]
    if not text:
        return []
    found = selectors.search_page(_placed().only("slug", "title"), text, per_page=FIND_LIMIT)
    return [{"id": c.slug, "title": c.title} for c in found]


# ---- A learner's statuses: never cached, proportional to their progress, not the tree ----


def statuses_and_legend(learner, ids: list[int]) -> tuple[dict[int, Any], list]:
    """The learner's status on each of these concepts, and the statuses' legend (the
    registered provider's; exact, since a concept's status needs only its own progress and
    its direct prerequisites'). ({}, []) when no app provides statuses."""
    provider = extensions.tree_status()
    if provider is None:
        return {}, []
    edges = (
        list(
            Prerequisite.objects.published()
            .filter(concept_id__in=ids)
            .order_by()  # no joins for Meta.ordering
            .values_list("prerequisite_id", "concept_id")
        )
        if ids
        else []
    )
    around = sorted({*ids, *(p for p, _ in edges)})
    status, legend = provider(learner, around, edges)
    return {pk: status[pk] for pk in ids}, legend


def statuses_of(learner, ids: list[int]) -> dict[int, Any]:
    """The learner's status on each of these concepts (see statuses_and_legend)."""
    return statuses_and_legend(learner, ids)[0] if ids else {}


def slug_statuses(learner, slugs: list[str]) -> dict[str, str]:
    """{slug: status word} for these concepts (at most a neighbourhood or a tile)."""
    ids = dict(_placed().filter(slug__in=slugs).values_list("pk", "slug"))
    return {ids[pk]: str(s.value) for pk, s in statuses_of(learner, list(ids)).items()}


def cluster_statuses(learner, data: dict[str, Any] | None = None) -> dict[str, dict[str, int]]:
    """How many concepts of each overview cluster the learner has in each status.

    Untouched concepts are available if they are roots and locked otherwise; only concepts
    the learner has progress on, and the unlocks of what they mastered, can differ, so only
    those are looked at.
    """
    data = data or overview()
    if data["mode"] != "overview":
        return {}
    provider = extensions.tree_status()
    if provider is None:
        return {}
    counts = {
        c["id"]: {"available": c["roots"], "locked": c["count"] - c["roots"]}
        for c in data["clusters"]
    }
    touched = set(extensions.learner_concepts(learner))
    touched |= set(
        Prerequisite.objects.published()
        .filter(prerequisite_id__in=touched)
        .values_list("concept_id", flat=True)
    )
    exact = statuses_of(learner, sorted(touched))
    band = data["band"]
    for pk, depth, domain in _placed().filter(pk__in=exact).values_list("pk", "depth", "domain"):
        cell = counts.setdefault(cluster_id(domain, depth // band), {})
        was = "available" if depth == 0 else "locked"
        cell[was] = cell.get(was, 0) - 1
        word = str(exact[pk].value)
        cell[word] = cell.get(word, 0) + 1
    return counts
