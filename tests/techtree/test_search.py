"""Search: PostgreSQL's full-text search with its index, a word-by-word fallback elsewhere."""

import pytest
from django.db import connection

from techtree import selectors
from techtree.loading import load_synthetic_tree
from techtree.models import Concept

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)


def slugs(text: str) -> list[str]:
    return [c.slug for c in selectors.browse_page(search=text, per_page=500)]


def test_every_word_must_match_in_any_order(demo_tree):
    found = slugs("logits softmax")
    assert "softmax-and-logits" in found
    assert slugs("softmax zzzqqq") == []


def test_title_matches_come_first(demo_tree):
    found = slugs("softmax")
    titles = [Concept.objects.get(slug=s).title.lower() for s in found]
    in_title = ["softmax" in t for t in titles]
    assert in_title == sorted(in_title, reverse=True)  # every title match before the rest
    assert in_title[0]


def test_results_are_paged(client, demo_tree):
    load_synthetic_tree(130)
    first = client.get("/concepts/?q=made-up").context["page"]
    assert first.paginator.count == 130
    assert len(first) == 60
    third = client.get("/concepts/?q=made-up&page=3").context["page"]
    assert len(third) == 10


def test_a_search_with_only_punctuation_is_no_error(client, demo_tree):
    assert client.get("/concepts/?q=%22%22%20-%20%27").status_code == 200


@postgres_only
def test_stemmed_words_match_on_postgresql(demo_tree):
    assert "softmax-and-logits" in slugs("logit")  # 'logits' and 'logit' share a stem


@postgres_only
def test_the_search_uses_the_gin_index(demo_tree):
    query = selectors.search_concepts(Concept.objects.all(), "softmax")
    with connection.cursor() as cursor:
        # A demo-sized table is read whole by choice; forbid that to see the index is usable.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        plan = query.explain()
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert "concept_search_gin" in plan
