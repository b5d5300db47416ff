"""Search: PostgreSQL's full-text search with its index, SQLite's FTS5 index elsewhere."""

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
    assert "techtree_concept_search_document_gin" in plan


def make(title: str, summary: str, **fields) -> Concept:
    slug = "-".join(title.lower().split())
    return Concept.objects.create(
        slug=slug, title=title, summary=summary, domain="Testing", difficulty=1, minutes=5, **fields
    )


@pytest.mark.parametrize(
    "text",
    ["AND", "OR", "NOT", "NEAR", "softmax AND", "NOT softmax", "NEAR(softmax logits)", '"',
     '"softmax', 'softmax"', "title:softmax", "^softmax", "softmax*", "(", ")", "*", "-",
     "l'attention", "a_b", "\x00", "x " * 3000],
)  # fmt: skip
def test_search_syntax_in_a_learners_words_is_no_error(client, demo_tree, text):
    slugs(text)  # a database error here would be a 500
    assert client.get("/concepts/", {"q": text[:100]}).status_code == 200


def test_the_find_box_takes_any_text(client, demo_tree):
    for text in ("soft\x00max", '"NEAR(', "x " * 3000):  # a NUL was a 500 on PostgreSQL
        assert client.get("/map/find.json", {"q": text}).status_code == 200
    assert client.get("/map/find.json", {"q": "softmax\x00"}).json()["found"]


def test_operator_words_are_searched_as_words(demo_tree):
    assert "softmax-and-logits" in slugs("softmax AND logits")


def test_a_title_match_ranks_above_a_summary_match(demo_tree):
    # neither title holds the whole text, so only the weights order them (not the title)
    make("Aa quokka notes", "On the zebrafish.")
    make("Zz quokka zebrafish", "Notes.")
    make("Mm other", "The quokka and the zebrafish.")
    assert slugs("zebrafish quokka") == ["zz-quokka-zebrafish", "aa-quokka-notes", "mm-other"]


def test_past_the_bound_the_page_says_so_and_pages_stop_at_it(client, demo_tree, monkeypatch):
    load_synthetic_tree(130)  # "made-up" is in every synthetic summary
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 100)
    response = client.get("/concepts/?q=made-up")
    first = response.context["page"]
    assert first.paginator.more_found
    assert (first.paginator.count, first.paginator.num_pages, len(first)) == (100, 2, 60)
    assert "More than 100 concepts match" in response.content.decode()
    second = client.get("/concepts/?q=made-up&page=2").context["page"]
    assert (second.number, len(second)) == (2, 40)
    past = client.get("/concepts/?q=made-up&page=3").context["page"]  # the last page
    assert [c.pk for c in past] == [c.pk for c in second]
    listed = {c.pk for c in first} | {c.pk for c in second}
    assert len(listed) == 100  # no concept on two pages


def test_up_to_the_bound_the_count_is_exact_and_nothing_is_said(client, demo_tree, monkeypatch):
    load_synthetic_tree(130)
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 130)
    response = client.get("/concepts/?q=made-up")
    assert not response.context["page"].paginator.more_found
    assert response.context["page"].paginator.count == 130
    assert "More than" not in response.content.decode()


def test_past_the_bound_only_the_first_found_are_listed(demo_tree, monkeypatch):
    make("Aa quokka notes", "On the zebrafish.")
    make("Zz quokka zebrafish", "Notes.")
    make("Mm other", "The quokka and the zebrafish.")
    make("Bb other", "A quokka, a zebrafish.")  # found fourth, by id
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 3)
    assert set(slugs("zebrafish quokka")) == {"aa-quokka-notes", "zz-quokka-zebrafish", "mm-other"}


def test_past_the_bound_titles_holding_the_words_come_first_then_by_title(demo_tree, monkeypatch):
    make("Zz other", "The quokka and the zebrafish.")
    make("Mm quokka zebrafish", "Notes.")  # every word in the title
    make("Aa other", "A quokka, a zebrafish.")
    make("Bb zebrafish quokka", "Notes.")  # holds the whole text
    make("Cc quokka notes", "On the zebrafish.")  # found fifth: past the bound
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 4)
    assert slugs("zebrafish quokka") == [
        "bb-zebrafish-quokka", "mm-quokka-zebrafish", "aa-other", "zz-other",
    ]  # fmt: skip


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the title part is SQLite's FTS5")
def test_past_the_bound_a_later_title_match_is_still_listed_first(demo_tree, monkeypatch):
    for n in range(5):
        make(f"Note {n}", "Mentions the quokka in passing.")
    make("Quokka", "The small wallaby itself.")  # found last, by id
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 3)
    found = slugs("quokka")
    assert found[0] == "quokka"
    assert len(found) == 3


@pytest.mark.parametrize("text", ["made AND", "NOT made", '"made', "title:made", "made*", "^made"])
def test_search_syntax_is_no_error_past_the_bound(client, demo_tree, monkeypatch, text):
    load_synthetic_tree(20)
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 5)
    response = client.get("/concepts/", {"q": text})
    assert response.status_code == 200


def test_unpublished_concepts_are_never_found(client, demo_tree):
    make("Quokka secrets", "Not yet ready.", published=False)
    assert slugs("quokka") == []
    assert "quokka-secrets" not in client.get("/concepts/?q=quokka").content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="prefixes are SQLite's FTS5 index")
def test_a_word_still_being_typed_matches_on_sqlite(demo_tree):
    assert "softmax-and-logits" in slugs("logi softm")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's tokenizer folds accents")
def test_accents_do_not_matter_on_sqlite(demo_tree):
    make("Résumé parsing", "Reading CVs.")
    assert slugs("resume") == slugs("RÉSUMÉ") == ["résumé-parsing"]


@pytest.fixture(params=[0, 300], ids=lambda n: f"plus{n}")
def sized_tree(request, demo_tree):
    if request.param:
        load_synthetic_tree(request.param)
    return request.param


def test_a_search_page_costs_the_same_queries_at_any_size(
    client, sized_tree, django_assert_num_queries
):
    client.get("/concepts/")  # the domains are in the shared cache from now on
    # the content version, the domains and no kept page (cache), the search's count and page
    for path in ("/concepts/?q=softmax", "/concepts/?q=softmax&page=2"):
        with django_assert_num_queries(5):
            assert client.get(path).status_code == 200


def test_a_search_past_the_bound_costs_the_same_queries_at_any_size(
    client, sized_tree, django_assert_num_queries, monkeypatch
):
    for n in range(25):
        make(f"Note {n}", "Mentions the quokka in passing.")
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 20)
    client.get("/concepts/")
    for path in ("/concepts/?q=quokka", "/concepts/?q=quokka&page=2"):
        client.get(path)  # kept in the shared cache
        with django_assert_num_queries(3):  # the content version, the domains, the page
            response = client.get(path)
        assert response.context["page"].paginator.more_found


def test_a_kept_page_past_the_bound_follows_the_content_version(
    client, demo_tree, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(5):
        make(f"Note {n}", "Mentions the quokka in passing.")
    monkeypatch.setattr(selectors, "SEARCH_RANKED_MAX", 3)
    assert "Quokka" not in [c.title for c in client.get("/concepts/?q=quokka").context["page"]]
    with django_capture_on_commit_callbacks(execute=True):  # a save: a new content version
        note = Concept.objects.get(slug="note-1")
        note.title = "Quokka"
        note.save()
    assert client.get("/concepts/?q=quokka").context["page"][0].title == "Quokka"
