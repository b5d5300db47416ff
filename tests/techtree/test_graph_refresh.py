"""Refreshing stored figures after a change: the touched region in the request (equal to the
whole tree's networkx reference), or the whole tree by the task worker, marked stale until
then. The admin's own forms drive it."""

import random
from unittest import mock

import networkx as nx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from techtree import graph, services
from techtree.loading import load_synthetic_tree
from techtree.models import Concept, FigureRefresh, Prerequisite
from tests.techtree.test_admin import concept_form

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def run_worker() -> None:
    """`manage.py db_worker --batch`: every queued task, then stop.

    The worker closes any connection it finds inside a transaction (close_old_connections);
    the test's own is one, so it is left open here.
    """
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def reference() -> dict[int, tuple]:
    """Every concept's stored figures as the networkx reference computes them (None if
    unpublished)."""
    concepts = list(Concept.objects.all())
    live = [c for c in concepts if c.published]
    edges = list(Prerequisite.objects.published().values_list("prerequisite", "concept"))
    figures = graph.compute_figures(
        graph.build_graph([c.pk for c in live], edges),
        {c.pk: c.minutes for c in live},
        {c.pk: c.atoms for c in live},
    )
    unplaced = (None,) * len(graph.STORED_FIGURES)
    return {
        c.pk: tuple(getattr(figures[c.pk], f.name) for f in graph.STORED_FIGURES)
        if c.published
        else unplaced
        for c in concepts
    }


def stored() -> dict[int, tuple]:
    return {
        pk: tuple(rest) for pk, *rest in Concept.objects.values_list("pk", *graph.FIGURE_FIELDS)
    }


def test_random_edits_refresh_only_their_region_and_equal_the_whole_tree(monkeypatch):
    load_synthetic_tree(250, seed=3)
    hidden = list(Concept.objects.order_by("?")[:12])
    Concept.objects.filter(pk__in=[c.pk for c in hidden]).update(published=False)
    services.refresh_graph_figures()
    monkeypatch.setattr(services, "refresh_graph_figures", lambda: pytest.fail("whole tree"))
    rng = random.Random(7)
    ids = sorted(Concept.objects.values_list("pk", flat=True))
    ways = {"region": 0, "nothing": 0}
    for _ in range(40):
        g = nx.DiGraph(list(Prerequisite.objects.order_by().values_list("prerequisite", "concept")))
        g.add_nodes_from(ids)
        added, removed, retimed = set(), set(), []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["add", "add", "remove", "retime"])
            if kind == "add":
                p, c = rng.sample(ids, 2)
                if g.has_edge(p, c) or nx.has_path(g, c, p):
                    continue
                g.add_edge(p, c)
                Prerequisite.objects.create(prerequisite_id=p, concept_id=c)
                added.add((p, c))
            elif kind == "remove":
                edge = rng.choice(sorted(set(g.edges) - added))
                g.remove_edge(*edge)
                Prerequisite.objects.filter(prerequisite_id=edge[0], concept_id=edge[1]).delete()
                removed.add(edge)
            else:
                concept = Concept.objects.get(pk=rng.choice(ids))
                concept.minutes += 5
                concept.core_concepts += "\nOne more idea"
                concept.save()
                retimed.append(concept.pk)
        way = services.refresh_figures_after(added=added, removed=removed, concepts=retimed)
        ways[way] += 1
        assert stored() == reference()
    assert ways["region"] > 30


def test_an_edge_of_an_unpublished_concept_moves_nothing():
    load_synthetic_tree(30)
    other = Concept.objects.filter(depth=0).first()
    hidden = Concept.objects.create(
        slug="draft", title="Draft", summary="Not yet.", domain="X", difficulty=1, minutes=5,
        published=False,
    )  # fmt: skip
    services.refresh_graph_figures()
    before = stored()
    Prerequisite.objects.create(prerequisite=hidden, concept=other)
    assert services.refresh_figures_after(added={(hidden.pk, other.pk)}) == "nothing"
    assert stored() == before == reference()


@pytest.fixture
def author(db):
    call_command("create_demo_users", verbosity=0)
    client = Client()
    client.force_login(get_user_model().objects.get(username="author"))
    return client


def change_url(concept: Concept) -> str:
    return f"/admin/techtree/concept/{concept.pk}/change/"


