"""Hooks through which the apps built on the tree add to its pages and its admin.

The concept-tree app stands at the bottom: lessons and quizzes import it, never the other
way round. Each higher app registers what it adds in its ``AppConfig.ready()`` (as it
registers its content loader with ``techtree.loading``); the tree's views and admin only
read these lists, so the tree works, with less on its pages, without them.

- A concept section is ``section(request, view) -> dict``: context for the concept page
  (e.g. ``{"lesson": ...}``), computed from the request and the tree's ``ConceptView``. A
  reader's section (``reader=True``) gives what differs from one visitor to the next (their
  practice numbers, the ratings so far), read only inside the page's reader parts
  (``{% reader_part %}``): a visitor's page is kept in the shared cache without it, and it
  runs on every request to fill those parts in.
- A tree status is ``status(learner, concept_ids, edges) -> (status_by_id, legend)`` for a
  signed-in learner: the map's colours and their legend. The last one registered (the
  highest app, which may build on those below it) is used.
- Learner concepts are ``concepts(learner) -> ids``: every concept the learner has any
  progress on, so the map can count statuses per cluster without reading the whole tree.
- Concept inlines are admin inline classes shown on the concept's admin page.
- A browse order is a ``BrowseOrder(key, label, apply)``: browse offers "Sort by <label>" and
  ``apply(concepts) -> concepts`` orders the published concepts' queryset (e.g. by rating).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ConceptSection = Callable[[Any, Any], dict[str, Any]]
TreeStatus = Callable[[Any, list[int], list[tuple[int, int]]], tuple[dict, list]]

_concept_sections: list[ConceptSection] = []
_reader_sections: list[ConceptSection] = []
_tree_statuses: list[TreeStatus] = []
_concept_inlines: list[type] = []
_learner_concepts: list[Callable[[Any], Iterable[int]]] = []
_browse_orders: list[BrowseOrder] = []


@dataclass(frozen=True)
class BrowseOrder:
    """A way to sort browse, added by an app above: `apply` orders a concepts queryset."""

    key: str
    label: str
    apply: Callable[[Any], Any]


def register_concept_section(section: ConceptSection, *, reader: bool = False) -> None:
    """Add context to every concept page (called once per page view, in order of apps);
    ``reader``: it is the reader's own, read only by the page's reader parts."""
    if section not in _concept_sections:
        _concept_sections.append(section)
        if reader:
            _reader_sections.append(section)


def concept_sections(*, reader: bool | None = None) -> tuple[ConceptSection, ...]:
    """Every section in order, or only the reader's (``reader=True``) or only the others."""
    if reader is None:
        return tuple(_concept_sections)
    return tuple(s for s in _concept_sections if (s in _reader_sections) == reader)


def register_tree_status(status: TreeStatus) -> None:
    """Colour the tree map for a signed-in learner; the last registered one is used."""
    if status not in _tree_statuses:
        _tree_statuses.append(status)


def tree_status() -> TreeStatus | None:
    return _tree_statuses[-1] if _tree_statuses else None


def register_concept_inlines(inlines: Iterable[type]) -> None:
    """Admin inlines to show on a concept's admin page, after its prerequisites."""
    for inline in inlines:
        if inline not in _concept_inlines:
            _concept_inlines.append(inline)


def concept_inlines() -> tuple[type, ...]:
    return tuple(_concept_inlines)


def register_browse_order(order: BrowseOrder) -> None:
    """Offer another sort order on browse (its key goes in the URL: ?sort=<key>)."""
    if all(o.key != order.key for o in _browse_orders):
        _browse_orders.append(order)


def browse_orders() -> tuple[BrowseOrder, ...]:
    return tuple(_browse_orders)


def register_learner_concepts(concepts: Callable[[Any], Iterable[int]]) -> None:
    """Say which concepts a learner has progress on (each registered app adds its own)."""
    if concepts not in _learner_concepts:
        _learner_concepts.append(concepts)


def learner_concepts(learner) -> set[int]:
    """Every concept any registered app holds progress on for this learner."""
    return {pk for concepts in _learner_concepts for pk in concepts(learner)}
