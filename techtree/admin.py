"""Authoring the tree in the Django admin: concepts with their prerequisites inline."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from techtree import extensions, services
from techtree.admin_inlines import LabelledTabularInline
from techtree.models import Concept, FigureRefresh, Prerequisite

# Fields whose change moves graph figures of other concepts (minutes and atomic ideas are
# summed over what stands behind a concept); a change of `published` changes the graph.
SUMMED_FIELDS = {"minutes", "core_concepts"}


def edges_of(concept: Concept) -> set[tuple[int, int]]:
    """The concept's prerequisite edges, as (prerequisite id, concept id)."""
    return set(Prerequisite.objects.filter(concept=concept).values_list("prerequisite", "concept"))


def warn_if_refreshing(request: HttpRequest) -> None:
    """Say so on the page while the stored figures wait for a whole-tree refresh."""
    refresh = FigureRefresh.objects.waiting()
    if request.method == "GET" and refresh:
        messages.warning(
            request,
            f"Graph figures are being refreshed ({refresh.status}); until it is done they "
            "may be out of date.",
        )


class PrerequisiteInline(LabelledTabularInline):
    """The concepts this one needs; a cycle is refused by Prerequisite.clean()."""

    model = Prerequisite
    fk_name = "concept"
    autocomplete_fields = ["prerequisite"]
    extra = 1
    verbose_name = "prerequisite"
    verbose_name_plural = "prerequisites (concepts to learn first)"


@admin.register(Concept)
class ConceptAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "domain",
        "difficulty",
        "minutes",
        "depth",
        "unlocks_count",
        "published",
    )
    list_filter = ("published", "domain", "difficulty")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("graph_figures", "unlocked_concepts", "exercise_templates")
    inlines = [PrerequisiteInline]

    class Media:
        css = {"all": ["techtree/admin.css"]}

    def get_inlines(self, request: HttpRequest, obj: Concept | None) -> list:
        """The prerequisites, then what the apps above add (lesson, examples, problems)."""
        return [*self.inlines, *extensions.concept_inlines()]

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "summary",
                    "domain",
                    "difficulty",
                    "minutes",
                    "published",
                )
            },
        ),
        ("Content", {"fields": ("core_concepts", "key_symbols", "exercise_templates")}),
        ("Place in the graph", {"fields": ("unlocked_concepts", "graph_figures")}),
    )

    @admin.display(description="Graph figures")
    def graph_figures(self, concept: Concept) -> str:
        if not concept.is_placed:
            return "Computed once the concept is saved and published."
        return format_html(
            "{}<dl>{}</dl>",
            "Being refreshed by the task worker: these may be out of date."
            if concept.figures_stale
            else "",
            format_html_join(
                "",
                "<dt><strong>{}: {}</strong></dt><dd>{}</dd>",
                ((label, value, definition) for label, definition, value in concept.figures()),
            ),
        )

    @admin.display(description="Exercise templates")
    def exercise_templates(self, concept: Concept) -> str:
        """Links to the concept's templates (edited on their own page, with a live preview)."""
        add = reverse("admin:exercise_templates_exercisetemplate_add")
        if not concept.pk:
            return "Save the concept first, then add exercise templates to it."
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:exercise_templates_exercisetemplate_change", args=[t.pk]), t.title)
                for t in concept.exercise_templates.all()
            ),
        )
        return format_html(
            '{} <a class="addlink" href="{}?concept={}">Add an exercise template</a>',
            links or "None yet.",
            add,
            concept.pk,
        )

    @admin.display(description="Unlocks")
    def unlocked_concepts(self, concept: Concept) -> str:
        unlocks = concept.unlocks.order_by("title") if concept.pk else []
        return ", ".join(c.title for c in unlocks) or "Nothing yet."

    def changelist_view(self, request: HttpRequest, extra_context=None):
        warn_if_refreshing(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        warn_if_refreshing(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Save the prerequisites, then refresh only the figures the change can move."""
        before = edges_of(form.instance) if change else set()
        super().save_related(request, form, formsets, change)
        concept = form.instance
        if not change or "published" in form.changed_data:
            if concept.published:  # added to the published tree with all its edges
                services.refresh_figures_after(published=[concept.pk])
            elif change:  # withdrawn: its edges leave the tree, it loses its figures
                services.refresh_whole_tree()
            return
        after = edges_of(form.instance)
        summed = SUMMED_FIELDS.intersection(form.changed_data)
        services.refresh_figures_after(
            added=after - before,
            removed=before - after,
            concepts=[form.instance.pk] if summed else [],
        )

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        """Reverting to an earlier version (History, then a date) may change what is
        published, so the figures are refreshed after it as after any save."""
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            services.refresh_whole_tree()
        return response

    def delete_model(self, request: HttpRequest, obj: Concept) -> None:
        super().delete_model(request, obj)
        if obj.published:  # an unpublished concept was never part of the figures
            services.refresh_whole_tree()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        published = queryset.filter(published=True).exists()
        super().delete_queryset(request, queryset)
        if published:
            services.refresh_whole_tree()


@admin.register(Prerequisite)
class PrerequisiteAdmin(SimpleHistoryAdmin):
    """Edges on their own, for bulk review; the same cycle check applies."""

    list_display = ("prerequisite", "concept")
    list_select_related = ("prerequisite", "concept")
    search_fields = ("concept__title", "prerequisite__title")
    autocomplete_fields = ["concept", "prerequisite"]

    def save_model(self, request: HttpRequest, obj: Prerequisite, form, change: bool) -> None:
        before = Prerequisite.objects.filter(pk=obj.pk).values_list("prerequisite", "concept")
        removed = set(before) if change else set()
        super().save_model(request, obj, form, change)
        services.refresh_figures_after(
            added={(obj.prerequisite_id, obj.concept_id)} - removed,
            removed=removed - {(obj.prerequisite_id, obj.concept_id)},
        )

    def delete_model(self, request: HttpRequest, obj: Prerequisite) -> None:
        edge = (obj.prerequisite_id, obj.concept_id)
        super().delete_model(request, obj)
        services.refresh_figures_after(removed={edge})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        removed = set(queryset.values_list("prerequisite", "concept"))
        super().delete_queryset(request, queryset)
        services.refresh_figures_after(removed=removed)


@admin.register(FigureRefresh)
class FigureRefreshAdmin(admin.ModelAdmin):
    """Whole-tree figure refreshes, queued for the task worker, and how far each got."""

    list_display = ("pk", "requested", "started", "finished", "status")
    readonly_fields = ("requested", "started", "finished", "done", "total", "status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


admin.site.site_header = "techtree authoring"
admin.site.site_title = "techtree admin"
admin.site.index_title = "Concepts, lessons and practice"
