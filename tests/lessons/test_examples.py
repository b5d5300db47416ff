"""The worked-example contract, checked for every generator over many seeds.

Numbers are checked against independent references in test_examples_reference.py, and the
rounded numbers shown in formulas in test_examples_display.py; this module checks shape,
determinism, plain data and renderable text.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

import pytest

from lessons import examples, markup
from lessons.examples import Example

KEYS = {
    # Other engineers' content files refer to these keys: they must never disappear.
    "softmax_probabilities",
    "stable_softmax_huge_logits",
    "cross_entropy_logsumexp",
    "temperature_effect",
    "shift_invariance",
    "attention_weights",
    "masked_softmax",
    "cross_entropy_gradient",
    "sigmoid_two_class",
    "dot_product_growth",
    "distribution_entropy",
    "float_overflow_limits",
    "finite_difference_derivative",
    "logsumexp_bounds",
    "argmax_vs_sampling",
    "top_k_top_p",
    "temperature_scaling_calibration",
    "causal_mask_row",
    "next_token_logits",
    "logit_lens_readout",
}
SEEDS = range(200)
# Generators that do more work per example (rejection draws, many rows) get fewer seeds.
FEWER_SEEDS = {"temperature_scaling_calibration", "dot_product_growth", "logit_lens_readout"}
# The only values allowed to be non-finite: exponentials the naive formula really overflows.
NON_FINITE_ALLOWED = {("stable_softmax_huge_logits", "naive_exps")}
NOT_A_NUMBER = re.compile(r"(?<![\\A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)
# Every LaTeX command the generators may use; all are supported by KaTeX.
KNOWN_COMMANDS = {
    "Rightarrow", "alpha", "approx", "arg", "bar", "begin", "boldsymbol", "cdot", "cos", "end",
    "frac", "ge", "hat", "infty", "le", "left", "log", "mathbf", "max", "nabla", "operatorname",
    "quad", "right", "sigma", "sqrt", "succ", "sum", "tfrac", "text", "theta", "tilde",
    "times",
}  # fmt: skip
KNOWN_ENVIRONMENTS = {"aligned", "pmatrix"}


def seeds_for(key: str) -> range:
    return SEEDS[:100] if key in FEWER_SEEDS else SEEDS


@cache
def built(key: str) -> tuple[Example, ...]:
    """The example for every seed of `seeds_for(key)`, built once per test session."""
    return tuple(examples.generate(key, seed) for seed in seeds_for(key))


def merged_values(example: Example) -> dict[str, Any]:
    """All steps' values in one dict (names are unique within an example)."""
    merged: dict[str, Any] = {}
    for step in example.steps:
        merged.update(step.values)
    return merged


def shown_texts(example: Example) -> list[str]:
    """Everything a learner reads."""
    texts = [example.statement, example.solution, example.insight]
    for step in example.steps:
        texts += [step.title, step.formula, step.explanation]
    return texts


def math_texts(example: Example) -> list[str]:
    """Every piece of LaTeX: the formulas and the $...$ spans of the Markdown fields."""
    pieces = [step.formula for step in example.steps]
    for text in [example.statement, example.solution, *(s.explanation for s in example.steps)]:
        pieces += re.findall(r"\$([^$]*)\$", text)
    return pieces


def flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in flatten(item)]
    return [value]


def test_registry_holds_exactly_the_promised_keys():
    assert set(examples.REGISTRY) == KEYS


def test_choices_list_every_generator_once():
    keys = [key for key, _ in examples.choices()]
    assert sorted(keys) == sorted(KEYS)
    assert all(label.endswith(f"({key})") for key, label in examples.choices())


def test_unknown_key_is_a_key_error():
    with pytest.raises(KeyError):
        examples.generate("no_such_generator", 0)


def test_registering_a_key_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        examples.register("softmax_probabilities", "again")(lambda key, seed, rng: None)


@pytest.mark.parametrize("key", sorted(KEYS))
def test_same_seed_gives_the_same_example(key):
    for seed, example in zip(seeds_for(key), built(key), strict=True):
        assert examples.generate(key, seed) == example


@pytest.mark.parametrize("key", sorted(KEYS))
def test_different_seeds_usually_give_different_numbers(key):
    first = built(key)[:30]
    distinct = {json.dumps([e.inputs, [s.values for s in e.steps]]) for e in first}
    assert len(distinct) >= 8


