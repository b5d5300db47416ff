"""Template tags for concept pages: safe inline math, stable domain colours, concept cards."""

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader_tags import IncludeNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from techtree import marks
from techtree.markup import render_inline
from techtree.palette import domain_index

register = template.Library()


class ReaderPartNode(IncludeNode):
    def render(self, context) -> str:
        if context.get(marks.KEPT_PAGE):
            return marks.reader_part(self.template.resolve(context))
        return super().render(context)


@register.tag
def reader_part(parser, token) -> ReaderPartNode:
    """``{% reader_part "app/_part.html" %}``: include a part that is the reader's own
    (practice, ratings). A page kept for every visitor holds a mark there instead, and the
    part is rendered per request with the reader's sections (``techtree.extensions``)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one template name")
    return ReaderPartNode(parser.compile_filter(bits[1]))


@register.filter
def domain_class(domain: str) -> str:
    """A CSS class picking one of the palette's colours, the same for a domain everywhere."""
    return f"domain-{domain_index(domain)}"


@register.filter
def inline_markup(text: str) -> SafeString:
    """Render one line of Markdown with $math$ as sanitised HTML."""
    return mark_safe(render_inline(text))


@register.simple_tag
def concept_card(c) -> SafeString:
    """One concept's card in a list (browse, search), with its rating when the list's query
    annotated one. Built here rather than by an included template: sixty cards through the
    template engine cost a page about four times the login page, the same built here a
    tenth of that."""
    domain = domain_class(c.domain)
    count = getattr(c, "rating_count", None)
    rating = (
        format_html(
            "<span data-rating>rated {}/5 ({})</span>", floatformat(c.rating_mean, 1), count
        )
        if count
        else ""
    )
    return format_html(
        '<li class="card {}">\n  <h2><a href="{}">{}</a></h2>\n  <div class="meta-row">\n'
        '    <span class="badge domain-badge {}">{}</span>\n'
        '    <span class="stars" aria-label="Difficulty {} of 5">{}</span>\n'
        "    <span>depth {}</span>\n    <span>{} min</span>\n    {}\n  </div>\n"
        "  <p>{}</p>\n</li>",
        domain,
        c.get_absolute_url(),
        c.title,
        domain,
        c.domain,
        c.difficulty,
        c.stars,
        "–" if c.depth is None else c.depth,
        c.minutes,
        rating,
        c.summary,
    )
