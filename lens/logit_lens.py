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
Everything is computed with array operations over all positions at once, one stage at a
time; ``bench/lens.py`` measures the cost for a 64-token text against the forward pass (the
target of 2x is not met: about 3x, see README.md).
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
    part = np.argpartition(-final, top_k - 1, axis=-1)[:, :top_k]
    part.sort(axis=-1)
    best_first = np.argsort(-np.take_along_axis(final, part, axis=-1), axis=-1, kind="stable")
    top_ids = np.take_along_axis(part, best_first, axis=-1)
    scores = np.take_along_axis(logits, top_ids[None], axis=-1)
    probabilities = np.take_along_axis(engine.softmax(final, axis=-1), top_ids, axis=-1)
    return {"top_ids": top_ids, "scores": scores, "probabilities": probabilities}


def logit_histograms(
    logits: np.ndarray, top_ids: np.ndarray, edges: np.ndarray = BIN_EDGES
) -> dict[str, np.ndarray]:
    """z-scored histograms of stage logits (stages, positions, vocab) on fixed ``edges``, and
    the ranks of the ``top_ids`` (positions, k).

    Returns ``mean`` and ``std`` (stages, positions), ``counts`` (stages, positions, bins),
    ``examples`` (stages, positions, bins, EXAMPLES_PER_BIN) token ids, the highest-scoring
    in each bin, -1 where a bin has fewer (ties to the lower id), ``top_z`` and ``ranks``
    (stages, positions, k). Rank 1 is the top: a token's rank is one plus the number of
    tokens scored strictly higher at that stage.

    One stage at a time (``stage_histograms``): its temporaries, a few arrays the size of one
    stage's scores, stay in the CPU's cache and the allocator hands the same memory back for
    the next stage. Every stage at once made 12 MB of fresh arrays per 64-token text, which
    the allocator returned to the system and took back on every text (3,000 page faults, a
    fifth of the lab's time; ``bench/lens.py`` counts them).
    """
    *lead, positions, vocab = logits.shape
    blocks = logits.reshape(-1, positions, vocab)
    parts = [stage_histograms(block, top_ids, edges) for block in blocks]
    return {
        key: np.stack([part[key] for part in parts]).reshape(*lead, *parts[0][key].shape)
        for key in parts[0]
    }


def stage_histograms(
    logits: np.ndarray, top_ids: np.ndarray, edges: np.ndarray = BIN_EDGES
) -> dict[str, np.ndarray]:
    """``logit_histograms`` of one stage: logits (positions, vocab), top_ids (positions, k).

    No argsort of every row (it was most of the lab's cost): each token's bin comes from
    arithmetic, the counts from one ``bincount``, the examples from one sort of the values
    (no indices) and a few comparisons for the tokens that can be one; ranks are a binary
    search of the sorted values for the top tokens only.
    """
    n_bins, (n_rows, vocab) = edges.size - 1, logits.shape
    mean = logits.mean(axis=-1)
    centred = logits - mean[:, None]
    std = np.sqrt(np.einsum("pv,pv->p", centred, centred) / vocab)
    scale = np.where(std > 0, std, 1.0)[:, None]
    # One group per row and bin: the row's index times the bins, plus the token's bin.
    groups = bin_groups(centred, scale, edges)
    counts = np.bincount(groups.ravel(), minlength=n_rows * n_bins).reshape(n_rows, n_bins)

    # Bins are runs of the sorted row: a bin's shown examples are the last few of its run, so
    # its lowest shown score is read off the sorted values, and only the tokens at or above
    # it in their bin (a few per bin) are candidates.
    ascending = np.sort(logits, axis=-1).ravel()
    ends = np.cumsum(counts, axis=-1).ravel()  # one past each bin's run, within its row
    lowest = ends - np.minimum(counts.ravel(), EXAMPLES_PER_BIN)
    row_starts = np.repeat(np.arange(n_rows) * vocab, n_bins)
    threshold = ascending[row_starts + np.minimum(lowest, vocab - 1)]
    threshold[counts.ravel() == 0] = np.inf
    candidates = np.flatnonzero(logits.ravel() >= threshold[groups.ravel()])
    group, score = groups.ravel()[candidates], logits.ravel()[candidates]
    # A candidate's slot is how many of its bin's last few sorted scores lie strictly above it.
    last, row_start = row_starts[group] + ends[group] - 1, row_starts[group]
    slot = np.zeros(group.size, dtype=np.intp)
    for k in range(EXAMPLES_PER_BIN):
        slot += ascending[np.maximum(last - k, row_start)] > score
    taken = np.bincount(group * EXAMPLES_PER_BIN + np.minimum(slot, EXAMPLES_PER_BIN - 1))
    if taken.size and taken.max() > 1:  # tied scores share a slot: order the bins in full
        order = np.lexsort((-score, group))  # stable, so ties go to the lower id
        group, candidates = group[order], candidates[order]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        slot = np.arange(group.size) - np.repeat(starts, np.diff(np.r_[starts, group.size]))
    kept = slot < EXAMPLES_PER_BIN
    examples = np.full((n_rows * n_bins, EXAMPLES_PER_BIN), -1, dtype=np.intp)
    examples[group[kept], slot[kept]] = candidates[kept] % vocab

    top_scores = np.take_along_axis(logits, top_ids, axis=-1)
    return {
        "mean": mean,
        "std": std,
        "counts": counts,
        "examples": examples.reshape(n_rows, n_bins, EXAMPLES_PER_BIN),
        "top_z": (top_scores - mean[:, None]) / scale,
        "ranks": 1 + vocab - count_at_most(ascending.reshape(logits.shape), top_scores),
    }


def bin_groups(centred: np.ndarray, scale: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For centred rows (rows, n) and their scales (rows, 1): each z-score's bin on ``edges``
    (the bin whose lower edge is the last at or below ``centred / scale``; the end bins hold
    everything beyond them), plus the row's index times the number of bins.

    On a grid whose step is a power of two (``BIN_EDGES``: halves), dividing by the step is
    exact, so ``floor(centred / (scale * step))`` places a z-score exactly as comparing it with
    every edge would. Other edges are searched. ``centred`` is overwritten.
    """
    n_bins = edges.size - 1
    step = (edges[-1] - edges[0]) / n_bins
    first = edges[0] / step
    offsets = (np.arange(centred.shape[0]) * n_bins)[:, None]
    if not (
        np.frexp(step)[0] == 0.5
        and first == np.floor(first)
        and np.array_equal(edges, (first + np.arange(n_bins + 1)) * step)
    ):
        bins = np.searchsorted(edges, centred / scale, side="right") - 1
        return np.clip(bins, 0, n_bins - 1) + offsets
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
    return np.split(by_position[shown], np.cumsum(shown.sum(axis=-1))[:-1])


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
