"""Benchmark: graph figures and tree pages on synthetic trees of 1,000 to 100,000 concepts.

Run: .venv/bin/python bench/graph.py [--sizes 1000 10000 100000] [--no-pages]

Prints, per size: the time to compute every figure for every concept with the networkx
reference (techtree.graph) and with rustworkx and SciPy sparse arrays (techtree.graph_arrays,
what the site uses), side by side; the naive way (networkx ancestors/descendants walked per
concept) where that finishes in reasonable time; then, from a scratch SQLite database, the
login page (the reference), the tree page (its first request after the tree was loaded,
which builds the map's overview once per content version, then best of 5), a concept page,
and an author's save of one edge
through the admin's own change form (cycle check and figure refresh included, end to end),
a refused cycle, and removing the edge again. Growth factors per 10x show the scaling.
Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from techtree import graph, graph_arrays  # noqa: E402
from techtree.synthetic import synthetic_tree  # noqa: E402

NAIVE_LIMIT = 10_000  # the per-concept walk is quadratic-ish; skip it beyond this


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def figures_time(size: int) -> tuple[float, float, float | None, dict]:
    concepts, edges = synthetic_tree(size)
    minutes = {c.number: c.minutes for c in concepts}
    atoms = {c.number: c.atoms for c in concepts}
    nodes = [c.number for c in concepts]

    def ours():
        return graph.compute_figures(graph.build_graph(nodes, edges), minutes, atoms)

    def arrays():
        return graph_arrays.figure_table(nodes, edges, minutes, atoms)

    repeat = 3 if size <= 10_000 else 1
    ours_time = best_of(ours, repeat)
    arrays_time = best_of(arrays, 3)
    figures = ours()
    assert arrays().as_dict() == figures, "the two implementations disagree"

    naive_time = None
    if size <= NAIVE_LIMIT:
        g = graph.build_graph(nodes, edges)

        def naive():
            for node in g:
                behind = nx.ancestors(g, node)
                sum(minutes[n] for n in behind)
                len(nx.descendants(g, node))

        naive_time = best_of(naive, 1)
    stats = {
        "edges": len(edges),
        "max depth": max(f.depth for f in figures.values()),
        "mean concepts behind": statistics.fmean(f.prerequisite_count for f in figures.values()),
    }
    return ours_time, arrays_time, naive_time, stats


def admin_form(concept, prerequisite_ids: list[int], delete: set[int] = frozenset()) -> dict:
    """POST data of the admin's concept change form, as the page sends it."""
    from techtree.models import Prerequisite

    inline = "prerequisite_links"
    existing = list(Prerequisite.objects.filter(concept=concept).order_by("pk"))
    added = [pk for pk in prerequisite_ids if pk not in {e.prerequisite_id for e in existing}]
    data = {
        "title": concept.title,
        "slug": concept.slug,
        "summary": concept.summary,
        "domain": concept.domain,
        "difficulty": str(concept.difficulty),
        "minutes": str(concept.minutes),
        "published": "on",
        "core_concepts": concept.core_concepts,
        "key_symbols": concept.key_symbols,
        f"{inline}-TOTAL_FORMS": str(len(existing) + len(added)),
        f"{inline}-INITIAL_FORMS": str(len(existing)),
        f"{inline}-MIN_NUM_FORMS": "0",
        f"{inline}-MAX_NUM_FORMS": "1000",
    }
    for i, edge in enumerate(existing):
        data[f"{inline}-{i}-id"] = str(edge.pk)
        data[f"{inline}-{i}-concept"] = str(concept.pk)
        data[f"{inline}-{i}-prerequisite"] = str(edge.prerequisite_id)
        if edge.prerequisite_id in delete:
            data[f"{inline}-{i}-DELETE"] = "on"
    for j, pk in enumerate(added, start=len(existing)):
        data[f"{inline}-{j}-prerequisite"] = str(pk)
        data[f"{inline}-{j}-concept"] = str(concept.pk)
    for prefix in ("lesson", "worked_examples", "problems"):
        for field, value in (("TOTAL", 0), ("INITIAL", 0), ("MIN_NUM", 0), ("MAX_NUM", 1000)):
            data[f"{prefix}-{field}_FORMS"] = str(value)
    return data


