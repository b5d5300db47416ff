"""Read what a learner typed and grade it against the expected answer, with tolerances.

PURE: no Django. Input we cannot read raises `AnswerError`, whose `message` tells the
learner what was expected; the caller stores nothing, so it never counts as an attempt.
A readable answer gives a `Grade`, right or wrong.

Numbers (kind "number", and each component of a "vector"):

- integers and decimals, with a leading "+" or "-" (also the Unicode minus "−"): 3, -2,
  +0.5, .5, 5.;
- scientific notation: 1e-3, 2.5E4, and powers of ten written 2.5×10^4, 2.5 x 10^-3,
  2.5*10^(-3), 2.5·10⁻³ or 10^-3;
- fractions of two such numbers: 1/4, -3/8, 1e-3/2;
- percentages, only where the problem allows them: 25% is 0.25;
- digits of any script (full-width ３, Arabic-Indic ٣) and full-width punctuation are read as
  their ASCII forms; spaces around the answer, around "/" and "×", and zero-width or other
  invisible formatting characters are ignored.

Refused, with a message: nan, inf and other words; numbers that overflow a float (1e400);
a decimal comma ("0,5": write 0.5) and thousands separators (1,000, 1_000, 1 000: write 1000);
superscript powers other than ×10ⁿ (5²), vulgar fractions (½) and circled digits; division
by zero; and text longer than MAX_NUMBER_LENGTH (200) characters for a number, index or
choice, or MAX_VECTOR_LENGTH (400, the answer box's own limit) for a vector.

Vectors: components separated by commas, semicolons or spaces, optionally inside one pair
of [] or (); one trailing comma or semicolon is ignored. The number of components must match
the expected answer, otherwise it is an `AnswerError`. Commas always separate components,
so "0,5, 0,3" has four.

Positions (kind "index") are whole numbers counting from 1, as learners count: the first
entry is 1. They go up to the number of positions when it is known (else up to MAX_INDEX),
and a number outside that range is an `AnswerError` naming the range ("Expected a position
from 1 to 3"); an integral decimal such as 2.0 is accepted, 2.5 is not. Choices (kind
"choice") are matched to the option keys ignoring case, spaces and surrounding brackets or a
final dot: "B", " b ", "(b)" and "b." all choose "b".

Grading: see `is_close` and `Tolerance`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

KINDS = ("number", "vector", "choice", "index")

MAX_NUMBER_LENGTH = 200  # characters, for a number, an index or a choice
MAX_VECTOR_LENGTH = 400  # characters, for a whole vector; the answer box allows as many
MAX_INDEX = 10**9  # the largest position read when the number of positions is not known

NUMBER_EXAMPLES = "a number such as 0.25, -3, 1/4 or 2.5e-3"
PERCENT_EXAMPLES = "a number such as 0.25, 25%, 1/4 or 2.5e-3"


class AnswerError(ValueError):
    """Input we could not read; .message is shown to the learner; never counts as an attempt."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Tolerance:
    """How far an answer may be from the expected value: see `is_close`."""

    rel: float = 0.01  # 1% of the expected value
    abs: float = 1e-4  # a floor, so that answers near 0 are graded fairly

    def __post_init__(self) -> None:
        for name in ("rel", "abs"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"tolerance {name} must be a finite number >= 0, not {value!r}")

    def limit(self, expected: float) -> float:
        """The largest distance from `expected` that still counts as correct."""
        return max(self.abs, self.rel * abs(expected))


DEFAULT_TOLERANCE = Tolerance()


def is_close(value: float, expected: float, tolerance: Tolerance = DEFAULT_TOLERANCE) -> bool:
    """Whether |value - expected| <= max(tolerance.abs, tolerance.rel * |expected|).

    The bound is inclusive and relative to the expected value only. A few units in the last
    place are added so that typing exactly the boundary (0.505 for 0.5 at 1%) counts despite
    binary rounding; non-finite values are never close.
    """
    if not (math.isfinite(value) and math.isfinite(expected)):
        return False
    slack = 4 * math.ulp(max(abs(value), abs(expected)))
    return abs(value - expected) <= tolerance.limit(expected) + slack


