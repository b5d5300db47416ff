"""Browse by title without a search comes from the shared cache, per content version: the
same page until content changes, then the new one at once; keys only for real pages."""

import pytest

from techtree import selectors
from techtree.models import Concept


def test_a_page_is_read_once_per_content_version(
    client, demo_tree, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    count = selectors.published_concepts

    def counting():
        calls.append(1)
        return count()

    first = [c.slug for c in client.get("/concepts/").context["page"]]
    monkeypatch.setattr(selectors, "published_concepts", counting)
    assert [c.slug for c in client.get("/concepts/").context["page"]] == first
    assert len(calls) == 1  # the query is built, but neither counted nor read again
    concept = Concept.objects.get(slug=first[0])
    with django_capture_on_commit_callbacks(execute=True):
        concept.title = "Zzz, now last"
        concept.save()
    shown = [c.slug for c in client.get("/concepts/").context["page"]]
    assert shown == [*first[1:], concept.slug]  # renamed to sort last, shown at once


@pytest.mark.parametrize("asked", ["0", "-3", "abc", "99999", "1.5"])
def test_any_page_number_is_one_of_the_real_pages(client, demo_tree, asked):
    page = client.get(f"/concepts/?page={asked}").context["page"]
    assert 1 <= page.number <= page.paginator.num_pages
    expected = selectors.browse_page(page=asked)
    assert [c.slug for c in page] == [c.slug for c in expected]
    assert page.paginator.count == expected.paginator.count


def test_cached_pages_match_the_database(client, demo_tree):
    for query in ("", "domain=Mathematics", "difficulty=2", "domain=Mathematics&difficulty=1"):
        cached = client.get(f"/concepts/?{query}").context["page"]
        form_filters = dict(pair.split("=") for pair in query.split("&") if pair)
        direct = selectors.browse_page(
            domain=form_filters.get("domain", ""),
            difficulty=int(form_filters["difficulty"]) if "difficulty" in form_filters else None,
        )
        assert [c.slug for c in cached] == [c.slug for c in direct]
        assert cached.paginator.count == direct.paginator.count
