"""Matplotlib figures of softmax as SVG: a spec in, deterministic SVG text out.

PURE: no Django. A `FigureSpec` names a kind of figure and its numbers; `parse_request` builds
one from a query string (rejecting anything odd with a `FigureError` the view shows as a 400),
`specs_for_example` builds the ones a worked example illustrates, and `render` draws one. Every
number comes from `lessons.engine`. Rendering is stateless; the view caches the SVG under
`spec.cache_key()`.

Matplotlib keeps its settings in one process-wide dict, so renders run one at a time under a
lock with the house style applied only for their duration; pyplot is never imported. A render
waits for the lock at most RENDER_WAIT seconds, then raises FigureBusy (the view answers 503
with Retry-After), so a queue of renders never holds a worker's threads for long.

Matplotlib is imported by the first render, never at start-up: it costs a third of a second
and most processes (every page but a figure's) never draw (tests/lessons/test_lazy_matplotlib.py).
"""

from __future__ import annotations

import hashlib
import io
import math
import numbers
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import numpy as np

from lessons import engine

if TYPE_CHECKING:  # names for annotations only; matplotlib itself is imported by render()
    from matplotlib.axes import Axes
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.transforms import Transform

# Bump when a drawing changes, so cached SVGs of the old drawing are no longer found.
VERSION = 1

MIN_LOGITS, MAX_LOGITS = 2, 12
MAX_ABS_LOGIT = 1e4
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 20.0
MAX_QUERY_CHARS = 512  # keys and values together; twelve long numbers fit easily
TEMPERATURES = (0.5, 1.0, 2.0, 5.0)  # the series of the "temperature" figure

WIDTH_PX, HEIGHT_PX = 480, 300
KEY_FONT_SIZE = 9
# Okabe–Ito colours (safe for the common colour-vision deficiencies), cool to warm.
BLUE, SKY, GREEN, ORANGE, VERMILLION = "#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00"
INK, GRID = "#222222", "#d9d9d9"
SERIES = ((BLUE, ""), (SKY, "//"), (GREEN, "\\\\"), (ORANGE, "xx"), (VERMILLION, "--"))

STYLE = {
    "svg.fonttype": "none",  # text stays text: smaller files, selectable, scales crisply
    "svg.hashsalt": "techtree-figures",  # fixed ids, so the same spec gives the same bytes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # the metrics the layout is computed with
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": True,  # set here, not by ax.grid(), which restyles every existing tick
    "axes.grid.axis": "y",
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "text.color": INK,
    "hatch.linewidth": 0.6,
}
_RENDER_LOCK = threading.Lock()
# A render takes tens of milliseconds; a request that cannot start one within this is refused.
RENDER_WAIT = 5.0
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = {"nan", "inf", "infinity"}


class FigureError(ValueError):
    """A figure request that cannot be drawn; the message is shown to the client."""


class FigureBusy(RuntimeError):
    """Other renders held the drawing lock for RENDER_WAIT seconds; try again shortly."""


@dataclass(frozen=True)
class FigureSpec:
    """What to draw: a kind of figure, its logits and the softmax temperature."""

    kind: str
    logits: tuple[float, ...]
    temperature: float = 1.0

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        object.__setattr__(self, "logits", _checked_logits(self.logits))
        object.__setattr__(self, "temperature", _checked_temperature(self.temperature))

    def cache_key(self) -> str:
        """A short key for any cache backend; changes with the numbers and with VERSION."""
        canonical = f"{self.kind}|{_join(self.logits)}|{_canonical(self.temperature)}"
        return f"fig:v{VERSION}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"

    @property
    def url(self) -> str:
        """The figure's address, e.g. /figures/probabilities.svg?logits=2,1,0.5&t=1."""
        query = urlencode(
            {"logits": _join(self.logits), "t": _canonical(self.temperature)}, safe=","
        )
        return f"/figures/{self.kind}.svg?{query}"

    @property
    def alt(self) -> str:
        """A text alternative that states what the figure shows, numbers included."""
        return KINDS[self.kind].describe(self)

    @property
    def caption(self) -> str:
        """A short visible caption."""
        return KINDS[self.kind].caption(self)


