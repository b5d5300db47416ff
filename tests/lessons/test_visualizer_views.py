"""The softmax visualizer page and its place on the softmax concept page, through the client.

Without JavaScript the page must still teach: its table holds the engine's own numbers. The
interactive part is driven in tests/browser/test_visualizer.py.
"""

from __future__ import annotations

import math
import re

import pytest
from django.urls import reverse

from lessons import engine
from lessons.selectors import VISUALIZER_LOGITS

pytestmark = pytest.mark.django_db

SOFTMAX = "softmax-and-logits"
VISUALIZER = '<div class="viz" data-softmax-visualizer>'


def cells(html: str, name: str) -> list[float]:
    """The full-precision numbers the table carries in data-<name> attributes."""
    return [float(value) for value in re.findall(rf'data-{name}="([^"]+)"', html)]


def test_the_visualizer_page_renders_the_engines_numbers_for_the_first_preset(client):
    response = client.get(reverse("lessons:visualizer"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Softmax visualizer</h1>" in html
    assert html.count(VISUALIZER) == 1

    assert cells(html, "logit") == list(VISUALIZER_LOGITS)
    # Shown to the reader as well as carried for the test, to the same numbers.
    assert cells(html, "probability") == engine.softmax(VISUALIZER_LOGITS).tolist()
    assert cells(html, "log-probability") == engine.log_softmax(VISUALIZER_LOGITS).tolist()
    [entropy] = cells(html, "entropy")
    assert entropy == engine.entropy_from_logits(VISUALIZER_LOGITS)
    [lse] = cells(html, "logsumexp")
    assert lse == engine.logsumexp(VISUALIZER_LOGITS)
    [total] = cells(html, "total")
    assert math.isclose(total, 1.0, rel_tol=1e-15)
    for p in engine.softmax(VISUALIZER_LOGITS):
        assert f">{p:.6f}</td>" in html
    assert f">{entropy:.6f} nats<" in html


def test_the_first_preset_is_the_one_the_table_shows(client):
    html = client.get(reverse("lessons:visualizer")).content.decode()
    presets = re.findall(r'data-viz-preset="([^"]+)"', html)
    assert len(presets) == 4
    assert [float(z) for z in presets[0].split(",")] == list(VISUALIZER_LOGITS)
    assert "1000, 1001, 999" in presets


def test_the_visualizer_page_works_without_javascript(client):
    html = client.get(reverse("lessons:visualizer")).content.decode()
    # The interactive part waits, hidden, for its script; the explanation and table do not.
    assert re.search(r'<div class="viz-app" data-viz-app hidden>', html)
    assert '<table class="viz-table" data-viz-server-table>' in html
    assert 'src="/static/lessons/visualizer.js"' in html
    assert "exponentiate each, then divide by the total" in html


def test_the_visualizer_page_keeps_the_content_security_policy(client):
    response = client.get(reverse("lessons:visualizer"))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.content.decode()
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script


def test_the_softmax_concept_page_embeds_the_visualizer(client, demo_tree):
    html = client.get(reverse("techtree:concept", args=[SOFTMAX])).content.decode()
    assert html.count(VISUALIZER) == 1
    assert 'src="/static/lessons/visualizer.js"' in html
    assert 'href="/static/lessons/visualizer.css"' in html
    assert f'href="{reverse("lessons:visualizer")}"' in html  # a way to the full page
    assert "style=" not in html
    # Without JavaScript the embedded one still shows the engine's numbers as a table.
    assert '<table class="viz-table" data-viz-server-table>' in html


@pytest.mark.parametrize("slug", ["exponentials-and-logarithms", "transformers", "calibration"])
def test_other_concept_pages_do_not_embed_it(client, demo_tree, slug):
    html = client.get(reverse("techtree:concept", args=[slug])).content.decode()
    assert "data-softmax-visualizer" not in html
    assert "lessons/visualizer.js" not in html
    assert 'src="/static/lessons/player.js"' in html  # every page with examples has the player


def test_a_concept_page_has_one_worked_examples_heading(client, demo_tree):
    html = client.get(reverse("techtree:concept", args=[SOFTMAX])).content.decode()
    headings = re.findall(r"<h[1-6][^>]*>\s*Worked examples", html)
    assert len(headings) == 1, headings
    assert "Work them in this order" in html  # the lesson's guide to them is still shown


def test_example_pages_load_the_player(client, demo_tree):
    html = client.get(f"/concepts/{SOFTMAX}/examples/1/7/").content.decode()
    assert 'src="/static/lessons/player.js"' in html
    assert 'href="/static/lessons/player.css"' in html
    assert "data-steps" in html and 'data-step="0"' in html  # listed in full without JS


def test_the_visualizer_page_makes_no_queries_for_a_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("lessons:visualizer")).status_code == 200


def test_the_visualizer_page_queries_for_a_learner_are_fixed(
    client, django_user_model, django_assert_num_queries
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    with django_assert_num_queries(2):  # session, user
        assert client.get(reverse("lessons:visualizer")).status_code == 200
