"""Exercise templates: an exercise written as data, built for any seed.

PURE: no Django. A template is a dict (a concept file's `[[exercises]]` entry, or the JSON an
author edits in the admin); the format is in the README ("Exercise templates"). `parse`
checks its shape and gives a `Template`; `Template.build(seed)` draws the named values from
the seed (redrawing, a bounded number of times, until the constraints hold), evaluates the
derived names, the answer, the mistakes and every `{{ expression | spec }}` directive with
the safe formula language (`lessons.formulas`), and returns the same `Exercise` a Python
generator does. `validate_template` builds it over many seeds and names every field,
expression and seed that fails.
"""

from __future__ import annotations

import json
import keyword
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from exercises.exercise import Exercise, Mistake, Step
from lessons import formulas
from quizzes import answers
from techtree.content_rules import EXERCISE_KEY_CHARS, ITEM_TITLE_CHARS

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ROLES = ("example", "practice")
DIFFICULTIES = ("easy", "medium", "hard")
KINDS = {"number": "number", "vector": "vector", "choice": "choice", "position": "index"}
OPTION_KEYS = "abcdef"  # a choice's options are keyed a, b, c, ... as learners type them
DEFAULT_TRIES, MAX_TRIES = 100, 1000
MAX_NAMES = 30  # draws plus lets
MAX_VECTOR = 100  # entries in one drawn vector
MAX_STEPS, MAX_HINTS, MAX_MISTAKES, MAX_CONSTRAINTS = 30, 10, 20, 20
VALIDATION_SEEDS = 50
FIELDS = {
    "key", "title", "difficulty", "serves", "kind", "tolerance", "answer_format", "tries",
    "draw", "let", "constraints", "statement", "steps", "hints", "solution", "insight",
    "answer", "options", "positions", "mistakes",
}  # fmt: skip
TEXT_FIELDS = ("statement", "solution", "insight", "answer_format")


@dataclass(frozen=True)
class TemplateError:
    """What is wrong with a template: the field, the expression and the seed that fail."""

    field: str
    message: str
    expression: str = ""
    seed: int | None = None

    def __str__(self) -> str:
        where = self.field
        if self.expression:
            where += f" {self.expression!r}"
        if self.seed is not None:
            where += f" (seed {self.seed})"
        return f"{where}: {self.message}"


