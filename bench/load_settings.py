"""Settings for load runs against gunicorn: the site's own, with static files read from source.

`make serve` runs collectstatic first; a load run has no need for it, so templates' static
URLs are plain ones and nothing is written into the working tree.
"""

from techtree.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
