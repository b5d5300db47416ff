"""The "Report a problem" form's parts on every page (no queries), so the lower apps'
exercise templates include it by a context name without naming this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html_join

from feedback.models import NOTE_MAX_LENGTH, Reason

TEMPLATE = "feedback/_report.html"
# A page carries one form per example and problem (19 on the softmax page): the reasons'
# options are the same in each, so they are escaped once, not looped over in every form.
_OPTIONS = format_html_join("", '<option value="{}">{}</option>', Reason.choices)
_PARTS = {"template": TEMPLATE, "options": _OPTIONS, "note_max": NOTE_MAX_LENGTH}


def report_problem(request: HttpRequest) -> dict[str, Any]:
    return {"report_problem": _PARTS}
