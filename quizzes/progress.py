"""Writes of practice: record an attempt, reveal hints and solutions, master and unlock.

Each write runs in one transaction that first locks the learner's row, so a learner's
submissions are applied one at a time whichever worker receives them: two tabs submitting
at once both land, in order, and the mastery that follows is computed from both. The same
lock makes a replayed submission (a double-clicked submit) find the attempt it already
stored, so it is never stored twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from quizzes import answers, hooks, mastery, practice_seeds
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from techtree import limits
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
    wrong_components: tuple[int, ...] = ()  # 0-based; shown counting from 1
    expected: str | None = None  # shown only once solved, given up, or out of attempts
    attempts: int = 0
    attempts_left: int = 0
    stored: bool = True
    duplicate: bool = False  # a replayed submission: this is the stored attempt's feedback
    mastered: bool = False  # this answer completed the concept's mastery
    unlocked: list[Concept] = field(default_factory=list)
    status: mastery.Status | None = None  # the concept's status afterwards (None: visitor)
    mistake: str = ""  # Markdown: the named mistake a wrong answer looks like, if any


def lock_learner(learner) -> None:
    """Hold the learner's row until the transaction ends, so their writes queue up (apps above
    practice, such as review, take it first too, so every learner write locks in one order).

    PostgreSQL locks that one row. SQLite has no row locks, and a transaction there takes
    the database's write lock only at its first write, after reads that another transaction
    may also have made; one of the two would then fail with "database is locked". A write
    that changes nothing takes the write lock at once, so the second transaction waits.
    """
    users = get_user_model().objects.filter(pk=learner.pk)
    if connection.features.has_select_for_update:
        list(users.select_for_update().values_list("pk", flat=True))
    else:
        users.update(last_login=F("last_login"))


def _check_rate(learner) -> None:
    since = timezone.now() - timedelta(minutes=1)
    if Attempt.objects.filter(learner=learner, created__gte=since).count() >= (
        settings.ATTEMPTS_PER_MINUTE
    ):
        raise RateLimited(
            f"Slow down: at most {settings.ATTEMPTS_PER_MINUTE} answers a minute. "
            "Nothing was recorded; take a breath, reread the hint, and try again shortly."
        )


def progress_for(learner, problem: Problem) -> ProblemProgress:
    """The learner's progress row on a problem, created with their personal seed."""
    progress, _ = ProblemProgress.objects.get_or_create(
        learner=learner,
        problem=problem,
        defaults={"seed": practice_seeds.learner_seed(learner.pk, problem.pk)},
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


def mark_started(learner, concept: Concept) -> ConceptProgress:
    row, _ = ConceptProgress.objects.get_or_create(learner=learner, concept=concept)
    if row.started is None:
        row.started = timezone.now()
        row.save(update_fields=["started"])
    return row


def record_attempt(*, learner, problem: Problem, raw: str, submission: uuid.UUID) -> Feedback:
    """Grade and store one answer, then update mastery and unlock what it opens.

    Raises AnswerError (unreadable input) or PracticeRefused (locked concept, numbers already
    solved or out of attempts, too many answers a minute); either way nothing is stored and
    nothing counts. A submission id already stored returns that attempt's feedback again.
    """
    with transaction.atomic():
        lock_learner(learner)
        existing = (
            Attempt.objects.filter(learner=learner, submission=submission)
            .select_related("problem__concept")
            .first()
        )
        if existing is not None:
            if existing.problem_id != problem.pk:
                raise PracticeRefused("This form was sent for another problem: reload the page.")
            return _replay(existing)
        _require_unlocked(learner, problem.concept)
        progress = progress_for(learner, problem)
        if progress.solved:
            raise PracticeRefused("You solved these numbers already: ask for new numbers.")
        if progress.attempts >= problem.max_attempts:
            raise PracticeRefused(
                "You have used every attempt on these numbers: look at the solution, then ask "
                "for new numbers."
            )
        instance = problem.instance(progress.seed)
        grade = problem.grade(instance, raw)  # AnswerError propagates: not an attempt
        _check_rate(learner)
        attempt = Attempt.objects.create(
            learner=learner,
            problem=problem,
            seed=progress.seed,
            raw=raw,
            parsed=answers.to_json(grade.parsed),
            correct=grade.correct,
            submission=submission,
        )
        progress.attempts += 1
        if grade.correct:
            progress.solved = True
            progress.solved_cleanly = progress.solved_cleanly or not progress.solution_shown
        progress.save()
        concept_row = mark_started(learner, problem.concept)
        mastered_now, unlocked = False, []
        if grade.correct and (concept_row.mastered is None or concept_row.placed):
            mastered_now, unlocked = update_mastery(learner, problem.concept, concept_row)
            if mastered_now:
                Attempt.objects.filter(pk=attempt.pk).update(mastered=True)
        hooks.attempt_stored(hooks.StoredAttempt(learner, attempt, progress, mastered_now))
        return Feedback(
            correct=grade.correct,
            message=grade.message,
            mistake=_mistake(problem, instance, raw, grade),
            wrong_components=tuple(grade.wrong_components),
            expected=instance.expected if progress.answer_revealed else None,
            attempts=progress.attempts,
            attempts_left=max(0, problem.max_attempts - progress.attempts),
            mastered=mastered_now,
            unlocked=unlocked,
            status=_status_after(concept_row),
        )


def _mistake(problem: Problem, instance, raw: str, grade: answers.Grade) -> str:
    """The message of the named mistake a wrong answer matches, else ""."""
    if grade.correct:
        return ""
    mistake = instance.mistake_for(raw, problem.tolerance)
    return mistake.message if mistake else ""


def _status_after(row: ConceptProgress) -> mastery.Status:
    """The status of a concept just practised (so its prerequisites are all mastered)."""
    return mastery.Status.MASTERED if row.mastered else mastery.Status.IN_PROGRESS


def _replay(attempt: Attempt) -> Feedback:
    """The feedback of an attempt already stored (a double submit): nothing new is written.

    The stored text is graded again on the stored numbers, so the verdict and the message
    are the original ones; attempts left and the expected answer are read from the progress
    on those numbers, which nothing else has changed in the meantime of a double click.
    """
    problem = attempt.problem
    instance = problem.instance(attempt.seed)
    grade = problem.grade(instance, attempt.raw)
    progress = ProblemProgress.objects.get(learner_id=attempt.learner_id, problem=problem)
    progress.problem = problem
    same_numbers = progress.seed == attempt.seed
    concept_row = ConceptProgress.objects.get(
        learner_id=attempt.learner_id, concept=problem.concept
    )
    unlocked = []
    if attempt.mastered:
        unlocked = list(
            Concept.objects.filter(
                progress__learner_id=attempt.learner_id, progress__unlocked=concept_row.mastered
            ).order_by("title")
        )
    return Feedback(
        correct=grade.correct,
        message=grade.message,
        mistake=_mistake(problem, instance, attempt.raw, grade),
        wrong_components=tuple(grade.wrong_components),
        expected=instance.expected if same_numbers and progress.answer_revealed else None,
        attempts=progress.attempts if same_numbers else 0,
        attempts_left=max(0, problem.max_attempts - progress.attempts) if same_numbers else 0,
        duplicate=True,
        mastered=attempt.mastered,
        unlocked=unlocked,
        status=_status_after(concept_row),
    )


def update_mastery(learner, concept: Concept, row: ConceptProgress) -> tuple[bool, list[Concept]]:
    """Mark the concept mastered if the rule is met, and unlock what that opens."""
    offered = set(concept.problems.values_list("difficulty", flat=True))
    clean = set(
        ProblemProgress.objects.filter(
            learner=learner, problem__concept=concept, solved_cleanly=True
        ).values_list("problem__difficulty", flat=True)
    )
    if not mastery.is_mastered(clean, offered):
        return False, []
    if row.placed:  # placed by a test-out or the placement: now practised too, date kept
        row.placed = False
        row.save(update_fields=["placed"])
        return True, []
    now = timezone.now()
    row.mastered = now
    row.save(update_fields=["mastered"])
    return True, _unlock_ready_concepts(learner, concept, now)


def _unlock_ready_concepts(learner, concept: Concept, now) -> list[Concept]:
    """Record as unlocked every concept whose prerequisites are now all mastered."""
    candidates = {c.pk: c for c in concept.unlocks.filter(published=True).order_by("title")}
    needs: dict[int, set[int]] = {pk: set() for pk in candidates}
    for prerequisite_id, concept_id in (
        Prerequisite.objects.published()
        .filter(concept_id__in=candidates)
        .values_list("prerequisite_id", "concept_id")
    ):
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


def place(*, learner, concepts: list[Concept]) -> list[Concept]:
    """Credit concepts as mastered by placement (a test-out or the placement walk).

    Each not yet mastered is marked mastered and `placed` (practised mastery is never
    overwritten); then every concept this opens is unlocked, as mastering by practice does.
    Returns the concepts credited now. Runs in the caller's transaction, under the learner's
    lock.
    """
    now = timezone.now()
    credited = []
    for concept in concepts:
        row, _ = ConceptProgress.objects.get_or_create(learner=learner, concept=concept)
        if row.mastered is None:
            row.mastered, row.placed = now, True
            row.save(update_fields=["mastered", "placed"])
            credited.append(concept)
    for concept in credited:
        _unlock_ready_concepts(learner, concept, now)
    return credited


def reveal_hint(*, learner, problem: Problem) -> int:
    """Show the learner one more hint; returns how many they can now see."""
    with transaction.atomic():
        lock_learner(learner)
        _require_unlocked(learner, problem.concept)
        progress = progress_for(learner, problem)
        available = len(problem.instance(progress.seed).hints)
        if progress.hints_shown < available:
            progress.hints_shown += 1
            progress.save(update_fields=["hints_shown", "updated"])
        mark_started(learner, problem.concept)
        return progress.hints_shown


def reveal_solution(*, learner, problem: Problem) -> None:
    """Give up on these numbers: the solution and answer show; a later solve is not clean."""
    with transaction.atomic():
        lock_learner(learner)
        _require_unlocked(learner, problem.concept)
        progress = progress_for(learner, problem)
        if not progress.solution_shown:
            progress.solution_shown = True
            progress.save(update_fields=["solution_shown", "updated"])
        mark_started(learner, problem.concept)


def new_numbers(*, learner, problem: Problem) -> int:
    """A fresh seed for the problem: attempts, hints and the revealed solution start over.

    A problem solved cleanly once keeps counting towards mastery.
    """
    with transaction.atomic():
        lock_learner(learner)
        _require_unlocked(learner, problem.concept)
        progress = progress_for(learner, problem)
        if problem.is_generated:
            seed = practice_seeds.fresh_seed()
            while seed == progress.seed:
                seed = practice_seeds.fresh_seed()
            progress.seed = seed
        progress.attempts = 0
        progress.hints_shown = 0
        progress.solution_shown = False
        progress.solved = False
        progress.save()
        return progress.seed


def grade_for_visitor(
    *, problem: Problem, raw: str, seed: int, session: str | None, address: str
) -> Feedback:
    """Grade a visitor's answer without storing it; still bounded per visitor per minute.

    A visitor is counted by session (ATTEMPTS_PER_MINUTE) and by client address
    (ATTEMPTS_PER_ADDRESS_PER_MINUTE): `limits.hit_client`.
    """
    instance = problem.instance(seed)
    grade = problem.grade(instance, raw)  # AnswerError propagates: not counted either
    if not limits.hit_client(
        "answer",
        session or None,
        settings.ATTEMPTS_PER_MINUTE,
        address,
        settings.ATTEMPTS_PER_ADDRESS_PER_MINUTE,
        limits.MINUTE,
    ):
        raise RateLimited(
            f"Slow down: at most {settings.ATTEMPTS_PER_MINUTE} answers a minute. Nothing was "
            "graded; try again shortly."
        )
    return Feedback(
        correct=grade.correct,
        message=grade.message,
        mistake=_mistake(problem, instance, raw, grade),
        wrong_components=tuple(grade.wrong_components),
        expected=instance.expected if grade.correct else None,
        stored=False,
    )
