"""The Logit evolution lab's page and JSON endpoint: rendering, data, hostile input, queries,
the shared cache and the per-client limit."""

import dataclasses
import gzip
import json
import re
from html import unescape
from urllib.parse import urlencode

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lens import selectors
from lens.logit_lens import TEXT_LIMIT, TOP_K, logit_lens
from lens.samples import SAMPLE_TEXTS
from lens.transformer import forward
from lens.views import CUSTOM, read_query

pytestmark = pytest.mark.django_db  # the shared cache and the limiter live in the database

PAGE = reverse("lens:logit_evolution")
DATA = reverse("lens:logit_evolution_data")
TEXT = "The reader turns the page, and the story goes on."


@pytest.fixture(autouse=True)
def _generous_limit(settings):
    """Most tests send many requests from one address; the limit has tests of its own."""
    settings.LAB_REQUESTS_PER_MINUTE = 10_000


def page_data(response) -> dict:
    """The data the page hands its script through json_script."""
    match = re.search(
        rb'<script id="lab-data" type="application/json">(.*?)</script>', response.content
    )
    return json.loads(match.group(1))


def shown_error(response) -> str:
    match = re.search(r"data-lab-error>(.*?)</p>", response.content.decode(), re.S)
    return unescape(match.group(1)).strip()


def get_page(client, **params):
    return client.get(PAGE, params)


def test_page_url_is_the_lab():
    assert PAGE == "/lab/logit-evolution/"
    assert DATA == "/lab/logit-evolution/data/"


def test_default_page_shows_the_first_sample_at_its_last_token(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    sample = SAMPLE_TEXTS[0]
    expected = logit_lens(sample.text, position=len(logit_lens(sample.text)["tokens"]) - 1)
    assert expected["positions"] == [len(expected["tokens"]) - 1]
    data = page_data(response)
    assert data["result"] == expected
    assert data["position"] == len(expected["tokens"]) - 1
    assert data["stage"] == len(expected["stages"]) - 1
    html = response.content.decode()
    assert f'<option value="{sample.slug}" selected>' in html
    assert sample.text in html
    # Without JavaScript: a table of the top ten at every stage, and a plain GET form.
    table = re.search(r"data-lab-score-table>(.*?)</table>", html, re.S).group(1)
    assert table.count('<th scope="row">') == TOP_K
    assert table.count("<td>") == TOP_K * len(expected["stages"])
    assert '<form id="lab-form" class="lab-controls" method="get"' in html


def test_page_keeps_the_content_security_policy(client):
    response = client.get(PAGE)
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # Only external module scripts and JSON data blocks: no inline code, handlers or styles.
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert 'src="/static/lens/lab.js"' in html
    assert 'href="/static/lens/lab.css"' in html


def test_every_control_has_a_label(client):
    html = client.get(PAGE).content.decode()
    for control_id in ("lab-sample", "lab-text", "lab-position", "lab-stage"):
        assert f'<label for="{control_id}">' in html
        assert f'id="{control_id}"' in html
    for figure in ("logits", "ranks", "histogram"):
        assert f'aria-labelledby="figure-{figure}-title figure-{figure}-desc"' in html


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda s: s.slug)
def test_every_sample_renders(client, sample):
    response = get_page(client, sample=sample.slug)
    assert response.status_code == 200
    data = page_data(response)
    assert data["result"]["text"] == sample.text
    assert data["sample"] == sample.slug
    assert data["position"] == len(data["result"]["tokens"]) - 1


def test_typed_text_renders_at_the_chosen_position_and_stage(client):
    response = get_page(client, text=TEXT, position=4, stage=2)
    assert response.status_code == 200
    data = page_data(response)
    assert data["sample"] == CUSTOM
    assert data["result"] == logit_lens(TEXT, position=4)
    assert (data["position"], data["stage"]) == (4, 2)
    html = response.content.decode()
    assert f'<option value="{CUSTOM}" selected>Your own text</option>' in html
    assert "after layer 1's MLP block" in html
    assert 'aria-current="true">' in html


