"""The tests' demo tree: after the first real load, later loads insert the kept rows; those
must be exactly the rows a real load of the files writes."""

import datetime

import pytest
from django.db import models, transaction

from tests.conftest import CONTENT, _demo_rows, load_demo_tree


def contents() -> dict[str, list[tuple]]:
    """Every row the demo tree wrote (history aside), without keys and times: ids differ
    between loads, and a related row is named by its text."""
    found = {}
    for model in _demo_rows:
        if model.__name__.startswith("Historical"):
            continue
        rows = []
        for row in model._base_manager.all():
            values = []
            for field in model._meta.concrete_fields:
                value = getattr(row, field.name)
                if field.primary_key or isinstance(value, datetime.datetime):
                    continue
                values.append(str(value) if isinstance(field, models.ForeignKey) else value)
            rows.append(tuple(repr(v) for v in values))
        found[model.__name__] = sorted(rows)
    return found


def in_rolled_back_transaction(load) -> dict:
    with transaction.atomic():
        load()
        seen = contents()
        transaction.set_rollback(True)
    return seen


@pytest.mark.django_db
def test_the_kept_rows_are_what_a_real_load_writes():
    from techtree.content import read_folder
    from techtree.loading import load_concepts

    in_rolled_back_transaction(load_demo_tree)  # the first load in this process keeps its rows
    assert _demo_rows
    kept = in_rolled_back_transaction(load_demo_tree)
    real = in_rolled_back_transaction(lambda: load_concepts(read_folder(CONTENT)))
    assert set(kept) >= {"Concept", "Prerequisite", "Lesson", "WorkedExample", "Problem"}
    assert kept == real
