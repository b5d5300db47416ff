"""The site's URLs plus one view that fails, to see the 500 page as served."""

from django.urls import path

from techtree.urls import handler404, handler500
from techtree.urls import urlpatterns as site_urls


def fail(request):
    raise RuntimeError("a failure on purpose")


urlpatterns = [path("fail/", fail), *site_urls]
__all__ = ["handler404", "handler500", "urlpatterns"]