def test_the_admin_saves_and_removes_an_edge_refreshing_only_its_region(author, monkeypatch):
    load_synthetic_tree(400, seed=1)
    monkeypatch.setattr(services, "refresh_graph_figures", lambda: pytest.fail("whole tree"))
    deepest = Concept.objects.order_by("-depth", "pk").first()
    root = Concept.objects.filter(depth=0).exclude(unlocks=deepest).order_by("pk").first()
    response = author.post(change_url(deepest), concept_form(deepest, [root]))
    assert response.status_code == 302
    assert Prerequisite.objects.filter(prerequisite=root, concept=deepest).exists()
    assert stored() == reference()

    data = concept_form(deepest)
    edges = [edge.prerequisite_id for edge in deepest.prerequisite_links.all()]
    data[f"prerequisite_links-{edges.index(root.pk)}-DELETE"] = "on"
    assert author.post(change_url(deepest), data).status_code == 302
    assert not Prerequisite.objects.filter(prerequisite=root, concept=deepest).exists()
    assert stored() == reference()

    deepest.refresh_from_db()
    response = author.post(change_url(deepest), concept_form(deepest, minutes="80"))
    assert response.status_code == 302
    assert stored() == reference()

    # The map's layout is the whole tree's: saves queue it for the task worker, and three
    # saves in a row queue one, as the layout waiting reads the tree when it runs.
    layouts = DBTaskResult.objects.filter(task_path="techtree.tasks.refresh_map_layout")
    assert layouts.count() == 1
    Concept.objects.filter(pk=deepest.pk).update(map_x=None)
    run_worker()
    assert {task.status for task in layouts} == {"SUCCESSFUL"}
    assert Concept.objects.get(pk=deepest.pk).map_x is not None
    assert services.refresh_layout() == 0
    # Once that one has run (or while it runs), the next change queues a new one.
    services.queue_layout_refresh()
    assert layouts.all().count() == 2  # all(): `layouts` holds its rows from the loop above
    assert layouts.filter(status="READY").count() == 1


