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
