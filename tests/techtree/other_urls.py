"""Another URLconf: a tree page elsewhere, and addresses with any text in them
(tests/techtree/test_remembered_urls.py)."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, **_kwargs):
    return HttpResponse()


tree = [
    path("elsewhere/", page, name="tree"),
    path("concepts/<slug:slug>/", page, name="concept"),
    path("say/<str:word>/", page, name="say"),
    path("hello/", page, name="say-hello"),
]
urlpatterns = [path("", include((tree, "techtree"))), path("admin/", page, name="index")]
