"""PURE: the logit lens, everything the "Logit evolution" lab draws, for every position at once.

Reading the residual stream after any stage through the final layer norm and the unembedding
gives the scores the model would output if it stopped there. For each position we take the
``TOP_K`` tokens the full model scores highest and follow them through the stages:

* their scores (figure "Logit evolution"),
* their ranks among all tokens, 1 being the top (figure "Rank evolution"),
* a histogram of all scores at each stage, z-scored so every stage has mean 0 and standard
  deviation 1, on bin edges shared by every stage and position (figure "Logit histogram").

Results are plain lists and dicts, ready for ``json_script`` and ``json.dumps``: one compact
array per quantity with the position first, not an object per token (see ``logit_lens``).
Everything is computed for all positions at once: NumPy's array operations, and for the
histograms one compiled pass over each row of scores (numba, ``histogram_kernel``).
``bench/lens.py`` measures the cost for a 64-token text against the forward pass (the target
is 2x; see README.md).
"""

from __future__ import annotations

import functools

import numpy as np
import orjson
from threadpoolctl import threadpool_info, threadpool_limits

from lens.architecture import stage_labels
from lens.corpus import normalise
from lens.transformer import Model, default_model, readout, residual_stream
from lessons import engine

# At least one character per token, so 256 characters always fit the model's 256-token context.
TEXT_LIMIT = 256
TOP_K = 10
EXAMPLES_PER_BIN = 3
# z-scores from -8 to +6 in steps of 0.5; scores beyond either end are counted in the end bin.
# On the sample texts, every stage of the committed model stays within about -7.2 and +5.4:
# the long tail is on the left (tokens ruled out), the top tokens reach +2 to +5.
BIN_EDGES = np.linspace(-8.0, 6.0, 29)
# The page gets scores and z-scores to 2 decimals (as its tables show them; a hundredth is
# under a pixel on its charts) and probabilities to 4 significant digits.
DECIMALS = 2
SIGNIFICANT = 4
# Bump when the result's shape changes, so results stored under the old shape are not read.
FORMAT = 2


class LensInputError(ValueError):
    """The text or position cannot be read; the message is meant for the learner."""


def check_text(text: object) -> str:
    """The text as the model will read it (line endings and tabs normalised), or a clear error."""
    if not isinstance(text, str):
        raise LensInputError("The text must be a string.")
    text = normalise(text)
    if not text.strip():
        raise LensInputError("Type some text first: the lens needs at least one word.")
    if len(text) > TEXT_LIMIT:
        raise LensInputError(
            f"The lab reads at most {TEXT_LIMIT} characters; this text has {len(text)}. "
            "Shorten it and try again."
        )
    return text


def check_position(position: object, n_tokens: int) -> int:
    """A token index in ``range(n_tokens)``, or a clear error."""
    if isinstance(position, bool) or not isinstance(position, int | np.integer):
        raise LensInputError("The position must be a whole number.")
    if not 0 <= position < n_tokens:
        raise LensInputError(
            f"Position {position} is outside the text: it has {n_tokens} tokens, "
            f"numbered 0 to {n_tokens - 1}."
        )
    return int(position)


def stage_logits(model: Model, token_ids: list[int]) -> np.ndarray:
    """The lens logits at every stage, shape (stages, tokens, vocab); the last is the output.

    One read-out (final layer norm and unembedding, one matrix product) for every stage."""
    return readout(model, residual_stream(model, token_ids))


def describe_stages(n_layers: int) -> list[dict]:
    """Each stage's label, kind ("embed", "attention" or "mlp") and layer (0 for the embedding)."""
    stages = [{"label": "embed", "kind": "embed", "layer": 0}]
    for label in stage_labels(n_layers)[1:]:
        layer, block = label[1:].split()
        stages.append(
            {"label": label, "kind": "attention" if block == "attn" else "mlp", "layer": int(layer)}
        )
    return stages


def logit_lens(
    text: str, *, position: int | None = None, model: Model | None = None, top_k: int = TOP_K
) -> dict:
    """All three figures' data for every position of ``text`` (or only ``position``), as plain
    lists and dicts: ``lens_json`` read back (see it for the keys)."""
    return orjson.loads(lens_json(text, position=position, model=model, top_k=top_k))


