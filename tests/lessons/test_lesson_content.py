"""The demo lessons: complete, computed, and wired to real examples and problems."""

import re

import pytest

from lessons import examples, formulas, markup
from quizzes import problems
from techtree.content import read_folder
from tests.conftest import CONTENT

SOURCES = read_folder(CONTENT)
BY_SLUG = {source.slug: source for source in SOURCES}
# A number with two or more decimals must come from a directive, never be typed.
TYPED_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d{2,}")
FENCE = re.compile(r"```.*?```", re.S)


def prose(body: str) -> str:
    """The body without directives and code blocks."""
    return FENCE.sub("", formulas.DIRECTIVE.sub("", body))


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_every_directive_evaluates(source):
    for expression in formulas.directives(source.body):
        formulas.render_directive(expression)  # raises FormulaError if broken


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_no_computed_number_is_typed_by_hand(source):
    texts = [source.body, *source.core_concepts, *(m for _, m in source.key_symbols)]
    typed = [m for text in texts for m in TYPED_DECIMAL.findall(prose(text))]
    assert typed == [], f"write these as {{{{ ... }}}} directives: {typed}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_every_lesson_is_a_real_lesson(source):
    headings = [h.lower() for h in re.findall(r"^##\s+(.+)$", source.body, re.M)]
    for needed in ("why", "takeaways", "mistakes", "connections"):
        assert any(needed in h for h in headings), f"no section about {needed!r}: {headings}"
    words = len(prose(source.body).split())
    assert words >= (3000 if source.slug == "softmax-and-logits" else 800), words
    assert source.sections.get("lesson", {}).get("teaching_strategy")


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_rendered_lessons_leave_no_stray_dollars(source):
    html = markup.render_markdown(formulas.fill_numbers(source.body))
    outside_math = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', "", html, flags=re.S)
    outside_code = re.sub(r"<code>.*?</code>", "", outside_math, flags=re.S)
    assert "$" not in outside_code


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_examples_and_problems_are_registered_and_cover_every_difficulty(source):
    keys = [spec["generator"] for spec in source.sections.get("examples", [])]
    # An [[exercises]] template serves as a worked example, a problem, or both (the default).
    templates = source.sections.get("exercises", [])
    worked = [t for t in templates if "example" in t.get("serves", ["example", "practice"])]
    practice = [t for t in templates if "practice" in t.get("serves", ["example", "practice"])]
    assert keys or worked, "every concept has at least one worked example"
    assert set(keys) <= set(examples.REGISTRY)
    specs = [*source.sections.get("problems", []), *practice]
    difficulties = set()
    for spec in specs:
        if spec.get("generator"):
            assert spec["generator"] in problems.REGISTRY
            difficulties.add(
                spec.get("difficulty") or problems.REGISTRY[spec["generator"]].difficulty
            )
        else:
            difficulties.add(spec["difficulty"])
    assert len(specs) >= 3
    assert difficulties == {"easy", "medium", "hard"}


def test_the_flagship_is_complete():
    softmax = BY_SLUG["softmax-and-logits"]
    assert len(softmax.sections["problems"]) >= 8
    assert {spec["generator"] for spec in softmax.sections["examples"]} >= {
        "softmax_probabilities", "stable_softmax_huge_logits", "cross_entropy_logsumexp",
        "temperature_effect", "shift_invariance", "attention_weights", "masked_softmax",
        "cross_entropy_gradient", "sigmoid_two_class",
    }  # fmt: skip
    body = softmax.body.lower()
    for topic in ("shift", "temperature", "log-sum-exp", "log-softmax", "cross-entropy",
                  "gradient", "attention", "mask", "argmax", "sigmoid", "overflow"):  # fmt: skip
        assert topic in body, topic


def test_a_wrong_number_from_the_sources_is_not_repeated():
    # One source claims softmax([10, 9, 9]) is about [0.84, 0.08, 0.08]; the engine says not.
    assert formulas.render_directive("softmax([10, 9, 9]) | 3") == "(0.576, 0.212, 0.212)"
    for source in SOURCES:
        rendered = formulas.fill_numbers(source.body)
        assert "0.84, 0.08" not in rendered
