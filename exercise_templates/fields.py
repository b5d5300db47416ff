"""A JSON field that keeps a template exactly as written, key order included."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class OrderedJSONField(models.TextField):
    """JSON stored as text, so tables keep the order they were written in.

    PostgreSQL's jsonb (what `JSONField` uses there) sorts the keys of every object, but a
    template's `draw` entries are drawn in order (the same seed must give the same numbers
    everywhere) and its `let` entries are evaluated in order (each may use the ones before).
    """

    description = "JSON text, keys in the order written"

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise ValidationError(f"Not valid JSON: {error}.", code="invalid") from error
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def formfield(self, **kwargs) -> forms.Field:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
