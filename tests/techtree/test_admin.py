"""Authoring concepts in the admin through its real forms."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from techtree.models import Concept, Prerequisite

pytestmark = pytest.mark.django_db

INLINE = "prerequisite_links"


def concept_form(concept=None, prerequisites=(), **overrides):
    """POST data for the concept change form, as the admin page would send it."""
    existing = list(concept.prerequisite_links.all()) if concept else []
    data = {
        "title": concept.title if concept else "Softmax Regression",
        "slug": concept.slug if concept else "softmax-regression",
        "summary": concept.summary if concept else "A linear model with a softmax output.",
        "domain": concept.domain if concept else "Machine Learning",
        "difficulty": str(concept.difficulty if concept else 3),
        "minutes": str(concept.minutes if concept else 30),
        "published": "on",
        "core_concepts": concept.core_concepts if concept else "Scores are linear\nSoftmax on top",
        "key_symbols": concept.key_symbols if concept else "$W$ | the weights",
        f"{INLINE}-TOTAL_FORMS": str(len(existing) + len(prerequisites)),
        f"{INLINE}-INITIAL_FORMS": str(len(existing)),
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }
    for i, edge in enumerate(existing):
        data[f"{INLINE}-{i}-id"] = str(edge.pk)
        data[f"{INLINE}-{i}-concept"] = str(concept.pk)
        data[f"{INLINE}-{i}-prerequisite"] = str(edge.prerequisite_id)
    for j, prerequisite in enumerate(prerequisites, start=len(existing)):
        data[f"{INLINE}-{j}-prerequisite"] = str(prerequisite.pk)
        if concept:
            data[f"{INLINE}-{j}-concept"] = str(concept.pk)
    # The lesson, example and problem inlines are posted empty: existing rows stay as they are.
    for prefix in ("lesson", "worked_examples", "problems"):
        for field, value in (("TOTAL", 0), ("INITIAL", 0), ("MIN_NUM", 0), ("MAX_NUM", 1000)):
            data[f"{prefix}-{field}_FORMS"] = str(value)
    data.update(overrides)
    return data


@pytest.fixture
def author(demo_tree):
    call_command("create_demo_users", verbosity=0)
    client = Client()
    # force_login: django-axes needs the request that Client.login does not pass.
    client.force_login(get_user_model().objects.get(username="author"))
    return client


def test_an_author_adds_a_concept_with_prerequisites(author):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    vectors = Concept.objects.get(slug="vectors-and-dot-products")
    response = author.post(
        "/admin/techtree/concept/add/", concept_form(prerequisites=[softmax, vectors])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Concept.objects.get(slug="softmax-regression")
    assert set(added.prerequisites.all()) == {softmax, vectors}
    assert added.depth == softmax.depth + 1  # figures refreshed on save
    assert Concept.objects.get(pk=softmax.pk).unlocks_count == softmax.unlocks_count + 1


def test_a_cycle_is_shown_and_nothing_is_saved(author):
    exponentials = Concept.objects.get(slug="exponentials-and-logarithms")
    transformers = Concept.objects.get(slug="transformers")
    edges_before = Prerequisite.objects.count()
    response = author.post(
        f"/admin/techtree/concept/{exponentials.pk}/change/",
        concept_form(exponentials, prerequisites=[transformers], summary="Changed summary."),
    )
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "This would create a cycle: Exponentials and Logarithms -&gt; " in html
    assert "Transformers -&gt; Exponentials and Logarithms" in html
    assert Prerequisite.objects.count() == edges_before
    assert Concept.objects.get(pk=exponentials.pk).summary != "Changed summary."


def test_the_change_page_shows_figures_and_a_view_on_site_link(author):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    html = author.get(f"/admin/techtree/concept/{softmax.pk}/change/").content.decode()
    assert softmax.bottleneck >= 2 and f"Bottleneck: {softmax.bottleneck}" in html
    assert "every route to them passes through it" in html
    assert "View on site" in html
    assert "Sequence Masking (causal and padding masks)" in html  # unlocks, read-only


def test_the_list_searches_and_filters(author):
    html = author.get("/admin/techtree/concept/?q=softmax").content.decode()
    assert "Softmax and Logits" in html and "Calibration" not in html
    html = author.get("/admin/techtree/concept/?difficulty__exact=5").content.decode()
    assert "Transformers" in html and "Calibration" not in html
    html = author.get("/admin/techtree/concept/?domain=Mathematics").content.decode()
    assert "Vectors and Dot Products" in html and "Transformers" not in html


def test_prerequisites_autocomplete(author):
    response = author.get(
        "/admin/autocomplete/",
        {"term": "soft", "app_label": "techtree", "model_name": "prerequisite",
         "field_name": "prerequisite"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Softmax and Logits" in {item["text"] for item in response.json()["results"]}


def test_deleting_a_concept_refreshes_the_figures(author):
    masking = Concept.objects.get(slug="sequence-masking")
    response = author.post(f"/admin/techtree/concept/{masking.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Concept.objects.get(slug="transformers").depth == 3  # was 4 through masking
