"""Two submissions at once: both land, nothing is stored twice, and the status stays right.

Each submission runs in its own thread with its own database connection, released at the
same moment by a barrier, so the two transactions really overlap. CI runs this file on
SQLite and on PostgreSQL (`DATABASE_URL=postgres://...`): on PostgreSQL the learner's row
lock makes the second transaction wait for the first; on SQLite the first write takes the
database's write lock and the second waits for it (see `progress.lock_learner`).

SQLite's test database lives in memory with a shared cache, where a lock held by another
connection is reported at once ("database table is locked") instead of waited for as with
a database file (the busy timeout). There the threads retry, as the busy handler would.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client

from quizzes import mastery
from quizzes.models import Attempt, ConceptProgress, ProblemProgress
from techtree.models import Concept
from tests.conftest import load_demo_tree
from tests.quizzes.solving import answer, mark_mastered, one_per_difficulty, right_answer

pytestmark = pytest.mark.django_db(transaction=True)

SOFTMAX = "softmax-and-logits"


@pytest.fixture
def learner(transactional_db):
    load_demo_tree()
    user = get_user_model().objects.create_user("twotabs", password="a-long-enough-password")
    mark_mastered(user, "exponentials-and-logarithms", "probability-distributions")
    return user


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in parallel threads, released together; each closes its connection."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        try:
            barrier.wait(timeout=10)
            return _waiting_for_sqlite_locks(call)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _waiting_for_sqlite_locks(call: Callable[[], object]) -> object:
    """Call, and on SQLite call again while another connection holds the lock."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return call()
        except OperationalError as error:
            locked = connection.vendor == "sqlite" and "locked" in str(error)
            if not locked or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_the_last_two_answers_from_two_tabs_both_land_and_master_once(learner):
    softmax = Concept.objects.get(slug=SOFTMAX)
    easy, medium, hard = one_per_difficulty(softmax)
    answer(learner, easy, right_answer(learner, easy))
    typed = {p.pk: right_answer(learner, p) for p in (medium, hard)}

    results = at_once(
        lambda: answer(learner, medium, typed[medium.pk]),
        lambda: answer(learner, hard, typed[hard.pk]),
    )

    assert all(r.correct for r in results)
    assert [r.mastered for r in results].count(True) == 1  # whichever landed second
    assert Attempt.objects.filter(learner=learner).count() == 3
    assert Attempt.objects.filter(learner=learner, mastered=True).count() == 1
    row = ConceptProgress.objects.get(learner=learner, concept=softmax)
    assert row.mastered is not None
    unlocked = ConceptProgress.objects.get(learner=learner, concept__slug="argmax-vs-sampling")
    assert unlocked.unlocked == row.mastered


def test_two_tabs_posting_through_the_site_both_land(learner, settings):
    """The same, through the answer view, one logged-in test client per tab."""
    softmax = Concept.objects.get(slug=SOFTMAX)
    easy, medium, hard = one_per_difficulty(softmax)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(learner)
    first = {p.pk: right_answer(learner, p) for p in (easy, medium, hard)}

    def poster(tab: Client, problem) -> Callable[[], tuple[int, dict]]:
        """One submit of a rendered form: its submission id is fixed, like the form's."""
        data = {"answer": first[problem.pk], "submission": str(uuid.uuid4())}

        def post() -> tuple[int, dict]:
            response = tab.post(
                f"/practice/{problem.pk}/answer/", data, headers={"accept": "application/json"}
            )
            return response.status_code, response.json()

        return post

    results = at_once(poster(tabs[0], easy), poster(tabs[1], medium))
    assert [code for code, _ in results] == [200, 200], results
    assert Attempt.objects.filter(learner=learner).count() == 2
    # Both tabs answer the hard problem's same numbers: the first to land solves them and
    # masters the concept; the other arrives after they were solved and is refused.
    results = sorted(at_once(poster(tabs[0], hard), poster(tabs[1], hard)), key=lambda r: r[0])
    (ok, solved), (refused, said) = results
    assert (ok, refused) == (200, 409)
    assert solved["correct"] and solved["mastered"] and solved["status"] == "mastered"
    assert "solved these numbers already" in said["error"]
    assert Attempt.objects.filter(learner=learner).count() == 3
    assert ProblemProgress.objects.get(learner=learner, problem=hard).attempts == 1
    assert ConceptProgress.objects.get(learner=learner, concept=softmax).mastered is not None


def test_a_double_click_from_two_connections_stores_one_attempt(learner):
    softmax = Concept.objects.get(slug=SOFTMAX)
    easy = one_per_difficulty(softmax)[0]
    typed = right_answer(learner, easy)
    submission = uuid.uuid4()

    results = at_once(
        lambda: answer(learner, easy, typed, submission),
        lambda: answer(learner, easy, typed, submission),
    )

    assert Attempt.objects.filter(learner=learner).count() == 1
    assert sorted(r.duplicate for r in results) == [False, True]
    assert all(r.correct and r.message == "Correct." for r in results)
    assert ProblemProgress.objects.get(learner=learner, problem=easy).attempts == 1
    status = {r.status for r in results}
    assert status == {mastery.Status.IN_PROGRESS}