@dataclass(frozen=True)
class RenderedFigure:
    """A drawn figure: the SVG document and its text alternative."""

    svg: str
    alt: str


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure: how to describe it in words and how to draw it."""

    describe: Callable[[FigureSpec], str]
    caption: Callable[[FigureSpec], str]
    draw: Callable[[Figure, FigureSpec], None]


# --- validation ------------------------------------------------------------------------------


def _check_kind(kind: object) -> None:
    if not isinstance(kind, str) or kind not in KINDS:
        shown = kind[:40] if isinstance(kind, str) else type(kind).__name__
        raise FigureError(
            f"Unknown figure kind {shown!r}; choose one of {', '.join(sorted(KINDS))}."
        )


def _checked_logits(values: object) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise FigureError("The logits must be a list of numbers.")
    if not MIN_LOGITS <= len(values) <= MAX_LOGITS:
        raise FigureError(f"Give between {MIN_LOGITS} and {MAX_LOGITS} logits; got {len(values)}.")
    checked = []
    for position, value in enumerate(values, start=1):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise FigureError(f"Logit {position} is not a number.")
        number = float(value)
        if not math.isfinite(number):
            raise FigureError(f"Logit {position} is not a finite number.")
        if abs(number) > MAX_ABS_LOGIT:
            raise FigureError(
                f"Each logit must lie between {-MAX_ABS_LOGIT:g} and {MAX_ABS_LOGIT:g}; "
                f"logit {position} is {_canonical(number)}."
            )
        checked.append(number + 0.0)  # + 0.0 turns -0.0 into 0.0: one spelling per value
    return tuple(checked)


def _checked_temperature(value: object) -> float:
    rule = f"The temperature t must be a number from {MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise FigureError(f"{rule}.")
    number = float(value)
    if not (math.isfinite(number) and MIN_TEMPERATURE <= number <= MAX_TEMPERATURE):
        raise FigureError(f"{rule}; got {_canonical(number)}.")
    return number


def _parse_number(text: str, what: str) -> float:
    token = text.strip()
    if _NUMBER.fullmatch(token):
        return float(token)
    shown = token[:20] + ("…" if len(token) > 20 else "")
    if token.lower().lstrip("+-") in _NOT_FINITE:
        raise FigureError(f"{what} ({shown!r}) is not a finite number.")
    raise FigureError(f"{what} ({shown!r}) is not a number.")


def parse_request(kind: str, params: Mapping[str, str]) -> FigureSpec:
    """The spec asked for by a figure URL: ?logits=2,1,0.5&t=0.5 (t is optional, default 1)."""
    _check_kind(kind)
    try:
        length = sum(len(key) + len(value) for key, value in params.items())
    except TypeError:
        raise FigureError("The query parameters must be text.") from None
    if length > MAX_QUERY_CHARS:
        raise FigureError(f"The query string is too long (at most {MAX_QUERY_CHARS} characters).")
    raw_logits = params.get("logits")
    if not raw_logits or not raw_logits.strip():
        raise FigureError("Give the logits as comma-separated numbers, e.g. ?logits=2,1,0.5.")
    parts = raw_logits.split(",")
    if len(parts) > MAX_LOGITS:
        raise FigureError(f"Give between {MIN_LOGITS} and {MAX_LOGITS} logits; got {len(parts)}.")
    logits = tuple(
        _parse_number(part, f"Logit {position}") for position, part in enumerate(parts, start=1)
    )
    raw_temperature = params.get("t")
    temperature = 1.0 if raw_temperature is None else _parse_number(raw_temperature, "t")
    return FigureSpec(kind=kind, logits=logits, temperature=temperature)


def specs_for_example(example: object) -> list[FigureSpec]:
    """The figures that illustrate a worked example: none unless it has a usable logit vector."""
    try:
        inputs = example.inputs
        logits = inputs.get("logits")
        if not isinstance(logits, list | tuple) or not all(
            isinstance(value, numbers.Real) for value in logits
        ):
            return []  # missing, or not one-dimensional
        key = str(example.key)
        temperature = inputs.get("temperature", 1.0)
        specs = [FigureSpec("probabilities", tuple(logits), temperature)]
        if "temperature" in key:
            specs.append(FigureSpec("temperature", tuple(logits), temperature))
        if key == "softmax_probabilities":
            specs.append(FigureSpec("amplification", tuple(logits), temperature))
        return specs
    except (AttributeError, TypeError, FigureError):  # odd inputs: the page shows no figure
        return []


# --- formatting ------------------------------------------------------------------------------


def _canonical(value: float) -> str:
    """The shortest text that reads back as the same float, without a trailing ".0"."""
    text = repr(float(value) + 0.0)
    return text[:-2] if text.endswith(".0") else text


def _join(values: tuple[float, ...]) -> str:
    return ",".join(_canonical(value) for value in values)


def _short(value: float, digits: int = 3) -> str:
    """A number for people: about `digits` significant figures; exponents only when tiny."""
    if value == round(value) and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:.0f}"
    if abs(value) < 10 ** -(digits - 1):
        return f"{value:.{digits - 1}g}"  # tiny logits: rare, exponent notation is fine
    return f"{value:.{digits}g}"


def _probability(value: float) -> str:
    """A probability to two decimals; below 0.005 it says so rather than showing 0.00."""
    return "<0.01" if 0 < value < 0.005 else f"{value:.2f}"


def _minus(text: str) -> str:
    """Typeset minus signs in figures, as matplotlib does on its own tick labels."""
    return text.replace("-", "\u2212")


def _tuple(values: tuple[float, ...] | np.ndarray) -> str:
    return "(" + ", ".join(_short(value, 4) for value in values) + ")"


def _list(values: np.ndarray) -> str:
    return ", ".join(_probability(float(value)) for value in values)


def _temperatures(spec: FigureSpec) -> tuple[float, ...]:
    """The standard temperatures plus the spec's own, which replaces one that looks the same."""
    others = [t for t in TEMPERATURES if _short(t) != _short(spec.temperature)]
    return tuple(sorted([*others, spec.temperature]))


