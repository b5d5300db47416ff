"""Reading what a learner typed: every accepted form, and every refusal saying what was expected."""

import pytest

from quizzes.answers import (
    MAX_NUMBER_LENGTH,
    MAX_VECTOR_LENGTH,
    AnswerError,
    parse_choice,
    parse_index,
    parse_number,
    parse_vector,
)

# --- Numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3.0),
        ("-2", -2.0),
        ("+0.5", 0.5),
        ("0.25", 0.25),
        (".5", 0.5),
        ("5.", 5.0),
        ("-.5", -0.5),
        ("007", 7.0),
        ("1e-3", 0.001),
        ("2.5E4", 25000.0),
        ("1e+3", 1000.0),
        ("-1.5e-2", -0.015),
        ("1e-400", 0.0),  # underflows to zero: finite, so readable
        ("1/4", 0.25),
        ("-3/8", -0.375),
        ("3/-8", -0.375),
        ("1.5/3", 0.5),
        ("1e-3/2", 0.0005),
        (" 1 / 4 ", 0.25),
        ("2.5×10^4", 25000.0),
        ("2.5 x 10^-3", 0.0025),
        ("2.5 X 10 ^ 3", 2500.0),
        ("2.5*10^(-3)", 0.0025),
        ("2.5*10**3", 2500.0),
        ("2.5·10^2", 250.0),
        ("2.5⋅10^2", 250.0),
        ("2.5×10⁻³", 0.0025),
        ("3×10⁴", 30000.0),
        ("10^-3", 0.001),
        ("-10^2", -100.0),
        ("  0.25  ", 0.25),
        ("\t0.25\n", 0.25),
        ("\u22120.5", -0.5),  # Unicode minus sign
        ("\u20130.5", -0.5),  # en dash, as word processors write a minus
        ("- 0.5", -0.5),
        ("+ 2", 2.0),
        ("-0", 0.0),
        ("0.5\u200b", 0.5),  # zero-width space
        ("\ufeff0.5", 0.5),  # byte-order mark
        ("0.\u200d5", 0.5),  # zero-width joiner inside
        ("\u00a00.5\u00a0", 0.5),  # no-break spaces
        ("\u30000.5", 0.5),  # ideographic space
        ("０．５", 0.5),  # full-width digits and point
        ("－３", -3.0),  # full-width minus
        ("１／４", 0.25),
        ("١٢", 12.0),  # Arabic-Indic digits
        ("٣٫٥", 3.5),  # with the Arabic decimal separator
        ("१२", 12.0),  # Devanagari digits
        ("𝟏𝟐", 12.0),  # mathematical bold digits
        ("9" * MAX_NUMBER_LENGTH, float("9" * MAX_NUMBER_LENGTH)),
    ],
)
def test_numbers_read(text, value):
    assert parse_number(text) == value


def test_negative_zero_is_read_as_zero():
    assert str(parse_number("-0.0")) == "0.0"


@pytest.mark.parametrize(
    ("text", "value"),
    [("25%", 0.25), ("25 %", 0.25), ("-5%", -0.05), ("12.5%", 0.125), ("100%", 1.0), ("0.5", 0.5)],
)
def test_percentages_read_where_allowed(text, value):
    assert parse_number(text, allow_percent=True) == pytest.approx(value, rel=1e-15)


EXPECTED_NUMBER = "Expected a number such as 0.25"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u200b", "empty"),
        ("nan", "finite"),
        ("NaN", "finite"),
        ("-inf", "finite"),
        ("Infinity", "finite"),
        ("∞", "finite"),
        ("1e400", "too large"),
        ("-1e400", "too large"),
        ("1e400/1e400", "too large"),
        ("1e308/1e-308", "too large"),
        ("9×10^999", "too large"),
        ("abc", "could not read 'abc'"),
        ("half", "could not read 'half'"),
        ("0x10", "could not read '0x10'"),
        ("--1", "could not read"),
        ("1e", "could not read"),
        (".", "could not read"),
        ("e5", "could not read"),
        ("1.2.3", "could not read"),
        ("=0.5", "could not read"),
        ("\x00", "could not read that"),
        ("\x07\x1b", "could not read that"),
        ("0,5", "point for decimals"),
        ("-0,25", "point for decimals"),
        ("1,000", "thousands separators"),
        ("1,000.5", "thousands separators"),
        ("1 000", "thousands separators"),
        ("1_000", "without separators"),
        ("1'000", "without separators"),
        ("0.5, 0.3", "single number, not a list"),
        ("0.5 0.3", "single number, not a list"),
        ("0.5;0.3", "single number, not a list"),
        ("[0.5]", "not a list"),
        ("(0.5)", "not a list"),
        ("1/0", "0 below the line"),
        ("0/0", "0 below the line"),
        ("1/2/3", "one number over another"),
        ("1/", "one number over another"),
        ("/4", "one number over another"),
        ("5²", "powers of ten"),
        ("2^3", "powers of ten"),
        ("2**3", "powers of ten"),
        ("½", "ordinary digits"),
        ("1½", "ordinary digits"),
        ("①", "ordinary digits"),
        ("Ⅻ", "ordinary digits"),
        ("x" * (MAX_NUMBER_LENGTH + 1), "at most 200 characters"),
        (" " * (MAX_NUMBER_LENGTH + 1), "at most 200 characters"),
    ],
)
def test_numbers_refused_with_what_was_expected(text, problem):
    with pytest.raises(AnswerError) as caught:
        parse_number(text)
    assert problem in caught.value.message
    assert EXPECTED_NUMBER in caught.value.message


def test_percentages_refused_unless_allowed():
    with pytest.raises(AnswerError, match="Percentages are not accepted") as caught:
        parse_number("25%")
    assert "write 0.25 rather than 25%" in caught.value.message
    with pytest.raises(AnswerError, match="plain number, such as 25%"):
        parse_number("1/4%", allow_percent=True)
    with pytest.raises(AnswerError) as caught:
        parse_number("abc", allow_percent=True)
    assert "Expected a number such as 0.25, 25%" in caught.value.message


def test_answer_error_is_a_value_error_with_a_message():
    with pytest.raises(ValueError) as caught:
        parse_number("abc")
    assert isinstance(caught.value, AnswerError)
    assert str(caught.value) == caught.value.message


def test_non_text_is_refused_not_crashed():
    with pytest.raises(AnswerError, match="as text"):
        parse_number(None)  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="as text"):
        parse_vector(b"1, 2")  # type: ignore[arg-type]


# --- Vectors -----------------------------------------------------------------------------

SOFTMAX = (0.66, 0.24, 0.1)


@pytest.mark.parametrize(
    "text",
    [
        "0.66, 0.24, 0.10",
        "0.66,0.24,0.10",
        "0.66 0.24 0.10",
        "0.66  ,  0.24 ,0.10",
        "0.66; 0.24; 0.10",
        "[0.66 0.24 0.10]",
        "[0.66, 0.24, 0.10]",
        "(0.66, 0.24, 0.10)",
        "( 0.66, 0.24, 0.10 )",
        "0.66, 0.24, 0.10,",
        "[0.66, 0.24, 0.10;]",
        "0.66\n0.24\n0.10",
        "0.66,\u200b0.24,\u200b0.10",
        "［0.66，0.24，0.10］",  # full-width brackets and commas
        "66/100, 24/100, 1/10",
        "6.6e-1, 2.4e-1, 1e-1",
        "6.6 × 10^-1, 2.4 x 10^-1, 10^-1",
    ],
)
def test_vectors_read(text):
    assert parse_vector(text, length=3) == pytest.approx(SOFTMAX, rel=1e-15)


def test_vector_signs_and_percentages():
    assert parse_vector("−1, +2, - 3", length=3) == (-1.0, 2.0, -3.0)
    assert parse_vector("66%, 24 %, 10%", length=3, allow_percent=True) == pytest.approx(SOFTMAX)
    assert parse_vector("1 2 3 4 5") == (1.0, 2.0, 3.0, 4.0, 5.0)  # any length when not given
    assert parse_vector("[7]", length=1) == (7.0,)


EXPECTED_VECTOR = "Expected 3 numbers separated by commas"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("[]", "empty"),
        ("( )", "empty"),
        ("[0.66, 0.24, 0.10)", "brackets do not match"),
        ("[0.66, 0.24, 0.10", "brackets do not match"),
        ("0.66, 0.24, 0.10]", "brackets do not match"),
        ("0.66,, 0.24, 0.10", "Component 2 is empty"),
        (", 0.66, 0.24", "Component 1 is empty"),
        ("0.66, 0.24", "found 2"),
        ("0.66, 0.24, 0.1, 0.0", "found 4"),
        ("1 000, 2, 3", "found 4"),
        ("x" * (MAX_VECTOR_LENGTH + 1), "at most 400 characters"),
    ],
)
def test_vectors_refused_with_what_was_expected(text, problem):
    with pytest.raises(AnswerError) as caught:
        parse_vector(text, length=3)
    assert problem in caught.value.message
    assert EXPECTED_VECTOR in caught.value.message


