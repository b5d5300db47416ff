"""Template filters for concept pages: safe inline math and stable domain colours."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from techtree.markup import render_inline
from techtree.palette import domain_index

register = template.Library()


@register.filter
def domain_class(domain: str) -> str:
    """A CSS class picking one of the palette's colours, the same for a domain everywhere."""
    return f"domain-{domain_index(domain)}"


@register.filter
def inline_markup(text: str) -> SafeString:
    """Render one line of Markdown with $math$ as sanitised HTML."""
    return mark_safe(render_inline(text))
