"""Benchmark: the learner's pages at scale, each against the login page in the same run.

Run: .venv/bin/python bench/pages.py [--size 100000] [--repeat 15] [--database-url URL]

In process (Django's test client, no server), on a scratch SQLite database holding the demo
tree plus ``--size`` synthetic concepts (or the database given, filled already), with the
database cache as the shared cache: the login page (the reference), a learner's dashboard
(new, and with some progress), browse (``/concepts/``, a later page, a domain), searches
(``/concepts/?q=``; ``made`` is in every synthetic concept's summary, more than
selectors.SEARCH_RANKED_MAX found: its first and last pages, kept in the shared cache, and
its first page searched every time), a deep concept page and the softmax concept page (a
visitor's; a learner's, whose worked examples have seeds of their own). Each is asked once
to fill the caches, then timed best and median of ``--repeat``; the queries of one request
are counted. The target (issue 13): dashboard, browse and search
within 10x the login page at 100,000 concepts. Not a test: nothing here fails on a slow
machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str, size: int) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from techtree.models import Concept

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Concept.objects.filter(slug="softmax-and-logits").exists():
        call_command("load_content", verbosity=0)
    if Concept.objects.count() < size:
        start = time.perf_counter()
        call_command("build_synthetic_tree", size, prefix="bench", verbosity=0)
        print(f"built {size} synthetic concepts in {time.perf_counter() - start:.0f} s")
    from django.db import connection

    if connection.vendor == "postgresql":  # statistics as a running server's autovacuum keeps
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users = get_user_model().objects
    for name in ("bench-new", "bench-going"):
        if not users.filter(username=name).exists():
            users.create_user(name, password="bench-password-1")


def give_progress(learner) -> None:
    """Mastery of the first concepts by depth (down-closed), a few started beyond."""
    from django.utils import timezone

    from quizzes.models import ConceptProgress
    from techtree.models import Concept

    if ConceptProgress.objects.filter(learner=learner).exists():
        return
    now = timezone.now()
    concepts = list(Concept.objects.filter(published=True).order_by("depth", "pk")[:60])
    ConceptProgress.objects.bulk_create(
        ConceptProgress(
            learner=learner,
            concept=c,
            started=now,
            mastered=now if (c.depth or 0) == 0 or i % 3 else None,
        )
        for i, c in enumerate(concepts)
    )


def time_page(client, path: str, repeat: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # fills the caches
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return min(times), statistics.median(times), len(queries), len(response.content)


@contextlib.contextmanager
def not_kept(what: str | None):
    """A first view's cost: "search" pages past the bound searched every time (the shared
    cache switched off for selectors' search pages alone), or a learner's "path" (frontier
    and what to learn next) computed every time (a new cache name each view, never used by
    an earlier run: the shared cache outlives a run on the same database)."""
    import itertools
    import uuid

    from django.core.cache.backends.dummy import DummyCache

    from quizzes import selectors as learner_selectors
    from techtree import selectors

    kept_cache, kept_name = selectors.cache, learner_selectors._path_name
    names = itertools.count()
    if what == "search":
        selectors.cache = DummyCache("bench", {})
    elif what == "path":
        run = uuid.uuid4().hex
        learner_selectors._path_name = lambda *_: f"bench-path-{run}-{next(names)}"
    try:
        yield
    finally:
        selectors.cache, learner_selectors._path_name = kept_cache, kept_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default="", help="default: a scratch SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='techtree-pages-')}/db"
    setup(url, args.size)

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from techtree.models import Concept

    setup_test_environment(debug=False)
    users = get_user_model().objects
    new, going = Client(), Client()
    new.force_login(users.get(username="bench-new"))
    give_progress(users.get(username="bench-going"))
    going.force_login(users.get(username="bench-going"))
    visitor = Client()
    deep = Concept.objects.filter(published=True).order_by("-depth", "slug").first()
    domain = Concept.objects.filter(published=True).values_list("domain", flat=True).first()
    pages = [
        ("login page (reference)", visitor, "/accounts/login/"),
        ("dashboard, new learner", new, "/dashboard/"),
        ("dashboard, learner with progress", going, "/dashboard/"),
        ("dashboard, learner with progress, computed", going, "/dashboard/", "path"),
        ("browse /concepts/", visitor, "/concepts/"),
        ("browse, page 40", visitor, "/concepts/?page=40"),
        ("browse, one domain", visitor, f"/concepts/?domain={domain.replace(' ', '+')}"),
        ("search ?q=attention", visitor, "/concepts/?q=attention"),
        ("search ?q=loss+gradient", visitor, "/concepts/?q=loss+gradient"),
        ("search ?q=made (every synthetic concept)", visitor, "/concepts/?q=made"),
        ("search ?q=made, its last page", visitor, "/concepts/?q=made&page=17"),
        ("search ?q=made, its page not kept", visitor, "/concepts/?q=made", "search"),
        (f"deep concept ({deep.slug})", visitor, deep.get_absolute_url()),
        ("softmax concept", visitor, "/concepts/softmax-and-logits/"),
        ("softmax concept, learner with progress", going, "/concepts/softmax-and-logits/"),
    ]
    count = Concept.objects.count()
    print(f"{count} concepts, {url.split('://')[0]}, database cache, in process")
    print(f"{'page':<44} {'best ms':>8} {'median ms':>10} {'x login':>8} {'queries':>8} {'KiB':>7}")
    reference = None
    for name, client, path, *fresh in pages:
        with not_kept(fresh[0] if fresh else None):
            best, median, queries, size = time_page(client, path, args.repeat)
        reference = reference or median
        print(
            f"{name:<44} {best * 1e3:>8.1f} {median * 1e3:>10.1f} {median / reference:>8.1f} "
            f"{queries:>8} {size / 1024:>7.0f}"
        )


if __name__ == "__main__":
    main()
