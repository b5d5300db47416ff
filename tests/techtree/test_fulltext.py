"""SQLite's full-text index of concepts: the MATCH built from a learner's words (pure), and the
FTS5 table the triggers keep in step with every write (SQLite only; none on PostgreSQL)."""

import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from techtree import fulltext, selectors
from techtree.loading import load_synthetic_tree
from techtree.models import Concept

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")


def concept(title: str, summary: str, **fields) -> Concept:
    slug = "-".join(title.lower().split())
    return Concept.objects.create(
        slug=slug, title=title, summary=summary, domain="Testing", difficulty=1, minutes=5, **fields
    )


def indexed(word: str) -> set[str]:
    """Titles of the concepts the index finds for one word, read from the index alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.title FROM {fulltext.TABLE} f JOIN techtree_concept c ON c.id = f.rowid "
            f"WHERE {fulltext.TABLE} MATCH %s",
            [fulltext.match_expression(word)],
        )
        return {title for (title,) in cursor.fetchall()}


def check_integrity() -> None:
    """FTS5 compares the index with the concept table; raises if they differ."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('integrity-check')")


TABLE = fulltext.TABLE


# ---- The MATCH expression (pure) ----


def test_each_word_is_a_quoted_prefix_and_all_must_match():
    assert fulltext.match_expression("loss gradient") == '"loss"* "gradient"*'


def test_operators_quotes_and_syntax_are_plain_words():
    assert fulltext.match_expression("NOT softmax OR NEAR(a b)") == (
        '"NOT"* "softmax"* "OR"* "NEAR a"* "b"*'
    )
    assert fulltext.match_expression('"soft max" title:x ^y z* -w') == (
        '"soft"* "max"* "title x"* "y"* "z"* "w"*'
    )


def test_a_word_with_punctuation_is_a_phrase_of_its_parts():
    assert fulltext.match_expression("made-up o'clock") == '"made up"* "o clock"*'


def test_no_word_gives_no_expression():
    assert fulltext.match_expression("") == ""
    assert fulltext.match_expression(" \" ' - ( ) * _ \x00 ") == ""


def test_letters_beyond_ascii_are_words():
    assert fulltext.match_expression("Résumé 注意力 ²") == '"Résumé"* "注意力"* "²"*'


@pytest.fixture(scope="module")
def scratch_index():
    """An FTS5 table like the real one, in memory (no Django), to run expressions against."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO t VALUES ('Attention and résumé', 'NOT near \"quotes\"')")
    return db


@given(st.text(max_size=200))
def test_any_text_gives_an_expression_fts5_accepts(scratch_index, text):
    expression = fulltext.match_expression(text)
    if expression:  # an error here would be a 500 on the browse page
        scratch_index.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()
        in_titles = fulltext.title_expression(expression)  # a search past the bound
        scratch_index.execute("SELECT rowid FROM t WHERE t MATCH ?", [in_titles]).fetchall()


def test_the_title_expression_finds_words_in_titles_only(scratch_index):
    def found(text: str) -> list[int]:
        expression = fulltext.title_expression(fulltext.match_expression(text))
        return [
            row
            for (row,) in scratch_index.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression])
        ]

    assert found("attention resume") == [1]
    assert found("attention quotes") == []  # "quotes" is in the summary only
    assert fulltext.title_expression("") == ""


def test_the_index_is_over_concepts_table():
    assert Concept._meta.db_table == fulltext.CONTENT


# ---- The index in the database ----


@on_sqlite
@pytest.mark.django_db
def test_the_migrations_leave_the_index_and_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert set(fulltext.TRIGGERS) <= triggers
    assert TABLE in connection.introspection.table_names()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL has its own search")
@pytest.mark.django_db
def test_there_is_no_fts5_table_on_postgresql():
    assert TABLE not in connection.introspection.table_names()


def stored_document_finds(word: str) -> set[str]:
    """Titles whose stored document (PostgreSQL) holds `word`."""
    return {c.title for c in selectors.search_concepts(Concept.objects.all(), word)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored document")
@pytest.mark.django_db
def test_the_stored_document_follows_create_update_and_bulk_create():
    attention = concept("Attention heads", "Queries meet keys.")
    assert stored_document_finds("heads") == stored_document_finds("queries") == {"Attention heads"}
    attention.title, attention.summary = "Attention layers", "Values are mixed."
    attention.save()
    assert stored_document_finds("heads") == stored_document_finds("queries") == set()
    assert (
        stored_document_finds("layers") == stored_document_finds("values") == {"Attention layers"}
    )
    Concept.objects.filter(pk=attention.pk).update(summary="Weights sum to one.")
    assert stored_document_finds("values") == set()
    assert stored_document_finds("weights") == {"Attention layers"}
    load_synthetic_tree(40)  # bulk_create
    assert len(stored_document_finds("made")) == 40


@on_sqlite
@pytest.mark.django_db
def test_the_triggers_follow_create_update_and_delete():
    attention = concept("Attention heads", "Queries meet keys.")
    assert indexed("heads") == {"Attention heads"}
    attention.title, attention.summary = "Attention layers", "Values are mixed."
    attention.save()
    assert indexed("heads") == set() and indexed("queries") == set()
    assert indexed("layers") == indexed("values") == {"Attention layers"}
    Concept.objects.filter(pk=attention.pk).update(summary="Weights sum to one.")
    assert indexed("values") == set() and indexed("weights") == {"Attention layers"}
    check_integrity()
    attention.delete()
    assert indexed("layers") == indexed("weights") == set()
    check_integrity()


@on_sqlite
@pytest.mark.django_db
def test_bulk_created_concepts_reach_the_index():
    load_synthetic_tree(40)  # bulk_create, as loaders and benches build trees
    assert len(indexed("made-up")) == 40
    check_integrity()


@on_sqlite
@pytest.mark.django_db
def test_a_publication_change_shows_or_hides_without_touching_the_index():
    hidden = concept("Quokka attention", "A shy concept.", published=False)
    assert indexed("quokka") == {"Quokka attention"}  # indexed, and filtered by the search
    assert list(selectors.browse_page(search="quokka")) == []
    Concept.objects.filter(pk=hidden.pk).update(published=True)
    assert [c.slug for c in selectors.browse_page(search="quokka")] == ["quokka-attention"]


@on_sqlite
@pytest.mark.django_db
def test_installing_again_indexes_the_rows_already_there():
    """What a migration that rebuilds the concept table (and so drops triggers) must do."""
    with connection.cursor() as cursor:
        for statement in fulltext.UNINSTALL:
            cursor.execute(statement)
        concept("Written without an index", "Zebrafish.")
        for statement in fulltext.INSTALL:
            cursor.execute(statement)
    assert indexed("zebrafish") == {"Written without an index"}
    check_integrity()


@on_sqlite
@pytest.mark.django_db
def test_concepts_from_the_content_loader_and_from_a_dump_reach_the_index(demo_tree, tmp_path):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    assert softmax.title in indexed("softmax")  # load_content's loader saved it
    dumped = concept("Quokka dumps", "Loaded back.")
    dump = tmp_path / "concept.json"
    call_command("dumpdata", "techtree.concept", pks=str(dumped.pk), output=str(dump))
    dumped.delete()
    assert indexed("quokka") == set()
    call_command("loaddata", str(dump), verbosity=0)
    assert indexed("quokka") == {"Quokka dumps"}
    check_integrity()
