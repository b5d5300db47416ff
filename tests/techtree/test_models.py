"""Invariants of the graph in the database, and cycle messages from validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from techtree.models import Concept, Prerequisite


def make(slug, **fields):
    defaults = {"title": slug.title(), "summary": "s", "domain": "d", "difficulty": 2, "minutes": 5}
    return Concept.objects.create(slug=slug, **{**defaults, **fields})


@pytest.mark.django_db
def test_edges_are_unique_and_never_self_loops():
    a, b = make("a"), make("b")
    Prerequisite.objects.create(prerequisite=a, concept=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Prerequisite.objects.create(prerequisite=a, concept=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Prerequisite.objects.create(prerequisite=a, concept=a)


@pytest.mark.django_db
def test_difficulty_is_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make("x", difficulty=6)


@pytest.mark.django_db
def test_clean_names_the_cycle_from_the_edited_concept():
    transformers, attention = make("transformers"), make("attention")
    Prerequisite.objects.create(prerequisite=attention, concept=transformers)
    edge = Prerequisite(prerequisite=transformers, concept=attention)
    with pytest.raises(ValidationError) as error:
        edge.full_clean()
    assert "Attention -> Transformers -> Attention" in str(error.value)


@pytest.mark.django_db
def test_clean_refuses_a_self_edge_with_a_message():
    a = make("a")
    with pytest.raises(ValidationError, match="A -> A"):
        Prerequisite(prerequisite=a, concept=a).full_clean()


@pytest.mark.django_db
def test_concept_helpers():
    concept = make(
        "softmax", core_concepts="one\n\n two \n", key_symbols="$z$ | logits\n$T$|temperature"
    )
    assert concept.core_concept_list == ["one", "two"]
    assert concept.atoms == 2
    assert concept.key_symbol_pairs == [("$z$", "logits"), ("$T$", "temperature")]
    assert concept.stars == "★★☆☆☆"
    assert concept.get_absolute_url() == "/concepts/softmax/"


def test_a_concepts_address_is_what_reverse_gives(db):
    from django.urls import reverse

    concept = Concept(slug="softmax-and-logits")
    assert concept.get_absolute_url() == reverse("techtree:concept", args=[concept.slug])
