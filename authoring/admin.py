"""Exercise templates in the admin: TOML in, a live preview at several seeds, history.

The preview is a small admin view (`preview/`) that renders the unsaved form's TOML with the
kit and returns HTML; `static/authoring/preview.js` fetches it as the author types (no inline
script, so the Content-Security-Policy holds). Saving runs the model's 50-seed validation.
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from authoring import preview
from authoring.forms import ExerciseTemplateForm
from exercise_templates.models import ExerciseTemplate

FAILING_SEED = re.compile(r"\(seed (\d+)\)")  # as in "solution 'z[k]' (seed 5): ..."


@admin.register(ExerciseTemplate)
class ExerciseTemplateAdmin(SimpleHistoryAdmin):
    form = ExerciseTemplateForm
    change_form_template = "admin/exercise_templates/exercisetemplate/change_form.html"
    list_display = ("__str__", "concept", "key", "difficulty", "order", "updated")
    list_filter = ("concept__domain", "concept")
    list_select_related = ("concept",)
    search_fields = ("key", "concept__title", "spec")
    autocomplete_fields = ["concept"]
    readonly_fields = ("key",)
    fields = ("concept", "order", "key", "spec")

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="exercise_templates_exercisetemplate_preview",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        """The page shows the preview of what the form holds (so it works without JS too)."""
        form = context["adminform"].form
        toml_text = form["spec"].value() or ""
        # After a refused save, the seeds its errors name are previewed first.
        failing = " ".join(FAILING_SEED.findall(" ".join(form.errors.get("spec", []))))
        seeds = preview.parse_seeds(f"{failing} {' '.join(map(str, preview.DEFAULT_SEEDS))}")
        context["preview_url"] = reverse("admin:exercise_templates_exercisetemplate_preview")
        context["preview_seeds"] = ", ".join(map(str, seeds))
        if toml_text.strip():
            context["preview_html"] = _render(request, preview.preview(toml_text, seeds))
        return super().render_change_form(request, context, *args, **kwargs)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The unsaved template rendered at a few seeds, as an HTML fragment."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return _preview(request)


@require_POST
def _preview(request: HttpRequest) -> HttpResponse:
    seeds = preview.parse_seeds(request.POST.get("seeds", ""))
    return HttpResponse(_render(request, preview.preview(request.POST.get("spec", ""), seeds)))


def _render(request: HttpRequest, shown: preview.Preview) -> str:
    return render_to_string("authoring/_preview.html", {"preview": shown}, request=request)
