"""The exercise-template form: the spec written as TOML, exactly as in a concept file.

An author edits one `[[exercises]]` entry without its header (plain keys, then `[draw]`,
`[let]`, `[[steps]]`, `[[mistakes]]` tables). The text is parsed to the same dict a file
holds, checked against the content limits (`techtree.content_rules`), and the model's
`clean()` validates it over 50 seeds; nothing invalid is saved.
"""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w
from django import forms
from django.core.exceptions import ValidationError

from exercise_templates.models import ExerciseTemplate
from techtree import content_rules

SPEC_HELP = (
    "The template in TOML, as one [[exercises]] entry of a concept file without that header: "
    "plain keys first (key, title, difficulty, kind, statement, hints, solution, insight, "
    "answer, ...), then [draw], [let], [[steps]] and [[mistakes]] tables. The preview below "
    "renders it at several seeds as you type; saving checks it over 50 seeds."
)


def spec_to_toml(spec: Any) -> str:
    """A stored spec as the TOML an author edits (multi-line strings kept readable)."""
    if not isinstance(spec, dict):
        return ""
    return tomli_w.dumps(spec, multiline_strings=True)


def toml_to_spec(text: str) -> dict:
    """Parse an author's TOML into a spec; ValidationError names the line or the field."""
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(f"This is not valid TOML: {error}.", code="toml") from error
    try:
        return content_rules.EXERCISE(spec, "spec")
    except content_rules.RuleError as error:
        raise ValidationError(str(error), code="rules") from error


class ExerciseTemplateForm(forms.ModelForm):
    """`spec` is shown and edited as TOML; the rest of the row is the model's."""

    spec = forms.CharField(
        label="Template (TOML)",
        max_length=content_rules.EXERCISE_SPEC_CHARS,
        strip=False,
        help_text=SPEC_HELP,
        widget=forms.Textarea(
            attrs={"rows": 30, "cols": 100, "spellcheck": "false", "class": "template-toml"}
        ),
    )

    class Meta:
        model = ExerciseTemplate
        fields = ("concept", "order", "spec")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.initial.get("spec"), dict):
            self.initial["spec"] = spec_to_toml(self.initial["spec"])

    def clean_spec(self) -> dict:
        return toml_to_spec(self.cleaned_data["spec"])
