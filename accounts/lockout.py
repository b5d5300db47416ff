"""What django-axes counts a login failure by: the name as a reader sees it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import usernames
from techtree.limits import client_address


def username_for_lockout(request: HttpRequest, credentials: dict | None) -> str:
    """The typed name's skeleton, so "Ada", "ADA" and "аda" share one failure count."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    # PostgreSQL text cannot hold NUL; axes marks it in its own records the same way. Axes
    # stores at most 255 characters; no username is longer than 150 (Django's limit).
    skeleton = usernames.skeleton(str(name or "")).replace("\0", "0x00")
    return skeleton[: get_user_model()._meta.get_field("username").max_length]


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page axes shows a locked-out client: why, for how long, and the way back."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for axes (techtree.limits.client_address), or None when there is
    none to tell (a request built in code, e.g. a test's force_login): axes stores it in an
    address column, which PostgreSQL refuses to fill with a word like "unknown"."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address
