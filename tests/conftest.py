"""Shared test configuration and fixtures."""

from pathlib import Path

import pytest

CONTENT = Path(__file__).resolve().parent.parent / "fixtures" / "concepts"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests serve static files from the source folders, without running collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests log in often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo_tree():
    """Load the demo content exactly as `make run` does."""
    from techtree.content import read_folder
    from techtree.loading import load_concepts

    return load_concepts(read_folder(CONTENT))


@pytest.fixture
def demo_tree(db):
    """The demo tree, loaded from fixtures/concepts."""
    return load_demo_tree()
