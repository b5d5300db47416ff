"""Benchmark: graph figures and tree pages on synthetic trees of 1,000 to 100,000 concepts.

Run: .venv/bin/python bench/graph.py [--sizes 1000 10000 100000] [--no-pages]

Prints, per size: the time to compute every figure for every concept (techtree.graph), the
same figures the naive way (networkx ancestors/descendants walked per concept) as a
reference where that finishes in reasonable time, and the time to render the tree page and a
concept page from a scratch SQLite database. Growth factors per 10x show the scaling.
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

from techtree import graph  # noqa: E402
from techtree.synthetic import synthetic_tree  # noqa: E402

NAIVE_LIMIT = 10_000  # the per-concept walk is quadratic-ish; skip it beyond this


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def figures_time(size: int) -> tuple[float, float | None, dict]:
    concepts, edges = synthetic_tree(size)
    minutes = {c.number: c.minutes for c in concepts}
    atoms = {c.number: c.atoms for c in concepts}
    nodes = [c.number for c in concepts]

    def ours():
        return graph.compute_figures(graph.build_graph(nodes, edges), minutes, atoms)

    repeat = 3 if size <= 10_000 else 1
    ours_time = best_of(ours, repeat)
    figures = ours()

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
    return ours_time, naive_time, stats


def page_times(sizes: list[int]) -> dict[int, tuple[float, float, float]]:
    """Load each size into a scratch SQLite database and time the two pages."""
    folder = tempfile.mkdtemp(prefix="techtree-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DEBUG"] = "1"  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from techtree.loading import load_synthetic_tree
    from techtree.models import Concept

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    results = {}
    for size in sizes:
        Concept.objects.all().delete()
        start = time.perf_counter()
        load_synthetic_tree(size)
        load = time.perf_counter() - start
        deepest = Concept.objects.order_by("-depth", "slug").first()
        repeat = 3 if size <= 10_000 else 1
        tree = best_of(lambda: client.get("/"), repeat)
        concept = best_of(lambda slug=deepest.slug: client.get(f"/concepts/{slug}/"), 5)
        results[size] = (load, tree, concept)
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
    ours = [r[1] for r in rows]
    print(
        f"{'concepts':>9} {'edges':>8} {'depth':>6} {'behind':>7} {'ours s':>9} {'growth':>7}"
        f" {'naive nx s':>11} {'naive/ours':>11}"
    )
    for (size, t, naive, stats), g in zip(rows, growth(ours), strict=True):
        ratio = f"{naive / t:.1f}" if naive else "skipped"
        naive_s = f"{naive:.3f}" if naive else "-"
        print(
            f"{size:>9} {stats['edges']:>8} {stats['max depth']:>6} "
            f"{stats['mean concepts behind']:>7.1f} {t:>9.3f} {g:>7} {naive_s:>11} {ratio:>11}"
        )

    if args.no_pages:
        return
    print("\nPages (Django test client, scratch SQLite database)")
    pages = page_times(args.sizes)
    trees = [pages[s][1] for s in args.sizes]
    concepts = [pages[s][2] for s in args.sizes]
    print(
        f"{'concepts':>9} {'load s':>8} {'tree page s':>12} {'growth':>7} "
        f"{'concept page ms':>16} {'growth':>7}"
    )
    for size, g_tree, g_concept in zip(args.sizes, growth(trees), growth(concepts), strict=True):
        load, tree, concept = pages[size]
        print(
            f"{size:>9} {load:>8.2f} {tree:>12.3f} {g_tree:>7} {concept * 1000:>16.1f} "
            f"{g_concept:>7}"
        )


if __name__ == "__main__":
    main()
