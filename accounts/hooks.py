"""Hooks through which the apps above act on a sign-up (registered in their ready()).

A sign-up listener is ``listener(request, user) -> str | None``, called by the sign-up view
inside the transaction that creates the account and logs it in, before the log-in, with the
visitor's session still as it was; what it writes commits or rolls back with the account.
It may return a sentence to show the new learner. Practice keeps a visitor's solves here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SignupListener = Callable[[Any, Any], str | None]

_signup_listeners: list[SignupListener] = []


def register_signup_listener(listener: SignupListener) -> None:
    if listener not in _signup_listeners:
        _signup_listeners.append(listener)


def signed_up(request, user) -> list[str]:
    """Tell every listener; the sentences they return, in order."""
    said = (listener(request, user) for listener in _signup_listeners)
    return [sentence for sentence in said if sentence]
