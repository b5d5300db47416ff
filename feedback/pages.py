"""What feedback adds to the tree's pages (registered in FeedbackConfig.ready)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import F
from django.http import HttpRequest

from feedback import selectors
from techtree.extensions import BrowseOrder


def concept_section(request: HttpRequest, view: Any) -> dict[str, Any]:
    """The concept's quality grade and the learner's rating form (`feedback/_quality.html`)."""
    learner = request.user if request.user.is_authenticated else None
    return {"quality": selectors.quality_view(view.concept, learner=learner)}


class BestRatedFirst:
    """Published concepts, best mean first (more ratings first among equals), then the
    unrated by title, paged in two index-ordered parts: the rated ones are read in the order
    of the summary row's index (ConceptQuality.Meta.indexes), so no page sorts the tree.
    A Paginator reads it like a queryset: count() and slices."""

    def __init__(self, concepts) -> None:
        self.rated = (
            concepts.filter(quality__count__gt=0)
            .annotate(rating_mean=F("quality__mean"), rating_count=F("quality__count"))
            .order_by("-quality__mean", "-quality__count", "pk")
        )
        self.unrated = concepts.exclude(quality__count__gt=0).order_by("title")
        self.all = concepts

    def count(self) -> int:
        return self.all.count()

    def __len__(self) -> int:
        return self.count()

    @cached_property
    def rated_count(self) -> int:
        return self.rated.count()

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop
        shown = list(self.rated[start:stop]) if start < self.rated_count else []
        if stop is None or stop > self.rated_count:
            skip = max(0, start - self.rated_count)
            shown += list(self.unrated[skip : None if stop is None else stop - self.rated_count])
        return shown


BROWSE_ORDER = BrowseOrder(key="rating", label="Best rated first", apply=BestRatedFirst)
