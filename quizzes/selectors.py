"""Reads for practice: problem cards, a learner's statuses and dashboard, in fixed queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from exercises import Exercise
from quizzes import mastery, practice_seeds
from quizzes.answers import describe_expected
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from quizzes.visitors import VisitorPractice
from techtree.models import Concept, Prerequisite
from techtree.selectors import TreeData, published_concepts


@dataclass
class ProblemCard:
    """One problem as this learner (or visitor) sees it right now."""

    problem: Problem
    instance: Exercise
    seed: int
    hints_shown: int = 0
    solution_shown: bool = False
    solved: bool = False
    attempts: int = 0
    feedback: dict | None = None
    submission: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def visible_hints(self) -> tuple[str, ...]:
        return self.instance.hints[: self.hints_shown]

    @property
    def hints_left(self) -> int:
        return len(self.instance.hints) - self.hints_shown

    @property
    def out_of_attempts(self) -> bool:
        return not self.solved and self.attempts >= self.problem.max_attempts

    @property
    def attempts_left(self) -> int:
        return max(0, self.problem.max_attempts - self.attempts)

    @property
    def revealed(self) -> bool:
        """Whether the expected answer and the worked solution are shown now."""
        return mastery.answer_revealed(
            solved=self.solved,
            solution_shown=self.solution_shown,
            attempts=self.attempts,
            max_attempts=self.problem.max_attempts,
        )

    @property
    def expected(self) -> str | None:
        """The expected answer, once revealed."""
        return self.instance.expected if self.revealed else None

    @property
    def answer_format(self) -> str:
        """What to type, for the answer box's label: the generator's words, else the kind's."""
        instance = self.instance
        if instance.answer_format:
            return instance.answer_format
        return describe_expected(
            instance.kind,
            length=len(instance.answer) if instance.kind == "vector" else None,
            count=instance.positions,
            options=[key for key, _ in instance.options] or None,
            allow_percent=instance.allow_percent,
        )


@dataclass
class PracticeView:
    """The practice part of a concept page."""

    cards: list[ProblemCard]
    status: mastery.Status | None  # None for visitors
    missing: list[Concept]
    rule: str = mastery.MASTERY_RULE
    todo: list[str] = field(default_factory=list)  # difficulties still to solve cleanly

    @property
    def locked(self) -> bool:
        return self.status == mastery.Status.LOCKED


def practice_view(
    concept: Concept,
    prerequisites: list[Concept],
    *,
    learner=None,
    visitor: VisitorPractice | dict | None = None,
    feedback: dict | None = None,
) -> PracticeView:
    """Problem cards and status for a concept page (three queries for a learner, one else)."""
    problems = list(
        Problem.objects.filter(concept=concept).select_related("template").order_by("order")
    )
    for problem in problems:
        problem.concept = concept
    feedback = feedback or {}
    if learner is None:
        return PracticeView(
            cards=[_visitor_card(p, visitor, feedback) for p in problems],
            status=None,
            missing=[],
        )
    progress = {
        row.problem_id: row
        for row in ProblemProgress.objects.filter(learner=learner, problem__in=problems)
    }
    cards = [_learner_card(p, progress.get(p.pk), learner, feedback) for p in problems]
    rows = {
        row.concept_id: row
        for row in ConceptProgress.objects.filter(
            learner=learner, concept_id__in=[concept.pk, *(c.pk for c in prerequisites)]
        )
    }
    mastered = {pk for pk, row in rows.items() if row.mastered}
    missing = [c for c in prerequisites if c.pk not in mastered]
    own = rows.get(concept.pk)
    status = mastery.concept_status(
        mastered=concept.pk in mastered,
        started=bool(own and own.started),
        prerequisites_mastered=not missing,
    )
    clean = {p.difficulty for p in problems if p.pk in progress and progress[p.pk].solved_cleanly}
    todo = mastery.missing_difficulties(clean, {p.difficulty for p in problems})
    return PracticeView(cards=cards, status=status, missing=missing, todo=todo)


def problem_card(
    problem: Problem,
    *,
    learner=None,
    visitor: VisitorPractice | dict | None = None,
    feedback: dict | None = None,
) -> ProblemCard:
    """One problem's card as it stands now, for answering in place (one query, or none)."""
    feedback = {str(problem.pk): feedback} if feedback else {}
    if learner is None:
        return _visitor_card(problem, visitor, feedback)
    row = ProblemProgress.objects.filter(learner=learner, problem=problem).first()
    return _learner_card(problem, row, learner, feedback)


def _learner_card(problem: Problem, row, learner, feedback: dict) -> ProblemCard:
    if row is None:
        seed = practice_seeds.learner_seed(learner.pk, problem.pk)
        return ProblemCard(
            problem, problem.instance(seed), seed, feedback=feedback.get(str(problem.pk))
        )
    return ProblemCard(
        problem=problem,
        instance=problem.instance(row.seed),
        seed=row.seed,
        hints_shown=row.hints_shown,
        solution_shown=row.solution_shown,
        solved=row.solved,
        attempts=row.attempts,
        feedback=feedback.get(str(problem.pk)),
    )


