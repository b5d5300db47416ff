"""Load: req/s, p50 and p95 per page against gunicorn as `make serve` runs it.

Run: .venv/bin/python bench/load.py [--size 10000] [--port 8320] [--workers 2]
                                    [--clients 4] [--duration 5] [--rounds 1]
                                    [--database-url URL]

Starts gunicorn with the project's gunicorn.conf.py (gthread workers, as `make serve`) on
127.0.0.1 with a database holding the demo tree plus ``--size`` synthetic concepts (a fresh
SQLite file, or the PostgreSQL database given, filled once), Redis as the shared cache when
`redis-server` is installed, and drives each page in turn for ``--duration`` seconds with
``--clients`` keep-alive clients: the log-in page (the reference), a deep concept page, the
softmax concept page, the tree, a learner's dashboard, an answer POST (JSON) and the lab.
The answers are graded ones: each goes to a numeric problem open to a new learner that the
learner still has attempts on (LEARNERS learners a round, each problem's attempts spread over
the run), not to one problem whose attempts ran out after the first three and are refused (409).
Prints req/s, p50 and p95 per page and each p50 as a multiple of the log-in page's; with
``--rounds`` above 1 the pages are driven in turn that many times and each figure is the
median of the rounds, with the range of req/s beside it (on 2 shared cores one round's
figures differ from the next's by up to a half). A bounded run (rounds x pages x duration),
not a test. The client shares the machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slow_clients import HOST, ROOT, server_env, start_redis, start_server, stop_redis

PASSWORD = "load-learner-password-1"
LEARNERS = 8  # a round's: 18 open numeric problems x 3 attempts, 432 graded answers, more than
# a round posts


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict, size: int, learners: int) -> dict[str, str]:
    """Migrate, fill the tree once, make a learner; the addresses and ids the run needs."""
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    script = f"""
from django.contrib.auth import get_user_model
from techtree.models import Concept
from quizzes.models import Problem
from django.core.management import call_command
if not Concept.objects.filter(slug="softmax-and-logits").exists():
    call_command("load_content", verbosity=0)
if not Concept.objects.filter(slug__startswith="synthetic-").exists():
    call_command("build_synthetic_tree", {size}, verbosity=0)
User = get_user_model()
for name in ["load-learner", *(f"load-learner-{{n}}" for n in range({learners}))]:
    if not User.objects.filter(username=name).exists():
        User.objects.create_user(name, password="{PASSWORD}")
# A database kept from an earlier run: its answers are forgotten, so every attempt is open.
from quizzes.models import Attempt, ConceptProgress, ProblemProgress
for model in (Attempt, ProblemProgress, ConceptProgress):
    model.objects.filter(learner__username__startswith="load-learner").delete()
from django.db import connection
if connection.vendor == "postgresql":  # statistics as a running server's autovacuum keeps
    connection.cursor().execute("ANALYZE")
