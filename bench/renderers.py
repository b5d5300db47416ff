"""Benchmark: the tree map's renderer, Cytoscape.js (canvas) against sigma.js (WebGL), in Chromium.

Run: .venv/bin/python bench/renderers.py [--sizes 2000 10000 100000]
     [--stress 2000 10000 50000] [--repeat 3] [--timeout 1800]

Both renderers draw the same data in the same headless Chromium (/usr/bin/chromium, the
project's flags: --disable-gpu, so WebGL is software, SwiftShader), one fresh page each,
from bench/renderer_pages/ (not a product page), served with static/vendor/ by a local HTTP
server; the libraries are the vendored ones (the versions in VENDORED).

Map: for each --sizes synthetic tree (scratch SQLite database, techtree.synthetic), the JSON
the tree map gets from the real endpoints (Django's test client): the overview, drawn first;
the busiest concept's neighbourhood as the map draws it (everything behind, the first
`ahead_batch` unlocks), added and lit as on selecting it; its best-linked neighbour
selected (its direct neighbours lit, the rest dimmed); the deepest concept's neighbourhood
added and its learning path lit; a pan and zoom; a frame with nothing changed (the
reference).

Stress: the first N elements (concepts by depth and then across, with the links between
them, at the server's positions) of the largest tree drawn at once (with no --sizes, of a
tree of max(--stress) / 2 concepts), then the concept with the most links selected and a pan
and zoom. Loading the synthetic trees takes most of the run (100,000 concepts: 2 to 10
minutes on the 2 shared cores); `--sizes 2000 10000 --stress ...` or `--sizes --stress ...`
are quicker.

Each step is timed in the page from "data in hand" until painted: the renderer's own render
event, a one-pixel read from each of its canvases (so the drawing is done, GPU included), then
the next animation frame. Best of --repeat, printed side by side with sigma/cytoscape.
Cytoscape has the tree map's options for a large tree (haystack edges, pixel ratio 1,
texture and no edges while the view moves); sigma its defaults plus hideEdgesOnMove. Not a
test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import http.server
import math
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = "bench/renderer_pages"
VENDORED = {
    "cytoscape": "static/vendor/cytoscape-3.34.4/cytoscape.min.js",
    "graphology": "static/vendor/graphology-0.26.0/graphology.umd.min.js",
    "sigma": "static/vendor/sigma-3.0.3/sigma.min.js",
}
RENDERERS = ("cytoscape", "sigma")

sys.path.insert(0, str(ROOT))  # the Chromium flags live with the browser tests
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

VIEWPORT = {"width": 1280, "height": 900}

# The tree map's box for a concept: the widest label 190 px plus padding, three lines high.
BOX_HEIGHT = 46
CONCEPT_SIZE = 4  # sigma's node radius in screen pixels


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="techtree-bench-renderers-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the shared cache (database backend)


def load_tree(size: int) -> float:
    """Replace the tree with a synthetic one of `size` concepts; seconds it took."""
    from techtree.loading import load_synthetic_tree
    from techtree.models import Concept

    start = time.perf_counter()
    Concept.objects.all().delete()
    load_synthetic_tree(size)
    return time.perf_counter() - start


# ---- The data, as plain nodes and edges both renderers take ----


def concept_node(c: dict) -> dict:
    title = c["title"]
    stars = "★" * c["difficulty"] + "☆" * (5 - c["difficulty"])
    return {
        "id": c["id"],
        "label": f"{title}\n{c['domain']} · {stars}",
        "x": c["x"],
        "y": c["y"],
        "w": min(190, 7 * len(title)) + 20,
        "h": BOX_HEIGHT,
        "size": CONCEPT_SIZE,
        "colour": c["domain_index"],
    }


def cluster_nodes(overview: dict) -> list[dict]:
    column, row = overview["column"], overview["row"]
    nodes = []
    for c in overview["clusters"]:
        w, h = c["w"] + column, c["h"] + row * 0.6
        nodes.append(
            {
                "id": f"cluster:{c['id']}",
                "label": f"{c['domain']}, depth {c['depths'][0]}-{c['depths'][1]}\n"
                f"{c['count']:,} concepts",
                "x": c["x"] + c["w"] / 2,
                "y": c["y"] + c["h"] / 2,
                "w": w,
                "h": h,
                "size": 6 + math.sqrt(c["count"]) / 2,
                "colour": c["domain_index"],
                "cluster": True,
                "fontSize": min(w / 7, h / 5),
            }
        )
    return nodes


def graph_of(nodes: list[dict], edges: list[list[str]]) -> dict:
    return {"nodes": [concept_node(n) for n in nodes], "edges": [list(e) for e in edges]}


def edge_id(source: str, target: str) -> str:
    return f"{source}->{target}"


def busiest(nodes: list[str], edges: list[list[str]]) -> str:
    """The node with the most links among these edges (the first by id on ties)."""
    links = dict.fromkeys(nodes, 0)
    for source, target in edges:
        for end in (source, target):
            if end in links:
                links[end] += 1
    return max(sorted(links), key=lambda n: links[n])


def around(node: str, edges: list[list[str]]) -> dict[str, list[str]]:
    """`node` selected: its direct prerequisites and unlocks lit, and the links to them."""
    behind = [s for s, t in edges if t == node]
    ahead = [t for s, t in edges if s == node]
    return {
        "selected": [node],
        "behind": behind + [edge_id(s, node) for s in behind],
        "ahead": ahead + [edge_id(node, t) for t in ahead],
    }


def as_drawn(near: dict) -> dict:
    """A neighbourhood as the map draws it: everything behind the concept and its nearest
    `ahead_batch` unlocks (all that were sent if the JSON names no batch)."""
    ahead = near["ahead"][: near.get("ahead_batch") or len(near["ahead"])]
    keep = {near["concept"], *near["behind"], *ahead}
    return {
        **near,
        "ahead": ahead,
        "nodes": [n for n in near["nodes"] if n["id"] in keep],
        "edges": [e for e in near["edges"] if e[0] in keep and e[1] in keep],
    }


def picks() -> dict[str, str]:
    """The concept with the most concepts behind and ahead, and the deepest one."""
    from techtree.models import Concept

    concepts = list(Concept.objects.values_list("slug", "prerequisite_count", "reach", "depth"))
    return {
        "busiest": max(concepts, key=lambda c: (c[1] + c[2], c[0]))[0],
        "deepest": max(concepts, key=lambda c: (c[3], c[0]))[0],
    }


def map_steps() -> tuple[dict, list[tuple[str, dict | None, dict]]]:
    """The overview, and the steps after it: (name, data to add, what to light)."""
    from django.test import Client

    client = Client()
    chosen = picks()
    overview = client.get("/map/overview.json").json()
    if overview["mode"] == "full":
        first = graph_of(overview["nodes"], overview["edges"])
    else:
        first = {"nodes": cluster_nodes(overview), "edges": []}

    near = as_drawn(client.get(f"/map/concepts/{chosen['busiest']}.json").json())
    slug = near["concept"]
    lit_set = {slug, *near["behind"]}
    select = {
        "selected": [slug],
        "behind": near["behind"]
        + [edge_id(s, t) for s, t in near["edges"] if s in lit_set and t in lit_set],
        "ahead": near["ahead"]
        + [edge_id(s, t) for s, t in near["edges"] if s not in lit_set or t not in lit_set],
    }
    linked = [t if s == slug else s for s, t in near["edges"] if slug in (s, t)]
    neighbour = busiest(linked, near["edges"])
    far = as_drawn(client.get(f"/map/concepts/{chosen['deepest']}.json").json())
    path = far["path"] or [*far["behind"], far["concept"]]
    on_path = set(path)
    path_lit = {
        "selected": [far["concept"]],
        "path": path + [edge_id(s, t) for s, t in far["edges"] if s in on_path and t in on_path],
    }
    steps = [
        (
            f"select the busiest ({len(near['nodes'])} concepts added)",
            graph_of(near["nodes"], near["edges"]),
            select,
        ),
        ("select its best-linked neighbour", None, around(neighbour, near["edges"])),
        (
            f"path to the deepest ({len(path)} steps)",
            graph_of(far["nodes"], far["edges"]),
            path_lit,
        ),
    ]
    return first, steps


def stress_graphs(totals: list[int]) -> dict[int, dict]:
    """For each total, the first concepts by depth and across with the links between them,
    as many as make about that many elements (nodes and edges)."""
    from techtree import tree_map
    from techtree.models import Prerequisite
    from techtree.palette import domain_index

    rows = list(
        tree_map._placed()
        .order_by("depth", "map_x")
        .values_list("pk", "slug", "title", "domain", "difficulty", "map_x", "map_y")
    )
    rank = {row[0]: i for i, row in enumerate(rows)}
    slug = [row[1] for row in rows]
    links = [
        (max(rank[p], rank[c]), rank[p], rank[c])
        for p, c in Prerequisite.objects.published()
        .order_by()
        .values_list("prerequisite_id", "concept_id")
        if p in rank and c in rank
    ]
    links.sort()
    reach = [k for k, _, _ in links]
    graphs = {}
    for total in totals:
        # Elements with the first n concepts: n + the links among them; the smallest n >= total.
        n = next(
            (n for n in range(1, len(rows) + 1) if n + bisect.bisect_left(reach, n) >= total),
            len(rows),
        )
        nodes = [
            {
                "id": r[1],
                "title": r[2],
                "domain": r[3],
                "difficulty": r[4],
                "x": r[5],
                "y": r[6],
                "domain_index": domain_index(r[3]),
            }
            for r in rows[:n]
        ]
        edges = [[slug[p], slug[c]] for k, p, c in links if k < n]
        graphs[total] = graph_of(nodes, edges)
    return graphs


def stress_steps(graph: dict) -> list[tuple[str, dict | None, dict]]:
    node = busiest([n["id"] for n in graph["nodes"]], graph["edges"])
    lit = around(node, graph["edges"])
    return [(f"select the best-linked ({len(lit['behind']) + len(lit['ahead'])} lit)", None, lit)]


# ---- The browser ----


class Handler(http.server.SimpleHTTPRequestHandler):
    """The harness pages and the vendored libraries, nothing else of the repository."""

    def do_GET(self) -> None:
        if not self.path.split("?")[0].startswith((f"/{PAGES}/", "/static/vendor/")):
            self.send_error(404)
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(Handler, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{PAGES}/index.html"


def run(browser, url: str, kind: str, first: dict, steps: list) -> dict[str, float]:
    """One fresh page: draw `first`, then each step, a pan and zoom, an idle frame."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url)
        page.wait_for_function("() => window.bench")
        figures = {}
        done = page.evaluate("([k, d]) => bench.start(k, d)", [kind, first])
        figures["first frame"] = done["painted"]
        figures["  elements drawn first"] = done["elements"]
        for name, more, lit in steps:
            done = page.evaluate("([m, l]) => bench.light(m, l)", [more, lit])
            figures[name] = done["painted"]
        figures["pan and zoom, one frame"] = page.evaluate("() => bench.move()")["painted"]
        figures["a frame with nothing changed (reference)"] = page.evaluate("() => bench.idle()")[
            "painted"
        ]
        figures["  elements drawn at the end"] = done["elements"]
    finally:
        page.close()
    if errors:
        raise RuntimeError(f"{kind}: {errors}")
    return figures


