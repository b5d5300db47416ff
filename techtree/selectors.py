"""Reads of the concept graph: everything a page needs, in a fixed number of queries."""

from __future__ import annotations

import array
import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from techtree import extensions, fulltext, levels, versions
from techtree.models import Concept, Prerequisite, concept_url
from techtree.palette import domain_index

CARD_FIELDS = ("id", "slug", "title", "summary", "domain", "difficulty", "minutes", "depth")

# Every published concept behind a given one, following published prerequisites only.
# Recursive CTEs read the same on SQLite and PostgreSQL; cost grows with the ancestors only.
_BEHIND_SQL = """
WITH RECURSIVE behind(id) AS (
    SELECT e.prerequisite_id FROM techtree_prerequisite e
    JOIN techtree_concept c ON c.id = e.prerequisite_id AND c.published = %s
    WHERE e.concept_id = %s
  UNION
    SELECT e.prerequisite_id FROM techtree_prerequisite e
    JOIN behind b ON e.concept_id = b.id
    JOIN techtree_concept c ON c.id = e.prerequisite_id AND c.published = %s
)
SELECT id FROM behind
"""

# Every published concept a given one leads to (the reverse walk), in the order the walk
# finds them, nearest first, stopping after the first few: PostgreSQL evaluates a WITH query
# only as far as it is read (the outer LIMIT), SQLite stops adding rows at the LIMIT of the
# recursive part. Without the stop, a root's page walked its whole subtree (0.4 s at 10,000).
# CROSS JOIN keeps SQLite's join order: from the walk to its edges (by prerequisite) to the
# concept, where it otherwise scanned every published concept at each step.
_AHEAD_SQL = """
WITH RECURSIVE ahead(id) AS (
    SELECT e.concept_id FROM techtree_prerequisite e
    CROSS JOIN techtree_concept c
    WHERE e.prerequisite_id = %s AND c.id = e.concept_id AND c.published = %s
  UNION
    SELECT e.concept_id FROM ahead a
    CROSS JOIN techtree_prerequisite e
    CROSS JOIN techtree_concept c
    WHERE e.prerequisite_id = a.id AND c.id = e.concept_id AND c.published = %s
    {inner_limit}
)
SELECT id FROM ahead LIMIT %s
"""


def _ahead(concept_id: int, shown: int) -> RawSQL:
    """The first `shown` concepts ahead of one, with the stop each database understands."""
    if connection.vendor == "postgresql":
        return RawSQL(_AHEAD_SQL.format(inner_limit=""), (concept_id, True, True, shown))
    sql = _AHEAD_SQL.format(inner_limit="LIMIT %s")
    return RawSQL(sql, (concept_id, True, True, shown, shown))


LEADS_TO_SHOWN = 50  # concepts listed under "All concepts it leads to"; the count is all


def published_concepts() -> QuerySet[Concept]:
    """Concepts a learner may see."""
    return Concept.objects.filter(published=True)


def unpublished_ids() -> list[int]:
    """Ids of the concepts a learner may not see (drafts: few), for `published_edges`."""
    return list(Concept.objects.filter(published=False).values_list("id", flat=True))


def published_prerequisite_counts() -> array.array:
    """How many published prerequisites each published concept has, indexed by concept id
    (one query; 0 for drafts and ids without a concept).

    An array of bytes while every count fits one, not a dict: kept in the shared cache per
    content version, it is 100 KB at 100,000 concepts and reads back as one object.
    """
    rows = list(
        Prerequisite.objects.published()
        .order_by()
        .values("concept_id")
        .annotate(count=Count("id"))
        .values_list("concept_id", "count")
    )
    code = "B" if max((count for _, count in rows), default=0) < 256 else "L"
    size = max((pk for pk, _ in rows), default=-1) + 1
    counts = array.array(code, bytes(size * array.array(code).itemsize))
    for pk, count in rows:
        counts[pk] = count
    return counts


