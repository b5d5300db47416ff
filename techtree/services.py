"""Writes to the concept graph: every change keeps it a DAG and its figures current."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL

from techtree import graph, graph_arrays, layout, versions
from techtree.models import MAP_FIELDS, Concept, Prerequisite, atom_count

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
    whole refresh, reads and writes included, stays well under a second.
    """
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
    _write_figures(changed)
    refresh_layout()
    versions.content_changed()  # bulk loads bypass the models' save signals
    return len(changed)


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
    return len(moved)
