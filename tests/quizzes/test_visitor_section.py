"""A returning visitor's practice section is kept whole in the shared cache under a keyed
digest of what decides it: every response gives each card a fresh submission id, whatever
the visitor does shows on their next view, and no cache key holds their browser's secret."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from quizzes.models import Problem
from tests.quizzes.solving import visitor_seed_of

pytestmark = pytest.mark.django_db

PAGE = "/concepts/softmax-and-logits/"
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SECTION = re.compile(r'<section id="practice".*?\n</section>', re.S)


def test_each_card_has_a_fresh_submission_id_in_every_response(client, demo_tree):
    client.get(PAGE)
    first = SUBMISSION.findall(client.get(PAGE).text)
    second = SUBMISSION.findall(client.get(PAGE).text)
    count = Problem.objects.filter(concept__slug="softmax-and-logits").count()
    assert len(first) == len(set(first)) == count == len(second)
    assert not set(first) & set(second)


def test_a_hint_shows_on_the_next_view_and_the_rest_stays(client, demo_tree):
    client.get(PAGE)
    before = SECTION.search(client.get(PAGE).text)[0]
    problem = Problem.objects.filter(concept__slug="softmax-and-logits").order_by("order")[0]
    assert len(problem.instance(visitor_seed_of(client, problem)).hints) >= 2

    def hint() -> str:
        address = reverse("quizzes:hint", args=[problem.pk])
        assert client.post(address, headers={"accept": "application/json"}).status_code == 200
        return SECTION.search(client.get(PAGE).text)[0]

    after = hint()
    assert "<li data-hint>" not in before and after.count("<li data-hint>") == 1
    assert hint().count("<li data-hint>") == 2  # the seed was kept already: the hints alone
    card = re.compile(r'<article class="problem card.*?</article>', re.S)
    shown = [TOKEN.sub("", SUBMISSION.sub("", html)) for html in (before, after)]
    changed = [a != b for a, b in zip(card.findall(shown[0]), card.findall(shown[1]), strict=True)]
    assert changed.count(True) == 1  # the same numbers on every other card


def test_no_cache_key_holds_the_browsers_secret(client, demo_tree):
    client.get(PAGE)
    client.get(PAGE)
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM techtree_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any(":practice-section:" in key for key in keys)
    assert not any(secret in key for key in keys)
