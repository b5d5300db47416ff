"""Settings for load runs against gunicorn: the site's own, with static files read from source.

`make serve` runs collectstatic first; a load run has no need for it, so templates' static
URLs are plain ones (each still worked out once per process, as in production) and nothing
is written into the working tree.
"""

from techtree.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "techtree.storage.SourceStaticFilesStorage"},
}
