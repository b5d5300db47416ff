"""The content version: cached fragments are replaced by every content save, after commit."""

import pytest
from django.db import transaction

from lessons.models import Lesson
from techtree import versions
from techtree.models import Concept

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lesson_edit_is_shown_at_once_though_the_lesson_is_cached(client, demo_tree):
    url = "/concepts/softmax-and-logits/"
    assert "A freshly written sentence" not in client.get(url).content.decode()
    lesson = Lesson.objects.get(concept__slug="softmax-and-logits")
    cached = versions.content_version()
    lesson.body = "A freshly written sentence.\n\n" + lesson.body
    lesson.save()
    assert versions.content_version() != cached
    assert "A freshly written sentence" in client.get(url).content.decode()


def test_the_version_changes_only_when_the_save_commits():
    before = versions.content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Concept.objects.create(
            slug="rolled-back", title="Rolled back", summary="s", domain="d", difficulty=1,
            minutes=5,
        )  # fmt: skip
        raise RuntimeError
    assert versions.content_version() == before
    Concept.objects.create(
        slug="kept", title="Kept", summary="s", domain="d", difficulty=1, minutes=5
    )
    assert versions.content_version() != before


def test_a_fragment_is_built_once_per_version():
    calls = []

    def build():
        calls.append(1)
        return "built"

    version = versions.content_version()
    assert versions.cached_fragment("x", build) == "built"
    assert versions.cached_fragment("x", build) == "built"
    assert len(calls) == 1
    versions.content_changed()  # outside a transaction: at once
    assert versions.content_version() != version
    versions.cached_fragment("x", build)
    assert len(calls) == 2
