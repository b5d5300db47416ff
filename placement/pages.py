"""What placement adds to the concept page (registered in PlacementConfig.ready)."""

from __future__ import annotations

from django.urls import reverse


def concept_section(request, view) -> dict:
    """A link to the concept's test-out when it has prerequisites (shown where it is locked)."""
    if not view.prerequisites:
        return {}
    return {"test_out_url": reverse("placement:test_out", args=[view.concept.slug])}


def dashboard_section(request) -> dict:
    """'What do you already know?' for a new learner; placed and practised mastery apart."""
    from placement.models import PlacementRun
    from quizzes.models import ConceptProgress, Problem
    from quizzes.selectors import ProblemCard
    from techtree.models import Concept

    learner = request.user
    rows = list(
        ConceptProgress.objects.filter(learner=learner, mastered__isnull=False).values_list(
            "placed", flat=True
        )
    )
    run = PlacementRun.objects.filter(learner=learner).first()
    question = None
    if run is not None and run.probe:
        problem = Problem.objects.get(pk=run.probe["problem"])
        question = {
            "concept": Concept.objects.get(pk=run.probe["concept"]),
            "card": ProblemCard(problem, problem.instance(run.probe["seed"]), run.probe["seed"]),
        }
    return {
        "template": "placement/_dashboard.html",
        "offer": run is None and not rows,
        "run": run,
        "question": question,
        "placed": rows.count(True),
        "practised": rows.count(False),
    }
