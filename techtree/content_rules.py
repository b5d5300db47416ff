"""The type and size of every field of the tree's content, in one place.

PURE: no Django. The file loader (`techtree.content`) checks a concept file's front matter
against these rules before anything is written, and the models take their `max_length`s
from the same constants, so the admin's forms refuse exactly what a file may not hold.

Sizes are in characters (bytes for a whole file). They are generous for real content (the
longest lesson is about 30,000 characters, a concept file about 35 KB) and small enough that
one page view can never be made to render megabytes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# --- The limits, shared by files, models and the admin. ---------------------------------
FILE_BYTES = 1_000_000  # one concept file, front matter and lesson together
SLUG_CHARS = 80
CONCEPT_TITLE_CHARS = 120
SUMMARY_CHARS = 300
DOMAIN_CHARS = 60
LINE_CHARS = 300  # one core concept; one key symbol's symbol or meaning
LIST_ITEMS = 60  # core concepts, key symbols, prerequisites, hints, options of one item
CORE_CONCEPTS_CHARS = LIST_ITEMS * (LINE_CHARS + 1)  # stored one per line
KEY_SYMBOLS_CHARS = LIST_ITEMS * (2 * LINE_CHARS + 4)  # stored as "symbol | meaning" lines
MINUTES_MAX = 10_000
LESSON_BODY_CHARS = 250_000
TEACHING_STRATEGY_CHARS = 2_000
TLDR_CHARS = 800  # a lesson's TL;DR: a short paragraph, read before anything else
ESSENTIALS_ITEMS = 6  # a lesson's essential relationships: the few formulas to carry away
ESSENTIALS_CHARS = ESSENTIALS_ITEMS * (2 * LINE_CHARS + 4)  # stored as "formula | meaning"
GENERATOR_CHARS = 60  # a registered generator's key
ITEM_TITLE_CHARS = 160  # a worked example's, problem's or exercise template's title
PROBLEM_TEXT_CHARS = 20_000  # a problem's statement, its solution, its hints together
EXERCISE_KEY_CHARS = 60
EXERCISE_SPEC_CHARS = 100_000  # one exercise template, as JSON
ITEMS_PER_CONCEPT = 100  # examples, problems or exercises in one concept file
TOLERANCE_MAX = 1e6
ATTEMPTS_MAX = 100
POSITIONS_MAX = 10_000


# Key symbols are stored one a line as "symbol | meaning"; a symbol may hold "\\|" (a norm),
# never " | ", so the first " | " splits a line (a line without it splits at its first "|").
KEY_SYMBOL_SEPARATOR = " | "
# Essential relationships are stored the same way, "formula | meaning"; a number directive
# ("{{ log(2) | 3 }}") has its own " | ", which never separates.
_DIRECTIVE = re.compile(r"\{\{.*?\}\}")


def separator_at(line: str) -> int:
    """Where the first " | " outside number directives starts in a line, or -1."""
    masked = _DIRECTIVE.sub(lambda match: "x" * len(match.group()), line)
    return masked.find(KEY_SYMBOL_SEPARATOR)


def split_pair_line(line: str) -> tuple[str, str]:
    """A "first | second" line as its two halves (the second empty without a separator)."""
    at = separator_at(line)
    if at < 0:
        return line.strip(), ""
    return line[:at].strip(), line[at + len(KEY_SYMBOL_SEPARATOR) :].strip()


class RuleError(ValueError):
    """A value that breaks a rule; `field` says where (e.g. 'problems[2].hints')."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}")
        self.field = field
        self.why = why


Rule = Callable[[Any, str], Any]

