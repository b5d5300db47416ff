"""Accounts: sign up, log in and out, change and reset a password, and the demo users."""

from __future__ import annotations

import os
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-lantern-42"
User = get_user_model()


def signup(client, **fields):
    data = {"username": "ada", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(fields)
    return client.post("/accounts/signup/", data)


@pytest.fixture
def member(db):
    return User.objects.create_user("grace", email="grace@example.org", password=PASSWORD)


# --- Signing up --------------------------------------------------------------------------


def test_signing_up_creates_the_account_and_logs_in(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and "Create my account" in page.content.decode()
    response = signup(client, email="ada@example.org")
    assert response.status_code == 302 and response.url == "/dashboard/"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.org" and user.check_password(PASSWORD)
    assert not user.is_staff
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Welcome, ada! Your progress is now saved." in dashboard.content.decode()


def test_signing_up_returns_to_where_the_learner_was_but_only_on_this_site(client, db):
    response = signup(client, next="/concepts/softmax-and-logits/#practice")
    assert response.url == "/concepts/softmax-and-logits/#practice"
    client.post("/accounts/logout/")
    response = signup(client, username="eve", next="https://evil.example.org/")
    assert response.url == "/dashboard/"


def test_a_taken_username_is_refused(client, member):
    response = signup(client, username="grace")
    assert response.status_code == 200
    assert "This username is not available." in response.content.decode()
    assert User.objects.filter(username="grace").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("84736251", "This password is entirely numeric."),
        ("x7#q", "This password is too short."),
        ("ada-lovelace", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, db, password, message):
    response = signup(client, username="ada-lovelace", password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_mismatched_passwords_are_refused(client, db):
    response = signup(client, password2=PASSWORD + "!")
    assert "didn’t match" in response.content.decode() or "didn't match" in (
        response.content.decode()
    )
    assert not User.objects.exists()


def test_a_signed_in_learner_is_sent_to_their_dashboard(client, member):
    client.force_login(member)
    assert client.get("/accounts/signup/").url == "/dashboard/"


# --- Logging in and out, and the header --------------------------------------------------


def test_logging_in_and_out(client, member):
    page = client.get("/accounts/login/?next=/concepts/")
    assert page.status_code == 200 and 'value="/concepts/"' in page.content.decode()
    bad = client.post("/accounts/login/", {"username": "grace", "password": "wrong"})
    assert bad.status_code == 200 and "enter a correct username and password" in (
        bad.content.decode()
    )
    response = client.post("/accounts/login/", {"username": "grace", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.get("/accounts/logout/").status_code == 405  # logging out is a POST
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/dashboard/").status_code == 302


def test_the_header_shows_who_is_logged_in(client, member):
    html = client.get("/concepts/").content.decode()
    assert 'href="/accounts/login/?next=/concepts/"' in html and "Sign up" in html
    assert "data-username" not in html
    client.force_login(member)
    html = client.get("/concepts/").content.decode()
    assert re.search(r"Signed in as <strong data-username>grace</strong>", html)
    assert 'action="/accounts/logout/"' in html and 'href="/dashboard/"' in html
    assert "Admin" not in re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group()


# --- Passwords ---------------------------------------------------------------------------


def test_changing_the_password(client, member):
    client.force_login(member)
    assert client.get("/accounts/password_change/").status_code == 200
    new = "another-quiet-harbour-7"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response.url == "/accounts/password_change/done/"
    assert "Your password has been changed." in client.get(response.url).content.decode()
    member.refresh_from_db()
    assert member.check_password(new)


def test_a_wrong_old_password_changes_nothing(client, member):
    client.force_login(member)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": "x-y-z-123456", "new_password2": "x-y-z-123456"},
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_resetting_a_forgotten_password_by_email(client, member, mailoutbox):
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "grace@example.org"})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["grace@example.org"]
    assert message.subject == "techtree: reset your password"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set my password" in form.content.decode()
    new = "a-brand-new-lantern-9"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"
    member.refresh_from_db()
    assert member.check_password(new)
    # The link works once.
    assert "no longer valid" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, member):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_mail_goes_to_the_console_unless_configured():
    from techtree import settings as configured

    if "EMAIL_BACKEND" not in os.environ:
        assert configured.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# --- Demo users --------------------------------------------------------------------------


def test_create_demo_users_is_idempotent(db):
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "username learner, password softmax-learner-2026" in out.getvalue()
    learner, author = User.objects.get(username="learner"), User.objects.get(username="author")
    assert not learner.is_staff and author.is_staff and not author.is_superuser
    authors = Group.objects.get(name="Authors")
    assert author.groups.get() == authors
    assert authors.permissions.filter(codename="change_problem").exists()
    assert not authors.permissions.filter(content_type__app_label="auth").exists()
    learner.set_password("changed-by-the-learner-1")
    learner.save()

    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert out.getvalue().count("already existed; password unchanged") == 2
    assert User.objects.count() == 2 and Group.objects.count() == 1
    learner.refresh_from_db()
    assert learner.check_password("changed-by-the-learner-1")
    assert User.objects.get(username="author").check_password("softmax-author-2026")
