"""The full-text indexes of concepts: SQLite's FTS5 table, and PostgreSQL's stored document.

PURE: plain strings in and out, no Django. Migration 0006 runs INSTALL on SQLite only;
selectors.search_concepts joins TABLE to the concepts and ranks with RANK.

The index is an external-content FTS5 table over techtree_concept's title and summary: it keeps
no copy of the text, and three triggers keep it in step with every insert, delete and change
of a title or summary, whoever writes (the ORM, bulk_create, loaddata, raw SQL). Publication is
not indexed: the search joins back to the concept row, where `published` is filtered.
Django's SQLite schema editor alters a table by rebuilding it (copy, drop, rename), which drops
its triggers: a later migration that alters techtree_concept must run INSTALL again (it is
idempotent and rebuilds the index); tests/techtree/test_fulltext.py fails until it does.
"""

from __future__ import annotations

import re

TABLE = "techtree_concept_fts"
CONTENT = "techtree_concept"  # Concept's table; its `id` is the index's rowid
TRIGGERS = (f"{TABLE}_insert", f"{TABLE}_delete", f"{TABLE}_update")

# Title words weigh more than summary words (bm25 gives lower scores to better matches).
TITLE_WEIGHT = 5.0
SUMMARY_WEIGHT = 1.0
RANK = f"bm25({TABLE}, {TITLE_WEIGHT}, {SUMMARY_WEIGHT})"

_REMOVE = f"INSERT INTO {TABLE}({TABLE}, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);"  # noqa: E501
_ADD = f"INSERT INTO {TABLE}(rowid, title, summary) VALUES (new.id, new.title, new.summary);"

INSTALL = (
    # unicode61 folds case and, with remove_diacritics 2, accents: "Resume" finds "résumé".
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, summary, "
    f"content='{CONTENT}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON {CONTENT} BEGIN {_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON {CONTENT} BEGIN {_REMOVE} END",
    # Only when the indexed text can change: a figure refresh updating every row costs nothing.
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE OF id, title, summary "
    f"ON {CONTENT} BEGIN {_REMOVE} {_ADD} END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",  # the rows already there
)
UNINSTALL = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {TABLE}",
)

# A word as unicode61 reads it: letters and digits (the underscore separates, as there).
_WORD = re.compile(r"[^\W_]+")


def match_expression(text: str) -> str:
    """The MATCH expression for a learner's words: every word must be found in the title or the
    summary, each as the start of a word (so a word still being typed matches); a word
    holding punctuation ("made-up", "o'clock") is a phrase of its parts. "" when no word.

    Every phrase is quoted and holds letters and digits only, so nothing a learner types is
    read as FTS5 syntax (AND, OR, NOT, NEAR, quotes, parentheses, column filters, ^, *).
    """
    phrases = (" ".join(_WORD.findall(word)) for word in text.split())
    return " ".join(f'"{phrase}"*' for phrase in phrases if phrase)


def title_expression(match: str) -> str:
    """The MATCH expression finding `match`'s words in titles only (a column filter)."""
    return f"title : ({match})" if match else ""


# PostgreSQL: each concept's document (title words weighted A, summary words B) is stored in a
# column of its own, kept by a trigger and indexed with GIN (migration 0007). A search reads
# it; computing to_tsvector for every concept it looked at took about 10 of 17 ms when a word
# is in 100,000 concepts. A trigger rather than a generated column, so that a later migration
# may still change the title's or summary's type (PostgreSQL refuses that under a generated
# column); a migration that renames either must write POSTGRESQL_INSTALL again.
DOCUMENT = "search_document"
POSTGRESQL_CONFIG = "english"
_DOCUMENT_OF = (
    f"setweight(to_tsvector('{POSTGRESQL_CONFIG}'::regconfig, COALESCE({{row}}title, '')), 'A')"
    f" || setweight(to_tsvector('{POSTGRESQL_CONFIG}'::regconfig, COALESCE({{row}}summary, '')),"
    " 'B')"
)
_FUNCTION = f"{CONTENT}_{DOCUMENT}"
POSTGRESQL_INSTALL = (
    f"ALTER TABLE {CONTENT} ADD COLUMN IF NOT EXISTS {DOCUMENT} tsvector",
    f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN NEW.{DOCUMENT} := {_DOCUMENT_OF.format(row='NEW.')}; RETURN NEW; END $$",
    f"DROP TRIGGER IF EXISTS {_FUNCTION} ON {CONTENT}",
    f"CREATE TRIGGER {_FUNCTION} BEFORE INSERT OR UPDATE OF title, summary ON {CONTENT} "
    f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}()",
    f"UPDATE {CONTENT} SET {DOCUMENT} = {_DOCUMENT_OF.format(row='')}",
    f"CREATE INDEX IF NOT EXISTS {CONTENT}_{DOCUMENT}_gin ON {CONTENT} USING GIN ({DOCUMENT})",
)
POSTGRESQL_UNINSTALL = (
    f"DROP TRIGGER IF EXISTS {_FUNCTION} ON {CONTENT}",
    f"DROP FUNCTION IF EXISTS {_FUNCTION}()",
    f"ALTER TABLE {CONTENT} DROP COLUMN IF EXISTS {DOCUMENT}",  # and its index
)