class TemplateInvalid(ValueError):
    """A template that cannot be parsed or built; `.errors` lists every TemplateError."""

    def __init__(self, errors: list[TemplateError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Draw:
    """How one named value is drawn: kind "integer", "uniform" or "choice", maybe a vector."""

    name: str
    how: str
    bounds: tuple = ()  # (lo, hi) for integer/uniform; the values for choice
    length: int | None = None  # a vector of this many entries, else one value
    decimals: int | None = None

    def sample(self, rng: random.Random) -> object:
        if self.length is None:
            return self._one(rng)
        return np.array([self._one(rng) for _ in range(self.length)], dtype=float)

    def _one(self, rng: random.Random) -> object:
        if self.how == "integer":
            return rng.randint(*self.bounds)
        if self.how == "uniform":
            value = rng.uniform(*self.bounds)
            return round(value, self.decimals) if self.decimals is not None else value
        value = rng.choice(self.bounds)
        return np.array(value, dtype=float) if isinstance(value, list) else value


@dataclass(frozen=True)
class Template:
    """A parsed template; `build(seed)` gives the exercise, `spec` is what was written."""

    key: str
    title: str
    difficulty: str
    serves: tuple[str, ...]
    kind: str  # as graded: number, vector, choice or index (a "position")
    tolerance: answers.Tolerance
    tries: int
    draws: tuple[Draw, ...]
    lets: tuple[tuple[str, str], ...]
    constraints: tuple[str, ...]
    texts: dict[str, str]  # statement, solution, insight, answer_format
    steps: tuple[dict[str, str], ...]
    hints: tuple[str, ...]
    answer: str
    options: tuple[str, ...]
    positions: str
    mistakes: tuple[dict[str, str], ...]
    spec: dict = field(default_factory=dict, compare=False)

    def build(self, seed: int) -> Exercise:
        """The exercise for this seed; TemplateInvalid names what fails."""
        return _Builder(self, seed, errors=None).exercise()

    def serves_as(self, role: str) -> bool:
        return role in self.serves


# --- Parsing -------------------------------------------------------------------------------


def parse(spec: Mapping) -> Template:
    """Check a template's shape and read it; TemplateInvalid lists every problem found."""
    errors: list[TemplateError] = []
    template = _parse(spec, errors)
    if errors:
        raise TemplateInvalid(errors)
    return template


def _parse(spec: Mapping, errors: list[TemplateError]) -> Template | None:
    def bad(where: str, message: str, expression: str = "") -> None:
        errors.append(TemplateError(where, message, expression))

    if not isinstance(spec, Mapping):
        bad("template", "must be a table (a dict) of fields")
        return None
    for unknown in sorted(set(spec) - FIELDS):
        bad(unknown, f"unknown field; the fields are {', '.join(sorted(FIELDS))}")
    key = spec.get("key")
    if not (isinstance(key, str) and KEY.match(key) and len(key) <= EXERCISE_KEY_CHARS):
        limit = f"at most {EXERCISE_KEY_CHARS} characters"
        bad("key", f"required: lower-case letters, digits and dashes, {limit}")
    title = spec.get("title")
    if not (isinstance(title, str) and title.strip() and len(title) <= ITEM_TITLE_CHARS):
        bad("title", f"required: a text of at most {ITEM_TITLE_CHARS} characters")
    difficulty = spec.get("difficulty")
    if difficulty not in DIFFICULTIES:
        bad("difficulty", f"required: one of {', '.join(DIFFICULTIES)}")
    serves = spec.get("serves", list(ROLES))
    if not (isinstance(serves, list) and serves and set(serves) <= set(ROLES)):
        bad("serves", "a list of 'example' and/or 'practice' (at least one)")
        serves = list(ROLES)
    kind = spec.get("kind")
    if kind not in KINDS:
        bad("kind", f"required: one of {', '.join(KINDS)}")
    tolerance = answers.DEFAULT_TOLERANCE
    raw_tolerance = spec.get("tolerance", {})
    if not isinstance(raw_tolerance, Mapping) or set(raw_tolerance) - {"rel", "abs"}:
        bad("tolerance", "a table with 'rel' and/or 'abs', e.g. { rel = 0.01, abs = 0.0001 }")
    else:
        try:
            tolerance = answers.Tolerance(
                rel=raw_tolerance.get("rel", tolerance.rel),
                abs=raw_tolerance.get("abs", tolerance.abs),
            )
        except ValueError as error:
            bad("tolerance", str(error))
    tries = spec.get("tries", DEFAULT_TRIES)
    if not (isinstance(tries, int) and not isinstance(tries, bool) and 1 <= tries <= MAX_TRIES):
        bad("tries", f"a whole number from 1 to {MAX_TRIES}")
        tries = DEFAULT_TRIES
    draws = _parse_draws(spec.get("draw", {}), bad)
    lets = _parse_lets(spec.get("let", {}), bad)
    names = [d.name for d in draws] + [name for name, _ in lets]
    if len(set(names)) != len(names):
        bad("let", "a name is both drawn and derived, or derived twice")
    if len(names) > MAX_NAMES:
        bad("draw", f"at most {MAX_NAMES} drawn and derived names in all")
    constraints = _strings(spec, "constraints", bad, limit=MAX_CONSTRAINTS)
    texts = {}
    for name in TEXT_FIELDS:
        value = spec.get(name, "")
        if not isinstance(value, str):
            bad(name, "must be a text")
            value = ""
        texts[name] = value
    if not texts["statement"].strip():
        bad("statement", "required: the exercise's statement")
    steps = _records(spec, "steps", ("title", "formula", "explanation"), ("title",), bad)
    if not steps:
        bad("steps", "at least one step of the worked solution")
    hints = _strings(spec, "hints", bad, limit=MAX_HINTS)
    answer = spec.get("answer")
    if not (isinstance(answer, str) and answer.strip()):
        bad("answer", "required: an expression for the exact answer")
        answer = ""
    options = _strings(spec, "options", bad, limit=len(OPTION_KEYS))
    if kind == "choice" and not 2 <= len(options) <= len(OPTION_KEYS):
        bad("options", f"a choice needs 2 to {len(OPTION_KEYS)} options")
    if kind != "choice" and options:
        bad("options", "only a choice has options")
    positions = spec.get("positions", "")
    if not isinstance(positions, str):
        bad("positions", "an expression for how many positions there are, e.g. 'len(z)'")
        positions = ""
    if kind == "position" and not positions.strip():
        bad("positions", "a position answer needs `positions`, e.g. 'len(z)'")
    mistakes = _records(spec, "mistakes", ("answer", "message"), ("answer", "message"), bad)
    if errors:
        return None
    return Template(
        key=key,
        title=title.strip(),
        difficulty=difficulty,
        serves=tuple(role for role in ROLES if role in serves),
        kind=KINDS[kind],
        tolerance=tolerance,
        tries=tries,
        draws=tuple(draws),
        lets=tuple(lets),
        constraints=tuple(constraints),
        texts=texts,
        steps=tuple(steps),
        hints=tuple(hints),
        answer=answer,
        options=tuple(options),
        positions=positions,
        mistakes=tuple(mistakes),
        spec=dict(spec),
    )


def _name_problem(name: object) -> str | None:
    if not (isinstance(name, str) and NAME.match(name)) or keyword.iskeyword(name):
        return "a name must be a letter followed by letters, digits or _"
    if name in formulas.FUNCTIONS or name in formulas.CONSTANTS or name == "len":
        return f"{name!r} is a function or constant of the formula language; choose another"
    return None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_draws(raw: object, bad) -> list[Draw]:
    if not isinstance(raw, Mapping):
        bad("draw", "a table of named draws, e.g. draw.z = { vector = 3, integers = [-3, 4] }")
        return []
    draws = []
    for name, table in raw.items():
        where = f"draw.{name}"
        if problem := _name_problem(name):
            bad(where, problem)
            continue
        try:
            draws.append(_parse_draw(name, table))
        except ValueError as error:
            bad(where, str(error))
    return draws


def _parse_draw(name: str, table: object) -> Draw:
    if not isinstance(table, Mapping):
        raise ValueError("a table such as { integer = [2, 4] } or { uniform = [0.1, 0.9] }")
    table = dict(table)
    length = table.pop("vector", None)
    decimals = table.pop("decimals", None)
    if length is not None and not (
        isinstance(length, int) and not isinstance(length, bool) and 1 <= length <= MAX_VECTOR
    ):
        raise ValueError(f"vector must be a whole number from 1 to {MAX_VECTOR}")
    if decimals is not None and not (
        isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 10
    ):
        raise ValueError("decimals must be a whole number from 0 to 10")
    how = {"integers": "integer", "integer": "integer", "uniform": "uniform", "choice": "choice"}
    if len(table) != 1 or next(iter(table)) not in how:
        raise ValueError(
            "say one of: integer = [lo, hi], integers = [lo, hi] (with vector = n), "
            "uniform = [lo, hi], choice = [values]"
        )
    word, bounds = next(iter(table.items()))
    if (word == "integers") != (length is not None) and word in ("integer", "integers"):
        raise ValueError("use integer = [lo, hi] for one number, integers with vector = n")
    if not isinstance(bounds, list) or not bounds:
        raise ValueError(f"{word} must be a non-empty list")
    if how[word] == "choice":
        if len(bounds) > 100 or not all(_choice_value(v) for v in bounds):
            raise ValueError("choice must list at most 100 numbers or vectors of numbers")
        return Draw(name, "choice", tuple(bounds), length, decimals)
    if len(bounds) != 2 or not all(_number(v) for v in bounds) or bounds[0] > bounds[1]:
        raise ValueError(f"{word} must be [lo, hi] with lo <= hi")
    if how[word] == "integer" and not all(float(v).is_integer() for v in bounds):
        raise ValueError(f"{word} bounds must be whole numbers")
    if how[word] == "integer":
        bounds = [int(v) for v in bounds]
    return Draw(name, how[word], tuple(bounds), length, decimals)


def _choice_value(value: object) -> bool:
    if isinstance(value, list):
        return 0 < len(value) <= MAX_VECTOR and all(_number(v) for v in value)
    return _number(value)


def _parse_lets(raw: object, bad) -> list[tuple[str, str]]:
    if not isinstance(raw, Mapping):
        bad("let", 'a table of named expressions, e.g. let.p = "softmax(z)"')
        return []
    lets = []
    for name, expression in raw.items():
        if problem := _name_problem(name):
            bad(f"let.{name}", problem)
        elif not (isinstance(expression, str) and expression.strip()):
            bad(f"let.{name}", "must be an expression in quotes")
        else:
            lets.append((name, expression))
    return lets


def _strings(spec: Mapping, name: str, bad, *, limit: int) -> list[str]:
    value = spec.get(name, [])
    if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        bad(name, "must be a list of texts")
        return []
    if len(value) > limit:
        bad(name, f"at most {limit} entries")
    return value


def _records(spec, name: str, keys: tuple, required: tuple, bad) -> list[dict[str, str]]:
    value = spec.get(name, [])
    if not isinstance(value, list):
        bad(name, f"must be a list of tables with {', '.join(keys)}")
        return []
    limit = MAX_STEPS if name == "steps" else MAX_MISTAKES
    if len(value) > limit:
        bad(name, f"at most {limit} entries")
    records = []
    for number, item in enumerate(value, start=1):
        where = f"{name}[{number}]"
        if not isinstance(item, Mapping) or set(item) - set(keys):
            bad(where, f"a table with {', '.join(keys)} only")
            continue
        if not all(isinstance(item.get(k, ""), str) for k in keys):
            bad(where, "every entry must be a text")
            continue
        if missing := [k for k in required if not str(item.get(k, "")).strip()]:
            bad(where, f"missing {', '.join(missing)}")
            continue
        records.append({k: item.get(k, "") for k in keys})
    return records


# --- Building ------------------------------------------------------------------------------


class _Failed(Exception):
    """Stop building this seed (the error has been recorded or will be raised)."""


class _Builder:
    """Builds one seed's exercise; with `errors`, records every failure instead of raising."""

    def __init__(self, template: Template, seed: int, errors: list[TemplateError] | None):
        self.template, self.seed, self.errors = template, seed, errors
        self.names: dict[str, object] = {}

    def fail(self, where: str, message: str, expression: str = "") -> None:
        error = TemplateError(where, message, expression, self.seed)
        if self.errors is None:
            raise TemplateInvalid([error])
        self.errors.append(error)

    def value(self, where: str, expression: str) -> object:
        try:
            return formulas.evaluate(expression, self.names)
        except formulas.FormulaError as error:
            self.fail(where, str(error), expression)
            raise _Failed from error

    def text(self, where: str, text: str) -> str:
        """Fill every directive of a text; on failure the raw text (the error is recorded)."""
        parts = []
        last = 0
        ok = True
        for match in formulas.DIRECTIVE.finditer(text):
            parts.append(text[last : match.start()])
            inner = match["expression"]
            expression, _, spec = inner.rpartition("|") if "|" in inner else (inner, "", "")
            try:
                value = formulas.evaluate(expression, self.names)
                if _numeric(value) and not np.all(np.isfinite(np.asarray(value, dtype=float))):
                    raise formulas.FormulaError(f"shows a non-finite number: {value!r}")
                parts.append(formulas.format_value(value, spec))
            except formulas.FormulaError as error:
                self.fail(where, str(error), inner.strip())
                ok = False
            last = match.end()
        parts.append(text[last:])
        filled = "".join(parts)
        if ok and "{{" in filled:
            self.fail(where, "a directive is not closed: every {{ needs its }}")
        return filled

    def draw(self) -> None:
        rng = random.Random(self.seed)
        template = self.template
        for _ in range(template.tries):
            self.names = {d.name: d.sample(rng) for d in template.draws}
            for name, expression in template.lets:
                self.names[name] = _plain(self.value(f"let.{name}", expression))
            failing = None
            for number, expression in enumerate(template.constraints, start=1):
                held = self.value(f"constraints[{number}]", expression)
                if np.size(held) != 1:
                    self.fail(f"constraints[{number}]", "must be one true/false", expression)
                    raise _Failed
                if not bool(np.asarray(held).item()):
                    failing = (number, expression)
                    break
            if failing is None:
                return
        number, expression = failing
        self.fail(
            f"constraints[{number}]",
            f"still false after {template.tries} draws; widen the draws or relax it",
            expression,
        )
        raise _Failed

    def answer(self, where: str, expression: str, count: int | None) -> object:
        value = self.value(where, expression)
        kind = self.template.kind
        array = np.asarray(value, dtype=float) if _numeric(value) else None
        if array is None:
            self.fail(where, f"must evaluate to numbers, not {value!r}", expression)
            raise _Failed
        if kind == "vector":
            if array.ndim != 1 or not array.size or not np.all(np.isfinite(array)):
                self.fail(where, "a vector answer must be a finite 1-D vector", expression)
                raise _Failed
            return tuple(float(x) for x in array)
        if array.ndim != 0 or not math.isfinite(array.item()):
            self.fail(where, "must be one finite number", expression)
            raise _Failed
        number = float(array.item())
        if kind == "number":
            return number
        upper = len(self.template.options) if kind == "choice" else count
        if not (number.is_integer() and 1 <= number <= (upper or 0)):
            self.fail(where, f"must be a whole number from 1 to {upper}, not {number}", expression)
            raise _Failed
        return OPTION_KEYS[int(number) - 1] if kind == "choice" else int(number)

    def positions(self) -> int | None:
        if self.template.kind != "index":
            return None
        count = self.value("positions", self.template.positions)
        if not (_numeric(count) and np.size(count) == 1 and float(count).is_integer()):
            self.fail("positions", "must be a whole number", self.template.positions)
            raise _Failed
        if not 1 <= int(count) <= answers.MAX_INDEX:
            self.fail("positions", "must be at least 1", self.template.positions)
            raise _Failed
        return int(count)

    def exercise(self) -> Exercise | None:
        template = self.template
        try:
            self.draw()
        except _Failed:
            return None
        texts = {name: self.text(name, value) for name, value in template.texts.items()}
        steps = tuple(
            Step(
                title=self.text(f"steps[{n}].title", step["title"]),
                formula=self.text(f"steps[{n}].formula", step["formula"]),
                explanation=self.text(f"steps[{n}].explanation", step["explanation"]),
            )
            for n, step in enumerate(template.steps, start=1)
        )
        hints = tuple(self.text(f"hints[{n}]", h) for n, h in enumerate(template.hints, 1))
        options = tuple(
            (OPTION_KEYS[n - 1], self.text(f"options[{n}]", text))
            for n, text in enumerate(template.options, start=1)
        )
        try:
            count = self.positions()
            answer = self.answer("answer", template.answer, count)
        except _Failed:
            return None
        exercise = Exercise(
            key=template.key,
            seed=self.seed,
            statement=texts["statement"],
            steps=steps,
            hints=hints,
            solution=texts["solution"],
            insight=texts["insight"],
            answer=answer,
            kind=template.kind,
            tolerance=template.tolerance,
            options=options,
            positions=count,
            inputs={d.name: _json_number(self.names[d.name]) for d in template.draws},
            answer_format=texts["answer_format"],
        )
        self.check_gradable(exercise)
        mistakes = []
        for n, mistake in enumerate(template.mistakes, start=1):
            where = f"mistakes[{n}].answer"
            try:
                wrong = self.answer(where, mistake["answer"], count)
            except _Failed:
                continue
            message = self.text(f"mistakes[{n}].message", mistake["message"])
            if self.graded_right(exercise, wrong):
                self.fail(
                    where,
                    "gives the right answer within the tolerance; a mistake must differ",
                    mistake["answer"],
                )
            mistakes.append(Mistake(wrong, message))
        return _replace_mistakes(exercise, tuple(mistakes))

    def check_gradable(self, exercise: Exercise) -> None:
        try:
            right = self.graded_right(exercise, exercise.answer)
        except (ValueError, answers.AnswerError) as error:
            self.fail("answer", f"cannot be graded: {error}", self.template.answer)
            return
        if not right:
            self.fail("answer", "typed as shown, it is not graded right", self.template.answer)

    @staticmethod
    def graded_right(exercise: Exercise, value: object) -> bool:
        return exercise.grade(answers.format_answer(exercise.kind, value, digits=12)).correct


def _replace_mistakes(exercise: Exercise, mistakes: tuple[Mistake, ...]) -> Exercise:
    return replace(exercise, mistakes=mistakes)


def _numeric(value: object) -> bool:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return array.dtype.kind in "biuf"


def _plain(value: object) -> object:
    """A derived value as the formula language keeps it: lists become float arrays."""
    return np.asarray(value, dtype=float) if isinstance(value, list) else value


def _json_number(value: object) -> Any:
    """A drawn value as plain JSON data: int, float or a list of floats."""
    if isinstance(value, np.ndarray):
        return [float(x) for x in value.ravel()] if value.ndim else float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- Validation ----------------------------------------------------------------------------


def validate_template(spec: Mapping, seeds: int = VALIDATION_SEEDS) -> list[TemplateError]:
    """Every problem with a template over seeds 1..`seeds`, the first failing seed of each.

    Checked: the shape (`parse`); for every seed, the draw satisfies the constraints within
    the tries, every expression evaluates, the answer is finite and graded right as its kind,
    every mistake differs from the answer beyond the tolerance, and no `{{` is left.
    """
    try:
        text = json.dumps(spec, allow_nan=False)  # key order matters: draws and lets run in it
    except (TypeError, ValueError):
        return _validate(spec, seeds)
    return list(_validate_text(text, seeds))


@lru_cache(maxsize=1024)
def _validate_text(text: str, seeds: int) -> tuple[TemplateError, ...]:
    """Validation is a pure function of the spec: a template loaded again is not rebuilt."""
    return tuple(_validate(json.loads(text), seeds))


def _validate(spec: Mapping, seeds: int) -> list[TemplateError]:
    errors: list[TemplateError] = []
    template = _parse(spec, errors)
    if template is None:
        return errors
    seen: set[tuple[str, str]] = set()
    for seed in range(1, seeds + 1):
        found: list[TemplateError] = []
        _Builder(template, seed, errors=found).exercise()
        for error in found:
            if (error.field, error.expression) not in seen:
                seen.add((error.field, error.expression))
                errors.append(error)
    return errors


def build(spec: Mapping, seed: int) -> Exercise:
    """Parse and build in one call (TemplateInvalid if either fails)."""
    return parse(spec).build(seed)
