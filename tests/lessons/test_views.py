"""Lesson and worked-example pages and the figure endpoint, through Django's test client.

Pages render for every worked example of the demo tree, a seed in the URL reproduces the
numbers exactly, learners get their own stable variant, bad addresses are 404s and bad
figure requests 400s (never 500s), query counts do not grow with the tree, and nothing an
author types into a lesson can run in a learner's browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse

from lessons import examples, figures, seeds
from lessons.models import Lesson, WorkedExample
from lessons.selectors import example_item
from techtree import versions
from techtree.loading import load_synthetic_tree
from techtree.models import Concept
from tests.conftest import load_demo_tree

pytestmark = pytest.mark.django_db

SOFTMAX = "softmax-and-logits"
NOT_A_NUMBER = re.compile(r"(?<![\\A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)


# --- reading the pages -----------------------------------------------------------------------


@dataclass
class ShownArticle:
    """What one [data-example] article on a page shows."""

    seed: str
    maths: list[str] = field(default_factory=list)  # the TeX of every math element
    text: list[str] = field(default_factory=list)  # every piece of text a learner reads
    images: list[dict[str, str]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # data attribute -> href


class _Page(HTMLParser):
    """Collects the worked-example articles of a page, and every element's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[ShownArticle] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._depth = 0  # nesting of <article> inside the current example
        self._math = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "article" and "data-example" in attributes and not self._depth:
            self.articles.append(ShownArticle(seed=attributes.get("data-seed", "")))
            self._depth = 1
            return
        if not self._depth:
            return
        article = self.articles[-1]
        if tag == "article":
            self._depth += 1
        if "math" in attributes.get("class", "").split():
            self._math = True
            article.maths.append("")
        if tag == "img":
            article.images.append(attributes)
            article.text.append(attributes.get("alt", ""))
        for name in ("data-new-numbers", "data-permalink"):
            if tag == "a" and name in attributes:
                article.links[name] = attributes.get("href", "")

    def handle_endtag(self, tag):
        if not self._depth:
            return
        self._math = False
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data):
        if not self._depth:
            return
        article = self.articles[-1]
        article.text.append(data)
        if self._math:
            article.maths[-1] += data


def read(response) -> _Page:
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.content.decode())
    return page


def example_url(row: WorkedExample, seed: int) -> str:
    return reverse("lessons:example", args=[row.concept.slug, row.order, seed])


def shown(client, row: WorkedExample, seed: int) -> ShownArticle:
    """The one worked example an example page shows."""
    [article] = read(client.get(example_url(row, seed))).articles
    return article


def assert_no_raw_non_finite(article: ShownArticle, where: str) -> None:
    text = " ".join(article.text)
    assert not NOT_A_NUMBER.search(text), (where, NOT_A_NUMBER.search(text)[0])


# --- the example page ------------------------------------------------------------------------


def test_every_example_of_the_demo_tree_renders_and_its_seed_reproduces_it(client, demo_tree):
    rows = list(WorkedExample.objects.select_related("concept"))
    assert len(rows) >= 30
    assert {row.generator for row in rows if row.template_id is None} <= set(examples.REGISTRY)
    assert all(row.generator or row.template_id for row in rows)  # or from a template
    for row in rows:
        first = shown(client, row, 1)
        assert first.seed == "1"
        assert len(first.maths) >= 3, row.generator  # the formulas are there, as math
        assert shown(client, row, 1).maths == first.maths, f"{row.generator}: same seed"
        others = [shown(client, row, seed).maths for seed in (2, 3, 4)]
        assert any(maths != first.maths for maths in others), f"{row.generator}: new seeds"
        assert_no_raw_non_finite(first, f"{row.generator} seed 1")


def test_the_page_shows_the_generated_numbers_for_its_seed(client, demo_tree):
    row = WorkedExample.objects.get(concept__slug=SOFTMAX, generator="softmax_probabilities")
    article = shown(client, row, 4242)
    example = examples.generate("softmax_probabilities", 4242)
    for step in example.steps:
        assert step.formula in article.maths
    assert article.links["data-permalink"] == example_url(row, 4242)


