"""What the lessons app adds to the concept tree's pages (registered in LessonsConfig.ready)."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from lessons import fragments, selectors
from techtree.versions import request_version

# The concept whose page embeds the softmax visualizer, and which the visualizer's own page
# links back to: named once, here.
VISUALIZER_CONCEPT = "softmax-and-logits"


def concept_section(request: HttpRequest, view: Any) -> dict[str, Any]:
    """The concept's lesson, its worked examples rendered for this learner's seeds, and the
    visualizer if any."""
    learner_id = request.user.pk if request.user.is_authenticated else None
    concept = view.concept
    version = request_version(request)
    lesson = selectors.lesson_view(concept, learner_id=learner_id, version=version)
    return {
        "lesson": lesson,
        "examples_html": fragments.examples_html(lesson.examples, request=request, version=version),
        "visualizer_html": visualizer_html() if concept.slug == VISUALIZER_CONCEPT else None,
    }


@functools.cache
def visualizer_html() -> SafeString:
    """The visualizer, with its first preset worked out as a table for readers without JS.

    It follows from the code alone (fixed logits, one template), not from content or the
    reader, so each process renders it once: per request it took about a millisecond."""
    table = selectors.softmax_table(selectors.VISUALIZER_LOGITS)
    return mark_safe(render_to_string("lessons/_visualizer.html", {"table": table}))
