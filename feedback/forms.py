"""The rating and report forms: what a post may carry, with messages for anything else."""

from __future__ import annotations

from django import forms

from feedback import grades
from feedback.models import NOTE_MAX_LENGTH, Reason
from lessons import seeds


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label="Your rating",
        coerce=int,
        choices=[(str(n), f"{n}") for n in range(grades.LOWEST, grades.HIGHEST + 1)],
        error_messages={"invalid_choice": "Choose from 1 to 5 stars."},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?",
        choices=Reason.choices,
        error_messages={"invalid_choice": "Choose one of the listed reasons."},
    )
    note = forms.CharField(
        label="Note for the authors (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea,
    )  # what may be stored (a NUL, say) is the service's rule


class ExampleReportForm(ReportForm):
    """A worked example's report also names the (public) seed of the numbers shown."""

    seed = forms.IntegerField(
        min_value=0,
        max_value=seeds.MAX_SEED,
        error_messages={"invalid": "The example's seed must be a whole number."},
    )
