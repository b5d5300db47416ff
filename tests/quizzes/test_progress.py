"""Recording attempts, mastery and unlocking, through the progress API on the demo tree."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from quizzes import mastery, selectors
from quizzes.answers import AnswerError
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from quizzes.progress import (
    PracticeRefused,
    RateLimited,
    grade_for_visitor,
    new_numbers,
    reveal_hint,
    reveal_solution,
)
from techtree.models import Concept, Prerequisite
from techtree.selectors import concept_view
from tests.quizzes.solving import (
    answer,
    instance_for,
    mark_mastered,
    master,
    one_per_difficulty,
    right_answer,
    seed_of,
    wrong_answer,
)

pytestmark = pytest.mark.django_db

SOFTMAX = "softmax-and-logits"
SOFTMAX_PREREQUISITES = ("exponentials-and-logarithms", "probability-distributions")


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("ada", password="a-long-enough-password")


@pytest.fixture
def softmax_open(demo_tree, learner):
    """Softmax and Logits with its prerequisites mastered: open to practise."""
    mark_mastered(learner, *SOFTMAX_PREREQUISITES)
    return Concept.objects.get(slug=SOFTMAX)


def problem(generator: str) -> Problem:
    return Problem.objects.select_related("concept").get(generator=generator)


def status_of(learner, slug: str) -> mastery.Status:
    concepts = list(Concept.objects.filter(published=True))
    edges = list(Prerequisite.objects.order_by().values_list("prerequisite_id", "concept_id"))
    status = selectors.learner_statuses(learner, [c.pk for c in concepts], edges)
    return status[Concept.objects.get(slug=slug).pk]


# --- What an attempt stores -------------------------------------------------------------


def test_an_attempt_stores_learner_problem_seed_text_parsed_value_verdict_and_time(
    learner, softmax_open
):
    argmax = problem("softmax_argmax_index")
    seed = seed_of(learner, argmax)
    wrong = wrong_answer(learner, argmax)
    before = timezone.now()
    submission = uuid.uuid4()
    feedback = answer(learner, argmax, f" {wrong} ", submission)
    attempt = Attempt.objects.get()
    assert (attempt.learner, attempt.problem, attempt.seed) == (learner, argmax, seed)
    assert attempt.raw == f" {wrong} "  # exactly what was typed
    assert attempt.parsed == int(wrong) and attempt.correct is False
    assert before <= attempt.created <= timezone.now()
    assert attempt.submission == submission and attempt.mastered is False
    assert not feedback.correct and feedback.attempts == 1 and feedback.stored
    assert ProblemProgress.objects.get(learner=learner, problem=argmax).attempts == 1
    assert status_of(learner, SOFTMAX) == mastery.Status.IN_PROGRESS


def test_a_vector_answer_says_which_components_are_off(learner, softmax_open):
    vector = problem("softmax_probabilities")
    expected = instance_for(learner, vector).answer
    typed = [f"{x:.4f}" for x in expected]
    typed[1] = "0.999"
    feedback = answer(learner, vector, ", ".join(typed))
    assert not feedback.correct
    assert feedback.wrong_components == (1,)  # 0-based; the message counts from 1
    assert "component 2 is off" in feedback.message
    assert Attempt.objects.get().parsed[1] == 0.999


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        ("abc", "Expected"),
        ("", "empty"),
        ("1,5", "Expected"),
        ("0", "the first entry is 1, not 0"),
        ("7", "no position 7"),
        ("2.5", "whole number"),
    ],
)
def test_unreadable_input_is_explained_and_not_counted(
    learner, softmax_open, typed, expected_words
):
    argmax = problem("softmax_argmax_index")
    count = instance_for(learner, argmax).positions
    with pytest.raises(AnswerError) as caught:
        answer(learner, argmax, typed)
    assert expected_words in caught.value.message
    if typed in ("0", "7"):  # a position outside the entries names the range
        assert f"Expected a position from 1 to {count}" in caught.value.message
    assert not Attempt.objects.exists()
    assert not ProblemProgress.objects.filter(attempts__gt=0).exists()


# --- Double submits and the rate limit -----------------------------------------------------


def test_a_replayed_submission_is_stored_once_and_repeats_its_feedback(learner, softmax_open):
    vector = problem("softmax_probabilities")
    expected = instance_for(learner, vector).answer
    typed = ", ".join(["0.999", *(f"{x:.4f}" for x in expected[1:])])
    submission = uuid.uuid4()
    first = answer(learner, vector, typed, submission)
    again = answer(learner, vector, typed, submission)
    assert Attempt.objects.count() == 1
    assert ProblemProgress.objects.get(problem=vector).attempts == 1
    assert again.duplicate and not first.duplicate
    for name in ("correct", "message", "wrong_components", "expected", "attempts", "status"):
        assert getattr(again, name) == getattr(first, name), name
    assert again.message == "Not quite: component 1 is off."


def test_a_replayed_mastering_answer_repeats_the_mastery_and_the_unlocks(learner, softmax_open):
    *first_two, hard = one_per_difficulty(softmax_open)
    for p in first_two:
        answer(learner, p, right_answer(learner, p))
    submission = uuid.uuid4()
    first = answer(learner, hard, right_answer(learner, hard), submission)
    again = answer(learner, hard, right_answer(learner, hard), submission)
    assert first.mastered and again.mastered and again.duplicate
    assert [c.slug for c in again.unlocked] == [c.slug for c in first.unlocked]
    assert first.unlocked and again.expected == first.expected is not None
    assert Attempt.objects.filter(problem=hard).count() == 1
    assert Attempt.objects.get(problem=hard).mastered


def test_a_submission_id_cannot_be_reused_for_another_problem(learner, softmax_open):
    submission = uuid.uuid4()
    argmax, vector = problem("softmax_argmax_index"), problem("softmax_probabilities")
    answer(learner, argmax, wrong_answer(learner, argmax), submission)
    with pytest.raises(PracticeRefused, match="another problem"):
        answer(learner, vector, right_answer(learner, vector), submission)
    assert Attempt.objects.count() == 1


def test_too_many_answers_a_minute_are_refused_and_nothing_is_stored(
    learner, softmax_open, settings
):
    settings.ATTEMPTS_PER_MINUTE = 3
    argmax, vector = problem("softmax_argmax_index"), problem("softmax_probabilities")
    for _ in range(3):
        answer(learner, vector, wrong_answer(learner, vector))
    with pytest.raises(RateLimited) as caught:
        answer(learner, argmax, right_answer(learner, argmax))
    assert caught.value.status == 429
    assert caught.value.message.startswith("Slow down: at most 3 answers a minute.")
    assert "Nothing was recorded" in caught.value.message
    assert Attempt.objects.count() == 3
    # A minute later the learner may answer again.
    Attempt.objects.update(created=timezone.now() - timedelta(minutes=1, seconds=1))
    assert answer(learner, argmax, right_answer(learner, argmax)).correct


# --- Feedback: the expected answer, hints and the solution ---------------------------------


def test_the_expected_answer_shows_only_once_out_of_attempts(learner, softmax_open):
    vector = problem("softmax_probabilities")
    expected = instance_for(learner, vector).expected
    results = [answer(learner, vector, wrong_answer(learner, vector)) for _ in range(3)]
    assert [r.expected for r in results] == [None, None, expected]
    assert [r.attempts_left for r in results] == [2, 1, 0]
    with pytest.raises(PracticeRefused, match="used every attempt"):
        answer(learner, vector, right_answer(learner, vector))
    assert Attempt.objects.count() == 3


def test_the_expected_answer_shows_once_solved(learner, softmax_open):
    argmax = problem("softmax_argmax_index")
    assert answer(learner, argmax, wrong_answer(learner, argmax)).expected is None
    solved = answer(learner, argmax, right_answer(learner, argmax))
    assert solved.correct and solved.expected == right_answer(learner, argmax)
    with pytest.raises(PracticeRefused, match="solved these numbers already"):
        answer(learner, argmax, right_answer(learner, argmax))


def test_the_expected_answer_shows_once_given_up(learner, softmax_open):
    vector = problem("softmax_probabilities")
    card = selectors.problem_card(vector, learner=learner)
    assert card.expected is None
    reveal_solution(learner=learner, problem=vector)
    card = selectors.problem_card(vector, learner=learner)
    assert card.solution_shown and card.expected == right_answer(learner, vector)
    assert card.instance.steps, "the solution shows the engine's steps for these numbers"
    assert status_of(learner, SOFTMAX) == mastery.Status.IN_PROGRESS


def test_hints_are_revealed_one_at_a_time(learner, softmax_open):
    vector = problem("softmax_probabilities")
    hints = instance_for(learner, vector).hints
    assert len(hints) >= 2
    shown = [reveal_hint(learner=learner, problem=vector) for _ in range(len(hints) + 2)]
    assert shown == [*range(1, len(hints) + 1), len(hints), len(hints)]
    card = selectors.problem_card(vector, learner=learner)
    assert card.visible_hints == hints and card.hints_left == 0


def test_new_numbers_start_the_problem_over(learner, softmax_open):
    vector = problem("softmax_probabilities")
    old = seed_of(learner, vector)
    answer(learner, vector, wrong_answer(learner, vector))
    reveal_hint(learner=learner, problem=vector)
    reveal_solution(learner=learner, problem=vector)
    seed = new_numbers(learner=learner, problem=vector)
    row = ProblemProgress.objects.get(learner=learner, problem=vector)
    assert seed == row.seed != old
    assert (row.attempts, row.hints_shown, row.solution_shown, row.solved) == (0, 0, False, False)
    assert Attempt.objects.get().seed == old  # the stored attempt keeps its own numbers


# --- The mastery rule --------------------------------------------------------------------


def test_mastery_needs_a_clean_solve_of_each_difficulty(learner, softmax_open):
    easy, medium, _hard = one_per_difficulty(softmax_open)
    assert not answer(learner, easy, right_answer(learner, easy)).mastered
    assert not answer(learner, medium, right_answer(learner, medium)).mastered
    view = selectors.practice_view(softmax_open, [], learner=learner)
    assert view.todo == ["hard"] and view.status == mastery.Status.IN_PROGRESS
    assert ConceptProgress.objects.get(learner=learner, concept=softmax_open).mastered is None


def test_revealing_the_solution_first_means_that_solve_earns_no_mastery(learner, softmax_open):
    easy, medium, hard = one_per_difficulty(softmax_open)
    for p in (easy, medium):
        answer(learner, p, right_answer(learner, p))
    reveal_solution(learner=learner, problem=hard)
    after_giving_up = answer(learner, hard, right_answer(learner, hard))
    assert after_giving_up.correct and not after_giving_up.mastered
    assert status_of(learner, SOFTMAX) == mastery.Status.IN_PROGRESS
    # New numbers, solved without the solution: now it counts. Hints are fine.
    new_numbers(learner=learner, problem=hard)
    reveal_hint(learner=learner, problem=hard)
    clean = answer(learner, hard, right_answer(learner, hard))
    assert clean.correct and clean.mastered
    assert clean.status == mastery.Status.MASTERED
    assert status_of(learner, SOFTMAX) == mastery.Status.MASTERED


def test_a_clean_solve_keeps_counting_after_new_numbers(learner, softmax_open):
    easy, medium, hard = one_per_difficulty(softmax_open)
    answer(learner, easy, right_answer(learner, easy))
    new_numbers(learner=learner, problem=easy)
    answer(learner, medium, right_answer(learner, medium))
    assert answer(learner, hard, right_answer(learner, hard)).mastered


def test_the_mastery_rule_is_stated_in_words():
    rule = mastery.MASTERY_RULE
    for words in ("easy", "medium", "hard", "without revealing the solution", "Hints are fine"):
        assert words in rule


# --- Locking and unlocking ----------------------------------------------------------------


def test_a_locked_concept_refuses_practice_and_names_what_to_master(learner, demo_tree):
    argmax = problem("softmax_argmax_index")
    with pytest.raises(PracticeRefused) as caught:
        answer(learner, argmax, right_answer(learner, argmax))
    assert "locked" in caught.value.message
    assert "Exponentials and Logarithms" in caught.value.message
    assert "Probability Distributions" in caught.value.message
    for action in (reveal_hint, reveal_solution, new_numbers):
        with pytest.raises(PracticeRefused, match="locked"):
            action(learner=learner, problem=argmax)
    assert not Attempt.objects.exists() and not ProblemProgress.objects.exists()
    assert status_of(learner, SOFTMAX) == mastery.Status.LOCKED


def test_unlocking_waits_for_every_prerequisite(learner, softmax_open):
    mastered_softmax = master(learner, softmax_open)
    # What needs softmax alone opens (Argmax vs Sampling, Sparsemax); the rest waits.
    only_softmax = sorted(
        c.slug
        for c in Concept.objects.filter(published=True, prerequisites=softmax_open)
        if {p.pk for p in c.prerequisites.filter(published=True)} == {softmax_open.pk}
    )
    assert "argmax-vs-sampling" in only_softmax and "sparsemax" in only_softmax
    assert sorted(c.slug for c in mastered_softmax.unlocked) == only_softmax
    for slug in ("scaled-dot-product-attention", "sequence-masking", "transformers"):
        assert status_of(learner, slug) == mastery.Status.LOCKED
    mastered_vectors = master(learner, Concept.objects.get(slug="vectors-and-dot-products"))
    assert {c.slug for c in mastered_vectors.unlocked} == {
        "scaled-dot-product-attention",
        "sigmoid-and-logistic-regression",
    }
    assert status_of(learner, "sequence-masking") == mastery.Status.LOCKED
    mastered_attention = master(learner, Concept.objects.get(slug="scaled-dot-product-attention"))
    assert {c.slug for c in mastered_attention.unlocked} == {
        "multi-head-attention",
        "sequence-masking",
    }
    assert status_of(learner, "sequence-masking") == mastery.Status.AVAILABLE
    assert status_of(learner, "transformers") == mastery.Status.LOCKED
    row = ConceptProgress.objects.get(learner=learner, concept__slug="sequence-masking")
    assert row.unlocked is not None and row.started is None


def test_a_whole_path_of_the_demo_tree_mastered_in_order(learner, demo_tree, settings):
    """Every concept behind Logit Evolution, then it: each opens exactly what it should."""
    settings.ATTEMPTS_PER_MINUTE = 10_000
    path = concept_view("logit-evolution").path
    needs: dict[str, set[str]] = {}
    for prerequisite, concept in Prerequisite.objects.order_by().values_list(
        "prerequisite__slug", "concept__slug"
    ):
        needs.setdefault(concept, set()).add(prerequisite)
    done: set[str] = set()
    for concept in path:
        assert status_of(learner, concept.slug) == mastery.Status.AVAILABLE, concept.slug
        feedback = master(learner, concept)
        done.add(concept.slug)
        opened = {
            slug
            for slug, before in needs.items()
            if concept.slug in before and before <= done and slug not in done
        }
        assert {c.slug for c in feedback.unlocked} == opened, concept.slug
        assert status_of(learner, concept.slug) == mastery.Status.MASTERED
        for slug in opened:
            assert status_of(learner, slug) == mastery.Status.AVAILABLE
    assert len(path) >= 10 and path[-1].slug == "logit-evolution"
    everything = set(Concept.objects.values_list("slug", flat=True))
    ready = {s for s in everything - done if needs.get(s, set()) <= done}
    counts = dict(selectors.dashboard(learner).counts())
    assert counts == {
        mastery.Status.MASTERED: len(path),
        mastery.Status.IN_PROGRESS: 0,
        mastery.Status.AVAILABLE: len(ready),
        mastery.Status.LOCKED: len(everything - done - ready),
    }
    assert Attempt.objects.filter(learner=learner, mastered=True).count() == len(path)


# --- Visitors ----------------------------------------------------------------------------


def test_a_visitor_is_graded_but_nothing_is_stored(demo_tree):
    argmax = problem("softmax_argmax_index")
    instance = argmax.instance(1)
    right = grade_for_visitor(
        problem=argmax, raw=instance.expected, seed=1, session="v1", address="10.0.0.1"
    )
    assert right.correct and not right.stored and right.expected == instance.expected
    wrong = grade_for_visitor(
        problem=argmax,
        raw=str(1 if instance.answer != 1 else 2),
        seed=1,
        session="v1",
        address="10.0.0.1",
    )
    assert not wrong.correct and wrong.expected is None
    with pytest.raises(AnswerError):
        grade_for_visitor(problem=argmax, raw="9", seed=1, session="v1", address="10.0.0.1")
    assert not Attempt.objects.exists() and not ProblemProgress.objects.exists()


def test_visitors_are_rate_limited_too(demo_tree, settings):
    settings.ATTEMPTS_PER_MINUTE = 2
    argmax = problem("softmax_argmax_index")
    for _ in range(2):
        grade_for_visitor(problem=argmax, raw="1", seed=1, session="v2", address="10.0.0.2")
    with pytest.raises(RateLimited, match="Slow down"):
        grade_for_visitor(problem=argmax, raw="1", seed=1, session="v2", address="10.0.0.2")
    grade_for_visitor(problem=argmax, raw="1", seed=1, session="someone-else", address="10.0.0.2")


def test_every_demo_concept_offers_each_difficulty_and_softmax_eight_problems(demo_tree):
    for concept in Concept.objects.prefetch_related("problems"):
        difficulties = [p.difficulty for p in concept.problems.all()]
        assert len(difficulties) >= 3, concept.slug
        assert set(difficulties) == set(mastery.DIFFICULTIES), concept.slug
    assert Problem.objects.filter(concept__slug=SOFTMAX).count() >= 8
    kinds = set(Problem.objects.values_list("kind", flat=True))
    generated = {p.instance(1).kind for p in Problem.objects.exclude(generator="")}
    assert kinds | generated == {"number", "vector", "choice", "index"}
