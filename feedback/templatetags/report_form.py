"""The "Report a problem" form, written in Python rather than as a template.

A concept page carries one per worked example and practice problem (19 on the softmax page);
rendered as an included template each cost about a quarter of a millisecond, a third of a
typical concept page's template time. One format string costs a tenth of that.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

_FORM = """<details class="report-problem" data-report="{kind}-{pk}">
  <summary>Report a problem<span class="sr-only"> with “{title}”</span></summary>
  <form method="post" action="{action}" data-report-form>
    <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
    <input type="hidden" name="next" value="{next}">{seed_field}
    <div class="field">
      <label for="report-{kind}-{pk}-reason">What is wrong?</label>
      <select id="report-{kind}-{pk}-reason" name="reason" required>{options}</select>
    </div>
    <div class="field">
      <label for="report-{kind}-{pk}-note">Note for the authors (optional, at most \
{note_max} characters)</label>
      <textarea id="report-{kind}-{pk}-note" name="note" rows="3" maxlength="{note_max}"></textarea>
    </div>
    <p class="small muted">{numbers}</p>
    <button type="submit" class="secondary">Send the report</button>
  </form>
</details>"""
_SEED_FIELD = '\n    <input type="hidden" name="seed" value="{}">'
_EXAMPLE_NUMBERS = (
    "The numbers you see (seed {}) are sent with it, so the authors can see them too."
)
_PROBLEM_NUMBERS = (
    "The numbers you were given are sent with it (the server knows them), "
    "so the authors can see them too."
)


@register.simple_tag(takes_context=True)
def report_form(context, kind: str, pk: int, anchor, title: str, seed=None) -> str:
    """The form for one worked example (kind "example", its public seed) or practice problem
    (kind "problem": the seed stays on the server). `anchor` is the id after "<kind>-" that
    the learner returns to."""
    parts = context["report_problem"]
    example = kind == "example"
    return format_html(
        _FORM,
        kind=kind,
        pk=pk,
        title=title,
        action=reverse(f"feedback:report_{'example' if example else 'problem'}", args=[pk]),
        csrf=context.get("csrf_token", ""),
        next=f"{context['request'].get_full_path()}#{kind}-{anchor}",
        seed_field=format_html(_SEED_FIELD, seed) if example else "",
        options=parts["options"],
        note_max=parts["note_max"],
        numbers=format_html(_EXAMPLE_NUMBERS, seed) if example else _PROBLEM_NUMBERS,
    )
