"""Hooks through which apps built on practice act on it (registered in their ready()).

- An attempt listener is ``listener(stored: StoredAttempt) -> None``, called by
  ``progress.record_attempt`` inside its transaction, after mastery and unlocks are written,
  so what it writes commits or rolls back with the attempt (spaced review schedules here).
- A dashboard section is ``section(request) -> dict | None``: a dict with a ``template`` to
  include at the top of the learner's dashboard, and its context; None shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredAttempt:
    """An attempt just stored, with what it did."""

    learner: Any
    attempt: Any  # quizzes.models.Attempt
    progress: Any  # quizzes.models.ProblemProgress, after this attempt
    mastered_now: bool

    @property
    def clean(self) -> bool:
        """Right at the first try on these numbers, with no hint and no solution shown."""
        p = self.progress
        return (
            self.attempt.correct and p.attempts == 1 and not p.hints_shown and not p.solution_shown
        )


AttemptListener = Callable[[StoredAttempt], None]
DashboardSection = Callable[[Any], dict | None]

_attempt_listeners: list[AttemptListener] = []
_dashboard_sections: list[DashboardSection] = []


def register_attempt_listener(listener: AttemptListener) -> None:
    if listener not in _attempt_listeners:
        _attempt_listeners.append(listener)


def attempt_stored(stored: StoredAttempt) -> None:
    for listener in _attempt_listeners:
        listener(stored)


def register_dashboard_section(section: DashboardSection) -> None:
    if section not in _dashboard_sections:
        _dashboard_sections.append(section)


def dashboard_sections(request) -> list[dict]:
    """The sections to show above the dashboard, in order of registration."""
    return [s for s in (section(request) for section in _dashboard_sections) if s]
