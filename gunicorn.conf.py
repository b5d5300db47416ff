"""gunicorn's configuration for `make serve`: worker class, threads, time budgets and limits.

Why threads (gthread): with gunicorn's default sync workers, one connection holds a whole
worker until its request is read and its response written, so three clients trickling a
request body or reading a response a byte at a time stall three workers, and with them the
whole site. A gthread worker serves THREADS connections at once, and hands a connection
that sends nothing for 5 s back to its poller; a slow client ties up one thread, not a
process. The lab's and figures' CPU work is bounded in the application (a text limit, a
per-client rate, a lock wait), and NumPy holds one BLAS thread per process (lens/apps.py).
`bench/slow_clients.py` shows it: page views for others stay fast while three slow clients
and three heavy lab clients run (tests/load/test_slow_clients.py runs a small version, and
also shows the same load stalling sync workers).

Facing the internet, put a buffering proxy in front (nginx): threads bound the damage of a
few slow clients, not of thousands.

Every value can be overridden with the environment variable named beside it.
"""

import os
import subprocess
import sys
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "techtree.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Processes and threads: WORKERS processes (about one per core, plus one), each serving
# THREADS requests at once. Django's database connections are per thread.
workers = _int("WORKERS", 3)
worker_class = "gthread"
threads = _int("THREADS", 8)

# Time budgets.
# timeout: a worker that has not reported to the arbiter for this long (frozen, or stuck in
# C code holding the GIL) is killed and replaced. A thread serving a slow client does not
# stop the worker reporting, so this is the backstop, not the per-request budget; requests are
# bounded by the application (the lab's text limit and rate, the figure lock's 5 s wait).
timeout = _int("WORKER_TIMEOUT", 30)
# graceful_timeout: on restart or shutdown, requests in flight get this long to finish.
graceful_timeout = _int("GRACEFUL_TIMEOUT", 20)
# keepalive: an idle kept-alive connection is closed after this many seconds (it waits in
# the worker's poller, holding no thread).
keepalive = _int("KEEPALIVE", 5)

# Request size limits (gunicorn answers 400 past them, before Django sees anything).
limit_request_line = 4094  # the request line, URL and query string included
limit_request_fields = 50  # headers per request
limit_request_field_size = 8190  # bytes per header

# Restart each worker after MAX_REQUESTS requests, jittered so workers do not all restart at
# once: bounds the damage of any slow leak.
max_requests = _int("MAX_REQUESTS", 2000)
max_requests_jitter = _int("MAX_REQUESTS_JITTER", 200)

accesslog = os.environ.get("ACCESS_LOG", "-")

# The task worker (django-tasks' `manage.py db_worker`): whole-tree figure refreshes that an
# admin save queues run there (techtree/tasks.py). The arbiter starts one beside the web
# workers and stops it on exit; TASK_WORKER=0 leaves it to be run elsewhere (one per
# database is enough; more are safe, a refresh that started from an older graph gives way).
_task_worker = None


# Housekeeping (`manage.py housekeeping`: expired sessions, old finished tasks' results) runs
# in a process of its own, started and stopped as the task worker is: once at start, then
# every HOUSEKEEPING_HOURS; 0 leaves it to cron.
_housekeeper = None


def when_ready(server) -> None:
    global _task_worker, _housekeeper
    if os.environ.get("TASK_WORKER", "1") == "1":
        _task_worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "1"],
            cwd=Path(__file__).resolve().parent,
        )
        server.log.info("Started the task worker (pid %s)", _task_worker.pid)
    hours = os.environ.get("HOUSEKEEPING_HOURS", "24")
    if float(hours) > 0:
        _housekeeper = subprocess.Popen(
            [sys.executable, "manage.py", "housekeeping", "--every", hours, "--verbosity", "0"],
            cwd=Path(__file__).resolve().parent,
        )
        server.log.info("Started housekeeping every %s hours (pid %s)", hours, _housekeeper.pid)


def on_exit(server) -> None:
    if _housekeeper and _housekeeper.poll() is None:
        _housekeeper.terminate()
    if _task_worker and _task_worker.poll() is None:
        _task_worker.terminate()  # db_worker stops after its current task
        try:
            _task_worker.wait(graceful_timeout)
        except subprocess.TimeoutExpired:
            _task_worker.kill()
