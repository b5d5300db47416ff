"""A visitor who signs up keeps what they solved in that session: their right answers become
attempts of the new account, in sign-up's transaction, counted towards mastery by the normal
rules (clean only without the solution shown first; on a locked concept, kept for when it
opens), once each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache

from quizzes.keep_solves import keep_visitor_solves
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from quizzes.visitors import SESSION_KEY, VisitorPractice
from review.models import ReviewCard
from tests.review.conftest import build_small_tree

PASSWORD = "quiet-harbour-lantern-42"
User = get_user_model()


@pytest.fixture(autouse=True)
def _quiet(db, settings):
    cache.clear()  # the visitor answer limits count in the shared cache
    settings.ATTEMPTS_PER_MINUTE = settings.ATTEMPTS_PER_ADDRESS_PER_MINUTE = 1000
    with time_machine.travel(datetime.now(tz=UTC), tick=False):
        yield


@pytest.fixture
def tree(db):
    return build_small_tree()


def right(problem: Problem) -> str:
    return str(problem.answer)  # fixed problems: order + len(slug)


def solve(client, problem: Problem, raw: str | None = None):
    return client.post(f"/practice/{problem.pk}/answer/", {"answer": raw or right(problem)})


def signup(client, username="newcomer"):
    data = {"username": username, "email": "", "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", data, follow=True)


def test_a_visitors_solves_become_the_new_accounts_attempts_and_mastery(client, tree):
    exps = tree["exps"]
    for problem in exps.problems.all():
        solve(client, problem)
    solve(client, tree["softmax"].problems.first())  # locked for the new account
    solve(client, tree["probs"].problems.first(), raw="999")  # wrong: nothing to keep
    response = signup(client)
    learner = User.objects.get(username="newcomer")
    attempts = Attempt.objects.filter(learner=learner)
    assert attempts.count() == 4 and all(a.correct for a in attempts)
    assert {a.problem.concept.slug for a in attempts} == {"exps", "softmax"}
    row = ConceptProgress.objects.get(learner=learner, concept=exps)
    assert row.mastered is not None and not row.placed
    assert ReviewCard.objects.filter(learner=learner, concept=exps).exists()  # as any mastery
    # Softmax stays locked (Probs is not mastered): its solve is stored, not started.
    assert not ConceptProgress.objects.filter(learner=learner, concept=tree["softmax"]).exists()
    html = response.content.decode()
    assert "We kept the 4 problems you solved as a visitor. Mastered: Exps." in html
    assert "1 of them is on concepts still locked for you: they count once you master" in html
    assert VisitorPractice.load(client.session).solved == []


def test_the_kept_attempts_carry_the_visitors_own_numbers(client, tree):
    problem = tree["exps"].problems.first()
    solve(client, problem)
    seed = client.session[SESSION_KEY]["solved"][0]["seed"]
    signup(client)
    learner = User.objects.get(username="newcomer")
    attempt = Attempt.objects.get(learner=learner)
    assert (attempt.seed, attempt.raw) == (seed, right(problem))
    progress = ProblemProgress.objects.get(learner=learner, problem=problem)
    assert progress.solved and progress.solved_cleanly and progress.seed == seed


def test_a_solve_after_the_solution_was_shown_is_kept_but_not_clean(client, tree):
    problems = list(tree["exps"].problems.all())
    client.post(f"/practice/{problems[0].pk}/solution/")
    for problem in problems:
        solve(client, problem)
    signup(client)
    learner = User.objects.get(username="newcomer")
    assert Attempt.objects.filter(learner=learner).count() == 3
    assert not ProblemProgress.objects.get(learner=learner, problem=problems[0]).solved_cleanly
    assert ConceptProgress.objects.get(learner=learner, concept=tree["exps"]).mastered is None


def test_each_problem_is_kept_once(client, tree):
    problem = tree["exps"].problems.first()
    solve(client, problem)
    solve(client, problem)  # the same numbers again: one solve
    client.post(f"/practice/{problem.pk}/new/")
    solve(client, problem)  # new numbers, solved again: still one right answer kept
    assert len(client.session[SESSION_KEY]["solved"]) == 2
    signup(client)
    learner = User.objects.get(username="newcomer")
    assert Attempt.objects.filter(learner=learner).count() == 1
    # keeping the same session's solves again stores nothing new
    visitor = VisitorPractice(
        solved=[{"problem": problem.pk, "seed": 5, "raw": "x", "clean": True}]
    )
    assert keep_visitor_solves(learner=learner, visitor=visitor).kept == 0
    assert Attempt.objects.filter(learner=learner).count() == 1


def test_solves_open_the_next_concept_in_depth_order(tree):
    """Prerequisites' solves are kept first, so the concept after them is open in turn."""
    learner = User.objects.create_user("x")
    solves = [
        {"problem": p.pk, "seed": 7, "raw": right(p), "clean": True}
        for slug in ("softmax", "exps", "probs")  # any order in the session
        for p in tree[slug].problems.all()
    ]
    result = keep_visitor_solves(learner=learner, visitor=VisitorPractice(solved=solves))
    assert (result.kept, result.locked) == (9, 0)
    assert set(result.mastered) == {"Exps", "Probs", "Softmax"}


def test_forged_or_stale_session_data_keeps_nothing(tree):
    learner = User.objects.create_user("y")
    problem = tree["exps"].problems.first()
    visitor = VisitorPractice.from_state(
        {
            "solved": [
                {"problem": problem.pk, "seed": 3, "raw": "12345", "clean": True},  # wrong
                {"problem": 999999, "seed": 3, "raw": "1", "clean": True},  # no such problem
                {"problem": problem.pk, "seed": 3, "raw": "not a number", "clean": True},
            ]
        }
    )
    assert keep_visitor_solves(learner=learner, visitor=visitor).kept == 0
    assert VisitorPractice.from_state({"solved": [{"problem": "x"}]}) == VisitorPractice()


def test_a_sign_up_without_solves_says_nothing_about_them(client, tree):
    html = signup(client).content.decode()
    assert "We kept" not in html
    assert not Attempt.objects.exists()


def test_solves_on_a_locked_concept_count_once_it_opens(tree):
    """Kept while locked; once its prerequisites are mastered, one more right answer there
    finds the kept clean solves and masters it."""
    from quizzes import progress

    learner = User.objects.create_user("later")
    softmax = list(tree["softmax"].problems.order_by("pk"))
    solves = [{"problem": p.pk, "seed": 3, "raw": right(p), "clean": True} for p in softmax]
    result = keep_visitor_solves(learner=learner, visitor=VisitorPractice(solved=solves))
    assert (result.kept, result.locked, result.mastered) == (len(softmax), len(softmax), ())
    assert ProblemProgress.objects.filter(learner=learner, solved_cleanly=True).count() == 3
    with pytest.raises(progress.PracticeRefused, match="locked"):
        progress.new_numbers(learner=learner, problem=softmax[0])
    for slug in ("exps", "probs"):
        for p in tree[slug].problems.all():
            keep_visitor_solves(
                learner=learner,
                visitor=VisitorPractice(
                    solved=[{"problem": p.pk, "seed": 1, "raw": right(p), "clean": True}]
                ),
            )
    assert not progress.prerequisites_missing(learner, tree["softmax"])
    progress.new_numbers(learner=learner, problem=softmax[0])
    feedback = progress.record_attempt(
        learner=learner, problem=softmax[0], raw=right(softmax[0]), submission=uuid.uuid4()
    )
    assert feedback.correct and feedback.mastered