def lens_json(
    text: str, *, position: int | None = None, model: Model | None = None, top_k: int = TOP_K
) -> bytes:
    """All three figures' data for every position of ``text`` (or only ``position``), as JSON.

    The arrays go to orjson as NumPy arrays, which it writes as it writes the same numbers as
    Python lists (shortest round-trip floats), without making a Python object of each.

    Position ``i`` is the i-th token; the model's scores there are its guesses for token
    ``i + 1``. Raises ``LensInputError`` for unusable input. The result (P positions, K top
    tokens, S stages, B histogram bins; arrays are nested, the position first)::

        format, model  FORMAT and the model's version (what the result was computed with)
        text        the text as read (line endings and tabs normalised)
        limit       TEXT_LIMIT, the most characters accepted
        vocab_size  how many tokens are scored at each stage
        top_k       K
        tokens      [token id] for every token of the text; ``vocab[id]`` shows it
        spans       [[start, end]]: the characters each token covers
        unknown     [[index, char]]: characters read as <unk>
        stages      [{label, kind, layer}]: "embed", "L1 attn", "L1 mlp", ...; kind is
                    "embed", "attention" or "mlp"
        segments    [{from, to, kind}]: stage ``from`` to stage ``to``, the block between them
        bin_edges   the histogram's bin edges in z-score units, the same for every stage
        vocab       every token shown readably (␣ space, ⏎ line break), by id
        positions   [P]: the positions that follow (all of them, or only ``position``)
        top         [P][K]: the K best token ids of the full model, best first
        scores      [P][K][S]: their scores at every stage
        ranks       [P][K][S]: their ranks among all tokens (1 is the top)
        probability [P][K]: the model's output probability of each
        mean, std   [P][S]: each stage's raw scores' mean and standard deviation
        counts      [P][S][B]: tokens per bin of z-score
        top_z       [P][S][K]: the top tokens' z-scores
        examples    [P][...]: for each stage, then each bin, the ids of its min(count, 3)
                    highest-scoring tokens, best first, run together (``counts`` splits them)
    """
    model = model or default_model()
    text = check_text(text)
    tokenizer = model.tokenizer
    encoding = tokenizer.encode_with_spans(text)
    ids = encoding.ids
    if position is None:
        positions = list(range(len(ids)))
        logits = stage_logits(model, ids)
    else:
        positions = [check_position(position, len(ids))]
        logits = stage_logits(model, ids)[:, positions, :]
    stages = describe_stages(model.config.n_layers)
    evolution = top_token_evolution(logits, top_k)
    histogram = logit_histograms(logits, evolution["top_ids"])
    result = {
        "format": FORMAT,
        "model": model.version,
        "text": text,
        "limit": TEXT_LIMIT,
        "vocab_size": tokenizer.vocab_size,
        "top_k": top_k,
        "tokens": list(ids),
        "spans": [list(span) for span in encoding.spans],
        "unknown": [[index, char] for index, char in encoding.unknown],
        "stages": stages,
        "segments": [
            {"from": s - 1, "to": s, "kind": stage["kind"]} for s, stage in enumerate(stages) if s
        ],
        "bin_edges": BIN_EDGES.tolist(),
        "vocab": vocabulary(model),
        "positions": positions,
        "top": evolution["top_ids"],
        "scores": np.round(evolution["scores"].transpose(1, 2, 0), DECIMALS),
        "ranks": histogram["ranks"].transpose(1, 2, 0),
        "probability": significant_array(evolution["probabilities"], SIGNIFICANT),
        "mean": np.round(histogram["mean"].T, DECIMALS),
        "std": np.round(histogram["std"].T, DECIMALS),
        "counts": histogram["counts"].transpose(1, 0, 2),
        "top_z": np.round(histogram["top_z"].transpose(1, 0, 2), DECIMALS),
        "examples": shown_examples(histogram["examples"]),
    }
    return orjson.dumps(
        {
            key: np.ascontiguousarray(value) if isinstance(value, np.ndarray) else value
            for key, value in result.items()
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )


def vocabulary(model: Model) -> list[str]:
    """Every token of the model shown readably, by id."""
    return list(model.tokenizer.shown)


def one_position(result: dict, position: int) -> dict:
    """The result for every position cut down to one ``position`` (as if asked for it alone)."""
    if result["positions"] != list(range(len(result["tokens"]))):
        raise ValueError("one_position needs a result for every position")
    column = check_position(position, len(result["tokens"]))
    return result | {key: [result[key][column]] for key in PER_POSITION}


# The keys of a result that hold one entry per position.
PER_POSITION = (
    "positions", "top", "scores", "ranks", "probability", "mean", "std", "counts", "top_z",
    "examples",
)  # fmt: skip


def top_token_evolution(logits: np.ndarray, top_k: int = TOP_K) -> dict[str, np.ndarray]:
    """For stage logits (stages, positions, vocab): the final top-k ids and their path.

    ``top_ids`` is (positions, k), best first; ``scores`` are (stages, positions, k);
    ``probabilities`` (positions, k) are the output's, the only ones shown. The top k are
    found by partitioning, then only those k are sorted (ties, which float64 scores do not
    produce in practice, to the lower id). Their ranks come from ``logit_histograms``, which
    sorts every stage anyway.
    """
    final = logits[-1]
    positions, vocab = final.shape
    part = np.argpartition(final, vocab - top_k, axis=-1)[:, vocab - top_k :]
    part.sort(axis=-1)
    best_first = np.argsort(-np.take_along_axis(final, part, axis=-1), axis=-1, kind="stable")
    top_ids = np.take_along_axis(part, best_first, axis=-1)
    at = (np.arange(positions)[:, None] * vocab + top_ids).ravel()  # one gather, every stage
    scores = logits.reshape(-1, positions * vocab)[:, at].reshape(*logits.shape[:-1], top_k)
    probabilities = np.take_along_axis(engine.softmax(final, axis=-1), top_ids, axis=-1)
    return {"top_ids": top_ids, "scores": scores, "probabilities": probabilities}


def logit_histograms(
    logits: np.ndarray, top_ids: np.ndarray, edges: np.ndarray = BIN_EDGES
) -> dict[str, np.ndarray]:
    """z-scored histograms of stage logits (stages, positions, vocab) on fixed ``edges``, and
    the ranks of the ``top_ids`` (positions, k), distinct in each position.

    Returns ``mean`` and ``std`` (stages, positions), ``counts`` (stages, positions, bins),
    ``examples`` (stages, positions, bins, EXAMPLES_PER_BIN) token ids, the highest-scoring
    in each bin, -1 where a bin has fewer (ties to the lower id), ``top_z`` and ``ranks``
    (stages, positions, k). Rank 1 is the top: a token's rank is one plus the number of
    tokens scored strictly higher at that stage.

    The mean, standard deviation and z-scores are NumPy's (the same bits as
    ``logits.mean``); the rest is one pass over each row in compiled code
    (``histogram_rows``), for every row whose mean and standard deviation are finite when
    numba is installed and the edges are a grid whose step is a power of two (``BIN_EDGES``).
    Any other row goes to ``exact_rows``, a stable sort of each row in NumPy.
    """
    *lead, positions, vocab = logits.shape
    rows = np.ascontiguousarray(logits, dtype=np.float64).reshape(-1, vocab)
    if top_ids.shape[-1] and (np.diff(np.sort(top_ids, axis=-1), axis=-1) == 0).any():
        raise ValueError("top_ids must be distinct in each position")
    if top_ids.size and not 0 <= top_ids.min() <= top_ids.max() < vocab:
        raise ValueError(f"top_ids must lie in [0, {vocab})")  # the kernel reads no further
    top = np.ascontiguousarray(
        np.broadcast_to(top_ids, (len(rows) // positions, *top_ids.shape)), dtype=np.intp
    ).reshape(len(rows), -1)
    mean = np.add.reduce(rows, axis=-1) / vocab  # logits.mean's arithmetic, without its checks
    centred = rows - mean[:, None]
    std = np.sqrt(np.einsum("pv,pv->p", centred, centred) / vocab)
    scale = np.where(std > 0, std, 1.0)
    n_bins = edges.size - 1
    found = {
        "mean": mean,
        "std": std,
        "counts": np.empty((len(rows), n_bins), dtype=np.intp),
        "examples": np.empty((len(rows), n_bins, EXAMPLES_PER_BIN), dtype=np.intp),
        "ranks": np.empty(top.shape, dtype=np.intp),
    }
    out = [found[key] for key in ("counts", "examples", "ranks")]
    grid, kernel = edge_grid(edges), histogram_kernel()
    if grid is None or kernel is None or EXAMPLES_PER_BIN != 3:
        plain = np.zeros(len(rows), dtype=bool)
    else:
        # Finite: then every score and every centred score is finite (their sums would not
        # be otherwise), which is all the kernel asks.
        plain = np.isfinite(mean) & np.isfinite(std)
        step, first = grid
        fine = KERNEL_BUCKETS / step  # a power of two: z * fine is exact
        grid_args = (fine, first * KERNEL_BUCKETS, n_bins)
        if plain.all():
            kernel(rows, centred, scale, top, *grid_args, *out)
        elif plain.any():
            some = [array[plain] for array in out]
            kernel(rows[plain], centred[plain], scale[plain], top[plain], *grid_args, *some)
            for array, part in zip(out, some, strict=True):
                array[plain] = part
    if not plain.all():
        other = ~plain
        exact = exact_rows(rows[other], mean[other], scale[other, None], top[other], edges)
        for key in ("counts", "examples", "ranks"):
            found[key][other] = exact[key]
    found["top_z"] = (np.take_along_axis(rows, top, axis=-1) - mean[:, None]) / scale[:, None]
    return {key: value.reshape(*lead, positions, *value.shape[1:]) for key, value in found.items()}


# Fine buckets per histogram bin in ``histogram_rows``: a bin's highest examples are found
# among its highest few buckets (about two dozen scores per row are looked at, not 512).
KERNEL_BUCKETS = 16


@functools.cache
def histogram_kernel():
    """``histogram_rows`` compiled by numba, or None without numba.

    The first call in a process imports numba and compiles the kernel, or reads it from
    numba's cache (``__pycache__`` beside this file, when it can be written there):
    ``bench/lens.py`` measures both. Nothing is compiled when the site starts."""
    try:
        import numba  # here, not above: importing numba takes a third of a second
    except ImportError:
        return None
    blas = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    options = {"nogil": True, "error_model": "numpy"}  # numpy's: no test before dividing
    # Compiled (or read from the cache) now, for the types logit_histograms passes.
    one, ids = np.ones((1, 1)), np.zeros((1, 1), dtype=np.intp)
    out = np.empty((1, 1), np.intp), np.empty((1, 1, 3), np.intp), np.empty((1, 1), np.intp)
    try:
        kernel = numba.njit(histogram_rows, cache=True, **options)
        kernel(one, one, one[0], ids, 1.0, 0.0, 1, *out)
    except (OSError, RuntimeError):  # nowhere to keep numba's cache
        kernel = numba.njit(histogram_rows, **options)
        kernel(one, one, one[0], ids, 1.0, 0.0, 1, *out)
    if blas:
        # Compiling loaded SciPy's BLAS (numba's np.dot): as few threads as NumPy's.
        threadpool_limits(limits=min(blas), user_api="blas")
    return kernel


def histogram_rows(rows, centred, scale, top, fine, lowest, n_bins, counts, examples, ranks):
    """Compiled by ``histogram_kernel``: for each row of scores (rows, vocab), its ``counts``
    per bin of z-score ``centred / scale``, its three best ``examples`` per bin (ties to the
    lower id, -1 where a bin has fewer) and the ``ranks`` of its ``top`` tokens, written into
    the last three arrays. The bins' edges are ``(lowest + i * KERNEL_BUCKETS) / fine`` for
    ``i`` in ``0..n_bins`` (``fine`` a power of two, ``lowest`` whole), the end bins open.

    Each score goes to a fine bucket, ``floor(z * fine)``: exact, so its bin is the one the
    z-score's comparison with the edges gives, and a higher bucket means a higher z-score and
    so a higher score. Each bucket's ids are chained in ascending order (``head``, ``after``).
    A bin's examples are then the best three among the scores of its highest buckets that
    hold at least three (or all of its scores), and a top token's rank counts the buckets
    above its own and the higher scores in its own. Mean and scale must be finite.
    """
    n_rows, vocab = rows.shape
    n_fine = n_bins * KERNEL_BUCKETS
    bucket = np.empty(vocab, np.int32)
    size = np.empty(n_fine, np.int32)
    head = np.empty(n_fine, np.int32)  # each bucket's lowest id, -1 when empty
    after = np.empty(vocab, np.int32)  # the next id in the same bucket, -1 at the end
    above = np.empty(n_bins + 1, np.intp)  # scores in the bins above each
    for r in range(n_rows):
        row, z, s = rows[r], centred[r], scale[r]
        for i in range(vocab):  # the fine bucket of each score: no branch, vectorised
            u = np.floor((z[i] / s) * fine) - lowest
            bucket[i] = np.int32(min(max(u, 0.0), n_fine - 1.0))
        size[:] = 0
        head[:] = -1
        for i in range(vocab - 1, -1, -1):
            b = bucket[i]
            size[b] += 1
            after[i] = head[b]
            head[b] = i
        above[n_bins] = 0
        for j in range(n_bins - 1, -1, -1):
            top_bucket = (j + 1) * KERNEL_BUCKETS - 1
            count = 0
            for b in range(j * KERNEL_BUCKETS, top_bucket + 1):
                count += size[b]
            counts[r, j] = count
            above[j] = above[j + 1] + count
            # The best three so far, best first, kept without a branch on the scores; a
            # later id never displaces an equal score (equal scores share a bucket, whose
            # ids come in ascending order).
            x0 = x1 = x2 = 0.0
            i0 = i1 = i2 = -1
            seen = 0
            b = top_bucket
            while seen < 3 and seen < count:
                seen += size[b]
                i = head[b]
                while i >= 0:
                    x = row[i]
                    c0 = (x > x0) | (i0 < 0)
                    c1 = (x > x1) | (i1 < 0)
                    c2 = (x > x2) | (i2 < 0)
                    x2 = x1 if c1 else (x if c2 else x2)
                    i2 = i1 if c1 else (i if c2 else i2)
                    x1 = x0 if c0 else (x if c1 else x1)
                    i1 = i0 if c0 else (i if c1 else i1)
                    x0 = x if c0 else x0
                    i0 = i if c0 else i0
                    i = after[i]
                b -= 1
            examples[r, j, 0] = i0
            examples[r, j, 1] = i1
            examples[r, j, 2] = i2
        for t in range(top.shape[1]):
            token = top[r, t]
            x = row[token]
            b = bucket[token]
            j = b // KERNEL_BUCKETS
            higher = above[j + 1]
            for u in range(b + 1, (j + 1) * KERNEL_BUCKETS):
                higher += size[u]
            i = head[b]
            while i >= 0:
                higher += row[i] > x
                i = after[i]
            ranks[r, t] = higher + 1


def exact_rows(
    rows: np.ndarray, mean: np.ndarray, scale: np.ndarray, top: np.ndarray, edges: np.ndarray
) -> dict[str, np.ndarray]:
    """``counts``, ``examples`` (-1 where a bin has fewer) and ``ranks`` of rows (n, vocab)
    by a stable sort of each: for the rows ``histogram_rows`` is not given."""
    n_rows, vocab = rows.shape
    n_bins = edges.size - 1
    groups = bin_groups(rows - mean[:, None], scale, edges)
    counts = np.bincount(groups.ravel(), minlength=n_rows * n_bins).reshape(n_rows, n_bins)
    # Ascending, ties to the higher id first: read from the end, ties go to the lower id.
    order = vocab - 1 - np.argsort(rows[:, ::-1], axis=-1, kind="stable")
    slots = np.arange(EXAMPLES_PER_BIN)
    at = np.maximum(np.cumsum(counts, axis=-1)[..., None] - 1 - slots, 0)
    taken = np.take_along_axis(order, at.reshape(n_rows, -1), axis=-1).reshape(at.shape)
    scores = np.take_along_axis(rows, top, axis=-1)
    return {
        "counts": counts,
        "examples": np.where(slots < counts[..., None], taken, -1),
        "ranks": 1 + vocab - count_at_most(np.sort(rows, axis=-1), scores),
    }


def edge_grid(edges: np.ndarray) -> tuple[float, float] | None:
    """``(step, first)`` if ``edges`` are ``(first + i) * step`` with ``step`` a power of two
    and ``first`` whole, else None."""
    n_bins = edges.size - 1
    step = (edges[-1] - edges[0]) / n_bins
    first = edges[0] / step
    if (
        np.frexp(step)[0] == 0.5
        and first == np.floor(first)
        and np.array_equal(edges, (first + np.arange(n_bins + 1)) * step)
    ):
        return step, first
    return None


def bin_groups(centred: np.ndarray, scale: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For centred rows (rows, n) and their scales (rows, 1): each z-score's bin on ``edges``
    (the bin whose lower edge is the last at or below ``centred / scale``; the end bins hold
    everything beyond them), plus the row's index times the number of bins.

    On a grid whose step is a power of two (``BIN_EDGES``: halves), dividing by the step is
    exact, so ``floor(centred / (scale * step))`` places a z-score exactly as comparing it with
    every edge would. Other edges are searched. ``centred`` is overwritten.
    """
    n_bins = edges.size - 1
    offsets = (np.arange(centred.shape[0]) * n_bins)[:, None]
    grid = edge_grid(edges)
    if grid is None:
        bins = np.searchsorted(edges, centred / scale, side="right") - 1
        return np.clip(bins, 0, n_bins - 1) + offsets
    step, first = grid
    index = centred
    index /= scale * step
    np.floor(index, out=index)
    np.clip(index, first, first + n_bins - 1, out=index)
    index += offsets - first
    return index.astype(np.intp)


def count_at_most(ascending: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For sorted rows (rows, n) and values (rows, k): how many of each row are <= each value,
    as ``np.searchsorted(row, values, side="right")`` row by row, in one binary search.

    Every search halves the same span at the same time, so the span is one number and each
    step is a gather, a comparison and an add: the answer lies in [count, count + span]."""
    n = ascending.shape[-1]
    flat = ascending.ravel()
    row_last = (np.arange(ascending.shape[0]) * n - 1)[:, None]  # index of each row's -1st
    count = np.zeros(values.shape, dtype=np.intp)
    span = n
    while span > 1:
        half = span // 2
        np.add(count, half, out=count, where=flat[count + (row_last + half)] <= values)
        span -= half
    count += flat[count + (row_last + 1)] <= values
    return count


def shown_examples(examples: np.ndarray) -> list[np.ndarray]:
    """Per position, the examples (stages, positions, bins, slots) with the empty slots left out."""
    by_position = examples.transpose(1, 0, 2, 3).reshape(examples.shape[1], -1)
    shown = by_position >= 0
    values, ends = by_position[shown], np.cumsum(shown.sum(axis=-1)).tolist()
    return [values[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def significant(values: np.ndarray, digits: int) -> list:
    """``values`` rounded to ``digits`` significant digits, as (nested) lists of floats."""
    return significant_array(values, digits).tolist()


def significant_array(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits, as a float64 array."""
    values = np.asarray(values, dtype=np.float64)
    magnitude = np.floor(np.log10(np.where(values == 0, 1.0, np.abs(values))))
    magnitude = np.maximum(magnitude, -300)  # keeps the scale finite; tinier values round to 0
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale


def last_position(text: object, *, model: Model | None = None) -> int:
    """The index of the last token of ``text`` (the lab's default position), or a clear error."""
    model = model or default_model()
    return len(model.tokenizer.encode(check_text(text))) - 1


def check_stage(stage: object, n_stages: int) -> int:
    """A stage index in ``range(n_stages)`` (0 is the embedding), or a clear error."""
    if isinstance(stage, bool) or not isinstance(stage, int | np.integer):
        raise LensInputError("The stage must be a whole number.")
    if not 0 <= stage < n_stages:
        raise LensInputError(
            f"Stage {stage} does not exist: the model has {n_stages} stages, "
            f"numbered 0 (the embedding) to {n_stages - 1} (the output)."
        )
    return int(stage)
