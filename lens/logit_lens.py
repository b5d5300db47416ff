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
Everything is computed with array operations over all positions at once, a few stages at a
time; ``bench/lens.py`` measures the cost for a 64-token text against the forward pass (the
target of 2x is not met: about 2.5x, see README.md).
"""

from __future__ import annotations

import numpy as np
import orjson

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
# Rows sorted at once (whole stages): few enough that their temporaries stay in the CPU's
# cache and are handed back by the allocator, enough that NumPy's cost per call stays small.
SORT_ROWS = 192
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

    Each row is sorted once with the bin edges among its scores and the token ids riding
    along in the scores' lowest bits (``sort_rows``); a bin is then the run between two
    edges, its count their distance and its examples the last few of the run, and a top
    token's rank one plus the scores after it (``read_sorted``). A row with two scores too
    close for those bits to leave their order certain goes to ``exact_rows``. About
    ``SORT_ROWS`` rows at a time: their temporaries stay in the CPU's cache and the allocator
    hands the same memory back for the next ones (every stage at once made 12 MB of fresh
    arrays per text, 3,000 page faults, a fifth of the lab's time; ``bench/lens.py`` counts
    them). The sort keys of every row are kept, 2.5 MB for 64 tokens, one array.
    """
    *lead, positions, vocab = logits.shape
    blocks = logits.reshape(-1, positions, vocab)
    if top_ids.shape[-1] and (np.diff(np.sort(top_ids, axis=-1), axis=-1) == 0).any():
        raise ValueError("top_ids must be distinct in each position")
    layout = KeyLayout(vocab, edges.size - 2, top_ids, max(1, SORT_ROWS // positions))
    rows = blocks.reshape(-1, vocab)
    keys = np.empty((rows.shape[0], layout.width))
    step = layout.stages * positions
    parts = [
        sort_rows(rows[i : i + step], edges, layout, keys[i : i + step])
        for i in range(0, rows.shape[0], step)
    ]
    mean, std, doubtful = (np.concatenate([part[i] for part in parts]) for i in range(3))
    special = np.concatenate([part[3] + n * step * layout.width for n, part in enumerate(parts)])
    found = read_sorted(keys, special, layout)
    scale = np.where(std > 0, std, 1.0)[:, None]
    top = np.broadcast_to(top_ids, (blocks.shape[0], *top_ids.shape)).reshape(len(rows), -1)
    if doubtful.any():
        exact = exact_rows(rows[doubtful], mean[doubtful], scale[doubtful], top[doubtful], edges)
        found["last"][doubtful] = exact.pop("last")
        for key, value in exact.items():
            found[key][doubtful] = value
    top_scores = blocks.reshape(blocks.shape[0], -1)[:, layout.top_in_block]
    found |= {"mean": mean, "std": std}
    found["top_z"] = (top_scores.reshape(top.shape) - mean[:, None]) / scale
    # Flat, as in read_sorted: the slots' axis is short.
    slots = np.tile(np.arange(EXAMPLES_PER_BIN), found["counts"].size)
    shown = np.repeat(found["counts"].ravel(), EXAMPLES_PER_BIN) > slots
    found["examples"] = np.where(shown, found.pop("last").ravel(), -1).reshape(
        *found["counts"].shape, EXAMPLES_PER_BIN
    )
    return {
        key: found[key].reshape(*lead, positions, *found[key].shape[1:])
        for key in ("mean", "std", "counts", "examples", "top_z", "ranks")
    }


class KeyLayout:
    """What rides along with a score in the lowest bits of its float64 sort key: the token id
    or the bin edge's number (``index``), the ``edge`` bit for a bin edge, and for a top token
    its place among them plus one (``slot``, from bit ``slot_shift``). Two keys ``near`` or
    fewer units of the last place apart may be ordered by those bits; further apart, their
    scores are in the same order and at least ``near / 2`` units apart, so no rounding of a
    z-score can carry one across the other (``near`` is about 1e-11 of a score: no two of
    the committed model's scores come so near).

    Also where the ``top_ids`` (positions, k) are in a stage and, for ``stages`` sorted at
    once, in their keys."""

    def __init__(self, vocab: int, n_edges: int, top_ids: np.ndarray, stages: int) -> None:
        positions, self.k = top_ids.shape
        self.stages = stages  # sorted at once
        self.n_edges, self.width = n_edges, vocab + n_edges  # a sorted row: scores and edges
        self.edge = 1 << max(vocab - 1, n_edges, 1).bit_length()
        self.slot_shift = self.edge.bit_length()
        self.slot = ((1 << self.k.bit_length()) - 1) << self.slot_shift
        self.low = (1 << max(self.slot, self.edge).bit_length()) - 1
        self.index = self.edge - 1
        self.near = 1 << (self.low.bit_length() + 2)
        self.index_of = np.r_[np.arange(vocab), self.edge + np.arange(1, n_edges + 1)]
        starts = np.arange(positions)[:, None]
        self.top_in_block = (starts * vocab + top_ids).ravel()
        starts = np.arange(positions * stages)[:, None]
        self.top_in_keys = (starts * self.width + np.tile(top_ids, (stages, 1))).ravel()
        self.slot_of_top = np.tile(np.arange(1, self.k + 1) << self.slot_shift, positions * stages)


def sort_rows(
    logits: np.ndarray, edges: np.ndarray, layout: KeyLayout, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Whole stages' rows (rows, vocab): each row's centred scores sorted into ``keys`` (rows,
    vocab + edges) with the bin edges among them (``scale * edge``: the same units), each
    key carrying its token or edge in its lowest bits (see ``KeyLayout``).

    Returns each row's ``mean`` and ``std``; whether the row is doubtful, to be computed by
    ``exact_rows``: two neighbours within twice ``layout.near`` units of the last place of
    the row's largest key (a tie, -0.0 beside 0.0, a near tie), or a scale so extreme that
    ``scale * edge`` might lose precision; and where the edges and top tokens are in ``keys``
    flattened, row by row in sorted order.
    """
    vocab = logits.shape[-1]
    mean = np.add.reduce(logits, axis=-1) / vocab  # logits.mean's arithmetic, without its checks
    centred = np.subtract(logits, mean[:, None], out=keys[:, :vocab])
    std = np.sqrt(np.einsum("pv,pv->p", centred, centred) / vocab)
    keys[:, vocab:] = np.where(std > 0, std, 1.0)[:, None] * edges[1:-1]
    bits = keys.view(np.int64)
    bits &= ~layout.low
    bits |= layout.index_of
    top = slice(0, logits.shape[0] * layout.k)  # the top tokens of these rows' stages
    bits.ravel()[layout.top_in_keys[top]] |= layout.slot_of_top[top]
    keys.sort(axis=-1)
    # Neighbours closer than twice near units of the last place of the row's largest key
    # (no closer than near units of their own last place otherwise, rounding included).
    nearest = np.subtract(keys[:, 1:], keys[:, :-1]).min(axis=-1, initial=np.inf)
    largest = np.maximum(-keys[:, 0], keys[:, -1])
    # A -0.0 is centred only from a -0.0 score when the mean is 0.0.
    doubtful = (nearest <= 2 * layout.near * np.spacing(largest)) | (mean == 0)
    doubtful |= ~((std > 2.0**-900) & (std < 2.0**900))
    special = np.flatnonzero((bits.ravel() & (layout.edge | layout.slot)) != 0)
    return mean, std, doubtful, special


def read_sorted(keys: np.ndarray, special: np.ndarray, layout: KeyLayout) -> dict[str, np.ndarray]:
    """``counts``, ``ranks`` of the top tokens and the ``last`` EXAMPLES_PER_BIN ids of each
    bin (rows, bins, slots), read off keys (rows, vocab + edges) sorted by ``sort_rows`` and
    the ``special`` places it found."""
    (n_rows, width), n_edges, k = keys.shape, layout.n_edges, layout.k
    flat = keys.view(np.int64).ravel()
    key = flat[special]
    is_edge = (key & layout.edge) != 0
    row_start = np.arange(n_rows)[:, None] * width
    bounds = np.concatenate(
        [row_start - 1, special[is_edge].reshape(n_rows, n_edges), row_start + width], axis=-1
    )
    counts = np.diff(bounds, axis=-1) - 1
    # Before each edge, and the row's end, lie the highest scores of the bin below it (at a
    # row's start the previous row's or the array's last, never shown). Flat arrays: NumPy
    # pays per innermost run, and the slots' axis is a run of 3.
    slots = np.tile(np.arange(1, EXAMPLES_PER_BIN + 1), counts.size)
    at = np.repeat(bounds[:, 1:].ravel(), EXAMPLES_PER_BIN) - slots
    last = (flat[at] & layout.index).reshape(n_rows, n_edges + 1, EXAMPLES_PER_BIN)
    # A top token's rank: one plus the scores after it, the row's end less its place, less
    # the edges after it (those not before it among the row's edges and top tokens).
    top = ~is_edge
    among = np.flatnonzero(top) % (n_edges + k) - np.tile(np.arange(k), n_rows)
    ranks = np.repeat(row_start.ravel() + width, k) - special[top] - (n_edges - among)
    slot = np.repeat(np.arange(n_rows) * k - 1, k) + ((key[top] & layout.slot) >> layout.slot_shift)
    in_slots = np.empty(n_rows * k, dtype=ranks.dtype)
    in_slots[slot] = ranks
    return {"counts": counts, "last": last, "ranks": in_slots.reshape(n_rows, k)}


def exact_rows(
    rows: np.ndarray, mean: np.ndarray, scale: np.ndarray, top: np.ndarray, edges: np.ndarray
) -> dict[str, np.ndarray]:
    """``counts``, ``last`` (the examples, -1 where a bin has fewer) and ``ranks`` of rows
    (n, vocab) by a stable sort of each: for the rows ``sort_rows`` cannot vouch for."""
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
        "last": np.where(slots < counts[..., None], taken, -1),
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
