"""The softmax engine: probabilities, log-probabilities, losses, attention and decoding.

PURE: NumPy only, no Django. Every function that exponentiates subtracts the maximum along
the class axis first, so no finite input overflows. Functions that take a logarithm also keep
the maximum's own term (exactly 1 after the shift) out of the sum and add it back with
``log1p``: the tiny loss of a confident, correct prediction keeps all its digits instead of
rounding to 0. Accuracy is tested against 50-digit mpmath (tests/lessons/test_engine_*.py).

Conventions
-----------
- Inputs are array-likes. float32 stays float32 and float64 stays float64; float16 is
  computed and returned as float32; ints, bools, lists and other numbers become float64.
- ``axis`` (default -1) is the class axis. A reduction that leaves nothing behind returns a
  NumPy scalar, as NumPy's own reductions do.
- The work is done on rows with the class axis last (a transposed copy when it is not), in
  blocks of rows that fit in the CPU cache; each row's arithmetic is the same either way.
- cross_entropy targets are either integer class indices (the logits' shape without
  ``axis``) or soft targets: finite weights >= 0 with the logits' shape, used as given (not
  renormalised). The gradient is softmax(z) - onehot(y), or softmax(z) * sum(t) - t for soft
  targets (softmax(z) - t when t sums to 1); the target's entry p_y - 1 is computed as
  -(the other terms) / total, so it keeps its digits when p_y is close to 1.
- masked_softmax and attention masks are boolean (True = keep / may attend) or 0s and 1s,
  and broadcast against the scores; the result has the broadcast shape.
- entropy uses the probabilities as given (no check that they sum to 1), with 0 log 0 = 0.
- Decoding works on the last axis, in the usual order: temperature, then top-k, then top-p
  on what is left. top_p_mask keeps the fewest most likely tokens whose total is >= p (totals
  in float64): the top token always (so p = 0 is greedy), never a token of probability 0.
  sample draws one uniform number per row (inverse CDF) from a numpy Generator or an int
  seed, and returns an int for 1-D logits, an integer array of the batch shape otherwise.

Edge cases: one behaviour each
------------------------------
- NaN in the logits: ``ValueError("logits contain NaN")``. NaN propagates through the row
  maximum that every function computes anyway, so the check costs nothing extra.
- +inf in the logits: ``ValueError``. No probability follows from an infinite score (several
  +inf would tie in an undefined way); it usually means something overflowed upstream.
- -inf is a legitimate logit meaning "masked": probability exactly 0, log-probability -inf.
  A row of only -inf is a fully masked row: softmax gives zeros (not NaN), log_softmax -inf,
  logsumexp -inf, entropy 0, cross-entropy +inf with gradient -onehot; sample raises
  ``ValueError`` (nothing to draw); argmax and top_k rank its equal -inf by index.
- masked_softmax and attention: masked positions get exactly 0.0; a row with nothing left
  to attend to gets weights of exact zeros and an attention output of zeros (a padded
  query). Scores at masked positions are never read, so NaN or inf there is harmless.
- Temperature must be a finite number > 0, else ``ValueError`` (``TypeError`` if it is not
  a number); only ``sample`` accepts 0, meaning greedy decoding (argmax).
- Empty class axis (size 0): softmax, log_softmax and masked_softmax return an empty array,
  logsumexp returns -inf (the log of an empty sum), entropy 0; cross_entropy, argmax, top_k,
  top_p_mask and sample raise ``ValueError`` (there is no class to pick). Attention over no
  keys behaves like a fully masked row.
- Huge finite inputs (1e308 next to -1e308, float32 near its maximum) and extreme
  temperatures (1e-300, 1e300): no overflow and no warnings; a gap wider than the float
  range gives probability exactly 0 and log-probability -inf.
- Ties: argmax, top_k, top_p_mask and greedy sampling prefer the lower index.
- sigmoid(a - b) equals softmax([a, b])[0] to the last bit for finite a and b: both
  compute e = exp(-|a - b|) once and scale by 1 / (1 + e) the same way. sigmoid(+inf) = 1,
  sigmoid(-inf) = 0, sigmoid(NaN) raises ``ValueError``.
- naive_softmax does none of the above on purpose: it overflows like the textbook formula,
  silently, returning whatever IEEE arithmetic gives (inf / inf = NaN).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np
from numpy.lib.array_utils import normalize_axis_index
from numpy.typing import ArrayLike

# --- Inputs -----------------------------------------------------------------------------------


def _floats(values: ArrayLike, what: str = "logits") -> np.ndarray:
    """The input as a float array: float32/float64 kept, float16 -> float32, rest float64."""
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind == "f":
        return array.astype(np.float32) if array.dtype.itemsize < 4 else array
    if kind in "biu":
        return array.astype(np.float64)
    if kind == "c":
        raise TypeError(f"{what} must be real numbers, not complex")
    if kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{what} must be numbers") from error
    raise TypeError(f"{what} must be numbers, not {array.dtype}")


def _temperature(temperature: float) -> float:
    """A validated temperature: a finite real number > 0."""
    if type(temperature) is float and temperature == 1.0:
        return 1.0  # the default, checked without the slower isinstance test
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a number, got {temperature!r}")
    t = float(temperature)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"temperature must be a finite number greater than 0, got {t!r}")
    return t


def _class_axis(x: np.ndarray, axis: int, what: str | None = None) -> int:
    """The axis as an index >= 0 (AxisError, a ValueError, when out of range).

    With ``what``, an empty class axis is a ValueError: that function needs a class to pick.
    """
    index = normalize_axis_index(axis, x.ndim)
    if what is not None and x.shape[index] == 0:
        raise ValueError(f"{what} needs at least one class, but the class axis is empty")
    return index


def _check_max(m: np.ndarray, what: str) -> np.ndarray | None:
    """Reject NaN and +inf seen in the row maxima; return the all -inf rows (m set to 0 there).

    ``m`` must be a fresh array: rows that are entirely -inf get a maximum of 0 so that the
    shift gives -inf - 0 = -inf rather than -inf - (-inf) = NaN.
    """
    if m.size <= 8:  # a plain loop is cheaper than two NumPy calls for a few rows
        if all(map(math.isfinite, m.flat)):
            return None
    elif np.isfinite(m).all():
        return None
    if np.isnan(m).any():
        raise ValueError(f"{what} contain NaN")
    if (m == np.inf).any():
        raise ValueError(f"{what} contain +inf; probabilities need finite scores (or -inf)")
    dead = m == -np.inf
    m[dead] = 0
    return dead


def _scalar(result: np.ndarray) -> np.ndarray | np.floating:
    """A 0-d result as a NumPy scalar, anything else unchanged."""
    return result[()] if result.ndim == 0 else result


# --- Rows and blocks --------------------------------------------------------------------------
# The kernels work on a C-contiguous (rows, classes) array, one block of rows at a time, so
# that a block and its output stay in the CPU cache between the passes (maximum, shift, exp,
# sum, scale) instead of travelling through main memory five times. Blocks of about 1 MiB
# measured fastest on the shapes of bench/engine.py: smaller ones pay more Python overhead.
_BLOCK_BYTES = 1 << 20


def _rows(x: np.ndarray, axis: int) -> np.ndarray:
    """x as a C-contiguous (rows, classes) array: a view when the class axis is last."""
    if axis != x.ndim - 1:
        x = np.moveaxis(x, axis, -1)
    elif x.flags.c_contiguous:
        return x.reshape(-1, x.shape[-1])
    return np.ascontiguousarray(x).reshape(-1, x.shape[-1])


def _unrows(rows: np.ndarray, shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Undo _rows: (rows, classes) back to shape, with the classes on axis again."""
    if axis == len(shape) - 1:
        return rows.reshape(shape)
    moved = shape[:axis] + shape[axis + 1 :] + shape[axis : axis + 1]
    return np.moveaxis(rows.reshape(moved), -1, axis)


