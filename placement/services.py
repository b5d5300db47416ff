"""Writes of test-outs: begin one, grade it, credit what it proves.

A test-out of a locked concept asks one problem of each prerequisite not yet mastered (its
first hard problem, else its first medium one), each with a fresh practice seed, with no
hints and no solutions. All right: those prerequisites are credited as mastered by
placement (`quizzes.progress.place`), get their review cards, and the concept unlocks at
once. Any wrong: the prerequisites missed are named to study, and the next try waits
COOL_DOWN (kept in the database, so every worker agrees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from placement import walk
from placement.models import PlacementRun, TestOut
from quizzes import practice_seeds
from quizzes.models import ConceptProgress, Problem
from quizzes.progress import lock_learner, place, prerequisites_missing
from review.services import schedule_mastered
from techtree.models import Concept, Prerequisite

COOL_DOWN = timedelta(hours=1)
DIFFICULTIES = ("hard", "medium")  # the problem asked: the first hard one, else medium


class TestOutRefused(Exception):
    """A test-out we will not begin or grade; `message` says why."""

    __test__ = False
    status = 409

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


@dataclass(frozen=True)
class Question:
    prerequisite: Concept
    problem: Problem
    seed: int


def choose_questions(prerequisites: list[Concept]) -> list[dict]:
    """One problem per prerequisite (hard, else medium), each with a fresh seed."""
    problems = {}
    for problem in Problem.objects.filter(
        concept__in=prerequisites, difficulty__in=DIFFICULTIES
    ).order_by("order", "pk"):
        best = problems.get(problem.concept_id)
        rank = DIFFICULTIES.index(problem.difficulty)
        if best is None or rank < DIFFICULTIES.index(best.difficulty):
            problems[problem.concept_id] = problem
    return [
        {"prerequisite": c.pk, "problem": problems[c.pk].pk, "seed": practice_seeds.fresh_seed()}
        for c in prerequisites
        if c.pk in problems
    ]


def questions_of(stored: list[dict]) -> list[Question]:
    """The stored questions with their concepts and problems (two queries)."""
    problems = Problem.objects.select_related("concept").in_bulk([q["problem"] for q in stored])
    return [
        Question(problems[q["problem"]].concept, problems[q["problem"]], q["seed"])
        for q in stored
        if q["problem"] in problems
    ]


def retry_at(learner, concept: Concept) -> datetime | None:
    """When a failed test-out of this concept may be tried again (None: now)."""
    last = (
        TestOut.objects.filter(learner=learner, concept=concept, passed=False)
        .order_by("-finished")
        .values_list("finished", flat=True)
        .first()
    )
    if last is None or last + COOL_DOWN <= timezone.now():
        return None
    return last + COOL_DOWN


def begin(*, learner, concept: Concept) -> TestOut:
    """The learner's unfinished test-out of this concept, or a new one."""
    with transaction.atomic():
        lock_learner(learner)
        missing = prerequisites_missing(learner, concept)
        if not missing:
            raise TestOutRefused(f"{concept.title} is open to you already: no test-out needed.")
        open_one = TestOut.objects.filter(
            learner=learner, concept=concept, finished__isnull=True
        ).first()
        if open_one is not None:
            return open_one
        when = retry_at(learner, concept)
        if when is not None:
            raise TestOutRefused(
                f"You can try this test-out again from {when:%Y-%m-%d %H:%M} UTC: study the "
                "prerequisites it named first.",
                retry_at=when,
            )
        questions = choose_questions(missing)
        if not questions:
            raise TestOutRefused("Its prerequisites have no problems to test you on yet.")
        return TestOut.objects.create(
            learner=learner, concept=concept, questions=questions, created=timezone.now()
        )


@dataclass(frozen=True)
class Outcome:
    passed: bool
    right: list[Concept]
    to_study: list[Concept]
    credited: list[Concept]
    expected: dict[int, str]  # problem id -> the expected answer, shown after grading


def grade_answers(questions: list[Question], typed: dict[int, str]) -> tuple[list, list, dict]:
    """Grade each question; AnswerError (unreadable input) propagates, nothing counts."""
    right, wrong, expected = [], [], {}
    for q in questions:
        instance = q.problem.instance(q.seed)
        grade = q.problem.grade(instance, typed.get(q.problem.pk, ""))
        (right if grade.correct else wrong).append(q.prerequisite)
        expected[q.problem.pk] = instance.expected
    return right, wrong, expected


