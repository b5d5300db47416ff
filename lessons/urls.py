"""URLs of worked examples, figures and the softmax visualizer."""

from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path(
        "concepts/<slug:slug>/examples/<int:order>/<int:seed>/",
        views.example,
        name="example",
    ),
    path("concepts/<slug:slug>/examples/<int:order>/new/", views.new_numbers, name="new_numbers"),
    path("figures/<slug:kind>.svg", views.figure, name="figure"),
    path("visualizer/", views.visualizer, name="visualizer"),
]