def _reduced(
    values: np.ndarray, shape: tuple[int, ...], axis: int, keepdims: bool = False
) -> np.ndarray | np.floating:
    """Per-row values (rows, 1) in the shape of a reduction of ``shape`` over ``axis``."""
    result = values.reshape(shape[:axis] + shape[axis + 1 :])
    return _scalar(np.expand_dims(result, axis) if keepdims else result)


def _blocks(rows: np.ndarray) -> list[slice]:
    """Slices of about _BLOCK_BYTES worth of rows (at least one row each)."""
    count, n = rows.shape
    step = max(1, _BLOCK_BYTES // max(1, n * rows.itemsize))
    if step >= count:
        return [slice(0, count)]
    return [slice(start, min(start + step, count)) for start in range(0, count, step)]


def _divide(a: np.ndarray, t: float, out: np.ndarray) -> np.ndarray:
    """out = a / t in a's dtype, also when t itself is outside that dtype's range."""
    info = np.finfo(a.dtype)
    if info.smallest_normal <= t <= info.max:
        return np.divide(a, t, out=out)
    # e.g. T = 1e-300 would round to 0 in float32: divide in float64, then round once.
    return np.divide(a, t, out=out, dtype=np.float64, casting="same_kind")


def _shift(x: np.ndarray, m: np.ndarray, t: float, out: np.ndarray, scale_first: bool) -> None:
    """out = (x - m) / t, the exponent of the shifted softmax (<= 0, and 0 at the maximum)."""
    if scale_first:
        _divide(x, t, out)
        np.subtract(out, _divide(m, t, np.empty_like(m)), out=out)
        return
    np.subtract(x, m, out=out)
    if t != 1:
        _divide(out, t, out)


def _guarded(run: Callable[[bool], None], t: float) -> None:
    """Run a shift-and-exponentiate loop, ``run(scale_first)``, with overflow handled.

    A gap x - m wider than the float range overflows to -inf, and exp(-inf) = 0 is right
    (the true exponent is below the range too) unless a temperature t > 1 would bring it
    back into range: only then is the loop run again, dividing by t before subtracting.
    The loops must not write to their input, so that the second run sees it unchanged.
    """
    if t <= 1:
        with np.errstate(over="ignore"):
            run(False)
        return
    try:
        with np.errstate(over="raise"):
            run(False)
    except FloatingPointError:
        with np.errstate(over="ignore"):
            run(True)


# --- Softmax ----------------------------------------------------------------------------------


def _softmax_rows(x: np.ndarray, out: np.ndarray, t: float, what: str) -> None:
    """Softmax of each row of x into out (out may be x itself when t <= 1)."""

    def run(scale_first: bool) -> None:
        for rows in _blocks(x):
            x_block, block = x[rows], out[rows]
            m = np.maximum.reduce(x_block, axis=1, keepdims=True)  # NaN shows here: the check
            dead = _check_max(m, what)
            _shift(x_block, m, t, block, scale_first)  # the shift: nothing overflows
            np.exp(block, out=block)
            total = np.add.reduce(block, axis=1, keepdims=True)
            if dead is not None:
                total[dead] = 1  # a fully masked row: 0 * 1 = 0 rather than 0 / 0
            # One division per row and a multiplication per entry: measurably faster than
            # a division per entry, for one more rounding (half an ulp).
            np.multiply(block, np.divide(1, total, out=total), out=block)

    _guarded(run, t)


def _softmax(x: np.ndarray, axis: int, t: float, what: str, reuse: bool = False) -> np.ndarray:
    """Softmax along axis; with ``reuse`` the result may overwrite x (a fresh array)."""
    if x.shape[axis] == 0:
        return x.copy()
    rows = _rows(x, axis)
    out = rows if reuse and t <= 1 else np.empty_like(rows)
    _softmax_rows(rows, out, t, what)
    return _unrows(out, x.shape, axis)


def softmax(logits: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Probabilities exp(z/T) / sum exp(z/T) along axis, shifted by the max so nothing overflows."""
    x = _floats(logits)
    return _softmax(x, _class_axis(x, axis), _temperature(temperature), "logits")


def naive_softmax(logits: ArrayLike, axis: int = -1) -> np.ndarray:
    """The textbook exp(z) / sum exp(z) with no shift, to show it overflow to inf and NaN."""
    x = _floats(logits)
    with np.errstate(all="ignore"):
        e = np.exp(x)
        return e / np.sum(e, axis=axis, keepdims=True)


def _mask(mask: ArrayLike) -> np.ndarray:
    """A boolean keep-mask; numbers are accepted when every one is 0 or 1."""
    keep = np.asarray(mask)
    if keep.dtype == bool:
        return keep
    if keep.dtype.kind not in "biuf" or not np.isin(keep, (0, 1)).all():
        raise ValueError("mask must be boolean (True = keep) or made of 0s and 1s")
    return keep.astype(bool)


def masked_softmax(
    logits: ArrayLike, mask: ArrayLike, axis: int = -1, temperature: float = 1.0
) -> np.ndarray:
    """Softmax over the kept positions (mask True = keep); masked positions get exactly 0."""
    x = _floats(logits)
    keep = _mask(mask)
    t = _temperature(temperature)
    z = np.where(keep, x, -np.inf)  # a fresh array of the broadcast shape, in x's dtype
    return _softmax(z, _class_axis(z, axis), t, "logits", reuse=True)


# --- Logarithms -------------------------------------------------------------------------------

# finish(rows, shifted_block, exp_block, rest_block): per-block work done while it is cached.
_Finish = Callable[[slice, np.ndarray, np.ndarray, np.ndarray], None]


def _log_rows(
    x: np.ndarray,
    t: float,
    shifted: np.ndarray | None = None,
    work: np.ndarray | None = None,
    finish: _Finish | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Shift and sum the exponentials of each row, with the maximum's own term held out.

    Per row: d = (x - m) / t goes to ``shifted`` and exp(d) to ``work`` (each a full array,
    or block-sized scratch when None), with 0 at the maximum. Returns (idx, m, rest, dead):
    the argmax, the maximum (rows, 1), rest = the sum of exp(d) over the other positions
    (rows, 1), and the all -inf rows. logsumexp(x / t) = m / t + log1p(rest).
    """
    count, n = x.shape
    idx = np.empty(count, dtype=np.intp)
    m = np.empty((count, 1), dtype=x.dtype)
    rest = np.empty((count, 1), dtype=x.dtype)
    dead_rows: np.ndarray | None = None
    blocks = _blocks(x)
    size = blocks[0].stop
    scratch = np.empty((size, n), dtype=x.dtype) if shifted is None or work is None else None
    positions = np.arange(size)

    def run(scale_first: bool) -> None:
        nonlocal dead_rows
        for rows in blocks:
            here = positions[: rows.stop - rows.start]
            x_block, m_block = x[rows], m[rows]
            top = np.argmax(x_block, axis=1, out=idx[rows])  # the first NaN if there is one
            m_block[:, 0] = x_block[here, top]
            dead = _check_max(m_block, "logits")
            if dead is not None:
                if dead_rows is None:
                    dead_rows = np.zeros((count, 1), dtype=bool)
                dead_rows[rows] = dead
            d = scratch[: len(here)] if shifted is None else shifted[rows]
            e = scratch[: len(here)] if work is None else work[rows]
            _shift(x_block, m_block, t, d, scale_first)
            np.exp(d, out=e)
            # The maximum's term is exp(0) = 1 exactly; added to tiny terms it would round
            # them away, so it stays out of the sum and comes back through log1p.
            e[here, top] = 0
            np.add.reduce(e, axis=1, keepdims=True, out=rest[rows])
            if finish is not None:
                finish(rows, d, e, rest[rows])

    _guarded(run, t)
    return idx, m, rest, dead_rows


def log_softmax(logits: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Log-probabilities z/T - logsumexp(z/T), exact for confident rows (never log(softmax))."""
    x = _floats(logits)
    axis = _class_axis(x, axis)
    t = _temperature(temperature)
    if x.shape[axis] == 0:
        return x.copy()
    rows = _rows(x, axis)
    out = np.empty_like(rows)

    def finish(_: slice, d: np.ndarray, e: np.ndarray, rest: np.ndarray) -> None:
        # Fully masked rows hold -inf and rest = 0, so they stay -inf.
        np.subtract(d, np.log1p(rest), out=d)

    _log_rows(rows, t, shifted=out, finish=finish)
    return _unrows(out, x.shape, axis)


def logsumexp(
    logits: ArrayLike, axis: int = -1, keepdims: bool = False
) -> np.ndarray | np.floating:
    """log(sum(exp(z))) along axis without overflow: max + log1p(sum of the other terms)."""
    x = _floats(logits)
    axis = _class_axis(x, axis)
    if x.shape[axis] == 0:
        result = np.full(x.shape[:axis] + x.shape[axis + 1 :], -np.inf, dtype=x.dtype)
        return _scalar(np.expand_dims(result, axis) if keepdims else result)
    _, m, rest, dead = _log_rows(_rows(x, axis), 1.0)
    result = m + np.log1p(rest)
    if dead is not None:
        result[dead] = -np.inf  # the log of an empty sum
    return _reduced(result, x.shape, axis, keepdims)


# --- Losses -----------------------------------------------------------------------------------


def _class_indices(x: np.ndarray, target: np.ndarray, axis: int) -> np.ndarray:
    """Integer class indices of the logits' shape without axis, checked, one per row."""
    expected = x.shape[:axis] + x.shape[axis + 1 :]
    if target.shape != expected:
        raise ValueError(
            f"targets must be class indices of shape {expected} or probabilities of shape "
            f"{x.shape}, got shape {target.shape}"
        )
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"class indices must be integers, got {target.dtype}; pass probabilities with "
            "the logits' shape for soft targets"
        )
    n = x.shape[axis]
    if target.size and (target.min() < 0 or target.max() >= n):
        raise ValueError(f"class indices must be in 0..{n - 1}")
    return target.reshape(-1).astype(np.intp, copy=False)


def _soft_targets(x: np.ndarray, target: np.ndarray, axis: int) -> np.ndarray:
    """Soft targets as (rows, classes) in the logits' dtype, checked finite and >= 0."""
    if target.shape != x.shape:
        raise ValueError(f"soft targets must have the logits' shape {x.shape}, got {target.shape}")
    weights = _floats(target, "soft targets").astype(x.dtype, copy=False)
    if not (np.isfinite(weights).all() and (weights >= 0).all()):
        raise ValueError("soft targets must be finite and non-negative")
    return _rows(weights, axis)


def cross_entropy(logits: ArrayLike, target: ArrayLike, axis: int = -1) -> np.ndarray | np.floating:
    """Per-example loss -log p_y = logsumexp(z) - z_y, or -sum t log p for soft targets t."""
    x = _floats(logits)
    axis = _class_axis(x, axis, "cross_entropy")
    y = np.asarray(target)
    rows = _rows(x, axis)
    if y.ndim != x.ndim:
        labels = _class_indices(x, y, axis)
        _, m, rest, _ = _log_rows(rows, 1.0)
        with np.errstate(over="ignore"):
            # -log p_y = log1p(rest) - (z_y - m): two terms >= 0, so nothing cancels.
            loss = np.log1p(rest) - (rows[np.arange(len(rows)), labels][:, None] - m)
        return _reduced(loss, x.shape, axis)
    weights = _soft_targets(x, y, axis)
    shifted = np.empty_like(rows)
    _, _, rest, _ = _log_rows(rows, 1.0, shifted=shifted)
    # -log p_i = log1p(rest) - (z_i - m) for each class, weighted; a zero weight on a -inf
    # logit contributes 0 rather than 0 * inf = NaN.
    with np.errstate(invalid="ignore"):
        terms = np.subtract(np.log1p(rest), shifted, out=shifted)
        terms *= weights
    terms[weights == 0] = 0
    return _reduced(np.add.reduce(terms, axis=1), x.shape, axis)


def cross_entropy_grad(logits: ArrayLike, target: ArrayLike, axis: int = -1) -> np.ndarray:
    """Gradient of cross_entropy w.r.t. the logits: softmax(z) - onehot(y) per example."""
    x = _floats(logits)
    axis = _class_axis(x, axis, "cross_entropy_grad")
    y = np.asarray(target)
    rows = _rows(x, axis)
    grad = np.empty_like(rows)
    if y.ndim == x.ndim:
        weights = _soft_targets(x, y, axis)
        _softmax_rows(rows, grad, 1.0, "logits")
        grad *= np.add.reduce(weights, axis=1, keepdims=True)
        grad -= weights
        return _unrows(grad, x.shape, axis)
    labels = _class_indices(x, y, axis)
    idx, m, rest, dead = _log_rows(rows, 1.0, work=grad)
    positions = np.arange(len(rows))
    grad[positions, idx] = 1  # the held-out maximum's exp(0)
    if dead is not None:
        grad[dead[:, 0]] = 0  # a fully masked row predicts nothing at all
    total = 1 + rest
    grad /= total
    # p_y - 1 = -(everything but the target) / total, summed without cancellation: the
    # held-out rest, plus 1 - exp(d_y) = -expm1(d_y) to swap the maximum's term for the
    # target's (0 when the target is the maximum; 1 in a fully masked row, where rest = 0).
    with np.errstate(over="ignore"):
        d_y = rows[positions, labels][:, None] - m
    grad[positions, labels] = (-(rest - np.expm1(d_y)) / total)[:, 0]
    return _unrows(grad, x.shape, axis)


# --- Entropy ----------------------------------------------------------------------------------


def entropy(probs: ArrayLike, axis: int = -1) -> np.ndarray | np.floating:
    """Shannon entropy -sum p log p in nats, with 0 log 0 = 0; probs are used as given."""
    p = _floats(probs, "probabilities")
    axis = _class_axis(p, axis)
    if np.isnan(p).any():
        raise ValueError("probabilities contain NaN")
    if not ((p >= 0).all() and np.isfinite(p).all()):
        raise ValueError("probabilities must be finite and non-negative")
    log_p = np.log(np.where(p > 0, p, 1))  # log 1 = 0 makes the 0 log 0 terms vanish
    return _scalar(-np.sum(p * log_p, axis=axis))


def entropy_from_logits(
    logits: ArrayLike, axis: int = -1, temperature: float = 1.0
) -> np.ndarray | np.floating:
    """Entropy of softmax(z/T) in nats, from the logits without ever taking log(p)."""
    x = _floats(logits)
    axis = _class_axis(x, axis)
    t = _temperature(temperature)
    if x.shape[axis] == 0:
        return _scalar(np.zeros(x.shape[:axis] + x.shape[axis + 1 :], dtype=x.dtype))
    rows = _rows(x, axis)
    shifted, work = np.empty_like(rows), np.empty_like(rows)
    _, _, rest, _ = _log_rows(rows, t, shifted=shifted, work=work)
    # H = L + sum_i p_i (m - z_i)/T with L = logsumexp(z/T) - m/T: both terms are >= 0.
    # work holds exp(d), 0 at the maximum where d = 0 anyway; 0 * -inf must count as 0.
    with np.errstate(invalid="ignore"):
        weighted = np.multiply(work, shifted, out=work)
    weighted[np.isnan(weighted)] = 0
    spread = -np.add.reduce(weighted, axis=1, keepdims=True) / (1 + rest)
    return _reduced(np.log1p(rest) + spread, x.shape, axis)


# --- Two classes ------------------------------------------------------------------------------


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Logistic 1 / (1 + exp(-x)), the two-class softmax, via exp(-|x|) so it never overflows."""
    values = _floats(x, "x")
    e = np.exp(-np.abs(values))  # in [0, 1]: no overflow for any input
    out = np.where(values >= 0, 1, e)
    # Rounded exactly as softmax([a, b]) rounds, so sigmoid(a - b) is its first entry.
    np.multiply(out, np.divide(1, 1 + e), out=out)
    if np.isnan(out).any():
        raise ValueError("x contains NaN")
    return _scalar(out)


# --- Attention --------------------------------------------------------------------------------


def attention_scores(q: ArrayLike, k: ArrayLike) -> np.ndarray:
    """Scaled dot products q . k / sqrt(d), shape (..., n_q, n_k): the logits attention uses."""
    queries, keys = _floats(q, "q"), _floats(k, "k")
    if queries.ndim < 2 or keys.ndim < 2:
        raise ValueError("q and k must have shape (..., n, d); wrap a single vector as [v]")
    d = queries.shape[-1]
    if keys.shape[-1] != d:
        raise ValueError(f"q and k must share the last dimension d, got {d} and {keys.shape[-1]}")
    if d == 0:
        raise ValueError("q and k need at least one feature (d >= 1)")
    scores = np.matmul(queries, np.swapaxes(keys, -1, -2))
    scores /= math.sqrt(d)
    return scores


def attention_weights(q: ArrayLike, k: ArrayLike, mask: ArrayLike | None = None) -> np.ndarray:
    """Attention weights softmax(q k^T / sqrt(d)) over the keys; mask True = may attend."""
    scores = attention_scores(q, k)
    if mask is None:
        return _softmax(scores, scores.ndim - 1, 1.0, "attention scores", reuse=True)
    z = np.where(_mask(mask), scores, -np.inf)
    return _softmax(z, z.ndim - 1, 1.0, "attention scores", reuse=True)


def attention(
    q: ArrayLike, k: ArrayLike, v: ArrayLike, mask: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention: (weights, weights @ v), each output a mix of value rows."""
    weights = attention_weights(q, k, mask)
    values = _floats(v, "v")
    n_k = weights.shape[-1]
    if values.ndim < 2 or values.shape[-2] != n_k:
        raise ValueError(
            f"v must have shape (..., {n_k}, d_v), one row per key, got {values.shape}"
        )
    return weights, np.matmul(weights, values)


# --- Decoding ---------------------------------------------------------------------------------


def _checked_logits(logits: ArrayLike, axis: int, what: str) -> tuple[np.ndarray, int]:
    """Logits with a non-empty class axis and no NaN or +inf, for the choosing functions."""
    x = _floats(logits)
    axis = _class_axis(x, axis, what)
    _check_max(np.max(x, axis=axis, keepdims=True), "logits")
    return x, axis


def argmax(logits: ArrayLike, axis: int = -1) -> np.ndarray | np.integer:
    """Index of the largest logit along axis (the lowest index on ties): greedy decoding."""
    x, axis = _checked_logits(logits, axis, "argmax")
    return np.argmax(x, axis=axis)


def _ranking(x: np.ndarray, axis: int) -> np.ndarray:
    """Indices that order x by logit, largest first, equal logits in index order."""
    # A stable sort of -z orders by z descending and keeps equal logits in index order.
    return np.argsort(-x, axis=axis, kind="stable")


def _valid_k(k: int, n: int) -> int:
    """k as an int from 1 to n: top-k keeps at least one class and cannot keep more than n."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= n:
        raise ValueError(f"k must be an integer from 1 to {n}, got {k!r}")
    return int(k)


def _valid_p(p: float) -> float:
    """p as a float from 0 to 1: a probability mass."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"p must be a number from 0 to 1, got {p!r}")
    return float(p)


def top_k(logits: ArrayLike, k: int, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """The k largest logits along axis as (indices, values), largest first, ties by index."""
    x, axis = _checked_logits(logits, axis, "top_k")
    k = _valid_k(k, x.shape[axis])
    indices = np.take(_ranking(x, axis), np.arange(k), axis=axis)
    return indices, np.take_along_axis(x, indices, axis=axis)


def top_p_mask(logits: ArrayLike, p: float, temperature: float = 1.0) -> np.ndarray:
    """Nucleus mask on the last axis: the fewest most likely tokens whose total is >= p."""
    x, _ = _checked_logits(logits, -1, "top_p_mask")
    p = _valid_p(p)
    probs = softmax(x, temperature=temperature).astype(np.float64, copy=False)
    order = _ranking(x, -1)
    ranked = np.take_along_axis(probs, order, axis=-1)
    before = np.zeros_like(ranked)  # the mass of the tokens ranked above each one
    np.cumsum(ranked[..., :-1], axis=-1, out=before[..., 1:])
    keep_ranked = (before < p) & (ranked > 0)
    keep_ranked[..., 0] = True
    mask = np.empty(x.shape, dtype=bool)
    np.put_along_axis(mask, order, keep_ranked, axis=-1)
    return mask


def _generator(rng_or_seed: np.random.Generator | int) -> np.random.Generator:
    """The Generator given, or a fresh one from an integer seed; nothing unseeded."""
    if isinstance(rng_or_seed, np.random.Generator):
        return rng_or_seed
    if isinstance(rng_or_seed, numbers.Integral) and not isinstance(rng_or_seed, bool):
        return np.random.default_rng(int(rng_or_seed))
    raise TypeError("sample needs a numpy Generator or an integer seed, for reproducibility")


def sample(
    logits: ArrayLike,
    rng_or_seed: np.random.Generator | int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> int | np.ndarray:
    """Draw one class per row of the last axis from softmax(z/T), reproducibly from a seed."""
    generator = _generator(rng_or_seed)
    x, _ = _checked_logits(logits, -1, "sample")
    greedy = not isinstance(temperature, bool) and temperature == 0
    t = 1.0 if greedy else _temperature(temperature)
    k = None if top_k is None else _valid_k(top_k, x.shape[-1])
    p = None if top_p is None else _valid_p(top_p)
    if np.any(np.max(x, axis=-1) == -np.inf):
        raise ValueError("a row of logits is entirely -inf: there is nothing to sample")
    if greedy:
        choice = np.argmax(x, axis=-1)
        return int(choice) if choice.ndim == 0 else choice
    z = x
    if k is not None:
        kept = _ranking(x, -1)[..., :k]
        z = np.full_like(x, -np.inf)
        np.put_along_axis(z, kept, np.take_along_axis(x, kept, axis=-1), axis=-1)
    if p is not None:
        z = np.where(top_p_mask(z, p, temperature=t), z, -np.inf)
    probs = softmax(z, temperature=t).astype(np.float64, copy=False)
    # Inverse CDF with one uniform number per row, so a seed fixes every draw.
    cdf = np.cumsum(probs, axis=-1)
    u = generator.random(size=x.shape[:-1])
    choice = np.sum(cdf <= (u * cdf[..., -1])[..., None], axis=-1)
    # Rounding could push the count past the last token that has any probability.
    last = probs.shape[-1] - 1 - np.argmax(probs[..., ::-1] > 0, axis=-1)
    choice = np.minimum(choice, last)
    return int(choice) if choice.ndim == 0 else choice


# --- The softmax family across ML -------------------------------------------------------------
# Divergences, decoding filters, smoothed and focal losses, the Gumbel trick, sparsemax,
# contrastive loss and logit adjustment. Probability inputs are checked: finite, >= 0 and
# summing to 1 along the last axis (within a few rounding errors); logits follow the rules
# above. Indices count from 0; a whole-number float (2.0) is accepted where an index or a
# count is expected, because formula arithmetic runs on floats.


def _whole(value: object, what: str) -> int:
    """A whole number as an int: ints, NumPy integers, 0-d arrays and floats like 2.0."""
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ValueError(f"{what} must be a single whole number, got an array")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not (math.isfinite(number) and number.is_integer()):
        raise ValueError(f"{what} must be a whole number, got {number!r}")
    return int(number)


def _real(value: object, what: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite real number (0-d arrays accepted) in [low, high]."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{what} must be a finite number from {low} to {high}, got {number!r}")
    return number


def _probabilities(values: ArrayLike, what: str) -> np.ndarray:
    """A distribution along the last axis: finite, >= 0, each row summing to 1."""
    p = _floats(values, what)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{what} must be a non-empty vector of probabilities")
    if np.isnan(p).any():
        raise ValueError(f"{what} contain NaN")
    if not (np.isfinite(p).all() and (p >= 0).all()):
        raise ValueError(f"{what} must be finite and non-negative")
    totals = np.sum(p, axis=-1, dtype=np.float64)
    tolerance = max(1e-6, 4 * p.shape[-1] * float(np.finfo(p.dtype).eps))
    if (np.abs(totals - 1) > tolerance).any():
        worst = float(totals.flat[np.argmax(np.abs(totals - 1))])
        raise ValueError(f"{what} must sum to 1, but sum to {worst!r}")
    return p


def _same_shape(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


def _log_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(a / b) with a relative error of a few ulps (a, b >= 0).

    Near 1 the ratio goes through log1p((a - b) / b), so p close to q keeps the digits of
    the small logarithm; elsewhere log(a / b), or log a - log b where a / b leaves the range.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = a / b
        near = (ratio > 0.5) & (ratio < 2)
        result = np.log(ratio)
        result = np.where(near, np.log1p((a - b) / b), result)
        lost = ~np.isfinite(ratio) | ((ratio < np.finfo(ratio.dtype).smallest_normal) & (a > 0))
        if lost.any():
            result = np.where(lost, np.log(a) - np.log(b), result)
    return result


def kl_divergence(p: ArrayLike, q: ArrayLike) -> np.ndarray | np.floating:
    """D_KL(p || q) = sum p log(p / q) in nats, last axis: 0 log 0 = 0; +inf where q = 0 < p."""
    pp, qq = _probabilities(p, "p"), _probabilities(q, "q")
    _same_shape(pp, qq, "p and q")
    dtype = np.result_type(pp, qq)
    pp, qq = pp.astype(dtype, copy=False), qq.astype(dtype, copy=False)
    with np.errstate(invalid="ignore"):
        terms = pp * _log_ratio(pp, qq)
    terms[pp == 0] = 0
    return _scalar(np.sum(terms, axis=-1))


def js_divergence(p: ArrayLike, q: ArrayLike) -> np.ndarray | np.floating:
    """Jensen-Shannon divergence in nats: the mean KL of p and q to m = (p + q) / 2 (<= log 2)."""
    pp, qq = _probabilities(p, "p"), _probabilities(q, "q")
    _same_shape(pp, qq, "p and q")
    dtype = np.result_type(pp, qq)
    pp, qq = pp.astype(dtype, copy=False), qq.astype(dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(p / m) = log1p(a) with a = (p - q) / (p + q): accurate near 0, where p ~ q.
        a = (pp - qq) / (pp + qq)
        m = (pp + qq) / 2
        near = np.abs(a) <= 0.5
        log_p = np.where(near, np.log1p(a), _log_ratio(pp, m))
        log_q = np.where(near, np.log1p(-a), _log_ratio(qq, m))
        terms = np.where(pp > 0, pp * log_p, 0) + np.where(qq > 0, qq * log_q, 0)
    return _scalar(np.sum(terms, axis=-1) / 2)


def perplexity(p_true: ArrayLike) -> np.floating:
    """exp(mean(-log p)) over the probabilities given to the true tokens (each in [0, 1])."""
    p = _floats(p_true, "p_true")
    if p.size == 0:
        raise ValueError("perplexity needs at least one probability")
    if np.isnan(p).any() or not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p_true must hold probabilities from 0 to 1")
    with np.errstate(divide="ignore"):
        return np.exp(-np.mean(np.log(p)))


def _keep_top_k(x: np.ndarray, k: int) -> np.ndarray:
    """Keep-mask of the k largest logits on the last axis (ties by lower index)."""
    kept = _ranking(x, -1)[..., :k]
    mask = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(mask, kept, True, axis=-1)
    return mask


def top_k_probs(logits: ArrayLike, k: int, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T) renormalised over the k largest logits, exactly 0 elsewhere (last axis)."""
    x, _ = _checked_logits(logits, -1, "top_k_probs")
    k = _valid_k(_whole(k, "k"), x.shape[-1])
    return masked_softmax(x, _keep_top_k(x, k), temperature=temperature)


def top_p_probs(logits: ArrayLike, p: float, temperature: float = 1.0) -> np.ndarray:
    """softmax(z / T) renormalised over the nucleus top_p_mask(z, p, T), exactly 0 elsewhere."""
    x, _ = _checked_logits(logits, -1, "top_p_probs")
    p = _real(p, "p", 0, 1)
    return masked_softmax(x, top_p_mask(x, p, temperature=temperature), temperature=temperature)


def one_hot(index: int, classes: int) -> np.ndarray:
    """The float64 vector with 1 at index (from 0) and 0 elsewhere, of length classes."""
    k = _whole(classes, "K")
    if k < 1:
        raise ValueError(f"K must be at least 1, got {k}")
    i = _whole(index, "target_index")
    if not 0 <= i < k:
        raise ValueError(f"target_index must be from 0 to {k - 1}, got {i}")
    vector = np.zeros(k)
    vector[i] = 1.0
    return vector


def smooth_labels(target_index: int, classes: int, eps: float) -> np.ndarray:
    """Label smoothing: (1 - eps) one_hot(y) + eps / K, a distribution over K classes."""
    eps = _real(eps, "eps", 0, 1)
    k = _whole(classes, "K")
    target = one_hot(target_index, k)
    return target * (1 - eps) + eps / k


def label_smoothed_ce(logits: ArrayLike, target_index: int, eps: float) -> np.floating:
    """Cross-entropy of 1-D logits against smooth_labels(y, K, eps): (1-eps) CE_y + eps mean CE."""
    x = _floats(logits)
    if x.ndim != 1:
        raise ValueError("label_smoothed_ce takes one vector of logits")
    _class_axis(x, -1, "label_smoothed_ce")
    return cross_entropy(x, smooth_labels(target_index, x.shape[0], eps))


def _noisy(logits: ArrayLike, noise: ArrayLike, what: str) -> np.ndarray:
    """z + g for the Gumbel trick: same shape, finite noise."""
    x, _ = _checked_logits(logits, -1, what)
    g = _floats(noise, "g")
    _same_shape(x, g, "z and g")
    if not np.isfinite(g).all():
        raise ValueError("g (the Gumbel noise) must be finite")
    return x + g.astype(x.dtype, copy=False)


def gumbel_max(logits: ArrayLike, noise: ArrayLike) -> int | np.ndarray:
    """The Gumbel-max trick: argmax(z + g), index from 0 (g ~ Gumbel(0, 1) makes it a sample)."""
    choice = argmax(_noisy(logits, noise, "gumbel_max"))
    return int(choice) if np.ndim(choice) == 0 else choice


def gumbel_softmax(logits: ArrayLike, noise: ArrayLike, tau: float) -> np.ndarray:
    """The Gumbel-softmax relaxation softmax((z + g) / tau): one-hot as tau -> 0."""
    return softmax(_noisy(logits, noise, "gumbel_softmax"), temperature=tau)


def sparsemax(logits: ArrayLike) -> np.ndarray:
    """Euclidean projection of z onto the simplex (Martins & Astudillo 2016), last axis.

    p_i = max(z_i - tau, 0) with tau chosen so the p sum to 1: low scores get exactly 0.
    Computed on z - max z (sparsemax ignores a shift); -inf logits get 0.
    """
    x, _ = _checked_logits(logits, -1, "sparsemax")
    top = np.max(x, axis=-1, keepdims=True)
    if (top == -np.inf).any():
        raise ValueError("a row of logits is entirely -inf: sparsemax has no distribution")
    with np.errstate(over="ignore", invalid="ignore"):
        d = x - top  # <= 0; a gap beyond the float range becomes -inf, which gets 0 anyway
        ranked = -np.sort(-d, axis=-1)
        totals = np.cumsum(ranked, axis=-1)
        k = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
        support = 1 + k * ranked > totals  # true on a prefix, always at its first entry
    size = np.sum(support, axis=-1, keepdims=True)
    tau = (np.take_along_axis(totals, size - 1, axis=-1) - 1) / size.astype(x.dtype)
    return np.maximum(d - tau, 0)


def focal_loss(logits: ArrayLike, target_index: int, gamma: float) -> np.floating:
    """Focal loss -(1 - p_y)^gamma log p_y of 1-D logits (gamma = 0 is the cross-entropy)."""
    x = _floats(logits)
    if x.ndim != 1:
        raise ValueError("focal_loss takes one vector of logits")
    _class_axis(x, -1, "focal_loss")
    gamma = _real(gamma, "gamma", 0)
    y = _whole(target_index, "target_index")
    if not 0 <= y < x.shape[0]:
        raise ValueError(f"target_index must be from 0 to {x.shape[0] - 1}, got {y}")
    ce = cross_entropy(x, y)
    miss = -np.expm1(-ce)  # 1 - p_y with all its digits when p_y is close to 1
    return ce if gamma == 0 else miss**gamma * ce


def info_nce(scores: ArrayLike, positive_index: int, tau: float) -> np.floating:
    """InfoNCE: -log softmax(s / tau)[positive], the cross-entropy of picking the positive."""
    x = _floats(scores, "scores")
    if x.ndim != 1:
        raise ValueError("info_nce takes one vector of scores (positive and negatives)")
    _class_axis(x, -1, "info_nce")
    i = _whole(positive_index, "positive_index")
    if not 0 <= i < x.shape[0]:
        raise ValueError(f"positive_index must be from 0 to {x.shape[0] - 1}, got {i}")
    return -log_softmax(x, temperature=tau)[i]


def logit_adjust(logits: ArrayLike, priors: ArrayLike, tau: float = 1.0) -> np.ndarray:
    """Post-hoc logit adjustment z - tau log(prior) (Menon et al. 2021), last axis.

    Subtracting the log prior stops rare classes losing by default; the logit-adjusted
    loss instead trains on z + tau log(prior), i.e. logit_adjust(z, priors, -tau).
    """
    x, _ = _checked_logits(logits, -1, "logit_adjust")
    prior = _probabilities(priors, "priors")
    if prior.shape[-1] != x.shape[-1]:
        raise ValueError(f"priors need one entry per class ({x.shape[-1]}), got {prior.shape[-1]}")
    if (prior == 0).any():
        raise ValueError("priors must all be greater than 0 (log 0 is -inf)")
    return x - _real(tau, "tau") * np.log(prior).astype(x.dtype, copy=False)