# --- Cleaning the text -------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RUN = re.compile("[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
# Applied after NFKC (which already turns full-width forms into ASCII).
_SYMBOLS = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash, which word processors put in place of "-"
        "\u00b7": "×",  # middle dot
        "\u22c5": "×",  # dot operator
        "\u2715": "×",  # multiplication x
        "\u2044": "/",  # fraction slash
        "\u2215": "/",  # division slash
        "\u00f7": "/",  # division sign
        "\u066b": ".",  # Arabic decimal separator, beside Arabic-Indic digits
    }
)


def _shown(text: str) -> str:
    """A learner's snippet, safe and short enough to quote back in a message."""
    if not text.isprintable():
        return ""
    return f"'{text}'" if len(text) <= 24 else f"'{text[:21]}…'"


def _clean(text: object, *, limit: int, what: str) -> str:
    """The text in plain ASCII digits and signs, trimmed; AnswerError if empty or too long."""
    if not isinstance(text, str):
        raise AnswerError(f"Type your answer as text. Expected {what}.")
    if len(text) > limit:
        raise AnswerError(f"That is too long: at most {limit} characters. Expected {what}.")
    # Invisible formatting characters (zero-width spaces, joiners, BOM, direction marks).
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    # Superscript powers become "^n" before NFKC would quietly make 10⁻³ into "10-3".
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    if any(unicodedata.category(c) in ("No", "Nl") for c in text):
        raise AnswerError(
            f"Type numbers with ordinary digits (½ as 1/2, x² as its value). Expected {what}."
        )
    # Decimal digits of any script (full-width, Arabic-Indic, ...) as ASCII digits.
    text = "".join(
        str(unicodedata.decimal(c)) if c > "\x7f" and unicodedata.category(c) == "Nd" else c
        for c in text
    )
    text = unicodedata.normalize("NFKC", text).translate(_SYMBOLS).strip()
    if not text:
        raise AnswerError(f"Your answer is empty. Expected {what}.")
    return text


def _tighten(text: str) -> str:
    """Drop the spaces a learner may put inside one number: "- 2", "1 / 4", "2.5 x 10 ^ 3"."""
    text = re.sub(r"\s*(\*\*|[/×*^])\s*", r"\1", text)
    text = re.sub(r"(?<=[\d.])\s*[xX*]\s*(?=10(?:\^|\*\*))", "×", text)
    text = re.sub(r"\s+%", "%", text)
    return re.sub(r"(?:^|(?<=[\s,;(\[]))([+-])\s+(?=[\d.])", r"\1", text)


# --- Numbers -----------------------------------------------------------------------------

_MANTISSA = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_POWER = r"(?:\^|\*\*)(?:(?P<{0}>[+-]?\d+)|\((?P<{0}b>[+-]?\d+)\))"
_DECIMAL = re.compile(
    rf"(?P<mantissa>{_MANTISSA})"
    rf"(?:[eE](?P<e>[+-]?\d+)|×10{_POWER.format('p')})?"
    rf"|(?P<sign>[+-]?)10{_POWER.format('q')}",
    re.ASCII,
)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity|∞)", re.IGNORECASE)
_SEPARATED = re.compile(
    r"[+-]?\d+(?:,\d+)+(?:\.\d*)?%?|[+-]?\d{1,3}(?: \d{3})+(?:\.\d*)?%?", re.ASCII
)


def _decimal(token: str) -> float | None:
    """The value of one decimal in scientific or ×10^ notation, or None if it is not one."""
    match = _DECIMAL.fullmatch(token)
    if match is None:
        return None
    groups = match.groupdict()
    if groups["mantissa"] is None:
        exponent = groups["q"] or groups["qb"]
        return float(f"{groups['sign']}1e{exponent}")
    exponent = groups["e"] or groups["p"] or groups["pb"] or "0"
    return float(f"{groups['mantissa']}e{exponent}")


def _read_number(token: str, *, allow_percent: bool, what: str) -> float:
    """One number without spaces (a decimal, a fraction or a percentage), finite."""
    body, percent = token, token.endswith("%")
    if percent:
        if not allow_percent:
            raise AnswerError("Percentages are not accepted here: write 0.25 rather than 25%.")
        body = token[:-1]
    if _NON_FINITE.fullmatch(body):
        raise AnswerError(
            f"Give a finite number: infinity and 'nan' are not accepted. Expected {what}."
        )
    if "_" in body or re.search(r"\d'\d", body):
        raise AnswerError(f"Write numbers without separators: 1000, not 1_000. Expected {what}.")
    if "/" in body:
        if percent:
            raise AnswerError(
                f"Write a percentage as a plain number, such as 25%. Expected {what}."
            )
        value = _fraction(body, what=what)
    else:
        value = _decimal(body)
        if value is None:
            raise AnswerError(_unreadable(body, what))
    if not math.isfinite(value):
        raise AnswerError(f"That number is too large to work with. Expected {what}.")
    if percent:
        value /= 100
    return value + 0.0  # no negative zero


