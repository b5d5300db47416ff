"""Shared test configuration and fixtures."""

import copy
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
    """Load the demo content exactly as `make run` does.

    The first load into an empty tree in a test process reads the files for real (about
    1,500 queries and seconds); its rows are kept, and later loads into an empty tree (each
    test starts from one) insert those same rows again, a bulk insert per table. Any other
    load (a reload over stored concepts) reads the files.
    """
    from django.db import IntegrityError, transaction

    from techtree import versions
    from techtree.content import read_folder
    from techtree.loading import load_concepts
    from techtree.models import Concept

    if Concept.objects.exists():
        return load_concepts(read_folder(CONTENT))
    if _demo_rows:
        try:
            with transaction.atomic():
                for model, rows in _demo_rows.items():
                    model._base_manager.bulk_create(copy.deepcopy(rows))
        except IntegrityError:  # the test stored rows of its own with these keys
            return load_concepts(read_folder(CONTENT))
        versions.content_changed()  # as the real load does
        return copy.deepcopy(_demo_report)
    before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in _tables()}
    report = load_concepts(read_folder(CONTENT))
    for model, pks in before.items():
        rows = [row for row in model._base_manager.all() if row.pk not in pks]
        if rows:
            _demo_rows[model] = rows
    _demo_report.__dict__.update(copy.deepcopy(report.__dict__))
    _demo_report.__class__ = report.__class__
    return report


_demo_rows: dict = {}  # model -> its rows the demo tree's real load wrote


class _Report:
    """The real load's report, kept for the later loads (its class is set then)."""


_demo_report = _Report()


def _tables():
    """Every concrete model with a table of its own (proxies and unmanaged ones aside)."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


@pytest.fixture
def demo_tree(db):
    """The demo tree, loaded from fixtures/concepts."""
    return load_demo_tree()
