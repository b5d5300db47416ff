"""Friendly error pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 404 that says what was missing and where to go instead."""
    message = str(exception) if exception and str(exception).endswith(".") else ""
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain 500 page that needs no database."""
    return render(request, "500.html", status=500)