def _fraction(body: str, *, what: str) -> float:
    """A fraction `a/b` of two decimals, b not 0."""
    parts = body.split("/")
    values = [_decimal(part) for part in parts]
    if len(values) != 2 or values[0] is None or values[1] is None:
        raise AnswerError(
            f"Write a fraction as one number over another, such as 1/4. Expected {what}."
        )
    numerator, denominator = values
    if not (math.isfinite(numerator) and math.isfinite(denominator)):
        raise AnswerError(f"That number is too large to work with. Expected {what}.")
    if denominator == 0:
        raise AnswerError(f"A fraction cannot have 0 below the line. Expected {what}.")
    return numerator / denominator


def _unreadable(token: str, what: str) -> str:
    if "^" in token or "**" in token:
        return (
            "Only powers of ten can be written as powers, as in 2.5e-3 or 2.5×10^-3: "
            f"work out other powers first. Expected {what}."
        )
    quoted = _shown(token)
    subject = f"We could not read {quoted} as a number." if quoted else "We could not read that."
    return f"{subject} Expected {what}."


def parse_number(text: str, *, allow_percent: bool = False) -> float:
    """The one finite number in `text`; AnswerError says what was expected otherwise."""
    what = PERCENT_EXAMPLES if allow_percent else NUMBER_EXAMPLES
    return _read_scalar(text, allow_percent=allow_percent, what=what)


def _read_scalar(text: str, *, allow_percent: bool, what: str) -> float:
    token = _tighten(_clean(text, limit=MAX_NUMBER_LENGTH, what=what))
    if _SEPARATED.fullmatch(token):
        raise AnswerError(
            "Use a point for decimals and no thousands separators: 0.5, not 0,5; "
            f"1000, not 1,000 or 1 000. Expected {what}."
        )
    if token[0] in "[(" or re.search(r"[\s,;]", token):
        raise AnswerError(f"Give a single number, not a list. Expected {what}.")
    return _read_number(token, allow_percent=allow_percent, what=what)


# --- Vectors -----------------------------------------------------------------------------

_SEPARATOR = re.compile(r"\s*[,;]\s*|\s+")


def parse_vector(
    text: str, *, length: int | None = None, allow_percent: bool = False
) -> tuple[float, ...]:
    """The numbers in `text`, in order; AnswerError if unreadable or not `length` of them."""
    what = _vector_what(length, allow_percent)
    body = _tighten(_clean(text, limit=MAX_VECTOR_LENGTH, what=what))
    opening, closing = body[0] in "[(", body[-1] in "])"
    if opening or closing:
        if not (opening and closing and "[(".index(body[0]) == "])".index(body[-1])):
            raise AnswerError(f"The brackets do not match. Expected {what}.")
        body = body[1:-1].strip()
    body = re.sub(r"\s*[,;]$", "", body)  # one trailing separator is harmless
    if not body:
        raise AnswerError(f"Your answer is empty. Expected {what}.")
    tokens = _SEPARATOR.split(body)
    if "" in tokens:
        position = tokens.index("") + 1
        raise AnswerError(f"Component {position} is empty (two commas in a row?). Expected {what}.")
    if length is not None and len(tokens) != length:
        hint = ""
        if re.search(r"\d,\d", body):
            hint = " Commas separate components, so use a point for decimals: 0.5, not 0,5."
        raise AnswerError(
            f"Expected {length} numbers separated by commas, but found {len(tokens)}.{hint}"
        )
    one = PERCENT_EXAMPLES if allow_percent else NUMBER_EXAMPLES
    values = []
    for position, token in enumerate(tokens, start=1):
        try:
            values.append(_read_number(token, allow_percent=allow_percent, what=one))
        except AnswerError as error:
            raise AnswerError(f"Component {position}: {error.message}") from None
    return tuple(values)


