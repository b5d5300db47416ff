"""Sign-up: Django's own user creation form, plus an email address for password resets.

A name that is taken, or looks like one that is (accounts.usernames), gets one and the same
message, and so does an email address already in use, so the form says no more than "not
available"; how often a client may ask is bounded by accounts.throttle.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from accounts import usernames

UNAVAILABLE_USERNAME = "This username is not available. Please choose another."
UNAVAILABLE_EMAIL = (
    "This email address cannot be used for a new account. If it is yours, log in, or reset "
    "your password from the login page."
)
MIXED_SCRIPTS = "Use letters from one alphabet only (for example, not Latin mixed with Cyrillic)."


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional; needed only to reset a forgotten password."
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_username(self) -> str:
        name = self.cleaned_data["username"]  # Django's check would name the taken user
        if usernames.mixes_scripts(name):
            raise forms.ValidationError(MIXED_SCRIPTS, code="mixed_scripts")
        wanted = usernames.skeleton(name)
        # One query; the scan is over names only, and sign-ups are throttled per client.
        # Closed explicitly: on PostgreSQL the iterator holds a server-side cursor, which an
        # early exit would otherwise leave to the garbage collector, mid-transaction.
        taken = get_user_model().objects.values_list("username", flat=True).iterator()
        try:
            clash = any(usernames.skeleton(existing) == wanted for existing in taken)
        finally:
            taken.close()
        if clash:
            raise forms.ValidationError(UNAVAILABLE_USERNAME, code="unique")
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "").strip()
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(UNAVAILABLE_EMAIL, code="email_taken")
        return email
