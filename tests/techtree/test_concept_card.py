"""A concept's card in browse and search: every text escaped, the rating only when known."""

from techtree.models import Concept
from techtree.templatetags.techtree_tags import concept_card, domain_class


def card(**fields) -> str:
    concept = Concept(
        slug="a-b",
        title="Q & <A>",
        summary='Says "hi" <b>',
        domain="Maths & Co",
        difficulty=2,
        depth=fields.pop("depth", 3),
        minutes=15,
    )
    for name, value in fields.items():
        setattr(concept, name, value)
    return str(concept_card(concept))


def test_every_text_is_escaped_and_the_card_links_to_the_concept():
    html = card()
    assert '<a href="/concepts/a-b/">Q &amp; &lt;A&gt;</a>' in html
    assert "<p>Says &quot;hi&quot; &lt;b&gt;</p>" in html
    assert f'<li class="card {domain_class("Maths & Co")}">' in html
    assert ">Maths &amp; Co</span>" in html
    assert 'aria-label="Difficulty 2 of 5">★★☆☆☆<' in html
    assert "<span>depth 3</span>" in html and "<span>15 min</span>" in html
    assert "<b>" not in html


def test_a_concept_not_yet_placed_shows_a_dash_for_its_depth():
    assert "<span>depth –</span>" in card(depth=None)


def test_the_rating_shows_only_when_the_list_annotated_one():
    assert "data-rating" not in card()
    assert "data-rating" not in card(rating_count=0, rating_mean=None)
    # Rounded as the template filter rounds (half up), not as Python's format() would.
    assert "<span data-rating>rated 2.3/5 (4)</span>" in card(rating_count=4, rating_mean=2.25)


def test_browse_lists_one_card_per_published_concept(client, demo_tree):
    html = client.get("/concepts/").content.decode()
    published = Concept.objects.filter(published=True)
    assert html.count('<li class="card ') == published.count()
    for concept in published:
        assert f'<a href="{concept.get_absolute_url()}">' in html