def _visitor_card(problem: Problem, visitor, feedback: dict) -> ProblemCard:
    """A visitor's card: numbers, hints and solutions live in their session, not the database.

    `visitor` is their VisitorPractice, or its session data (a dict or None)."""
    if not isinstance(visitor, VisitorPractice):
        visitor = VisitorPractice.from_state(visitor)
    seed = visitor.seed(problem.pk)
    given = feedback.get(str(problem.pk))
    return ProblemCard(
        problem=problem,
        instance=problem.instance(seed),
        seed=seed,
        hints_shown=visitor.hints_shown(problem.pk),
        solution_shown=visitor.solution_shown(problem.pk),
        solved=bool(given and given.get("correct")),
        feedback=given,
    )


def learner_statuses(learner, concept_ids: list[int], edges: list[tuple[int, int]]) -> dict:
    """Status of each concept for a learner, from their progress rows (one query)."""
    rows = ConceptProgress.objects.filter(learner=learner).values_list(
        "concept_id", "started", "mastered"
    )
    mastered = {pk for pk, _, done in rows if done}
    started = {pk for pk, began, _ in rows if began}
    needs: dict[int, list[int]] = {pk: [] for pk in concept_ids}
    for prerequisite, concept in edges:
        if concept in needs and prerequisite in needs:
            needs[concept].append(prerequisite)
    return mastery.statuses(needs, mastered, started)


@dataclass(frozen=True)
class NextUp:
    """A concept open to the learner, with what mastering it would do."""

    concept: Concept
    opens: int  # concepts it would unlock at once (it is their last missing prerequisite)
    reach: int  # concepts it leads to, directly or through others


@dataclass
class Dashboard:
    """A learner's overview."""

    concepts: list[Concept]
    edges: list[tuple[int, int]]
    status: dict[int, mastery.Status]
    recently_unlocked: list[tuple[Concept, object]]
    next_up: list[NextUp]
    attempts: Page
    rule: str = mastery.MASTERY_RULE

    def counts(self) -> list[tuple[mastery.Status, int]]:
        values = list(self.status.values())
        return [(s, values.count(s)) for s in mastery.Status]

    def tree_json(self) -> dict:
        """The learner's tree for the graph widget, with status per node."""
        return TreeData(concepts=self.concepts, edges=self.edges).as_json(self.status)


def rank_next_up(
    concepts: list[Concept], edges: list[tuple[int, int]], status: dict[int, mastery.Status]
) -> list[NextUp]:
    """Concepts open to the learner, those whose mastery unlocks the most first.

    "Unlocks" counts the concepts for which this is the last prerequisite not mastered yet;
    ties go to the concept that leads to more of the tree, then the shallower, then by title.
    """
    needs: dict[int, set[int]] = {c.pk: set() for c in concepts}
    for prerequisite, concept in edges:
        if concept in needs:
            needs[concept].add(prerequisite)
    missing = {
        pk: {p for p in prerequisites if status.get(p) != mastery.Status.MASTERED}
        for pk, prerequisites in needs.items()
    }
    opens = {c.pk: 0 for c in concepts}
    for pk, left in missing.items():
        if len(left) == 1 and status[pk] != mastery.Status.MASTERED:
            (last,) = left
            if last in opens:
                opens[last] += 1
    open_now = (mastery.Status.AVAILABLE, mastery.Status.IN_PROGRESS)
    ranked = sorted(
        (c for c in concepts if status[c.pk] in open_now),
        key=lambda c: (-opens[c.pk], -(c.reach or 0), c.depth or 0, c.title),
    )
    return [NextUp(c, opens[c.pk], c.reach or 0) for c in ranked]


def dashboard(learner, *, page: object = 1) -> Dashboard:
    """Statuses, unlocks, what to learn next and the attempt history, in six queries."""
    concepts = list(
        published_concepts()
        .only("id", "slug", "title", "domain", "difficulty", "depth", "reach", "unlocks_count",
              "summary", "minutes")
        .order_by("depth", "title")
    )  # fmt: skip
    by_pk = {c.pk: c for c in concepts}
    edges = list(Prerequisite.objects.published().values_list("prerequisite_id", "concept_id"))
    status = learner_statuses(learner, list(by_pk), edges)
    unlocked = (
        ConceptProgress.objects.filter(learner=learner, unlocked__isnull=False)
        .order_by("-unlocked")
        .values_list("concept_id", "unlocked")[:5]
    )
    next_up = rank_next_up(concepts, edges, status)[:5]
    attempts = Paginator(
        Attempt.objects.filter(learner=learner).select_related("problem__concept"), 25
    ).get_page(page)
    return Dashboard(
        concepts=concepts,
        edges=edges,
        status=status,
        recently_unlocked=[(by_pk[pk], when) for pk, when in unlocked if pk in by_pk],
        next_up=next_up,
        attempts=attempts,
    )
