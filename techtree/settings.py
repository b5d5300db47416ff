"""The one settings module for techtree, configured by environment variables.

Development needs none of them: SQLite in the project folder, DEBUG on only when asked for.
Production sets SECRET_KEY, DATABASE_URL (PostgreSQL), ALLOWED_HOSTS and leaves DEBUG off.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# `make serve` sets PRODUCTION=1: HTTPS-only cookies, HSTS, SSL redirect and a real mail
# backend, unless INSECURE_LOCAL_TRIAL=1 says this is a trial on plain HTTP (README,
# "Production"). `make check-deploy` checks these same settings.
PRODUCTION = env_bool("PRODUCTION", default=False)
INSECURE_LOCAL_TRIAL = env_bool("INSECURE_LOCAL_TRIAL", default=False)
HTTPS_ONLY = PRODUCTION and not INSECURE_LOCAL_TRIAL

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and (PRODUCTION or env_bool("REQUIRE_SECRET_KEY", default=False)):
        raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")
    # Only for development and tests; production sets REQUIRE_SECRET_KEY=1 via `make serve`.
    SECRET_KEY = "django-insecure-development-only-key-change-me-in-production-0123456789"
# Learners' practice numbers are derived with this secret (quizzes/practice_seeds.py); empty
# means a key derived from SECRET_KEY. Changing it gives new numbers only to new progress.
PRACTICE_SEED_KEY = os.environ.get("PRACTICE_SEED_KEY", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",  # before admin, so our registration/ templates win over the admin's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",  # who changed authored content, when, and a way back
    "techtree",
    "exercise_templates",  # below lessons and quizzes, which show and ask them
    "lessons",
    "quizzes",
    "review",  # spaced review (FSRS) of mastered concepts, on quizzes
    "placement",  # test-outs and the new learner's placement, on review
    "feedback",  # quality ratings and problem reports, on quizzes and lessons
    "lens",
    "authoring",  # the top floor: template admin and preview, history, dump_content
    "axes",  # login failures per username and per client, in the database
    "django_tasks",  # background tasks (the backport of Django 6's django.tasks)
    "django_tasks_db",  # ...queued in the database, run by `manage.py db_worker`
]

MIDDLEWARE = [
    # The header middleware stands above whitenoise, so static files get the same headers.
    "django.middleware.security.SecurityMiddleware",
    "techtree.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: precompressed at build
    # Pages and JSON compressed (about 20x for the tree's HTML). Pages carrying a CSRF token
    # are compressed too: Django masks the token afresh in every response and this middleware
    # pads each gzip stream with random bytes (Django >= 4.2), which defeats BREACH's
    # length oracle; see README "Compression". Responses already encoded are left alone.
    "techtree.middleware.GZipMiddleware",  # Django's, at GZIP_LEVEL (below)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the locked-out page
]

# zlib-ng at level 2 compresses the softmax page's 151 KB to 31.8 KB in 0.7 of the time of
# zlib at level 1 (33.6 KB) and a quarter of Django's zlib at 6 (27.4 KB): the server's CPU
# is what runs out first (techtree/middleware.py, bench/compression.py).
GZIP_LEVEL = int(os.environ.get("GZIP_LEVEL", "2"))

ROOT_URLCONF = "techtree.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "feedback.context_processors.report_problem",  # the report form's parts
            ],
            # {% url %} remembers each address (a page's header alone reverses seven names)
            "builtins": ["techtree.templatetags.remembered_urls"],
        },
    },
]

WSGI_APPLICATION = "techtree.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL means the default, as an unset one does.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers and threads write at once. A transaction takes SQLite's write
    # lock at BEGIN (IMMEDIATE) and waits up to 20 s for it, instead of failing with
    # "database is locked" when a read inside it must become a write while another writes.
    # (A database file also logs ahead: techtree.apps.write_ahead.)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

# State shared by every worker (rate limits, rendered figures) lives in a shared cache:
# the database by default, Redis when REDIS_URL is set. Never per-process memory.
DATABASE_CACHE = {
    "BACKEND": "techtree.cache.DatabaseCache",  # Django's, with an atomic incr and add
    "LOCATION": "techtree_cache",
    # Past MAX_ENTRIES Django culls a third of the entries, rate-limit counters included:
    # 300 (its default) would let many fresh keys reset everyone's limits.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "techtree.cache.RedisCache",  # Django's, reusing its client
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": DATABASE_CACHE}

# Sessions are kept in the database. With Redis, each request reads a session from the cache
# first (Django's cached_db: one Redis read instead of a query; every write goes to both, and
# a session the cache lost is read from the database again). The database cache has no such
# read to save: there it would be a second table written on every change.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)

# Background work (a whole-tree figure refresh) is queued in the database and run by
# `manage.py db_worker` (make serve starts one); every server and worker sees the same queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# `manage.py housekeeping` deletes finished tasks' results older than this (and expired
# sessions); `make serve` runs it at start and every HOUSEKEEPING_HOURS (gunicorn.conf.py).
TASK_RESULTS_DAYS = int(os.environ.get("TASK_RESULTS_DAYS", "14"))
# An edge change refreshes, in the request, the figures of the concepts it touches: itself,
# everything after its head and everything behind those. Past this many concepts the whole
# tree is refreshed in the background instead, and pages say the figures are being refreshed.
GRAPH_REFRESH_INLINE_LIMIT = int(os.environ.get("GRAPH_REFRESH_INLINE_LIMIT", "20000"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out name or client
    "django.contrib.auth.backends.ModelBackend",
]
# Throttles on accounts (README, "Throttling"). Axes keeps its counts in the database, so
# every worker sees them; the lockout ends by itself after the cool-off, or at once for a
# name whose password is reset from the mailed link.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the pause ends on time, always
AXES_USERNAME_CALLABLE = "accounts.lockout.username_for_lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_VERBOSE = False
SIGNUPS_PER_ADDRESS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_ADDRESS_PER_HOUR", "10"))
RESETS_PER_CLIENT_PER_HOUR = int(os.environ.get("RESETS_PER_CLIENT_PER_HOUR", "10"))
RESETS_PER_EMAIL_PER_HOUR = int(os.environ.get("RESETS_PER_EMAIL_PER_HOUR", "3"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "quizzes:dashboard"
LOGOUT_REDIRECT_URL = "techtree:tree"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
if (
    PRODUCTION
    and not INSECURE_LOCAL_TRIAL
    and EMAIL_BACKEND.rsplit(".", 2)[-2] in {"console", "locmem", "dummy", "filebased"}
):
    # Reset mails hold working login links; printed to the log, anyone reading it can use them.
    raise ImproperlyConfigured(
        f"Production needs a real mail backend, not {EMAIL_BACKEND}: set EMAIL_HOST (and "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), or INSECURE_LOCAL_TRIAL=1 for a trial."
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "techtree <noreply@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise's compressed, hashed files, each URL worked out once per process
    "staticfiles": {"BACKEND": "techtree.storage.StaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "techtree.storage.SourceStaticFilesStorage"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers; the HTTPS ones are on in production (PRODUCTION=1, set by `make serve`).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that terminates TLS and sets (never passes on) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: everything comes from this origin; no inline scripts or handlers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Guessing is bounded: attempts per learner (or anonymous visitor) per minute.
ATTEMPTS_PER_MINUTE = int(os.environ.get("ATTEMPTS_PER_MINUTE", "20"))

# The logit lab: requests a client may make of it per minute (a cached text costs no forward
# pass but still counts), and how many threads NumPy's BLAS may use in each process: one,
# so every gunicorn worker uses one core and workers do not fight over both (lens/apps.py).
LAB_REQUESTS_PER_MINUTE = int(os.environ.get("LAB_REQUESTS_PER_MINUTE", "60"))
BLAS_THREADS = int(os.environ.get("BLAS_THREADS", "1"))
# Visitors are also counted by address (techtree.limits), so fresh sessions or no cookies at
# all do not multiply the budget; a classroom behind one address shares this many.
ATTEMPTS_PER_ADDRESS_PER_MINUTE = int(os.environ.get("ATTEMPTS_PER_ADDRESS_PER_MINUTE", "60"))
# "Report a problem": per learner (or visitor session) and per client address, an hour, in
# the shared limiter (feedback/services.py).
REPORTS_PER_HOUR = int(os.environ.get("REPORTS_PER_HOUR", "10"))
REPORTS_PER_ADDRESS_PER_HOUR = int(os.environ.get("REPORTS_PER_ADDRESS_PER_HOUR", "30"))
# Proxies (addresses or networks) whose X-Forwarded-For names the real client; with none,
# the client is REMOTE_ADDR whatever headers it sends.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