def test_token_links_choose_a_position_without_javascript(client):
    html = get_page(client, text=TEXT, position=2).content.decode()
    links = re.findall(r'<a class="token token-(\w+)" href="([^"]+)" data-index="(\d+)"', html)
    assert [role for role, _, _ in links[:4]] == ["seen", "seen", "current", "next"]
    href = unescape(links[5][1])
    response = client.get(PAGE + href)
    assert page_data(response)["position"] == 5
    assert page_data(response)["result"]["text"] == TEXT


def test_unknown_characters_are_named(client):
    response = get_page(client, text="café ☃")
    assert response.status_code == 200
    html = response.content.decode()
    assert "read as &lt;unk&gt;: “é”, “☃”" in html


class TestChoosingTheText:
    def test_a_sample_wins_over_the_text_box(self):
        query = read_query(_params(sample="market", text="anything", shown="letter"))
        assert (query.sample, query.text) == ("market", SAMPLE_TEXTS[4].text)

    def test_editing_the_shown_sample_reads_the_edit(self):
        query = read_query(_params(sample="market", text="An edited text.", shown="market"))
        assert (query.sample, query.text) == (CUSTOM, "An edited text.")

    def test_an_unchanged_sample_stays_the_sample(self):
        text = SAMPLE_TEXTS[4].text
        query = read_query(_params(sample="market", text=text, shown="market"))
        assert query.sample == "market"

    def test_text_alone_is_custom(self):
        assert read_query(_params(text="hi")).sample == CUSTOM

    def test_nothing_is_the_default_sample(self):
        query = read_query(_params())
        assert (query.sample, query.text) == (SAMPLE_TEXTS[0].slug, SAMPLE_TEXTS[0].text)

    def test_the_form_without_javascript_reads_the_edit(self, client):
        response = get_page(client, sample="market", shown="market", text=TEXT)
        assert page_data(response)["result"]["text"] == TEXT


def _params(**values):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(values)
    return query


# -- the JSON endpoint


def test_data_has_every_position_and_matches_the_lens(client):
    response = client.get(DATA, {"text": TEXT})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age" in response["Cache-Control"]
    assert response.json() == logit_lens(TEXT)


def test_data_agrees_with_the_model_output(client, model):
    data = client.get(DATA, {"text": TEXT}).json()
    output = forward(model, data["tokens"]).logits
    for column, position in enumerate(data["positions"]):
        row = output[position]
        top = data["top"][column]
        # The last stage is the model's output: its ten best tokens, best first.
        assert top == np.argsort(-row, kind="stable")[:TOP_K].tolist()
        assert [ranks[-1] for ranks in data["ranks"][column]] == list(range(1, TOP_K + 1))
        np.testing.assert_allclose(
            [scores[-1] for scores in data["scores"][column]], row[top], atol=5e-3
        )
        assert sum(data["counts"][column][-1]) == data["vocab_size"]


def test_data_for_one_position(client):
    data = client.get(DATA, {"text": TEXT, "position": 3}).json()
    assert data == logit_lens(TEXT, position=3)
    assert data["positions"] == [3]


def test_data_for_a_sample_by_name(client):
    data = client.get(DATA, {"sample": "numbers"}).json()
    assert data["text"] == SAMPLE_TEXTS[-1].text


HOSTILE = [
    ({"text": ""}, "Type some text"),
    ({"text": "   \n\t "}, "Type some text"),
    ({"sample": CUSTOM}, "Type some text"),
    ({"text": "x" * (TEXT_LIMIT + 1)}, f"at most {TEXT_LIMIT} characters"),
    ({"text": "word " * 5000}, f"at most {TEXT_LIMIT} characters"),
    ({"text": TEXT, "position": "-1"}, "outside the text"),
    ({"text": TEXT, "position": "10000"}, "outside the text"),
    ({"text": TEXT, "position": "9" * 5000}, "far out of range"),
    ({"text": TEXT, "position": "1.5"}, "whole number"),
    ({"text": TEXT, "position": "abc"}, "whole number"),
    ({"text": TEXT, "position": "３"}, "whole number"),
    ({"text": TEXT, "position": "1e3"}, "whole number"),
    ({"sample": "no-such-sample"}, "no sample text called"),
    ({"sample": "<script>alert(1)</script>"}, "no sample text called"),
]
HOSTILE_IDS = [
    "empty", "blank", "custom-without-text", "too-long", "far-too-long", "negative-position",
    "position-past-the-end", "huge-position", "fractional-position", "word-position",
    "fullwidth-digit", "exponent", "unknown-sample", "markup-sample",
]  # fmt: skip


