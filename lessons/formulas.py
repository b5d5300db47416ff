"""Numbers in lesson text, computed by the engine when the lesson is shown.

PURE: no Django. An author writes ``{{ softmax([2, 1, 0.1]) | 3 }}`` instead of copying
"(0.659, 0.242, 0.099)" from somewhere; the expression is evaluated by a tiny, safe
interpreter (literals, arithmetic, indexing and a fixed list of functions, nothing else) and
formatted with the spec after the bar:

    | 3      three decimals            | 3s   three significant digits
    | %1     a percentage, 1 decimal   | e2   scientific, 2 decimals: 3.40 × 10³⁸
    | g      exactly as drawn: 0.25    (none)   four significant digits
    | +3     an operand: "+ 0.250" or "- 0.250", never "+ -0.250" (with any spec after +)
    | (3     a factor: a negative number in parentheses, "(-0.250)"

Vectors print as ``(0.659, 0.242, 0.099)``; whole numbers print without a decimal point.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np

from lessons import engine, formula_helpers

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
DIRECTIVE = re.compile(r"\{\{(?P<expression>.+?)\}\}", re.S)
MAX_EXPRESSION = 300
MAX_ARRAY = 10_000  # entries in any value an expression builds


class FormulaError(ValueError):
    """A directive that cannot be evaluated; the message says which and why."""


FUNCTIONS: dict[str, Callable] = {
    # The softmax engine.
    "softmax": engine.softmax,
    "log_softmax": engine.log_softmax,
    "logsumexp": engine.logsumexp,
    "cross_entropy": engine.cross_entropy,
    "cross_entropy_grad": engine.cross_entropy_grad,
    "masked_softmax": engine.masked_softmax,
    "attention_weights": engine.attention_weights,
    "attention_scores": engine.attention_scores,
    "entropy": engine.entropy,
    "entropy_from_logits": engine.entropy_from_logits,
    "sigmoid": engine.sigmoid,
    "argmax": engine.argmax,
    "top_p_mask": engine.top_p_mask,
    # The softmax family across ML (issue 11).
    "kl_divergence": engine.kl_divergence,
    "js_divergence": engine.js_divergence,
    "perplexity": engine.perplexity,
    "top_k_probs": engine.top_k_probs,
    "top_p_probs": engine.top_p_probs,
    "smooth_labels": engine.smooth_labels,
    "label_smoothed_ce": engine.label_smoothed_ce,
    "gumbel_max": engine.gumbel_max,
    "gumbel_softmax": engine.gumbel_softmax,
    "sparsemax": engine.sparsemax,
    "focal_loss": engine.focal_loss,
    "info_nce": engine.info_nce,
    "logit_adjust": engine.logit_adjust,
    "one_hot": engine.one_hot,
    # Plain mathematics.
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "arccos": np.arccos,
    "degrees": np.degrees,
    "abs": np.abs,
    "sum": np.sum,
    "max": np.max,
    "min": np.min,
    "mean": np.mean,
    "array": np.asarray,
    "float32": np.float32,
    "log2": formula_helpers.log2,
    "log10": formula_helpers.log10,
    "dot": formula_helpers.dot,
    "norm": formula_helpers.norm,
    "sort": formula_helpers.sort,
    "argsort": formula_helpers.argsort,
    "cumsum": formula_helpers.cumsum,
    "round": formula_helpers.round_to,
    "clip": formula_helpers.clip,
    # Constraint helpers: keep degenerate draws out of an exercise.
    "distinct": formula_helpers.distinct,
    "unique_max": formula_helpers.unique_max,
    "min_gap": formula_helpers.min_gap,
}
CONSTANTS = {"e": math.e, "pi": math.pi, "inf": math.inf}
BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def evaluate(expression: str, names: Mapping[str, object] | None = None) -> object:
    """Evaluate one expression safely; FormulaError for anything outside the language.

    `names` are the values an exercise template drew or derived (numbers, vectors); they are
    read-only and shadow the constants. Comparisons, `and`/`or`/`not` and `len` serve a
    template's constraints. Arrays are bounded to MAX_ARRAY entries, so no expression can
    build something large.
    """
    tree = _parsed(expression)
    try:
        with np.errstate(all="ignore"):
            return _eval(tree.body, names or {})
    except FormulaError:
        raise
    except (ArithmeticError, ValueError, TypeError, IndexError, MemoryError) as error:
        raise FormulaError(f"{expression.strip()!r} failed: {error}") from error


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> ast.Expression:
    """The syntax tree of an expression, parsed once (templates evaluate it for every seed)."""
    if len(expression) > MAX_EXPRESSION:
        raise FormulaError(f"expression longer than {MAX_EXPRESSION} characters")
    try:
        return ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"cannot read {expression.strip()!r}: {error.msg}") from error


def _eval(node: ast.AST, names: Mapping[str, object]) -> object:
    return _bounded(_eval_node(node, names), node)


def _eval_node(node: ast.AST, names: Mapping[str, object]) -> object:
    match node:
        case ast.Constant(value=value) if isinstance(value, int | float):  # bools included
            return value
        case ast.Name(id=name) if name in names:
            return names[name]
        case ast.Name(id=name) if name in CONSTANTS:
            return CONSTANTS[name]
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [_eval(item, names) for item in items]
        case ast.BinOp(left=left, op=op, right=right) if type(op) in BINARY:
            return BINARY[type(op)](_operand(_eval(left, names)), _operand(_eval(right, names)))
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _truth(_eval(operand, names))
        case ast.UnaryOp(op=op, operand=operand) if type(op) in UNARY:
            return UNARY[type(op)](_operand(_eval(operand, names)))
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_truth(_eval(value, names)) for value in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_truth(_eval(value, names)) for value in values)
        case ast.Compare(left=left, ops=ops, comparators=rights) if all(
            type(op) in COMPARE for op in ops
        ):
            return _compare(_eval(left, names), ops, [_eval(r, names) for r in rights])
        case ast.Subscript(value=value, slice=index):
            return _as_array(_eval(value, names))[_index(index, names)]
        case ast.Call(func=ast.Name(id="len"), args=[arg], keywords=[]):
            return len(np.atleast_1d(_as_array(_eval(arg, names))))
        case ast.Call(func=ast.Name(id=name), args=args, keywords=keywords) if name in FUNCTIONS:
            kwargs = {kw.arg: _eval(kw.value, names) for kw in keywords if kw.arg}
            return FUNCTIONS[name](*(_as_array(_eval(arg, names)) for arg in args), **kwargs)
    raise FormulaError(f"not allowed in a formula: {ast.unparse(node)!r}")


def _bounded(value: object, node: ast.AST) -> object:
    """Refuse any value with more than MAX_ARRAY entries, naming the part that built it."""
    if np.size(value) > MAX_ARRAY:
        raise FormulaError(f"{ast.unparse(node)!r} has more than {MAX_ARRAY} entries")
    return value


def _truth(value: object) -> bool:
    """A condition's truth; an array with several entries is refused rather than guessed."""
    array = np.asarray(value)
    if array.size != 1:
        raise FormulaError("a condition must be one true/false value, not a vector")
    return bool(array.item())


