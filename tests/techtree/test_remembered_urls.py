"""`{% url %}` (techtree.templatetags.remembered_urls, a template builtin) gives what Django's
tag gives, in every form, and reverses each address once."""

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, set_script_prefix

from techtree.templatetags import remembered_urls

CASES = [
    "{% url 'techtree:tree' %}",
    "{% url 'techtree:concept' 'softmax-and-logits' %}",
    "{% url 'techtree:concept' slug=slug %}",
    "{% url 'techtree:concept' slug %}|{% url 'techtree:concept' other %}",
    "{% url 'techtree:tree' as here %}[{{ here }}]",
    "{% url 'no-such-page' as missing %}[{{ missing }}]",
    "{% url name %}",
    "{% url 'techtree:concept' slug as here %}{% url 'techtree:concept' other %}{{ here }}",
    "{% url 'techtree:say' 'a&b' %}",
    "{% autoescape off %}{% url 'techtree:say' 'a&b' %}{% endautoescape %}",
]
CONTEXT = {"slug": "tree-one", "other": "tree-two", "name": "techtree:say-hello"}


def djangos(source: str) -> str:
    return Engine.get_default().from_string(source).render(Context(CONTEXT))


def plain(source: str) -> str:
    """The same source with Django's own tag (an engine without our builtin)."""
    return Engine(libraries={}, builtins=[]).from_string(source).render(Context(CONTEXT))


@override_settings(ROOT_URLCONF="tests.techtree.other_urls")
@pytest.mark.parametrize("source", CASES)
def test_the_same_as_djangos_tag(source):
    remembered_urls._reverse.cache_clear()
    first = djangos(source)
    assert first == plain(source)
    assert djangos(source) == first  # and again, from memory
    assert Template(source).nodelist[0].__class__.__name__ in {
        "RememberedURLNode",
        "AutoEscapeControlNode",
    }


def test_each_address_is_reversed_once(monkeypatch):
    remembered_urls._reverse.cache_clear()
    reversed_ = []
    reverse = remembered_urls.reverse
    monkeypatch.setattr(
        remembered_urls, "reverse", lambda *a, **k: reversed_.append(a[0]) or reverse(*a, **k)
    )
    for _ in range(3):
        djangos("{% url 'techtree:tree' %}{% url 'techtree:concept' slug %}")
    assert reversed_ == ["techtree:tree", "techtree:concept"]


def test_an_unknown_name_is_still_an_error_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            djangos("{% url 'no-such-page' %}")
    with pytest.raises(TemplateSyntaxError):
        djangos("{% url %}")


def test_an_argument_that_cannot_be_a_key_is_reversed_the_django_way():
    source = "{% url 'techtree:concept' slugs %}"
    context = Context({"slugs": ["a", "b"]})
    engine = Engine.get_default()
    with pytest.raises(NoReverseMatch):  # what Django says of a list, not a TypeError
        engine.from_string(source).render(context)


def test_the_script_prefix_and_the_urlconf_are_part_of_the_address():
    tree = djangos("{% url 'techtree:tree' %}")
    set_script_prefix("/mounted/")
    try:
        assert djangos("{% url 'techtree:tree' %}") == "/mounted" + tree
    finally:
        set_script_prefix("/")
    assert djangos("{% url 'techtree:tree' %}") == tree
    with override_settings(ROOT_URLCONF="tests.techtree.other_urls"):
        assert djangos("{% url 'techtree:tree' %}") == "/elsewhere/"
    assert djangos("{% url 'techtree:tree' %}") == tree


def test_the_current_app_is_part_of_the_address(rf: RequestFactory):
    request = rf.get("/")
    request.current_app = "admin"
    engine = Engine.get_default()
    source = "{% url 'admin:index' %}"
    assert engine.from_string(source).render(Context({"request": request})) == plain(source)
