"""Admin inlines whose inputs have accessible names.

Django's tabular inline puts each field's label in the column header and renders the inputs
below it without a <label>, so a screen reader announces an unnamed box (axe-core: label,
select-name). Each input here is named after its column; the delete box is "Delete".
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.utils import pretty_name


class _NamedInputs:
    """A formset mixin: every field's widget gets aria-label, its column's label."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for name, field in form.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or pretty_name(name)))


class LabelledTabularInline(admin.TabularInline):
    """A TabularInline whose inputs are named after their column."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_NamedInputs, formset), {})
