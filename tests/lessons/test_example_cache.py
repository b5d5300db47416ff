"""The concept page's worked examples come rendered from the shared cache, per content version
and seed: built once, shown again without a build, replaced at once by an author's edit; a
learner's own example seeds get their own entries; practice cards only under a keyed digest
of their secret seed."""

import re

import pytest
from django.core.cache import cache

from exercise_templates.models import ExerciseTemplate
from lessons import markup, seeds
from lessons.models import Lesson, WorkedExample
from lessons.selectors import example_item
from quizzes.models import Problem

SLUG = "softmax-and-logits"
PAGE = f"/concepts/{SLUG}/"


@pytest.fixture
def builds(monkeypatch):
    """Every build of a worked example, as (order, seed)."""
    calls = []
    build = WorkedExample.build

    def counting(self, seed):
        calls.append((self.order, seed))
        return build(self, seed)

    monkeypatch.setattr(WorkedExample, "build", counting)
    return calls


def _examples(html: str) -> str:
    """The page's worked-examples section, without the per-response CSRF tokens."""
    section = html[html.index('<section id="worked-examples"') : html.index('id="practice"')]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", section)


def test_a_second_view_builds_no_example_and_shows_the_same(client, demo_tree, builds):
    orders = list(WorkedExample.objects.filter(concept__slug=SLUG).values_list("order", flat=True))
    first = client.get(PAGE).content.decode()
    assert sorted(builds) == [(order, 1) for order in sorted(orders)] and len(orders) > 3
    second = client.get(PAGE).content.decode()
    assert len(builds) == len(orders)  # nothing built again
    assert _examples(second) == _examples(first)
    assert second.count('class="worked-example"') == len(orders)
    assert second.count("Numbers from seed 1<") == len(orders)


def test_a_second_view_reads_the_lesson_and_the_examples_in_one_read(
    client, demo_tree, django_assert_num_queries
):
    client.get(PAGE)
    client.get(PAGE)  # a visitor's cards are cached from their second view
    # the content version, the page every visitor sees, lesson and examples with their
    # report forms included, with the concept's view (one cache read), this visitor's
    # practice section (one cache read), the quality; no session: a visitor who only reads
    # has none
    with django_assert_num_queries(4):
        assert client.get(PAGE).status_code == 200


def test_an_edited_example_shows_at_once(
    client, demo_tree, builds, django_capture_on_commit_callbacks
):
    client.get(PAGE)
    row = WorkedExample.objects.filter(concept__slug=SLUG).order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        row.title = "A retitled example"
        row.save()
    built = len(builds)
    html = client.get(PAGE).content.decode()
    assert f"{row.order}. A retitled example</h3>" in html
    assert len(builds) > built


def test_an_edited_lesson_shows_at_once(client, demo_tree, django_capture_on_commit_callbacks):
    client.get(PAGE)
    lesson = Lesson.objects.get(concept__slug=SLUG)
    with django_capture_on_commit_callbacks(execute=True):
        lesson.body += "\n\nA sentence the author just added.\n"
        lesson.save()
    assert "A sentence the author just added." in client.get(PAGE).content.decode()


def test_an_edited_exercise_template_starts_a_new_content_version(
    demo_tree, django_capture_on_commit_callbacks
):
    from techtree.versions import content_version

    template = ExerciseTemplate.objects.first()
    assert template is not None
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        template.save()
    assert content_version() != before


