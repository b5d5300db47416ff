"""Loading lessons and worked examples from concept files: checked, all or nothing, repeatable."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons import examples
from lessons.models import Lesson, WorkedExample
from techtree.models import Concept
from tests.conftest import CONTENT

SOFTMAX = "softmax-and-logits"


def copy_content(folder: Path) -> Path:
    for path in CONTENT.glob("*.md"):
        (folder / path.name).write_text(path.read_text())
    return folder


def stored_lessons() -> dict[str, tuple]:
    return {
        lesson.concept.slug: (lesson.pk, lesson.body, lesson.teaching_strategy)
        for lesson in Lesson.objects.select_related("concept")
    }


def stored_examples() -> list[tuple]:
    return sorted(WorkedExample.objects.values_list("concept__slug", "order", "generator", "title"))


def load(folder: Path | None = None, *options: str) -> None:
    call_command("load_content", *([str(folder)] if folder else []), *options, verbosity=0)


def test_every_concept_gets_its_lesson_and_examples_in_file_order(db):
    load()
    assert Lesson.objects.count() == Concept.objects.count() == len(list(CONTENT.glob("*.md")))
    softmax = [row for row in stored_examples() if row[0] == SOFTMAX]
    assert [order for _, order, _, _ in softmax] == list(range(1, len(softmax) + 1))
    assert softmax[0][2:] == (
        "softmax_probabilities",
        "Softmax probabilities and the ratio identity",
    )
    # Every example comes from a registered generator or, with no generator, from a template.
    assert {generator for _, _, generator, _ in stored_examples() if generator} <= set(
        examples.REGISTRY
    )
    assert not WorkedExample.objects.filter(generator="", template__isnull=True).exists()


def test_reloading_is_idempotent(db):
    load()
    lessons, rows = stored_lessons(), stored_examples()
    load()
    assert stored_lessons() == lessons  # the same rows, updated in place
    assert stored_examples() == rows
    load(None, "--keep-existing")
    assert stored_lessons() == lessons and stored_examples() == rows


def test_keep_existing_leaves_an_authors_edits_alone(db):
    load()
    Lesson.objects.filter(concept__slug=SOFTMAX).update(body="Edited by an author.")
    WorkedExample.objects.filter(concept__slug=SOFTMAX, order=1).update(title="Edited title")
    load(None, "--keep-existing")
    assert Lesson.objects.get(concept__slug=SOFTMAX).body == "Edited by an author."
    assert WorkedExample.objects.get(concept__slug=SOFTMAX, order=1).title == "Edited title"
    load()  # without --keep-existing the files win again
    assert Lesson.objects.get(concept__slug=SOFTMAX).body != "Edited by an author."


def _break(folder: Path, slug: str, old: str, new: str) -> None:
    path = folder / f"{slug}.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_an_unknown_generator_is_refused_and_nothing_is_saved(db, tmp_path):
    folder = copy_content(tmp_path)
    _break(folder, "transformers", 'generator = "', 'generator = "no_such_generator_')
    with pytest.raises(CommandError) as error:
        load(folder)
    message = str(error.value)
    assert message.startswith("Nothing was loaded")
    assert "transformers" in message and "unknown example generator" in message
    assert "no_such_generator_" in message
    # Concepts loaded before the bad file are rolled back with it.
    assert Concept.objects.count() == Lesson.objects.count() == WorkedExample.objects.count() == 0


def test_a_refused_reload_leaves_the_stored_lessons_as_they_were(db, tmp_path):
    load()
    lessons, rows = stored_lessons(), stored_examples()
    folder = copy_content(tmp_path)
    # A good change in one file and a bad generator in another: neither is written.
    _break(folder, SOFTMAX, "## ", "## Rewritten ")
    _break(folder, SOFTMAX, 'title = "Shift invariance', 'title = "Renamed shift invariance')
    _break(folder, "transformers", 'generator = "', 'generator = "no_such_generator_')
    with pytest.raises(CommandError, match="unknown example generator"):
        load(folder)
    assert stored_lessons() == lessons
    assert stored_examples() == rows


def test_a_broken_number_directive_is_refused_with_its_file(db, tmp_path):
    folder = copy_content(tmp_path)
    _break(folder, SOFTMAX, "## ", "{{ softmax([1, 2]) | 3 | oops }}\n\n## ")
    with pytest.raises(CommandError) as error:
        load(folder)
    assert f"{SOFTMAX}.md, lesson body: A number directive failed" in str(error.value)
    assert Lesson.objects.count() == 0
