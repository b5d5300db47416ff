"""Strict content: every field's type and size is checked before anything is written."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons.models import Lesson
from quizzes.models import Problem
from techtree import content_rules
from techtree.content import ContentError, parse_concept
from techtree.models import Concept
from tests.conftest import CONTENT

GOOD = """+++
title = "Attention"
summary = "Weights from softmax."
domain = "Deep Learning"
difficulty = 4
minutes = 30
prerequisites = ["softmax"]
core_concepts = ["one", "two"]
key_symbols = [["$q$", "a query"], ["$\\\\|x\\\\|$", "a norm"]]

[lesson]
teaching_strategy = "Small numbers first."

[[examples]]
generator = "attention_weights"
title = "One query"

[[problems]]
title = "Fixed"
difficulty = "easy"
kind = "number"
statement = "What is 1 + 1?"
answer = 2
hints = ["Count."]

[[exercises]]
key = "one"
title = "One exercise"
draw.z = { vector = 3, integers = [-3, 4] }
+++
# Body

Text with $x$.
"""


def test_the_good_file_passes():
    concept = parse_concept(GOOD, "attention")
    assert concept.key_symbols[1] == ("$\\|x\\|$", "a norm")
    assert concept.sections["exercises"][0]["draw"]["z"]["vector"] == 3


BAD = [
    # (replace this, with this, the field named, words of the reason)
    ("minutes = 30", 'minutes = 30\npublished = "false"', "published", "true or false"),
    ('prerequisites = ["softmax"]', 'prerequisites = "softmax"', "prerequisites", "a list"),
    ('title = "Attention"', f'title = "{"A" * 5000}"', "title", "5,000 characters long"),
    ('summary = "Weights from softmax."', 'summary = "a\\u0000b"', "summary", "U+0000"),
    ("difficulty = 4", "difficulty = true", "difficulty", "whole number"),
    ("minutes = 30", "minutes = 99999999999", "minutes", "from 1 to 10,000"),
    ('core_concepts = ["one", "two"]', 'core_concepts = ["one", 2]', "core_concepts[2]", "text"),
    ('[["$q$", "a query"]', '[["$q$"]', "key_symbols[1]", "pair"),
    ('["$q$", "a query"]', '["$q | p$", "a query"]', "key_symbols[1][1]", "' | '"),
    ('generator = "attention_weights"', "generator = 3", "examples[1].generator", "text"),
    ('hints = ["Count."]', 'hints = "Count."', "problems[1].hints", "a list"),
    ("answer = 2", "answer = nan", "problems[1].answer", "finite"),
    (
        'statement = "What',
        'max_attempts = 0\nstatement = "What',
        "problems[1].max_attempts",
        "from 1",
    ),
    ('key = "one"', "key = 1", "exercises[1].key", "text"),
    ('key = "one"', 'key = "one"\nwhen = 1979-05-27', "exercises[1].when", "a date"),
    ('title = "One exercise"', "", "exercises[1]", "missing title"),
    ("minutes = 30", "minutes = 30\npublised = false", "publised", "not a known field"),
    ("[lesson]", "[lesson]\nstrategy = 'x'", "lesson.strategy", "not a known field"),
    ("Text with $x$.", "x" * (content_rules.LESSON_BODY_CHARS + 1), "lesson body", "the limit"),
]


@pytest.mark.parametrize(("old", "new", "field", "why"), BAD, ids=[b[2] for b in BAD])
def test_each_bad_field_is_named_with_its_reason(old, new, field, why):
    assert old in GOOD
    with pytest.raises(ContentError) as error:
        parse_concept(GOOD.replace(old, new, 1), "attention")
    message = str(error.value)
    assert message.startswith(f"attention.md, {field}: "), message
    assert why in message


def _demo_copy(tmp_path):
    folder = tmp_path / "concepts"
    shutil.copytree(CONTENT, folder)
    return folder


def _load_refused(folder) -> str:
    with pytest.raises(CommandError) as error:
        call_command("load_content", str(folder), verbosity=0)
    return str(error.value)


def test_a_string_published_loads_nothing(db, tmp_path):
    folder = _demo_copy(tmp_path)
    path = folder / "transformers.md"
    path.write_text(path.read_text().replace("+++\n", '+++\npublished = "false"\n', 1))
    assert _load_refused(folder).startswith(
        "Nothing was loaded: transformers.md, published: must be true or false (without "
        'quotes), not the text "false"'
    )
    assert not Concept.objects.exists()


def test_a_string_of_prerequisites_is_not_read_letter_by_letter(db, tmp_path):
    folder = _demo_copy(tmp_path)
    path = folder / "transformers.md"
    text = path.read_text()
    start = text.index("prerequisites = [")
    end = text.index("]", start) + 1
    path.write_text(text[:start] + 'prerequisites = "scaled-dot-product-attention"' + text[end:])
    message = _load_refused(folder)
    assert "transformers.md, prerequisites: must be a list in [brackets]" in message
    assert not Concept.objects.exists()


def test_bytes_that_are_not_utf8_are_named(db, tmp_path):
    folder = _demo_copy(tmp_path)
    path = folder / "calibration.md"
    path.write_bytes(path.read_bytes().replace(b"+++\n", b"+++\n# caf\xe9\n", 1))
    message = _load_refused(folder)
    assert message == (
        "Nothing was loaded: calibration.md, file: is not UTF-8 text (byte 0xe9 on line 2); "
        "save it as UTF-8"
    )
    assert not Concept.objects.exists()


def test_a_huge_title_is_refused_on_every_database(db, tmp_path):
    """SQLite would store it and PostgreSQL would raise DataError; both now refuse it."""
    folder = _demo_copy(tmp_path)
    path = folder / "calibration.md"
    text = path.read_text()
    start = text.index("title = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f'title = "{"T" * 5000}"' + text[end:])
    message = _load_refused(folder)
    assert "calibration.md, title: is 5,000 characters long; the limit is 120" in message
    assert not Concept.objects.exists()


def test_a_huge_file_is_refused_before_it_is_read(db, tmp_path):
    folder = _demo_copy(tmp_path)
    with (folder / "calibration.md").open("a") as file:
        file.write("word " * (content_rules.FILE_BYTES // 5 + 1))
    message = _load_refused(folder)
    assert "calibration.md, file: is " in message and "the limit is 1,000,000" in message
    assert not Concept.objects.exists()


def test_wrong_types_in_problems_load_nothing_even_after_good_files(db, tmp_path):
    """The files sort after valid ones, and still nothing of the valid ones is written."""
    folder = _demo_copy(tmp_path)
    path = folder / "transformers.md"
    text = path.read_text()
    path.write_text(text.replace("[[problems]]\n", '[[problems]]\nhints = "one"\n', 1))
    assert "transformers.md, problems[1].hints: must be a list" in _load_refused(folder)
    assert not Concept.objects.exists() and not Problem.objects.exists()
    assert not Lesson.objects.exists()


def test_models_take_their_limits_from_the_rules():
    """One source: the admin's forms (built from the models) refuse what files may not hold."""
    assert Concept._meta.get_field("title").max_length == content_rules.CONCEPT_TITLE_CHARS
    assert Concept._meta.get_field("summary").max_length == content_rules.SUMMARY_CHARS
    assert Concept._meta.get_field("core_concepts").max_length == (
        content_rules.CORE_CONCEPTS_CHARS
    )
    assert Lesson._meta.get_field("body").max_length == content_rules.LESSON_BODY_CHARS
    assert Problem._meta.get_field("statement").max_length == content_rules.PROBLEM_TEXT_CHARS
    assert Problem._meta.get_field("title").max_length == content_rules.ITEM_TITLE_CHARS
