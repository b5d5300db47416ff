"""Writes to the concept graph: every change keeps it a DAG and its figures current."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from techtree import graph, graph_arrays, graph_delta, layout, versions
from techtree.models import MAP_FIELDS, Concept, FigureRefresh, Prerequisite, atom_count

FIGURE_FIELDS = graph.FIGURE_FIELDS  # the stored figures, in graph.FIGURES order


def cycle_if_added(
    new_edges: Iterable[tuple[int, int]],
    *,
    replacing: int | None = None,
    start: int | None = None,
) -> str | None:
    """The cycle (as 'A -> B -> A' in titles) that adding these edges would close, or None.

    Edges are (prerequisite id, concept id). `replacing` is the primary key of an edge being
    edited, which is left out of the current graph. Inside a transaction (the admin's save),
    the graph stays locked until it ends, so two authors cannot each add half of a cycle.
    """
    lock_graph()
    new_edges = set(new_edges)
    # Every concept on a cycle through a new edge (p, c) stands behind p (or is p), so the
    # edges into p's ancestors are all the check needs: its cost follows the ancestry, not
    # the size of the tree.
    starts = {prerequisite for prerequisite, _ in new_edges}
    behind = _ancestors_of(starts)
    existing = (
        Prerequisite.objects.exclude(pk=replacing)
        .filter(concept_id__in=RawSQL(behind[0], behind[1]))
        .values_list("prerequisite_id", "concept_id")
    )
    edges = set(existing) | new_edges
    nodes = {end for edge in edges for end in edge}
    try:
        graph.build_graph(nodes, edges)
    except graph.CycleError as error:
        return describe_cycle(error.cycle, start)
    return None


def _ancestors_of(ids: set[int]) -> tuple[str, tuple]:
    """SQL (and its parameters) for the ids given and every concept behind them."""
    starts = sorted(ids) or [-1]
    placeholders = ", ".join(["%s"] * len(starts))
    sql = f"""
    WITH RECURSIVE up(id) AS (
        SELECT id FROM techtree_concept WHERE id IN ({placeholders})
      UNION
        SELECT e.prerequisite_id FROM techtree_prerequisite e JOIN up ON e.concept_id = up.id
    )
    SELECT id FROM up
    """
    return sql, tuple(starts)


# Any constant works; it only has to differ from other advisory locks the database sees.
GRAPH_LOCK = 0x7465_6368  # "tech"


def lock_graph() -> None:
    """Make edge checks and writes in other transactions wait until this transaction ends.

    Two transactions that each check one edge and then insert it would both pass if neither
    saw the other's uncommitted edge: A -> B in one and B -> A in the other make a cycle.
    PostgreSQL takes a transaction-scoped advisory lock. SQLite takes its database write
    lock with a write that changes nothing. Outside a transaction both end at once.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GRAPH_LOCK])
    else:
        Prerequisite.objects.filter(pk=-1).update(concept_id=F("concept_id"))


def describe_cycle(cycle: list[int], start: int | None = None) -> str:
    """A learner-readable cycle of concept ids, e.g. 'Transformers -> Attention -> Transformers'."""
    loop = cycle[:-1]
    if start in loop:
        at = loop.index(start)
        loop = loop[at:] + loop[:at]
    titles = dict(Concept.objects.filter(pk__in=loop).values_list("pk", "title"))
    return "This would create a cycle: " + graph.format_cycle(
        [*loop, loop[0]], name=lambda pk: titles.get(pk, f"#{pk}")
    )


@transaction.atomic
def refresh_graph_figures() -> int:
    """Recompute every published concept's graph figures; returns how many rows changed.

    Plain rows and arrays (graph_arrays), no model instances: on a 100,000-concept tree the
    whole refresh, reads and writes included, stays well under a second. A whole-tree
    refresh waiting for the task worker is done by this one (and gives way to it).
    """
    lock_graph()
    changed = _changed_figure_rows()
    _write_figures(changed)
    refresh_layout()
    waiting = FigureRefresh.objects.filter(finished=None)
    if waiting.exists():  # a newer request, done at once, so older tasks give way
        now = timezone.now()
        FigureRefresh.objects.create(started=now, finished=now)
        waiting.update(finished=now)
        Concept.objects.filter(figures_stale=True).update(figures_stale=False)
    versions.content_changed()  # bulk loads bypass the models' save signals
    return len(changed)