def _vector_what(length: int | None, allow_percent: bool) -> str:
    percent = " (percentages such as 25% are fine)" if allow_percent else ""
    if length == 1:
        return f"1 number, such as 0.5{percent}"
    count = "numbers" if length is None else f"{length} numbers"
    return f"{count} separated by commas, such as 0.66, 0.24, 0.1{percent}"


# --- Indices and choices -----------------------------------------------------------------


def parse_index(text: str, *, count: int | None = None) -> int:
    """A position from 1 to `count` (up to MAX_INDEX if `count` is None): 1 is the first."""
    if count is not None and count < 1:
        raise ValueError(f"an index needs at least one position, not count={count!r}")
    what = _index_what(count)
    value = _read_scalar(text, allow_percent=False, what=what)
    if not value.is_integer():
        raise AnswerError(f"A position is a whole number, not {value:g}. Expected {what}.")
    if value == 0:
        raise AnswerError(f"Positions count from 1: the first entry is 1, not 0. Expected {what}.")
    last = MAX_INDEX if count is None else count
    if not 1 <= value <= last:
        raise AnswerError(f"There is no position {value:g}. Expected {what}.")
    return int(value)


def _index_what(count: int | None) -> str:
    if count is None:
        return "a position counting from 1 (the first entry is 1), such as 2"
    return f"a position from 1 to {count} (the first entry is 1)"


def _choice_key(text: str) -> str:
    """A choice as compared: no invisible characters, case or spaces, no brackets or dot."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split()).strip("()[]. ")


def _option_keys(options: Sequence[str]) -> dict[str, str]:
    """Each option's compared key, mapped to the option as written."""
    keys: dict[str, str] = {}
    for option in options:
        key = _choice_key(str(option))
        if not key or key in keys:
            raise ValueError(f"option keys must be distinct and non-empty: {list(options)!r}")
        keys[key] = str(option)
    if not keys:
        raise ValueError("a choice needs options")
    return keys


def _read_choice(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise AnswerError(f"Type your answer as text. Expected {what}.")
    if len(text) > MAX_NUMBER_LENGTH:
        raise AnswerError(
            f"That is too long: at most {MAX_NUMBER_LENGTH} characters. Expected {what}."
        )
    typed = _choice_key(text)
    if not typed:
        raise AnswerError(f"Your answer is empty. Expected {what}.")
    return typed


def parse_choice(text: str, *, options: Sequence[str]) -> str:
    """The option key that `text` names, as written in `options`."""
    keys = _option_keys(options)
    what = "one of the options " + ", ".join(keys.values())
    typed = _read_choice(text, what)
    if typed not in keys:
        quoted = _shown(typed)
        subject = f"{quoted} is not an option." if quoted else "That is not an option."
        raise AnswerError(f"{subject} Expected {what}.")
    return keys[typed]


# --- Grading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """The verdict on a readable answer."""

    correct: bool
    message: str  # for the learner: "Correct." or "Not quite..."
    parsed: float | tuple[float, ...] | int | str  # see to_json() for storage
    wrong_components: tuple[int, ...] = ()  # 0-based positions, vectors only


def grade(
    kind: str,
    raw: str,
    expected,
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    options: Sequence[str] | None = None,
    allow_percent: bool = False,
    count: int | None = None,
) -> Grade:
    """Grade what the learner typed; AnswerError (store nothing) if we cannot read it.

    `expected` is a float ("number"), a sequence of floats ("vector"), a position counting
    from 1 ("index") or an option key ("choice"). `options` are the choice keys; a position
    is bounded by `count`, else by the number of `options` when there are some. A wrongly
    configured problem (unknown kind, non-finite expected value, a position outside 1 to
    `count`, expected choice not an option) raises a plain ValueError, never an AnswerError.
    """
    if kind == "number":
        target = _finite(expected)
        value = parse_number(raw, allow_percent=allow_percent)
        return _grade_number(value, target, tolerance, allow_percent)
    if kind == "vector":
        targets = tuple(_finite(x) for x in expected)
        if not targets:
            raise ValueError("a vector answer needs at least one component")
        values = parse_vector(raw, length=len(targets), allow_percent=allow_percent)
        wrong = tuple(
            i
            for i, (value, target) in enumerate(zip(values, targets, strict=True))
            if not is_close(value, target, tolerance)
        )
        return Grade(not wrong, _vector_message(wrong, len(targets)), values, wrong)
    if kind == "index":
        target = _finite(expected)
        bound = count if count is not None else len(options or ()) or None
        if not (target.is_integer() and 1 <= target <= (bound or MAX_INDEX)):
            raise ValueError(
                f"a position answer must be a whole number from 1 to {bound or MAX_INDEX}, "
                f"not {expected!r}"
            )
        index = parse_index(raw, count=bound)
        return Grade(index == target, _verdict(index == target), index)
    if kind == "choice":
        if options:
            if _choice_key(str(expected)) not in _option_keys(options):
                raise ValueError(f"the expected choice {expected!r} is not among {options!r}")
            key = parse_choice(raw, options=options)
        else:  # no list to check against: any non-empty key is graded
            key = _read_choice(raw, "the key of one option")
        right = _choice_key(key) == _choice_key(str(expected))
        return Grade(right, _verdict(right), key)
    raise ValueError(f"unknown answer kind {kind!r}; expected one of {', '.join(KINDS)}")


def _finite(x) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"the expected answer must be finite, not {x!r}")
    return value


