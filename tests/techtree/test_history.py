"""Authored content keeps its history: who, when, what it was before, and a way back."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from lessons.models import Lesson
from quizzes.models import Problem
from techtree import content_rules
from techtree.models import Concept
from tests.techtree.test_admin import concept_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(demo_tree):
    call_command("create_demo_users", verbosity=0)
    client = Client()
    client.force_login(get_user_model().objects.get(username="author"))
    return client


def test_loading_records_history_with_its_file(demo_tree):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    (loaded,) = softmax.history.all()
    assert loaded.history_type == "+" and loaded.history_user is None
    assert loaded.history_change_reason == "Loaded from softmax-and-logits.md"
    lesson = softmax.lesson.history.get()
    assert lesson.history_change_reason == "Loaded from softmax-and-logits.md"
    problem = softmax.problems.first()
    assert problem.history.get().history_change_reason == "Loaded from softmax-and-logits.md"
    assert softmax.worked_examples.first().history.count() == 1


def test_an_admin_edit_records_who_and_what_it_was_and_can_be_reverted(author):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    before = softmax.summary
    response = author.post(
        f"/admin/techtree/concept/{softmax.pk}/change/",
        concept_form(softmax, summary="Edited by the author."),
    )
    assert response.status_code == 302
    latest, loaded = softmax.history.all()[:2]
    assert latest.history_user.username == "author" and latest.history_type == "~"
    assert latest.summary == "Edited by the author." and loaded.summary == before
    diff = latest.diff_against(loaded)
    assert diff.changed_fields == ["summary"]

    page = author.get(f"/admin/techtree/concept/{softmax.pk}/history/")
    assert page.status_code == 200
    assert b"Loaded from softmax-and-logits.md" in page.content and b"author" in page.content

    revert_url = f"/admin/techtree/concept/{softmax.pk}/history/{loaded.history_id}/"
    assert author.get(revert_url).status_code == 200
    response = author.post(revert_url, concept_form(softmax, summary=before))
    assert response.status_code == 302
    softmax.refresh_from_db()
    assert softmax.summary == before
    assert softmax.history.count() == 3 and softmax.is_placed


def test_lesson_and_problem_edits_are_kept(author):
    lesson = Lesson.objects.get(concept__slug="calibration")
    response = author.post(
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        {"concept": lesson.concept_id, "teaching_strategy": "New.", "body": "A new lesson."},
    )
    assert response.status_code == 302
    assert lesson.history.first().history_user.username == "author"
    assert lesson.history.last().body != "A new lesson."
    assert author.get(f"/admin/lessons/lesson/{lesson.pk}/history/").status_code == 200
    problem = Problem.objects.filter(concept__slug="calibration").first()
    assert author.get(f"/admin/quizzes/problem/{problem.pk}/history/").status_code == 200


def test_the_admin_enforces_the_content_limits(author):
    lesson = Lesson.objects.get(concept__slug="calibration")
    too_long = "x" * (content_rules.LESSON_BODY_CHARS + 1)
    response = author.post(
        f"/admin/lessons/lesson/{lesson.pk}/change/",
        {"concept": lesson.concept_id, "teaching_strategy": "", "body": too_long},
    )
    assert response.status_code == 200
    assert f"at most {content_rules.LESSON_BODY_CHARS} characters".encode() in response.content
    lesson.refresh_from_db()
    assert lesson.body != too_long
    response = author.post(
        "/admin/techtree/concept/add/",
        concept_form(title="T" * (content_rules.CONCEPT_TITLE_CHARS + 1)),
    )
    assert response.status_code == 200 and not Concept.objects.filter(slug="softmax-regression")


def test_the_admin_refuses_a_core_concept_no_file_could_hold(author):
    """What the admin stores can always be dumped back to a file (content_rules.LINE_CHARS)."""
    long_line = "x" * (content_rules.LINE_CHARS + 1)
    response = author.post(
        "/admin/techtree/concept/add/", concept_form(core_concepts=f"Fine\n{long_line}")
    )
    assert response.status_code == 200
    assert "core_concepts[2]: is 301 characters long; the limit is 300" in response.content.decode()
    assert not Concept.objects.filter(slug="softmax-regression").exists()
