"""A lesson page leads with its TL;DR and interactive parts, lists its contents, and anchors
every heading; the TL;DR and essential relationships are content fields like any other."""

import re

import pytest
from django.core.exceptions import ValidationError

from lessons import formulas
from lessons.models import Lesson
from techtree import content_rules
from techtree.content import parse_concept, read_folder
from tests.conftest import CONTENT, load_demo_tree

SOFTMAX = "/concepts/softmax-and-logits/"
TYPED_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d{2,}")
SOURCES = read_folder(CONTENT)


def concept_text(lesson: str) -> str:
    return (
        '+++\ntitle = "T"\nsummary = "S"\ndomain = "D"\ndifficulty = 1\nminutes = 1\n'
        f"[lesson]\n{lesson}\n+++\nBody.\n"
    )


# --- The content format -----------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_every_concept_has_a_tldr_and_a_few_essential_relationships(source):
    lesson = source.sections["lesson"]
    assert 150 <= len(lesson["tldr"]) <= content_rules.TLDR_CHARS
    assert 3 <= len(lesson["essentials"]) <= content_rules.ESSENTIALS_ITEMS
    texts = [lesson["tldr"], *(part for pair in lesson["essentials"] for part in pair)]
    for text in texts:
        formulas.fill_numbers(text)  # every directive evaluates
        typed = TYPED_DECIMAL.findall(formulas.DIRECTIVE.sub("", text))
        assert typed == [], f"write these as {{{{ ... }}}} directives: {typed}"
    for formula, _ in lesson["essentials"]:
        assert "$" not in formula  # TeX, shown as display math


def test_the_tldr_and_essentials_have_size_limits():
    long_tldr = "x" * (content_rules.TLDR_CHARS + 1)
    with pytest.raises(ValueError, match=r"lesson\.tldr: is 801 characters long"):
        parse_concept(concept_text(f'tldr = "{long_tldr}"'), "t")
    seven = ", ".join(['["a = b", "c"]'] * (content_rules.ESSENTIALS_ITEMS + 1))
    with pytest.raises(ValueError, match=r"lesson\.essentials: has 7 entries; the limit is 6"):
        parse_concept(concept_text(f"essentials = [{seven}]"), "t")
    with pytest.raises(ValueError, match=r"lesson\.essentials\[1\]: must be a pair"):
        parse_concept(concept_text('essentials = ["a = b"]'), "t")
    with pytest.raises(ValueError, match=r"lesson\.essentials\[1\]\[1\]: must not be empty"):
        parse_concept(concept_text('essentials = [[" ", "c"]]'), "t")
    with pytest.raises(ValueError, match=r"a formula may not contain ' \| '"):
        parse_concept(concept_text('essentials = [["a | b", "c"]]'), "t")


def test_a_directive_s_own_bar_does_not_split_a_relationship():
    line = "e \\approx {{ exp(1) | 4 }} | the base {{ log(2) | 2 }}"
    assert content_rules.split_pair_line(line) == (
        "e \\approx {{ exp(1) | 4 }}",
        "the base {{ log(2) | 2 }}",
    )
    assert content_rules.split_pair_line("a = b") == ("a = b", "")
    source = parse_concept(concept_text('essentials = [["e = {{ exp(1) | 4 }}", "e"]]'), "t")
    assert source.sections["lesson"]["essentials"] == [["e = {{ exp(1) | 4 }}", "e"]]


@pytest.mark.django_db
def test_the_admin_refuses_what_a_file_may_not_hold(demo_tree):
    lesson = Lesson.objects.get(concept__slug="softmax-and-logits")
    lesson.essentials = "\n".join(["a = b | c"] * (content_rules.ESSENTIALS_ITEMS + 1))
    lesson.tldr = "x" * (content_rules.TLDR_CHARS + 1)
    with pytest.raises(ValidationError) as caught:
        lesson.full_clean()
    assert set(caught.value.message_dict) >= {"essentials", "tldr"}
    lesson.refresh_from_db()
    lesson.essentials = "e = {{ nope(1) | 3 }} | broken"
    with pytest.raises(ValidationError, match="A number directive failed"):
        lesson.clean()


@pytest.mark.django_db
def test_loading_keeps_both_fields(demo_tree):
    lesson = Lesson.objects.get(concept__slug="kl-divergence")
    source = next(s for s in SOURCES if s.slug == "kl-divergence")
    assert lesson.tldr == source.sections["lesson"]["tldr"]
    assert [list(p) for p in lesson.essential_pairs] == source.sections["lesson"]["essentials"]


# --- The page ---------------------------------------------------------------------------


