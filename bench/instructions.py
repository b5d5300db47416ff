"""Benchmark: instructions a page costs the server, each against the login page's.

Run: .venv/bin/python bench/instructions.py [--size 10000] [--requests 20] [--rev REV]

Wall-clock figures on shared cores move by half from one minute to the next; instruction
counts do not. Each page is asked ``--requests`` times in process (Django's test client, as
a returning visitor: the same browser each time, gzip accepted) under valgrind's callgrind,
counting only those requests (after five that fill the caches): the instructions of the
whole request in this process, middleware, templates, cache and database reads and gzip
included, not those of the kernel or of another server: a scratch SQLite database holding
the demo tree and ``--size`` synthetic concepts, and Redis as the shared cache when
`redis-server` is installed (as in production; else the database cache). Printed
per request and as a multiple of the login page's. With ``--rev``, the same for that
revision of the code (a clean copy from git, on the same database), for a before and after.
Needs valgrind (Debian's package). Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from pages import setup  # noqa: E402
from slow_clients import HOST, start_redis, stop_redis  # noqa: E402

CHILD = """
import os, subprocess, sys
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.test import Client
client = Client(headers={"accept-encoding": "gzip"})
for _ in range(5):
    assert client.get(sys.argv[2]).status_code == 200
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
for _ in range(int(sys.argv[3])):
    client.get(sys.argv[2])
subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
"""


def count(code: Path, env: dict, path: str, requests: int, workdir: Path) -> int:
    """Instructions per request of ``path``, served by the code in ``code``."""
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "ALLOWED_HOSTS": "testserver",
    }
    out = workdir / "callgrind.out"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            CHILD,
            str(code),
            path,
            str(requests),
        ],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
        check=True,
    )
    collected = re.search(r"Collected : (\d+)", result.stderr)
    return int(collected[1]) // requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rev", default="", help="also count this revision's code")
    parser.add_argument("--redis-port", type=int, default=6382)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("bench/instructions.py needs valgrind (apt-get install valgrind)")
    workdir = Path(tempfile.mkdtemp(prefix="techtree-instructions-"))
    url = f"sqlite:///{workdir}/db"
    redis = start_redis(workdir, args.redis_port)
    os.environ.pop("REDIS_URL", None)
    if redis is not None:
        os.environ["REDIS_URL"] = f"redis://{HOST}:{args.redis_port}/0"
    try:
        setup(url, args.size)  # bench/pages.py's: the tree and its users
        codes = {"now": ROOT}
        if args.rev:
            copy = workdir / "code"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(copy)], check=True)
            subprocess.run(["git", "-C", str(copy), "checkout", "-q", args.rev], check=True)
            codes = {args.rev: copy, **codes}
        from techtree.models import Concept

        deep = Concept.objects.filter(published=True).order_by("-depth", "slug").first()
        pages = [
            ("login page (reference)", "/accounts/login/"),
            (f"deep concept ({deep.slug})", deep.get_absolute_url()),
            ("softmax concept", "/concepts/softmax-and-logits/"),
        ]
        cache = "Redis" if redis else "the database"
        print(
            f"{Concept.objects.count()} concepts, cache: {cache}, {args.requests} requests a page"
        )
        print(f"{'page':<40} {'code':<10} {'instructions':>14} {'x login':>8}")
        for code_name, code in codes.items():
            reference = None
            for name, path in pages:
                n = count(code, {**os.environ, "DATABASE_URL": url}, path, args.requests, workdir)
                reference = reference or n
                print(f"{name:<40} {code_name:<10} {n:>14,} {n / reference:>8.2f}")
    finally:
        stop_redis(redis)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
