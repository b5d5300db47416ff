"""URL of the test-out page."""

from django.urls import path

from placement import views

app_name = "placement"

urlpatterns = [path("concepts/<slug:slug>/test-out/", views.test_out, name="test_out")]
