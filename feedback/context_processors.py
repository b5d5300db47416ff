"""The "Report a problem" form's parts on every page (no queries), so the lower apps'
exercise templates include it by a context name without naming this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from feedback.models import NOTE_MAX_LENGTH, Reason

TEMPLATE = "feedback/_report.html"
_PARTS = {"template": TEMPLATE, "reasons": Reason.choices, "note_max": NOTE_MAX_LENGTH}


def report_problem(request: HttpRequest) -> dict[str, Any]:
    return {"report_problem": _PARTS}
