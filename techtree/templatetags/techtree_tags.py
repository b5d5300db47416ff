"""Template filters for concept pages: safe inline math and stable domain colours."""

import zlib

from django import template
from django.utils.safestring import SafeString, mark_safe

from techtree.markup import render_inline

register = template.Library()

DOMAIN_COLOURS = 8  # --domain-0 .. --domain-7 in site.css


@register.filter
def domain_class(domain: str) -> str:
    """A CSS class picking one of the palette's colours, the same for a domain everywhere."""
    return f"domain-{zlib.crc32(domain.encode()) % DOMAIN_COLOURS}"


@register.filter
def inline_markup(text: str) -> SafeString:
    """Render one line of Markdown with $math$ as sanitised HTML."""
    return mark_safe(render_inline(text))