def edge_save_times(client, size: int) -> tuple[float, float, float]:
    """(add one edge, refuse a cycle, remove the edge) through the admin's change form, in s."""
    from techtree.models import Concept, Prerequisite

    deepest = Concept.objects.order_by("-depth", "slug").first()
    root = Concept.objects.filter(depth=0).order_by("pk").first()
    foundation = Concept.objects.filter(depth__gt=0).order_by("pk").first() or root
    url = f"/admin/techtree/concept/{deepest.pk}/change/"
    current = list(deepest.prerequisite_links.values_list("prerequisite_id", flat=True))

    def post(target, data, expect: int) -> float:
        start = time.perf_counter()
        response = client.post(target, data)
        took = time.perf_counter() - start
        assert response.status_code == expect, response.content[:2000]
        return took

    new = foundation.pk if foundation.pk not in current else root.pk
    add = post(url, admin_form(deepest, [*current, new]), 302)
    assert Prerequisite.objects.filter(concept=deepest, prerequisite_id=new).exists()
    # The root behind the deepest concept as the deepest's dependant: refused as a cycle.
    cycle = post(
        f"/admin/techtree/concept/{root.pk}/change/",
        admin_form(root, [deepest.pk]),
        200,
    )
    remove = post(url, admin_form(deepest, [*current, new], delete={new}), 302)
    assert not Prerequisite.objects.filter(concept=deepest, prerequisite_id=new).exists()
    return add, cycle, remove


def page_times(sizes: list[int]) -> dict[int, tuple]:
    """Load each size into a scratch SQLite database and time the pages and an edge save."""
    folder = tempfile.mkdtemp(prefix="techtree-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DEBUG"] = "1"  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from techtree.loading import load_synthetic_tree
    from techtree.models import Concept

    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    client = Client()
    author = Client()
    author.force_login(
        get_user_model().objects.create_superuser("bench-author", "a@example.org", "x")
    )
    results = {}
    for size in sizes:
        Concept.objects.all().delete()
        start = time.perf_counter()
        load_synthetic_tree(size)
        load = time.perf_counter() - start
        deepest = Concept.objects.order_by("-depth", "slug").first()
        login = best_of(lambda: client.get("/accounts/login/"), 5)
        # The first tree page after a content change builds the map's overview (once per
        # content version, for every reader); the pages after it read it back.
        first_tree = best_of(lambda: client.get("/"), 1)
        tree = best_of(lambda: client.get("/"), 5)
        concept = best_of(lambda slug=deepest.slug: client.get(f"/concepts/{slug}/"), 5)
        saves = [edge_save_times(author, size) for _ in range(2)]
        add, cycle, remove = (min(column) for column in zip(*saves, strict=True))
        results[size] = (load, login, first_tree, tree, concept, add, cycle, remove)
    return results


def growth(values: list[float | None]) -> list[str]:
    out = [""]
    for before, after in itertools.pairwise(values):
        out.append(f"x{after / before:.1f}" if before and after else "")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--no-pages", action="store_true", help="Skip the page renders.")
    args = parser.parse_args()

    print("Graph figures for every concept (build the DAG + compute all nine figures)")
    rows = [(size, *figures_time(size)) for size in args.sizes]
    print(
        f"{'concepts':>9} {'edges':>8} {'depth':>6} {'behind':>7} {'networkx s':>11}"
        f" {'arrays s':>9} {'growth':>7} {'nx/arrays':>10} {'naive nx s':>11}"
    )
    for (size, t, fast, naive, stats), g in zip(rows, growth([r[2] for r in rows]), strict=True):
        naive_s = f"{naive:.3f}" if naive else "-"
        print(
            f"{size:>9} {stats['edges']:>8} {stats['max depth']:>6} "
            f"{stats['mean concepts behind']:>7.1f} {t:>11.3f} {fast:>9.3f} {g:>7} "
            f"{t / fast:>10.1f} {naive_s:>11}"
        )

    if args.no_pages:
        return
    print("\nPages and an edge save (Django test client, scratch SQLite database)")
    pages = page_times(args.sizes)
    print(
        f"{'concepts':>9} {'load s':>7} {'login ms':>9} {'tree 1st ms':>12} {'tree ms':>8} "
        f"{'x login':>8} "
        f"{'concept ms':>11} {'x login':>8} {'edge save ms':>13} {'x login':>8} "
        f"{'cycle ms':>9} {'remove ms':>10}"
    )
    for size in args.sizes:
        load, login, first_tree, tree, concept, add, cycle, remove = pages[size]
        print(
            f"{size:>9} {load:>7.1f} {login * 1e3:>9.1f} {first_tree * 1e3:>12.1f} "
            f"{tree * 1e3:>8.1f} "
            f"{tree / login:>8.0f} {concept * 1e3:>11.1f} {concept / login:>8.1f} "
            f"{add * 1e3:>13.0f} {add / login:>8.0f} {cycle * 1e3:>9.0f} {remove * 1e3:>10.0f}"
        )


if __name__ == "__main__":
    main()
