"""Load a concept file's [[problems]] into the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, Max

from exercise_templates import placements
from quizzes import problems
from quizzes.models import Problem
from techtree.content import ConceptSource, file_error
from techtree.content_rules import PROBLEM_FIELDS as FIELDS
from techtree.models import Concept


def load_problems(concept: Concept, source: ConceptSource) -> None:
    """Replace the concept's problems with the file's, validating each like the admin does.

    Problems are matched by their order, so learners' attempts and progress on a problem
    survive a reload of the same content.
    """
    specs = source.sections.get("problems", [])
    parked = Problem.objects.filter(concept=concept, template__isnull=False)
    parked.update(order=F("order") + placements.PARKED)  # template problems: placed below
    keep = []
    for order, spec in enumerate(specs, start=1):
        unknown = set(spec) - FIELDS
        if unknown:
            raise file_error(source.slug, f"problems[{order}]", f"unknown fields {sorted(unknown)}")
        values = dict(spec)
        if "hints" in values:
            values["hints"] = "\n\n".join(values["hints"])
        key = values.get("generator", "")
        if key in problems.REGISTRY:  # a generated problem's kind is its generator's
            registered = problems.REGISTRY[key]
            values["kind"] = registered.kind
            values.setdefault("title", registered.title)
            values.setdefault("difficulty", registered.difficulty)
        problem = Problem.objects.filter(
            concept=concept, order=order, template__isnull=True
        ).first() or Problem(concept=concept, order=order)
        defaults = Problem()
        for name in FIELDS:
            setattr(problem, name, values.get(name, getattr(defaults, name)))
        try:
            problem.full_clean(exclude=["concept"])
        except ValidationError as error:
            raise file_error(
                source.slug, f"problems[{order}]", "; ".join(error.messages)
            ) from error
        problem._change_reason = source.change_reason  # kept in the problem's history
        problem.save()
        keep.append(problem.pk)
    Problem.objects.filter(concept=concept, template__isnull=True).exclude(pk__in=keep).delete()
    place_problems(concept)


def place_problems(concept: Concept) -> None:
    """Ask the concept's templates that serve as practice, after its other problems; a
    template's problem keeps its row (and learners' attempts) while the template stays."""
    others = Problem.objects.filter(concept=concept, template__isnull=True)
    after = others.aggregate(last=Max("order"))["last"] or 0

    def fill(row: Problem, template) -> None:
        parsed = template.template
        row.title, row.difficulty, row.kind, row.generator = (
            parsed.title,
            parsed.difficulty,
            parsed.kind,
            "",
        )
        row.tolerance_rel, row.tolerance_abs = parsed.tolerance.rel, parsed.tolerance.abs

    placements.arrange(Problem, concept, "practice", after=after, fill=fill)
