"""What counts as mastered, and each concept's status for a learner.

PURE: no Django. The rule shown to learners is MASTERY_RULE; statuses follow from what the
learner has mastered and started, and from the tree's prerequisites, so they stay right when
an author edits the tree.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from enum import StrEnum

DIFFICULTIES = ("easy", "medium", "hard")

MASTERY_RULE = (
    "You master a concept by solving at least one of its easy, one of its medium and one of "
    "its hard problems (each difficulty it offers) without revealing the solution first. "
    "Hints are fine. Mastering a concept unlocks the concepts whose prerequisites are then "
    "all mastered."
)


def answer_revealed(
    *, solved: bool, solution_shown: bool, attempts: int, max_attempts: int
) -> bool:
    """Whether the expected answer and the worked solution may be shown on these numbers:
    once solved, given up (solution asked for), or out of attempts."""
    return solved or solution_shown or attempts >= max_attempts


class Status(StrEnum):
    """A learner's standing on one concept."""

    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in progress"
    MASTERED = "mastered"

    @property
    def css(self) -> str:
        return self.value.replace(" ", "-")


STATUS_MEANING = {
    Status.LOCKED: "Some prerequisite is not mastered yet.",
    Status.AVAILABLE: "Every prerequisite is mastered: ready to start.",
    Status.IN_PROGRESS: "You have started its practice.",
    Status.MASTERED: "Solved a problem of each difficulty without the solution.",
}


def is_mastered(solved_cleanly: Iterable[str], offered: Iterable[str]) -> bool:
    """Whether clean solves cover every difficulty the concept offers (and it offers some)."""
    offered = set(offered)
    return bool(offered) and offered <= set(solved_cleanly)


def missing_difficulties(solved_cleanly: Iterable[str], offered: Iterable[str]) -> list[str]:
    """The difficulties still to solve cleanly, in easy-to-hard order."""
    todo = set(offered) - set(solved_cleanly)
    return [d for d in DIFFICULTIES if d in todo]


def concept_status(*, mastered: bool, started: bool, prerequisites_mastered: bool) -> Status:
    """One concept's status: mastered beats everything; otherwise locked until ready."""
    if mastered:
        return Status.MASTERED
    if not prerequisites_mastered:
        return Status.LOCKED
    return Status.IN_PROGRESS if started else Status.AVAILABLE


def statuses(
    prerequisites: Mapping[Hashable, Iterable[Hashable]],
    mastered: set[Hashable],
    started: set[Hashable],
) -> dict[Hashable, Status]:
    """The status of every concept, given each concept's prerequisites."""
    return {
        concept: concept_status(
            mastered=concept in mastered,
            started=concept in started,
            prerequisites_mastered=set(needs) <= mastered,
        )
        for concept, needs in prerequisites.items()
    }


def newly_unlocked(
    just_mastered: Hashable,
    unlocks: Iterable[Hashable],
    prerequisites: Mapping[Hashable, Iterable[Hashable]],
    mastered: set[Hashable],
) -> list[Hashable]:
    """The concepts that mastering `just_mastered` opened: all their prerequisites now done."""
    done = mastered | {just_mastered}
    return [c for c in unlocks if c not in done and set(prerequisites.get(c, ())) <= done]
