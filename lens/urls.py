"""The logit-evolution lab."""

from django.urls import path

from lens import views

app_name = "lens"

urlpatterns = [
    path("logit-evolution/", views.logit_evolution, name="logit_evolution"),
    path("logit-evolution/data/", views.logit_evolution_data, name="logit_evolution_data"),
]
