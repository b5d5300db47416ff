"""Practice cards come rendered from the shared cache (quizzes.fragments), per content version,
secret seed and the reader's state: the same HTML as rendered afresh, built once, replaced by
an author's edit, never another reader's numbers, and no seed in the page or a cache key."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from quizzes import fragments, practice_seeds
from quizzes.models import Problem
from quizzes.selectors import ProblemCard
from techtree import marks
from tests.quizzes.solving import mark_mastered, visitor_seed_of

SLUG = "softmax-and-logits"
PAGE = f"/concepts/{SLUG}/"
PREREQUISITES = ("exponentials-and-logarithms", "probability-distributions")
CARD = re.compile(r'<article class="problem card.*?</article>', re.S)
STATEMENT = re.compile(r'<div class="statement prose">.*?</div>', re.S)


@pytest.fixture
def builds(monkeypatch):
    """Every problem instance built, as (problem id, seed)."""
    calls = []
    instance = Problem.instance

    def counting(self, seed):
        calls.append((self.pk, seed))
        return instance(self, seed)

    monkeypatch.setattr(Problem, "instance", counting)
    return calls


@pytest.fixture
def written(monkeypatch):
    """Everything written to the shared cache, by key."""
    kept = {}
    set_many, set_one = cache.set_many, cache.set
    monkeypatch.setattr(
        cache, "set_many", lambda d, *a, **k: kept.update(d) or set_many(d, *a, **k)
    )
    monkeypatch.setattr(
        cache, "set", lambda key, v, *a, **k: kept.update({key: v}) or set_one(key, v, *a, **k)
    )
    return kept


def _cards(html: str) -> list[str]:
    return CARD.findall(html)


def test_a_cached_card_is_the_card_rendered_afresh(demo_tree, rf):
    problems = list(Problem.objects.filter(concept__slug=SLUG).select_related("concept"))
    assert len(problems) >= 5
    learner = get_user_model()(username="ada")
    request = rf.get(PAGE + "?from=tree&x=1")  # an address that needs escaping
    for problem in problems:
        seed = practice_seeds.browser_seed("a-browser-secret", problem.pk)
        states = [
            {},
            {"hints_shown": 1},
            {"solution_shown": True},
            {"solved": True},
            {"attempts": problem.max_attempts},
        ]
        for state in states:
            for user in (AnonymousUser(), learner):
                request.user = user
                card = ProblemCard(problem, None, seed, **state)
                context = {"card": card, "csrf_token": "Tok3n"}
                fresh = render_to_string(fragments.TEMPLATE, context, request=request)
                assert "report-problem" in fresh and "?from=tree&amp;x=1#problem-" in fresh
                marked = fragments.render_card(
                    card, signed_in=user.is_authenticated, request=request
                )
                assert "Tok3n" not in marked and "tree" not in marked
                cached = marks.fill(  # the page fills the token and the address
                    fragments.fill(marked, submission=card.submission),
                    csrf_token="Tok3n",
                    address=request.get_full_path(),
                )
                assert cached == fresh


def test_a_later_view_builds_no_problem_and_shows_the_same_cards(client, demo_tree, builds):
    count = Problem.objects.filter(concept__slug=SLUG).count()
    client.get(PAGE)  # a visitor's first view draws their seeds
    first = client.get(PAGE).content.decode()
    assert len(builds) == 2 * count
    second = client.get(PAGE).content.decode()
    assert len(builds) == 2 * count  # nothing built again

    def plain(html):  # without the per-response CSRF token and submission ids
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return re.sub(r'name="submission" value="[^"]*"', "", html)

    assert len(_cards(second)) == count
    assert [plain(c) for c in _cards(second)] == [plain(c) for c in _cards(first)]


def test_cached_cards_carry_this_responses_csrf_token_and_their_own_submissions(demo_tree):
    client = Client(enforce_csrf_checks=True)
    client.get(PAGE)
    html = client.get(PAGE).content.decode()
    assert "<!--csrf-token-->" not in html and "<!--submission-->" not in html
    assert marks.address_mark() not in html
    cards = _cards(html)
    submissions = [re.search(r'name="submission" value="([^"]+)"', c)[1] for c in cards]
    assert len(set(submissions)) == len(cards)
    assert all(uuid.UUID(s) for s in submissions)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cards[0])[1]
    problem = re.search(r'data-problem="(\d+)"', cards[0])[1]
    hint = reverse("quizzes:hint", args=[problem])
    assert client.post(hint, {"csrfmiddlewaretoken": token}).status_code == 302  # not 403


def test_an_edited_problem_shows_at_once(
    client, demo_tree, builds, django_capture_on_commit_callbacks
):
    client.get(PAGE)
    problem = Problem.objects.filter(concept__slug=SLUG).order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        problem.title = "A retitled problem"
        problem.save()
    built = len(builds)
    assert ">A retitled problem</h3>" in client.get(PAGE).content.decode()
    assert len(builds) > built


def test_each_visitor_and_learner_sees_their_own_numbers(client, demo_tree, django_user_model):
    mine = STATEMENT.findall(client.get(PAGE).content.decode())
    theirs = STATEMENT.findall(Client().get(PAGE).content.decode())
    learner = Client()
    learner_user = django_user_model.objects.create_user("ada", password="pw")
    mark_mastered(learner_user, *PREREQUISITES)
    learner.force_login(learner_user)
    learners = STATEMENT.findall(learner.get(PAGE).content.decode())
    assert len(mine) == len(theirs) == len(learners) >= 5
    assert mine != theirs and learners not in (mine, theirs)
    assert STATEMENT.findall(client.get(PAGE).content.decode()) == mine  # from the cache


def test_a_visitors_first_view_caches_no_card(demo_tree, written, builds):
    client = Client()
    count = Problem.objects.filter(concept__slug=SLUG).count()
    client.get(PAGE)  # draws this visitor's seeds
    assert not [key for key in written if "problem-card:" in key] and len(builds) == count
    client.get(PAGE)  # they came back: now their cards are kept
    assert len([key for key in written if "problem-card:" in key]) == count
    client.get(PAGE)
    assert len(builds) == 2 * count  # the third view built nothing


def test_no_secret_seed_in_the_page_or_a_cache_key(client, demo_tree, written):
    client.get(PAGE)
    html = client.get(PAGE).content.decode()
    problems = Problem.objects.filter(concept__slug=SLUG)
    seeds = {str(p.pk): visitor_seed_of(client, p) for p in problems}
    names = [key for key in written if "problem-card:" in key]
    assert len(names) == len(seeds) >= 5
    for problem_id, seed in seeds.items():
        assert str(seed) not in html
        assert not any(str(seed) in key for key in written)
        digest = practice_seeds.seed_digest(seed)
        assert any(f"problem-card:{problem_id}:{digest}:" in key for key in names)
        assert digest != hashlib.sha256(str(seed).encode()).hexdigest()[:32]


def test_the_seed_digest_and_the_address_mark_need_the_secret(settings):
    settings.PRACTICE_SEED_KEY = "one secret"
    first = practice_seeds.seed_digest(123_456_789)
    assert practice_seeds.seed_digest(123_456_789) == first
    assert practice_seeds.seed_digest(123_456_790) != first
    settings.PRACTICE_SEED_KEY = "another secret"
    assert practice_seeds.seed_digest(123_456_789) != first


def test_the_address_mark_needs_the_secret_and_card_names_move_with_it(settings):
    card = ProblemCard(Problem(pk=7), None, 123_456_789)
    settings.SECRET_KEY = "one secret " * 5
    mark, name = marks.address_mark(), fragments.card_name(card, signed_in=False)
    assert marks.address_mark() == mark
    settings.SECRET_KEY = "another secret " * 5
    # a new secret, new names: no cached card keeps a mark that is no longer filled in
    assert marks.address_mark() != mark
    assert fragments.card_name(card, signed_in=False) != name


def test_a_revealed_hint_or_solution_shows_on_the_next_view(client, demo_tree, django_user_model):
    learner = django_user_model.objects.create_user("ada", password="pw")
    mark_mastered(learner, *PREREQUISITES)
    client.force_login(learner)
    client.get(PAGE)
    problem = Problem.objects.filter(concept__slug=SLUG, generator="softmax_probabilities").get()

    def card():
        html = client.get(PAGE).content.decode()
        return next(c for c in _cards(html) if f'data-problem="{problem.pk}"' in c)

    assert card().count("data-hint") == 0
    client.post(reverse("quizzes:hint", args=[problem.pk]))
    assert card().count("data-hint") == 1
    client.post(reverse("quizzes:solution", args=[problem.pk]))
    assert '<details class="solution" open>' in card()
