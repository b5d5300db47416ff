"""Grading with tolerances, per-component feedback, and showing or storing answers."""

import enum
import json

import pytest

from quizzes.answers import (
    DEFAULT_TOLERANCE,
    KINDS,
    AnswerError,
    Grade,
    Tolerance,
    describe_expected,
    format_answer,
    format_number,
    grade,
    is_close,
    to_json,
)

# --- Tolerance ---------------------------------------------------------------------------


def test_default_tolerance_is_one_percent_with_a_floor_near_zero():
    assert Tolerance(rel=0.01, abs=1e-4) == DEFAULT_TOLERANCE
    assert Tolerance().limit(0.5) == pytest.approx(0.005)
    assert Tolerance().limit(0.001) == 1e-4  # the floor wins near 0
    assert Tolerance().limit(-200) == pytest.approx(2.0)  # relative to |expected|


@pytest.mark.parametrize(
    ("rel", "abs_"), [(-0.01, 1e-4), (0.01, -1e-4), (float("nan"), 0), (0, float("inf"))]
)
def test_a_tolerance_must_be_finite_and_non_negative(rel, abs_):
    with pytest.raises(ValueError, match="finite number >= 0"):
        Tolerance(rel=rel, abs=abs_)


@pytest.mark.parametrize(
    ("typed", "expected", "inside"),
    [
        # relative bound, 1% of 0.5 = 0.005, inclusive
        ("0.5", 0.5, True),
        ("0.505", 0.5, True),
        ("0.495", 0.5, True),
        ("0.50499", 0.5, True),
        ("0.50501", 0.5, False),
        ("0.49499", 0.5, False),
        # larger numbers: 1% of 1000 = 10
        ("1010", 1000, True),
        ("990", 1000, True),
        ("1010.01", 1000, False),
        # negative expected values: the bound uses |expected|
        ("-2.02", -2, True),
        ("-1.98", -2, True),
        ("-2.0201", -2, False),
        ("-1.9799", -2, False),
        ("2", -2, False),
        # the absolute floor near 0: max(1e-4, 1% of 0.001) = 1e-4
        ("0.0011", 0.001, True),
        ("0.0009", 0.001, True),
        ("0.00111", 0.001, False),
        ("0.00089", 0.001, False),
        # expected exactly 0: only the floor applies
        ("0", 0, True),
        ("-0", 0, True),
        ("1e-4", 0, True),
        ("-1e-4", 0, True),
        ("1.0001e-4", 0, False),
        ("-0.00011", 0, False),
        # where relative and absolute meet: 1% of 0.01 = 1e-4
        ("0.0101", 0.01, True),
        ("0.01011", 0.01, False),
    ],
)
def test_number_grading_at_the_edges_of_the_default_tolerance(typed, expected, inside):
    result = grade("number", typed, expected)
    assert result.correct is inside
    assert result.message == "Correct." if inside else result.message.startswith("Not quite")


def test_custom_tolerances():
    exact = Tolerance(rel=0, abs=0)
    assert grade("number", "1/10", 0.1, tolerance=exact).correct
    assert grade("number", "0.30000000000000004", 0.1 + 0.2, tolerance=exact).correct
    assert not grade("number", "0.3000001", 0.3, tolerance=exact).correct
    relative_only = Tolerance(rel=0.05, abs=0)
    assert grade("number", "1.05", 1, tolerance=relative_only).correct
    assert not grade("number", "1.0501", 1, tolerance=relative_only).correct
    assert not grade("number", "1e-12", 0, tolerance=relative_only).correct
    absolute_only = Tolerance(rel=0, abs=0.5)
    assert grade("number", "100.5", 100, tolerance=absolute_only).correct
    assert not grade("number", "100.51", 100, tolerance=absolute_only).correct


def test_is_close_is_relative_to_the_expected_value_only():
    tolerance = Tolerance(rel=0.1, abs=0)
    assert is_close(0.9, 1.0, tolerance)  # 0.1 <= 10% of 1.0
    assert not is_close(1.0, 0.9, tolerance)  # 0.1 > 10% of 0.9
    assert not is_close(float("nan"), 0.0)
    assert not is_close(float("inf"), float("inf"))
    assert not is_close(1.0, float("nan"))


# --- Numbers -----------------------------------------------------------------------------


def test_a_number_grade_carries_the_parsed_value():
    result = grade("number", " 2/3 ", 0.6667)
    assert result == Grade(True, "Correct.", 2 / 3)
    assert result.wrong_components == ()


def test_percentages_only_when_the_problem_allows_them():
    assert grade("number", "25%", 0.25, allow_percent=True).correct
    assert grade("number", "0.25", 0.25, allow_percent=True).correct
    assert not grade("number", "24%", 0.25, allow_percent=True).correct
    with pytest.raises(AnswerError, match="Percentages are not accepted"):
        grade("number", "25%", 0.25)


