"""Writes: what a visitor solved in their session becomes the new account's attempts.

Called by sign-up inside its transaction (registered in QuizzesConfig.ready through
accounts.hooks), so the account, its session and these attempts commit together. Each kept
solve is graded again on its numbers and stored as a right attempt on them, by the normal
rules: on a concept the account may practise (its prerequisites mastered, concepts taken in
depth order so a solve can open the next), once per problem (the first right answer; its
submission id is derived from the problem and seed, so keeping twice stores nothing new), clean
only if the visitor had not shown the solution first; then mastery and unlocks follow as
after any answer. Solves on concepts still locked for the account are kept too (stored as
solved numbers, not yet started, no mastery): they count towards mastery once the concept
opens (its prerequisites mastered, or a test-out passed), at the learner's next right answer
there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from quizzes import answers, hooks, progress
from quizzes.models import Attempt, Problem
from quizzes.visitors import VisitorPractice

# Submission ids of kept solves: uuid5 of the problem and seed in this namespace.
NAMESPACE = uuid.UUID("6f1c1f52-8a0e-4a55-9b1e-0c4f3c1d2a77")


@dataclass(frozen=True)
class KeptSolves:
    kept: int  # attempts stored, those on locked concepts included
    locked: int  # of them, solves on concepts still locked for the account
    mastered: tuple[str, ...]  # concepts these solves mastered


def keep_visitor_solves(*, learner, visitor: VisitorPractice) -> KeptSolves:
    """Store the visitor's right answers as the learner's attempts (in the caller's
    transaction, which must be atomic) and apply mastery."""
    if not visitor.solved:
        return KeptSolves(0, 0, ())
    progress.lock_learner(learner)
    rows = Problem.objects.filter(
        pk__in={s["problem"] for s in visitor.solved}, concept__published=True
    ).select_related("concept", "template")
    by_pk = {p.pk: p for p in rows}
    solves = sorted(
        (s for s in visitor.solved if s["problem"] in by_pk),
        key=lambda s: (by_pk[s["problem"]].concept.depth or 0, by_pk[s["problem"]].concept.pk),
    )
    kept, locked, mastered = 0, 0, []
    for solve in solves:
        problem = by_pk[solve["problem"]]
        is_locked = bool(progress.prerequisites_missing(learner, problem.concept))
        stored, mastered_now = _keep(learner, problem, solve, is_locked)
        kept += stored
        locked += stored and is_locked
        if mastered_now:
            mastered.append(problem.concept.title)
    return KeptSolves(kept, locked, tuple(mastered))


def _keep(learner, problem: Problem, solve: dict, locked: bool) -> tuple[bool, bool]:
    """Store one solve; (stored, mastered its concept). A locked concept is not started
    and not mastered: its solved numbers wait for it to open."""
    submission = uuid.uuid5(NAMESPACE, f"{problem.pk}:{solve['seed']}")
    if Attempt.objects.filter(learner=learner, submission=submission).exists():
        return False, False
    row = progress.progress_for(learner, problem)
    if row.solved:  # one right answer per problem is enough: the first one kept
        return False, False
    instance = problem.instance(solve["seed"])
    try:
        grade = problem.grade(instance, solve["raw"])
    except answers.AnswerError:
        return False, False
    if not grade.correct:
        return False, False
    attempt = Attempt.objects.create(
        learner=learner,
        problem=problem,
        seed=solve["seed"],
        raw=solve["raw"],
        parsed=answers.to_json(grade.parsed),
        correct=True,
        submission=submission,
    )
    row.seed, row.attempts, row.solved = solve["seed"], 1, True
    row.solved_cleanly = row.solved_cleanly or solve["clean"]
    row.solution_shown = not solve["clean"]
    row.save()
    if locked:
        return True, False
    concept_row = progress.mark_started(learner, problem.concept)
    mastered_now = False
    if concept_row.mastered is None or concept_row.placed:
        mastered_now, _ = progress.update_mastery(learner, problem.concept, concept_row)
        if mastered_now:
            Attempt.objects.filter(pk=attempt.pk).update(mastered=True)
    hooks.attempt_stored(hooks.StoredAttempt(learner, attempt, row, mastered_now))
    return True, mastered_now