@pytest.fixture
def softmax_html(client, demo_tree):
    return client.get(SOFTMAX).content.decode()


@pytest.mark.django_db
def test_the_softmax_page_leads_with_the_tldr_then_its_interactive_parts(softmax_html):
    html = softmax_html
    order = [
        'id="tldr"',
        'aria-label="Start here"',
        'id="visualizer"',
        'id="core-concepts"',
        'id="essentials"',
        'id="lesson"',
        'id="worked-examples"',
        'id="practice"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # the visualizer comes before the long lesson's first section, not after its end
    assert html.index('id="visualizer"') < html.index('id="why-it-matters"')
    # every worked example is linked from the top
    start = html[html.index('aria-label="Start here"') : html.index('id="visualizer"')]
    assert start.count('href="#example-') == html.count('class="worked-example"') >= 3


@pytest.mark.django_db
def test_the_tldr_and_essentials_show_computed_numbers(client, demo_tree):
    html = client.get("/concepts/kl-divergence/").content.decode()
    section = html[html.index('id="essentials"') : html.index('id="lesson"')]
    assert section.count('class="essential"') == 4
    assert formulas.fill_numbers("{{ kl_divergence([0.9, 0.1], [0.5, 0.5]) | 3 }}") in section
    assert '<div class="math block">' in section and "{{" not in section
    tldr = client.get(SOFTMAX).content.decode().split('id="tldr"')[1].split("</section>")[0]
    assert formulas.fill_numbers("{{ softmax([2, 1, 0.1]) | 3 }}") in tldr


@pytest.mark.django_db
def test_every_contents_entry_links_to_one_element_of_the_page(softmax_html):
    html = softmax_html
    nav = html[html.index("data-contents>") : html.index("</nav>", html.index("data-contents>"))]
    targets = re.findall(r'href="#([^"]+)"', nav)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id appears twice on the page"
    assert len(targets) > 20
    for target in targets:
        assert target in ids, target
    for anchor in ("tldr", "visualizer", "essentials", "lesson", "why-it-matters",
                   "shift-invariance", "worked-examples", "key-takeaways", "practice"):  # fmt: skip
        assert anchor in targets
    # ### headings are nested under their ##
    nested = r'href="#only-differences-matter".*?<ol><li><a href="#shift-invariance"'
    assert re.search(nested, nav, re.S)


@pytest.mark.django_db
def test_anchors_are_stable_across_renders_and_reloads(client, demo_tree):
    first = re.findall(r'<h[23] id="([^"]+)"', client.get(SOFTMAX).content.decode())
    load_demo_tree()  # a reload (new content version: rendered again)
    second = re.findall(r'<h[23] id="([^"]+)"', client.get(SOFTMAX).content.decode())
    assert first == second and "the-log-sum-exp-trick" in first


@pytest.mark.django_db
def test_core_concepts_never_split_across_columns():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("techtree/site.css")).read_text(encoding="utf-8")
    assert re.search(r"\.atoms li[^{]*\{[^}]*break-inside:\s*avoid", css)


@pytest.mark.django_db
def test_authors_edit_both_in_the_admin(admin_client, demo_tree):
    lesson = Lesson.objects.get(concept__slug="softmax-and-logits")
    html = admin_client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert 'name="tldr"' in html and 'name="essentials"' in html
    concept_form = admin_client.get(f"/admin/techtree/concept/{lesson.concept.pk}/change/")
    assert 'name="lesson-0-tldr"' in concept_form.content.decode()


OLD_CONTENTS_LOOP = (  # lessons/_contents.html's loop before the tag
    "{% if lesson.contents %}<ol>{% for heading, parts in lesson.contents %}"
    '<li><a href="#{{ heading.anchor }}">{{ heading.html }}</a>{% if parts %}'
    '<ol>{% for part in parts %}<li><a href="#{{ part.anchor }}">{{ part.html }}</a></li>'
    "{% endfor %}</ol>{% endif %}</li>{% endfor %}</ol>{% endif %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["softmax-and-logits", "kl-divergence", "cross-entropy-loss"])
def test_the_contents_tag_lists_what_the_template_loop_listed(demo_tree, slug):
    from django.template import Context, Template

    from lessons.selectors import lesson_view
    from lessons.templatetags.lesson_tags import lesson_contents
    from techtree.models import Concept

    lesson = lesson_view(Concept.objects.get(slug=slug), learner_id=None)
    looped = Template(OLD_CONTENTS_LOOP).render(Context({"lesson": lesson}))
    assert lesson.contents and looped == lesson_contents(lesson)
