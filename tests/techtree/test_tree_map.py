"""The tree map's JSON: overview, tiles, neighbourhoods, find and a learner's statuses."""

import itertools

import networkx as nx
import pytest
from django.db import connection
from django.utils import timezone

from quizzes.models import ConceptProgress
from techtree import graph, selectors, services, tree_map, versions
from techtree.layout import COLUMN
from techtree.loading import load_synthetic_tree
from techtree.models import Concept

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(demo_tree, monkeypatch):
    """The demo tree plus 300 synthetic concepts, drawn as a large tree (overview mode)."""
    load_synthetic_tree(300)
    monkeypatch.setattr(tree_map, "FULL_MAP_CONCEPTS", 100)
    versions.content_changed()
    return Concept.objects.filter(published=True).count()


def published_dag() -> nx.DiGraph:
    data = selectors.tree_data()
    slugs = {c.pk: c.slug for c in data.concepts}
    return graph.build_graph(slugs.values(), [(slugs[p], slugs[c]) for p, c in data.edges])


def test_a_small_tree_comes_whole_with_server_positions(client, demo_tree):
    data = client.get("/map/overview.json").json()
    published = Concept.objects.filter(published=True)
    assert data["mode"] == "full" and data["size"] == published.count()
    assert {n["id"] for n in data["nodes"]} == set(published.values_list("slug", flat=True))
    assert ["softmax-and-logits", "transformers"] in data["edges"]
    by_slug = {c.slug: c for c in published}
    for node in data["nodes"]:
        concept = by_slug[node["id"]]
        assert (node["x"], node["y"]) == (concept.map_x, concept.map_y)
        assert node["url"] == concept.get_absolute_url()
    rows = {}
    for node in data["nodes"]:
        rows.setdefault(node["y"], []).append(node["x"])
    for xs in rows.values():  # no two boxes overlap in a row
        xs.sort()
        assert all(b - a >= COLUMN for a, b in itertools.pairwise(xs))
    assert "status" not in str(data)  # the same for everyone: statuses come separately


def test_unpublished_concepts_are_left_out(client, demo_tree):
    Concept.objects.filter(slug="calibration").update(published=False)
    services.refresh_graph_figures()
    data = client.get("/map/overview.json").json()
    assert "calibration" not in {n["id"] for n in data["nodes"]}
    assert client.get("/map/concepts/calibration.json").status_code == 404


def test_a_large_tree_comes_as_clusters_with_counts(client, large):
    data = client.get("/map/overview.json").json()
    assert data["mode"] == "overview" and data["size"] == large
    assert "nodes" not in data
    assert sum(c["count"] for c in data["clusters"]) == large
    assert sum(c["roots"] for c in data["clusters"]) == Concept.objects.filter(depth=0).count()
    for cluster in data["clusters"]:
        first, last = cluster["depths"]
        inside = Concept.objects.filter(
            published=True, domain=cluster["domain"], depth__gte=first, depth__lte=last
        )
        assert inside.count() == cluster["count"]
        assert cluster["x"] == min(inside.values_list("map_x", flat=True))


