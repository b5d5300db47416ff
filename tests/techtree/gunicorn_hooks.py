"""gunicorn.conf.py's hooks, called as gunicorn's arbiter calls them, on a test's own SQLite
file with `make serve`'s settings: for the processes the arbiter starts beside its workers."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


class Server:
    log = logging.getLogger("test-gunicorn")


def serve_env(monkeypatch, database: Path, **env: str) -> None:
    """The environment of a production process on `database`, with `env` on top."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "test-only")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)


def gunicorn_conf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf
