"""Properties: any text gives a value or an AnswerError; numbers survive a round trip;
`is_close` agrees with exact rational arithmetic."""

import math
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from quizzes.answers import (
    AnswerError,
    Tolerance,
    format_answer,
    grade,
    is_close,
    parse_choice,
    parse_index,
    parse_number,
    parse_vector,
)

# Every code point, surrogates and control characters included.
ANY_CHARACTER = st.characters(exclude_categories=())
# Characters that reach the deeper branches of the parsers.
NUMBERISH = st.sampled_from(
    [
        *"0123456789.,;eE+-/%^*()[]xX× \t\n_'",
        *["\u2212", "\u2013", "\u200b", "\ufeff", "１", "٣", "٫", "²", "⁻", "½", "∞", "nan"],
        *["inf", "10^", "×10^", "e-", "\ud800", "\x00", "\u0301"],
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(ANY_CHARACTER, min_size=150, max_size=1000),
    st.lists(NUMBERISH, max_size=30).map("".join),
)

PARSERS = [
    lambda t: parse_number(t),
    lambda t: parse_number(t, allow_percent=True),
    lambda t: parse_vector(t),
    lambda t: parse_vector(t, length=3, allow_percent=True),
    lambda t: parse_index(t),
    lambda t: parse_index(t, count=5),
    lambda t: parse_choice(t, options=["a", "b", "Softmax"]),
]


@settings(max_examples=400)
@given(TEXT)
@example("1e400")
@example("9" * 200 + "e9")
@example("1e-400/1e-400")
@example("1" + "0" * 400)
@example("-" * 401)
@example("𝟏" * 60)
@example("﷽" * 50)  # expands eighteenfold under NFKC
def test_any_text_reads_or_says_what_was_expected(text):
    for parse in PARSERS:
        try:
            value = parse(text)
        except AnswerError as error:
            assert error.message.strip()
            error.message.encode("utf-8")  # safe to render in a page
            continue
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            assert isinstance(item, int | float | str)
            if isinstance(item, float):
                assert math.isfinite(item)


@given(TEXT, st.sampled_from(["number", "vector", "index", "choice"]))
def test_grading_any_text_gives_a_grade_or_an_answer_error(text, kind):
    expected = {"number": 0.5, "vector": (0.5, 0.5), "index": 1, "choice": "b"}[kind]
    try:
        result = grade(kind, text, expected, options=["a", "b"] if kind == "choice" else None)
    except AnswerError:
        return
    assert isinstance(result.correct, bool)
    assert result.message
    assert all(0 <= i < 2 for i in result.wrong_components)


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(FINITE)
def test_a_float_written_by_python_reads_back_exactly(x):
    assert parse_number(repr(x)) == x
    assert parse_number(f" {x!r}% ", allow_percent=True) == x / 100


@given(st.lists(FINITE, min_size=1, max_size=12), st.sampled_from([", ", ",", " ", "; "]))
def test_a_vector_written_by_python_reads_back_exactly(xs, separator):
    text = "[" + separator.join(repr(x) for x in xs) + "]"
    assert parse_vector(text, length=len(xs)) == tuple(xs)


MODERATE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(
    lambda x: x == 0 or abs(x) > 1e-12
)


@given(MODERATE)
def test_a_shown_number_grades_as_correct(x):
    # As Problem.clean does: the expected answer, shown, must grade as itself.
    assert grade("number", format_answer("number", x), x).correct


@given(st.lists(MODERATE, min_size=1, max_size=8))
def test_a_shown_vector_grades_as_correct(xs):
    assert grade("vector", format_answer("vector", xs), xs).correct


@given(st.integers(min_value=1, max_value=10**6))
def test_a_shown_position_grades_as_correct(i):
    assert grade("index", format_answer("index", i), i).correct
    assert not grade("index", format_answer("index", i + 1), i).correct


def _exact_limit(expected: float, tolerance: Tolerance) -> Fraction:
    return max(Fraction(tolerance.abs), Fraction(tolerance.rel) * abs(Fraction(expected)))


@given(
    expected=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    steps=st.floats(min_value=-3, max_value=3, allow_nan=False),
    rel=st.floats(min_value=0, max_value=1),
    abs_=st.floats(min_value=0, max_value=1e3),
)
def test_is_close_agrees_with_exact_arithmetic(expected, steps, rel, abs_):
    tolerance = Tolerance(rel=rel, abs=abs_)
    limit = _exact_limit(expected, tolerance)
    value = float(Fraction(expected) + Fraction(steps) * limit)  # around the boundary
    distance = abs(Fraction(value) - Fraction(expected))
    ulps = Fraction(math.ulp(max(abs(value), abs(expected), float(limit))))
    if distance <= limit:
        assert is_close(value, expected, tolerance)
    elif distance > limit + 8 * ulps:
        assert not is_close(value, expected, tolerance)