@pytest.mark.parametrize(("params", "message"), HOSTILE, ids=HOSTILE_IDS)
def test_hostile_input_gets_a_clear_400_from_the_data(client, params, message):
    response = client.get(DATA, params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(("params", "message"), HOSTILE, ids=HOSTILE_IDS)
def test_hostile_input_gets_a_clear_message_on_the_page(client, params, message):
    response = get_page(client, **params)
    assert response.status_code == 400
    assert message in shown_error(response)
    assert 'role="alert"' in response.content.decode()
    assert page_data(response)["result"] is None
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize("stage", ["-1", "9", "99", "x", "2.0"])
def test_a_stage_that_does_not_exist_gets_a_clear_message(client, stage):
    response = get_page(client, stage=stage)
    assert response.status_code == 400
    assert re.search(r"(?i)stage", shown_error(response))


@pytest.mark.parametrize(
    "query",
    [
        "text=%ff%fe%00",  # not UTF-8, and a NUL
        "text=a&text=&position=0",  # repeated: the last value counts
        "position=%00",
        "position=+3",
        "position=0x10",
        "stage=%E2%80%AE8",
        "sample=&text=&position=&stage=",
        "sample[]=softmax",
        "&&&==&",
        "text=" + "%E2%98%83" * 300,
    ],
)
def test_raw_query_strings_never_break_the_lab(client, query):
    for url in (PAGE, DATA):
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 400), (url, query)
        if response.status_code == 400:
            error = response.json()["error"] if url == DATA else shown_error(response)
            assert error.endswith("."), error


def test_only_reading_is_allowed(client):
    assert client.post(PAGE, {"text": TEXT}).status_code == 405
    assert client.post(DATA, {"text": TEXT}).status_code == 405
    assert client.head(PAGE).status_code == 200


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["text", "sample", "position", "stage", "shown", "other"]),
        st.text(max_size=300),
        max_size=5,
    )
)
def test_any_query_string_gets_a_page_or_a_clear_error(client, params):
    for url in (PAGE, DATA):
        response = client.get(url + "?" + urlencode(params))
        assert response.status_code in (200, 400), (url, params)
        if url == DATA and response.status_code == 400:
            assert response.json()["error"]


# -- queries and the lesson's link


CACHE_READ = 1


