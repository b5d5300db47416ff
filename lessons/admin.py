"""Authoring lessons and worked examples."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from lessons import examples
from lessons.models import Lesson, WorkedExample
from techtree.admin_inlines import LabelledTabularInline
from techtree.extensions import register_concept_inlines


class WorkedExampleForm(forms.ModelForm):
    """Pick a generator from the registry instead of typing its key."""

    generator = forms.ChoiceField(choices=())

    class Meta:
        model = WorkedExample
        fields = ("order", "title", "generator")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["generator"].choices = examples.choices()


class LessonInline(admin.StackedInline):
    model = Lesson
    fields = ("tldr", "essentials", "teaching_strategy", "body")
    extra = 0
    max_num = 1


class WorkedExampleInline(LabelledTabularInline):
    model = WorkedExample
    form = WorkedExampleForm
    extra = 0


# Shown on the concept's admin page, which the tree app builds without importing lessons.
register_concept_inlines([LessonInline, WorkedExampleInline])


@admin.register(Lesson)
class LessonAdmin(SimpleHistoryAdmin):
    list_display = ("concept", "updated")
    search_fields = ("concept__title", "body")
    autocomplete_fields = ["concept"]
    fields = ("concept", "tldr", "essentials", "teaching_strategy", "body")


@admin.register(WorkedExample)
class WorkedExampleAdmin(SimpleHistoryAdmin):
    form = WorkedExampleForm
    list_display = ("title", "concept", "order", "generator")
    list_filter = ("generator",)
    search_fields = ("title", "concept__title")
    autocomplete_fields = ["concept"]
    fields = ("concept", "order", "title", "generator")