def _verdict(correct: bool) -> str:
    return "Correct." if correct else "Not quite."


def _grade_number(
    value: float, expected: float, tolerance: Tolerance, allow_percent: bool
) -> Grade:
    if is_close(value, expected, tolerance):
        return Grade(True, "Correct.", value)
    message = "Not quite."
    if expected != 0 and is_close(value, expected * 100, tolerance):
        how = "write it with a % sign, or" if allow_percent else "give it"
        message = f"Not quite: is that a percentage? Then {how} as a fraction, e.g. 0.25 for 25%."
    elif abs(value - expected) <= 3 * tolerance.limit(expected):
        message = "Not quite, but close: check your rounding."
    return Grade(False, message, value)


def _vector_message(wrong: tuple[int, ...], length: int) -> str:
    if not wrong:
        return "Correct."
    if len(wrong) == length and length > 1:
        return "Not quite: every component is off."
    positions = [str(i + 1) for i in wrong]
    if len(positions) == 1:
        return f"Not quite: component {positions[0]} is off."
    return f"Not quite: components {', '.join(positions[:-1])} and {positions[-1]} are off."


# --- Showing and storing -----------------------------------------------------------------


def format_number(value: float, digits: int = 4) -> str:
    """`value` to `digits` significant digits, in a form `parse_number` reads back."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot show a non-finite answer ({value!r})")
    if digits < 1:
        raise ValueError(f"digits must be at least 1, not {digits!r}")
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e6:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
        text = f"{value:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "") else text


def format_answer(kind: str, value, digits: int = 4) -> str:
    """An expected (or parsed) answer as the learner would type it, numbers rounded."""
    if kind == "number":
        return format_number(value, digits)
    if kind == "vector":
        return ", ".join(format_number(x, digits) for x in value)
    if kind == "index":
        return str(int(value))
    if kind == "choice":
        return str(value)
    raise ValueError(f"unknown answer kind {kind!r}; expected one of {', '.join(KINDS)}")


def to_json(parsed: float | tuple[float, ...] | int | str) -> float | list[float] | int | str:
    """A parsed answer as plain JSON data for storage: float, list of floats, int or str."""
    if isinstance(parsed, bool):
        raise TypeError("a parsed answer is never a bool")
    if isinstance(parsed, int | float | str):
        return parsed
    if isinstance(parsed, tuple | list):
        return [float(x) for x in parsed]
    raise TypeError(f"not a parsed answer: {parsed!r}")


def describe_expected(
    kind: str,
    *,
    length: int | None = None,
    count: int | None = None,
    options: Sequence[str] | None = None,
    allow_percent: bool = False,
) -> str:
    """What an answer of this kind looks like, in words, e.g. for the answer box's label."""
    if kind == "number":
        return PERCENT_EXAMPLES if allow_percent else NUMBER_EXAMPLES
    if kind == "vector":
        return _vector_what(length, allow_percent)
    if kind == "index":
        return _index_what(count)
    if kind == "choice":
        if options:
            return "one of the options " + ", ".join(_option_keys(options).values())
        return "the key of one option"
    raise ValueError(f"unknown answer kind {kind!r}; expected one of {', '.join(KINDS)}")