@pytest.fixture
def limit_queries() -> int:
    """What one count of the shared limiter costs here (a new and an existing counter)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from techtree import limits

    costs = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            limits.hit("probe", "a client", 10, 60)
        costs.append(len(queries))
    return max(costs)


@pytest.mark.parametrize("params", [{}, {"text": "x" * TEXT_LIMIT}])
def test_a_text_already_read_costs_the_limiter_and_one_cache_read(
    client, django_assert_num_queries, limit_queries, params
):
    client.get(PAGE, params)  # computes the text's data and stores it
    for url in (PAGE, DATA):
        with django_assert_num_queries(limit_queries + CACHE_READ, exact=False):
            assert client.get(url, params).status_code == 200


def test_a_refused_text_costs_only_the_limiter(client, django_assert_num_queries, limit_queries):
    for url in (PAGE, DATA):
        with django_assert_num_queries(limit_queries, exact=False):
            assert client.get(url, {"sample": "nope"}).status_code == 400


def test_a_signed_in_learner_costs_the_session_and_user_besides(
    client, django_user_model, django_assert_num_queries, limit_queries
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw-for-tests"))
    for params in ({}, {"text": TEXT, "position": 2}):
        client.get(PAGE, params)
        with django_assert_num_queries(2 + limit_queries + CACHE_READ, exact=False):
            assert client.get(PAGE, params).status_code == 200


# -- computed once, in the shared cache


def test_a_text_is_computed_once_for_the_page_and_every_position(client, monkeypatch):
    calls = []
    compute = selectors.lens_json
    monkeypatch.setattr(selectors, "lens_json", lambda text: calls.append(text) or compute(text))
    client.get(PAGE, {"text": TEXT, "position": 2})
    client.get(PAGE, {"text": TEXT, "position": 5, "stage": 3})
    client.get(DATA, {"text": TEXT})
    client.get(DATA, {"text": TEXT, "position": 7})
    client.get(DATA, {"text": "one\r\ntwo"})
    client.get(PAGE, {"text": "one\ntwo"})  # the same text once line endings are normalised
    assert calls == [TEXT, "one\ntwo"]
    # Stored in Django's shared cache (the database here), not in this process.
    stored = cache.get(selectors.result_key(TEXT))
    assert json.loads(gzip.decompress(stored)) == logit_lens(TEXT)


def test_the_cache_is_keyed_by_the_model_version(client, model, monkeypatch):
    client.get(DATA, {"text": TEXT})
    key = selectors.result_key(TEXT)
    assert model.version in key and len(model.version) == 16
    cache.set(key, gzip.compress(json.dumps({"stale": True}).encode()))
    assert client.get(DATA, {"text": TEXT}).json() == {"stale": True}
    retrained = dataclasses.replace(model, version="another-model")
    monkeypatch.setattr(selectors, "default_model", lambda: retrained)
    assert selectors.result_key(TEXT) != key
    assert client.get(DATA, {"text": TEXT}).json()["text"] == TEXT


def test_every_position_is_sent_gzipped_to_a_client_that_takes_it(client):
    response = client.get(DATA, {"text": TEXT}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert json.loads(gzip.decompress(response.content)) == logit_lens(TEXT)
    plain = client.get(DATA, {"text": TEXT}, HTTP_ACCEPT_ENCODING="identity")
    assert not plain.has_header("Content-Encoding")
    assert plain.json() == logit_lens(TEXT)


def test_the_longest_text_costs_little_to_send(client):
    """Every character unknown: one token each, 256 positions, the most the lab ever sends."""
    text = "".join(chr(0x2600 + i) for i in range(TEXT_LIMIT))
    response = client.get(DATA, {"text": text}, HTTP_ACCEPT_ENCODING="gzip")
    data = json.loads(gzip.decompress(response.content))
    assert len(data["positions"]) == TEXT_LIMIT
    # Verbose per-token objects took 1.4 MB; compact arrays and gzip send a fraction.
    assert len(response.content) < 300_000
    assert len(gzip.decompress(response.content)) < 1_000_000


# -- one budget per client for both lab URLs


def test_a_client_past_the_limit_gets_429_with_a_clear_message(client, settings):
    settings.LAB_REQUESTS_PER_MINUTE = 3
    assert client.get(PAGE, {"text": TEXT}).status_code == 200
    assert client.get(DATA, {"text": TEXT}).status_code == 200
    assert client.get(DATA, {"text": "Another text."}).status_code == 200
    refused = client.get(DATA, {"text": "A third text."})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "at most 3 texts a minute" in refused.json()["error"]
    page = client.get(PAGE, {"text": TEXT})
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "Wait a minute" in shown_error(page)
    assert page_data(page)["result"] is None
    # Another client still has its whole budget.
    assert client.get(DATA, {"text": TEXT}, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_limit_is_counted_in_the_shared_cache(client, settings):
    settings.LAB_REQUESTS_PER_MINUTE = 2
    client.get(DATA, {"text": TEXT})
    client.get(DATA, {"text": TEXT})
    # What one worker counted, every worker reads: here, the limiter's own entry is full.
    from techtree import limits

    assert not limits.hit("lab", "127.0.0.1", 2, 60)


def test_the_lesson_links_to_the_lab(client, demo_tree):
    html = client.get(reverse("techtree:concept", args=["logit-evolution"])).content.decode()
    assert f'href="{PAGE}"' in html
    assert client.get(PAGE).status_code == 200
