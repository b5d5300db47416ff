"""Tree, browse and concept pages: content, bad input, and a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from quizzes.mastery import Status
from quizzes.models import ConceptProgress
from techtree.loading import load_synthetic_tree
from techtree.models import Concept

pytestmark = pytest.mark.django_db

SIZES = [0, 300]  # extra synthetic concepts on top of the demo tree


@pytest.fixture(params=SIZES, ids=lambda n: f"plus{n}")
def sized_tree(request, demo_tree):
    if request.param:
        load_synthetic_tree(request.param)
    return request.param


def test_tree_page_lists_every_concept_and_points_the_map_at_its_endpoints(client, demo_tree):
    response = client.get(reverse("techtree:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    for concept in Concept.objects.all():
        assert concept.get_absolute_url() in html
    # The map's data is fetched (cached JSON), not carried by the page.
    assert 'data-map-overview="/map/overview.json"' in html
    assert 'id="tree-data"' not in html and "tree_json" not in response.context
    assert f"Interactive map of {Concept.objects.count()} concepts" in html


def test_the_map_and_the_list_give_each_concept_the_address_its_page_has(client, demo_tree):
    response = client.get(reverse("techtree:tree"))
    nodes = client.get(reverse("techtree:map_overview")).json()["nodes"]
    urls = {node["id"]: node["url"] for node in nodes}
    listed = {row.concept.slug: row.url for _, rows in response.context["levels"] for row in rows}
    for concept in Concept.objects.all():
        assert urls[concept.slug] == listed[concept.slug] == concept.get_absolute_url()


def test_tree_page_has_map_controls_for_scripts_only_and_a_legend(client, demo_tree):
    response = client.get(reverse("techtree:tree"))
    html = response.content.decode()
    assert re.search(r"<form[^>]*data-map-controls[^>]*hidden", html)  # shown by tree.js
    for label in ("Select a concept", "Find by title", "Path to a goal"):
        assert f">{label}</label>" in html
    assert 'aria-live="polite"' in html and "data-map-announce" in html
    assert "Its prerequisites, all drawn above it" in html
    assert "data-legend-status" not in html  # statuses are for learners
    assert response.context["status_legend"] == []
    assert 'style="' not in html  # the Content-Security-Policy allows no inline styles


def test_tree_page_shows_a_learner_their_statuses(client, demo_tree, django_user_model):
    learner = django_user_model.objects.create_user("ada", password="pw")
    roots = Concept.objects.filter(depth=0)
    now = timezone.now()
    ConceptProgress.objects.bulk_create(
        ConceptProgress(learner=learner, concept=c, started=now, mastered=now) for c in roots
    )
    client.force_login(learner)
    response = client.get(reverse("techtree:tree"))
    statuses = client.get(reverse("techtree:map_statuses")).json()["statuses"]
    assert {statuses[c.slug] for c in roots} == {"mastered"}
    assert statuses["softmax-and-logits"] == "available"
    assert statuses["transformers"] == "locked"
    assert 'data-map-statuses="/map/statuses.json"' in response.content.decode()
    html = response.content.decode()
    transformers = html[html.index('href="/concepts/transformers/"') :].split("</li>")[0]
    assert '<span class="status-badge status-locked">locked</span>' in transformers
    legend = [s for s, _ in response.context["status_legend"]]
    assert legend[: len(Status)] == list(Status)  # then the review app's: placed, review due
    html = response.content.decode()
    assert "data-legend-status" in html and "Some prerequisite is not mastered yet." in html
    assert '<span class="status-badge status-mastered">mastered</span>' in html


def test_tree_page_has_a_strict_content_security_policy(client, demo_tree):
    policy = client.get(reverse("techtree:tree")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_concept_page_shows_its_place_in_the_graph(client, demo_tree):
    response = client.get(reverse("techtree:concept", args=["softmax-and-logits"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Softmax and Logits" in html and "★★★☆☆" in html
    for label in ("Depth", "Unlocks", "Prerequisite load", "Reach", "Bottleneck", "Chain length"):
        assert label in html
    assert "every route to them passes through it" in html  # definitions shown beside figures
    view = response.context["view"]
    assert [c.slug for c in view.path][-1] == "softmax-and-logits"
    assert {c.slug for c in view.unlocks} >= {"sequence-masking", "transformers"}


def test_learning_path_orders_prerequisites_first(client, demo_tree):
    view = client.get(reverse("techtree:concept", args=["logit-evolution"])).context["view"]
    seen = set()
    for concept in view.path:
        prerequisites = set(concept.prerequisites.values_list("slug", flat=True))
        assert prerequisites <= seen, f"{concept.slug} comes before {prerequisites - seen}"
        seen.add(concept.slug)
    assert len(view.path) == view.concept.prerequisite_count + 1


def test_unknown_concept_is_a_friendly_404(client, demo_tree):
    response = client.get("/concepts/no-such-thing/")
    assert response.status_code == 404
    assert "no-such-thing" in response.content.decode()
    assert "browse every concept" in response.content.decode()


def test_unpublished_concepts_are_hidden_from_learners(client, admin_client, demo_tree):
    Concept.objects.filter(slug="calibration").update(published=False)
    assert client.get("/concepts/calibration/").status_code == 404
    from techtree import services

    services.refresh_graph_figures()
    assert "calibration" not in str(client.get("/map/overview.json").json())
    assert "/concepts/calibration/" not in client.get("/").content.decode()
    assert admin_client.get("/concepts/calibration/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "domain=Nowhere",
        "difficulty=seven",
        "difficulty=99",
        "q=" + "x" * 5000,
        "page=-3",
        "page=abc",
        "domain=%00&q=%00",
    ],
)
def test_malformed_filters_give_a_clear_page(client, demo_tree, query):
    response = client.get(f"/concepts/?{query}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 0


def test_browse_filters_and_searches(client, demo_tree):
    page = client.get("/concepts/?domain=Mathematics").context["page"]
    assert page.paginator.count == Concept.objects.filter(domain="Mathematics").count() > 0
    page = client.get("/concepts/?difficulty=5").context["page"]
    hardest = Concept.objects.filter(published=True, difficulty=5).values_list("slug", flat=True)
    assert {c.slug for c in page} == set(hardest) >= {"transformers", "softmax-bottleneck"}
    page = client.get("/concepts/?q=softmax").context["page"]
    assert "softmax-and-logits" in {c.slug for c in page}
    response = client.get("/concepts/?domain=Nowhere")
    assert "not one of the available choices" in response.content.decode()


def test_tree_page_queries_do_not_grow_with_the_tree(client, sized_tree, django_assert_num_queries):
    client.get("/")  # the map's overview is in the shared cache from now on
    # the content version, the overview and the rendered page of the list (cache)
    with django_assert_num_queries(3):
        assert client.get("/").status_code == 200


def test_browse_page_queries_do_not_grow_with_the_tree(
    client, sized_tree, django_assert_num_queries
):
    client.get("/concepts/")  # the domains are in the shared cache from now on
    # the content version, the domains and no page kept past the bound (cache), the search's
    # count and page; on PostgreSQL "o" is no word to its full-text search, so nothing
    # matches and no page is read
    searched = 4 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(searched):
        assert client.get("/concepts/?domain=Mathematics&q=o").status_code == 200
    # by title without a search: the version, the domains, the count and the page (cache)
    client.get("/concepts/?domain=Mathematics&page=2")
    with django_assert_num_queries(4):
        assert client.get("/concepts/?domain=Mathematics&page=2").status_code == 200


def test_concept_page_queries_do_not_grow_with_the_tree(
    client, sized_tree, django_assert_num_queries
):
    slug = "logit-evolution"  # the deepest demo concept, in a tree of either size
    client.get(f"/concepts/{slug}/")  # its graph part and lesson are in the shared cache now
    client.get(f"/concepts/{slug}/")  # and this visitor's practice cards (from their 2nd view)
    # the content version (read once), the page as every visitor sees it with the concept's
    # view (cache), this visitor's practice section (cache), its quality; no session (a
    # visitor who only reads has none: their numbers are their browser's)
    with django_assert_num_queries(4):
        assert client.get(f"/concepts/{slug}/").status_code == 200


def test_concept_page_queries_for_a_learner_do_not_grow(
    client, sized_tree, django_assert_num_queries, django_user_model
):
    learner = django_user_model.objects.create_user("ada", password="pw")
    client.force_login(learner)
    slug = "logit-evolution"  # the deepest demo concept, in a tree of either size
    client.get(f"/concepts/{slug}/")
    # + their session, user, the learner's problem progress and concept progress (the
    # quality query also reads their rating and whether they practised)
    with django_assert_num_queries(10):
        assert client.get(f"/concepts/{slug}/").status_code == 200


def test_tree_page_queries_for_a_learner_do_not_grow(
    client, sized_tree, django_assert_num_queries, django_user_model
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    client.get("/")
    # session, user, version, overview and the rendered list (cache), the list's page, the
    # edges into it, progress, the reviews due and the placed (review app)
    with django_assert_num_queries(10):
        assert client.get("/").status_code == 200


def test_the_plain_list_is_paged_and_every_concept_is_on_one_page(client, demo_tree, settings):
    from techtree import selectors
    from techtree.loading import load_synthetic_tree

    load_synthetic_tree(selectors.LIST_PAGE_SIZE + 20)
    total = Concept.objects.filter(published=True).count()
    first = client.get("/")
    assert first.context["listed"].paginator.num_pages == 2
    assert len(first.context["listed"].object_list) == selectors.LIST_PAGE_SIZE
    assert f"Concepts 1–{selectors.LIST_PAGE_SIZE} of {total}." in first.content.decode()
    assert len(client.get("/map/overview.json").json()["nodes"]) == total  # the map has all
    second = client.get("/?list=2")
    listed = {row.concept.pk for _, rows in first.context["levels"] for row in rows}
    listed |= {row.concept.pk for _, rows in second.context["levels"] for row in rows}
    assert len(listed) == total
    assert client.get("/?list=zzz").status_code == 200  # a bad page number shows the first
