"""What practice does at sign-up (registered with accounts.hooks in QuizzesConfig.ready)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from quizzes.keep_solves import keep_visitor_solves
from quizzes.visitors import VisitorPractice


def keep_solves(request: HttpRequest, user) -> str | None:
    """The visitor's right answers in this session become the new account's attempts."""
    visitor = VisitorPractice.load(request.session)
    with transaction.atomic():  # a savepoint inside sign-up's transaction
        result = keep_visitor_solves(learner=user, visitor=visitor)
    visitor.solved = []
    visitor.save(request.session)
    if not result.kept:
        return None
    plural = "s" if result.kept != 1 else ""
    said = f"We kept the {result.kept} problem{plural} you solved as a visitor."
    if result.mastered:
        said += f" Mastered: {', '.join(result.mastered)}."
    if result.locked:
        said += (
            f" {result.locked} of them {'is' if result.locked == 1 else 'are'} on concepts "
            "still locked for you: they count once you master the prerequisites (or pass the "
            "test-out)."
        )
    return said
