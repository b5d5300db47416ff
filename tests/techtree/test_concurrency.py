"""Two authors adding the two halves of a cycle at the same moment: one of them is refused.

Author A checks and saves "Attention before Transformers" and keeps the admin's transaction
open a moment; author B meanwhile checks "Transformers before Attention". Without the graph
lock, B's check would not see A's uncommitted edge on PostgreSQL and both would be saved
(checked: this test fails there without it). SQLite's in-memory test database locks whole
tables, so B waits there either way. CI runs this on both.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction

from techtree.models import Concept, Prerequisite
from tests.techtree.test_models import make

pytestmark = pytest.mark.django_db(transaction=True)


def retrying_sqlite_locks(call):
    """SQLite's shared-cache test database reports a held lock at once; wait as a file would."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return call()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def add_edge(prerequisite: str, concept: str) -> Prerequisite:
    """What the admin does: validate the edge, then save it, in one transaction."""
    edge = Prerequisite(
        prerequisite=Concept.objects.get(slug=prerequisite),
        concept=Concept.objects.get(slug=concept),
    )
    edge.full_clean()
    edge.save()
    return edge


def test_two_halves_of_a_cycle_saved_at_once_leave_a_dag():
    make("attention")
    make("transformers")
    first_checked = threading.Event()
    outcome: dict[str, object] = {}

    def author_a() -> None:
        try:
            with transaction.atomic():
                add_edge("attention", "transformers")
                first_checked.set()
                time.sleep(0.5)  # the admin still rendering its redirect; B arrives now
            outcome["a"] = "saved"
        finally:
            connection.close()

    def author_b() -> None:
        def attempt() -> str:
            with transaction.atomic():
                add_edge("transformers", "attention")
            return "saved"

        try:
            first_checked.wait(timeout=10)
            outcome["b"] = retrying_sqlite_locks(attempt)
        except ValidationError as error:
            outcome["b"] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=author_a), threading.Thread(target=author_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome["a"] == "saved"
    assert outcome["b"] == "This would create a cycle: Attention -> Transformers -> Attention"
    assert Prerequisite.objects.count() == 1
