"""Load: slow clients and heavy lab requests must not stall page views for everyone else.

Run: .venv/bin/python bench/slow_clients.py [--port 8210] [--duration 20] [--bound 2.0]
                                            [--without-config] [--workdir DIR]

Starts gunicorn with the project's gunicorn.conf.py (as `make serve` does) on 127.0.0.1, on
a fresh SQLite database holding a small synthetic tree, with Redis as the shared cache when
`redis-server` is installed (started on port 6391; with SQLite as the cache too, concurrent
lab writes can lock it), and times a normal client reading a concept page: first with the
server idle (the reference, same run), then for ``--duration`` seconds while these run at
the same time:

* three slow clients (slowloris): two send a POST body a byte at a time, one its headers a
  line at a time, each reconnecting whenever the server closes on it;
* one slow reader, reading a large response a kilobyte at a time;
* three heavy lab clients, each asking for the data of a new 256-token text (never cached)
  as soon as the last one arrived.

Prints the normal client's p50, p95 and worst latency beside the idle reference, and what the
other clients got; exits 1 when the p95 under load passes ``--bound`` seconds (a request
that gets no answer within --client-timeout counts as taking that long). ``--without-config``
runs gunicorn as `make serve` did before gunicorn.conf.py (3 sync workers), to show the same
load stalling it. Not a test by itself; tests/load/test_slow_clients.py runs a small one.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
LAB_DATA = "/lab/logit-evolution/data/"
TREE_SIZE = 40


def server_env(workdir: Path, port: int) -> dict[str, str]:
    """`make serve`'s environment on plain HTTP, a throwaway database, no lab rate limit."""
    return {
        **os.environ,
        "PRODUCTION": "1",
        "INSECURE_LOCAL_TRIAL": "1",  # plain HTTP on 127.0.0.1
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'load.sqlite3'}",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "load_settings",  # bench/load_settings.py: no collectstatic
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",  # the apps before bench/lens.py
        # The heavy clients must really be heavy: here the lab's per-client limit is lifted.
        "LAB_REQUESTS_PER_MINUTE": "1000000",
        "HOST": HOST,
        "PORT": str(port),
        "WORKERS": "3",
        "ACCESS_LOG": str(workdir / "access.log"),
        "HOUSEKEEPING_HOURS": "0",  # no cleanup process starting beside the measured pages
    }


