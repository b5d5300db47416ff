"""Reports for authors: open ones first, filtered, with a link to the numbers reported;
ratings read-only."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from feedback import services
from feedback.models import ConceptQuality, Rating, Report


class OpenFilter(admin.SimpleListFilter):
    """Open reports unless asked otherwise: what an author has still to look at."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed"), ("all", "All")]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(closed=False)
        if value == "closed":
            return queryset.filter(closed=True)
        return queryset


@admin.action(description="Close the selected reports")
def close_selected(modeladmin, request, queryset):
    closed = services.close_reports(reports=queryset, author=request.user)
    modeladmin.message_user(request, f"Closed {closed} report(s).", messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("created", "concept", "kind", "exercise", "seed", "reason", "reporter",
                    "reproduce", "closed")  # fmt: skip
    list_filter = (OpenFilter, "reason", "kind", "concept__domain", "concept")
    search_fields = ("concept__title", "exercise", "note")
    list_select_related = ("concept", "example__concept", "problem", "reporter")
    actions = [close_selected]
    date_hierarchy = "created"
    EXERCISE = ("concept", "kind", "exercise", "seed", "reproduce", "numbers", "example", "problem")
    fieldsets = (
        (None, {"fields": EXERCISE}),
        ("The report", {"fields": ("reason", "note", "reporter", "created")}),
        ("Closing", {"fields": ("closed", "closed_by", "closed_at")}),
    )
    readonly_fields = (*EXERCISE, "reason", "note", "reporter", "created", "closed", "closed_by",
                       "closed_at")  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="reproduce")
    def reproduce(self, report: Report) -> str:
        """Worked examples: the public page with the seed reported. Problems: the problem's
        admin page (the seed is shown to staff only, here)."""
        url = report.reproduce_url()
        if url:
            return format_html('<a href="{}">these numbers</a>', url)
        if report.problem_id is not None:
            admin_url = reverse("admin:quizzes_problem_change", args=[report.problem_id])
            return format_html('<a href="{}">the problem</a> (seed {})', admin_url, report.seed)
        return "–"

    @admin.display(description="numbers reported")
    def numbers(self, report: Report) -> str:
        """The exercise as the reporter saw it: its statement and answer for the seed."""
        row = report.example or report.problem
        if row is None or (report.seed is None and report.kind == "example"):
            return "–"
        try:
            exercise = row.build(report.seed) if report.example else row.instance(report.seed)
        except Exception as error:  # a generator since removed or changed: say so, no 500
            return f"Cannot rebuild these numbers: {error}"
        return format_html(
            "<div>{}</div><p>Answer: <strong>{}</strong></p>", exercise.statement, exercise.expected
        )


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("concept", "learner", "stars", "updated")
    list_filter = ("stars",)
    search_fields = ("concept__title", "learner__username")
    readonly_fields = ("concept", "learner", "stars", "created", "updated")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ConceptQuality)
class ConceptQualityAdmin(admin.ModelAdmin):
    list_display = ("concept", "letter", "mean", "count")
    ordering = ("-mean",)
    readonly_fields = ("concept", "count", "total", "mean")

    def has_add_permission(self, request) -> bool:
        return False