def _at(temperature: float) -> str:
    return f"T = {_short(temperature, 3)}"


# --- the numbers, all from the engine --------------------------------------------------------


def _probabilities(spec: FigureSpec, temperature: float | None = None) -> np.ndarray:
    t = spec.temperature if temperature is None else temperature
    return np.asarray(engine.softmax(np.array(spec.logits), temperature=t), dtype=float)


def _amplified(spec: FigureSpec) -> tuple[np.ndarray, np.ndarray, float]:
    """(z / T, exp(z / T − max), their sum S), read off the engine's probabilities.

    p_i = exp(z_i/T − m) / S and the largest p is 1 / S, so exp(z_i/T − m) = p_i / max p:
    no second exponential beside the engine's.
    """
    probabilities = _probabilities(spec)
    scaled = np.array(spec.logits) / spec.temperature
    return scaled, probabilities / probabilities.max(), float(1.0 / probabilities.max())


# --- the kinds -------------------------------------------------------------------------------


def _describe_probabilities(spec: FigureSpec) -> str:
    where = "" if spec.temperature == 1 else f" at temperature {_short(spec.temperature, 3)}"
    return (
        f"Bar chart of softmax probabilities for logits {_tuple(spec.logits)}{where}: "
        f"{_list(_probabilities(spec))}."
    )


def _describe_temperature(spec: FigureSpec) -> str:
    temperatures = _temperatures(spec)
    series = "; ".join(f"{_at(t)}: {_list(_probabilities(spec, t))}" for t in temperatures)
    return (
        f"Grouped bar chart of softmax probabilities for logits {_tuple(spec.logits)} at "
        f"temperatures {', '.join(_short(t, 3) for t in temperatures)}. {series}. "
        "Lower temperatures sharpen the distribution; higher ones flatten it."
    )


def _describe_amplification(spec: FigureSpec) -> str:
    scaled, amplified, total = _amplified(spec)
    if spec.temperature == 1:
        first = "Left, the logits"
    else:
        first = f"Left, the logits divided by T = {_short(spec.temperature)}: {_tuple(scaled)}"
    return (
        f"Bar charts of how softmax treats logits {_tuple(spec.logits)}. {first}. "
        f"Right, exp of each minus the largest: {_list(amplified)}; "
        f"beside them, those divided by their sum {_short(total, 4)}, "
        f"which are the softmax probabilities: {_list(amplified / total)}."
    )


# Drawing time goes mostly to Axes, tick objects and text layout (about a millisecond per text
# on a slow machine), so the layout is fixed: class names are plain text, not ticks; bars are
# one collection per series; titles and axis labels are placed, not measured.


def _above(ax: Axes, points: float) -> Transform:
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transData, fig=ax.figure, y=points, units="points")


def _class_axis(ax: Axes, labels: list[str], name: str) -> np.ndarray:
    """Classes along x, a text label under each (an empty label is skipped), and the axis name."""
    from matplotlib.transforms import offset_copy

    x = np.arange(len(labels))
    ax.set_xticks([])
    ax.set_xlim(-0.6, len(labels) - 0.4)
    below = offset_copy(ax.get_xaxis_transform(), fig=ax.figure, y=-3, units="points")
    size = 9 if len(labels) <= 8 else 8
    for position, label in zip(x, labels, strict=True):
        if not label:
            continue
        ax.text(position, 0, _minus(label), transform=below, ha="center", va="top", fontsize=size)
    ax.set_xlabel(name)
    ax.xaxis.set_label_coords(0.5, -0.1)
    return x


