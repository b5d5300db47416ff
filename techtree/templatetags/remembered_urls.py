"""`{% url %}` with each address worked out once per process (a template builtin, settings).

Django reverses a name afresh at every `{% url %}`: about 60 microseconds each on this
project's busy test machine, and a page's header alone asks for seven. The URL patterns do
not change while the process runs, so an address follows from the name, its arguments, the
current app, the URLconf and the script prefix; they name it here. (No URL pattern here
depends on the language; a change of LANGUAGE_CODE forgets all, as a new URLconf does.)
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, clear_url_caches, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@functools.lru_cache(maxsize=4096)
def _reverse(name, args: tuple, kwargs: tuple, current_app, _urlconf, _prefix) -> str:
    return reverse(name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget(*, setting, **_kwargs) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGE_CODE"}:
        _reverse.cache_clear()
        clear_url_caches()


def _current_app(context) -> str | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    if hasattr(request, "current_app"):
        return request.current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match else None


class RememberedURLNode(URLNode):
    """Django's URLNode, reading the address from `_reverse`'s memory."""

    def render(self, context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        where = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        try:
            url = _reverse(
                self.view_name.resolve(context), args, kwargs, _current_app(context), *where
            )
        except TypeError:  # an argument that cannot be a key (a list, a dict): Django's way
            return super().render(context)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> RememberedURLNode:
    """Django's `{% url %}` (the same syntax and result), remembered."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