def _compare(left: object, ops: list[ast.cmpop], rights: list[object]) -> object:
    """Chained comparisons as Python reads them: `0 < x <= 1` is `0 < x and x <= 1`."""
    result: object = True
    for op, right in zip(ops, rights, strict=True):
        step = COMPARE[type(op)](_operand(left), _operand(right))
        result = step if result is True else np.logical_and(result, step)
        left = right
    return result.item() if isinstance(result, np.ndarray) and result.ndim == 0 else result


def _index(node: ast.AST, names: Mapping[str, object]) -> object:
    if isinstance(node, ast.Slice):
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if part is None else int(_eval(part, names)) for part in parts))
    if isinstance(node, ast.Tuple):
        return tuple(_index(item, names) for item in node.elts)
    return int(_eval(node, names))


def _as_array(value: object) -> object:
    return np.asarray(value, dtype=float) if isinstance(value, list) else value


def _operand(value: object) -> object:
    """Arithmetic runs on floats, so `9 ** 9 ** 9` overflows at once instead of building
    a giant integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return _as_array(value)


def format_value(value: object, spec: str = "") -> str:
    """Format a number or vector for prose: see the module docstring for specs."""
    array = np.asarray(value)
    if array.ndim > 1:
        return "(" + ", ".join(format_value(row, spec) for row in array) + ")"
    if array.ndim == 1:
        return "(" + ", ".join(format_value(item, spec) for item in array) + ")"
    number = array.item()
    if isinstance(number, bool):
        return str(number)
    if isinstance(number, int) and not spec.strip().startswith(("+", "(")):
        return str(number)
    if not math.isfinite(number):
        return {math.inf: "∞", -math.inf: "−∞"}.get(number, "NaN")
    return _format_number(number, spec.strip())


def _format_number(number: float, spec: str) -> str:
    if spec.startswith("+"):  # written after something: "x - 3", not "x + -3"
        return ("- " if number < 0 else "+ ") + _format_number(abs(number), spec[1:].strip())
    if spec.startswith("("):  # a factor in a product: "2 \cdot (-3)"
        text = _format_number(number, spec[1:].strip())
        return f"({text})" if text.startswith("-") else text
    if spec == "g":
        return f"{number:.10g}"
    if spec.startswith("%"):
        return f"{number * 100:.{int(spec[1:] or 0)}f}%"
    if spec.startswith("e"):
        mantissa, exponent = f"{number:.{int(spec[1:] or 2)}e}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    if spec.endswith("s"):
        return _significant(number, int(spec[:-1] or 4))
    if spec.isdigit():
        text = f"{number:.{int(spec)}f}"
        return "0" if float(text) == 0 and int(spec) == 0 else text
    if spec:
        raise FormulaError(f"unknown format {spec!r}: use 3, 3s, %1, e2, g, +3 or (3")
    return _significant(number, 4)


def _significant(number: float, digits: int) -> str:
    if number == 0:
        return "0"
    if number == round(number) and abs(number) < 1e15:
        return str(int(number))
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(number))))
    return f"{number:.{decimals}f}"


def render_directive(text: str, names: Mapping[str, object] | None = None) -> str:
    """Evaluate and format one directive's inner text, e.g. 'softmax([1, 2]) | 3'."""
    expression, _, spec = text.rpartition("|") if "|" in text else (text, "", "")
    return format_value(evaluate(expression, names), spec)


def fill_names(text: str, names: Mapping[str, object]) -> str:
    """Replace every {{ ... }} directive, evaluated over an exercise's drawn `names`."""
    return DIRECTIVE.sub(lambda match: render_directive(match["expression"], names), text)


@lru_cache(maxsize=512)
def fill_numbers(text: str) -> str:
    """Replace every {{ ... }} directive in a text with its computed, formatted value."""
    return DIRECTIVE.sub(lambda match: render_directive(match["expression"]), text)


def directives(text: str) -> list[str]:
    """The inner text of every directive, for validation and tests."""
    return [match["expression"] for match in DIRECTIVE.finditer(text)]
