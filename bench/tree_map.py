"""Benchmark: the tree page's interactive map on a 2,000-concept synthetic tree, in Chromium.

Run: .venv/bin/python bench/tree_map.py [--size 2000] [--repeat 5] [--no-dagre]

Builds a scratch SQLite database, serves it with Django's live-server thread and drives
/usr/bin/chromium with Playwright. For the 17-concept demo tree (the reference, same run) and
for a synthetic tree of --size concepts it prints: the server's render time of the tree page,
how long the page takes until the map is laid out and first drawn, and how long selecting a
concept (highlighting everything behind and ahead of it) and showing a learning path take,
each in script time and until the next frame is painted. With dagre it also times the layout
the map skips above 400 concepts, to show why it is skipped.
Not a test: nothing here fails on a slow machine.
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
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Run in the page: act, then wait two animation frames so the change has been painted.
TIMED = """async ([action, id]) => {
    const map = window.techtreeMap;
    const start = performance.now();
    if (action) map[action](id);
    const script = performance.now() - start;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { script, painted: performance.now() - start };
}"""

DAGRE = """() => {
    const start = performance.now();
    window.techtreeMap.cy.layout({ name: "dagre", rankDir: "TB", fit: false }).run();
    return performance.now() - start;
}"""


def setup_django() -> None:
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


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def server_ms(repeat: int) -> float:
    from django.test import Client

    client = Client()
    return best(lambda: client.get("/"), repeat) * 1000


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


NAVIGATION = """() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { response: n.responseEnd, parsed: n.domInteractive };
}"""

# (figure, action, which concept); each page load runs these in order.
STEPS = [
    ("select a median concept", "select", "median"),
    ("then select the busiest one", "select", "busiest"),
    ("clear the selection", "clear", None),
    ("path to the deepest concept", "showPath", "deepest"),
    ("a frame with nothing changed (reference)", None, None),
]


def browser_figures(browser, url: str, repeat: int, dagre: bool) -> dict[str, float]:
    chosen = picks()
    runs: dict[str, list[float]] = {}

    def keep(name: str, value: float) -> None:
        runs.setdefault(name, []).append(value)

    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("[data-tree-graph][data-rendered-ms]")
        keep("page load to first draw (wall) ms", (time.perf_counter() - start) * 1000)
        timing = page.evaluate(NAVIGATION)
        graph = page.locator("[data-tree-graph]")
        keep("  HTML received (navigation timing) ms", timing["response"])
        keep("  HTML parsed ms", timing["parsed"])
        keep("  map built and laid out ms", float(graph.get_attribute("data-layout-ms")))
        keep("  first frame drawn ms", float(graph.get_attribute("data-rendered-ms")))
        for name, action, which in STEPS:
            # Let the previous step's zoom finish. (cy.stop(true, true), jumping to its end,
            # crashed the renderer on a 2,000-concept tree.)
            page.wait_for_function("() => !window.techtreeMap.cy.animated()")
            result = page.evaluate(TIMED, [action, chosen.get(which)])
            keep(f"{name}: script ms", result["script"])
            keep(f"{name}: painted ms", result["painted"])
        page.close()
    figures = {name: min(values) for name, values in runs.items()}
    if dagre:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("[data-tree-graph][data-ready='true']")
        figures["dagre layout (reference) ms"] = page.evaluate(DAGRE)
        page.close()
    return figures


def tree_stats() -> str:
    from techtree.models import Concept, Prerequisite

    behind = list(Concept.objects.values_list("prerequisite_count", flat=True))
    return (
        f"{Concept.objects.count()} concepts, {Prerequisite.objects.count()} edges, "
        f"depth up to {max(Concept.objects.values_list('depth', flat=True))}, "
        f"{statistics.fmean(behind):.1f} concepts behind each on average"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="Synthetic concepts (default 2000).")
    parser.add_argument("--repeat", type=int, default=5, help="Best of this many page loads.")
    parser.add_argument("--no-dagre", action="store_true", help="Skip the dagre reference.")
    args = parser.parse_args()

    setup_django()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    from techtree.models import Concept
    from tests.conftest import load_demo_tree

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
        for name, load in (
            ("demo", load_demo_tree),
            (f"synthetic {args.size}", lambda: _synthetic(args.size)),
        ):
            Concept.objects.all().delete()
            load()
            print(f"{name}: {tree_stats()}")
            figures = {"server render of / ms": server_ms(args.repeat)}
            figures.update(browser_figures(browser, url, args.repeat, not args.no_dagre))
            results[name] = figures
        browser.close()
    server.terminate()

    demo, big = results.values()
    names = list(results)
    print(f"\nTree page map, best of {args.repeat} (Chromium, headless, software rendering)")
    print(f"{'':52} {names[0]:>12} {names[1]:>16} {'ratio':>8}")
    for key in big:
        ratio = big[key] / demo[key] if demo.get(key) else float("nan")
        print(f"{key:52} {demo.get(key, float('nan')):>12.1f} {big[key]:>16.1f} {ratio:>8.1f}")


def _synthetic(size: int) -> None:
    from techtree.loading import load_synthetic_tree

    load_synthetic_tree(size)


if __name__ == "__main__":
    main()