def published_edges(
    end: str, ids: Iterable[int], *, unpublished: Collection[int]
) -> list[tuple[int, int]]:
    """(prerequisite, concept) of each edge of the published tree whose `end` ("concept" or
    "prerequisite") is one of `ids`: what `Prerequisite.objects.published()` reads, cheaper.

    The ids go as one parameter (an array on PostgreSQL, JSON on SQLite), not one each, and no
    concept is joined: an edge with an end in `unpublished` (`unpublished_ids()`, cached by the
    caller per content version) is dropped here. For 650 ids on PostgreSQL at 100,000
    concepts the ORM's read took about 30 ms, this one 2.5 ms.
    """
    column = {"concept": "concept_id", "prerequisite": "prerequisite_id"}[end]
    ids = list(ids)
    if not ids:
        return []
    table = Prerequisite._meta.db_table
    where, parameter = _one_of(column, ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT prerequisite_id, concept_id FROM {table} WHERE {where}", [parameter]
        )
        rows = cursor.fetchall()
    hidden = set(unpublished)
    return [(a, b) for a, b in rows if a not in hidden and b not in hidden]


def published_rows(ids: Iterable[int], fields: Sequence[str]) -> list[tuple]:
    """`fields` of each published concept among `ids`, as tuples in no particular order:
    `published_concepts().filter(id__in=ids).values_list(*fields)`, cheaper for many ids
    (one parameter, as in `published_edges`: 175 ids on PostgreSQL took 4 ms, now 1.5)."""
    ids = list(ids)
    if not ids:
        return []
    columns = ", ".join(Concept._meta.get_field(name).column for name in fields)
    where, parameter = _one_of("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {Concept._meta.db_table} WHERE published AND {where}",
            [parameter],
        )
        return cursor.fetchall()


def _one_of(column: str, ids: list[int]) -> tuple[str, str]:
    """A condition that `column` holds one of `ids`, and its one parameter: an array on
    PostgreSQL (sent as its text: psycopg adapts a list one int at a time, 2 ms for 1,000),
    JSON on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)


@dataclass(frozen=True)
class ListedConcept:
    """One line of the tree's list: a concept, its address and the learner's status, if any."""

    concept: Concept
    url: str
    status: object = None


LIST_PAGE_SIZE = 500  # concepts a page of the tree's plain list


def map_node(c: Concept, url: str) -> dict:
    """A concept as the map draws it (the tree map's JSON and the dashboard's graph)."""
    return {
        "id": c.slug,
        "title": c.title,
        "domain": c.domain,
        "domain_index": domain_index(c.domain),
        "difficulty": c.difficulty,
        "depth": c.depth or 0,
        "url": url,
    }


@dataclass(frozen=True)
class TreeData:
    """The whole published tree: concepts (ordered by depth) and edges as id pairs."""

    concepts: list[Concept]
    edges: list[tuple[int, int]]

    def domains(self) -> list[str]:
        """The domains present, alphabetically (for the legend)."""
        return sorted({c.domain for c in self.concepts})

    @cached_property
    def urls(self) -> dict[int, str]:
        """Each concept's page address, by id (the same as its get_absolute_url)."""
        return {c.pk: concept_url(c.slug) for c in self.concepts}

    def as_json(self, status: dict | None = None) -> dict:
        """Plain data for the graph widget (read through json_script), with learner status."""
        slugs = {c.pk: c.slug for c in self.concepts}
        nodes = []
        for c in self.concepts:
            node = map_node(c, self.urls[c.pk])
            if status:
                node["status"] = status[c.pk].value
            nodes.append(node)
        edges = [{"source": slugs[p], "target": slugs[c]} for p, c in self.edges]
        return {"nodes": nodes, "edges": edges}


def tree_list_page(number: object = 1, *, count: int | None = None) -> Page:
    """One page of the tree page's plain list: LIST_PAGE_SIZE concepts by depth, then title
    (a slice of the index, never the whole tree). `count`, if known, spares the COUNT."""
    concepts = (
        published_concepts()
        .filter(depth__isnull=False)
        .only(*CARD_FIELDS)
        # "published" first (it is the same on every row here): SQLite then walks the
        # (published, depth, title) index in order and stops at the page, where it sorted
        # the whole table before (100 ms at 100,000 concepts), as it reads WHERE published
        # as a bare column, not as an equality the index could serve.
        .order_by("published", "depth", "title")
    )
    paginator = Paginator(concepts, LIST_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: the cached overview already counted
    return paginator.get_page(number)


def list_levels(
    concepts: list[Concept], status: dict | None = None
) -> list[tuple[int, list[ListedConcept]]]:
    """Concepts grouped by depth, each with its address and the learner's status if given."""
    grouped: dict[int, list[ListedConcept]] = {}
    for c in concepts:
        row = ListedConcept(c, concept_url(c.slug), status.get(c.pk) if status else None)
        grouped.setdefault(c.depth or 0, []).append(row)
    return sorted(grouped.items())


def tree_data() -> TreeData:
    """The published tree in two queries."""
    concepts = list(published_concepts().only(*CARD_FIELDS).order_by("depth", "title"))
    edges = list(
        Prerequisite.objects.published()
        .order_by("prerequisite_id", "concept_id")
        .values_list("prerequisite_id", "concept_id")
    )
    return TreeData(concepts=concepts, edges=edges)


def domains() -> list[str]:
    """The domains of published concepts, alphabetically."""
    return list(published_concepts().order_by("domain").values_list("domain", flat=True).distinct())


def browse_page(
    *,
    domain: str = "",
    difficulty: int | None = None,
    search: str = "",
    sort: str = "",
    page: object = 1,
    per_page: int = 60,
    version: str | None = None,
) -> Page:
    """One page of published concepts matching the filters (a count and a page query),
    by title (by relevance when searching) or by an order an app above registered; a search
    past its bound through the shared cache under the content `version` (read if not given)."""
    concepts = published_concepts().only(*CARD_FIELDS)
    if domain:
        concepts = concepts.filter(domain=domain)
    if difficulty:
        concepts = concepts.filter(difficulty=difficulty)
    order = next((o for o in extensions.browse_orders() if o.key == sort), None)
    if search and order is None:
        return search_page(concepts, search, page=page, per_page=per_page, version=version)
    if search:
        concepts = search_concepts(concepts, search)
    ordered = order.apply(concepts) if order is not None else concepts.order_by("title")
    return Paginator(ordered, per_page).get_page(page)


# The longest search read (the browse form's limit too); longer text is cut here.
SEARCH_MAX_LENGTH = 100

# The text searched on PostgreSQL: each concept's stored document (title words weighted
# above summary words) with its GIN index (techtree.fulltext, migration 0007).
SEARCH_CONFIG = fulltext.POSTGRESQL_CONFIG
SEARCH_DOCUMENT = RawSQL(
    f'"{fulltext.CONTENT}"."{fulltext.DOCUMENT}"', [], output_field=SearchVectorField()
)
TITLE_DOCUMENT = RawSQL(
    f"""ts_filter("{fulltext.CONTENT}"."{fulltext.DOCUMENT}", '{{a}}')""",
    [],
    output_field=SearchVectorField(),
)


def search_concepts(concepts: QuerySet[Concept], text: str) -> QuerySet[Concept]:
    """Concepts matching a learner's search, best first.

    PostgreSQL: full-text search (stemmed words, "quoted phrases", -exclusions), ranked with
    title words above summary words. SQLite: its FTS5 index (techtree.fulltext), every word
    found as the start of a word in the title or the summary, titles that contain the whole
    text first, then by bm25 with title words above summary words. At most
    SEARCH_MAX_LENGTH characters are read. Every concept found is ordered: search_page
    bounds that for a page.
    """
    return _ranked(_matching(concepts, text), text)


# The most concepts a search page ranks. Past it (a word in most concepts, which says little
# about relevance) a page orders only a bounded set, so its cost does not grow with the tree:
# the first SEARCH_RANKED_MAX found (by id) and, on SQLite, the first SEARCH_RANKED_MAX past
# them whose title holds every word (FTS5 reads that from the index; PostgreSQL's has no
# title-only part); titles that contain the whole text first, then those holding every word,
# then by title (as past fulltext's old bound). The learner is told to narrow the search.
SEARCH_RANKED_MAX = 1000


class SearchPaginator(Paginator):
    """A search's pages; `more_found` when more than SEARCH_RANKED_MAX concepts matched and
    only the best SEARCH_RANKED_MAX of the bounded set are paged."""

    more_found = False


def search_page(
    concepts: QuerySet[Concept],
    text: str,
    *,
    page: object = 1,
    per_page: int = 60,
    version: str | None = None,
) -> Page:
    """One page of a search: the ids of at most SEARCH_RANKED_MAX + 1 concepts found (the
    count, exact up to the bound), then the page, whatever the tree's size. Up to the bound
    the order is search_concepts'; past it, SEARCH_RANKED_MAX concepts of a bounded set are
    paged in its own order (see SEARCH_RANKED_MAX), and each such page is kept in the shared
    cache under the content version (read first: one read, no search, when kept). Only pages
    past the bound are kept, so the keys are no more than such searches times their pages."""
    text = _search_text(text)
    pages = -(-SEARCH_RANKED_MAX // per_page)
    key = _search_key(concepts, text, _page_number(page, pages), per_page, version)
    kept = cache.get(key)
    if kept is not None:
        return _bounded_page(kept, per_page)
    matching = _matching(concepts, text)
    found = list(_by_id(matching).values_list("pk", flat=True)[: SEARCH_RANKED_MAX + 1])
    if len(found) <= SEARCH_RANKED_MAX:
        paginator = SearchPaginator(_ranked(matching, text), per_page)
        paginator.count = len(found)
        return paginator.get_page(page)
    number = _page_number(page, pages)
    offset = (number - 1) * per_page
    limit = min(per_page, SEARCH_RANKED_MAX - offset)
    if connection.vendor == "postgresql":
        listed = list(_bounded_postgresql(concepts, text, found)[offset : offset + limit])
    else:  # the first SEARCH_RANKED_MAX found end at found[SEARCH_RANKED_MAX - 1]
        last = found[SEARCH_RANKED_MAX - 1]
        listed = _bounded_page_sqlite(concepts, text, last, limit, offset)
    cache.set(key, (number, listed), timeout=versions.FRAGMENT_SECONDS)
    return _bounded_page((number, listed), per_page)


def _bounded_page(kept: tuple[int, list[Concept]], per_page: int) -> Page:
    """A page of a search past the bound, from its number and its concepts."""
    paginator = SearchPaginator([], per_page)
    paginator.count, paginator.more_found = SEARCH_RANKED_MAX, True
    number, listed = kept
    return Page(listed, number, paginator)


def _search_key(
    concepts: QuerySet[Concept], text: str, number: int, per_page: int, version: str | None
) -> str:
    """The shared cache's key for a search page past the bound: the release, the content
    version, and a digest of the filters (the query's SQL), the text and the page."""
    asked = f"{concepts.query}\n{text}\n{per_page}\n{number}"
    digest = hashlib.sha256(asked.encode()).hexdigest()
    return f"search:{versions.release()}:{version or versions.content_version()}:{digest}"


def _bounded_postgresql(
    concepts: QuerySet[Concept], text: str, found: list[int]
) -> QuerySet[Concept]:
    """The bounded set on PostgreSQL: the first SEARCH_RANKED_MAX found (those found up to the
    last one's id), in the order _bounded_page_sqlite gives; a title's words are the stored
    document's A-weighted part."""
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    every_word = Case(When(title_document=query, then=Value(0)), default=Value(1))
    return (
        _matching(concepts, text)
        .filter(pk__lte=found[SEARCH_RANKED_MAX - 1])
        .alias(title_document=TITLE_DOCUMENT)
        .annotate(title_tier=every_word)
        .order_by(_in_title(text), "title_tier", "title", "pk")
    )


def _bounded_page_sqlite(
    concepts: QuerySet[Concept], text: str, last: int, limit: int, offset: int = 0
) -> list[Concept]:
    """A page of the bounded set on SQLite in one query: the concepts found up to id `last`
    and the first SEARCH_RANKED_MAX past it whose title holds every word; titles that contain
    the whole text first, then titles holding every word, then by title. No bm25 here: its
    word statistics read every concept holding the word (5 ms a MATCH for a word in all
    100,000), the very cost the bound avoids."""
    match = fulltext.match_expression(text)
    in_titles = fulltext.title_expression(match)
    titled = (  # those found up to `last` whose title holds every word: at most the bound
        f"{fulltext.TABLE}.rowid IN (SELECT rowid FROM {fulltext.TABLE} "
        f"WHERE {fulltext.TABLE} MATCH %s AND rowid <= %s)"
    )
    parts = []
    for expression, where in ((match, "<="), (in_titles, ">")):
        tier = RawSQL(f"CASE WHEN {titled} THEN 0 ELSE 1 END", (in_titles, last))
        part = (
            _fts_matches(concepts, expression)
            .extra(where=[f"{fulltext.TABLE}.rowid {where} %s"], params=[last])
            .annotate(in_title=_in_title(text), title_tier=tier if where == "<=" else Value(0))
            .values(*CARD_FIELDS, "in_title", "title_tier")
        )
        part = _by_id(part)[:SEARCH_RANKED_MAX] if where == ">" else part.order_by()
        sql, params = part.query.sql_with_params()
        parts.append((f"SELECT * FROM ({sql})", params))
    sql = (
        f"{parts[0][0]} UNION ALL {parts[1][0]} "
        "ORDER BY in_title, title_tier, title, id LIMIT %s OFFSET %s"
    )
    params = (*parts[0][1], *parts[1][1], limit, offset)
    return list(Concept.objects.raw(sql, params))


def _search_text(text: str) -> str:
    """The text searched: at most SEARCH_MAX_LENGTH characters, NULs as spaces (PostgreSQL's
    text cannot hold one: a DataError, so a 500 from the map's find box on "%00")."""
    return text[:SEARCH_MAX_LENGTH].replace("\x00", " ")


def _fts_matches(concepts: QuerySet[Concept], expression: str) -> QuerySet[Concept]:
    """`concepts` joined with SQLite's FTS5 index where it matches `expression`."""
    return concepts.extra(
        tables=[fulltext.TABLE],
        where=[f"{fulltext.TABLE}.rowid = {fulltext.CONTENT}.id", f"{fulltext.TABLE} MATCH %s"],
        params=[expression],
    )


def _by_id(matching: QuerySet) -> QuerySet:
    """`matching` by id; on SQLite by the index's rowid (the same number), which FTS5 reads in
    order and stops at a LIMIT (by the concept's id, SQLite sorts every concept found)."""
    if connection.vendor == "postgresql":
        return matching.order_by("pk")
    return matching.order_by().extra(order_by=[f"{fulltext.TABLE}.rowid"])


def _in_title(text: str) -> Case:
    return Case(When(title__icontains=text, then=Value(0)), default=Value(1))


def _matching(concepts: QuerySet[Concept], text: str) -> QuerySet[Concept]:
    """The concepts a search finds, unordered."""
    text = _search_text(text)
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return concepts.alias(document=SEARCH_DOCUMENT).filter(document=query)
    match = fulltext.match_expression(text)
    if not match:  # punctuation only: no word to find
        return concepts.none()
    # One join with the index: the MATCH reads the index.
    return _fts_matches(concepts, match)


def _ranked(matching: QuerySet[Concept], text: str) -> QuerySet[Concept]:
    """The concepts found, best first (see search_concepts)."""
    text = _search_text(text)
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        ranked = matching.annotate(rank=SearchRank(SEARCH_DOCUMENT, query))
        return ranked.order_by("-rank", "title", "pk")
    # bm25 ranks only the rows found, after the MATCH.
    rank = RawSQL(fulltext.RANK, ())
    return matching.order_by(_in_title(text), rank.asc(), "title", "pk")


@dataclass(frozen=True)
class CognitiveLoad:
    """The concept page's cognitive-load panel (techtree.levels defines the two levels)."""

    atoms: int  # its own atomic ideas
    atoms_total: int | None  # and those of everything behind it (stored figure)
    percentile: int | None  # the share of published concepts with a load at most this one's
    percentile_level: int | None  # 1 (lightest fifth) to 5
    atomic_level: int  # the most atomic ideas along one chain of prerequisites ending here
    leads_to: list[Concept]  # the first LEADS_TO_SHOWN concepts it leads to, by depth
    leads_to_count: int  # all of them (its reach)


@dataclass(frozen=True)
class ConceptView:
    """What a concept page shows about the concept's place in the graph."""

    concept: Concept
    prerequisites: list[Concept]
    unlocks: list[Concept]
    behind: list[Concept]  # every concept standing behind it
    path: list[Concept]  # the learning path: `behind` in a valid order, then the concept
    load: CognitiveLoad | None = None


def cognitive_load(concept: Concept, behind: list[Concept]) -> CognitiveLoad:
    """The load panel in three queries, whatever the tree's size: the percentile (one
    aggregate), the edges of the ancestry (for the atomic level), and the first concepts it
    leads to. `behind` must carry `core_concepts`."""
    percentile = level = None
    if concept.atoms_total is not None:
        counts = published_concepts().aggregate(
            total=Count("pk"), at_most=Count("pk", filter=Q(atoms_total__lte=concept.atoms_total))
        )
        percentile = levels.load_percentile(counts["at_most"], counts["total"])
        level = levels.percentile_level(percentile)
    edges = (
        Prerequisite.objects.published()
        .filter(
            Q(concept=concept) | Q(concept_id__in=RawSQL(_BEHIND_SQL, (True, concept.pk, True)))
        )
        .values_list("prerequisite_id", "concept_id")
    )
    atoms = {c.pk: c.atoms for c in [*behind, concept]}
    leads_to = list(
        published_concepts().filter(id__in=_ahead(concept.pk, LEADS_TO_SHOWN)).only(*CARD_FIELDS)
    )
    return CognitiveLoad(
        atoms=concept.atoms,
        atoms_total=concept.atoms_total,
        percentile=percentile,
        percentile_level=level,
        atomic_level=levels.atomic_level(concept.pk, edges, atoms),
        leads_to=sorted(leads_to, key=_by_depth),
        leads_to_count=concept.reach if concept.reach is not None else len(leads_to),
    )


def concept_view(slug: str, *, include_unpublished: bool = False) -> ConceptView:
    """A concept, its neighbourhood and its load panel in seven queries; Concept.DoesNotExist
    if unknown."""
    visible = Concept.objects.all() if include_unpublished else published_concepts()
    concept = visible.get(slug=slug)
    prerequisites = list(
        published_concepts().filter(unlock_links__concept=concept).only(*CARD_FIELDS)
    )
    unlocks = list(
        published_concepts().filter(prerequisite_links__prerequisite=concept).only(*CARD_FIELDS)
    )
    behind = {
        c.pk: c
        for c in published_concepts()
        .filter(id__in=RawSQL(_BEHIND_SQL, (True, concept.pk, True)))
        .only(*CARD_FIELDS, "core_concepts")
    }
    # A concept's level inside its own ancestry is its stored depth in the whole tree, so
    # the learning path (graph.learning_path) is the ancestry by depth then title: no graph
    # is built per request.
    ancestry = sorted(behind.values(), key=_by_depth)
    return ConceptView(
        concept=concept,
        prerequisites=sorted(prerequisites, key=_by_depth),
        unlocks=sorted(unlocks, key=_by_depth),
        behind=ancestry,
        path=[*ancestry, concept],
        load=cognitive_load(concept, ancestry),
    )


def _by_depth(concept: Concept) -> tuple[int, str]:
    return (concept.depth or 0, concept.title)


def cached_browse_page(
    *,
    domain: str = "",
    difficulty: int | None = None,
    page: object = 1,
    per_page: int = 60,
    version: str | None = None,
) -> Page:
    """A browse page by title with no search, through the shared cache under the content
    version (read once, or given): the count once per filter, each page once. Keys come only
    from validated filters and a page number within range, so there are no more of them than
    pages."""
    version = version or versions.content_version()
    concepts = published_concepts().only(*CARD_FIELDS)
    if domain:
        concepts = concepts.filter(domain=domain)
    if difficulty:
        concepts = concepts.filter(difficulty=difficulty)
    where = hashlib.sha256(f"{domain}\n{difficulty or ''}\n{per_page}".encode()).hexdigest()
    paginator = Paginator(concepts.order_by("title"), per_page)
    paginator.count = versions.cached_fragment(
        f"browse:count:{where}", concepts.count, version=version
    )
    number = paginator.validate_number(_page_number(page, paginator))
    listed = versions.cached_fragment(
        f"browse:page:{where}:{number}",
        lambda: list(paginator.page(number).object_list),
        version=version,
    )
    return Page(listed, number, paginator)


def _page_number(page: object, paginator: Paginator | int) -> int:
    """The page asked for, as Paginator.get_page reads it: 1 if not a number, the last if
    past the end (of the paginator's pages, or of that many)."""
    pages = paginator if isinstance(paginator, int) else paginator.num_pages
    try:
        number = int(str(page))
    except ValueError:
        return 1
    return min(max(number, 1), pages)
