"""'An edge of the published tree' is said once: Prerequisite.objects.published()."""

from pathlib import Path

import pytest

from techtree.models import Concept, Prerequisite

ROOT = Path(__file__).resolve().parents[2]
APPS = ("techtree", "lessons", "quizzes", "lens", "review", "authoring", "exercise_templates")


def test_no_app_spells_the_published_edges_filter_itself():
    spelled = [
        str(path.relative_to(ROOT))
        for app in APPS
        if (ROOT / app).is_dir()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "models.py"
        and "prerequisite__published" in path.read_text()
    ]
    assert spelled == []


@pytest.mark.django_db
def test_published_edges_need_both_ends_published():
    a, b, c = (
        Concept.objects.create(
            title=t, slug=t, summary=t, domain="d", difficulty=1, minutes=5, published=p
        )
        for t, p in (("a", True), ("b", True), ("c", False))
    )
    Prerequisite.objects.create(prerequisite=a, concept=b)
    Prerequisite.objects.create(prerequisite=b, concept=c)
    Prerequisite.objects.create(prerequisite=c, concept=a)
    edges = set(Prerequisite.objects.published().values_list("prerequisite_id", "concept_id"))
    assert edges == {(a.pk, b.pk)}


@pytest.mark.django_db
def test_the_fast_read_of_edges_by_id_finds_what_the_orm_finds():
    """selectors.published_edges drops edges touching a draft itself (no join): it must
    agree with Prerequisite.objects.published() for either end and any ids."""
    import random

    from techtree.selectors import published_edges, unpublished_ids

    rng = random.Random(7)
    concepts = [
        Concept.objects.create(
            title=f"c{i}",
            slug=f"c{i}",
            summary="s",
            domain="d",
            difficulty=1,
            minutes=5,
            published=rng.random() > 0.25,
        )
        for i in range(40)
    ]
    for later in range(1, 40):
        for earlier in rng.sample(range(later), min(later, 3)):
            Prerequisite.objects.create(prerequisite=concepts[earlier], concept=concepts[later])
    hidden = unpublished_ids()
    assert hidden and len(hidden) < 40
    orm = Prerequisite.objects.published().order_by()
    for _ in range(20):
        ids = {c.pk for c in rng.sample(concepts, rng.randint(0, 15))}
        for end, column in (("concept", "concept_id"), ("prerequisite", "prerequisite_id")):
            expected = orm.filter(**{f"{column}__in": ids}).values_list(
                "prerequisite_id", "concept_id"
            )
            found = published_edges(end, ids, unpublished=hidden)
            assert sorted(found) == sorted(expected)
            assert len(found) == len(set(found))
