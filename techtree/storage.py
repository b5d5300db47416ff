"""Static files, with each file's URL worked out once per process."""

from __future__ import annotations

import functools

from django.contrib.staticfiles import storage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _RememberedURLs:
    """A storage that remembers each file's URL.

    The files do not change names while the process runs, yet Django works a URL out again
    (manifest lookup, urljoin, quoting) at every `{% static %}`: a concept page asks for
    ten, about 30 microseconds each on an idle core.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._remembered_url = functools.lru_cache(maxsize=1024)(super().url)

    def url(self, name, force: bool = False) -> str:
        return super().url(name, force) if force else self._remembered_url(name)


class StaticFilesStorage(_RememberedURLs, CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed files (production, after collectstatic)."""


class SourceStaticFilesStorage(_RememberedURLs, storage.StaticFilesStorage):
    """Files served from the source tree (DEBUG, and load runs): plain URLs, remembered all
    the same, so a load run pays for `{% static %}` what production pays."""
