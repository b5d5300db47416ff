"""Marks for the reader's own parts of HTML that the shared cache keeps for everyone.

A fragment such as a practice card or a worked example with its "Report a problem" form is
the same for every reader but for a few values: the response's CSRF token and the page's
address (the report form's way back). The cached HTML holds a mark in their place, filled in
once per page (`fill_page`): the token as a comment, which neither an escaped value nor
sanitised Markdown can produce, and the address (escaped where it stands, inside an
attribute) as a word derived from SECRET_KEY, which no author can write into a title.

A whole page kept for every visitor (the concept page) marks its reader parts the same way,
as comments naming the template that renders each (`reader_part`), rendered per request.
"""

from __future__ import annotations

import functools
import re
from types import SimpleNamespace

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

CSRF_TOKEN = mark_safe("<!--csrf-token-->")
KEPT_PAGE = "kept_page"  # in a template's context: reader parts are left as marks
_READER_PART = re.compile(r"<!--reader-part:([\w./-]+)-->")


def address_mark() -> str:
    """The address's mark. Fragment names carry it (`tag()`): a new secret gives new names,
    so no cached fragment ever holds a mark that is no longer filled in."""
    return _address_mark(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)  # a page names and fills twenty fragments: one HMAC
def _address_mark(secret: str) -> str:
    digest = salted_hmac(__name__, "page address", secret=secret, algorithm="sha256")
    return "page-" + digest.hexdigest()[:32]


def tag() -> str:
    """A short name for the marks, for the names of the fragments that hold them."""
    return address_mark()[-8:]


def marked_request() -> SimpleNamespace:
    """The `request` a fragment's template reads: its address is the mark."""
    address = address_mark()
    return SimpleNamespace(get_full_path=lambda: address)


def fill(html: str, *, csrf_token: str, address: str) -> str:
    """A cached fragment with this response's CSRF token and page address."""
    return html.replace(CSRF_TOKEN, conditional_escape(csrf_token)).replace(
        address_mark(), conditional_escape(address)
    )


def fill_page(page: bytes, request) -> bytes:
    """A page (UTF-8) with this response's CSRF token, asked for only where a form needs it,
    and address in place of the marks its fragments hold. Bytes, not text: on a page with
    any character beyond ASCII each str.replace copies it as wide characters, and the text
    was encoded after (0.22 ms for the softmax page's 151 KB, against 0.15 ms here); the
    marks are ASCII, so no character is cut."""
    csrf_mark = CSRF_TOKEN.encode()
    if csrf_mark in page:
        page = page.replace(csrf_mark, conditional_escape(get_token(request)).encode())
    address = conditional_escape(request.get_full_path()).encode()
    return page.replace(address_mark().encode(), address)


def reader_part(template_name: str) -> str:
    """The mark of a reader part, rendered per request by ``template_name``."""
    mark = mark_safe(f"<!--reader-part:{template_name}-->")
    if not _READER_PART.fullmatch(mark):
        raise ValueError(f"not a template name for a reader part: {template_name!r}")
    return mark


def page_pieces(html: str) -> list:
    """A page cut at its reader parts: its text (UTF-8), then a part's template name and the
    text that follows in turn."""
    pieces = _READER_PART.split(html)
    pieces[::2] = (text.encode() for text in pieces[::2])
    return pieces
