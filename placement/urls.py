"""URLs of the test-out page and the placement's actions."""

from django.urls import path

from placement import views

app_name = "placement"

urlpatterns = [
    path("concepts/<slug:slug>/test-out/", views.test_out, name="test_out"),
    path("placement/start/", views.start, name="start"),
    path("placement/answer/", views.answer, name="answer"),
]