def _changed_figure_rows() -> list[tuple]:
    """(figures..., id) for every concept whose stored figures differ from the whole tree's."""
    quote = connection.ops.quote_name
    columns_sql = ", ".join(
        quote(Concept._meta.get_field(name).column)
        for name in ("id", "published", "minutes", "core_concepts", *FIGURE_FIELDS)
    )
    with connection.cursor() as cursor:  # raw rows: the ORM's converters cost more than SQL
        cursor.execute(f"SELECT {columns_sql} FROM {quote(Concept._meta.db_table)} ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT prerequisite_id, concept_id FROM {quote(Prerequisite._meta.db_table)}"
        )
        edges = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    published = [row for row in rows if row[1]]
    ids = np.array([row[0] for row in published], dtype=np.int64)
    # Only edges between published concepts count (ids is sorted, as the rows are).
    ends = np.searchsorted(ids, edges[np.isin(edges, ids).all(axis=1)])
    columns = graph_arrays.figure_columns(
        len(ids),
        ends[:, 0],
        ends[:, 1],
        minutes=np.array([row[2] for row in published], dtype=np.int64),
        atoms=np.array([atom_count(row[3]) for row in published], dtype=np.int64),
    )
    fresh = dict(
        zip(
            ids.tolist(),
            zip(
                *(columns[figure.name].tolist() for figure in graph.STORED_FIGURES),
                strict=True,
            ),
            strict=True,
        )
    )
    unplaced = (None,) * len(FIGURE_FIELDS)
    changed: list[tuple] = []
    for row in rows:
        values = fresh.get(row[0], unplaced)
        if tuple(row[4:]) != values:
            changed.append((*values, row[0]))
    return changed


def _write_figures(rows: list[tuple]) -> None:
    """UPDATE the figure columns row by row in one executemany.

    bulk_update() builds a CASE expression per object and costs about 0.3 ms a row in
    Python; a prepared UPDATE is some fifty times cheaper on a 100,000-concept tree.
    """
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(Concept._meta.get_field(name).column)} = %s" for name in FIGURE_FIELDS
    )
    sql = f"UPDATE {quote(Concept._meta.db_table)} SET {assignments} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def refresh_layout() -> int:
    """Recompute where the tree map draws every published concept (techtree.layout) from
    the stored depths; writes only the rows that moved and returns how many did.

    The layout is the whole tree's (a concept's column depends on its row's neighbours), so
    any graph change, incremental or not, ends with this: about 0.5 s at 100,000 concepts.
    """
    quote = connection.ops.quote_name
    table = quote(Concept._meta.db_table)
    column = {name: quote(Concept._meta.get_field(name).column) for name in MAP_FIELDS}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, published, depth, domain, {column['map_x']}, {column['map_y']} "
            f"FROM {table} ORDER BY domain, depth, title"
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT prerequisite_id, concept_id FROM {quote(Prerequisite._meta.db_table)}"
        )
        edges = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    placed = [row for row in rows if row[1] and row[2] is not None]
    ids = np.array([row[0] for row in placed], dtype=np.int64)
    by_id = np.argsort(ids)
    # Edges between placed concepts, as positions in `placed` (domain, depth, title order).
    known = np.isin(edges, ids).all(axis=1)
    ends = by_id[np.searchsorted(ids[by_id], edges[known])]
    domain_numbers = {name: i for i, name in enumerate(sorted({row[3] for row in placed}))}
    x, y = layout.layered_layout(
        np.array([row[2] for row in placed], dtype=np.int64),
        np.array([domain_numbers[row[3]] for row in placed], dtype=np.int64),
        ends[:, 0],
        ends[:, 1],
    )
    fresh = dict(zip(ids.tolist(), zip(x.tolist(), y.tolist(), strict=True), strict=True))
    moved = []
    for row in rows:
        position = fresh.get(row[0], (None, None))
        if (row[4], row[5]) != position:
            moved.append((*position, row[0]))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column['map_x']} = %s, {column['map_y']} = %s WHERE id = %s",
            moved,
        )
    if moved:  # the map's cached JSON (tree_map) is keyed by the content version
        versions.content_changed()
    return len(moved)


