"""The settings module: environment-driven, safe for production."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a production process would have: none of the test run's own switches.
BASE_ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "DEBUG", "DATABASE_URL"}
}


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "techtree.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    # PRODUCTION=1 is what `make serve` sets; the operator gives the secret and the mail host.
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), PRODUCTION="1", DEBUG="0",
        ALLOWED_HOSTS="techtree.example.org", EMAIL_HOST="smtp.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", REQUIRE_SECRET_KEY="1", DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_database_url_selects_postgresql():
    code = (
        "import django; from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **BASE_ENV,
            "DJANGO_SETTINGS_MODULE": "techtree.settings",
            "DATABASE_URL": "postgres://u:p@db.internal:5432/techtree",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "techtree"]


def test_shared_state_never_lives_in_one_process(settings):
    # Several gunicorn workers must see the same rate limits, caches and sessions.
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend and "dummy" not in backend
    assert settings.SESSION_ENGINE in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }


def test_an_sqlite_database_logs_ahead_and_syncs_each_commit(tmp_path):
    # Readers never wait for a writer (write-ahead log); a commit still survives a power cut.
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    pragmas = ('journal_mode', 'synchronous')\n"
        "    print([c.execute(f'PRAGMA {p}').fetchone()[0] for p in pragmas])"
    )
    result = run_manage("shell", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['wal', 2]"  # 2: FULL
