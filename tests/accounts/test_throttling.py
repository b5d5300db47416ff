"""Login, sign-up and password reset are throttled; sign-up is safe with any `next`.

Login failures are counted by django-axes in the database (per name and per client), so a
guesser is locked out after AXES_FAILURE_LIMIT failures, the right password is refused
during the lockout, and it works again after the cool-off (time-machine moves the clock) or
once the password is reset from the mailed link.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-lantern-42"
User = get_user_model()


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """On Redis (REDIS_URL) the limiter's counters outlive a test's transaction."""
    cache.clear()


@pytest.fixture
def grace(db):
    return User.objects.create_user("grace", email="grace@example.org", password=PASSWORD)


def log_in(client: Client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signup(client: Client, address: str = "203.0.113.5", **fields):
    data = {"username": "ada", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(fields)
    return client.post("/accounts/signup/", data, REMOTE_ADDR=address)


# --- Login ---------------------------------------------------------------------------------


def test_200_wrong_passwords_are_not_all_answered_and_the_right_one_is_then_refused(grace):
    client = Client()
    with time_machine.travel("2026-12-02 12:00:00", tick=False) as clock:
        statuses = [log_in(client, "grace", f"guess-{i}").status_code for i in range(200)]
        assert statuses[:4] == [200] * 4  # the form again, "enter a correct password"
        assert statuses[4:] == [429] * 196  # the fifth failure locks
        refused = log_in(client, "grace", PASSWORD)
        assert refused.status_code == 429 and "_auth_user_id" not in client.session
        page = refused.content.decode()
        assert "Too many failed logins" in page and "15 minutes" in page
        assert 'href="/accounts/password_reset/"' in page

        clock.shift(14 * 60)
        assert log_in(client, "grace", PASSWORD).status_code == 429
        clock.shift(2 * 60)  # the cool-off ends by itself
        assert log_in(client, "grace", PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(grace.pk)


def test_a_name_is_locked_whatever_address_the_guesses_come_from(grace):
    for i in range(5):
        log_in(Client(), "grace", "wrong", address=f"198.51.100.{i}")
    # Grace herself, from her own address, waits too (or resets her password).
    assert log_in(Client(), "grace", PASSWORD, address="192.0.2.77").status_code == 429
    # Lookalikes of the name count as the name.
    assert log_in(Client(), "GRACE", "x", address="192.0.2.78").status_code == 429


def test_a_client_is_locked_whatever_names_it_tries(grace):
    client = Client()
    for i in range(5):
        log_in(client, f"someone-{i}", "wrong")
    assert log_in(client, "grace", PASSWORD).status_code == 429
    assert log_in(Client(), "grace", PASSWORD, address="192.0.2.9").status_code == 302


def test_the_admin_login_is_locked_too(grace):
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "grace", "password": "no"}, REMOTE_ADDR="203.0.113.5"
        )
    response = client.post(
        "/admin/login/", {"username": "grace", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 429


def test_resetting_the_password_by_mail_ends_the_lockout(grace, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(5):
        log_in(Client(), "grace", "wrong", address="198.51.100.1")
    client = Client()
    assert log_in(client, "grace", PASSWORD, address="192.0.2.7").status_code == 429
    client.post(
        "/accounts/password_reset/", {"email": "grace@example.org"}, REMOTE_ADDR="192.0.2.7"
    )
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True, REMOTE_ADDR="192.0.2.7")
    new = "another-harbour-lantern-43"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
        REMOTE_ADDR="192.0.2.7",
    )
    assert done.status_code == 302
    assert log_in(Client(), "grace", new, address="192.0.2.7").status_code == 302


# --- Sign-up and password reset --------------------------------------------------------------


def test_sign_ups_are_counted_per_client(db, settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 3
    for i in range(3):
        assert signup(Client(), username=f"learner{i}").status_code == 302
    refused = signup(Client(), username="learner9")
    assert refused.status_code == 429 and "Please wait a while" in refused.content.decode()
    assert not User.objects.filter(username="learner9").exists()
    assert signup(Client(), address="192.0.2.1", username="learner9").status_code == 302


def test_a_locked_out_client_cannot_sign_up_either(grace):
    client = Client()
    for i in range(5):
        log_in(client, f"someone-{i}", "wrong")
    assert signup(client).status_code == 429
    assert not User.objects.filter(username="ada").exists()


def test_reset_mails_are_bounded_per_address_and_per_client(grace, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RESETS_PER_EMAIL_PER_HOUR = 2
    settings.RESETS_PER_CLIENT_PER_HOUR = 4
    client = Client()
    pages = [
        client.post(
            "/accounts/password_reset/", {"email": "grace@example.org"}, REMOTE_ADDR="192.0.2.3"
        )
        for _ in range(4)
    ]
    assert [p.status_code for p in pages] == [302] * 4  # the same "sent" page each time
    assert len(mail.outbox) == 2
    refused = client.post(
        "/accounts/password_reset/", {"email": "x@example.org"}, REMOTE_ADDR="192.0.2.3"
    )
    assert refused.status_code == 429


UNSAFE_NEXT = ["foo", "dashboard", "//evil", "%2F%2Fevil", "https://evil.example.org/", "/\\evil"]


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_sign_up_with_an_unsafe_next_lands_on_the_dashboard_logged_in(db, next_url):
    client = Client()
    response = signup(client, next=next_url)
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username="ada").pk)


def test_sign_up_with_a_safe_next_goes_there(db):
    response = signup(Client(), next="/concepts/softmax-and-logits/#practice")
    assert response.url == "/concepts/softmax-and-logits/#practice"


@pytest.mark.parametrize(
    "lookalike",
    ["grace", "Grace", "GRACE", "ｇｒａｃｅ", "grаce", "gracе"],  # Cyrillic а, е in the last two
)
def test_lookalikes_of_a_taken_name_are_refused_with_one_message(grace, lookalike):
    response = signup(Client(), username=lookalike)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This username is not available." in page or "one alphabet" in page
    assert User.objects.count() == 1


def test_an_all_cyrillic_lookalike_is_refused(db):
    User.objects.create_user("cope", password=PASSWORD)
    response = signup(Client(), username="соре")  # с, о, р, е: all four Cyrillic
    assert "This username is not available." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("name", ["\x00", "Ω" * 300])
def test_a_nul_or_an_overlong_name_is_refused_not_a_500(db, path, name):
    # PostgreSQL text cannot hold NUL, and axes' username column holds 255 characters: the
    # lockout records must not send either there (both answered 500 on PostgreSQL).
    fields = {"username": name, "password": "x" + name, "next": "\x00", "email": "\x00"}
    assert Client().post(path, fields, REMOTE_ADDR="203.0.113.5").status_code == 200


def test_a_name_mixing_scripts_is_refused(db):
    response = signup(Client(), username="pаypal")  # Cyrillic а
    assert "one alphabet" in response.content.decode()
    assert not User.objects.exists()


def test_an_email_already_used_is_refused(grace):
    response = signup(Client(), username="ada", email="Grace@Example.org")
    assert "This email address cannot be used" in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


def test_sign_up_says_the_same_for_a_taken_name_as_for_a_lookalike(grace):
    taken = signup(Client(), username="grace").content.decode()
    lookalike = signup(Client(), address="192.0.2.2", username="Grace").content.decode()
    message = "This username is not available. Please choose another."
    assert message in taken and message in lookalike
    assert "already exists" not in taken
