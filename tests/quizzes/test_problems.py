"""The practice-problem contract, checked for every generator over many seeds.

Answers are checked against independent references in test_problems_reference.py; this
module checks shape, determinism, plain data, renderable text, and that grading works both
ways on the numbers drawn: the expected answer, as shown to the learner, is graded right,
and obviously wrong answers (and each generator's typical mistakes) are graded wrong. The
last check catches a tolerance too loose for the numbers drawn.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises import Step
from lessons import markup
from quizzes import answers, problems
from quizzes.problems import ProblemInstance
from techtree.content import read_folder
from tests.conftest import CONTENT

SEEDS = range(100)
TEXT_SEEDS = 40  # the LaTeX checks are slower; the text's shape does not depend on the seed much
RENDERED_SEEDS = 5  # Markdown rendering is slower still
KINDS = {"number", "vector", "choice", "index"}
DIFFICULTIES = {"easy", "medium", "hard"}
CHOICE_KEYS = ("a", "b", "c", "d", "e")
# Non-finite words in shown text: a leaked float, never intended...
NOT_A_NUMBER = re.compile(r"(?<![\\A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)
# ...except where IEEE 754's special values are the subject (written "NaN", never "nan").
NAN_ALLOWED = {"float_special_values"}
# Every LaTeX command the generators may use; all are supported by KaTeX.
KNOWN_COMMANDS = {
    "Delta", "Rightarrow", "alpha", "approx", "arg", "bar", "begin", "boldsymbol", "cdot", "cos",
    "dfrac", "end", "eta", "frac", "ge", "iff", "in", "infty", "lVert", "le", "left", "log",
    "lvert", "mathbb", "mathbf", "max", "mu", "nabla", "operatorname", "partial", "prod",
    "quad", "rVert", "right", "rvert", "sigma", "sqrt", "sum", "tfrac", "text", "theta",
    "times", "to", "top", "varepsilon", "wedge",
}  # fmt: skip
KNOWN_ENVIRONMENTS = {"aligned", "pmatrix"}


@cache
def built(key: str) -> tuple[ProblemInstance, ...]:
    """The instance for every seed, built once per test session."""
    return tuple(problems.generate(key, seed) for seed in SEEDS)


def graded(instance: ProblemInstance, value) -> answers.Grade:
    """Grade `value` as the learner would type it (rounded like the expected answer shown)."""
    return instance.grade(answers.format_answer(instance.kind, value))


def far_off(x: float) -> float:
    """x * 1.5 + 1, away from 0 (x * 1.5 + 1 would be x itself at x = -2)."""
    return x * 1.5 + 1 if x >= 0 else x * 1.5 - 1


def obviously_wrong(instance: ProblemInstance) -> list:
    """Answers no sane tolerance may accept."""
    if instance.kind == "number":
        return [far_off(instance.answer)]
    if instance.kind == "vector":
        return [tuple(far_off(x) for x in instance.answer)]
    if instance.kind == "index":
        return [p for p in range(1, instance.positions + 1) if p != instance.answer]
    return [key for key, _ in instance.options if key != instance.answer]


def shown_texts(instance: ProblemInstance) -> list[str]:
    """Everything a learner reads."""
    texts = [instance.statement, instance.solution, instance.answer_format, *instance.hints]
    texts += [text for _, text in instance.options]
    for step in instance.steps:
        texts += [step.title, step.formula, step.explanation]
    return texts


def markdown_texts(instance: ProblemInstance) -> list[str]:
    texts = [instance.statement, instance.solution, *instance.hints]
    texts += [text for _, text in instance.options]
    return texts + [step.explanation for step in instance.steps]


def math_texts(instance: ProblemInstance) -> list[str]:
    """Every piece of LaTeX: the step formulas and the $...$ spans of the Markdown."""
    pieces = [step.formula for step in instance.steps]
    for text in markdown_texts(instance):
        pieces += re.findall(r"\$([^$]*)\$", text)
    return pieces


def flatten(value) -> list:
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in flatten(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in flatten(item)]
    return [value]


# --- The registry ----------------------------------------------------------------------------


def test_registry_is_filled_on_import():
    """Every generator a concept file names is registered once the module is imported."""
    named = {
        spec["generator"]
        for source in read_folder(CONTENT)
        for spec in source.sections.get("problems", [])
        if spec.get("generator")
    }
    assert len(named) >= 30 and named <= set(problems.REGISTRY)


def test_registrations_are_well_formed():
    for key, registered in problems.REGISTRY.items():
        assert registered.key == key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert len(key) <= 60, "Problem.generator holds at most 60 characters"
        assert registered.kind in KINDS
        assert registered.difficulty in DIFFICULTIES
        assert registered.title.strip() and len(registered.title) <= 160


def test_choices_list_every_generator_once():
    listed = [key for key, _ in problems.choices()]
    assert sorted(listed) == sorted(problems.REGISTRY)
    assert all(label.endswith(f"({key})") for key, label in problems.choices())


def test_unknown_key_is_a_key_error():
    with pytest.raises(KeyError):
        problems.generate("no_such_generator", 0)


def test_registering_a_key_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        problems.register("softmax_uniform_logits", title="x", kind="number", difficulty="easy")(
            lambda rng: None
        )


# --- Checks on every generator, every seed ------------------------------------------------------


def check_same_seed_gives_the_same_problem(key):
    for seed, instance in zip(SEEDS, built(key), strict=True):
        assert problems.generate(key, seed) == instance


def check_different_seeds_give_different_problems(key):
    posed = {(instance.statement, instance.options) for instance in built(key)}
    assert len(posed) >= 5


def check_shape(key):
    kind = problems.REGISTRY[key].kind
    for instance in built(key):
        assert instance.kind == kind
        assert instance.statement.strip() and instance.solution.strip()
        assert instance.answer_format.strip()
        assert 1 <= len(instance.hints) <= 3
        assert all(hint.strip() for hint in instance.hints)
        assert len(set(instance.hints)) == len(instance.hints)
        assert instance.steps and all(isinstance(step, Step) for step in instance.steps)
        for step in instance.steps:
            assert step.title.strip() and step.formula.strip()
            assert "$" not in step.title and "$" not in step.formula
        assert instance.inputs, "the drawn numbers go in inputs, for the reference checks"


def check_answer_has_the_type_its_kind_needs(key):
    for instance in built(key):
        answer = instance.answer
        if instance.kind == "number":
            assert type(answer) is float and math.isfinite(answer)
        elif instance.kind == "vector":
            assert type(answer) is tuple and len(answer) >= 2
            assert all(type(x) is float and math.isfinite(x) for x in answer)
        elif instance.kind == "index":
            assert type(instance.positions) is int and instance.positions >= 2
            assert type(answer) is int and 1 <= answer <= instance.positions
            assert not instance.options
        else:
            assert type(answer) is str
            keys = [k for k, _ in instance.options]
            assert tuple(keys) == CHOICE_KEYS[: len(keys)] and len(keys) >= 3
            assert answer in keys
            texts = [text for _, text in instance.options]
            assert len(set(texts)) == len(texts) and all(t.strip() for t in texts)
        if instance.kind != "choice":
            assert not instance.options


def check_inputs_and_step_values_are_plain_finite_data(key):
    for instance in built(key):
        json.dumps(instance.inputs, allow_nan=False)
        for step in instance.steps:
            for leaf in flatten(step.values):
                assert type(leaf) in (bool, int, float, str), (step.title, type(leaf))
                if type(leaf) is float:
                    assert math.isfinite(leaf), step.title


def check_the_expected_answer_as_shown_is_graded_right(key):
    for instance in built(key):
        grade = graded(instance, instance.answer)
        assert grade.correct, (answers.format_answer(instance.kind, instance.answer), grade)


def check_obviously_wrong_answers_are_graded_wrong(key):
    for instance in built(key):
        for wrong in obviously_wrong(instance):
            assert not graded(instance, wrong).correct, (instance.answer, wrong)


def check_typical_mistakes_are_graded_wrong(key):
    for instance in built(key):
        for mistake in instance.mistakes:
            grade = graded(instance, mistake.answer)
            assert not grade.correct, (instance.statement, instance.answer, mistake)


def check_choices_shuffle_the_right_answer(key):
    if problems.REGISTRY[key].kind == "choice":
        assert len({instance.answer for instance in built(key)}) >= 3


def check_no_nan_or_inf_in_shown_text(key):
    for instance in built(key):
        for text in shown_texts(instance):
            if key in NAN_ALLOWED:
                text = text.replace("NaN", "")
            assert not NOT_A_NUMBER.search(text), text


def _balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check_latex_is_well_formed(key):
    for instance in built(key)[:TEXT_SEEDS]:
        for text in markdown_texts(instance):
            assert text.count("$") % 2 == 0, text
        for text in math_texts(instance):
            assert _balanced(text), text
            assert len(re.findall(r"\\left\b", text)) == len(re.findall(r"\\right\b", text))
            begins = re.findall(r"\\begin\{(\w+)\}", text)
            assert begins == re.findall(r"\\end\{(\w+)\}", text), text
            assert set(begins) <= KNOWN_ENVIRONMENTS
            assert set(re.findall(r"\\([A-Za-z]+)", text)) <= KNOWN_COMMANDS, text


def check_markdown_renders_with_every_formula_recognised(key):
    for instance in built(key)[:RENDERED_SEEDS]:
        for text in markdown_texts(instance):
            html = markup.render_markdown(text)
            assert "$" not in html, (text, html)  # every $...$ became a math span


def check_statement_says_what_to_enter(key):
    phrases = {
        "number": ("significant figures", "decimal place", "exactly", "exact", "the rank",
                   "how many", "what is the slope", "compute the dot product"),
        "vector": ("comma-separated",),
        "index": ("counting from 1",),
        "choice": ("letter of your choice",),
    }  # fmt: skip
    for instance in built(key)[:20]:
        statement = instance.statement.lower()
        assert any(p in statement for p in phrases[instance.kind]), instance.statement


ZERO_BASED = re.compile(r"counting from 0|counted from 0|count from 0|index \d|indices", re.I)


def check_positions_count_from_one(key):
    """Learners count from 1, as in the lessons; a position out of range is not an attempt."""
    for instance in built(key)[:20]:
        for text in shown_texts(instance):
            assert not ZERO_BASED.search(text), text
        if instance.kind != "index":
            continue
        for outside in (0, instance.positions + 1, 7 + instance.positions):
            with pytest.raises(answers.AnswerError, match=rf"from 1 to {instance.positions}\b"):
                instance.grade(str(outside))


# --- The checks above, grouped per generator (few test items: each costs fixture set-up) ------


@pytest.mark.parametrize("key", sorted(problems.REGISTRY))
def test_contract(key):
    """Deterministic, varied, well-shaped, plain data, and says what to enter."""
    check_same_seed_gives_the_same_problem(key)
    check_different_seeds_give_different_problems(key)
    check_shape(key)
    check_answer_has_the_type_its_kind_needs(key)
    check_inputs_and_step_values_are_plain_finite_data(key)
    check_statement_says_what_to_enter(key)
    check_positions_count_from_one(key)


@pytest.mark.parametrize("key", sorted(problems.REGISTRY))
def test_grading(key):
    """The shown answer is graded right; wrong answers and typical mistakes are graded wrong."""
    check_the_expected_answer_as_shown_is_graded_right(key)
    check_obviously_wrong_answers_are_graded_wrong(key)
    check_typical_mistakes_are_graded_wrong(key)
    check_choices_shuffle_the_right_answer(key)


@pytest.mark.parametrize("key", sorted(problems.REGISTRY))
def test_text(key):
    """No leaked nan or inf, well-formed LaTeX, Markdown whose formulas all render."""
    check_no_nan_or_inf_in_shown_text(key)
    check_latex_is_well_formed(key)
    check_markdown_renders_with_every_formula_recognised(key)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(problems.REGISTRY)), seed=st.integers(0, 2**31 - 1))
def test_any_stored_seed_gives_a_gradable_problem(key, seed):
    """Seeds are stored in a PositiveIntegerField: every one of them must work."""
    instance = problems.generate(key, seed)
    assert instance.kind == problems.REGISTRY[key].kind
    assert graded(instance, instance.answer).correct
    for wrong in obviously_wrong(instance):
        assert not graded(instance, wrong).correct


def test_generators_name_some_mistakes_for_the_learner():
    instance = problems.generate("softmax_probabilities", 3)
    named = [m for m in instance.mistakes if m.message]
    assert named and named[0].message.startswith("Those are the exponentials")
    typed = answers.format_answer("vector", named[0].answer)
    assert not instance.grade(typed).correct
    assert instance.mistake_for(typed) == named[0]
    assert instance.mistake_for(instance.expected) is None