def start_redis(workdir: Path, port: int) -> subprocess.Popen | None:
    """A throwaway Redis for the shared cache, or None when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    redis = subprocess.Popen(
        [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return redis
        except OSError:
            time.sleep(0.1)
    redis.kill()
    raise SystemExit(f"redis-server did not start on port {port}")


def stop_redis(redis: subprocess.Popen | None) -> None:
    """Stop what ``start_redis`` started, if it started anything."""
    if redis is not None:
        redis.terminate()
        redis.wait(timeout=10)


def prepare_database(env: dict[str, str], workdir: Path) -> str:
    """Migrate (a reused workdir too) and add a synthetic tree once; a concept page's path."""
    database = workdir / "load.sqlite3"
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["createcachetable"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM techtree_concept").fetchone()
    if count < TREE_SIZE:
        subprocess.run(
            [*manage, "build_synthetic_tree", str(TREE_SIZE)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    with sqlite3.connect(database) as db:
        (slug,) = db.execute(
            "SELECT slug FROM techtree_concept ORDER BY slug LIMIT 1 OFFSET ?", (TREE_SIZE // 2,)
        ).fetchone()
    return f"/concepts/{slug}/"


def start_server(env: dict[str, str], workdir: Path, without_config: bool) -> subprocess.Popen:
    if without_config:
        empty = workdir / "no.conf.py"
        empty.write_text("")
        command = [
            str(VENV_BIN / "gunicorn"),
            "--config",
            str(empty),
            "techtree.wsgi",
            "--workers",
            env["WORKERS"],
            "--bind",
            f"{HOST}:{env['PORT']}",
        ]
    else:
        command = [str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
    log = open(workdir / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)


def get(port: int, path: str, timeout: float, headers: dict | None = None) -> tuple[float, str]:
    """One GET on a fresh connection: (seconds, status or what went wrong)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        outcome = str(response.status)
    except TimeoutError:
        outcome = "timeout"
    except OSError as error:
        outcome = type(error).__name__
    finally:
        connection.close()
    return time.perf_counter() - start, outcome


def wait_until_up(port: int, path: str, server: subprocess.Popen, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log in the workdir")
        if get(port, path, timeout=5)[1] == "200":
            return
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer {path} within {limit:.0f} s")


class Clients:
    """Background clients that run until ``stop`` is set, counting what they got."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = {}
        self.threads: list[threading.Thread] = []

    def count(self, kind: str, outcome: str) -> None:
        with self.lock:
            self.counts.setdefault(kind, {}).setdefault(outcome, 0)
            self.counts[kind][outcome] += 1

    def start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=2)

    def _trickle(self, kind: str, opening: bytes, drip: bytes, every: float) -> None:
        """Send ``opening``, then ``drip`` every ``every`` seconds; reconnect when closed."""
        while not self.stop.is_set():
            try:
                with socket.create_connection((HOST, self.port), timeout=5) as sock:
                    sock.sendall(opening)
                    self.count(kind, "connected")
                    while not self.stop.wait(every):
                        sock.sendall(drip)
            except OSError:
                self.count(kind, "closed by the server")
                self.stop.wait(0.2)

    def trickle_body(self) -> None:
        """A login form posted a byte at a time, with a CSRF cookie so Django reads the body."""
        opening = (
            f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Cookie: csrftoken={secrets.token_hex(16)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
        ).encode()
        self._trickle("trickling a body", opening, b"a", 0.5)

    def trickle_headers(self) -> None:
        opening = f"GET / HTTP/1.1\r\nHost: {HOST}\r\n".encode()
        self._trickle("trickling headers", opening, b"X-Slow: 1\r\n", 1.0)

    def slow_reader(self, path: str) -> None:
        """Ask for a large response and read it a kilobyte every half second."""
        while not self.stop.is_set():
            try:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.settimeout(10)
                with sock:
                    sock.connect((HOST, self.port))
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                    self.count("reading slowly", "connected")
                    while not self.stop.wait(0.5):
                        if not sock.recv(1024):
                            self.count("reading slowly", "response read to the end")
                            break
            except OSError:
                self.count("reading slowly", "closed by the server")
                self.stop.wait(0.2)

    def heavy_lab(self, seed: int) -> None:
        """New 256-character texts of characters the model does not know: 256 tokens each."""
        rng = random.Random(seed)
        while not self.stop.is_set():
            text = "".join(chr(rng.randrange(0x2600, 0x2800)) for _ in range(256))
            query = urlencode({"text": text})
            _, outcome = get(self.port, f"{LAB_DATA}?{query}", 30, {"Accept-Encoding": "gzip"})
            self.count("heavy lab requests", outcome)


def measure(port: int, path: str, seconds: float, timeout: float) -> list[tuple[float, str]]:
    """The normal client: one request after another for ``seconds``."""
    results = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        results.append(get(port, path, timeout))
        time.sleep(0.05)
    return results


def summary(results: list[tuple[float, str]], timeout: float) -> dict:
    """Latencies (a request with no answer counts as ``timeout``) and outcomes."""
    latencies = sorted(timeout if outcome == "timeout" else t for t, outcome in results)
    if len(latencies) < 2:  # stalled: one request, or none, in the whole run
        latencies = latencies * 2 or [timeout, timeout]
    quantiles = statistics.quantiles(latencies, n=20, method="inclusive")
    outcomes: dict[str, int] = {}
    for _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p95": quantiles[18],
        "max": latencies[-1],
        "outcomes": outcomes,
    }


def free_port(first: int, last: int) -> int:
    for port in range(first, last + 1):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {first}-{last}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, help="default: the first free one in 8200-8299")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds under load")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle reference")
    parser.add_argument("--bound", type=float, default=2.0, help="p95 bound in seconds")
    parser.add_argument("--client-timeout", type=float, default=10.0)
    parser.add_argument("--without-config", action="store_true")
    parser.add_argument("--workdir", type=Path, help="database and logs (kept; reused)")
    parser.add_argument("--redis-port", type=int, default=6391)
    args = parser.parse_args(argv)

    port = args.port or free_port(8200, 8299)
    workdir = args.workdir or Path(mkdtemp(prefix="techtree-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = server_env(workdir, port)
    page = prepare_database(env, workdir)
    redis = start_redis(workdir, args.redis_port)
    if redis is not None:
        env["REDIS_URL"] = f"redis://{HOST}:{args.redis_port}/0"
    server = start_server(env, workdir, args.without_config)
    clients = Clients(port)
    try:
        wait_until_up(port, page, server)
        setup = "3 sync workers (no config)" if args.without_config else "gunicorn.conf.py"
        cache = "Redis" if redis else "the database"
        print(f"gunicorn on {HOST}:{port}, {setup}, cache in {cache}; normal client reads {page}")
        for _ in range(12):  # every worker's first requests load templates and the model
            get(port, page, args.client_timeout)
        idle = summary(measure(port, page, args.idle, args.client_timeout), args.client_timeout)
        long_text = "".join(chr(0x2600 + i) for i in range(256))
        slow_read = f"{LAB_DATA}?{urlencode({'text': long_text})}"
        get(port, slow_read, 30)  # computed once, so the slow reader's response is ready
        clients.start(clients.trickle_body)
        clients.start(clients.trickle_body)
        clients.start(clients.trickle_headers)
        clients.start(clients.slow_reader, slow_read)
        for seed in range(3):
            clients.start(clients.heavy_lab, seed)
        time.sleep(1.0)  # let them take hold
        loaded = summary(
            measure(port, page, args.duration, args.client_timeout), args.client_timeout
        )
    finally:
        clients.stop.set()
        server.send_signal(signal.SIGINT)  # quick shutdown: the slow clients are not waited for
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        clients.join()
        stop_redis(redis)

    def line(name: str, s: dict) -> str:
        return (
            f"  {name:34s} n={s['n']:4d}  p50 {s['p50'] * 1000:7.1f} ms  "
            f"p95 {s['p95'] * 1000:7.1f} ms  max {s['max'] * 1000:7.1f} ms  {s['outcomes']}"
        )

    print("concept page, normal client:")
    print(line("server idle (reference)", idle))
    print(line("under slow and heavy clients", loaded))
    print(f"  p95 under load: {loaded['p95'] / idle['p95']:.1f}x the idle p95")
    print("other clients:")
    for kind, outcomes in sorted(clients.counts.items()):
        print(f"  {kind:34s} {outcomes}")
    passed = loaded["p95"] <= args.bound
    verdict = "holds" if passed else "FAILS"
    print(f"bound: p95 under load <= {args.bound:.2f} s: {verdict}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