def submit(*, learner, test_out_id: int, typed: dict[int, str]) -> Outcome:
    """Grade a test-out once; pass: credit and unlock; fail: name what to study."""
    with transaction.atomic():
        lock_learner(learner)
        test_out = (
            TestOut.objects.select_related("concept")
            .filter(pk=test_out_id, learner=learner)
            .first()
        )
        if test_out is None or test_out.finished is not None:
            raise TestOutRefused("This test-out is already graded: see your result below.")
        questions = questions_of(test_out.questions)
        right, wrong, expected = grade_answers(questions, typed)
        now = timezone.now()
        test_out.finished, test_out.passed = now, not wrong
        test_out.answers = {str(k): v for k, v in typed.items()}
        test_out.save(update_fields=["finished", "passed", "answers"])
        credited = []
        if wrong:
            test_out.to_study.set(wrong)
        else:
            credited = place(learner=learner, concepts=right)
            for concept in credited:
                schedule_mastered(learner=learner, concept=concept, now=now)
        return Outcome(not wrong, right, wrong, credited, expected)


# --- The placement walk, for a new learner ----------------------------------------------


def _tree_needs() -> dict[int, list[int]]:
    """Each published concept's published prerequisites (two queries)."""
    needs = {pk: [] for pk in Concept.objects.filter(published=True).values_list("pk", flat=True)}
    for p, c in Prerequisite.objects.filter(
        concept__published=True, prerequisite__published=True
    ).values_list("prerequisite_id", "concept_id"):
        needs[c].append(p)
    return needs


def _ask(concept_id: int) -> dict | None:
    chosen = choose_questions(list(Concept.objects.filter(pk=concept_id)))
    if not chosen:
        return None
    return {"concept": concept_id, "problem": chosen[0]["problem"], "seed": chosen[0]["seed"]}


def _advance(run: PlacementRun, learner) -> PlacementRun:
    """Pose the next probe, or finish: credit what is known (placed) and schedule it."""
    needs = _tree_needs()
    answered = [(c, passed) for c, passed in run.answers if c in needs]
    current = walk.Walk.replay(needs, answered, walk.question_budget(len(needs)))
    while (probe := current.next_probe()) is not None:
        asked = _ask(probe)
        if asked is not None:
            run.probe = asked
            run.save(update_fields=["probe", "answers"])
            return run
        current.record(probe, False)  # nothing to ask: treated as not known yet
    run.probe, run.finished = None, timezone.now()
    run.save(update_fields=["probe", "finished", "answers"])
    known = list(Concept.objects.filter(pk__in=current.members(current.known)))
    for concept in place(learner=learner, concepts=known):
        schedule_mastered(learner=learner, concept=concept, now=run.finished)
    return run


def start_placement(*, learner) -> PlacementRun:
    """Begin (or resume) the placement of a learner who has mastered nothing yet."""
    with transaction.atomic():
        lock_learner(learner)
        run = PlacementRun.objects.filter(learner=learner).first()
        if run is not None:
            return run
        if ConceptProgress.objects.filter(learner=learner, mastered__isnull=False).exists():
            raise TestOutRefused("The placement is for new learners: you have started already.")
        run = PlacementRun.objects.create(learner=learner, created=timezone.now())
        return _advance(run, learner)


def answer_placement(*, learner, concept_id: int, raw: str | None) -> PlacementRun:
    """Grade the probe (raw None: 'I have not learnt this'), then pose the next or finish.

    An answer to a probe no longer on screen (another tab moved on) is refused; unreadable
    input raises AnswerError and counts for nothing.
    """
    with transaction.atomic():
        lock_learner(learner)
        run = PlacementRun.objects.filter(learner=learner).first()
        if run is None or run.probe is None or run.probe["concept"] != concept_id:
            raise TestOutRefused("This question was already answered: here is the next one.")
        passed = False
        if raw is not None:
            problem = Problem.objects.get(pk=run.probe["problem"])
            passed = problem.grade(problem.instance(run.probe["seed"]), raw).correct
        run.answers = [*run.answers, [concept_id, passed]]
        return _advance(run, learner)
