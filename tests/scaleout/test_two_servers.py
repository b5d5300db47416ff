"""Two app servers (gunicorn) sharing one PostgreSQL and one Redis, as behind a load balancer.

A learner logs in on one server and carries on on the other; the answer limit counts their
attempts on both; an author's lesson edit through one server is shown by the other at once,
though it caches rendered lessons; and the graph lock held elsewhere stops an edge save on
either. CI runs this with REDIS_URL and a PostgreSQL DATABASE_URL (.ci/run); elsewhere it
is skipped. SCALEOUT_PORTS picks the two ports (default: any two free ones).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction

from tests.conftest import load_demo_tree

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4  # answers a learner may submit per minute, on the servers started here
SENTENCE = "A sentence the author has just written."

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]


def free_ports(count: int) -> list[int]:
    if os.environ.get("SCALEOUT_PORTS"):
        return [int(p) for p in os.environ["SCALEOUT_PORTS"].split(",")][:count]
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor's cookies, used against any of the servers (cookies ignore the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, url: str, data: dict | None = None, json: bool = False) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"X-CSRFToken": self.csrf()} if data is not None else {}
        if json:
            headers["Accept"] = "application/json"
        try:
            with self.opener.open(
                urllib.request.Request(url, body, headers), timeout=60
            ) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")


@pytest.fixture
def servers():
    """Two gunicorn servers on the test database and the shared Redis."""
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",  # static files from the source folders: no collectstatic here
        "ATTEMPTS_PER_MINUTE": str(LIMIT),
        "CONN_MAX_AGE": "0",
    }
    processes, urls = [], []
    for port in free_ports(2):
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "techtree.wsgi",
                    "-w",
                    "1",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/accounts/login/", timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"{url} did not start")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def user(model, name: str, *, staff: bool = False):
    """A user whose password the servers can check (the test process hashes with MD5)."""
    account = model.objects.create(username=name, is_staff=staff, is_superuser=staff)
    account.password = PBKDF2PasswordHasher().encode("a-long-password-1", "saltsalt1234")
    account.save()
    return account


def log_in(browser: Browser, url: str, name: str) -> None:
    browser.request(f"{url}/accounts/login/")
    status, _ = browser.request(
        f"{url}/accounts/login/",
        {"username": name, "password": "a-long-password-1", "csrfmiddlewaretoken": browser.csrf()},
    )
    assert status == 302, "the log-in should redirect"


def test_two_servers_share_sessions_limits_content_and_the_graph_lock(servers, django_user_model):
    from lessons.models import Lesson
    from quizzes.models import Attempt, Problem
    from techtree import services
    from techtree.models import Concept, Prerequisite

    load_demo_tree()
    user(django_user_model, "ada")
    user(django_user_model, "author", staff=True)
    a, b = servers

    # Logged in on one, carrying on on the other.
    learner = Browser()
    log_in(learner, a, "ada")
    status, html = learner.request(f"{b}/dashboard/")
    assert status == 200 and "ada" in html

    # The answer limit counts the attempts sent to both servers (JSON, so the status shows).
    # Each answer goes to another problem of a root concept, so no problem runs out first.
    problems = list(Problem.objects.filter(concept__prerequisite_links__isnull=True)[:20])
    statuses = []
    for i, problem in enumerate(problems):
        status, _ = learner.request(
            f"{(a, b)[i % 2]}/practice/{problem.pk}/answer/",
            {"answer": "0.5", "submission": str(uuid.uuid4())},
            json=True,
        )
        statuses.append(status)
        if len(Attempt.objects.filter(learner__username="ada")) == LIMIT:
            break
    assert Attempt.objects.filter(learner__username="ada").count() == LIMIT, statuses
    for i in range(2):
        status, _ = learner.request(
            f"{(a, b)[i % 2]}/practice/{problems[0].pk}/answer/",
            {"answer": "0.5", "submission": str(uuid.uuid4())},
            json=True,
        )
        assert status == 429
    assert Attempt.objects.filter(learner__username="ada").count() == LIMIT

    # A lesson edited through one server is on the other's page at once.
    author = Browser()
    log_in(author, a, "author")
    lesson = Lesson.objects.select_related("concept").first()
    page = f"/concepts/{lesson.concept.slug}/"
    status, html = author.request(f"{b}{page}")  # the lesson is now cached
    assert status == 200 and SENTENCE not in html
    status, _ = author.request(
        f"{a}/admin/lessons/lesson/{lesson.pk}/change/",
        {
            "concept": lesson.concept_id,
            "teaching_strategy": lesson.teaching_strategy,
            "body": f"{SENTENCE}\n\n{lesson.body}",
        },
    )
    assert status == 302
    status, html = Browser().request(f"{b}{page}")
    assert status == 200 and SENTENCE in html

    # The graph lock held by another process stops an edge save through either server.
    first, second = Concept.objects.filter(depth=0).order_by("pk")[:2]
    results: list[tuple[int, float]] = []

    def save_edge() -> None:
        start = time.monotonic()
        status, _ = author.request(
            f"{b}/admin/techtree/prerequisite/add/",
            {"prerequisite": first.pk, "concept": second.pk},
        )
        results.append((status, time.monotonic() - start))

    held = 2.0
    with transaction.atomic():
        services.lock_graph()
        saver = threading.Thread(target=save_edge)
        saver.start()
        time.sleep(held)
        assert saver.is_alive(), "the save should wait for the lock"
        assert not Prerequisite.objects.filter(prerequisite=first, concept=second).exists()
    saver.join(timeout=60)
    assert results and results[0][0] == 302
    assert results[0][1] >= held * 0.9
    assert Prerequisite.objects.filter(prerequisite=first, concept=second).exists()
    assert connection.vendor == "postgresql"
    assert re.search(r"\bredis://", os.environ["REDIS_URL"])
