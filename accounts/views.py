"""Sign-up and password reset with their throttles; the rest is Django's own auth views.

Login failures are counted by django-axes (per username and per client, in the database so
every worker sees them). A client axes has locked out cannot sign up either, and sign-ups
and reset mails are counted per client (and reset mails per address asked for) by the
shared limiter, so neither form can be used to enumerate names or flood mailboxes.
"""

from __future__ import annotations

from axes.decorators import axes_dispatch
from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import hooks, usernames
from accounts.forms import SignUpForm
from techtree import limits


def _safe_next(request: HttpRequest) -> str:
    """Where to go after signing up: a local path as Django's LoginView accepts, else home."""
    target = request.POST.get("next", request.GET.get("next", ""))
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _too_many(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "registration/too_many.html", {"what": what}, status=429)


@axes_dispatch
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and its logged-in session in one step."""
    if request.user.is_authenticated:
        return redirect("quizzes:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if not limits.hit(
            "signup",
            limits.address_key(request),
            settings.SIGNUPS_PER_ADDRESS_PER_HOUR,
            limits.HOUR,
        ):
            return _too_many(request, "sign-ups")
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                kept = hooks.signed_up(request, user)  # e.g. the visitor's solves
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}! Your progress is now saved.")
            for sentence in kept:
                messages.info(request, sentence)
            return HttpResponseRedirect(_safe_next(request))
    next_url = request.GET.get("next", "")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, counted per client and per address asked for.

    Past the per-address limit the page still says "sent" (as it does for an unknown
    address) but sends nothing, so it reveals nothing and floods no one.
    """

    def post(self, request, *args, **kwargs):
        address = limits.address_key(request)
        if not limits.hit(
            "reset-client", address, settings.RESETS_PER_CLIENT_PER_HOUR, limits.HOUR
        ):
            return _too_many(request, "password-reset requests")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = usernames.skeleton(form.cleaned_data["email"])
        if not limits.hit("reset-email", email, settings.RESETS_PER_EMAIL_PER_HOUR, limits.HOUR):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the mailed link also lifts the name's login lockout."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_lockout(username=usernames.skeleton(form.user.get_username()))
        return response