# --- Refreshing after a change: the touched region in the request, or the whole tree later ---


def refresh_figures_after(
    *,
    added: Iterable[tuple[int, int]] = (),
    removed: Iterable[tuple[int, int]] = (),
    concepts: Iterable[int] = (),
    published: Iterable[int] = (),
) -> str:
    """Bring the stored figures up to date after these changes, already saved in this
    transaction: edges (prerequisite id, concept id) added or removed, concepts whose
    minutes or atomic ideas changed, concepts newly published (new ones included: every
    edge between them and the published tree counts as added). Returns how: 'nothing' to do,
    'region' (only the concepts the change can move, see graph_delta), or 'queued' (the whole
    tree, by the task worker; pages say the figures are being refreshed until it is done).

    The region is read with recursive queries on the edge table and written in one
    executemany; past GRAPH_REFRESH_INLINE_LIMIT concepts, or while a whole-tree refresh is
    waiting (the stored figures it would start from may be stale), the whole tree is queued.
    """
    lock_graph()
    added, removed, fresh = set(added), set(removed), set(published)
    if fresh:  # before, a fresh concept stood alone: as if all its edges were just added
        links = Prerequisite.objects.filter(Q(concept__in=fresh) | Q(prerequisite__in=fresh))
        added |= set(links.values_list("prerequisite", "concept"))
    ends = {end for edge in added | removed for end in edge} | set(concepts) | fresh
    live = set(Concept.objects.filter(pk__in=ends, published=True).values_list("pk", flat=True))
    added = {edge for edge in added if set(edge) <= live}  # the published tree's edges only
    removed = {edge for edge in removed if set(edge) <= live}
    heads = {c for _, c in added | removed} | ((set(concepts) | fresh) & live)
    if not heads:
        return "nothing"
    sources = {p for p, _ in added | removed}
    if FigureRefresh.objects.filter(finished=None).exists():
        return queue_figure_refresh(region=(heads, sources))
    region = _read_region(heads, sources, settings.GRAPH_REFRESH_INLINE_LIMIT)
    if region is None:
        return queue_figure_refresh(region=(heads, sources))
    rows, edges = region
    stored = {}
    alone = (0,) * len(FIGURE_FIELDS)  # the figures of a concept with no edges
    for row in rows:
        if row[0] in fresh:
            row = (*row[:3], *alone)
        elif None in row[3:]:  # never placed: the stored figures cannot be trusted
            return queue_figure_refresh(region=(heads, sources))
        depth, unlocks, count, minutes, reach, bottleneck, chain, atoms_total = row[3:]
        stored[row[0]] = graph.Figures(
            depth, unlocks, count, minutes, reach, bottleneck, chain, 0, atoms_total
        )
    upstream = graph_delta.upstream(sources, edges)
    exits = _read_exits(sources) if sources else []
    if any(chain is None and c not in fresh for _, c, chain in exits):  # never placed
        return queue_figure_refresh(region=(heads, sources))
    figures = graph_delta.region_figures(
        [row[0] for row in rows],
        edges,
        added=added,
        removed=removed,
        minutes={row[0]: row[1] for row in rows},
        atoms={row[0]: atom_count(row[2]) for row in rows},
        stored=stored,
        exits=[(p, c) for p, c, _ in exits],
        exit_chains={c: 0 if c in fresh else chain for _, c, chain in exits if c not in upstream},
    )
    changed = []
    for row in rows:
        values = tuple(getattr(figures[row[0]], f.name) for f in graph.STORED_FIGURES)
        if values != tuple(row[3:]):
            changed.append((*values, row[0]))
    _write_figures(changed)
    queue_layout_refresh()
    versions.content_changed()
    return "region"


def queue_layout_refresh() -> None:
    """Ask the task worker to place the tree map again (refresh_layout): the layout is the
    whole tree's, and reading it all would cost a region refresh at 100,000 concepts several
    times over.

    A layout still waiting in the database queue reads the tree when it runs, so it covers
    this change too: an author's saves in a row queue one layout, not one each. One already
    running may have read the tree before this change, so it does not count.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from techtree.tasks import refresh_map_layout  # tasks import services

    if isinstance(refresh_map_layout.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.ready().filter(task_path=refresh_map_layout.module_path)
        if waiting.exists():
            return
    refresh_map_layout.enqueue()


def _region_sql(heads: set[int], sources: set[int]) -> tuple[str, list]:
    """A WITH clause (and its parameters) defining `region(id)`: the heads, everything after
    them, the sources and everything behind all of those, in the published tree."""
    quote = connection.ops.quote_name
    concept, edge = quote(Concept._meta.db_table), quote(Prerequisite._meta.db_table)
    heads_in, sources_in = ", ".join(["%s"] * len(heads)), ", ".join(["%s"] * len(sources))
    # CROSS JOIN fixes SQLite's join order (each step walks the edge index from the rows
    # found so far); without it SQLite scanned every published concept per step.
    # PostgreSQL plans it as the plain join it is.
    seeds = f"UNION SELECT id FROM {concept} WHERE id IN ({sources_in}) AND published = %s"
    region = f"""
    WITH RECURSIVE below(id) AS (
        SELECT id FROM {concept} WHERE id IN ({heads_in}) AND published = %s
      UNION
        SELECT c.id FROM below b CROSS JOIN {edge} e CROSS JOIN {concept} c
        WHERE e.prerequisite_id = b.id AND c.id = e.concept_id AND c.published = %s
    ),
    seeds(id) AS (SELECT id FROM below {seeds if sources else ""}),
    region(id) AS (
        SELECT id FROM seeds
      UNION
        SELECT c.id FROM region r CROSS JOIN {edge} e CROSS JOIN {concept} c
        WHERE e.concept_id = r.id AND c.id = e.prerequisite_id AND c.published = %s
    )
    """
    params = [*sorted(heads), True, True, *([*sorted(sources), True] if sources else []), True]
    return region, params


def _read_region(heads: set[int], sources: set[int], limit: int) -> tuple[list, list] | None:
    """Rows (id, minutes, core concepts, stored figures...) of the region (_region_sql) and
    every edge into it; None if it holds more than `limit` concepts."""
    quote = connection.ops.quote_name
    concept, edge = quote(Concept._meta.db_table), quote(Prerequisite._meta.db_table)
    region, params = _region_sql(heads, sources)
    columns = ", ".join(
        f"c.{quote(Concept._meta.get_field(name).column)}"
        for name in ("id", "minutes", "core_concepts", *FIGURE_FIELDS)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{region} SELECT {columns} FROM region r CROSS JOIN {concept} c "
            "WHERE c.id = r.id LIMIT %s",
            [*params, limit + 1],
        )
        rows = cursor.fetchall()
        if len(rows) > limit:
            return None
        cursor.execute(
            f"""{region} SELECT e.prerequisite_id, e.concept_id
            FROM region r CROSS JOIN {edge} e CROSS JOIN {concept} p
            WHERE e.concept_id = r.id AND p.id = e.prerequisite_id AND p.published = %s""",
            [*params, True],
        )
        edges = cursor.fetchall()
    return rows, edges


def _read_exits(sources: set[int]) -> list[tuple[int, int, int | None]]:
    """Every published edge out of the sources and everything behind them, with the stored
    chain length of its head."""
    quote = connection.ops.quote_name
    concept, edge = quote(Concept._meta.db_table), quote(Prerequisite._meta.db_table)
    chain = quote(Concept._meta.get_field("chain_length").column)
    sources_in = ", ".join(["%s"] * len(sources))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE upstream(id) AS (
                SELECT id FROM {concept} WHERE id IN ({sources_in}) AND published = %s
              UNION
                SELECT c.id FROM upstream u CROSS JOIN {edge} e CROSS JOIN {concept} c
                WHERE e.concept_id = u.id AND c.id = e.prerequisite_id AND c.published = %s
            )
            SELECT e.prerequisite_id, e.concept_id, c.{chain}
            FROM upstream u CROSS JOIN {edge} e CROSS JOIN {concept} c
            WHERE e.prerequisite_id = u.id AND c.id = e.concept_id AND c.published = %s
            """,
            [*sorted(sources), True, True, True],
        )
        return cursor.fetchall()