def test_a_vector_names_the_unreadable_component():
    with pytest.raises(AnswerError) as caught:
        parse_vector("0.66, abc, 0.10", length=3)
    assert caught.value.message.startswith("Component 2: We could not read 'abc'")
    assert EXPECTED_NUMBER in caught.value.message
    with pytest.raises(AnswerError, match="Component 3: Give a finite number"):
        parse_vector("1, 2, nan", length=3)
    with pytest.raises(AnswerError, match="Component 1: Percentages are not accepted"):
        parse_vector("66%, 24%, 10%", length=3)


def test_decimal_commas_split_components_and_the_message_says_so():
    assert parse_vector("0,5, 0,3") == (0.0, 5.0, 0.0, 3.0)
    with pytest.raises(AnswerError) as caught:
        parse_vector("0,66, 0,24, 0,10", length=3)
    assert "found 6" in caught.value.message
    assert "use a point for decimals" in caught.value.message


def test_a_long_vector_fits_its_limit():
    text = ", ".join(["0.01"] * 66)  # 394 characters
    assert len(text) <= MAX_VECTOR_LENGTH
    assert parse_vector(text, length=66) == (0.01,) * 66


# --- Positions (kind "index"), counting from 1 -------------------------------------------


@pytest.mark.parametrize(
    ("text", "index"),
    [("2", 2), (" 2 ", 2), ("+2", 2), ("2.0", 2), ("2.", 2), ("1", 1), ("4", 4), ("3", 3),
     ("２", 2), ("4/2", 2), ("2e0", 2)],
)  # fmt: skip
def test_indices_read(text, index):
    value = parse_index(text, count=4)
    assert value == index
    assert type(value) is int


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2.5", "whole number, not 2.5"),
        ("1/3", "whole number, not 0.333333"),
        ("5", "no position 5"),
        ("7", "no position 7"),
        ("-1", "no position -1"),
        ("0", "Positions count from 1: the first entry is 1, not 0"),
        ("-0", "Positions count from 1"),
        ("1e300", "no position 1e+300"),
        ("two", "could not read 'two'"),
        ("", "empty"),
        ("1, 2", "not a list"),
        ("50%", "Percentages are not accepted"),
    ],
)
def test_indices_refused_with_what_was_expected(text, problem):
    with pytest.raises(AnswerError) as caught:
        parse_index(text, count=4)
    assert problem in caught.value.message
    if "Percentages" not in problem:
        expected = "Expected a position from 1 to 4 (the first entry is 1)"
        assert expected in caught.value.message


def test_an_index_without_a_count_is_bounded_sanely():
    assert parse_index("12345") == 12345
    with pytest.raises(AnswerError, match="counting from 1"):
        parse_index("-3")
    with pytest.raises(AnswerError, match="the first entry is 1, not 0"):
        parse_index("0")
    with pytest.raises(AnswerError, match="no position"):
        parse_index("1e12")


def test_an_index_needs_a_positive_count():
    with pytest.raises(ValueError, match="at least one position") as caught:
        parse_index("0", count=0)
    assert not isinstance(caught.value, AnswerError)


# --- Choices -----------------------------------------------------------------------------

OPTIONS = ["a", "b", "c"]


@pytest.mark.parametrize(
    "text", ["b", "B", " b ", "\tb\n", "(b)", "b)", "[b]", "b.", "ｂ", "b\u200b", "Ｂ"]
)
def test_choices_read(text):
    assert parse_choice(text, options=OPTIONS) == "b"


def test_choices_return_the_key_as_written():
    options = ["Softmax", "Arg max", "sigmoid"]
    assert parse_choice("softmax", options=options) == "Softmax"
    assert parse_choice("  ARG   MAX ", options=options) == "Arg max"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("d", "'d' is not an option"),
        ("a, b", "'a, b' is not an option"),
        ("ab", "is not an option"),
        ("\x00", "That is not an option"),
        ("", "empty"),
        ("  ", "empty"),
        ("()", "empty"),
        ("b" * (MAX_NUMBER_LENGTH + 1), "at most 200 characters"),
    ],
)
def test_choices_refused_with_what_was_expected(text, problem):
    with pytest.raises(AnswerError) as caught:
        parse_choice(text, options=OPTIONS)
    assert problem in caught.value.message
    assert "Expected one of the options a, b, c" in caught.value.message


@pytest.mark.parametrize("options", [[], ["a", "A"], ["b", " b. "], ["a", ""]])
def test_badly_configured_options_are_a_programming_error(options):
    with pytest.raises(ValueError) as caught:
        parse_choice("a", options=options)
    assert not isinstance(caught.value, AnswerError)
