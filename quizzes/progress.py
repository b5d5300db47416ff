"""Writes of practice: record an attempt, reveal hints and solutions, master and unlock.

Each write runs in one transaction that first locks the learner's row, so a learner's
submissions are applied one at a time whichever worker receives them: two tabs submitting
at once both land, in order, and the mastery that follows is computed from both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from lessons import seeds
from quizzes import answers, mastery
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from techtree.models import Concept, Prerequisite


class PracticeRefused(Exception):
    """A submission we will not grade; `message` tells the learner why. Nothing is stored."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(PracticeRefused):
    """Too many answers in the last minute."""

    status = 429


@dataclass(frozen=True)
class Feedback:
    """What a learner is told after an answer."""

    correct: bool
    message: str
    wrong_components: tuple[int, ...] = ()
    expected: str | None = None  # shown only once solved, given up, or out of attempts
    attempts: int = 0
    attempts_left: int = 0
    stored: bool = True
    duplicate: bool = False
    mastered: bool = False  # this answer completed the concept's mastery
    unlocked: list[Concept] = field(default_factory=list)


def _lock_learner(learner) -> None:
    get_user_model().objects.select_for_update().filter(pk=learner.pk).exists()


def _check_rate(learner) -> None:
    since = timezone.now() - timedelta(minutes=1)
    if Attempt.objects.filter(learner=learner, created__gte=since).count() >= (
        settings.ATTEMPTS_PER_MINUTE
    ):
        raise RateLimited(
            f"Slow down: at most {settings.ATTEMPTS_PER_MINUTE} answers a minute. "
            "Nothing was recorded; take a breath, reread the hint, and try again shortly."
        )


def progress_for(learner, problem: Problem, *, lock: bool = False) -> ProblemProgress:
    """The learner's progress row on a problem, created with their personal seed."""
    rows = ProblemProgress.objects.select_for_update() if lock else ProblemProgress.objects
    progress, _ = rows.get_or_create(
        learner=learner,
        problem=problem,
        defaults={"seed": seeds.personal_seed(learner.pk, f"problem:{problem.pk}")},
    )
    progress.problem = problem
    return progress


def prerequisites_missing(learner, concept: Concept) -> list[Concept]:
    """The concept's published prerequisites this learner has not mastered yet."""
    mastered = ConceptProgress.objects.filter(learner=learner, mastered__isnull=False)
    return list(
        concept.prerequisites.filter(published=True)
        .exclude(pk__in=mastered.values("concept_id"))
        .order_by("depth", "title")
    )


def _require_unlocked(learner, concept: Concept) -> None:
    missing = prerequisites_missing(learner, concept)
    if missing:
        names = ", ".join(c.title for c in missing)
        raise PracticeRefused(f"This concept is locked: master {names} first.")


def _mark_started(learner, concept: Concept) -> ConceptProgress:
    row, _ = ConceptProgress.objects.get_or_create(learner=learner, concept=concept)
    if row.started is None:
        row.started = timezone.now()
        row.save(update_fields=["started"])
    return row


def record_attempt(*, learner, problem: Problem, raw: str, submission: uuid.UUID) -> Feedback:
    """Grade and store one answer; AnswerError or PracticeRefused store nothing."""
    with transaction.atomic():
        _lock_learner(learner)
        existing = Attempt.objects.filter(learner=learner, submission=submission).first()
        if existing is not None:
            return _replay(existing, progress_for(learner, problem))
        progress = progress_for(learner, problem, lock=True)
        instance = problem.instance(progress.seed)
        grade = answers.grade(
            instance.kind,
            raw,
            instance.answer,
            tolerance=instance.tolerance or problem.tolerance,
            options=[key for key, _ in instance.options] or None,
            allow_percent=instance.allow_percent,
        )  # AnswerError propagates: not an attempt
        if progress.solved:
            raise PracticeRefused("You solved these numbers already: ask for new numbers.")
        if progress.attempts >= problem.max_attempts and not progress.solution_shown:
            raise PracticeRefused(
                "You have used every attempt on these numbers: look at the solution or ask "
                "for new numbers."
            )
        _require_unlocked(learner, problem.concept)
        _check_rate(learner)
        try:
            with transaction.atomic():
                Attempt.objects.create(
                    learner=learner,
                    problem=problem,
                    seed=progress.seed,
                    raw=raw,
                    parsed=answers.to_json(grade.parsed),
                    correct=grade.correct,
                    submission=submission,
                )
        except IntegrityError:  # the same submission raced in through another worker
            return _replay(Attempt.objects.get(learner=learner, submission=submission), progress)
        progress.attempts += 1
        if grade.correct:
            progress.solved = True
            progress.solved_cleanly = progress.solved_cleanly or not progress.solution_shown
        progress.save()
        concept_row = _mark_started(learner, problem.concept)
        mastered_now, unlocked = False, []
        if grade.correct and concept_row.mastered is None:
            mastered_now, unlocked = _update_mastery(learner, problem.concept, concept_row)
        return Feedback(
            correct=grade.correct,
            message=grade.message,
            wrong_components=tuple(grade.wrong_components),
            expected=_expected(instance, progress),
            attempts=progress.attempts,
            attempts_left=max(0, problem.max_attempts - progress.attempts),
            mastered=mastered_now,
            unlocked=unlocked,
        )


