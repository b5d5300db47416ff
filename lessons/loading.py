"""Load a concept file's lesson body and [[examples]] into the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from exercise_templates import placements
from lessons import examples
from lessons.models import Lesson, WorkedExample
from techtree import content_rules
from techtree.content import ConceptSource, file_error
from techtree.models import Concept


def load_lesson(concept: Concept, source: ConceptSource) -> None:
    """Replace the concept's lesson and worked examples with the file's."""
    section = source.sections.get("lesson", {})
    lesson = Lesson(
        concept=concept,
        body=source.body,
        teaching_strategy=str(section.get("teaching_strategy", "")),
        tldr=str(section.get("tldr", "")),
        essentials="\n".join(
            f"{formula}{content_rules.KEY_SYMBOL_SEPARATOR}{meaning}" if meaning else formula
            for formula, meaning in section.get("essentials", ())
        ),
    )
    try:
        lesson.clean()
    except ValidationError as error:
        field = next(iter(error.message_dict), "body")
        where = "lesson body" if field == "body" else f"lesson.{field}"
        raise file_error(source.slug, where, "; ".join(error.messages)) from error
    stored = Lesson.objects.filter(concept=concept).first()
    if stored:
        lesson.pk = stored.pk
    lesson._change_reason = source.change_reason  # kept in the lesson's history
    lesson.save()
    WorkedExample.objects.filter(concept=concept).delete()
    rows = []
    for order, spec in enumerate(source.sections.get("examples", []), start=1):
        key = spec.get("generator", "")
        if key not in examples.REGISTRY:
            raise file_error(
                source.slug, f"examples[{order}].generator", f"unknown example generator {key!r}"
            )
        title = spec.get("title") or examples.REGISTRY[key].title
        rows.append(WorkedExample(concept=concept, generator=key, title=title, order=order))
    bulk_create_with_history(rows, WorkedExample, default_change_reason=source.change_reason)
    place_examples(concept)


def place_examples(concept: Concept) -> None:
    """Show the concept's templates that serve as examples, after its generated examples."""
    generated = WorkedExample.objects.filter(concept=concept, template__isnull=True)
    after = generated.aggregate(last=Max("order"))["last"] or 0

    def fill(row: WorkedExample, template) -> None:
        row.title, row.generator = template.title, ""

    placements.arrange(WorkedExample, concept, "example", after=after, fill=fill)
