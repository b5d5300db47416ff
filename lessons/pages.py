"""What the lessons app adds to the concept tree's pages (registered in LessonsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lessons import selectors
from techtree.versions import request_version

# The concept whose page embeds the softmax visualizer, and which the visualizer's own page
# links back to: named once, here.
VISUALIZER_CONCEPT = "softmax-and-logits"


def concept_section(request: HttpRequest, view: Any) -> dict[str, Any]:
    """The concept's lesson (with this learner's example seeds), and the visualizer if any."""
    learner_id = request.user.pk if request.user.is_authenticated else None
    concept = view.concept
    return {
        "lesson": selectors.lesson_view(
            concept, learner_id=learner_id, version=request_version(request)
        ),
        "visualizer_table": (
            selectors.softmax_table(selectors.VISUALIZER_LOGITS)
            if concept.slug == VISUALIZER_CONCEPT
            else None
        ),
    }
