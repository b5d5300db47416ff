"""`manage.py housekeeping` deletes expired sessions and old finished tasks' results, and
`make serve`'s gunicorn runs it beside its workers."""

from __future__ import annotations

import select
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from techtree.tasks import refresh_map_layout
from tests.techtree.gunicorn_hooks import ROOT, Server, gunicorn_conf, serve_env


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["kept"] = True
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def finished_task(days_ago: int | None) -> str:
    """A task result: finished that many days ago, or still waiting (None)."""
    result = refresh_map_layout.enqueue()
    if days_ago is not None:
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - timedelta(days_ago)
        )
    return str(result.id)


def task_ids() -> set[str]:
    return {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}


@pytest.mark.django_db(transaction=True)
def test_it_deletes_expired_sessions_and_old_finished_tasks(settings):
    settings.TASK_RESULTS_DAYS = 14
    expired, live = session(timedelta(minutes=-1)), session(timedelta(days=1))
    old, recent, waiting = finished_task(30), finished_task(1), finished_task(None)
    assert set(Session.objects.values_list("pk", flat=True)) == {expired, live}
    assert task_ids() == {old, recent, waiting}
    call_command("housekeeping", verbosity=0)
    assert set(Session.objects.values_list("pk", flat=True)) == {live}
    assert task_ids() == {recent, waiting}


EXPIRED = """
from datetime import timedelta
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
store = SessionStore(); store["x"] = 1; store.create()
Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
"""


def test_gunicorn_runs_housekeeping_beside_its_workers(tmp_path, monkeypatch):
    database = tmp_path / "housekeeping.sqlite3"
    serve_env(monkeypatch, database, TASK_WORKER="0", HOUSEKEEPING_HOURS="24")
    for command in (["migrate", "--noinput"], ["shell", "-c", EXPIRED]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)

    def sessions() -> int:
        with sqlite3.connect(database) as db:
            return db.execute("SELECT count(*) FROM django_session").fetchone()[0]

    assert sessions() == 1
    conf = gunicorn_conf()
    conf.when_ready(Server())
    try:
        deadline = time.monotonic() + 90
        while sessions() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert sessions() == 0
        assert conf._housekeeper.poll() is None  # waiting for its next run
    finally:
        conf.on_exit(Server())
    conf._housekeeper.wait(10)  # stopped with the server


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended, whoever reaps it


def test_the_housekeeper_ends_with_the_process_that_started_it(tmp_path, monkeypatch):
    # A gunicorn arbiter killed outright (no on_exit) must not leave it sleeping for a day.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'orphan.sqlite3'}")
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    subprocess.run([sys.executable, "manage.py", "migrate"], cwd=ROOT, check=True)
    command = f"{sys.executable} manage.py housekeeping --every 24 & echo $!; wait"
    parent = subprocess.Popen(
        ["sh", "-c", command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    pid = int(parent.stdout.readline())
    deadline, first_run_done = time.monotonic() + 60, False
    while not first_run_done and time.monotonic() < deadline:
        ready, _, _ = select.select([parent.stdout], [], [], deadline - time.monotonic())
        first_run_done = bool(ready) and "Deleted 0 task result(s)" in parent.stdout.readline()
    assert first_run_done and running(pid)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not running(pid)
