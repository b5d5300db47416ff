"""`make serve`'s gunicorn starts the task worker (manage.py db_worker), which runs a queued
whole-tree figure refresh from the database queue, and stops it on exit."""

import os
import sqlite3
import subprocess
import sys
import time

from tests.techtree.gunicorn_hooks import ROOT, Server, gunicorn_conf, serve_env

QUEUE = """
from techtree.loading import load_synthetic_tree
from techtree.models import Concept
from techtree import services
load_synthetic_tree(60)
Concept.objects.update(depth=None, reach=None)
services.queue_figure_refresh()
"""


def test_gunicorns_task_worker_runs_a_queued_refresh(tmp_path, monkeypatch):
    database = tmp_path / "worker.sqlite3"
    serve_env(monkeypatch, database, TASK_WORKER="1", HOUSEKEEPING_HOURS="0")
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["createcachetable"], ["shell", "-c", QUEUE]):
        subprocess.run([*manage, *command], cwd=ROOT, check=True, capture_output=True)

    def state():
        with sqlite3.connect(database) as db:
            refresh = db.execute("SELECT finished, done, total FROM techtree_figurerefresh")
            unplaced = db.execute("SELECT count(*) FROM techtree_concept WHERE depth IS NULL")
            task = db.execute("SELECT status FROM django_tasks_database_dbtaskresult")
            return refresh.fetchone(), unplaced.fetchone()[0], task.fetchone()[0]

    assert state() == ((None, 0, 0), 60, "READY")
    conf = gunicorn_conf()
    conf.when_ready(Server())
    try:
        deadline = time.monotonic() + 90
        while state()[2] != "SUCCESSFUL" and time.monotonic() < deadline:
            time.sleep(0.5)
        (finished, done, total), unplaced, status = state()
        assert status == "SUCCESSFUL"
        assert finished is not None and done == total == 60
        assert unplaced == 0
    finally:
        conf.on_exit(Server())
    assert conf._task_worker.poll() is not None  # stopped with the server
    assert os.environ["TASK_WORKER"] == "1"
