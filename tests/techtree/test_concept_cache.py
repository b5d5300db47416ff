"""The concept page's graph part comes from the shared cache, per content version: built
once, replaced by any content save, never mixing staff and learners; what is the learner's
own (their status) stays correct right after an attempt."""

import uuid

import pytest

from quizzes.models import Problem
from quizzes.progress import record_attempt
from techtree import views
from techtree.models import Concept, Prerequisite

SLUG = "softmax-and-logits"


@pytest.fixture
def builds(monkeypatch):
    """Every build of a concept's graph part, by slug."""
    calls = []
    build = views.concept_graph

    def counting(slug, **kwargs):
        calls.append(slug)
        return build(slug, **kwargs)

    monkeypatch.setattr(views, "concept_graph", counting)
    return calls


def test_the_graph_part_is_built_once_per_content_version(client, demo_tree, builds):
    first = client.get(f"/concepts/{SLUG}/").content
    second = client.get(f"/concepts/{SLUG}/").content
    assert builds == [SLUG]
    assert 'aria-labelledby="path-heading"' in second.decode()
    assert first.count(b"<li") == second.count(b"<li")


def test_a_saved_concept_shows_at_once(
    client, demo_tree, builds, django_capture_on_commit_callbacks
):
    client.get(f"/concepts/{SLUG}/")
    prerequisite = Concept.objects.get(slug=SLUG).unlock_links.first().prerequisite
    with django_capture_on_commit_callbacks(execute=True):
        prerequisite.title = "A renamed prerequisite"
        prerequisite.save()
    html = client.get(f"/concepts/{SLUG}/").content.decode()
    assert "A renamed prerequisite" in html
    assert builds == [SLUG, SLUG]


def test_a_new_prerequisite_shows_at_once(client, demo_tree, django_capture_on_commit_callbacks):
    concept = Concept.objects.get(slug=SLUG)
    leaf = Concept.objects.filter(published=True, depth=0).exclude(slug=SLUG).last()
    client.get(f"/concepts/{SLUG}/")
    assert leaf.get_absolute_url() not in _aside(client.get(f"/concepts/{SLUG}/"))
    with django_capture_on_commit_callbacks(execute=True):
        Prerequisite.objects.create(concept=concept, prerequisite=leaf)
    assert leaf.get_absolute_url() in _aside(client.get(f"/concepts/{SLUG}/"))


def test_a_renamed_or_removed_problem_shows_at_once(
    client, demo_tree, django_capture_on_commit_callbacks
):
    # The concept's problems are kept per content version too (quizzes.selectors).
    problems = list(Problem.objects.filter(concept__slug=SLUG).order_by("order")[:2])
    assert problems[0].title in client.get(f"/concepts/{SLUG}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        problems[0].title = "A renamed problem"
        problems[0].save()
        problems[1].delete()
    html = client.get(f"/concepts/{SLUG}/").content.decode()
    assert "A renamed problem" in html
    assert problems[1].title not in html


def test_staff_and_learners_do_not_share_an_unpublished_page(client, admin_client, demo_tree):
    Concept.objects.filter(slug=SLUG).update(published=False)  # as a bulk edit would
    assert admin_client.get(f"/concepts/{SLUG}/").status_code == 200
    assert client.get(f"/concepts/{SLUG}/").status_code == 404


def test_a_learners_status_changes_right_after_an_attempt(client, demo_tree, django_user_model):
    learner = django_user_model.objects.create_user("ada", password="pw")
    client.force_login(learner)
    root = Concept.objects.filter(published=True, depth=0, problems__isnull=False).first()
    assert 'data-status="available"' in client.get(root.get_absolute_url()).content.decode()
    problem = Problem.objects.filter(concept=root).first()
    record_attempt(learner=learner, problem=problem, raw="12345", submission=uuid.uuid4())
    html = client.get(root.get_absolute_url()).content.decode()
    assert 'data-status="in progress"' in html


def _aside(response) -> str:
    html = response.content.decode()
    return html[html.index('<aside class="concept-aside">') : html.index("</aside>")]
