"""Load a concept file's [[exercises]] templates into the database."""

from __future__ import annotations

from exercise_templates.models import ExerciseTemplate
from exercises import templates
from techtree.content import ConceptSource, file_error
from techtree.models import Concept


def load_templates(concept: Concept, source: ConceptSource) -> None:
    """Replace the concept's templates with the file's, each validated over 50 seeds.

    Templates are matched by key, so their placements (and learners' attempts on them)
    survive a reload; a template no longer in the file is deleted.
    """
    specs = source.sections.get("exercises", [])
    if not isinstance(specs, list):
        raise file_error(source.slug, "exercises", "must be [[exercises]] tables")
    keep = []
    for order, spec in enumerate(specs, start=1):
        errors = templates.validate_template(spec)
        if errors:
            shown = "; ".join(str(error) for error in errors[:5])
            raise file_error(source.slug, f"exercises[{order}]", shown)
        row = ExerciseTemplate.objects.filter(concept=concept, key=spec["key"]).first()
        row = row or ExerciseTemplate(concept=concept)
        if spec["key"] in keep:
            raise file_error(source.slug, f"exercises[{order}].key", f"{spec['key']!r} twice")
        row.spec, row.order = spec, order
        row.save(place=False)  # lessons' and quizzes' loaders place them next
        keep.append(spec["key"])
    ExerciseTemplate.objects.filter(concept=concept).exclude(
        key__in=keep
    ).delete()  # queryset: no place()
