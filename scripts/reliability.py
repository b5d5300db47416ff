#!/usr/bin/env python3
"""The project's own reliability run, against a real `make serve` (gunicorn) on loopback.

Three phases, each printing its counts; the run exits non-zero on any 5xx, any lost or
duplicated attempt, or a page view stalled by slow clients:

0. visitor limits: 160 answers at once from one session grade exactly ATTEMPTS_PER_MINUTE,
   and ten fresh sessions from the same address grade no more than its address budget.
1. hostile: junk over every form and parameter (login, sign-up, password reset, admin login,
   answers, hints, solutions, new numbers, example seeds, figure parameters, lab text,
   search `q`, paging, `next`), with and without CSRF tokens, from several threads.
2. learners: learners answer at once (JSON, as the page's script does) while one gunicorn
   worker is killed with SIGKILL; a client whose request dies sends it again with the same
   submission id, as a browser would. Every acknowledged attempt must be stored exactly once,
   and nothing refused may be stored.
3. slow clients: connections that trickle their request headers while page views go on;
   every page view must be answered, without a 5xx, within --stall seconds.

Sizes: `--size small` (CI: 1,000 hostile requests) or `--size full` (12,000). It starts its
own server with `make serve` on 127.0.0.1 (PRODUCTION=1 with INSECURE_LOCAL_TRIAL=1, plain
HTTP), on a fresh SQLite file unless --database-url is given, and stops it at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

SIZES = {
    "small": {"hostile": 1000, "learners": 8, "answers": 12, "slow": 3, "slow_seconds": 8},
    "full": {"hostile": 12000, "learners": 24, "answers": 15, "slow": 3, "slow_seconds": 30},
}

JUNK = [
    "", " ", "0", "-1", "1e309", "-1e309", "nan", "inf", "9" * 400, "A" * 5000, "１２３",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR 1=1 --", "%00",
    "\x00", "\r\nSet-Cookie: x=1", "😀" * 50, "Ω" * 300, "{{7*7}}", "{% debug %}",
    "../../etc/passwd", "0x10", "1/0", "[1,2,3]", "1,2,,3", "0.5, 0.3, 0.2", "1" * 20,
    "-0", "+", "1e-400", "٣", "𝟙", "//evil.example.org", "https://evil.example.org/",
    "javascript:alert(1)", "dashboard", "foo", "\\\\evil", "a@b", "x" * 255 + "@example.org",
]  # fmt: skip
RAW_QUERY_JUNK = ["%ff%fe", "%", "%zz", "a=%00", "&&&", "=" * 50, "q[]=1&q[]=2"]


def junk(rng: random.Random) -> str:
    if rng.random() < 0.2:
        alphabet = string.printable + "éΩ😀\u202e\ufeff"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300)))
    return rng.choice(JUNK)


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of one phase, safe to update from threads."""

    counts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: list[str] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def fail(self, what: str) -> None:
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(what)