def test_the_edge_seeds_render(client, demo_tree):
    row = WorkedExample.objects.get(concept__slug=SOFTMAX, order=1)
    for seed in (0, seeds.MAX_SEED):
        assert shown(client, row, seed).seed == str(seed)


def test_overflow_is_said_in_words_on_the_page_for_many_seeds(client, demo_tree):
    """The naive exponentials of huge logits overflow; the page says so, never "inf"."""
    row = WorkedExample.objects.get(generator="stable_softmax_huge_logits", concept__slug=SOFTMAX)
    for seed in range(1, 41):
        article = shown(client, row, seed)
        assert_no_raw_non_finite(article, f"seed {seed}")
        assert any(r"\text{overflow}" in tex for tex in article.maths)


@pytest.mark.parametrize("seed", [seeds.MAX_SEED + 1, 10**12, 10**30])
def test_a_seed_out_of_range_is_a_friendly_404(client, demo_tree, seed):
    response = client.get(f"/concepts/{SOFTMAX}/examples/1/{seed}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f"Seeds run from 0 to {seeds.MAX_SEED}" in html
    assert "browse every concept" in html  # the site's own page, with a way on


@pytest.mark.parametrize(
    "path",
    [
        "/concepts/no-such-concept/examples/1/1/",
        f"/concepts/{SOFTMAX}/examples/99/1/",
        f"/concepts/{SOFTMAX}/examples/0/1/",
        f"/concepts/{SOFTMAX}/examples/{10**30}/1/",
        f"/concepts/{SOFTMAX}/examples/-1/1/",
        f"/concepts/{SOFTMAX}/examples/1/-5/",
        f"/concepts/{SOFTMAX}/examples/one/1/",
        "/concepts/no-such-concept/examples/1/new/",
        f"/concepts/{SOFTMAX}/examples/99/new/",
        f"/concepts/{SOFTMAX}/examples/{10**30}/new/",
    ],
)
def test_unknown_concepts_and_examples_are_404s(client, demo_tree, path):
    assert client.get(path).status_code == 404


def test_unpublished_concepts_examples_are_hidden(client, demo_tree):
    Concept.objects.filter(slug=SOFTMAX).update(published=False)
    assert client.get(f"/concepts/{SOFTMAX}/examples/1/1/").status_code == 404
    assert client.get(f"/concepts/{SOFTMAX}/examples/1/new/").status_code == 404


def test_new_numbers_redirects_to_a_fresh_valid_seed(client, demo_tree):
    url = reverse("lessons:new_numbers", args=[SOFTMAX, 2])
    drawn = set()
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"]  # a fresh seed every time
        match = resolve(response["Location"])
        assert match.view_name == "lessons:example"
        assert (match.kwargs["slug"], match.kwargs["order"]) == (SOFTMAX, 2)
        assert seeds.valid_seed(match.kwargs["seed"])
        drawn.add(match.kwargs["seed"])
        assert client.get(response["Location"]).status_code == 200
    assert len(drawn) >= 4


def test_new_numbers_is_get_only(client, demo_tree):
    url = reverse("lessons:new_numbers", args=[SOFTMAX, 1])
    assert client.post(url).status_code == 405
    assert client.post(f"/concepts/{SOFTMAX}/examples/1/1/").status_code == 405


def test_head_requests_are_answered_like_gets(client, demo_tree):
    response = client.head(f"/concepts/{SOFTMAX}/examples/1/1/")
    assert response.status_code == 200 and response.content == b""
    assert client.head("/figures/probabilities.svg?logits=2,1,0.1").status_code == 200


def test_an_example_whose_generator_was_removed_is_skipped_not_a_500(
    client, demo_tree, monkeypatch
):
    shown_before = len(concept_articles(client))  # the page is in the shared cache now
    row = WorkedExample.objects.get(concept__slug=SOFTMAX, order=2)
    monkeypatch.delitem(examples.REGISTRY, row.generator)  # a release dropped it
    monkeypatch.setattr(versions, "release", lambda: "a-release-without-it")
    WorkedExample.objects.filter(pk=row.pk).update(generator="gone-away")
    assert len(concept_articles(client)) == shown_before - 1
    assert client.get(f"/concepts/{SOFTMAX}/examples/2/1/").status_code == 404
    assert client.get(f"/concepts/{SOFTMAX}/examples/1/1/").status_code == 200


# --- the concept page: the learner's own variant ---------------------------------------------


def concept_articles(client) -> list[ShownArticle]:
    return read(client.get(reverse("techtree:concept", args=[SOFTMAX]))).articles


def test_a_visitor_sees_the_stable_default_variant(client, demo_tree):
    articles = concept_articles(client)
    assert len(articles) == WorkedExample.objects.filter(concept__slug=SOFTMAX).count()
    assert {a.seed for a in articles} == {str(seeds.personal_seed(None, "any"))}
    assert concept_articles(client) == articles


def test_a_learner_sees_their_own_stable_variant(client, demo_tree, django_user_model):
    ada = django_user_model.objects.create_user("ada", password="pw")
    bob = django_user_model.objects.create_user("bob", password="pw")
    client.force_login(ada)
    mine = concept_articles(client)
    rows = WorkedExample.objects.filter(concept__slug=SOFTMAX).order_by("order")
    assert [a.seed for a in mine] == [
        str(seeds.personal_seed(ada.pk, example_item(SOFTMAX, row.order))) for row in rows
    ]
    assert concept_articles(client) == mine, "the same learner sees the same numbers again"
    client.force_login(bob)
    theirs = concept_articles(client)
    assert [a.seed for a in theirs] != [a.seed for a in mine]
    assert [a.maths for a in theirs] != [a.maths for a in mine]
    # The learner's numbers can be shared: their link shows a visitor exactly the same.
    client.logout()
    for article in mine:
        [shared] = read(client.get(article.links["data-permalink"])).articles
        assert shared.maths == article.maths and shared.seed == article.seed


def test_a_learners_variant_survives_reloading_the_content(client, demo_tree, django_user_model):
    """Reloading replaces the example rows; the learner's numbers must not change with them."""
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    before = concept_articles(client)
    old_ids = set(WorkedExample.objects.values_list("pk", flat=True))
    load_demo_tree()
    assert not old_ids & set(WorkedExample.objects.values_list("pk", flat=True))
    assert concept_articles(client) == before


def test_new_numbers_links_point_at_each_examples_new_view(client, demo_tree):
    for article, row in zip(
        concept_articles(client),
        WorkedExample.objects.filter(concept__slug=SOFTMAX).order_by("order"),
        strict=True,
    ):
        assert article.links["data-new-numbers"] == reverse(
            "lessons:new_numbers", args=[SOFTMAX, row.order]
        )


# --- figures ---------------------------------------------------------------------------------


@pytest.fixture
def render_calls(monkeypatch):
    """Count figure renders; the cache starts empty."""
    cache.clear()
    calls = []
    real = figures.render

    def counting(spec):
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(figures, "render", counting)
    return calls


@pytest.mark.parametrize("kind", sorted(figures.KINDS))
def test_a_figure_is_an_svg_with_its_alt_text_and_cache_headers(client, render_calls, kind):
    response = client.get(f"/figures/{kind}.svg?logits=2,1,0.5&t=0.5")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    svg = response.content.decode()
    spec = figures.FigureSpec(kind, (2.0, 1.0, 0.5), 0.5)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    title = re.search(r"<title>(.*?)</title>", svg, re.S)[1]
    assert title == spec.alt.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert "0.5" in title and "<script" not in svg


def test_a_figure_is_drawn_once_then_served_from_the_cache(client, render_calls):
    first = client.get("/figures/probabilities.svg?logits=2,1,0.5")
    again = client.get("/figures/probabilities.svg?logits=2,1,0.5")
    same = client.get("/figures/probabilities.svg?logits=2.0,+1,0.50&t=1")  # spelled otherwise
    assert len(render_calls) == 1
    assert first.content == again.content == same.content
    client.get("/figures/probabilities.svg?logits=2,1,0.25")
    assert len(render_calls) == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/figures/probabilities.svg?logits=a,2", "Logit 1 ('a') is not a number."),
        ("/figures/probabilities.svg?logits=1,2,<script>", "Logit 3 ('<script>') is not a number"),
        ("/figures/probabilities.svg?logits=1,nan", "Logit 2 ('nan') is not a finite number."),
        ("/figures/probabilities.svg?logits=1,inf", "Logit 2 ('inf') is not a finite number."),
        ("/figures/probabilities.svg?logits=" + ",".join(["1"] * 13), "between 2 and 12 logits"),
        ("/figures/probabilities.svg?logits=1", "between 2 and 12 logits; got 1"),
        ("/figures/probabilities.svg?logits=1e5,1", "Each logit must lie between -10000 and"),
        ("/figures/probabilities.svg?logits=1e400,1", "Logit 1 is not a finite number."),
        ("/figures/probabilities.svg", "Give the logits as comma-separated numbers"),
        ("/figures/probabilities.svg?logits=", "Give the logits as comma-separated numbers"),
        ("/figures/probabilities.svg?logits=1,2&t=0", "temperature t must be a number from 0.05"),
        ("/figures/probabilities.svg?logits=1,2&t=hot", "t ('hot') is not a number."),
        ("/figures/probabilities.svg?logits=1,2&x=" + "9" * 600, "query string is too long"),
        ("/figures/histogram.svg?logits=1,2", "Unknown figure kind 'histogram'; choose one of"),
    ],
)
def test_a_bad_figure_request_is_a_400_with_a_clear_message(client, render_calls, path, message):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")  # the message is never markup
    assert message in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")
    assert render_calls == []


