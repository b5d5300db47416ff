"""URLs of practice actions and the dashboard."""

from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("practice/<int:pk>/answer/", views.answer, name="answer"),
    path("practice/<int:pk>/hint/", views.hint, name="hint"),
    path("practice/<int:pk>/solution/", views.solution, name="solution"),
    path("practice/<int:pk>/new/", views.new_numbers, name="new_numbers"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
