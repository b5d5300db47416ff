"""What spaced review adds to other apps' pages (registered in ReviewConfig.ready)."""

from __future__ import annotations

from quizzes.mastery import STATUS_MEANING
from quizzes.selectors import ProblemCard
from review import schedule, selectors, services

FEEDBACK_KEY = "review_feedback"


def dashboard_section(request, *, feedback: dict | None = None) -> dict:
    """'Due for review' at the top of the dashboard, with the first review posed."""
    due = selectors.due_reviews(request.user)
    if due.card is not None:
        due.card = services.pose(learner=request.user, card=due.card)
    if feedback is None:
        feedback = request.session.pop(FEEDBACK_KEY, None)
    return {
        "template": "review/_due.html",
        "script": "review/review.js",
        "due": due,
        "problem": _card(due.card),
        "feedback": feedback,
        "rules": schedule.RATING_RULES,
    }


def _card(card) -> ProblemCard | None:
    """The review posed, as a problem card: its numbers, the hints shown, what to type."""
    if card is None or card.problem is None:
        return None
    instance = card.problem.instance(card.seed)
    return ProblemCard(card.problem, instance, card.seed, hints_shown=card.hints_shown)


def tree_status(learner, concept_ids: list[int], edges: list[tuple[int, int]]) -> tuple:
    """The map's statuses with 'review due', and the legend with its meaning."""
    legend = list(STATUS_MEANING.items())
    legend.append((schedule.ReviewStatus.PLACED, schedule.PLACED_MEANING))
    legend.append((schedule.ReviewStatus.REVIEW_DUE, schedule.REVIEW_DUE_MEANING))
    return selectors.review_statuses(learner, concept_ids, edges), legend