def test_a_percentage_typed_as_a_number_gets_a_hint():
    result = grade("number", "25", 0.25)
    assert not result.correct
    assert "percentage" in result.message and "0.25 for 25%" in result.message
    allowed = grade("number", "25", 0.25, allow_percent=True)
    assert "with a % sign" in allowed.message


def test_near_misses_are_told_to_check_their_rounding():
    assert grade("number", "0.51", 0.5).message == "Not quite, but close: check your rounding."
    assert grade("number", "0.6", 0.5).message == "Not quite."
    assert grade("number", "-0.5", 0.5).message == "Not quite."


def test_unreadable_answers_raise_instead_of_grading():
    for raw in ["", "abc", "nan", "1e400", "0,5", "1, 2"]:
        with pytest.raises(AnswerError):
            grade("number", raw, 0.5)


# --- Vectors -----------------------------------------------------------------------------

EXPECTED = (0.6652, 0.2447, 0.0900)


@pytest.mark.parametrize(
    ("typed", "wrong", "message"),
    [
        ("0.6652, 0.2447, 0.0900", (), "Correct."),
        ("[0.665 0.245 0.09]", (), "Correct."),
        ("0.67, 0.24, 0.09", (), "Correct."),  # each within 2%
        ("0.6652, 0.3, 0.0900", (1,), "Not quite: component 2 is off."),
        ("0.6652, 0.3, 0.2", (1, 2), "Not quite: components 2 and 3 are off."),
        ("0.1, 0.3, 0.2", (0, 1, 2), "Not quite: every component is off."),
        ("0.0900, 0.2447, 0.6652", (0, 2), "Not quite: components 1 and 3 are off."),
    ],
)
def test_vectors_are_graded_per_component(typed, wrong, message):
    tolerance = Tolerance(rel=0.02, abs=1e-4)  # 0.24 is 1.9% below 0.2447
    result = grade("vector", typed, EXPECTED, tolerance=tolerance)
    assert result.wrong_components == wrong
    assert result.correct is (not wrong)
    assert result.message == message
    assert len(result.parsed) == 3


def test_the_default_tolerance_applies_to_each_component_separately():
    result = grade("vector", "0.67, 0.24, 0.09", EXPECTED)
    assert result.wrong_components == (1,)  # 0.24 is 1.9% off 0.2447; 0.67 only 0.7% off


def test_three_of_four_components_are_listed_in_words():
    result = grade("vector", "9, 9, 0, 9", (0, 0, 0, 0))
    assert result.message == "Not quite: components 1, 2 and 4 are off."
    assert grade("vector", "9", (0,)).message == "Not quite: component 1 is off."


def test_a_vector_of_the_wrong_length_is_not_an_attempt():
    with pytest.raises(AnswerError, match="Expected 3 numbers separated by commas, but found 2"):
        grade("vector", "0.6652, 0.2447", EXPECTED)
    with pytest.raises(AnswerError, match="found 4"):
        grade("vector", "0.6652, 0.2447, 0.09, 0", EXPECTED)


def test_vector_percentages_and_expected_lists_from_json():
    result = grade("vector", "66.52%, 24.47%, 9%", list(EXPECTED), allow_percent=True)
    assert result.correct
    with pytest.raises(AnswerError, match="Percentages are not accepted"):
        grade("vector", "66.52%, 24.47%, 9%", EXPECTED)


# --- Indices and choices -----------------------------------------------------------------


def test_positions_are_graded_exactly():
    assert grade("index", "2", 2, count=4) == Grade(True, "Correct.", 2)
    assert grade("index", "2.0", 2).correct
    assert not grade("index", "1", 2, count=4).correct
    assert grade("index", "4", 4, count=4).correct  # the last position counts
    with pytest.raises(AnswerError, match="no position 5"):
        grade("index", "5", 2, count=4)
    with pytest.raises(AnswerError, match="whole number"):
        grade("index", "1.5", 2, count=4)


def test_a_position_beyond_the_entries_is_explained_not_graded():
    """'7' for a 3-class argmax says what was expected (and so is never an attempt)."""
    with pytest.raises(AnswerError) as caught:
        grade("index", "7", 2, count=3)
    assert caught.value.message == (
        "There is no position 7. Expected a position from 1 to 3 (the first entry is 1)."
    )
    with pytest.raises(AnswerError, match="the first entry is 1, not 0"):
        grade("index", "0", 1, count=3)


def test_a_position_is_bounded_by_its_options_when_no_count_is_given():
    with pytest.raises(AnswerError, match="from 1 to 3"):
        grade("index", "4", 1, options=["x", "y", "z"])
    assert grade("index", "3", 3, options=["x", "y", "z"]).correct
    assert grade("index", "40", 40).correct  # no bound known


