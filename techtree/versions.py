"""The content version: one token in the shared cache that every content save replaces.

Expensive fragments (rendered lessons, the tree's JSON) are cached under keys that include
it, so a save through any app server is seen by every other at once: the old entries are
simply never asked for again and expire. The token is replaced only once the saving
transaction commits, so no worker can cache the old content under the new version.
"""

from __future__ import annotations

import functools
import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

KEY = "techtree:content-version"
FRAGMENT_SECONDS = 24 * 3600  # fragments of an old version linger at most this long


def content_version() -> str:
    """The current content version (one cache read)."""
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(KEY)
    return version


def request_version(request) -> str:
    """The content version for one request: read once, so all of a page's fragments agree."""
    version = getattr(request, "_content_version", None)
    if version is None:
        version = request._content_version = content_version()
    return version


def content_changed() -> None:
    """Start a new content version once the current transaction (if any) commits."""
    transaction.on_commit(lambda: cache.set(KEY, uuid.uuid4().hex, timeout=None))


def _changed(**_kwargs) -> None:
    content_changed()


def watch(*models) -> None:
    """Start a new content version whenever one of these models is saved or deleted.

    Each app watches its own content models from its AppConfig.ready(); bulk writes that
    bypass signals (synthetic trees) call content_changed() through the graph refresh.
    """
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-version-delete-{model}")


@functools.cache
def release() -> str:
    """What code renders the fragments: `RELEASE` from the environment, else a digest of the
    project's Python files and templates.

    A deploy that changes how a lesson or an example is rendered must not serve the old
    HTML for the day a fragment lives, though the content version has not moved; servers of
    one release share their fragments, and two releases side by side never mix them.
    """
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"]
    base = Path(settings.BASE_DIR)
    folders = [p for p in base.iterdir() if (p / "__init__.py").exists() and p.name != "tests"]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(f for folder in [*folders, base / "templates"] for f in folder.rglob("*")):
        if path.suffix in {".py", ".html"}:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fragment_key(version: str, name: str) -> str:
    return f"fragment:{release()}:{version}:{name}"


def cached_fragment(name: str, build, *, version: str | None = None):
    """`build()` cached in the shared cache under this release and content version."""
    key = _fragment_key(version or content_version(), name)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=FRAGMENT_SECONDS)
    return value


def cached_fragments(builds: dict, *, version: str) -> dict:
    """Several `cached_fragment`s by name in one read of the shared cache (one write for the
    missing ones, each built by calling its `builds[name]()`)."""
    if not builds:
        return {}
    keys = {_fragment_key(version, name): name for name in builds}
    found = cache.get_many(list(keys))
    missing = {key: builds[name]() for key, name in keys.items() if found.get(key) is None}
    if missing:
        cache.set_many(missing, timeout=FRAGMENT_SECONDS)
    return {name: missing[key] if key in missing else found[key] for key, name in keys.items()}