# Control characters other than tab and newline (PostgreSQL refuses NUL outright).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def describe(value: Any) -> str:
    """How a value of the wrong type reads in an error, e.g. 'the text "false"'."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {json.dumps(shown, ensure_ascii=False)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def text(max_chars: int, *, one_line: bool = False, blank: bool = True) -> Rule:
    """A string of at most `max_chars` characters, without control characters."""

    def check(value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise RuleError(field, f"must be text in quotes, not {describe(value)}")
        if len(value) > max_chars:
            raise RuleError(field, f"is {len(value):,} characters long; the limit is {max_chars:,}")
        if one_line and "\n" in value:
            raise RuleError(field, "must be a single line")
        if not blank and not value.strip():
            raise RuleError(field, "must not be empty")
        bad = _CONTROL.search(value)
        if bad:
            raise RuleError(
                field, f"contains the control character U+{ord(bad.group()):04X} "
                f"at character {bad.start() + 1}",
            )  # fmt: skip
        return value

    return check


def integer(lo: int, hi: int) -> Rule:
    """A whole number from `lo` to `hi` (true/false is not a number)."""

    def check(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(field, f"must be a whole number, not {describe(value)}")
        if not lo <= value <= hi:
            raise RuleError(field, f"must be from {lo:,} to {hi:,}, not {value:,}")
        return value

    return check


def number(lo: float, hi: float) -> Rule:
    """A finite number from `lo` to `hi`."""

    def check(value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(field, f"must be a number, not {describe(value)}")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise RuleError(field, f"must be a finite number from {lo:g} to {hi:g}, not {value}")
        return value

    return check


def boolean(value: Any, field: str) -> bool:
    """true or false, written without quotes."""
    if not isinstance(value, bool):
        raise RuleError(field, f"must be true or false (without quotes), not {describe(value)}")
    return value


def list_of(item: Rule, *, max_items: int = LIST_ITEMS) -> Rule:
    """A list (never a string read letter by letter) of at most `max_items` items."""

    def check(value: Any, field: str) -> list:
        if not isinstance(value, list):
            raise RuleError(field, f"must be a list in [brackets], not {describe(value)}")
        if len(value) > max_items:
            raise RuleError(field, f"has {len(value):,} entries; the limit is {max_items:,}")
        return [item(entry, f"{field}[{number}]") for number, entry in enumerate(value, 1)]

    return check


def pair(first: Rule, second: Rule) -> Rule:
    """A list of exactly two values, e.g. ["$z$", "the logits"]."""

    def check(value: Any, field: str) -> list:
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(field, f"must be a pair [first, second], not {describe(value)}")
        return [first(value[0], f"{field}[1]"), second(value[1], f"{field}[2]")]

    return check


def json_value(max_chars: int) -> Rule:
    """Plain data (text, numbers, true/false, lists, tables) that is stored as JSON."""

    def check(value: Any, field: str) -> Any:
        _check_json(value, field)
        size = len(json.dumps(value, ensure_ascii=False))
        if size > max_chars:
            raise RuleError(
                field, f"is {size:,} characters long as JSON; the limit is {max_chars:,}"
            )
        return value

    return check


def _check_json(value: Any, field: str) -> None:
    if isinstance(value, str):
        text(EXERCISE_SPEC_CHARS)(value, field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise RuleError(field, f"must be a finite number, not {value}")
    elif isinstance(value, list):
        for number, entry in enumerate(value, 1):
            _check_json(entry, f"{field}[{number}]")
    elif isinstance(value, dict):
        for key, entry in value.items():
            _check_json(entry, f"{field}.{key}")
    elif not isinstance(value, bool | int | float):
        raise RuleError(
            field, f"must be text, a number, true/false, a list or a table, not {describe(value)}"
        )


@dataclass(frozen=True)
class Table:
    """A TOML table with known keys: unknown keys are refused (a typo is never ignored)."""

    fields: dict[str, Rule]
    required: frozenset[str] = frozenset()
    open: bool = False  # whether keys not listed are allowed (checked by another owner)

    def __call__(self, value: Any, field: str) -> dict:
        if not isinstance(value, dict):
            raise RuleError(field, f"must be a table, not {describe(value)}")
        missing = sorted(self.required - value.keys())
        if missing:
            raise RuleError(field or "front matter", f"missing {', '.join(missing)}")
        unknown = sorted(value.keys() - self.fields.keys())
        if unknown and not self.open:
            where = f"{field}.{unknown[0]}" if field else unknown[0]
            raise RuleError(where, f"is not a known field; known: {', '.join(self.fields)}")
        return {
            key: self.fields[key](entry, f"{field}.{key}" if field else key)
            if key in self.fields else entry
            for key, entry in value.items()
        }  # fmt: skip


def _sized(rule: Rule, max_chars: int) -> Rule:
    """`rule`, then the whole value's size as JSON at most `max_chars`."""
    size_check = json_value(max_chars)

    def check(value: Any, field: str) -> Any:
        return size_check(rule(value, field), field)

    return check


def _answer(value: Any, field: str) -> Any:
    """A fixed problem's answer: a number, a choice's key, or a list of numbers."""
    if isinstance(value, list):
        return list_of(number(-1e300, 1e300), max_items=1_000)(value, field)
    if isinstance(value, str):
        return text(LINE_CHARS, one_line=True)(value, field)
    return number(-1e300, 1e300)(value, field)


LESSON = Table(
    {
        "teaching_strategy": text(TEACHING_STRATEGY_CHARS),
        "tldr": text(TLDR_CHARS),
        # [formula in TeX without dollars, what it says in Markdown], shown as display math.
        "essentials": list_of(
            pair(text(LINE_CHARS, one_line=True, blank=False), text(LINE_CHARS, one_line=True)),
            max_items=ESSENTIALS_ITEMS,
        ),
    }
)

EXAMPLE = Table(
    {
        "generator": text(GENERATOR_CHARS, one_line=True, blank=False),
        "title": text(ITEM_TITLE_CHARS, one_line=True),
    },
    required=frozenset({"generator"}),
)

PROBLEM_TABLE = Table(
    {
        "generator": text(GENERATOR_CHARS, one_line=True),
        "title": text(ITEM_TITLE_CHARS, one_line=True),
        "difficulty": text(10, one_line=True),
        "kind": text(10, one_line=True),
        "statement": text(PROBLEM_TEXT_CHARS),
        "answer": _answer,
        "positions": integer(1, POSITIONS_MAX),
        "options": list_of(pair(text(LINE_CHARS, one_line=True), text(PROBLEM_TEXT_CHARS))),
        "hints": list_of(text(PROBLEM_TEXT_CHARS)),
        "solution": text(PROBLEM_TEXT_CHARS),
        "allow_percent": boolean,
        "tolerance_rel": number(0, TOLERANCE_MAX),
        "tolerance_abs": number(0, TOLERANCE_MAX),
        "max_attempts": integer(1, ATTEMPTS_MAX),
    }
)
PROBLEM = _sized(PROBLEM_TABLE, 3 * PROBLEM_TEXT_CHARS)
PROBLEM_FIELDS = frozenset(PROBLEM_TABLE.fields)


# An exercise template's own format belongs to the exercise kit, which validates it in depth;
# here only what every stored template must be: plain JSON data, keyed, titled and bounded.
EXERCISE = _sized(
    Table(
        {
            "key": text(EXERCISE_KEY_CHARS, one_line=True, blank=False),
            "title": text(ITEM_TITLE_CHARS, one_line=True, blank=False),
        },
        required=frozenset({"key", "title"}),
        open=True,
    ),
    EXERCISE_SPEC_CHARS,
)

CONCEPT = Table(
    {
        "title": text(CONCEPT_TITLE_CHARS, one_line=True, blank=False),
        "summary": text(SUMMARY_CHARS, one_line=True, blank=False),
        "domain": text(DOMAIN_CHARS, one_line=True, blank=False),
        "difficulty": integer(1, 5),
        "minutes": integer(1, MINUTES_MAX),
        "published": boolean,
        "prerequisites": list_of(text(SLUG_CHARS, one_line=True)),
        "core_concepts": list_of(text(LINE_CHARS, one_line=True, blank=False)),
        "key_symbols": list_of(
            pair(
                text(LINE_CHARS, one_line=True, blank=False),
                text(LINE_CHARS, one_line=True),
            )
        ),
        "lesson": LESSON,
        "examples": list_of(EXAMPLE, max_items=ITEMS_PER_CONCEPT),
        "problems": list_of(PROBLEM, max_items=ITEMS_PER_CONCEPT),
        "exercises": list_of(EXERCISE, max_items=ITEMS_PER_CONCEPT),
    },
    required=frozenset({"title", "summary", "domain", "difficulty", "minutes"}),
)

LESSON_BODY = text(LESSON_BODY_CHARS)


def check_front_matter(meta: dict) -> dict:
    """Check a concept file's front matter against CONCEPT; RuleError names the field."""
    checked = CONCEPT(meta, "")
    for number, (symbol, _meaning) in enumerate(checked.get("key_symbols", ()), 1):
        if KEY_SYMBOL_SEPARATOR in symbol:  # stored as "symbol | meaning" lines
            raise RuleError(f"key_symbols[{number}][1]", "a symbol may not contain ' | '")
    essentials = checked.get("lesson", {}).get("essentials", ())
    for number, (formula, _meaning) in enumerate(essentials, 1):
        if separator_at(formula) >= 0:  # stored as "formula | meaning" lines
            raise RuleError(f"lesson.essentials[{number}][1]", "a formula may not contain ' | '")
    return checked
