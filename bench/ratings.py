"""Benchmark: browse sorted by rating against browse by title, and a concept page's quality
section, on a synthetic tree in a scratch SQLite database.

Run: .venv/bin/python bench/ratings.py [--size 10000] [--rated 0.5] [--repeat 20]

A share of the concepts (--rated) gets a summary row with a random mean and count (as the
rating service writes it); then the first and a middle page of /concepts/?sort=rating and
of /concepts/ are timed (best of --repeat), each as a ratio against the login page in the
same run, with the query plan of the sorted page query. Not a test: nothing fails here.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best(fetch, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="synthetic concepts")
    parser.add_argument("--rated", type=float, default=0.5, help="share of concepts rated")
    parser.add_argument("--repeat", type=int, default=20, help="timings per page (best kept)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-ratings-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DEBUG"] = "1"  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed

    from feedback.models import ConceptQuality
    from techtree import selectors
    from techtree.loading import load_synthetic_tree
    from techtree.models import Concept

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_synthetic_tree(args.size)
    rng = random.Random(0)
    ids = list(Concept.objects.values_list("pk", flat=True))
    rows = []
    for pk in rng.sample(ids, int(len(ids) * args.rated)):
        count = rng.randint(1, 40)
        total = sum(rng.randint(1, 5) for _ in range(count))
        rows.append(ConceptQuality(concept_id=pk, count=count, total=total, mean=total / count))
    ConceptQuality.objects.bulk_create(rows, batch_size=2000)
    pages = max(1, len(ids) // 60)
    client = Client()
    client.get("/accounts/login/")
    login = best(lambda: client.get("/accounts/login/"), args.repeat)
    print(f"{len(ids):,} concepts, {len(rows):,} rated; login page {login * 1000:.1f} ms")
    for label, url in [
        ("by title, page 1", "/concepts/"),
        ("by rating, page 1", "/concepts/?sort=rating"),
        (f"by title, page {pages // 2}", f"/concepts/?page={pages // 2}"),
        (f"by rating, page {pages // 2}", f"/concepts/?sort=rating&page={pages // 2}"),
    ]:
        assert client.get(url).status_code == 200
        took = best(lambda url=url: client.get(url), args.repeat)
        print(f"  browse {label:<22} {took * 1000:7.1f} ms  {took / login:5.1f}x login")
    from feedback.pages import BestRatedFirst

    ordered = BestRatedFirst(selectors.published_concepts())
    for label, part in [("rated", ordered.rated[:60]), ("unrated", ordered.unrated[:60])]:
        sql, params = part.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "; ".join(row[-1] for row in cursor.fetchall())
        print(f"  plan of a page of the {label}: {plan}")


if __name__ == "__main__":
    main()
