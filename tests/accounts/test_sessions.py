"""Where sessions live: the database always; with Redis, read from the cache first.

The engine's choice is checked in a fresh process (settings read the environment once);
the read path through a real Redis runs when REDIS_URL is set (CI sets it).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_settings import run_manage

PRINT_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


def session_engine(**env) -> str:
    result = run_manage("shell", "-c", PRINT_ENGINE, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_with_redis_sessions_are_read_from_the_cache_first():
    assert session_engine(REDIS_URL="redis://127.0.0.1:1/0") == (
        "django.contrib.sessions.backends.cached_db"
    )
    assert session_engine(REDIS_URL="") == "django.contrib.sessions.backends.db"


def session_queries(client, url: str) -> tuple[int, int]:
    """(status, queries on the session table) of one GET."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, sum("django_session" in q["sql"] for q in queries.captured_queries)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set (CI sets it)")
@pytest.mark.django_db
def test_a_session_is_read_from_redis_and_survives_losing_it(client):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    client.force_login(get_user_model().objects.create_user("kept"))
    dashboard = reverse("quizzes:dashboard")

    assert session_queries(client, dashboard) == (200, 0)  # from Redis, no query
    cache.clear()  # Redis restarted, or the entry evicted
    assert session_queries(client, dashboard) == (200, 1)  # read from the database again
    assert session_queries(client, dashboard) == (200, 0)  # and kept in Redis once more