def _probability_axis(ax: Axes, top: float = 1.12) -> None:
    ax.set_ylim(0, top)
    ax.set_yticks([0, 0.5, 1.0], ["0", "0.5", "1"])
    ax.set_ylabel("probability p\u1d62")
    ax.yaxis.set_label_coords(-0.07, 0.5)


def _bars(
    ax: Axes, x: np.ndarray, heights: np.ndarray, width: float, colour: str, hatch: str
) -> PolyCollection:
    """Bars as one collection: a fraction of the cost of one Rectangle artist per bar."""
    from matplotlib.collections import PolyCollection

    left, right, base = x - width / 2, x + width / 2, np.zeros_like(heights)
    corners = [(left, base), (left, heights), (right, heights), (right, base)]
    outlines = np.stack([np.column_stack(corner) for corner in corners], axis=1)
    bars = PolyCollection(
        outlines,
        facecolors=colour,
        edgecolors=INK,
        linewidths=0.5,
        hatch=hatch or None,
    )
    ax.add_collection(bars, autolim=False)
    return bars


def _key(ax: Axes, entries: list[tuple[str, str, str]]) -> None:
    """A one-row legend just above the axes: (label, colour, hatch) swatches and their text.

    Drawn as plain patches and text at measured offsets; matplotlib's Legend lays itself out
    through several nested boxes and costs more than a whole extra bar series.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Rectangle
    from matplotlib.textpath import text_to_path
    from matplotlib.transforms import offset_copy

    box = ax.get_position()
    width_pt, height_pt = box.width * WIDTH_PX, box.height * HEIGHT_PX  # 1 px = 1 pt here
    font = FontProperties(size=KEY_FONT_SIZE)
    x = 0.0
    for label, colour, hatch in entries:
        where = offset_copy(ax.transAxes, fig=ax.figure, x=x, y=5, units="points")
        swatch = Rectangle(
            (0, 1),
            14 / width_pt,
            8 / height_pt,
            transform=where,
            facecolor=colour,
            edgecolor=INK,
            linewidth=0.5,
            hatch=hatch or None,
            clip_on=False,
        )
        ax.add_artist(swatch)
        ax.text(
            0,
            1,
            label,
            transform=offset_copy(where, fig=ax.figure, x=18, units="points"),
            va="bottom",
            fontsize=KEY_FONT_SIZE,
            clip_on=False,
        )
        width, _, _ = text_to_path.get_text_width_height_descent(label, font, ismath=False)
        x += 18 + width + 12


def _value_labels(ax: Axes, x: np.ndarray, heights: np.ndarray, texts: list[str]) -> None:
    """Each bar's value written just above it (just below it, for a negative bar)."""
    rotate = len(texts) > 6
    up, down = _above(ax, 2), _above(ax, -2)
    for position, height, text in zip(x, heights, texts, strict=True):
        negative = height < 0
        ax.text(
            position,
            float(height),
            _minus(text),
            transform=down if negative else up,
            ha="center",
            va="top" if negative else "bottom",
            fontsize=8 if rotate else 9,
            rotation=90 if rotate else 0,
        )


def _draw_probabilities(fig: Figure, spec: FigureSpec) -> None:
    fig.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=0.15)
    ax = fig.add_subplot()
    probabilities = _probabilities(spec)
    x = _class_axis(ax, [_short(z) for z in spec.logits], "logit z\u1d62 of each class")
    _bars(ax, x, probabilities, 0.7, BLUE, "")
    _value_labels(ax, x, probabilities, [_probability(p) for p in probabilities])
    _probability_axis(ax)
    ax.set_title(f"Softmax probabilities, {_at(spec.temperature)}", loc="left", y=1.0)


def _draw_temperature(fig: Figure, spec: FigureSpec) -> None:
    fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.15)
    ax = fig.add_subplot()
    temperatures = _temperatures(spec)
    x = _class_axis(ax, [_short(z) for z in spec.logits], "logit z\u1d62 of each class")
    width = 0.84 / len(temperatures)
    key = []
    for j, (t, (colour, hatch)) in enumerate(zip(temperatures, SERIES, strict=False)):
        offset = (j - (len(temperatures) - 1) / 2) * width
        mark = " (this example)" if t == spec.temperature and t != 1 else ""
        _bars(ax, x + offset, _probabilities(spec, t), width, colour, hatch)
        key.append((_at(t) + mark, colour, hatch))
    _probability_axis(ax, top=1.0)
    ax.set_title("Softmax probabilities at several temperatures T", loc="left", y=1.0, pad=22)
    _key(ax, key)


