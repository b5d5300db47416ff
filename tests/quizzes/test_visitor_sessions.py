"""A visitor who only reads stores nothing: their numbers follow from their browser's secret,
and their session is written when they act on a problem, with that problem's seed in it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from quizzes.models import Problem
from tests.quizzes.solving import visitor_seed_of

pytestmark = pytest.mark.django_db

PAGE = "/concepts/softmax-and-logits/"
CARD = re.compile(r'<article class="problem card.*?data-problem="(\d+)".*?</article>', re.S)
STATEMENT = re.compile(r'<div class="statement prose">.*?</div>', re.S)


def numbers(client: Client) -> dict[str, str]:
    """Each practice card's statement (its numbers), by problem id."""
    html = client.get(PAGE).content.decode()
    cards = {m[1]: m[0] for m in CARD.finditer(html)}
    return {pk: STATEMENT.search(card)[0] for pk, card in cards.items()}


def test_reading_stores_no_session_and_keeps_the_same_numbers(client, demo_tree):
    first = numbers(client)
    assert len(first) >= 5
    assert numbers(client) == first  # the same browser, the same numbers
    assert numbers(Client()) != first  # another browser, its own
    for _ in range(3):  # a crawler without cookies
        Client().get(PAGE)
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_acting_on_a_problem_keeps_its_numbers_whatever_the_browser_secret(client, demo_tree):
    first = numbers(client)
    acted, other = (Problem.objects.get(pk=int(pk)) for pk in list(first)[:2])
    seed = visitor_seed_of(client, acted)
    assert client.post(reverse("quizzes:hint", args=[acted.pk])).status_code == 302
    assert client.session["practice_visitor"]["seeds"] == {str(acted.pk): seed}
    assert Session.objects.count() == 1

    # The browser loses its CSRF cookie (a new secret): what it acted on stays, the rest moves.
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    after = numbers(client)
    assert after[str(acted.pk)] == first[str(acted.pk)]
    assert after[str(other.pk)] != first[str(other.pk)]
