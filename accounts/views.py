"""Sign-up; everything else about accounts is Django's own auth views."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import SignUpForm


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and sign in straight away."""
    if request.user.is_authenticated:
        return redirect("quizzes:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Your progress is now saved.")
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return redirect(target)
        return redirect("quizzes:dashboard")
    return render(
        request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )
