"""Load a concept file's lesson body and [[examples]] into the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lessons import examples
from lessons.models import Lesson, WorkedExample
from techtree.content import ConceptSource, ContentError
from techtree.models import Concept


def load_lesson(concept: Concept, source: ConceptSource) -> None:
    """Replace the concept's lesson and worked examples with the file's."""
    lesson = Lesson(
        concept=concept,
        body=source.body,
        teaching_strategy=str(source.sections.get("lesson", {}).get("teaching_strategy", "")),
    )
    try:
        lesson.clean()
    except ValidationError as error:
        raise ContentError(f"{source.slug}: {'; '.join(error.messages)}") from error
    Lesson.objects.update_or_create(
        concept=concept,
        defaults={"body": lesson.body, "teaching_strategy": lesson.teaching_strategy},
    )
    WorkedExample.objects.filter(concept=concept).delete()
    rows = []
    for order, spec in enumerate(source.sections.get("examples", []), start=1):
        key = spec.get("generator", "")
        if key not in examples.REGISTRY:
            raise ContentError(f"{source.slug}: unknown example generator {key!r}")
        title = spec.get("title") or examples.REGISTRY[key].title
        rows.append(WorkedExample(concept=concept, generator=key, title=title, order=order))
    WorkedExample.objects.bulk_create(rows)