def compare(browser, url: str, first: dict, steps: list, repeat: int) -> dict[str, dict]:
    """Best of `repeat` for each renderer, taking turns so both see the same machine."""
    runs: dict[str, dict[str, list[float]]] = {kind: {} for kind in RENDERERS}
    for turn in range(repeat):
        for kind in RENDERERS if turn % 2 == 0 else RENDERERS[::-1]:
            for name, value in run(browser, url, kind, first, steps).items():
                runs[kind].setdefault(name, []).append(value)
    return {kind: {n: min(v) for n, v in figures.items()} for kind, figures in runs.items()}


def print_table(title: str, best: dict[str, dict]) -> None:
    cyto, sigma = best["cytoscape"], best["sigma"]
    print(f"\n{title}")
    print(f"{'painted ms':58}{'cytoscape':>11}{'sigma':>11}{'sigma/cyto':>12}")
    for name in cyto:
        if name.startswith("  "):
            print(f"{name:58}{cyto[name]:>11,.0f}{sigma[name]:>11,.0f}")
        else:
            ratio = sigma[name] / cyto[name] if cyto[name] else float("nan")
            print(f"{name:58}{cyto[name]:>11.1f}{sigma[name]:>11.1f}{ratio:>12.2f}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000, 100000])
    parser.add_argument("--stress", type=int, nargs="*", default=[2000, 10000, 50000])
    parser.add_argument("--repeat", type=int, default=3, help="Best of this many (default 3).")
    parser.add_argument(
        "--timeout", type=int, default=1800, help="Stop after this many seconds (default 1800)."
    )
    args = parser.parse_args()

    def out_of_time(*_) -> None:
        raise SystemExit(f"bench/renderers.py: stopped after {args.timeout} s (--timeout)")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    setup_django()
    from playwright.sync_api import sync_playwright

    server, url = serve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        browser_page = browser.new_page()
        browser_page.set_default_timeout(120_000)
        browser_page.goto(url)
        browser_page.wait_for_function("() => window.bench")
        gl = browser_page.evaluate("() => bench.webgl()")
        browser_page.close()
        print(f"Chromium {browser.version}, headless, flags: {' '.join(CHROMIUM_ARGS)}")
        software = "SwiftShader" in gl["renderer"]
        note = ": software (SwiftShader), no GPU; sigma's WebGL runs on the CPU" if software else ""
        print(
            f"WebGL: {'yes' if gl['webgl'] else 'NO (sigma cannot draw)'}, "
            f"{gl.get('version', '')}, {gl['renderer']}{note}"
        )
        print("Libraries: " + ", ".join(Path(p).parent.name for p in VENDORED.values()))
        sizes = sorted(args.sizes)
        for size in sizes:
            loaded = load_tree(size)
            first, steps = map_steps()
            print(f"\n{size:,} concepts loaded in {loaded:.0f} s")
            best = compare(browser, url, first, steps, args.repeat)
            print_table(f"The map's data at {size:,} concepts, best of {args.repeat}", best)
        if args.stress:
            if not sizes:  # a tree with enough concepts (about 2.5 elements each)
                load_tree(max(args.stress) // 2)
            graphs = stress_graphs(args.stress)
            for graph in graphs.values():
                drawn = len(graph["nodes"]) + len(graph["edges"])
                best = compare(browser, url, graph, stress_steps(graph), args.repeat)
                print_table(
                    f"Stress: {drawn:,} elements at once ({len(graph['nodes']):,} concepts), "
                    f"best of {args.repeat}",
                    best,
                )
        browser.close()
    server.shutdown()
    signal.alarm(0)


if __name__ == "__main__":
    main()
