"""Benchmark: gzip of the softmax concept page, zlib against zlib-ng, at a few levels.

Run: .venv/bin/python bench/compression.py [--repeat 200]

The page is the softmax concept page as a visitor gets it (the demo tree on a scratch SQLite
database, rendered in process), about 151 KB of HTML. Each way of compressing it is timed
(best of ``--repeat``, the ways run in turn so a busy machine slows all alike) and printed
with the bytes it sends and its time as a ratio to zlib at Django's level 6 (the reference).
The site compresses with zlib-ng at ``GZIP_LEVEL`` (techtree/middleware.py). Not a test.
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import tempfile
import time
from pathlib import Path

from zlib_ng import gzip_ng

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup(f"sqlite:///{tempfile.mkdtemp(prefix='techtree-compression-')}/db", 0)

    from django.conf import settings
    from django.test import Client

    html = Client().get("/concepts/softmax-and-logits/").content
    ways = {
        "zlib, level 6 (Django's; reference)": (gzip.compress, 6),
        "zlib, level 1": (gzip.compress, 1),
        "zlib-ng, level 1": (gzip_ng.compress, 1),
        "zlib-ng, level 2": (gzip_ng.compress, 2),
        "zlib-ng, level 6": (gzip_ng.compress, 6),
    }
    for compress, level in ways.values():
        assert gzip.decompress(compress(html, compresslevel=level, mtime=0)) == html
    best = dict.fromkeys(ways, math.inf)
    for _ in range(args.repeat):
        for name, (compress, level) in ways.items():
            start = time.perf_counter()
            compress(html, compresslevel=level, mtime=0)
            best[name] = min(best[name], time.perf_counter() - start)
    reference = best[next(iter(ways))]
    print(
        f"softmax concept page: {len(html) / 1000:.1f} KB of HTML; GZIP_LEVEL {settings.GZIP_LEVEL}"
    )
    print(f"{'':36} {'ms':>7} {'KB sent':>8} {'x ref':>6}")
    for name, (compress, level) in ways.items():
        size = len(compress(html, compresslevel=level, mtime=0))
        print(f"{name:36} {best[name] * 1e3:7.2f} {size / 1000:8.1f} {best[name] / reference:6.2f}")


if __name__ == "__main__":
    main()
