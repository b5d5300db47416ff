"""URLs of the concept tree pages."""

from django.urls import path

from techtree import views

app_name = "techtree"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/overview.json", views.map_overview, name="map_overview"),
    path("map/tiles/<int:row>/<int:column>.json", views.map_tile, name="map_tile"),
    path("map/concepts/<slug:slug>.json", views.map_concept, name="map_concept"),
    path("map/find.json", views.map_find, name="map_find"),
    path("map/statuses.json", views.map_statuses, name="map_statuses"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("concepts/", views.browse, name="browse"),
    path("concepts/<slug:slug>/", views.concept, name="concept"),
]