def test_the_figures_on_an_example_page_load_with_their_alt_text(client, demo_tree):
    row = WorkedExample.objects.get(concept__slug=SOFTMAX, generator="softmax_probabilities")
    [article] = read(client.get(example_url(row, 7))).articles
    assert len(article.images) == 2  # the probabilities and how exponentials amplify gaps
    for image in article.images:
        assert image["alt"].strip()
        response = client.get(image["src"])
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


# --- a fixed number of queries ---------------------------------------------------------------


@pytest.fixture(params=["demo", "grown"])
def sized_tree(request, demo_tree):
    """The demo tree, or the demo tree plus 300 concepts and 15 more softmax examples."""
    if request.param == "grown":
        load_synthetic_tree(300)
        softmax = Concept.objects.get(slug=SOFTMAX)
        last = WorkedExample.objects.filter(concept=softmax).count()
        keys = sorted(examples.REGISTRY)
        WorkedExample.objects.bulk_create(
            WorkedExample(concept=softmax, generator=keys[n], title=f"Extra {n}", order=last + n)
            for n in range(1, 16)
        )
    return request.param


def test_concept_page_queries_do_not_grow_with_lessons_or_examples(
    client, sized_tree, django_assert_num_queries
):
    client.get(f"/concepts/{SOFTMAX}/")  # its graph part and lesson are in the shared cache now
    client.get(f"/concepts/{SOFTMAX}/")  # and this visitor's cards (from their second view)
    # the content version (read once), the page as every visitor sees it with the concept's
    # view (cache), this visitor's practice section (cache), its quality; no session (a
    # visitor who only reads has none: their numbers are their browser's)
    with django_assert_num_queries(4):
        assert client.get(f"/concepts/{SOFTMAX}/").status_code == 200