def refresh_whole_tree() -> str:
    """After a change that may move any figure (a concept published, withdrawn, added or
    deleted; a version restored): the whole tree now if it is small enough, else queued.
    Returns 'whole tree' or 'queued'."""
    lock_graph()
    if Concept.objects.filter(published=True).count() <= settings.GRAPH_REFRESH_INLINE_LIMIT:
        refresh_graph_figures()
        return "whole tree"
    return queue_figure_refresh()


def queue_figure_refresh(*, region: tuple[set[int], set[int]] | None = None) -> str:
    """Ask the task worker to refresh every figure, and mark the concepts whose figures may
    be out of date until it is done (pages say so): the region of (heads, sources), or every
    published concept. A new request each time: a refresh that started from an older graph
    gives way to it."""
    from techtree.tasks import refresh_figures  # tasks import services

    if region:
        quote = connection.ops.quote_name
        table, stale = quote(Concept._meta.db_table), quote("figures_stale")
        sql, params = _region_sql(*region)
        with connection.cursor() as cursor:
            cursor.execute(
                f"{sql} UPDATE {table} SET {stale} = %s WHERE id IN (SELECT id FROM region)",
                [*params, True],
            )
    else:
        Concept.objects.filter(published=True).update(figures_stale=True)
    refresh = FigureRefresh.objects.create()
    refresh_figures.enqueue(refresh.pk)
    versions.content_changed()  # pages cached per version now say the figures are stale
    return "queued"


REFRESH_BATCH = 10_000  # rows written per transaction, so progress shows as it goes


def run_figure_refresh(refresh_id: int) -> bool:
    """Refresh every figure for this request (the task worker's job); False if a newer
    request (or a refresh in a request) came after it, which then does or did the work.

    The graph is read in one transaction, written in batches of REFRESH_BATCH rows, each
    under the graph lock and only while no newer request exists; the last batch marks this
    request and every earlier one done.
    """
    requests = FigureRefresh.objects
    if requests.filter(pk__gt=refresh_id).exists():
        return False
    requests.filter(pk=refresh_id).update(started=timezone.now())
    with transaction.atomic():
        changed = _changed_figure_rows()
    requests.filter(pk=refresh_id).update(total=len(changed))
    for start in range(0, max(len(changed), 1), REFRESH_BATCH):
        with transaction.atomic():
            lock_graph()
            if requests.filter(pk__gt=refresh_id).exists():
                return False
            _write_figures(changed[start : start + REFRESH_BATCH])
            done = min(start + REFRESH_BATCH, len(changed))
            requests.filter(pk=refresh_id).update(done=done)
            if done == len(changed):
                requests.filter(pk__lte=refresh_id, finished=None).update(finished=timezone.now())
                Concept.objects.filter(figures_stale=True).update(figures_stale=False)
                versions.content_changed()
    refresh_layout()
    return True
