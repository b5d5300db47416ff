"""Problems inline under their concept; attempts and progress read-only."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from quizzes import problems
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from techtree.extensions import register_concept_inlines


class ProblemForm(forms.ModelForm):
    """Pick a generator from the registry, or leave it empty for a fixed problem."""

    generator = forms.ChoiceField(choices=(), required=False)

    class Meta:
        model = Problem
        fields = (
            "concept", "order", "title", "difficulty", "generator", "kind", "statement", "options",
            "answer", "positions", "allow_percent", "hints", "solution", "tolerance_rel",
            "tolerance_abs", "max_attempts",
        )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["generator"].choices = [
            ("", "— fixed problem, written below —"),
            *problems.choices(),
        ]

    def add_error(self, field, error) -> None:
        """Problem.clean()'s errors on fields this form does not show (the inline under a
        concept shows only a few) go on the problem as a whole instead of failing."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            shown, hidden = {}, []
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    shown[name] = errors
                else:
                    hidden.extend(errors)
            if hidden:
                shown.setdefault(NON_FIELD_ERRORS, []).extend(hidden)
            error = ValidationError(shown)
        super().add_error(field, error)


class ProblemInline(admin.StackedInline):
    model = Problem
    form = ProblemForm
    extra = 0
    show_change_link = True
    fields = ("order", "title", "difficulty", "generator", "max_attempts")
    verbose_name_plural = "practice problems (open one to write a fixed problem's text)"


# Shown on the concept's admin page, which the tree app builds without importing quizzes.
register_concept_inlines([ProblemInline])


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    form = ProblemForm
    list_display = ("title", "concept", "difficulty", "kind", "generator", "order")
    list_filter = ("difficulty", "kind", "concept__domain")
    search_fields = ("title", "statement", "concept__title")
    autocomplete_fields = ["concept"]
    fieldsets = (
        (None, {"fields": ("concept", "order", "title", "difficulty", "generator")}),
        (
            "A fixed problem (when no generator is chosen)",
            {
                "fields": (
                    "kind",
                    "statement",
                    "options",
                    "answer",
                    "positions",
                    "allow_percent",
                    "hints",
                    "solution",
                )
            },
        ),
        ("Grading", {"fields": ("tolerance_rel", "tolerance_abs", "max_attempts")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what learners did: visible to staff, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("created", "learner", "problem", "raw", "correct", "seed")
    list_filter = ("correct", "problem__difficulty", "problem__concept")
    list_select_related = ("learner", "problem")
    search_fields = ("learner__username", "problem__title", "raw")
    date_hierarchy = "created"


@admin.register(ProblemProgress)
class ProblemProgressAdmin(ReadOnlyAdmin):
    list_display = ("learner", "problem", "attempts", "hints_shown", "solution_shown", "solved",
                    "solved_cleanly")  # fmt: skip
    list_filter = ("solved", "solved_cleanly", "solution_shown")
    list_select_related = ("learner", "problem")
    search_fields = ("learner__username", "problem__title")


@admin.register(ConceptProgress)
class ConceptProgressAdmin(ReadOnlyAdmin):
    list_display = ("learner", "concept", "started", "mastered", "unlocked")
    list_filter = ("concept",)
    list_select_related = ("learner", "concept")
    search_fields = ("learner__username", "concept__title")


class ConceptProgressInline(admin.TabularInline):
    model = ConceptProgress
    fields = ("concept", "started", "mastered", "unlocked")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "progress through the tree"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class LearnerAdmin(UserAdmin):
    """Django's user admin, with the learner's progress through the tree underneath."""

    inlines = [*UserAdmin.inlines, ConceptProgressInline]
