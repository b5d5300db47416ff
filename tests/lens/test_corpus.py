"""The training corpus: sources, cleaning and the fixed held-out split."""

import gzip

import pytest

from lens.corpus import (
    DEVIL_DICTIONARY,
    CorpusError,
    build_corpus,
    devil_dictionary_text,
    lesson_documents,
    normalise,
    split_document,
)

DICTD_FILE = (
    "00-database-short\n     The Devil's Dictionary\n00-database-url\n     http://example\n"
    "                              PREFACE\n\nA preface.\n\n"
    "ABASEMENT, n.  A definition.\n\nZOOLOGY, n.  Another.\n\n abcdefghijklmnopqrstuvwxyz\n"
)


@pytest.fixture
def dictd(tmp_path):
    path = tmp_path / "devil.dict.dz"
    path.write_bytes(gzip.compress(DICTD_FILE.encode()))
    return path


@pytest.fixture
def fixtures(tmp_path):
    folder = tmp_path / "fixtures"
    (folder / "concepts").mkdir(parents=True)
    (folder / "concepts" / "b.md").write_text("Second lesson.\r\nLine two.\n")
    (folder / "concepts" / "a.md").write_text("First lesson.\n\tIndented.\n")
    (folder / "notes.txt").write_text("not markdown")
    return folder


def test_dictd_headers_and_alphabet_line_are_dropped(dictd):
    text = devil_dictionary_text(dictd)
    assert text.startswith("PREFACE")
    assert "00-database" not in text
    assert "abcdefghijklmnopqrstuvwxyz" not in text
    assert text.endswith("ZOOLOGY, n.  Another.\n")


def test_missing_public_domain_text_names_the_package(tmp_path):
    with pytest.raises(CorpusError, match="apt-get install dict-devil"):
        devil_dictionary_text(tmp_path / "absent.dict.dz")


def test_lessons_are_globbed_sorted_and_normalised(fixtures):
    documents = lesson_documents(fixtures)
    assert [d.source for d in documents] == ["fixtures/concepts/a.md", "fixtures/concepts/b.md"]
    assert documents[0].text == "First lesson.\n    Indented.\n"
    assert documents[1].text == "Second lesson.\nLine two.\n"


def test_no_lessons_yet_is_fine(tmp_path, dictd):
    corpus = build_corpus(tmp_path / "nothing", dictd)
    assert len(corpus.documents) == 1


def test_split_holds_out_the_last_tenth_at_a_line_break():
    text = "".join(f"line {i:03d}\n" for i in range(100))
    train, held = split_document(text)
    assert train + held == text
    assert held.startswith("line 090") or held.startswith("line 089")
    assert 0.08 < len(held) / len(text) < 0.12


def test_every_document_contributes_to_both_splits(fixtures, dictd):
    corpus = build_corpus(fixtures, dictd)
    assert len(corpus.documents) == 3
    assert len(corpus.train) == 3
    assert "".join(corpus.train) + "".join(corpus.held_out) != ""
    for document, train in zip(corpus.documents, corpus.train, strict=True):
        assert document.text.startswith(train)
    assert corpus.fingerprint() == build_corpus(fixtures, dictd).fingerprint()


def test_normalise_keeps_only_line_feeds_and_spaces():
    assert normalise("a\r\nb\rc\td") == "a\nb\nc    d"


@pytest.mark.skipif(not DEVIL_DICTIONARY.exists(), reason="Debian's dict-devil is not installed")
def test_installed_devil_dictionary_reads_cleanly():
    text = devil_dictionary_text()
    assert text.startswith("PREFACE")
    assert "ZOOLOGY, n." in text
    assert len(text) > 300_000
