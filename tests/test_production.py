"""`make serve` is production: HTTPS-only settings, a real mail backend, and `make
check-deploy` checks exactly the settings serve runs with. Every response, static files and
error pages included, carries the security headers."""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess

import pytest
from django.test import Client, override_settings

from tests.test_settings import BASE_ENV, ROOT, run_manage

OPERATOR = {"SECRET_KEY": secrets.token_urlsafe(50), "EMAIL_HOST": "smtp.example.org"}
SETTING_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "EMAIL_BACKEND",
]


def make(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", *args],
        cwd=ROOT,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def production_settings(**env: str) -> dict:
    code = "from django.conf import settings as s; print({n: getattr(s, n, None) for n in %r})"
    result = run_manage("shell", "-c", code % SETTING_NAMES, **env)
    assert result.returncode == 0, result.stderr
    # The last line is our own repr of booleans, numbers, strings and a tuple.
    return eval(result.stdout.strip().splitlines()[-1])


def env_prefix(line: str) -> set[str]:
    """The NAME=value words a recipe line sets before its command."""
    words = []
    for word in shlex.split(line):
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word):
            break
        words.append(word)
    return set(words)


def test_make_check_deploy_passes_on_the_settings_serve_uses():
    result = make("check-deploy", ALLOWED_HOSTS="techtree.example.org", **OPERATOR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_sets_nothing_that_serve_does_not():
    serve = make("-n", "serve").stdout.splitlines()
    check = make("-n", "check-deploy").stdout.splitlines()
    gunicorn = env_prefix(next(line for line in serve if "gunicorn" in line))
    deploy = env_prefix(next(line for line in check if "check --deploy" in line))
    assert deploy == {"PRODUCTION=1"} and deploy <= gunicorn
    # Whatever else serve sets is for gunicorn (HOST, PORT, WORKERS), never read by settings.
    source = (ROOT / "techtree" / "settings.py").read_text()
    read = set(re.findall(r'(?:environ\.get|environ\[|env_bool|env_list)\(?"([A-Z_]+)"', source))
    assert {"PRODUCTION", "SECRET_KEY", "EMAIL_HOST"} <= read
    assert not {word.split("=")[0] for word in gunicorn - deploy} & read


def test_production_is_https_only_by_default():
    assert production_settings(PRODUCTION="1", **OPERATOR) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": None,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }


def test_behind_a_tls_proxy_the_proxy_header_says_https():
    found = production_settings(PRODUCTION="1", BEHIND_TLS_PROXY="1", **OPERATOR)
    assert found["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert found["SECURE_SSL_REDIRECT"] and found["SESSION_COOKIE_SECURE"]


def test_a_local_trial_is_plain_http_only_when_asked_for():
    found = production_settings(
        PRODUCTION="1", INSECURE_LOCAL_TRIAL="1", SECRET_KEY=OPERATOR["SECRET_KEY"]
    )
    assert not found["SECURE_SSL_REDIRECT"] and not found["SESSION_COOKIE_SECURE"]
    assert found["SECURE_HSTS_SECONDS"] == 0
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_refuses_to_start_with_the_console_mail_backend():
    result = run_manage("check", PRODUCTION="1", SECRET_KEY=OPERATOR["SECRET_KEY"])
    assert result.returncode != 0
    assert "Production needs a real mail backend" in result.stderr


# --- Headers on everything -------------------------------------------------------------------

HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
)


def assert_secured(response) -> None:
    missing = [name for name in HEADERS if name not in response.headers]
    assert not missing, f"{response.status_code} lacks {missing}"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_carry_the_page_headers():
    response = Client().get("/static/techtree/site.css")
    assert response.status_code == 200 and "whitenoise" not in response.headers.get("Server", "")
    body = b"".join(response.streaming_content)
    assert body.strip()
    assert_secured(response)


@pytest.mark.django_db
def test_a_404_carries_them(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_secured(response)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.failing_urls")
def test_a_500_carries_them():
    response = Client(raise_request_exception=False).get("/fail/")
    assert response.status_code == 500
    assert_secured(response)


@pytest.mark.django_db
def test_a_csrf_refusal_carries_them():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert_secured(response)


@pytest.mark.django_db
def test_a_429_carries_them(settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 0
    response = Client().post("/accounts/signup/", {"username": "ada"})
    assert response.status_code == 429
    assert_secured(response)
