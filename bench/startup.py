"""Benchmark: the site's start-up, and what importing matplotlib there would add.

Run: .venv/bin/python bench/startup.py [--repeat 5]

Each run is a fresh Python process that sets Django up, loads the WSGI application and every
URL (all that `make run` and each gunicorn worker do before the first request), and reports
whether matplotlib got imported. The reference, in the same run: the same start-up followed
by importing the matplotlib parts the figures use (what start-up cost while lessons.figures
imported them at the top). Best of ``--repeat``. Not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

START = """
import os, sys, time
start = time.perf_counter()
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "techtree.settings"
django.setup()
from django.urls import get_resolver
from techtree.wsgi import application
get_resolver().url_patterns
loaded = "matplotlib" in sys.modules
if {with_matplotlib}:
    import matplotlib.figure, matplotlib.collections, matplotlib.textpath  # noqa
print(time.perf_counter() - start, loaded)
"""


def run(with_matplotlib: bool) -> tuple[float, bool]:
    code = START.format(with_matplotlib=with_matplotlib)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), out[1] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    best = {False: float("inf"), True: float("inf")}
    loaded = False
    for _ in range(args.repeat):
        for with_matplotlib in (False, True):
            seconds, was_loaded = run(with_matplotlib)
            best[with_matplotlib] = min(best[with_matplotlib], seconds)
            loaded |= was_loaded and not with_matplotlib
    print(f"start-up (setup, WSGI app, every URL)     {best[False] * 1000:7.0f} ms")
    print(f"  matplotlib imported at start-up: {'yes' if loaded else 'no'}")
    print(f"reference: the same, then matplotlib      {best[True] * 1000:7.0f} ms", end="")
    print(f"   (+{(best[True] - best[False]) * 1000:.0f} ms, paid now by the first figure only)")


if __name__ == "__main__":
    main()
