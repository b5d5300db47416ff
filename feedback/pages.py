"""What feedback adds to the tree's pages (registered in FeedbackConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest

from feedback import selectors
from techtree.extensions import BrowseOrder

TEMPLATE = "feedback/_quality.html"


def concept_section(request: HttpRequest, view: Any) -> dict[str, Any]:
    """The concept's quality grade and the learner's rating form; the report form's parts."""
    learner = request.user if request.user.is_authenticated else None
    return {
        "quality": selectors.quality_view(view.concept, learner=learner),
        "quality_template": TEMPLATE,
    }


def _best_rated_first(concepts):
    """Best mean first, more ratings first among equals, unrated last: one query a page
    (the database sorts the filtered concepts; bench/ratings.py measures it)."""
    return concepts.annotate(
        rating_mean=F("quality__mean"), rating_count=F("quality__count")
    ).order_by(
        F("quality__mean").desc(nulls_last=True),
        F("quality__count").desc(nulls_last=True),
        "title",
    )


BROWSE_ORDER = BrowseOrder(key="rating", label="Best rated first", apply=_best_rated_first)