def test_concept_page_queries_for_a_learner_do_not_grow(
    client, sized_tree, django_assert_num_queries, django_user_model
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    client.get(f"/concepts/{SOFTMAX}/")
    # + their session, user, the learner's problem progress and concept progress
    with django_assert_num_queries(10):
        assert client.get(f"/concepts/{SOFTMAX}/").status_code == 200


def test_example_page_queries_do_not_grow(client, sized_tree, django_assert_num_queries):
    with django_assert_num_queries(2):  # the example with its concept, its siblings
        assert client.get(f"/concepts/{SOFTMAX}/examples/1/5/").status_code == 200


def test_example_page_queries_for_a_learner_do_not_grow(
    client, sized_tree, django_assert_num_queries, django_user_model
):
    client.force_login(django_user_model.objects.create_user("ada", password="pw"))
    with django_assert_num_queries(4):  # + session, user
        assert client.get(f"/concepts/{SOFTMAX}/examples/1/5/").status_code == 200


def test_new_numbers_is_one_query(client, sized_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(f"/concepts/{SOFTMAX}/examples/1/new/").status_code == 302


# --- nothing an author types can run ---------------------------------------------------------

HOSTILE_BODY = """\
## Hostile lesson

<script>alert("body")</script>

<img src="x" onerror="alert('img')">

[a link](javascript:alert('link')) and [another](JaVaScRiPt:alert('case'))

<a href="javascript:alert('raw')">raw link</a> <div onclick="alert('div')">div</div>

<iframe src="https://evil.example/"></iframe><style>body { display: none }</style>

$<script>alert('math')</script>$ and a real formula $p_i = e^{z_i} / S$.
"""
HOSTILE_STRATEGY = '<script>alert("strategy")</script><b onmouseover="alert(1)">bold</b>'


def assert_nothing_executable(html: str) -> None:
    """Only the site's own scripts; no event handlers; no script URLs anywhere on the page."""
    page = _Page()
    page.feed(html)
    for tag, attributes in page.elements:
        assert tag not in {"iframe", "object", "embed"}, tag
        if tag == "script":
            src = attributes.get("src")
            inert_data = src is None and attributes.get("type") == "application/json"
            assert inert_data or (src or "").startswith("/static/"), attributes
        if tag == "img":
            assert attributes.get("src", "").startswith("/"), attributes  # our own figures
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name, value)
            assert not value.strip().lower().startswith(("javascript:", "data:text")), value
    for payload in ('alert("body")', "alert('img')", "alert('raw')", 'alert("strategy")'):
        # Whatever is left of an attack is shown as text (escaped), never as markup.
        assert f"<script>{payload}</script>" not in html


def test_hostile_lesson_text_saved_through_the_admin_never_reaches_the_page(
    admin_client, client, demo_tree
):
    lesson = Lesson.objects.get(concept__slug=SOFTMAX)
    response = admin_client.post(
        reverse("admin:lessons_lesson_change", args=[lesson.pk]),
        {
            "concept": lesson.concept_id,
            "teaching_strategy": HOSTILE_STRATEGY,
            "body": HOSTILE_BODY,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson.refresh_from_db()
    assert lesson.body == HOSTILE_BODY.strip()  # stored as typed; made safe when shown

    html = client.get(f"/concepts/{SOFTMAX}/").content.decode()
    assert "Hostile lesson" in html and 'class="math inline"' in html  # the lesson is shown
    assert_nothing_executable(html)


def test_hostile_lesson_text_saved_on_the_model_never_reaches_the_page(client, demo_tree):
    Lesson.objects.filter(concept__slug=SOFTMAX).update(
        body=HOSTILE_BODY, teaching_strategy=HOSTILE_STRATEGY
    )
    WorkedExample.objects.filter(concept__slug=SOFTMAX, order=1).update(
        title='<script>alert("title")</script>'
    )
    html = client.get(f"/concepts/{SOFTMAX}/").content.decode()
    assert "Hostile lesson" in html
    assert_nothing_executable(html)
    assert '<script>alert("title")</script>' not in html
    example_html = client.get(f"/concepts/{SOFTMAX}/examples/1/3/").content.decode()
    assert_nothing_executable(example_html)
    assert '<script>alert("title")</script>' not in example_html