def _expected(instance, progress: ProblemProgress) -> str | None:
    if progress.answer_revealed:
        return answers.format_answer(instance.kind, instance.answer)
    return None


def _replay(attempt: Attempt, progress: ProblemProgress) -> Feedback:
    """The feedback of an attempt already stored (a double submit): nothing new is written."""
    instance = attempt.problem.instance(attempt.seed)
    return Feedback(
        correct=attempt.correct,
        message="Correct." if attempt.correct else "Not quite.",
        expected=_expected(instance, progress),
        attempts=progress.attempts,
        attempts_left=max(0, attempt.problem.max_attempts - progress.attempts),
        duplicate=True,
    )


def _update_mastery(learner, concept: Concept, row: ConceptProgress) -> tuple[bool, list[Concept]]:
    """Mark the concept mastered if the rule is met, and unlock what that opens."""
    offered = set(concept.problems.values_list("difficulty", flat=True))
    clean = set(
        ProblemProgress.objects.filter(
            learner=learner, problem__concept=concept, solved_cleanly=True
        ).values_list("problem__difficulty", flat=True)
    )
    if not mastery.is_mastered(clean, offered):
        return False, []
    now = timezone.now()
    row.mastered = now
    row.save(update_fields=["mastered"])
    return True, _unlock_ready_concepts(learner, concept, now)


def _unlock_ready_concepts(learner, concept: Concept, now) -> list[Concept]:
    """Record as unlocked every concept whose prerequisites are now all mastered."""
    candidates = {c.pk: c for c in concept.unlocks.filter(published=True).order_by("title")}
    needs: dict[int, set[int]] = {pk: set() for pk in candidates}
    for prerequisite_id, concept_id in Prerequisite.objects.filter(
        concept_id__in=candidates, prerequisite__published=True
    ).values_list("prerequisite_id", "concept_id"):
        needs[concept_id].add(prerequisite_id)
    mastered = set(
        ConceptProgress.objects.filter(learner=learner, mastered__isnull=False).values_list(
            "concept_id", flat=True
        )
    )
    opened = mastery.newly_unlocked(concept.pk, candidates, needs, mastered)
    for pk in opened:
        row, _ = ConceptProgress.objects.get_or_create(learner=learner, concept_id=pk)
        if row.unlocked is None:
            row.unlocked = now
            row.save(update_fields=["unlocked"])
    return [candidates[pk] for pk in opened]


def reveal_hint(*, learner, problem: Problem) -> int:
    """Show the learner one more hint; returns how many they can now see."""
    with transaction.atomic():
        _lock_learner(learner)
        progress = progress_for(learner, problem, lock=True)
        available = len(problem.instance(progress.seed).hints)
        if progress.hints_shown < available:
            progress.hints_shown += 1
            progress.save(update_fields=["hints_shown", "updated"])
        _mark_started(learner, problem.concept)
        return progress.hints_shown


def reveal_solution(*, learner, problem: Problem) -> None:
    """Give up on these numbers: the solution and answer show; a later solve is not clean."""
    with transaction.atomic():
        _lock_learner(learner)
        progress = progress_for(learner, problem, lock=True)
        if not progress.solution_shown:
            progress.solution_shown = True
            progress.save(update_fields=["solution_shown", "updated"])
        _mark_started(learner, problem.concept)


def new_numbers(*, learner, problem: Problem) -> int:
    """A fresh seed for the problem: attempts, hints and the revealed solution start over."""
    with transaction.atomic():
        _lock_learner(learner)
        progress = progress_for(learner, problem, lock=True)
        if problem.is_generated:
            seed = seeds.fresh_seed()
            while seed == progress.seed:
                seed = seeds.fresh_seed()
            progress.seed = seed
        progress.attempts = 0
        progress.hints_shown = 0
        progress.solution_shown = False
        progress.solved = False
        progress.save()
        return progress.seed


def grade_for_visitor(*, problem: Problem, raw: str, seed: int, visitor: str) -> Feedback:
    """Grade a visitor's answer without storing it; still bounded per visitor per minute."""
    instance = problem.instance(seed)
    grade = answers.grade(
        instance.kind,
        raw,
        instance.answer,
        tolerance=instance.tolerance or problem.tolerance,
        options=[key for key, _ in instance.options] or None,
        allow_percent=instance.allow_percent,
    )
    key = f"visitor-attempts:{visitor}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    if count > settings.ATTEMPTS_PER_MINUTE:
        raise RateLimited(
            f"Slow down: at most {settings.ATTEMPTS_PER_MINUTE} answers a minute. Nothing was "
            "graded; try again shortly."
        )
    return Feedback(
        correct=grade.correct,
        message=grade.message,
        wrong_components=tuple(grade.wrong_components),
        expected=answers.format_answer(instance.kind, instance.answer) if grade.correct else None,
        stored=False,
    )
