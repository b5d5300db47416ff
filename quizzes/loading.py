"""Load a concept file's [[problems]] into the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from quizzes import problems
from quizzes.models import Problem
from techtree.content import ConceptSource, ContentError
from techtree.models import Concept

FIELDS = {
    "generator", "title", "difficulty", "kind", "statement", "answer", "positions", "options",
    "hints",
    "solution", "allow_percent", "tolerance_rel", "tolerance_abs", "max_attempts",
}  # fmt: skip


def load_problems(concept: Concept, source: ConceptSource) -> None:
    """Replace the concept's problems with the file's, validating each like the admin does.

    Problems are matched by their order, so learners' attempts and progress on a problem
    survive a reload of the same content.
    """
    specs = source.sections.get("problems", [])
    keep = []
    for order, spec in enumerate(specs, start=1):
        unknown = set(spec) - FIELDS
        if unknown:
            raise ContentError(
                f"{source.slug}: problem {order} has unknown fields {sorted(unknown)}"
            )
        values = dict(spec)
        if "hints" in values:
            values["hints"] = "\n\n".join(values["hints"])
        key = values.get("generator", "")
        if key in problems.REGISTRY:  # a generated problem's kind is its generator's
            registered = problems.REGISTRY[key]
            values["kind"] = registered.kind
            values.setdefault("title", registered.title)
            values.setdefault("difficulty", registered.difficulty)
        problem = Problem.objects.filter(concept=concept, order=order).first() or Problem(
            concept=concept, order=order
        )
        defaults = Problem()
        for name in FIELDS:
            setattr(problem, name, values.get(name, getattr(defaults, name)))
        try:
            problem.full_clean(exclude=["concept"])
        except ValidationError as error:
            raise ContentError(
                f"{source.slug}: problem {order}: {'; '.join(error.messages)}"
            ) from error
        problem.save()
        keep.append(problem.pk)
    Problem.objects.filter(concept=concept).exclude(pk__in=keep).delete()
