"""Benchmark: the tree page and its map at 2,000, 10,000 and 100,000 concepts, in Chromium.

Run: .venv/bin/python bench/tree_map.py [--sizes 2000 10000 100000] [--pages-at 100 100000]
     [--repeat 3] [--pages-only] [--code-root DIR]

Builds a scratch SQLite database with synthetic curricula (techtree.synthetic).

Pages: for each --pages-at size, the server's time for the login page (the reference) and
the tree page, anonymous and for a learner with progress, best of --repeat after one warm-up
request, as ratios to the login page. --code-root runs this part against another checkout
(e.g. `git archive <commit> | tar -x -C DIR`) to measure the tree page before a change.

Map: for the demo tree (the reference) and each --sizes tree, served by Django's live-server
thread to /usr/bin/chromium (headless, software rendering): the overview JSON (built, then
cached), a concept's neighbourhood JSON (built, then cached), the page until the map's first
frame, selecting a median and the busiest concept and a learning path to the deepest, each
until painted (script, fetches and two animation frames), with the CPU time the page's main
thread spent on it (less swayed by a busy machine than the wall clock). Targets: first frame
under 2 s, select under 200 ms, path under 500 ms. Not a test: nothing here fails on a slow
machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))  # the Chromium flags live with the browser tests
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Run in the page: act (awaiting any fetch), then wait two animation frames so it is painted.
TIMED = """async ([action, id]) => {
    const map = window.techtreeMap;
    const start = performance.now();
    if (action) await map[action](id);
    const script = performance.now() - start;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { script, painted: performance.now() - start };
}"""

WEBGL = """() => {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
}"""


def setup_django(code_root: Path) -> None:
    sys.path.insert(0, str(code_root))
    folder = tempfile.mkdtemp(prefix="techtree-bench-map-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DEBUG"] = "1"  # static files straight from the source folders
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the shared cache (database backend)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def load_tree(size: int | None) -> float:
    """Replace the tree with the demo tree (None) or a synthetic one; seconds it took."""
    from techtree.models import Concept

    start = time.perf_counter()
    Concept.objects.all().delete()
    if size is None:
        sys.path.insert(0, str(ROOT))  # the demo tree's loader lives with the tests
        from tests.conftest import load_demo_tree

        load_demo_tree()
    else:
        from techtree.loading import load_synthetic_tree

        load_synthetic_tree(size)
    return time.perf_counter() - start


def tree_stats() -> str:
    from techtree.models import Concept, Prerequisite

    behind = list(Concept.objects.values_list("prerequisite_count", flat=True))
    return (
        f"{Concept.objects.count()} concepts, {Prerequisite.objects.count()} edges, "
        f"depth up to {max(Concept.objects.values_list('depth', flat=True))}, "
        f"{statistics.fmean(behind):.1f} concepts behind each on average"
    )


def learner_client():
    """A signed-in learner who has mastered every root and started a few concepts."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from quizzes.models import ConceptProgress
    from techtree.models import Concept

    User = get_user_model()
    User.objects.filter(username="bench-learner").delete()
    learner = User.objects.create_user("bench-learner", password="pw")
    now = timezone.now()
    roots = Concept.objects.filter(depth=0)
    ConceptProgress.objects.bulk_create(
        [ConceptProgress(learner=learner, concept=c, started=now, mastered=now) for c in roots]
        + [
            ConceptProgress(learner=learner, concept=c, started=now)
            for c in Concept.objects.filter(depth=1)[:5]
        ]
    )
    client = Client()
    client.force_login(learner)
    return client


def page_figures(sizes: list[int], repeat: int) -> None:
    from django.test import Client

    print(f"\nTree page against the login page, server time, best of {repeat} (ms)")
    print(f"{'concepts':>9} {'login':>7} {'tree':>8} {'x login':>8} {'learner':>8} {'x login':>8}")
    for size in sizes:
        load_tree(size)
        visitor, learner = Client(), learner_client()
        for client in (visitor, learner):
            client.get("/")  # caches filled, session read once
        login = best(lambda c=visitor: c.get("/accounts/login/"), repeat)
        tree = best(lambda c=visitor: c.get("/"), repeat)
        mine = best(lambda c=learner: c.get("/"), repeat)
        print(
            f"{size:>9} {login * 1e3:>7.1f} {tree * 1e3:>8.1f} {tree / login:>8.1f} "
            f"{mine * 1e3:>8.1f} {mine / login:>8.1f}"
        )


