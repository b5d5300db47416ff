"""When a mastered concept comes back for review: the FSRS scheduler and the rating rules.

PURE: no Django. Every interval comes from FSRS (the `fsrs` package, its default
parameters); this module only decides which rating an outcome earns and keeps a card's
state as plain fields the database stores in columns.

Ratings of a review (one fresh problem of the concept, answered once):
- wrong -> Again;
- right after revealing a hint -> Hard;
- right without a hint -> Good;
- right without a hint within QUICK_SECONDS of the problem being shown -> Easy.

Mastering a concept (or testing out of it) is its first review, rated Good.

Implicit review: a clean solve of a problem (right at the first try, no hint, no solution)
counts as a Good review of each direct prerequisite of its concept that is mastered and
whose card is due within IMPLICIT_WINDOW (or overdue); a prerequisite due later is left
alone, so working ahead neither piles up reviews nor pushes far-off ones further out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fsrs import Card, Rating, Scheduler, State

# No learning steps: a mastered concept is already learnt, and a lapse comes back in days,
# not minutes. No fuzzing: the same history always gives the same due date.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)

QUICK_SECONDS = 60  # right, no hint, within a minute of being shown: Easy
IMPLICIT_WINDOW = timedelta(days=1)
DEFAULT_REVIEW_SECONDS = 120  # the estimate per review until a learner has done some


class ReviewStatus(StrEnum):
    """A mastered concept whose review FSRS says is due (it stays open: never re-locked)."""

    REVIEW_DUE = "review due"
    PLACED = "placed"  # mastered by a test-out or the placement, not (yet) by practice

    @property
    def css(self) -> str:
        return self.value.replace(" ", "-")


REVIEW_DUE_MEANING = "Mastered, and due for a review; still open to you."
PLACED_MEANING = "Mastered by a test-out or the placement rather than by practice."


@dataclass(frozen=True)
class CardState:
    """An FSRS card as stored: its memory state and when it is next due."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def to_card(self) -> Card:
        return Card(
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    @classmethod
    def from_card(cls, card: Card) -> CardState:
        return cls(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )


def rating_for(*, correct: bool, hints_used: int, seconds: float) -> Rating:
    """The FSRS rating a review's outcome earns (see the module's docstring)."""
    if not correct:
        return Rating.Again
    if hints_used:
        return Rating.Hard
    if seconds <= QUICK_SECONDS:
        return Rating.Easy
    return Rating.Good


def first_review(now: datetime) -> CardState:
    """The card of a concept mastered now: a new card reviewed Good."""
    card, _ = SCHEDULER.review_card(Card(), Rating.Good, now)
    return CardState.from_card(card)


def review(state: CardState, rating: Rating, now: datetime) -> CardState:
    """The card after a review rated `rating` at `now`."""
    card, _ = SCHEDULER.review_card(state.to_card(), rating, now)
    return CardState.from_card(card)


def implicit_rating(state: CardState, now: datetime) -> Rating | None:
    """Good if the card is due within IMPLICIT_WINDOW of now (or overdue), else nothing."""
    return Rating.Good if state.due <= now + IMPLICIT_WINDOW else None


def estimate_seconds(count: int, recent_seconds: list[float]) -> int:
    """About how long `count` reviews take: the median of recent ones, else the default."""
    if not count:
        return 0
    ordered = sorted(s for s in recent_seconds if s >= 0)
    if ordered:
        middle = len(ordered) // 2
        per = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    else:
        per = DEFAULT_REVIEW_SECONDS
    return round(count * per)


RATING_RULES = (
    f"Each review is one fresh problem, answered once. Wrong: Again. Right after a hint: "
    f"Hard. Right: Good. Right within {QUICK_SECONDS} seconds, no hint: Easy. FSRS turns "
    f"the rating into the next due date."
)