class Server:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        timeout: float = 60,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def form(fields: dict, csrf: str | None) -> tuple[bytes, dict]:
    data = dict(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if csrf:
        data["csrfmiddlewaretoken"] = csrf
        headers["Cookie"] = f"csrftoken={csrf}"
    return urlencode(data).encode("utf-8", "surrogatepass"), headers


# --- Setting up --------------------------------------------------------------------------------


SETUP = """
import json, uuid
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from quizzes.models import Problem
from quizzes.progress import progress_for
from techtree.models import Concept
from tests.quizzes.solving import wrong_answer
prefix, count = {prefix!r}, {count}
roots = Concept.objects.filter(published=True).exclude(prerequisites__published=True)
problems = list(Problem.objects.filter(concept__in=roots).order_by("pk")[:8])
learners = []
for i in range(count):
    user = get_user_model().objects.create_user(f"{{prefix}}{{i}}", password=uuid.uuid4().hex)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    answers = []
    for problem in problems:
        progress_for(user, problem)
        answers.append([problem.pk, wrong_answer(user, problem)])
    learners.append({{"session": session.session_key, "answers": answers}})
visitor_problem, visitor_answer = None, None
for problem in Problem.objects.filter(concept__in=roots).order_by("pk"):
    kind = problem.instance(1).kind
    if kind in ("number", "index"):
        visitor_problem, visitor_answer = problem.pk, "0.5" if kind == "number" else "1"
        break
visitor_sessions = []
for _ in range(11):
    session = SessionStore()
    session["reliability"] = True
    session.create()
    visitor_sessions.append(session.session_key)
print("JSON" + json.dumps({{
    "visitor_problem": visitor_problem,
    "visitor_answer": visitor_answer,
    "visitor_sessions": visitor_sessions,
    "learners": learners,
    "slugs": list(Concept.objects.filter(published=True).values_list("slug", flat=True)),
    "problems": list(Problem.objects.values_list("pk", flat=True)[:40]),
}}))
"""

STORED = """
import json
from quizzes.models import Attempt
rows = Attempt.objects.filter(learner__username__startswith={prefix!r})
print("JSON" + json.dumps([str(s) for s in rows.values_list("submission", flat=True)]))
"""


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def shell_json(env: dict, code: str):
    out = manage(env, "shell", "-c", code)
    line = next(line for line in out.splitlines() if line.startswith("JSON"))
    return json.loads(line[4:])


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    command = ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"]
    command.append(f"WORKERS={workers}")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # our own process group, stopped as one at the end
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve exited early:\n{log.read_text()[-3000:]}")
        try:
            if Server(port).request("GET", "/", timeout=5)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"the server did not answer in time:\n{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def gunicorn_workers(session_id: int) -> list[int]:
    """The worker processes of the gunicorn master started in our session."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session_id:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if "gunicorn" in cmdline:
            processes[int(entry.name)] = ppid
    # Workers are the leaves: the master (and a shell make may leave above it) have children.
    parents = set(processes.values())
    return sorted(
        pid for pid, ppid in processes.items() if ppid in processes and pid not in parents
    )


# --- Phase 1: hostile input ----------------------------------------------------------------


def hostile_requests(rng: random.Random, count: int, data: dict) -> list[tuple]:
    slugs = [*data["slugs"], "no-such-concept", "%2e%2e"]
    problems = [*data["problems"], 999999]
    requests = []
    for _ in range(count):
        j = lambda: junk(rng)  # noqa: E731
        slug = rng.choice(slugs)
        pk = rng.choice(problems)
        kind = rng.choice(["probabilities", "temperature", "amplification", "nope"])
        choice = rng.random()
        if choice < 0.08:
            requests.append(("POST", "/accounts/login/", {"username": j(), "password": j()}))
        elif choice < 0.13:
            fields = {"username": j(), "email": j(), "password1": j(), "password2": j()}
            requests.append(("POST", "/accounts/signup/", {**fields, "next": j()}))
        elif choice < 0.17:
            requests.append(("POST", "/accounts/password_reset/", {"email": j()}))
        elif choice < 0.21:
            requests.append(("POST", "/admin/login/", {"username": j(), "password": j()}))
        elif choice < 0.36:
            fields = {"answer": j(), "submission": rng.choice([j(), str(uuid.uuid4())])}
            requests.append(("POST", f"/practice/{pk}/answer/", fields))
        elif choice < 0.42:
            action = rng.choice(["hint", "solution", "new"])
            requests.append(("POST", f"/practice/{pk}/{action}/", {"x": j()}))
        elif choice < 0.50:
            seed = rng.choice(["1", "0", "4294967296", "9" * 40, "12345"])
            order = rng.choice(["1", "2", "99", "0"])
            requests.append(("GET", f"/concepts/{slug}/examples/{order}/{seed}/", None))
        elif choice < 0.53:
            requests.append(("GET", f"/concepts/{slug}/examples/1/new/", None))
        elif choice < 0.62:
            query = urlencode({"logits": j(), "t": j()}, errors="surrogatepass")
            requests.append(("GET", f"/figures/{kind}.svg?{query}", None))
        elif choice < 0.635:  # the lab is the costliest page: a few, short texts
            params = {"text": j()[:64], "position": j()[:8], "stage": j()[:8]}
            path = rng.choice(["/lab/logit-evolution/", "/lab/logit-evolution/data/"])
            requests.append(("GET", f"{path}?{urlencode(params, errors='surrogatepass')}", None))
        elif choice < 0.73:
            params = {"q": j(), "domain": j(), "difficulty": j(), "page": j()}
            query = urlencode(params, errors="surrogatepass")
            requests.append(("GET", f"/concepts/?{query}", None))
        elif choice < 0.78:
            requests.append(("GET", f"/concepts/?{rng.choice(RAW_QUERY_JUNK)}", None))
        elif choice < 0.83:
            page = quote(j(), safe="")
            path = rng.choice([f"/dashboard/?page={page}", f"/?page={page}"])
            requests.append(("GET", path, None))
        elif choice < 0.88:
            target = rng.choice(["/accounts/login/", "/accounts/signup/", "/admin/login/"])
            requests.append(("GET", f"{target}?next={quote(j(), safe='')}", None))
        elif choice < 0.91:
            requests.append(("GET", f"/admin/techtree/concept/?q={quote(j(), safe='')}", None))
        elif choice < 0.94:
            requests.append(("GET", rng.choice(["/visualizer/", "/", f"/concepts/{slug}/"]), None))
        else:
            path = rng.choice(["/%00", "/concepts/%ff/", "/" + "a" * 3000, "/static/../x"])
            requests.append(("GET", path, None))
    return requests


def run_hostile(server: Server, requests: list[tuple], threads: int) -> Tally:
    tally = Tally()
    csrf = secrets.token_hex(16)  # a 32-character token, sent as cookie and field

    def send(item: tuple) -> None:
        method, path, fields = item
        body, headers = (None, {})
        if fields is not None:
            token = csrf if random.random() > 0.05 else None  # some without CSRF
            body, headers = form(fields, token)
            if random.random() < 0.3:
                headers["Accept"] = "application/json"
        try:
            status, _ = server.request(method, path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            tally.add("connection errors")
            tally.fail(f"{method} {path[:80]}: {error!r}")
            return
        tally.add("sent")
        tally.add(f"{status // 100}xx")
        if status >= 500:
            tally.fail(f"{status} {method} {path[:120]} {str(fields)[:120]}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, requests))
    return tally


# --- Phase 2: learners with a worker killed ------------------------------------------------


def run_learners(server, learners, answers_each, session_id, rng) -> tuple[Tally, dict, int]:
    tally = Tally()
    acknowledged: dict[str, str] = {}
    refused: set[str] = set()
    csrf = secrets.token_hex(16)
    total = len(learners) * answers_each
    started = threading.Event()
    done = Counter()
    done_lock = threading.Lock()

    def learner_run(learner: dict) -> None:
        plan = [learner["answers"][i % len(learner["answers"])] for i in range(answers_each)]
        for pk, typed in plan:
            submission = str(uuid.uuid4())
            body, headers = form({"answer": typed, "submission": submission}, csrf)
            headers["Cookie"] += f"; sessionid={learner['session']}"
            headers["Accept"] = "application/json"
            for _ in range(6):  # a request lost with a killed worker is sent again
                try:
                    status, content = server.request(
                        "POST", f"/practice/{pk}/answer/", body=body, headers=headers
                    )
                except (OSError, http.client.HTTPException):
                    tally.add("resent after a connection error")
                    time.sleep(0.2)
                    continue
                tally.add("sent")
                if status >= 500:
                    tally.add("5xx")
                    tally.fail(f"{status} answer {pk}")
                    time.sleep(0.2)
                    continue  # retried like a dropped connection
                if status == 200 and json.loads(content).get("stored"):
                    acknowledged[submission] = learner["session"]
                else:
                    refused.add(submission)
                break
            else:
                tally.add("given up")
            with done_lock:
                done["answers"] += 1
                if done["answers"] >= total // 3:
                    started.set()

    killed = 0

    def killer() -> None:
        nonlocal killed
        started.wait(timeout=120)
        workers = gunicorn_workers(session_id)
        if workers:
            killed = rng.choice(workers)
            os.kill(killed, signal.SIGKILL)

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    with ThreadPoolExecutor(len(learners)) as pool:
        list(pool.map(learner_run, learners))
    started.set()
    kill_thread.join()
    return tally, {"acknowledged": acknowledged, "refused": refused}, killed


# --- Phase 0: visitor limits under concurrency -------------------------------------------------


def run_visitors(server: Server, data: dict, threads: int) -> tuple[Tally, int, int]:
    """160 answers at once from one session, then 10 fresh sessions x 20, one address."""
    tally = Tally()
    csrf = secrets.token_hex(16)
    pk, typed = data["visitor_problem"], data["visitor_answer"]

    def answer(session: str) -> int:
        fields = {"answer": typed, "submission": str(uuid.uuid4())}
        body, headers = form(fields, csrf)
        headers["Cookie"] += f"; sessionid={session}"
        headers["Accept"] = "application/json"
        try:
            status, _ = server.request(
                "POST", f"/practice/{pk}/answer/", body=body, headers=headers
            )
        except (OSError, http.client.HTTPException):
            tally.add("connection errors")
            return 0
        tally.add("sent")
        tally.add(f"{status // 100}xx")
        if status >= 500:
            tally.fail(f"{status} visitor answer")
        return status

    first, *fresh = data["visitor_sessions"]
    with ThreadPoolExecutor(threads) as pool:
        burst = list(pool.map(answer, [first] * 160))
        spread = list(pool.map(answer, [s for s in fresh[:10] for _ in range(20)]))
    return tally, burst.count(200), burst.count(200) + spread.count(200)


# --- Phase 3: slow clients -----------------------------------------------------------------


def slow_client(port: int, seconds: float, stop: threading.Event, tally: Tally) -> None:
    """Send a request's headers a few bytes at a time, never finishing them in time."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        tally.add("slow connections refused")
        return
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            sock.sendall(b"X-a: b\r\n")
            time.sleep(0.5)
        tally.add("slow clients held on")
    except OSError:
        tally.add("slow clients cut off by the server")
    finally:
        sock.close()


def run_slow(server: Server, count: int, seconds: float, stall: float) -> Tally:
    tally = Tally()
    stop = threading.Event()
    slow = [
        threading.Thread(target=slow_client, args=(server.port, seconds, stop, tally))
        for _ in range(count)
    ]
    for thread in slow:
        thread.start()
    time.sleep(1)  # let them take hold
    deadline = time.monotonic() + seconds - 1
    slowest = 0.0
    while time.monotonic() < deadline:
        for path in ("/", "/concepts/"):
            begun = time.monotonic()
            try:
                status, _ = server.request("GET", path, timeout=stall)
            except (OSError, http.client.HTTPException):
                tally.add("stalled")
                tally.fail(f"GET {path} unanswered within {stall} s")
                continue
            slowest = max(slowest, time.monotonic() - begun)
            tally.add("sent")
            tally.add(f"{status // 100}xx")
            if status >= 500:
                tally.fail(f"{status} GET {path}")
    stop.set()
    for thread in slow:
        thread.join()
    tally.counts["slowest page view ms"] = round(slowest * 1000)
    return tally


# --- The run --------------------------------------------------------------------------------


def report(name: str, tally: Tally, extra: dict | None = None) -> None:
    counts = {**tally.counts, **(extra or {})}
    print(f"{name}: " + ", ".join(f"{key}={value}" for key, value in sorted(counts.items())))
    for failure in tally.failures:
        print(f"  {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="hostile clients at once")
    parser.add_argument("--stall", type=float, default=10, help="seconds a page view may take")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--database-url", help="default: a fresh SQLite file (wiped after)")
    args = parser.parse_args()
    size = SIZES[args.size]
    rng = random.Random(args.seed)
    random.seed(args.seed)

    with tempfile.TemporaryDirectory(prefix="techtree-reliability-") as folder:
        database = args.database_url or f"sqlite:///{folder}/reliability.sqlite3"
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}},
            "DATABASE_URL": database,
            "PRODUCTION": "1",
            "INSECURE_LOCAL_TRIAL": "1",  # plain HTTP on loopback
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        prefix = f"rel{uuid.uuid4().hex[:8]}-"
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        manage(env, "load_content", "--keep-existing")
        data = shell_json(env, SETUP.format(prefix=prefix, count=size["learners"]))
        log = Path(folder) / "server.log"
        server_process = start_server(env, args.port, args.workers, log)
        server = Server(args.port)
        failed = False
        try:
            if data["visitor_problem"] is not None:
                begun = time.monotonic()
                visitors, burst, total = run_visitors(server, data, 16)
                budget = int(env.get("ATTEMPTS_PER_MINUTE", "20"))
                address_budget = int(env.get("ATTEMPTS_PER_ADDRESS_PER_MINUTE", "60"))
                report(
                    "visitor limits",
                    visitors,
                    {
                        "graded of 160 from one session": f"{burst} (limit {budget})",
                        "graded in all from one address": f"{total} (limit {address_budget})",
                        "seconds": round(time.monotonic() - begun),
                    },
                )
                failed |= bool(visitors.counts["5xx"] or visitors.counts["connection errors"])
                failed |= burst != budget or total > address_budget

            begun = time.monotonic()
            hostile = run_hostile(
                server, hostile_requests(rng, size["hostile"], data), args.threads
            )
            report("hostile", hostile, {"seconds": round(time.monotonic() - begun)})
            failed |= bool(hostile.counts["5xx"] or hostile.counts["connection errors"])

            begun = time.monotonic()
            learners, outcome, killed = run_learners(
                server, data["learners"], size["answers"], server_process.pid, rng
            )
            stored = Counter(shell_json(env, STORED.format(prefix=prefix)))
            acknowledged = outcome["acknowledged"]
            lost = [s for s in acknowledged if s not in stored]
            duplicated = sum(n - 1 for n in stored.values() if n > 1)
            phantom = [s for s in outcome["refused"] if s in stored]
            report(
                "learners",
                learners,
                {
                    "acknowledged": len(acknowledged),
                    "stored": sum(stored.values()),
                    "lost": len(lost),
                    "duplicated": duplicated,
                    "stored although refused": len(phantom),
                    "killed worker": killed or "none found",
                    "seconds": round(time.monotonic() - begun),
                },
            )
            failed |= bool(learners.counts["5xx"] or lost or duplicated or phantom or not killed)
            failed |= bool(learners.counts["given up"])

            slow = run_slow(server, size["slow"], size["slow_seconds"], args.stall)
            report("slow clients", slow, {"slow": size["slow"]})
            failed |= bool(slow.counts["5xx"] or slow.counts["stalled"] or not slow.counts["sent"])
        finally:
            stop_server(server_process)
        lines = log.read_text().splitlines()
        errors = Counter(
            line
            for before, line in itertools.pairwise(lines)
            if before.startswith("  ") and re.match(r"^[\w.]+(Error|Exception|Exit)\b", line)
        )
        kept = ROOT / "artefacts" / "reliability-server.log"
        kept.parent.mkdir(exist_ok=True)
        kept.write_text("\n".join(lines))
        print(f"server log ({kept.relative_to(ROOT)}): {sum(errors.values())} tracebacks")
        for line, count in errors.most_common(5):
            print(f"  {count} x {line[:200]}")
        failed |= bool(errors)
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
