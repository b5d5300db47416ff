"""The logit-evolution lab."""

from django.urls import path  # noqa: F401

app_name = "lens"

urlpatterns: list = []
