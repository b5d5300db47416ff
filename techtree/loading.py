"""Writing content files into the database, all or nothing.

The concept graph is loaded here; other apps register a loader for their own sections of a
concept file (the lesson body, worked examples, problems) in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from techtree import services
from techtree.content import ConceptSource, check_sources
from techtree.models import Concept, Prerequisite

SectionLoader = Callable[[Concept, ConceptSource], None]
_section_loaders: list[SectionLoader] = []


def register_section_loader(loader: SectionLoader) -> None:
    """Let an app load its part of each written concept (called once per concept)."""
    if loader not in _section_loaders:
        _section_loaders.append(loader)


@dataclass
class LoadReport:
    """What a load did, by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.kept)} kept as they were"
        )


@transaction.atomic
def load_concepts(sources: Iterable[ConceptSource], *, keep_existing: bool = False) -> LoadReport:
    """Create or update concepts, their edges and sections; refuse the lot on any problem.

    With keep_existing, concepts already stored are left exactly as they are (so a second
    `make run` never overwrites an author's edits or a learner's progress).
    """
    sources = list(sources)
    stored = {c.slug: c for c in Concept.objects.select_for_update()}
    report = LoadReport()
    to_write = []
    for source in sources:
        if keep_existing and source.slug in stored:
            report.kept.append(source.slug)
        else:
            to_write.append(source)
    writing = {source.slug for source in to_write}
    check_sources(
        to_write,
        existing=[(slug, c.title) for slug, c in stored.items() if slug not in writing],
        existing_edges=Prerequisite.objects.exclude(concept__slug__in=writing)
        .order_by()  # a set of pairs: no sort by titles
        .values_list("prerequisite__slug", "concept__slug"),
    )

    written: dict[str, Concept] = {}
    for source in to_write:
        concept = stored.get(source.slug) or Concept(slug=source.slug)
        (report.updated if concept.pk else report.created).append(source.slug)
        concept.title = source.title
        concept.summary = source.summary
        concept.domain = source.domain
        concept.difficulty = source.difficulty
        concept.minutes = source.minutes
        concept.published = source.published
        concept.core_concepts = "\n".join(source.core_concepts)
        concept.key_symbols = source.key_symbols_text()
        concept._change_reason = source.change_reason  # kept in the concept's history
        concept.save()
        written[source.slug] = concept

    ids = {**{slug: c.pk for slug, c in stored.items()}, **{s: c.pk for s, c in written.items()}}
    Prerequisite.objects.filter(concept__slug__in=writing).delete()
    bulk_create_with_history(
        [
            Prerequisite(concept_id=ids[source.slug], prerequisite_id=ids[prerequisite])
            for source in to_write
            for prerequisite in source.prerequisites
        ],
        Prerequisite,
        default_change_reason="manage.py load_content",
    )
    for source in to_write:
        for loader in _section_loaders:
            loader(written[source.slug], source)
    services.refresh_graph_figures()
    return report


@transaction.atomic
def load_synthetic_tree(size: int, *, seed: int = 0, prefix: str = "synthetic") -> int:
    """Add a curriculum-shaped tree of `size` made-up concepts (for scale tests and benches)."""
    from techtree.synthetic import synthetic_tree

    concepts, edges = synthetic_tree(size, seed=seed)
    created = Concept.objects.bulk_create(
        (
            Concept(
                slug=f"{prefix}-{c.number:06d}",
                title=f"{prefix.title()} {c.title}",
                summary=f"A made-up concept number {c.number} for testing at scale.",
                domain=c.domain,
                difficulty=c.difficulty,
                minutes=c.minutes,
                core_concepts="\n".join(f"Idea {i + 1}" for i in range(c.atoms)),
            )
            for c in concepts
        ),
        batch_size=2000,
    )
    if not all(c.pk for c in created):  # backends that do not return keys from bulk_create
        by_slug = dict(
            Concept.objects.filter(slug__startswith=f"{prefix}-").values_list("slug", "pk")
        )
        ids = [by_slug[f"{prefix}-{c.number:06d}"] for c in concepts]
    else:
        ids = [c.pk for c in created]
    Prerequisite.objects.bulk_create(
        (Prerequisite(prerequisite_id=ids[p], concept_id=ids[c]) for p, c in edges), batch_size=5000
    )
    services.refresh_graph_figures()
    return len(created)