deep = Concept.objects.filter(slug__startswith="synthetic-").order_by("-depth", "slug").first()
open_problems = Problem.objects.filter(
    concept__prerequisite_links__isnull=True, kind="number"
).order_by("pk")
print(deep.slug, ",".join(str(p.pk) for p in open_problems), Concept.objects.count())
"""
    deep, problems, count = manage(env, "shell", "-c", script).split()[-3:]
    return {"deep": deep, "problems": problems.split(","), "count": count}


class Client:
    """One keep-alive connection with its own cookies."""

    def __init__(self, port: int, cookies: dict | None = None) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: dict | None = None, json=False):
        headers = {"Accept-Encoding": "gzip", "Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://{HOST}/"
        if json:
            headers["Accept"] = "application/json"
        self.connection.request(method, path, data, headers)
        response = self.connection.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, payload


def log_in(port: int, username: str = "load-learner") -> dict:
    client = Client(port)
    client.request("GET", "/accounts/login/")
    status, _ = client.request(
        "POST",
        "/accounts/login/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
        },
    )
    assert status == 302, f"log-in answered {status}"
    return client.cookies


def drive(port: int, name: str, make_request, clients: int, duration: float, cookies=None):
    """(req/s, p50 s, p95 s, statuses) for one page under `clients` concurrent clients."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        client = Client(port, cookies)
        mine, codes = [], {}
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status, _ = make_request(client)
            mine.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    for client in [Client(port, cookies)]:  # warm caches: the first render is not measured
        make_request(client)
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=20)
    return len(latencies) / elapsed, statistics.median(latencies), quantiles[18], statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=1, help="medians of this many rounds")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--redis-port", type=int, default=6381)
    args = parser.parse_args()

    workdir = Path(mkdtemp(prefix="techtree-load-"))
    env = server_env(workdir, args.port)
    env.update(
        WORKERS=str(args.workers),
        ATTEMPTS_PER_MINUTE="1000000",  # the POSTs measure grading, not the limiter
        ACCESS_LOG="/dev/null",
        # No worker recycling mid-run (make serve's MAX_REQUESTS): a restart would land in
        # whichever page's window crosses it and halve that page's figures.
        MAX_REQUESTS="0",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    redis = start_redis(workdir, args.redis_port)
    if redis is not None:
        env["REDIS_URL"] = f"redis://{HOST}:{args.redis_port}/0"
    server = None
    try:
        facts = prepare(env, args.size, LEARNERS * args.rounds)
        server = start_server(env, workdir, without_config=False)
        for _ in range(300):
            try:
                Client(args.port).request("GET", "/accounts/login/")
                break
            except OSError:
                time.sleep(0.1)
        cookies = log_in(args.port)
        learners = [log_in(args.port, f"load-learner-{n}") for n in range(LEARNERS * args.rounds)]
        # Every attempt a learner has on an open problem, the same pair's attempts far apart.
        attempts = iter(
            [(who, problem) for _ in range(3) for who in learners for problem in facts["problems"]]
        )
        taking = threading.Lock()

        def get(path):
            return lambda client: client.request("GET", path)

        def answer(client):
            with taking:
                who, problem = next(attempts, (learners[0], facts["problems"][0]))
            client.cookies = dict(who)  # a wrong answer, graded and stored
            # Wrong for every problem (0.5 was right for some: those pairs' later answers were
            # refused, "solved already").
            body = {"answer": "-987654.321", "submission": str(uuid.uuid4())}
            return client.request("POST", f"/practice/{problem}/answer/", body, json=True)

        pages = [
            ("log-in page (reference)", get("/accounts/login/"), None),
            (f"deep concept ({facts['deep']})", get(f"/concepts/{facts['deep']}/"), None),
            ("softmax concept", get("/concepts/softmax-and-logits/"), None),
            ("tree /", get("/"), None),
            ("dashboard (learner)", get("/dashboard/"), cookies),
            ("answer POST (learners, JSON)", answer, None),
            ("lab page", get("/lab/logit-evolution/"), None),
        ]
        database = re.sub(r"//[^@]*@", "//", env["DATABASE_URL"]).split("://")[0]
        print(
            f"{facts['count']} concepts, {database}, gunicorn {args.workers} workers (gthread), "
            f"{args.clients} clients, {args.duration:g} s a page, cache: "
            f"{'Redis' if redis else 'database'}"
            + (f", medians of {args.rounds} rounds" if args.rounds > 1 else "")
        )
        runs: dict[str, list] = {name: [] for name, _, _ in pages}
        for _ in range(args.rounds):  # each round drives every page in turn
            for name, make_request, page_cookies in pages:
                runs[name].append(
                    drive(args.port, name, make_request, args.clients, args.duration, page_cookies)
                )
        spread = f" {'req/s range':>15}" if args.rounds > 1 else ""
        print(
            f"{'page':<44} {'req/s':>7}{spread} {'p50 ms':>8} {'p95 ms':>8} {'x login':>8}  "
            "statuses"
        )
        reference = None
        for name, results in runs.items():
            rates, p50s, p95s = ([r[i] for r in results] for i in range(3))
            rate, p50, p95 = (statistics.median(values) for values in (rates, p50s, p95s))
            reference = reference or p50
            statuses: dict[int, int] = {}
            for result in results:
                for code, n in result[3].items():
                    statuses[code] = statuses.get(code, 0) + n
            codes = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
            ranged = f" {f'{min(rates):.0f} to {max(rates):.0f}':>15}" if args.rounds > 1 else ""
            print(
                f"{name:<44} {rate:>7.1f}{ranged} {p50 * 1e3:>8.1f} {p95 * 1e3:>8.1f} "
                f"{p50 / reference:>8.1f}  {codes}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        stop_redis(redis)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
