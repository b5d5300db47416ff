"""A stored template keeps its tables in the order written (jsonb would sort them)."""

import tomllib

import pytest

from exercise_templates.models import ExerciseTemplate
from techtree.models import Concept
from tests.authoring.templates import VALID

pytestmark = pytest.mark.django_db


def test_draws_and_lets_come_back_in_the_order_written():
    spec = tomllib.loads(VALID)
    spec["draw"] = {"z": spec["draw"]["z"], "a": {"integer": [0, 1]}}  # jsonb: "a" first
    spec["let"] = {"pz": "softmax(z)", "q": "pz", "p": "q"}  # jsonb: shortest keys first
    concept = Concept.objects.create(
        slug="c", title="C", summary="s", domain="d", difficulty=1, minutes=1
    )
    template = ExerciseTemplate.objects.create(concept=concept, spec=spec)
    stored = ExerciseTemplate.objects.get(pk=template.pk)
    assert list(stored.spec["draw"]) == ["z", "a"]
    assert list(stored.spec["let"]) == ["pz", "q", "p"]
    assert stored.build(3) == template.build(3)  # the same numbers from the same seed
