"""Template filters for lesson content."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lessons import figures
from techtree import markup

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render Markdown with $math$ as sanitised HTML."""
    return mark_safe(markup.render_markdown(text))


@register.simple_tag
def example_figures(example) -> list:
    """The figures that illustrate a generated example (specs with URLs and alt text)."""
    return figures.specs_for_example(example)


_ENTRY = '<li><a href="#{}">{}</a>{}</li>'


@register.simple_tag
def lesson_contents(lesson) -> SafeString:
    """The lesson's headings as nested lists of links, each ## with the ### under it.

    Format strings rather than a template loop: the loop took about 0.8 ms of the softmax
    page (thirty headings), these a fifth of that."""
    entries = []
    for heading, parts in lesson.contents:
        under = format_html_join("", _ENTRY, ((part.anchor, part.html, "") for part in parts))
        nested = format_html("<ol>{}</ol>", under) if parts else ""
        entries.append(format_html(_ENTRY, heading.anchor, heading.html, nested))
    return format_html("<ol>{}</ol>", mark_safe("".join(entries))) if entries else ""
