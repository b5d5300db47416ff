"""The dashboard reads only a learner's frontier, never the whole tree: its counts and what
to learn next equal those of every concept's status computed over the whole tree."""

import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes import mastery, selectors
from quizzes.models import ConceptProgress
from techtree.loading import load_synthetic_tree
from techtree.models import Concept, Prerequisite
from techtree.selectors import published_concepts


def whole_tree(learner) -> tuple[dict, list]:
    """Counts and the next five, from every published concept's status (the reference)."""
    concepts = list(published_concepts())
    edges = list(Prerequisite.objects.published().values_list("prerequisite_id", "concept_id"))
    status = selectors.learner_statuses(learner, [c.pk for c in concepts], edges)
    counts = {s: list(status.values()).count(s) for s in mastery.Status}
    needs = {c.pk: set() for c in concepts}
    for prerequisite, concept in edges:
        needs[concept].add(prerequisite)
    mastered = {pk for pk, s in status.items() if s == mastery.Status.MASTERED}
    opens = dict.fromkeys(needs, 0)
    for pk, before in needs.items():
        missing = before - mastered
        if len(missing) == 1 and pk not in mastered:
            opens[next(iter(missing))] += 1
    open_now = (mastery.Status.AVAILABLE, mastery.Status.IN_PROGRESS)
    ranked = sorted(
        (c for c in concepts if status[c.pk] in open_now),
        key=lambda c: (-opens[c.pk], -(c.reach or 0), c.depth or 0, c.title),
    )
    return counts, [(c.slug, opens[c.pk], c.reach or 0) for c in ranked[:5]]


def give_progress(learner, seed: int) -> None:
    """Mastery along down-closed sets, some started concepts, some unpublished ones."""
    rng = random.Random(seed)
    edges = list(Prerequisite.objects.order_by().values_list("prerequisite_id", "concept_id"))
    needs: dict[int, set[int]] = {}
    for prerequisite, concept in edges:
        needs.setdefault(concept, set()).add(prerequisite)
    mastered: set[int] = set()
    for concept in Concept.objects.order_by("depth", "pk"):
        if needs.get(concept.pk, set()) <= mastered and rng.random() < 0.6:
            mastered.add(concept.pk)
    for pk in Concept.objects.values_list("pk", flat=True):
        started = pk in mastered or rng.random() < 0.15
        if started:
            ConceptProgress.objects.create(
                learner=learner,
                concept_id=pk,
                started="2026-01-01T00:00Z",
                mastered="2026-01-02T00:00Z" if pk in mastered else None,
            )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("grown", [False, True], ids=["demo", "plus300"])
def test_counts_and_next_up_equal_the_whole_tree(demo_tree, django_user_model, seed, grown):
    if grown:
        load_synthetic_tree(300)
    learner = django_user_model.objects.create_user(f"l{seed}", password="pw")
    give_progress(learner, seed)
    Concept.objects.filter(pk__in=Concept.objects.order_by("?")[:3]).update(published=False)
    data = selectors.dashboard(learner)
    counts, next_up = whole_tree(learner)
    assert dict(data.counts()) == counts
    assert [(n.concept.slug, n.opens, n.reach) for n in data.next_up] == next_up


def test_a_new_learner_sees_the_roots_open(demo_tree, django_user_model):
    learner = django_user_model.objects.create_user("new", password="pw")
    counts, next_up = whole_tree(learner)
    data = selectors.dashboard(learner)
    assert dict(data.counts()) == counts
    assert counts[mastery.Status.AVAILABLE] > 0
    assert [n.concept.slug for n in data.next_up] == [slug for slug, _, _ in next_up]


def test_past_the_limit_the_dashboard_sends_no_tree(demo_tree, django_user_model, monkeypatch):
    learner = django_user_model.objects.create_user("ada", password="pw")
    assert selectors.dashboard(learner).tree_json() is not None
    monkeypatch.setattr(selectors, "MAP_LIMIT", 10)
    assert selectors.dashboard(learner).tree_json() is None


def test_the_kept_frontier_follows_the_learners_progress(demo_tree, django_user_model):
    learner = django_user_model.objects.create_user("ada", password="pw")
    before = selectors.dashboard(learner)  # kept for the learner's progress: none yet
    give_progress(learner, 0)
    counts, next_up = whole_tree(learner)
    assert dict(before.counts()) != counts
    after = selectors.dashboard(learner)
    assert dict(after.counts()) == counts
    assert [(n.concept.slug, n.opens, n.reach) for n in after.next_up] == next_up


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "computed"])
def test_past_the_limit_the_dashboard_queries_do_not_grow(
    client, demo_tree, django_user_model, django_assert_num_queries, monkeypatch, kept
):
    monkeypatch.setattr(selectors, "MAP_LIMIT", 10)
    if not kept:  # a new name each view: the frontier and what to learn next computed
        names = itertools.count()
        monkeypatch.setattr(selectors, "_path_name", lambda *_: f"path-{next(names)}")
    learner = django_user_model.objects.create_user("ada", password="pw")
    give_progress(learner, 0)
    client.force_login(learner)
    client.get("/dashboard/")  # the tree's facts are in the shared cache from now on
    with CaptureQueriesContext(connection) as small:
        assert client.get("/dashboard/").status_code == 200
    expected = len(small)  # read now: the query log is a bounded deque
    assert expected > 5
    load_synthetic_tree(300)
    client.get("/dashboard/")
    with django_assert_num_queries(expected):
        assert client.get("/dashboard/").status_code == 200


def test_what_to_learn_next_holds_each_concepts_own_fields(demo_tree, django_user_model):
    """The next concepts are made from plain rows (Concept.from_db, fields in the model's
    order): each must hold its own values, and read the rest when asked."""
    load_synthetic_tree(300)
    learner = django_user_model.objects.create_user("ada", password="pw")
    give_progress(learner, 1)
    next_up = selectors.dashboard(learner).next_up
    assert next_up
    for item in next_up:
        stored = Concept.objects.get(pk=item.concept.pk)
        for name in selectors.NEXT_UP_FIELDS:
            assert getattr(item.concept, name) == getattr(stored, name), name
        assert item.concept.summary == stored.summary  # not read with them: read when asked
        assert item.concept.get_absolute_url() == stored.get_absolute_url()
