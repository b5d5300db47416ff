"""Writing exercise templates in the admin: TOML, live preview, 50-seed validation, history."""

import re
import tomllib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from authoring.forms import spec_to_toml
from exercise_templates.models import ExerciseTemplate
from techtree import content_rules
from techtree.models import Concept
from tests.authoring.templates import BROKEN, VALID

pytestmark = pytest.mark.django_db
User = get_user_model()

ADD = "/admin/exercise_templates/exercisetemplate/add/"
PREVIEW = "/admin/exercise_templates/exercisetemplate/preview/"


@pytest.fixture
def concept(db):
    return Concept.objects.create(
        slug="two-logits", title="Two Logits", summary="s", domain="ML", difficulty=1, minutes=5
    )


@pytest.fixture
def author(db):
    call_command("create_demo_users", verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username="author"))
    return client


def test_the_add_page_has_the_preview_panel_and_no_inline_script(author):
    response = author.get(ADD)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'data-template-preview data-url="/admin/exercise_templates/exercisetemplate/preview/"'
        in html
    )
    assert "/static/authoring/preview.js" in html
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script, script  # the CSP allows scripts from files only


def test_the_preview_renders_the_unsaved_template_at_each_seed(author):
    response = author.post(PREVIEW, {"spec": VALID, "seeds": "1, 2, 7"})
    assert response.status_code == 200
    html = response.content.decode()
    assert [int(s) for s in re.findall(r'data-preview-seed="(\d+)"', html)] == [1, 2, 7]
    assert "The logits are" in html and "Exponentiate and normalise" in html
    assert "Answer (number):" in html and "Divide" in html  # the answer and the hints
    assert "second class" in html  # the named mistake
    assert not ExerciseTemplate.objects.exists()


def test_the_preview_names_field_expression_and_seed(author):
    html = author.post(PREVIEW, {"spec": BROKEN, "seeds": "4, 5"}).content.decode()
    assert "data-preview-errors" in html
    assert "solution &#x27;z[k]&#x27; (seed 5)" in html and "out of bounds" in html
    html = author.post(PREVIEW, {"spec": "key = ", "seeds": "1"}).content.decode()
    assert "This template cannot be built yet" in html and "not valid TOML" in html


def test_the_preview_is_for_authors_only(concept):
    call_command("create_demo_users", verbosity=0)
    learner = Client()
    learner.force_login(User.objects.get(username="learner"))
    assert learner.post(PREVIEW, {"spec": VALID}).status_code == 302  # to the admin login
    assert Client().post(PREVIEW, {"spec": VALID}).status_code == 302


def test_an_invalid_template_is_refused_with_its_reason_and_nothing_is_saved(author, concept):
    response = author.post(ADD, {"concept": concept.pk, "order": 1, "spec": BROKEN})
    assert response.status_code == 200
    html = response.content.decode()
    assert "solution &#x27;z[k]&#x27; (seed 5): &#x27;z[k]&#x27; failed" in html
    assert 'value="5, 1, 2, 3"' in html  # the failing seed is previewed first
    assert 'data-preview-seed="5"' in html and "out of bounds" in html.split("Live preview")[1]
    assert not ExerciseTemplate.objects.exists()


def test_a_valid_template_is_saved_with_history_and_round_trips_through_toml(author, concept):
    response = author.post(ADD, {"concept": concept.pk, "order": 1, "spec": VALID})
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ExerciseTemplate.objects.get()
    assert template.spec == tomllib.loads(VALID) and template.key == "two-logit-softmax"
    (created,) = template.history.all()
    assert created.history_user.username == "author"

    change = f"/admin/exercise_templates/exercisetemplate/{template.pk}/change/"
    page = author.get(change).content.decode()
    assert "The logits are" in page  # the stored template's preview, rendered with the page
    shown = spec_to_toml(template.spec)
    assert tomllib.loads(shown) == template.spec
    edited = shown.replace("Only the difference", "Just the difference")
    response = author.post(change, {"concept": concept.pk, "order": 1, "spec": edited})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.spec["insight"].startswith("Just the difference")
    latest, first = template.history.all()[:2]
    assert first.spec["insight"].startswith("Only") and latest.history_user.username == "author"
    history = f"/admin/exercise_templates/exercisetemplate/{template.pk}/history/"
    assert author.get(history).status_code == 200
    revert = f"{history}{first.history_id}/"
    form = author.get(revert).content.decode()
    assert "Only the difference" in form  # the old version, shown as TOML
    response = author.post(revert, {"concept": concept.pk, "order": 1, "spec": shown})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.spec == tomllib.loads(VALID) and template.history.count() == 3


def test_the_content_limits_hold_in_the_admin(author, concept):
    huge = VALID.replace("Only the difference", "x" * content_rules.EXERCISE_SPEC_CHARS)
    response = author.post(ADD, {"concept": concept.pk, "order": 1, "spec": huge})
    assert response.status_code == 200 and not ExerciseTemplate.objects.exists()
    assert f"at most {content_rules.EXERCISE_SPEC_CHARS} characters" in response.content.decode()
    nul = VALID.replace("Only the", "Only\\u0000the")
    response = author.post(ADD, {"concept": concept.pk, "order": 1, "spec": nul})
    assert "U+0000" in response.content.decode() and not ExerciseTemplate.objects.exists()


def test_the_concept_page_links_to_its_templates(author, concept):
    template = ExerciseTemplate.objects.create(concept=concept, spec=tomllib.loads(VALID))
    page = author.get(f"/admin/techtree/concept/{concept.pk}/change/").content.decode()
    assert f"/admin/exercise_templates/exercisetemplate/{template.pk}/change/" in page
    assert f"/admin/exercise_templates/exercisetemplate/add/?concept={concept.pk}" in page
    form = author.get(f"{ADD}?concept={concept.pk}").content.decode()
    assert f'<option value="{concept.pk}" selected>Two Logits</option>' in form