def test_choices_are_graded_by_key():
    assert grade("choice", " B ", "b", options=["a", "b", "c"]) == Grade(True, "Correct.", "b")
    assert grade("choice", "a", "b", options=["a", "b", "c"]) == Grade(False, "Not quite.", "a")
    with pytest.raises(AnswerError, match="'d' is not an option"):
        grade("choice", "d", "b", options=["a", "b", "c"])


def test_a_choice_without_options_grades_any_key():
    assert grade("choice", "(B)", "b").correct
    assert not grade("choice", "zebra", "b").correct
    with pytest.raises(AnswerError, match="empty"):
        grade("choice", "  ", "b")


class Kind(enum.StrEnum):  # the shape of Django's TextChoices
    NUMBER = "number"
    VECTOR = "vector"


def test_kinds_may_be_string_enums():
    assert grade(Kind.NUMBER, "0.5", 0.5).correct
    assert format_answer(Kind.VECTOR, (0.5, 0.25)) == "0.5, 0.25"


@pytest.mark.parametrize(
    ("kind", "expected", "options", "problem"),
    [
        ("fraction", 0.5, None, "unknown answer kind"),
        ("number", float("nan"), None, "must be finite"),
        ("number", float("inf"), None, "must be finite"),
        ("vector", (0.5, float("nan")), None, "must be finite"),
        ("vector", (), None, "at least one component"),
        ("index", 1.5, None, "whole number"),
        ("index", 0, None, "from 1"),
        ("choice", "d", ["a", "b"], "not among"),
    ],
)
def test_misconfigured_problems_are_programming_errors(kind, expected, options, problem):
    with pytest.raises(ValueError, match=problem) as caught:
        grade(kind, "1", expected, options=options)
    assert not isinstance(caught.value, AnswerError)


# --- Showing and storing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.6652409557748219, "0.6652"),
        (0.25, "0.25"),
        (3.0, "3"),
        (3, "3"),
        (-2.5, "-2.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (-1e-9, "-1e-9"),
        (0.0999996, "0.1"),
        (123.456789, "123.5"),
        (123456.7, "123457"),
        (1234567.0, "1.235e6"),
        (1.5e-7, "1.5e-7"),
        (0.0001, "0.0001"),
        (0.00012346, "0.0001235"),
        (6.02214076e23, "6.022e23"),
    ],
)
def test_numbers_are_shown_to_four_significant_digits(value, text):
    assert format_number(value) == text
    assert format_answer("number", value) == text


def test_format_answer_per_kind():
    assert format_answer("vector", [0.6652409, 0.2447284, 0.0900306]) == "0.6652, 0.2447, 0.09003"
    assert format_answer("vector", (0.5, 0.25), digits=2) == "0.5, 0.25"
    assert format_answer("number", 2 / 3, digits=2) == "0.67"
    assert format_answer("index", 2) == "2"
    assert format_answer("index", 2.0) == "2"
    assert format_answer("choice", "b") == "b"
    with pytest.raises(ValueError):
        format_answer("fraction", 1)
    with pytest.raises(ValueError):
        format_number(float("nan"))
    with pytest.raises(ValueError):
        format_number(1.0, digits=0)


@pytest.mark.parametrize(
    ("kind", "expected", "options"),
    [
        ("number", 0.6652409557748219, None),
        ("number", -1234567.891, None),
        ("number", 3.3e-9, None),
        ("vector", (0.6652409557748219, 0.24472847105479764, 0.09003057317038046), None),
        ("index", 3, None),
        ("choice", "b", ["a", "b"]),
    ],
)
def test_a_shown_answer_grades_as_correct(kind, expected, options):
    shown = format_answer(kind, expected)
    assert grade(kind, shown, expected, options=options).correct


def test_parsed_answers_store_as_json():
    stored = [
        to_json(grade("number", "1/4", 0.25).parsed),
        to_json(grade("vector", "[1 2]", (1, 2)).parsed),
        to_json(grade("index", "2.0", 2).parsed),
        to_json(grade("choice", "B", "b", options=["a", "b"]).parsed),
    ]
    assert stored == [0.25, [1.0, 2.0], 2, "b"]
    assert [type(x) for x in stored] == [float, list, int, str]
    assert json.loads(json.dumps(stored)) == stored
    with pytest.raises(TypeError):
        to_json(True)
    with pytest.raises(TypeError):
        to_json({"a": 1})  # type: ignore[arg-type]


def test_describe_expected_for_each_kind():
    assert set(KINDS) == {"number", "vector", "choice", "index"}
    assert describe_expected("number") == "a number such as 0.25, -3, 1/4 or 2.5e-3"
    assert "25%" in describe_expected("number", allow_percent=True)
    assert describe_expected("vector", length=3).startswith("3 numbers separated by commas")
    assert describe_expected("vector", length=1) == "1 number, such as 0.5"
    assert describe_expected("index", count=4) == ("a position from 1 to 4 (the first entry is 1)")
    assert describe_expected("choice", options=["a", "b"]) == "one of the options a, b"
    assert describe_expected("choice") == "the key of one option"
