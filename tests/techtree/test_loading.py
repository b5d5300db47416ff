"""Loading the demo tree: complete, repeatable, all or nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from techtree.models import Concept, Prerequisite
from tests.conftest import CONTENT


def test_the_demo_tree_is_a_connected_tree_around_softmax(demo_tree):
    assert Concept.objects.count() >= 15
    softmax = Concept.objects.get(slug="softmax-and-logits")
    unlocked = set(softmax.unlocks.values_list("title", flat=True))
    assert {"Sequence Masking (causal and padding masks)", "Transformers"} <= unlocked
    assert softmax.depth is not None and softmax.depth <= 1  # near the root
    # Connected: every concept is joined to softmax through some chain of edges.
    import networkx as nx

    g = nx.Graph(list(Prerequisite.objects.order_by().values_list("prerequisite_id", "concept_id")))
    assert nx.is_connected(g) and g.number_of_nodes() == Concept.objects.count()


def test_every_demo_concept_is_complete(demo_tree):
    for concept in Concept.objects.all():
        assert concept.summary and concept.domain
        assert len(concept.core_concept_list) >= 3, concept.slug
        assert concept.key_symbol_pairs, concept.slug
        assert concept.is_placed


def test_loading_twice_changes_nothing_and_keeps_edits(demo_tree):
    softmax = Concept.objects.get(slug="softmax-and-logits")
    softmax.summary = "Edited by an author."
    softmax.save()
    edges = set(Prerequisite.objects.order_by().values_list("prerequisite_id", "concept_id"))
    call_command("load_content", "--keep-existing", verbosity=0)
    assert Concept.objects.get(slug="softmax-and-logits").summary == "Edited by an author."
    assert (
        set(Prerequisite.objects.order_by().values_list("prerequisite_id", "concept_id")) == edges
    )
    # Without --keep-existing the files win again.
    call_command("load_content", verbosity=0)
    assert Concept.objects.get(slug="softmax-and-logits").summary != "Edited by an author."


def test_a_cycle_in_the_files_loads_nothing(db, tmp_path):
    for path in CONTENT.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text())
    exp = tmp_path / "exponentials-and-logarithms.md"
    exp.write_text(
        exp.read_text().replace("prerequisites = []", 'prerequisites = ["transformers"]')
    )
    with pytest.raises(CommandError) as error:
        call_command("load_content", str(tmp_path), verbosity=0)
    assert "Nothing was loaded" in str(error.value)
    assert "Exponentials and Logarithms" in str(error.value)
    assert Concept.objects.count() == 0


def test_synthetic_trees_load_with_their_figures(db):
    call_command("build_synthetic_tree", "120", "--prefix", "syn", verbosity=0)
    assert Concept.objects.filter(slug__startswith="syn-").count() == 120
    root = Concept.objects.get(slug="syn-000000")
    assert root.depth == 0 and root.reach == 119
    with pytest.raises(CommandError, match="exist already"):
        call_command("build_synthetic_tree", "5", "--prefix", "syn", verbosity=0)
