"""Reading concept files: front matter, validation, and cycles named by title."""

import pytest

from techtree.content import ConceptSource, ContentError, check_sources, parse_concept

GOOD = """+++
title = "Attention"
summary = "Weights from softmax."
domain = "Deep Learning"
difficulty = 4
minutes = 30
prerequisites = ["softmax"]
core_concepts = ["one", "two"]
key_symbols = [["$q$", "a query"]]

[[examples]]
generator = "attention_weights"
+++
# Body

Text with $x$.
"""


def source(slug, title=None, prerequisites=()):
    return ConceptSource(
        slug=slug, title=title or slug.title(), summary="s", domain="d", difficulty=1, minutes=5,
        prerequisites=tuple(prerequisites),
    )  # fmt: skip


def test_a_good_file_is_read_whole():
    concept = parse_concept(GOOD, "attention")
    assert concept.title == "Attention"
    assert concept.prerequisites == ("softmax",)
    assert concept.core_concepts == ("one", "two")
    assert concept.key_symbols_text() == "$q$ | a query"
    assert concept.body.startswith("# Body")
    assert concept.sections == {"examples": [{"generator": "attention_weights"}]}


@pytest.mark.parametrize(
    ("text", "slug", "message"),
    [
        ("no front matter", "x", "front matter"),
        ("+++\ntitle = \n+++\n", "x", "not valid TOML"),
        ('+++\ntitle = "T"\n+++\n', "x", "missing difficulty, domain, minutes, summary"),
        (GOOD.replace("difficulty = 4", "difficulty = 9"), "x", "difficulty"),
        (GOOD.replace("minutes = 30", "minutes = 0"), "x", "minutes"),
        (GOOD, "Bad Slug", "slugs"),
    ],
)
def test_bad_files_say_what_is_wrong(text, slug, message):
    with pytest.raises(ContentError, match=message):
        parse_concept(text, slug)


def test_a_cycle_across_files_is_named_by_title():
    sources = [
        source("transformers", "Transformers", ["attention"]),
        source("attention", "Attention", ["transformers"]),
    ]
    with pytest.raises(ContentError) as error:
        check_sources(sources)
    message = str(error.value)
    assert "cycle" in message
    assert "Attention -> Transformers -> Attention" in message or (
        "Transformers -> Attention -> Transformers" in message
    )


def test_unknown_prerequisites_and_duplicates_are_refused():
    with pytest.raises(ContentError, match="unknown prerequisite 'nowhere'"):
        check_sources([source("a", prerequisites=["nowhere"])])
    with pytest.raises(ContentError, match="share this slug"):
        check_sources([source("a"), source("a")])
    with pytest.raises(ContentError, match="title 'Same'"):
        check_sources([source("a", "Same"), source("b", "Same")])


def test_stored_concepts_count_as_known_and_their_edges_can_close_a_cycle():
    check_sources([source("b", prerequisites=["a"])], existing=[("a", "A")])
    with pytest.raises(ContentError, match="cycle"):
        check_sources(
            [source("b", "B", prerequisites=["a"])],
            existing=[("a", "A")],
            existing_edges=[("b", "a")],
        )
