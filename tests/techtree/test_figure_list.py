"""The graph figures are listed once (graph.FIGURES); every declaration must match it.

Python needs the stored figures declared as model fields and the computed ones as dataclass
fields and array columns; these tests tie each declaration to the one list, so adding a
figure in one place and not the others fails here instead of drifting.
"""

import dataclasses

import numpy as np
from django.db import models

from techtree import graph, graph_arrays, services
from techtree.models import Concept

NAMES = [figure.name for figure in graph.FIGURES]


def test_the_figures_dataclass_has_one_field_per_figure_in_order():
    assert [f.name for f in dataclasses.fields(graph.Figures)] == NAMES


def test_the_array_columns_are_the_figures():
    columns = graph_arrays.figure_columns(
        3,
        np.array([0, 1]),
        np.array([1, 2]),
        minutes=np.array([5, 5, 5]),
        atoms=np.array([1, 2, 3]),
    )
    assert set(columns) == set(NAMES)


def test_the_stored_figure_fields_are_the_models_computed_fields():
    computed = {
        f.name
        for f in Concept._meta.get_fields()
        if isinstance(f, models.PositiveIntegerField) and not f.editable
    }
    assert computed == set(graph.FIGURE_FIELDS)
    assert services.FIGURE_FIELDS == graph.FIGURE_FIELDS
    # A figure that is not stored is computed from the concept itself.
    for figure in graph.FIGURES:
        assert figure.field or hasattr(Concept, figure.name), figure


def test_history_leaves_out_exactly_the_stored_figures():
    historical = {f.name for f in Concept.history.model._meta.get_fields()}
    assert not historical & set(graph.FIGURE_FIELDS)
    assert {"title", "summary", "domain"} <= historical


def test_labels_and_definitions_come_from_the_one_list():
    assert list(graph.FIGURE_LABELS) == NAMES == list(graph.FIGURE_DEFINITIONS)
    concept = Concept(title="x", core_concepts="a\nb")
    assert [label for label, _, _ in concept.figures()] == [f.label for f in graph.FIGURES]
