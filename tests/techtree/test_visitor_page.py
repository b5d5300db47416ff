"""A visitor's concept page is kept whole in the shared cache, its reader parts (practice,
status, ratings) filled in per request: what every visitor sees is the page the templates
render for them, a content save or a rating shows at once, and each response has its own
CSRF token."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

import quizzes.pages
from feedback import services
from techtree import marks, versions, views
from techtree.models import Concept

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="[^"]+"')


def per_response(html: str) -> str:
    """A page without what differs in every response: CSRF tokens and submission ids."""
    return SUBMISSION.sub("", TOKEN.sub("", html))


def rendered_for_each_request(client: Client, path: str, monkeypatch) -> str:
    """The page as rendered when nothing of it is kept whole (its cards are kept still)."""
    with monkeypatch.context() as patch:
        patch.setattr(views, "kept_for_visitors", lambda request, slug: False)
        patch.setattr(quizzes.pages, "section_kept", lambda request, view, feedback: False)
        return client.get(path).content.decode()


def test_the_kept_page_is_the_page_rendered_for_the_visitor(client, demo_tree, monkeypatch):
    concepts = list(Concept.objects.filter(published=True))
    assert len(concepts) > 20
    for concept in concepts:
        path = concept.get_absolute_url()
        client.get(path)  # the visitor's cards are kept from their second view on
        kept = client.get(path).content.decode()
        assert "<!--" + "reader-part" not in kept and marks.CSRF_TOKEN not in kept
        assert marks.address_mark() not in kept
        assert per_response(kept) == per_response(
            rendered_for_each_request(client, path, monkeypatch)
        ), concept.slug


def test_two_visitors_share_the_page_but_not_their_numbers(demo_tree):
    path = reverse("techtree:concept", args=["softmax-and-logits"])
    first, second = Client(), Client()
    pages = [c.get(path).content.decode() for c in (first, second, first, second)]
    version = versions.content_version()
    key = versions._fragment_key(version, f"visitor-page:softmax-and-logits:{marks.tag()}")
    assert cache.get(key) is not None
    practice = re.compile(r'<section id="practice".*?</section>', re.S)
    assert practice.search(pages[2])[0] != practice.search(pages[3])[0]  # their own numbers
    assert practice.sub("", per_response(pages[2])) == practice.sub("", per_response(pages[3]))


def test_each_response_has_its_own_token_for_the_visitors_cookie(demo_tree):
    path = reverse("techtree:concept", args=["softmax-and-logits"])
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    html = client.get(path).content.decode()
    tokens = TOKEN.findall(html)
    assert len(tokens) > 10  # report forms of the examples and cards
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    again = TOKEN.findall(client.get(path).content.decode())
    assert again[0] != tokens[0]  # masked afresh in every response (BREACH)


def test_a_content_save_shows_on_the_kept_page_at_once(
    client, demo_tree, django_capture_on_commit_callbacks
):
    concept = Concept.objects.get(slug="softmax-and-logits")
    client.get(concept.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        concept.summary = "A summary saved a moment ago."
        concept.save()
    assert "A summary saved a moment ago." in client.get(concept.get_absolute_url()).text


def test_a_rating_shows_on_the_next_visitors_page(
    client, demo_tree, django_user_model, monkeypatch, django_capture_on_commit_callbacks
):
    concept = Concept.objects.get(slug="softmax-and-logits")
    assert "Not rated yet." in client.get(concept.get_absolute_url()).text
    learner = django_user_model.objects.create_user("ada", password="pw")
    monkeypatch.setattr(services, "has_practised", lambda learner, concept: True)
    with django_capture_on_commit_callbacks(execute=True):
        services.rate(learner=learner, concept=concept, stars=4)  # no content save
    assert "from 1 rating" in client.get(concept.get_absolute_url()).text


def test_an_address_with_a_query_is_rendered_for_it(client, demo_tree):
    path = reverse("techtree:concept", args=["softmax-and-logits"])
    html = client.get(path + "?from=a&b=c").text
    assert "?next=/concepts/softmax-and-logits/%3Ffrom%3Da%26b%3Dc" in html  # log-in link
    assert "?next=/concepts/softmax-and-logits/%3Ffrom" not in client.get(path).text


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own(demo_tree):
    concept = Concept.objects.get(slug="softmax-and-logits")
    request = RequestFactory().get(concept.get_absolute_url())
    request.user = type("Visitor", (), {"is_authenticated": False})()
    request.session = {}
    request._messages = FallbackStorage(request)
    assert views.kept_for_visitors(request, concept.slug)
    request._messages.add(20, "Your answer was saved.")
    assert not views.kept_for_visitors(request, concept.slug)
    assert len(get_messages(request)) == 1  # still there, for the page to show