def test_the_edge_admin_adds_and_deletes_edges_refreshing_only_their_region(author, monkeypatch):
    load_synthetic_tree(200, seed=2)
    monkeypatch.setattr(services, "refresh_graph_figures", lambda: pytest.fail("whole tree"))
    deepest = Concept.objects.order_by("-depth", "pk").first()
    root = Concept.objects.filter(depth=0).exclude(unlocks=deepest).order_by("pk").first()
    response = author.post(
        "/admin/techtree/prerequisite/add/", {"prerequisite": root.pk, "concept": deepest.pk}
    )
    assert response.status_code == 302
    assert stored() == reference()
    edge = Prerequisite.objects.get(prerequisite=root, concept=deepest)
    response = author.post(f"/admin/techtree/prerequisite/{edge.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert stored() == reference()


def queue_by_a_save(author, settings, on_commit) -> tuple[Concept, Concept]:
    """Save an edge whose region exceeds the inline limit: the whole tree is queued."""
    load_synthetic_tree(120, seed=4)
    settings.GRAPH_REFRESH_INLINE_LIMIT = 3
    deepest = Concept.objects.order_by("-depth", "pk").first()
    root = Concept.objects.filter(depth=0).exclude(unlocks=deepest).order_by("pk").first()
    assert "out of date" not in author.get(deepest.get_absolute_url()).content.decode()  # cached
    with on_commit(execute=True):  # the save commits: a new content version
        response = author.post(change_url(deepest), concept_form(deepest, [root]))
    assert response.status_code == 302
    return deepest, root


def test_a_large_change_is_queued_marked_stale_and_run_by_the_database_worker(
    author, settings, django_capture_on_commit_callbacks
):
    deepest, root = queue_by_a_save(author, settings, django_capture_on_commit_callbacks)
    refresh = FigureRefresh.objects.waiting()
    assert refresh and refresh.status == "waiting for the worker"
    task = DBTaskResult.objects.get()
    assert task.task_path == "techtree.tasks.refresh_figures"
    assert task.status == "READY"
    assert stored() != reference()  # not yet refreshed...
    page = author.get(change_url(deepest)).content.decode()
    assert "Graph figures are being refreshed (waiting for the worker)" in page  # ...and said
    assert "these may be out of date" in page
    assert "being refreshed" in author.get("/admin/techtree/concept/").content.decode()
    # The region's concepts are marked stale, and learners are told too; the rest are not.
    g = nx.DiGraph(list(Prerequisite.objects.order_by().values_list("prerequisite", "concept")))
    below = {deepest.pk} | nx.descendants(g, deepest.pk)
    region = below | {root.pk} | set().union(*(nx.ancestors(g, n) for n in below | {root.pk}))
    assert set(Concept.objects.filter(figures_stale=True).values_list("pk", flat=True)) == region
    assert len(region) < Concept.objects.count()
    learner_page = author.get(deepest.get_absolute_url()).content.decode()
    assert "these figures may be out of date" in learner_page
    assert "waiting for the worker" in author.get("/admin/techtree/figurerefresh/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # a new content version
        run_worker()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert stored() == reference()
    refresh.refresh_from_db()
    assert refresh.status == "done" and refresh.done == refresh.total > 0
    assert FigureRefresh.objects.waiting() is None
    assert not Concept.objects.filter(figures_stale=True).exists()
    assert "may be out of date" not in author.get(change_url(deepest)).content.decode()
    assert "may be out of date" not in author.get(deepest.get_absolute_url()).content.decode()


def test_deleting_a_concept_in_a_large_tree_marks_every_figure_stale_until_refreshed(
    author, settings
):
    load_synthetic_tree(80, seed=5)
    settings.GRAPH_REFRESH_INLINE_LIMIT = 10
    doomed = Concept.objects.filter(depth=1).first()
    response = author.post(f"/admin/techtree/concept/{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Concept.objects.filter(figures_stale=False).exists()
    assert FigureRefresh.objects.waiting()
    run_worker()
    assert not Concept.objects.filter(figures_stale=True).exists()
    assert stored() == reference()


def test_with_the_immediate_backend_a_large_change_is_refreshed_at_once(
    author, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    queue_by_a_save(author, settings, django_capture_on_commit_callbacks)
    assert FigureRefresh.objects.waiting() is None
    assert FigureRefresh.objects.get().status == "done"
    assert stored() == reference()


def test_while_a_refresh_waits_even_a_small_change_waits_for_it(settings):
    load_synthetic_tree(60)
    services.queue_figure_refresh()
    first = FigureRefresh.objects.get()
    deepest = Concept.objects.order_by("-depth", "pk").first()
    root = Concept.objects.filter(depth=0).exclude(unlocks=deepest).order_by("pk").first()
    Prerequisite.objects.create(prerequisite=root, concept=deepest)
    assert services.refresh_figures_after(added={(root.pk, deepest.pk)}) == "queued"
    second = FigureRefresh.objects.waiting()
    assert second.pk > first.pk
    # The older request gives way to the newer one, which finishes both.
    assert services.run_figure_refresh(first.pk) is False
    assert stored() != reference()
    assert services.run_figure_refresh(second.pk) is True
    assert stored() == reference()
    assert not FigureRefresh.objects.filter(finished=None).exists()


def test_a_refresh_in_a_request_finishes_waiting_ones_and_older_tasks_give_way(settings):
    load_synthetic_tree(40)
    services.queue_figure_refresh()
    waiting = FigureRefresh.objects.get()
    services.refresh_graph_figures()
    assert FigureRefresh.objects.waiting() is None
    assert services.run_figure_refresh(waiting.pk) is False


def test_progress_is_written_batch_by_batch(settings, monkeypatch):
    load_synthetic_tree(50)
    Concept.objects.update(depth=None, reach=None)
    monkeypatch.setattr(services, "REFRESH_BATCH", 20)
    services.queue_figure_refresh()
    refresh = FigureRefresh.objects.get()
    seen = []
    write = services._write_figures

    def spy(rows):
        write(rows)
        refresh.refresh_from_db()
        seen.append(refresh.status)

    monkeypatch.setattr(services, "_write_figures", spy)
    assert services.run_figure_refresh(refresh.pk)
    assert seen == [f"{done} of 50 concepts written" for done in (0, 20, 40)]
    assert FigureRefresh.objects.get().status == "done"
    assert stored() == reference()


def test_a_new_concept_and_a_republished_one_refresh_only_their_region(author, monkeypatch):
    load_synthetic_tree(300, seed=6)
    monkeypatch.setattr(services, "refresh_graph_figures", lambda: pytest.fail("whole tree"))
    deep = list(Concept.objects.order_by("-depth", "pk")[:2])
    response = author.post("/admin/techtree/concept/add/", concept_form(prerequisites=deep))
    assert response.status_code == 302
    assert Concept.objects.get(slug="softmax-regression").prerequisite_count > 2
    assert stored() == reference()

    middle = Concept.objects.filter(depth=3, published=True).order_by("pk").first()
    Concept.objects.filter(pk=middle.pk).update(published=False)
    monkeypatch.undo()
    services.refresh_graph_figures()
    monkeypatch.setattr(services, "refresh_graph_figures", lambda: pytest.fail("whole tree"))
    assert stored() == reference()
    middle.refresh_from_db()
    data = concept_form(middle)
    assert author.post(change_url(middle), data).status_code == 302  # published again
    assert stored() == reference()


def test_deleting_an_unpublished_concept_refreshes_nothing(author, monkeypatch):
    load_synthetic_tree(30)
    draft = Concept.objects.order_by("-pk").first()
    draft.published = False
    draft.save()
    services.refresh_graph_figures()
    monkeypatch.setattr(services, "refresh_whole_tree", lambda: pytest.fail("refreshed"))
    response = author.post(f"/admin/techtree/concept/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert stored() == reference()


def test_a_region_with_unplaced_figures_is_not_trusted_but_queued():
    load_synthetic_tree(60)
    deepest = Concept.objects.order_by("-depth", "pk").first()
    root = Concept.objects.filter(depth=0).exclude(unlocks=deepest).order_by("pk").first()
    Concept.objects.filter(pk=deepest.pk).update(depth=None)  # inside the region
    assert services.refresh_figures_after(concepts=[deepest.pk]) == "queued"
    assert services.run_figure_refresh(FigureRefresh.objects.waiting().pk)
    assert stored() == reference()

    child = Concept.objects.filter(prerequisite_links__prerequisite=root).first()
    Concept.objects.filter(pk=child.pk).update(chain_length=None)  # behind an exit of root
    Prerequisite.objects.create(prerequisite=root, concept=deepest)
    assert services.refresh_figures_after(added={(root.pk, deepest.pk)}) == "queued"
    assert services.run_figure_refresh(FigureRefresh.objects.waiting().pk)
    assert stored() == reference()