def _draw_amplification(fig: Figure, spec: FigureSpec) -> None:
    from matplotlib.ticker import MaxNLocator

    fig.subplots_adjust(left=0.1, right=0.98, top=0.76, bottom=0.14, wspace=0.22)
    scaled, amplified, total = _amplified(spec)
    probabilities = amplified / total
    n = len(spec.logits)
    step = 1 if n <= 6 else 2  # every other class number once they crowd
    classes = [str(i) if (i - 1) % step == 0 else "" for i in range(1, n + 1)]
    labelled = n <= 6  # beyond that the labels crowd out the bars; the alt text has them all
    left, right = fig.subplots(1, 2, width_ratios=(1, 2))

    x = _class_axis(left, classes, "class")
    _bars(left, x, scaled, 0.7, ORANGE, "")
    if labelled:
        _value_labels(left, x, scaled, [_short(v) for v in scaled])
    low, high = min(0.0, float(scaled.min())), max(0.0, float(scaled.max()))
    span = (high - low) or 1.0
    left.set_ylim(low - (0.2 * span if low < 0 else 0), high + 0.2 * span)
    left.yaxis.set_major_locator(MaxNLocator(nbins=3))
    left.axhline(0, color=INK, linewidth=0.6)
    z = "z" if spec.temperature == 1 else "z/T"
    first = "logits z" if spec.temperature == 1 else "logits z / T"
    left.set_title(f"1. {first}", loc="left", y=1.0, fontsize=10)
    left.set_ylabel("logit" if spec.temperature == 1 else "logit / T")
    left.yaxis.set_label_coords(-0.2, 0.5)

    x = _class_axis(right, classes, "class")
    width = 0.38
    _bars(right, x - width / 2, amplified, width, SKY, "//")
    _bars(right, x + width / 2, probabilities, width, BLUE, "")
    if labelled:
        _value_labels(right, x - width / 2, amplified, list(map(_probability, amplified)))
        _value_labels(right, x + width / 2, probabilities, list(map(_probability, probabilities)))
    _probability_axis(right)
    right.set_ylabel("")
    _key(
        right,
        [
            (f"2. exp({z} \u2212 max)", SKY, "//"),
            (f"3. \u00f7 {_short(total)} = p", BLUE, ""),
        ],
    )
    fig.suptitle(
        "Exponentiating turns gaps between logits into ratios",
        x=0.02,
        y=0.97,
        ha="left",
        fontsize=11,
    )


KINDS: dict[str, FigureKind] = {
    "probabilities": FigureKind(
        describe=_describe_probabilities,
        caption=lambda spec: f"Softmax of the logits at {_at(spec.temperature)}.",
        draw=_draw_probabilities,
    ),
    "temperature": FigureKind(
        describe=_describe_temperature,
        caption=lambda spec: (
            "The same logits at several temperatures: low T sharpens, high T flattens."
        ),
        draw=_draw_temperature,
    ),
    "amplification": FigureKind(
        describe=_describe_amplification,
        caption=lambda spec: (
            "Exponentiation stretches the gaps; dividing by the sum makes probabilities."
        ),
        draw=_draw_amplification,
    ),
}


# --- rendering -------------------------------------------------------------------------------

_SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def render(spec: FigureSpec, *, wait: float | None = None) -> RenderedFigure:
    """Draw the figure as a standalone SVG document with the alt text as its <title>.

    Raises FigureBusy when the drawing lock is not free within ``wait`` (by default
    RENDER_WAIT) seconds.
    """
    import matplotlib
    from matplotlib.figure import Figure

    wait = RENDER_WAIT if wait is None else wait
    alt = spec.alt
    buffer = io.StringIO()
    if not _RENDER_LOCK.acquire(timeout=wait):
        raise FigureBusy(f"Other figures are being drawn; none was free within {wait:g} s.")
    try:
        with matplotlib.rc_context(STYLE):
            fig = Figure(figsize=(WIDTH_PX / 72, HEIGHT_PX / 72))  # SVG units: points, 72/inch
            KINDS[spec.kind].draw(fig, spec)
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        _RENDER_LOCK.release()
    return RenderedFigure(svg=_with_title(buffer.getvalue(), alt), alt=alt)


def _with_title(svg: str, alt: str) -> str:
    """Size the root in pixels and make the alt text its <title> (its accessible name)."""
    root = _SVG_ROOT.search(svg)
    if root is None:  # pragma: no cover - matplotlib always writes one
        raise RuntimeError("matplotlib wrote no <svg> element")
    tag = re.sub(r'\b(width|height)="([0-9.]+)pt"', r'\1="\2"', root.group(0))
    tag = tag.replace("<svg ", '<svg role="img" ', 1)
    title = f"\n <title>{escape(alt)}</title>"
    return svg[: root.start()] + tag + title + svg[root.end() :]
