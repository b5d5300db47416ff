"""Template filters for lesson content."""

from django import template
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


@register.simple_tag
def lesson_contents(lesson) -> SafeString:
    """The lesson's headings as nested lists of links (built once per content version)."""
    return lesson.contents_html
