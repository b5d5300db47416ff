"""Answering practice problems in tests: right and wrong answers for a learner's own numbers.

The right answer is computed the way the site computes it, by the problem's generator with
the learner's seed, so tests never copy numbers by hand.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from exercises import Exercise as ProblemInstance
from quizzes import answers, practice_seeds
from quizzes.models import ConceptProgress, Problem, ProblemProgress
from quizzes.progress import Feedback, record_attempt
from quizzes.visitors import VisitorPractice
from techtree.models import Concept


def seed_of(learner, problem: Problem) -> int:
    """The seed of the numbers this learner sees on this problem now."""
    row = ProblemProgress.objects.filter(learner=learner, problem=problem).first()
    return row.seed if row else practice_seeds.learner_seed(learner.pk, problem.pk)


def visitor_seed_of(client, problem: Problem) -> int:
    """The seed of the numbers a visitor (a test client that has seen a page) sees on this
    problem now, as the site reads it: kept in their session, else their browser's."""
    browser = client.cookies[settings.CSRF_COOKIE_NAME].value
    return VisitorPractice.load(client.session, browser=browser).seed(problem.pk)


def instance_for(learner, problem: Problem) -> ProblemInstance:
    return problem.instance(seed_of(learner, problem))


def right_answer(learner, problem: Problem) -> str:
    """The expected answer, typed as the site shows it."""
    return instance_for(learner, problem).expected


def _far_off(x: float) -> float:
    return x * 1.5 + 1 if x >= 0 else x * 1.5 - 1


def wrong_answer_for(instance: ProblemInstance) -> str:
    """A readable answer that is clearly wrong for these numbers."""
    if instance.kind == "number":
        return answers.format_number(_far_off(instance.answer))
    if instance.kind == "vector":
        return ", ".join(answers.format_number(_far_off(x)) for x in instance.answer)
    if instance.kind == "index":
        return str(1 if instance.answer != 1 else 2)
    return next(key for key, _ in instance.options if key != instance.answer)


def wrong_answer(learner, problem: Problem) -> str:
    return wrong_answer_for(instance_for(learner, problem))


def answer(learner, problem: Problem, raw: str, submission: uuid.UUID | None = None) -> Feedback:
    """Record an answer through the progress API, as the answer view does."""
    return record_attempt(
        learner=learner, problem=problem, raw=raw, submission=submission or uuid.uuid4()
    )


def one_per_difficulty(concept: Concept) -> list[Problem]:
    """The first problem of each difficulty the concept offers, easy to hard."""
    chosen: dict[str, Problem] = {}
    for problem in Problem.objects.filter(concept=concept).select_related("concept"):
        chosen.setdefault(problem.difficulty, problem)
    return [chosen[d] for d in ("easy", "medium", "hard") if d in chosen]


def master(learner, concept: Concept) -> Feedback:
    """Solve one problem of each difficulty cleanly; returns the last answer's feedback."""
    feedback = None
    for problem in one_per_difficulty(concept):
        feedback = answer(learner, problem, right_answer(learner, problem))
        assert feedback.correct, (problem, feedback)
    assert feedback is not None and feedback.mastered, concept
    return feedback


def mark_mastered(learner, *slugs: str) -> None:
    """Record concepts as mastered directly (set-up for tests about what comes after)."""
    now = timezone.now()
    for concept in Concept.objects.filter(slug__in=slugs):
        ConceptProgress.objects.update_or_create(
            learner=learner, concept=concept, defaults={"started": now, "mastered": now}
        )