def test_a_learner_reads_their_own_examples_in_one_more_read(
    client, demo_tree, django_user_model, django_assert_num_queries
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    client.get(PAGE)
    # + the user, their problem and concept progress (their examples take the visitors' read)
    with django_assert_num_queries(10):
        assert client.get(PAGE).status_code == 200


def test_a_learner_sees_their_own_example_numbers(client, demo_tree, builds, django_user_model):
    client.get(PAGE)  # a visitor's view fills the cache with seed 1
    learner = django_user_model.objects.create_user("ada", password="pw")
    client.force_login(learner)
    html = client.get(PAGE).content.decode()
    for row in WorkedExample.objects.filter(concept__slug=SLUG):
        seed = seeds.personal_seed(learner.pk, example_item(SLUG, row.order))
        article = html[html.index(f'id="example-{row.order}"') :]
        assert article.startswith(f'id="example-{row.order}" data-example data-seed="{seed}"')
        assert f"Numbers from seed {seed}<" in article[: article.index("</article>")]
        assert (row.order, seed) in builds


def test_practice_cards_are_cached_under_a_digest_of_their_secret_seed(
    client, demo_tree, monkeypatch
):
    written = {}
    set_many, set_one = cache.set_many, cache.set
    monkeypatch.setattr(
        cache, "set_many", lambda d, *a, **k: written.update(d) or set_many(d, *a, **k)
    )
    monkeypatch.setattr(
        cache, "set", lambda key, v, *a, **k: written.update({key: v}) or set_one(key, v, *a, **k)
    )
    client.get(PAGE)  # a visitor's first view: their seeds are drawn, no card is kept
    response = client.get(PAGE)
    cards = [c for c in response.context["practice"].cards if c.problem.is_generated]
    assert cards and Problem.objects.filter(concept__slug=SLUG).count() == len(
        response.context["practice"].cards
    )
    assert "data-permalink" in repr(written)  # the examples were cached ...
    for card in cards:  # ... and each card, named by a keyed digest of its seed, never the seed
        keys = [key for key in written if f"problem-card:{card.problem.pk}:" in key]
        assert len(keys) == 1
        assert str(card.seed) not in keys[0] and str(card.seed) not in written[keys[0]]
        assert markup.render_markdown(card.instance.statement) in written[keys[0]]


def test_another_visitor_never_gets_a_visitors_practice_numbers(client, demo_tree):
    from django.test import Client

    mine = client.get(PAGE).context["practice"].cards
    theirs = Client().get(PAGE)
    for card in theirs.context["practice"].cards:
        assert card.seed != next(c.seed for c in mine if c.problem.pk == card.problem.pk)


def test_a_cached_example_is_the_example_rendered_afresh(demo_tree, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from lessons import fragments
    from lessons.selectors import ShownExample
    from techtree import marks

    request = rf.get(PAGE + "?from=tree&x=1")  # an address that needs escaping
    request.user = AnonymousUser()
    rows = WorkedExample.objects.filter(concept__slug=SLUG).select_related("concept", "template")
    assert rows.count() > 3
    for row in rows:
        shown = ShownExample(row=row, example=None, seed=4321)
        built = ShownExample(row=row, example=row.build(4321), seed=4321)
        context = {"shown": built, "csrf_token": "Tok3n"}
        fresh = render_to_string(fragments.TEMPLATE, context, request=request)
        assert f"?from=tree&amp;x=1#example-{row.order}" in fresh and "Tok3n" in fresh
        marked = fragments.render_example(shown, request=request)
        assert "Tok3n" not in marked and "tree" not in marked
        cached = marks.fill(marked, csrf_token="Tok3n", address=request.get_full_path())
        assert cached == fresh


def test_cached_examples_carry_this_responses_csrf_token_and_address(demo_tree):
    from django.test import Client

    from techtree import marks

    client = Client(enforce_csrf_checks=True)
    client.get(PAGE + "?from=tree")
    html = client.get(PAGE + "?from=map").content.decode()  # the examples come from the cache
    assert "<!--csrf-token-->" not in html and marks.address_mark() not in html
    examples = _examples(html)
    forms = re.findall(r'<form method="post" action="([^"]+)" data-report-form>', examples)
    assert len(forms) == WorkedExample.objects.filter(concept__slug=SLUG).count()
    assert examples.count(f'value="{PAGE}?from=map#example-') == len(forms)
    form = html[html.index(f'action="{forms[0]}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    response = client.post(
        forms[0],
        {"csrfmiddlewaretoken": token, "seed": "1", "reason": "unclear", "next": PAGE},
    )
    assert response.status_code == 302  # the token the cached form carries is this visitor's
