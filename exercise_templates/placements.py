"""Where a concept's templates are shown and asked: the apps above say how they place them.

A template is one exercise; lessons show the ones serving as examples through WorkedExample
rows and quizzes ask the ones serving as practice through Problem rows. Those apps stand
above this one, so they register a placer here (in their AppConfig.ready()), and every save
or delete of a template runs them for its concept: the admin, a load and the shell agree.
"""

from __future__ import annotations

from collections.abc import Callable

from simple_history.utils import bulk_create_with_history

from techtree.models import Concept

Placer = Callable[[Concept], None]
_placers: list[Placer] = []


def register_placer(placer: Placer) -> None:
    """Let an app (re)place a concept's templates after they change."""
    if placer not in _placers:
        _placers.append(placer)


def place(concept: Concept) -> None:
    """Bring every app's placements of this concept's templates up to date."""
    for placer in _placers:
        placer(concept)


PARKED = 20_000  # placements wait at orders from here while the concept's rows are rearranged


def arrange(model, concept: Concept, role: str, *, after: int, fill: Callable) -> None:
    """Give each of the concept's templates serving `role` one row of `model`, in the
    templates' order, numbered from `after` + 1; remove rows of templates that no longer
    serve. Rows are kept by template (a problem keeps its attempts); `fill(row, template)`
    sets the model's own fields.
    """
    serving = [t for t in concept.exercise_templates.order_by("order", "pk") if t.serves(role)]
    placed = model.objects.filter(concept=concept, template__isnull=False)
    placed.exclude(template__in=serving).delete()
    rows = {row.template_id: row for row in placed}
    for number, row in enumerate(rows.values()):  # out of the way of every final order
        model.objects.filter(pk=row.pk).update(order=PARKED + number)  # not a change to record
    new = []
    for number, template in enumerate(serving, start=1):
        row = rows.get(template.pk) or model(concept=concept, template=template)
        row.order = after + number
        fill(row, template)
        if row.pk is None:
            new.append(row)
        else:
            row.save()
    bulk_create_with_history(new, model)  # one insert for a concept loaded afresh
