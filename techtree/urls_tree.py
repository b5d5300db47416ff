"""URLs of the concept tree pages."""

from django.urls import path

from techtree import views

app_name = "techtree"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("concepts/", views.browse, name="browse"),
    path("concepts/<slug:slug>/", views.concept, name="concept"),
]
