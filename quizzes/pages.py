"""What the quizzes app adds to the concept tree's pages (registered in QuizzesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from quizzes import fragments
from quizzes.mastery import STATUS_MEANING
from quizzes.models import ConceptProgress
from quizzes.selectors import learner_statuses, practice_view
from quizzes.views import pop_feedback
from quizzes.visitors import VisitorPractice, browser_secret
from techtree.versions import request_version


def concept_section(request: HttpRequest, view: Any) -> dict[str, Any]:
    """The concept's practice problems, for a learner or for a visitor: each card rendered
    from the shared cache, with this response's submission ids; a returning visitor's whole
    section from it at the page's own address (`fragments.visitor_practice_html`)."""
    learner = request.user if request.user.is_authenticated else None
    visitor, returning = None, True
    if learner is None:  # their numbers are their browser's: nothing is written here
        browser, returning = browser_secret(request)
        visitor = VisitorPractice.load(request.session, browser=browser)
    feedback, version = pop_feedback(request), request_version(request)
    if visitor is not None and returning and section_kept(request, view, feedback):
        html = fragments.visitor_practice_html(request, view, visitor, version=version)
        return {"practice_html": html}
    practice = practice_view(
        view.concept,
        view.prerequisites,
        learner=learner,
        visitor=visitor,
        feedback=feedback,
        version=version,
    )
    # A locked concept lists its problems' titles only. A browser that came without its
    # CSRF cookie has new numbers: its cards are cached from its next view on, so visitors
    # who never come back (or a flood of cookieless requests) add nothing to the shared cache.
    if not practice.locked and returning:
        fragments.render_cards(practice.cards, request=request, version=version)
    return {"practice": practice}


def section_kept(request: HttpRequest, view: Any, feedback: dict) -> bool:
    """A returning visitor's section is kept whole at the page's own address, unless it
    shows feedback (once, after an answer posted without JavaScript)."""
    return not feedback and request.get_full_path() == view.concept.get_absolute_url()


def practice_link(request: HttpRequest, view: Any) -> dict[str, Any]:
    """Every concept page has a practice section (a reader part, `concept_section`): the
    lesson's contents and its "Start here" link to it, the same for every reader."""
    return {"practice_section": True}


def tree_status(learner, concept_ids: list[int], edges: list[tuple[int, int]]) -> tuple:
    """A learner's status on every concept of the map, and the legend of the statuses."""
    return learner_statuses(learner, concept_ids, edges), list(STATUS_MEANING.items())


def learner_concepts(learner) -> list[int]:
    """The concepts a learner has progress on (started, mastered or placed): the only ones
    whose status can differ from what the tree's shape alone says (the map's counts)."""
    return list(
        ConceptProgress.objects.filter(learner=learner).values_list("concept_id", flat=True)
    )