@pytest.mark.parametrize("key", sorted(KEYS))
def test_shape(key):
    for seed, example in zip(seeds_for(key), built(key), strict=True):
        assert (example.key, example.seed) == (key, seed)
        assert 3 <= len(example.steps) <= 7
        assert example.statement.strip() and example.solution.strip()
        for step in example.steps:
            assert step.title.strip() and step.formula.strip() and step.explanation.strip()
            assert step.values, f"step {step.title!r} has no values"
            assert "$" not in step.title, "titles are shown as plain text"
            assert "$" not in step.formula, "formulas are display math already"
        names = [name for step in example.steps for name in step.values]
        assert len(names) == len(set(names)), "a value name is used by two steps"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_insight_is_one_plain_sentence(key):
    for example in built(key)[:50]:
        insight = example.insight
        assert insight.endswith(".") and insight[0].isupper()
        assert not re.search(r"[$*_`#\\]", insight), insight
        assert ". " not in insight, insight


@pytest.mark.parametrize("key", sorted(KEYS))
def test_no_nan_or_inf_in_shown_text(key):
    for example in built(key):
        for text in shown_texts(example):
            assert not NOT_A_NUMBER.search(text), text


@pytest.mark.parametrize("key", sorted(KEYS))
def test_values_and_inputs_are_plain_and_finite(key):
    for example in built(key):
        json.dumps(example.inputs, allow_nan=False)  # plain data, all finite
        for step in example.steps:
            for name, value in step.values.items():
                for leaf in flatten(value):
                    assert type(leaf) in (bool, int, float), (name, type(leaf))
                    if isinstance(leaf, float) and not math.isfinite(leaf):
                        assert (key, name) in NON_FINITE_ALLOWED, (name, leaf)
                        assert leaf == math.inf


def _balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("key", sorted(KEYS))
def test_latex_is_well_formed(key):
    for example in built(key):
        for text in math_texts(example):
            assert _balanced(text), text
            assert len(re.findall(r"\\left\b", text)) == len(re.findall(r"\\right\b", text))
            begins = re.findall(r"\\begin\{(\w+)\}", text)
            assert begins == re.findall(r"\\end\{(\w+)\}", text), text
            assert set(begins) <= KNOWN_ENVIRONMENTS
            assert set(re.findall(r"\\([A-Za-z]+)", text)) <= KNOWN_COMMANDS, text
        for text in (example.statement, example.solution, *(s.explanation for s in example.steps)):
            assert text.count("$") % 2 == 0, text


@pytest.mark.parametrize("key", sorted(KEYS))
def test_markdown_math_renders_as_math(key):
    """Every $...$ becomes a math span: no stray dollar reaches the page."""
    for example in built(key)[:25]:
        for text in (example.statement, example.solution, *(s.explanation for s in example.steps)):
            html = markup.render_markdown(text)
            assert "$" not in html, text
            assert html.count('class="math inline"') == text.count("$") // 2, text


@pytest.mark.parametrize("key", sorted(KEYS))
def test_logits_for_figures(key):
    for example in built(key):
        logits = example.inputs.get("logits")
        if logits is None:
            continue
        assert isinstance(logits, list) and 2 <= len(logits) <= 12
        assert all(type(v) is float and math.isfinite(v) for v in logits)
        assert 0.05 <= example.inputs.get("temperature", 1.0) <= 20


# --- JSON for the page's scripts -------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_example_travels_as_strict_json(key):
    """to_json() is valid JSON (no bare Infinity/NaN) and keeps every finite number exactly."""
    for example in built(key)[:50]:
        data = json.loads(example.to_json())  # the standard parser, as a browser's JSON.parse
        assert data == example.as_dict()
        assert [s["title"] for s in data["steps"]] == [s.title for s in example.steps]
        for step, shipped in zip(example.steps, data["steps"], strict=True):
            for name, value in step.values.items():
                sent_leaves = flatten(shipped["values"][name])
                for leaf, sent in zip(flatten(value), sent_leaves, strict=True):
                    if isinstance(leaf, float) and not math.isfinite(leaf):
                        assert sent == "Infinity", (name, sent)
                    else:
                        assert sent == leaf and type(sent) is type(leaf), (name, sent)


def test_overflowing_exponentials_are_spelled_out_in_json():
    example = built("stable_softmax_huge_logits")[0]
    text = example.to_json()
    assert "Infinity" in text and "NaN" not in text
    naive = json.loads(text)["steps"][0]["values"]["naive_exps"]
    assert naive and set(naive) == {"Infinity"}
    # The probabilities next to them are ordinary finite numbers.
    probabilities = json.loads(text)["steps"][-1]["values"]["probabilities"]
    assert math.isclose(sum(probabilities), 1.0)


def test_json_safe_spells_each_non_finite_float_and_refuses_odd_objects():
    data = {"a": (math.inf, -math.inf, math.nan), "b": [1, 2.5, True, None, "x"], 3: {"c": ()}}
    assert examples.json_safe(data) == {
        "a": ["Infinity", "-Infinity", "NaN"],
        "b": [1, 2.5, True, None, "x"],
        "3": {"c": []},
    }
    with pytest.raises(TypeError, match="not plain exercise data"):
        examples.json_safe({"when": object()})