def picks() -> dict[str, str]:
    """Concepts to select: the one with the most concepts behind and ahead, and a median one."""
    from techtree.models import Concept

    concepts = list(Concept.objects.values_list("slug", "prerequisite_count", "reach", "depth"))
    concepts.sort(key=lambda c: (c[1] + c[2], c[0]))
    return {
        "busiest": concepts[-1][0],
        "median": concepts[len(concepts) // 2][0],
        "deepest": max(concepts, key=lambda c: (c[3], c[0]))[0],
    }


# (figure, action, which concept); each page load runs these in order.
STEPS = [
    ("select a median concept", "select", "median"),
    ("then select the busiest one", "select", "busiest"),
    ("clear the selection", "clear", None),
    ("path to the deepest concept", "showPath", "deepest"),
    ("a frame with nothing changed (reference)", None, None),
]


def server_json(chosen: dict[str, str]) -> dict[str, float]:
    """The map's JSON as the server builds it (first request) and serves it (cached)."""
    from django.test import Client

    from techtree import versions

    versions.content_changed()  # a fresh version: nothing cached
    client = Client()
    figures = {}
    for name, url in (
        ("overview JSON", "/map/overview.json"),
        ("busiest neighbourhood JSON", f"/map/concepts/{chosen['busiest']}.json"),
    ):
        figures[f"server {name}, built ms"] = timed(lambda u=url: client.get(u)) * 1e3
        figures[f"server {name}, cached ms"] = best(lambda u=url: client.get(u), 3) * 1e3
        figures[f"  {name} bytes"] = float(len(client.get(url).content))
    return figures


def thread_time(cdp) -> float:
    """CPU time of the page's main thread so far, ms (DevTools' ThreadTime): a select's
    work apart from the other processes sharing the machine's cores."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "ThreadTime") * 1000


def browser_figures(browser, url: str, repeat: int, chosen: dict[str, str]) -> dict[str, float]:
    runs: dict[str, list[float]] = {}

    def keep(name: str, value: float) -> None:
        runs.setdefault(name, []).append(value)

    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("[data-tree-graph][data-rendered-ms]")
        keep("page load to first frame (wall) ms", (time.perf_counter() - start) * 1000)
        graph = page.locator("[data-tree-graph]")
        keep("  first frame drawn (page clock) ms", float(graph.get_attribute("data-rendered-ms")))
        keep("  map built ms", float(graph.get_attribute("data-layout-ms")))
        keep(
            "  elements drawn first", page.evaluate("() => window.techtreeMap.cy.elements().length")
        )
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for name, action, which in STEPS:
            page.wait_for_function("() => !window.techtreeMap.cy.animated()")
            before = thread_time(cdp)
            result = page.evaluate(TIMED, [action, chosen.get(which)])
            keep(f"{name}: painted ms", result["painted"])
            keep(f"  {name}: main thread's CPU ms", thread_time(cdp) - before)
        keep(
            "  elements drawn at the end",
            page.evaluate("() => window.techtreeMap.cy.elements().length"),
        )
        page.close()
    return {name: min(values) for name, values in runs.items()}


def map_figures(sizes: list[int], repeat: int) -> None:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    url = f"http://127.0.0.1:{server.port}/"

    results: dict[str, dict[str, float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        probe = browser.new_page()
        probe.goto(url + "accounts/login/")
        print(f"WebGL in this headless Chromium: {probe.evaluate(WEBGL)}")
        probe.close()
        for size in [None, *sizes]:
            name = "demo" if size is None else f"{size:,}"
            load = load_tree(size)
            print(f"{name}: {tree_stats()} (loaded in {load:.1f} s)")
            chosen = picks()
            figures = server_json(chosen)
            figures.update(browser_figures(browser, url, repeat, chosen))
            results[name] = figures
        browser.close()
    server.terminate()

    names = list(results)
    print(f"\nTree page map, best of {repeat} (Chromium, headless, software rendering)")
    print(f"{'':66}" + "".join(f"{n:>12}" for n in names))
    for key in results[names[-1]]:
        print(f"{key:66}" + "".join(f"{results[n].get(key, float('nan')):>12.1f}" for n in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000, 100000])
    parser.add_argument("--pages-at", type=int, nargs="*", default=[100, 100000])
    parser.add_argument("--repeat", type=int, default=3, help="Best of this many (default 3).")
    parser.add_argument("--pages-only", action="store_true", help="Only the page timings.")
    parser.add_argument("--code-root", type=Path, default=ROOT, help="Checkout to measure.")
    args = parser.parse_args()

    setup_django(args.code_root.resolve())
    if not args.pages_only:
        map_figures(args.sizes, args.repeat)
    if args.pages_at:
        page_figures(args.pages_at, args.repeat)


if __name__ == "__main__":
    main()
