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
    if not result.kept and not result.locked:
        return None
    plural = "s" if result.kept != 1 else ""
    said = f"We kept the {result.kept} problem{plural} you solved as a visitor."
    if result.mastered:
        said += f" Mastered: {', '.join(result.mastered)}."
    if result.locked:
        said += (
            f" {result.locked} solved on concepts still locked for you were not kept: master "
            "their prerequisites (or take the test-out), then solve them again."
        )
    return said
