"""URLs of review actions (the reviews themselves show on the dashboard)."""

from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("review/<slug:slug>/answer/", views.answer, name="answer"),
    path("review/<slug:slug>/hint/", views.hint, name="hint"),
]
