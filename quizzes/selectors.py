"""Reads for practice: problem cards, a learner's statuses and dashboard, in fixed queries."""

from __future__ import annotations

import array
import hashlib
import heapq
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.safestring import SafeString

from exercises import Exercise
from quizzes import mastery, practice_seeds
from quizzes.answers import describe_expected
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from quizzes.visitors import VisitorPractice
from techtree.models import Concept, Prerequisite
from techtree.selectors import (
    published_concepts,
    published_edges,
    published_prerequisite_counts,
    published_rows,
    tree_data,
    unpublished_ids,
)
from techtree.versions import cached_fragment, content_version


@dataclass
class ProblemCard:
    """One problem as this learner (or visitor) sees it right now."""

    problem: Problem
    built: Exercise | None  # the problem at this seed; None: built when first read
    seed: int
    hints_shown: int = 0
    solution_shown: bool = False
    solved: bool = False
    attempts: int = 0
    feedback: dict | None = None
    submission: uuid.UUID = field(default_factory=uuid.uuid4)
    html: SafeString | None = None  # the card rendered (quizzes.fragments), if it was

    @property
    def instance(self) -> Exercise:
        """The problem as this seed poses it (built once, and only if a card is rendered)."""
        if self.built is None:
            self.built = self.problem.instance(self.seed)
        return self.built

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
    version: str | None = None,
) -> PracticeView:
    """Problem cards and status for a concept page (two queries for a learner, none else;
    the problems themselves are kept per content `version`); each problem is built at its
    seed only when its card is rendered."""
    problems = cached_fragment(
        f"problems:{concept.pk}",
        lambda: list(
            Problem.objects.filter(concept=concept).select_related("template").order_by("order")
        ),
        version=version,
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
        return ProblemCard(problem, None, seed, feedback=feedback.get(str(problem.pk)))
    return ProblemCard(
        problem=problem,
        built=None,
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
        built=None,
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

    status_counts: dict[mastery.Status, int]
    recently_unlocked: list[tuple[Concept, object]]
    next_up: list[NextUp]
    attempts: Page
    tree: dict | None = None  # the learner's tree for the graph widget; None past MAP_LIMIT
    rule: str = mastery.MASTERY_RULE

    def counts(self) -> list[tuple[mastery.Status, int]]:
        return [(s, self.status_counts[s]) for s in mastery.Status]

    def tree_json(self) -> dict | None:
        """The learner's tree for the graph widget, with status per node (small trees only)."""
        return self.tree


# Up to this many published concepts the dashboard draws the learner's whole tree; past it,
# the tree page's map (drawn by clusters) shows their statuses instead.
MAP_LIMIT = 1000


@dataclass(frozen=True)
class Frontier:
    """What a learner's statuses rest on: what they mastered and started, and the concepts
    open to them (every prerequisite mastered, not mastered themselves)."""

    mastered: set[int]
    started: set[int]
    open: set[int]
    published: int  # how many published concepts there are
    unpublished: list[int] = field(default_factory=list)  # their ids (drafts)
    # For each concept with a mastered prerequisite: how many of its prerequisites are mastered.
    mastered_prerequisites: Counter[int] = field(default_factory=Counter)

    def counts(self) -> dict[mastery.Status, int]:
        """How many concepts have each status (everything not mastered or open is locked)."""
        in_progress = len(self.open & self.started)
        available = len(self.open) - in_progress
        return {
            mastery.Status.MASTERED: len(self.mastered),
            mastery.Status.IN_PROGRESS: in_progress,
            mastery.Status.AVAILABLE: available,
            mastery.Status.LOCKED: self.published - len(self.mastered) - len(self.open),
        }


@dataclass(frozen=True)
class TreeFacts:
    """What a learner's frontier needs of the whole tree (kept per content version)."""

    published: int  # how many published concepts there are
    roots: list[int]  # published concepts without a published prerequisite
    unpublished: list[int]  # drafts' ids (for `published_edges`)
    prerequisite_counts: array.array  # by concept id (published_prerequisite_counts)

    def prerequisites(self, pk: int) -> int:
        """How many published prerequisites concept `pk` has."""
        counts = self.prerequisite_counts
        return counts[pk] if pk < len(counts) else 0


def _tree_facts() -> dict:
    """The facts as kept: the counts compressed (at 100,000 concepts 24 KB, not 100 KB,
    and read back from the database cache in 1 ms instead of 2.4)."""
    has_prerequisite = Prerequisite.objects.published().values("concept_id")
    roots = published_concepts().exclude(id__in=has_prerequisite).values_list("id", flat=True)
    counts = published_prerequisite_counts()
    return {
        "published": published_concepts().count(),
        "roots": list(roots),
        "unpublished": unpublished_ids(),
        "prerequisite_counts": (counts.typecode, zlib.compress(counts.tobytes())),
    }


def tree_facts(version: str | None = None) -> TreeFacts:
    """The tree's facts from the shared cache (built once per content `version`)."""
    kept = cached_fragment("dashboard:tree-facts", _tree_facts, version=version)
    code, packed = kept["prerequisite_counts"]
    return TreeFacts(
        published=kept["published"],
        roots=kept["roots"],
        unpublished=kept["unpublished"],
        prerequisite_counts=array.array(code, zlib.decompress(packed)),
    )


def learner_progress(learner) -> tuple[set[int], set[int]]:
    """The published concepts a learner mastered, and those they started (one query)."""
    rows = ConceptProgress.objects.filter(learner=learner, concept__published=True)
    mastered, started = set(), set()
    for pk, began, done in rows.values_list("concept_id", "started", "mastered"):
        if done:
            mastered.add(pk)
        if began:
            started.add(pk)
    return mastered, started


def learner_frontier(
    learner,
    progress: tuple[set[int], set[int]] | None = None,
    *,
    facts: TreeFacts | None = None,
) -> Frontier:
    """A learner's frontier in two queries and the tree's facts from the cache, whatever the
    tree's size (one query given `learner_progress` and the facts).

    A concept not mastered is open when every prerequisite is mastered: a root, or a concept
    one of whose prerequisites is mastered; so only the roots, what the mastered concepts
    unlock and what the learner started are looked at, and a concept's prerequisites are
    counted, not read: all mastered when as many are mastered as it has (tree facts).
    """
    facts = facts or tree_facts()
    mastered, started = progress or learner_progress(learner)
    # The ids read above go into the next read as a list, not as a nested subquery: with
    # subqueries PostgreSQL's plan depended on its statistics and once took minutes.
    hidden = facts.unpublished
    done = Counter(
        after for _, after in published_edges("prerequisite", mastered, unpublished=hidden)
    )
    open_now = {
        pk
        for pk in {*facts.roots, *started, *done}
        if pk not in mastered and done[pk] == facts.prerequisites(pk)
    }
    return Frontier(mastered, started, open_now, facts.published, hidden, done)


def next_to_learn(
    learner, frontier: Frontier, limit: int = 5, *, facts: TreeFacts | None = None
) -> list[NextUp]:
    """The open concepts whose mastery unlocks the most first (two queries, and the tree's
    facts from the cache unless given).

    "Unlocks" counts the concepts for which this is the last prerequisite not mastered yet;
    ties go to the concept that leads to more of the tree, then the shallower, then by title.
    """
    if not frontier.open:
        return []
    facts = facts or tree_facts()
    mastered, done = frontier.mastered, frontier.mastered_prerequisites
    # A plain read by an id list: a correlated subquery's plan on PostgreSQL followed its
    # table statistics and could take minutes (see learner_frontier). `before` is open, so
    # not mastered: it is the last one missing when `after` misses one prerequisite alone.
    opens = Counter(
        before
        for before, after in published_edges(
            "prerequisite", frontier.open, unpublished=frontier.unpublished
        )
        if after not in mastered and facts.prerequisites(after) - done[after] == 1
    )
    # Ranked on plain rows, then only the first `limit` made concepts: a learner with a
    # wide frontier has hundreds open, and a model instance each took most of this read.
    ranked = heapq.nsmallest(
        limit,
        published_rows(frontier.open, NEXT_UP_FIELDS),
        key=lambda row: (-opens[row[0]], -(row[_REACH] or 0), row[_DEPTH] or 0, row[_TITLE]),
    )
    return [
        NextUp(
            Concept.from_db(connection.alias, NEXT_UP_FIELDS, row), opens[row[0]], row[_REACH] or 0
        )
        for row in ranked
    ]


# In the model's order of fields, as Concept.from_db takes them.
NEXT_UP_FIELDS = ("id", "slug", "title", "domain", "difficulty", "depth", "reach")
_TITLE, _DEPTH, _REACH = (NEXT_UP_FIELDS.index(name) for name in ("title", "depth", "reach"))


def _path_name(learner, mastered: set[int], started: set[int]) -> str:
    progress = f"{sorted(mastered)}|{sorted(started)}".encode()
    return f"dashboard:path:{learner.pk}:{hashlib.sha256(progress).hexdigest()[:32]}"


def _path(
    learner, progress: tuple[set[int], set[int]], version: str
) -> tuple[Frontier, list[NextUp]]:
    facts = tree_facts(version)
    frontier = learner_frontier(learner, progress, facts=facts)
    return frontier, next_to_learn(learner, frontier, facts=facts)


def dashboard(learner, *, page: object = 1) -> Dashboard:
    """Status counts, unlocks, what to learn next and the attempt history in a fixed number
    of queries at any tree size; the learner's whole tree only while it is small.

    The frontier and what to learn next follow from the tree and the learner's progress
    alone, so they are kept in the shared cache under the content version and a digest of
    what the learner mastered and started: a learner's next view reads them back until
    their progress or the tree changes."""
    progress = learner_progress(learner)
    version = content_version()
    frontier, next_up = cached_fragment(
        _path_name(learner, *progress), partial(_path, learner, progress, version), version=version
    )
    unlocked = list(
        ConceptProgress.objects.filter(
            learner=learner, unlocked__isnull=False, concept__published=True
        )
        .select_related("concept")
        .order_by("-unlocked")[:5]
    )
    attempts = Paginator(
        Attempt.objects.filter(learner=learner).select_related("problem__concept"), 25
    ).get_page(page)
    tree = None
    if frontier.published <= MAP_LIMIT:
        data = tree_data()
        status = learner_statuses(learner, [c.pk for c in data.concepts], data.edges)
        tree = data.as_json(status)
    return Dashboard(
        status_counts=frontier.counts(),
        recently_unlocked=[(row.concept, row.unlocked) for row in unlocked],
        next_up=next_up,
        attempts=attempts,
        tree=tree,
    )
