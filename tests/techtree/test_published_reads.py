"""selectors' cheap reads of the published tree by id lists agree with the ORM's own."""

import random

import pytest

from techtree.models import Concept, Prerequisite
from techtree.selectors import (
    published_concepts,
    published_prerequisite_counts,
    published_rows,
)

pytestmark = pytest.mark.django_db


def concept(name: str, published: bool = True) -> Concept:
    return Concept.objects.create(
        title=name, slug=name, summary="s", domain="d", difficulty=1, minutes=5, published=published
    )


def random_tree(seed: int) -> list[Concept]:
    """40 concepts, a quarter of them drafts, each after up to three earlier ones."""
    rng = random.Random(seed)
    concepts = [concept(f"c{i}", published=rng.random() > 0.25) for i in range(40)]
    for later in range(1, 40):
        for earlier in rng.sample(range(later), min(later, 3)):
            Prerequisite.objects.create(prerequisite=concepts[earlier], concept=concepts[later])
    return concepts


@pytest.mark.parametrize("seed", [3, 7])
def test_prerequisite_counts_are_the_published_edges_into_each_concept(seed):
    concepts = random_tree(seed)
    counts = published_prerequisite_counts()
    edges = Prerequisite.objects.published().values_list("concept_id", flat=True)
    for c in concepts:
        expected = sum(1 for pk in edges if pk == c.pk)
        found = counts[c.pk] if c.pk < len(counts) else 0
        assert found == expected, c
    drafts_behind = Prerequisite.objects.filter(
        prerequisite__published=False, concept__published=True
    )
    assert drafts_behind.exists()  # their edges are not counted: checked above


def test_a_count_past_255_is_kept_whole():
    many = Concept.objects.bulk_create(
        Concept(title=f"p{i}", slug=f"p{i}", summary="s", domain="d", difficulty=1, minutes=5)
        for i in range(300)
    )
    if not all(c.pk for c in many):  # backends that do not return keys from bulk_create
        many = list(Concept.objects.filter(slug__startswith="p"))
    last = concept("last")
    Prerequisite.objects.bulk_create(Prerequisite(prerequisite=p, concept=last) for p in many)
    assert published_prerequisite_counts()[last.pk] == 300


def test_no_edges_no_counts():
    concept("alone")
    assert len(published_prerequisite_counts()) == 0


def test_published_rows_find_what_the_orm_finds():
    concepts = random_tree(11)
    rng = random.Random(11)
    fields = ("id", "reach", "depth", "title")
    for _ in range(10):
        ids = {c.pk for c in rng.sample(concepts, rng.randint(0, 15))}
        expected = published_concepts().filter(id__in=ids).values_list(*fields)
        assert sorted(published_rows(ids, fields)) == sorted(expected)
