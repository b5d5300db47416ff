"""dump_content writes what load_content reads: load -> dump -> load gives the same database."""

import tomllib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from exercise_templates.models import ExerciseTemplate
from lessons.models import Lesson, WorkedExample
from quizzes.models import Problem
from techtree.content import read_folder
from techtree.models import Concept, Prerequisite
from tests.authoring.templates import VALID, load_small_tree
from tests.conftest import CONTENT

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "created", "updated"}


def rows(model) -> list[dict]:
    """Every row of a model without keys or timestamps; a foreign key as the concept's slug
    (or the template's key)."""
    names = []
    for field in model._meta.concrete_fields:
        if field.name in SKIPPED:
            continue
        if not isinstance(field, models.ForeignKey):
            names.append(field.name)
        elif field.related_model is ExerciseTemplate:  # a template's placement: by its key
            names.append(f"{field.name}__key")
        else:
            names.append(f"{field.name}__slug")
    return sorted(model.objects.values(*names), key=repr)


def export() -> dict:
    """A canonical export of every authored row (figures included: they are recomputed)."""
    return {
        model.__name__: rows(model)
        for model in (Concept, Prerequisite, Lesson, WorkedExample, Problem, ExerciseTemplate)
    }


def author_some_rows() -> None:
    """What an author might add in the admin, beyond the demo files."""
    concept = Concept.objects.create(
        slug="authored-in-the-admin",
        title="Authored in the Admin",
        summary='Written by hand: quotes " and a backslash \\ and a norm $\\|x\\|$.',
        domain="Machine Learning",
        difficulty=2,
        minutes=15,
        published=False,
        core_concepts="One idea\nAnother idea",
        key_symbols="$\\|x\\|$ | the norm of x\n$p(x | y)$ | a conditional",
    )
    Prerequisite.objects.create(
        concept=concept, prerequisite=Concept.objects.get(slug="softmax-and-logits")
    )
    Lesson.objects.create(
        concept=concept,
        body='# A lesson\n\nWith """ triple quotes and $x$.\n',
        teaching_strategy="",
    )
    Problem.objects.create(
        concept=concept,
        order=1,
        title="A fixed choice",
        difficulty="easy",
        kind="choice",
        statement="Which?\n\nPick one.",
        answer="b",
        options=[["a", "This"], ["b", "That"]],
        hints="First hint.\n\nSecond hint.",
        solution="That.",
        tolerance_rel=0.05,
        max_attempts=5,
    )
    Problem.objects.create(
        concept=concept, order=2, title="A vector", difficulty="hard", kind="vector",
        statement="Give it.", answer=[0.5, 0.25, 0.25], allow_percent=True,
    )  # fmt: skip
    ExerciseTemplate.objects.create(concept=concept, order=1, spec=tomllib.loads(VALID))


@pytest.fixture
def small_tree(db):
    """Softmax and a concept written as templates, with everything they stand on (loading
    the whole demo tree twice would validate every template twice, 50 seeds each)."""
    return load_small_tree("softmax-and-logits", "top-k-sampling")


def test_load_dump_load_gives_the_same_database(small_tree, tmp_path):
    author_some_rows()
    before = export()
    assert before["ExerciseTemplate"] and before["Problem"] and before["Prerequisite"]
    call_command("dump_content", str(tmp_path), verbosity=0)
    assert len(list(tmp_path.glob("*.md"))) == Concept.objects.count()

    Concept.objects.all().delete()
    assert not Problem.objects.exists()
    call_command("load_content", str(tmp_path), verbosity=0)
    after = export()
    for name in before:
        assert after[name] == before[name], name


def test_the_dump_of_the_demo_tree_reproduces_the_fixture_files(demo_tree, tmp_path):
    call_command("dump_content", str(tmp_path), verbosity=0)
    written = {source.slug: source for source in read_folder(tmp_path)}
    for fixture in read_folder(CONTENT):
        dumped = written[fixture.slug]
        for name in ("title", "summary", "domain", "difficulty", "minutes", "published",
                     "core_concepts", "key_symbols", "body"):  # fmt: skip
            assert getattr(dumped, name) == getattr(fixture, name), (fixture.slug, name)
        assert set(dumped.prerequisites) == set(fixture.prerequisites)
        assert dumped.sections.get("lesson") == fixture.sections.get("lesson")
        assert dumped.sections.get("exercises") == fixture.sections.get("exercises")
        for section in ("examples", "problems"):
            mine, theirs = dumped.sections.get(section, []), fixture.sections.get(section, [])
            assert len(mine) == len(theirs), (fixture.slug, section)
            for entry, original in zip(mine, theirs, strict=True):
                # What the file says is dumped as it said; defaults it left out may be spelled.
                assert {key: entry.get(key) for key in original} == original, fixture.slug


def test_a_dump_that_would_not_read_back_writes_nothing(demo_tree, tmp_path):
    concept = Concept.objects.get(slug="calibration")
    concept.core_concepts = "x" * 400  # longer than a file may hold (content_rules.LINE_CHARS)
    concept.save()
    with pytest.raises(CommandError, match=r"Nothing was written: calibration\.md, core_concepts"):
        call_command("dump_content", str(tmp_path / "out"), verbosity=0)
    assert not (tmp_path / "out").exists()