def test_tiles_hold_every_concept_once(client, large):
    data = client.get("/map/overview.json").json()
    band, width = data["band"], data["tile_width"]
    seen = []
    columns = int(max(Concept.objects.values_list("map_x", flat=True)) // width) + 1
    for row in range(-(-(max(Concept.objects.values_list("depth", flat=True)) + 1) // band)):
        for column in range(columns):
            tile = client.get(f"/map/tiles/{row}/{column}.json").json()
            assert len(tile["nodes"]) <= tree_map.TILE_COLUMNS * band  # one slot, one concept
            seen += [n["id"] for n in tile["nodes"]]
            ids = {n["id"] for n in tile["nodes"]}
            assert all(target in ids for _, target in tile["edges"])
    assert sorted(seen) == sorted(Concept.objects.values_list("slug", flat=True))
    assert client.get("/map/tiles/99/99.json").json() == {"nodes": [], "edges": []}


@pytest.mark.parametrize("slug", ["softmax-and-logits", "logit-evolution", "synthetic-000150"])
def test_a_neighbourhood_is_everything_behind_and_ahead(client, large, slug):
    data = client.get(f"/map/concepts/{slug}.json").json()
    dag = published_dag()
    assert set(data["behind"]) == nx.ancestors(dag, slug)
    assert set(data["ahead"]) == nx.descendants(dag, slug)
    concept = Concept.objects.get(slug=slug)
    assert data["behind_total"] == concept.prerequisite_count
    assert data["ahead_total"] == concept.reach
    assert data["path"] == [c.slug for c in selectors.concept_view(slug).path]
    shown = {n["id"] for n in data["nodes"]}
    assert shown == {slug, *data["behind"], *data["ahead"]}
    assert {tuple(e) for e in data["edges"]} == set(dag.subgraph(shown).edges)


def test_a_neighbourhood_is_capped(client, large, monkeypatch):
    monkeypatch.setattr(tree_map, "AHEAD_LIMIT", 10)
    root = Concept.objects.filter(depth=0).order_by("-reach").first()
    data = client.get(f"/map/concepts/{root.slug}.json").json()
    assert len(data["ahead"]) == 10 and data["ahead_total"] == root.reach > 10
    assert data["ahead_batch"] == tree_map.AHEAD_BATCH  # the map draws these at a time


def test_an_unknown_concept_is_a_json_404(client, demo_tree):
    response = client.get("/map/concepts/no-such-thing.json")
    assert response.status_code == 404 and "no-such-thing" in response.json()["error"]


def test_find_offers_matching_titles(client, demo_tree):
    found = client.get("/map/find.json", {"q": "softmax"}).json()["found"]
    assert {"id": "softmax-and-logits", "title": "Softmax and Logits"} in found
    assert client.get("/map/find.json", {"q": " "}).json() == {"found": []}
    assert client.get("/map/find.json", {"q": "x" * 5000}).status_code == 200


def test_find_past_the_search_bound_is_bounded_too(client, large, monkeypatch):
    """A word in most concepts: the find box lists FIND_LIMIT of the bounded set, titles
    holding the word first, in the queries of a search page past the bound."""
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 30)
    placed = Concept.objects.filter(map_x__isnull=False, slug__startswith="synthetic")
    assert placed.count() > 30
    titled = placed.order_by("-pk").first()  # found last by id: only its title brings it in
    Concept.objects.filter(pk=titled.pk).update(title="Made by hand")
    # Found late, and what ranking them all would put first: the word thrice in a summary.
    wordy = placed.exclude(pk=titled.pk).order_by("-pk")[:5].values_list("pk", flat=True)
    Concept.objects.filter(pk__in=list(wordy)).update(summary="Made, made and made again.")
    first = placed.exclude(pk=titled.pk).order_by("pk")[:30].values_list("slug", flat=True)
    found = client.get("/map/find.json", {"q": "made"}).json()["found"]
    assert len(found) == tree_map.FIND_LIMIT
    assert {f["id"] for f in found} - {titled.slug} <= set(first)  # not all 300 ranked
    if connection.vendor == "sqlite":  # PostgreSQL's bounded set has no title-only part
        assert found[0] == {"id": titled.slug, "title": "Made by hand"}


def test_endpoints_are_cached_per_content_version(
    client, large, django_assert_num_queries, django_capture_on_commit_callbacks
):
    urls = [
        "/map/overview.json",
        "/map/tiles/0/0.json",
        "/map/concepts/softmax-and-logits.json",
    ]
    first = [client.get(url).json() for url in urls]
    for url in urls:
        with django_assert_num_queries(2):  # the content version, then the cached fragment
            client.get(url)
    concept = Concept.objects.get(slug="softmax-and-logits")
    concept.title = "Softmax, renamed"
    with django_capture_on_commit_callbacks(execute=True):
        concept.save()  # a new content version once it commits: the next read builds afresh
    again = client.get(urls[2]).json()
    assert first[2]["nodes"] != again["nodes"]
    assert "Softmax, renamed" in str(again)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", password="pw")


def master(learner, *slugs, started_only=()):
    now = timezone.now()
    ConceptProgress.objects.bulk_create(
        [
            ConceptProgress(learner=learner, concept=c, started=now, mastered=now)
            for c in Concept.objects.filter(slug__in=slugs)
        ]
        + [
            ConceptProgress(learner=learner, concept=c, started=now)
            for c in Concept.objects.filter(slug__in=started_only)
        ]
    )


def test_statuses_need_a_learner(client, demo_tree):
    assert client.get("/map/statuses.json").json() == {"statuses": {}, "clusters": {}}


def test_a_small_trees_statuses_match_the_dashboards(client, demo_tree, ada):
    roots = list(Concept.objects.filter(depth=0).values_list("slug", flat=True))
    master(ada, *roots, started_only=["transformers"])
    client.force_login(ada)
    statuses = client.get("/map/statuses.json").json()["statuses"]
    assert {statuses[slug] for slug in roots} == {"mastered"}
    assert statuses["softmax-and-logits"] == "available"
    assert statuses["transformers"] == "locked"  # started, but a prerequisite is missing
    assert len(statuses) == Concept.objects.filter(published=True).count()


def test_neighbourhood_and_tile_statuses(client, large, ada):
    roots = list(Concept.objects.filter(depth=0).values_list("slug", flat=True))
    master(ada, *roots)
    client.force_login(ada)
    around = client.get("/map/statuses.json", {"concept": "softmax-and-logits"}).json()
    assert around["statuses"]["softmax-and-logits"] == "available"
    assert around["statuses"]["transformers"] == "locked"
    tile = client.get("/map/statuses.json", {"tile": "0,0"}).json()["statuses"]
    assert tile and set(tile) == {
        n["id"] for n in client.get("/map/tiles/0/0.json").json()["nodes"]
    }
    assert client.get("/map/statuses.json", {"tile": "a,b"}).status_code == 400


def test_cluster_counts_are_the_learners_statuses_counted(client, large, ada):
    roots = list(Concept.objects.filter(depth=0).values_list("slug", flat=True))
    busiest = Concept.objects.filter(depth=1).order_by("-reach", "slug").last().slug
    master(ada, *roots, "synthetic-000001", started_only=[busiest, "synthetic-000150"])
    client.force_login(ada)
    counts = client.get("/map/statuses.json").json()["clusters"]
    # The reference: every concept's status from the whole tree, counted per cluster.
    from quizzes.selectors import learner_statuses

    data = selectors.tree_data()
    status = learner_statuses(ada, [c.pk for c in data.concepts], data.edges)
    band = client.get("/map/overview.json").json()["band"]
    expected = {}
    for c in data.concepts:
        cell = expected.setdefault(tree_map.cluster_id(c.domain, c.depth // band), {})
        cell[status[c.pk].value] = cell.get(status[c.pk].value, 0) + 1
    shown = {key: {s: n for s, n in cell.items() if n} for key, cell in counts.items()}
    assert shown == expected


@pytest.mark.parametrize("extra", [0, 300])
def test_status_queries_do_not_grow_with_the_tree(
    client, demo_tree, ada, extra, monkeypatch, django_assert_num_queries
):
    if extra:
        load_synthetic_tree(extra)
    monkeypatch.setattr(tree_map, "FULL_MAP_CONCEPTS", 10)  # both sizes as large trees
    versions.content_changed()
    master(ada, *Concept.objects.filter(depth=0).values_list("slug", flat=True))
    client.force_login(ada)
    client.get("/map/statuses.json")  # the overview and the session exist from now on
    # session, user, content version, overview; progress, unlocks of it, their edges, the
    # provider's three reads (progress, reviews due, placed), where the concepts are
    with django_assert_num_queries(11):
        client.get("/map/statuses.json")
    client.get("/map/statuses.json", {"concept": "softmax-and-logits"})
    # session, user, version, neighbourhood; slugs to ids, edges, the provider's three
    with django_assert_num_queries(9):
        client.get("/map/statuses.json", {"concept": "softmax-and-logits"})


def test_layout_refresh_moves_only_what_moved(demo_tree, django_capture_on_commit_callbacks):
    assert services.refresh_layout() == 0  # the load already placed everything
    Concept.objects.filter(slug="transformers").update(map_x=None)
    before = versions.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.refresh_layout() == 1
    assert versions.content_version() != before  # the map's cached JSON is built afresh
    assert Concept.objects.filter(published=True, map_x__isnull=True).count() == 0
    Concept.objects.filter(slug="calibration").update(published=False)
    services.refresh_graph_figures()
    assert Concept.objects.get(slug="calibration").map_x is None  # not on the map
