"""The lab's histograms and ranks against a plain reference: one full argsort per row,
counts by searching every edge, examples read off the sorted order, ranks by counting.

Each check runs twice: through the compiled kernel (``histogram_rows``, numba) and through
NumPy alone (``exact_rows``, what runs without numba)."""

from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lens.logit_lens import (
    BIN_EDGES,
    DECIMALS,
    EXAMPLES_PER_BIN,
    KERNEL_BUCKETS,
    SIGNIFICANT,
    bin_groups,
    count_at_most,
    histogram_kernel,
    logit_histograms,
    logit_lens,
    significant,
    stage_logits,
    top_token_evolution,
)
from lens.samples import SAMPLE_TEXTS


def reference_histograms(
    logits: np.ndarray, top_ids: np.ndarray, edges: np.ndarray = BIN_EDGES
) -> dict[str, np.ndarray]:
    """Row by row: sort, search the edges, take each bin's last three; ties to the lower id."""
    n_bins = edges.size - 1
    *lead, vocab = logits.shape
    counts = np.zeros((*lead, n_bins), dtype=np.intp)
    examples = np.full((*lead, n_bins, EXAMPLES_PER_BIN), -1, dtype=np.intp)
    ranks = np.zeros((*lead, top_ids.shape[-1]), dtype=np.intp)
    mean = logits.mean(axis=-1)
    centred = logits - mean[..., None]
    std = np.sqrt(np.einsum("...v,...v->...", centred, centred) / vocab)
    for index in np.ndindex(*lead):
        row = logits[index]
        scale = std[index] if std[index] > 0 else 1.0
        z = (row - mean[index]) / scale
        bins = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, n_bins - 1)
        counts[index] = np.bincount(bins, minlength=n_bins)
        for b in range(n_bins):
            members = np.flatnonzero(bins == b)
            best = members[np.argsort(-row[members], kind="stable")][:EXAMPLES_PER_BIN]
            examples[index][b, : best.size] = best
        top = top_ids[index[1:]]
        ranks[index] = [1 + np.sum(row > row[token]) for token in top]
    return {"mean": mean, "std": std, "counts": counts, "examples": examples, "ranks": ranks}


@contextmanager
def numpy_only():
    """``logit_histograms`` as it runs without numba."""
    with mock.patch("lens.logit_lens.histogram_kernel", return_value=None):
        yield


def assert_same_histograms(
    logits: np.ndarray, top_ids: np.ndarray, edges: np.ndarray = BIN_EDGES
) -> None:
    slow = reference_histograms(logits, top_ids, edges)
    for path in ("kernel", "numpy"):
        if path == "kernel":
            fast = logit_histograms(logits, top_ids, edges)
        else:
            with numpy_only():
                fast = logit_histograms(logits, top_ids, edges)
        for key in ("mean", "std", "counts", "examples", "ranks"):
            np.testing.assert_array_equal(fast[key], slow[key], err_msg=f"{key} ({path})")
        z = (np.take_along_axis(logits, top_ids[None], axis=-1) - slow["mean"][..., None]) / (
            np.where(slow["std"] > 0, slow["std"], 1.0)[..., None]
        )
        np.testing.assert_array_equal(fast["top_z"], z, err_msg=f"top_z ({path})")


def test_numba_is_there():
    # requirements.txt installs it; without it the lab is right but about twice as slow.
    assert histogram_kernel() is not None


@pytest.mark.parametrize("sample", SAMPLE_TEXTS[:3], ids=lambda s: s.slug)
def test_sample_texts_match_the_reference(model, sample):
    logits = stage_logits(model, model.tokenizer.encode(sample.text))
    assert_same_histograms(logits, top_token_evolution(logits)["top_ids"])


def test_tied_scores_go_to_the_lower_id():
    rng = np.random.default_rng(3)
    # Scores on a coarse grid: many tokens share a score, within and across bins.
    logits = np.round(rng.normal(size=(3, 4, 64)), 1)
    logits[0, 0] = 1.5  # one row all equal: standard deviation 0
    logits[1, 1, :10] = logits[1, 1].max()  # ten tokens tied at the top
    top_ids = top_token_evolution(logits, 5)["top_ids"]
    assert_same_histograms(logits, top_ids)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), vocab=st.integers(1, 80), spread=st.sampled_from([0.1, 3.0]))
def test_any_scores_match_the_reference(seed, vocab, spread):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=spread, size=(2, 3, vocab))
    logits[:, :, : vocab // 3] = np.round(logits[:, :, : vocab // 3])  # some ties
    assert_same_histograms(logits, top_token_evolution(logits, min(vocab, 4))["top_ids"])


def test_no_top_tokens():
    logits = np.random.default_rng(8).normal(size=(2, 3, 40))
    assert_same_histograms(logits, np.empty((3, 0), dtype=np.intp))


def test_bins_at_the_edges_are_exact():
    # z-scores exactly on an edge and one float step either side of it.
    row = np.array([-1.0, 1.0] * 8)  # mean 0, standard deviation 1: z = score
    edges_z = np.array([-7.5, -0.5, 0.0, 0.5, 3.0, 5.5])
    probes = np.concatenate([edges_z, np.nextafter(edges_z, -9), np.nextafter(edges_z, 9)])
    centred = np.concatenate([row, probes])[None]
    groups = bin_groups(centred.copy(), np.ones((1, 1)), BIN_EDGES)
    expected = np.clip(np.searchsorted(BIN_EDGES, centred, side="right") - 1, 0, 27)
    np.testing.assert_array_equal(groups, expected)


def test_edges_off_a_power_of_two_grid_are_searched():
    edges = np.linspace(-3.0, 3.0, 8)  # steps of 6/7
    z = np.random.default_rng(0).normal(size=(4, 50)) * 2
    groups = bin_groups(z.copy(), np.ones((4, 1)), edges)
    bins = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, 6)
    np.testing.assert_array_equal(groups, bins + (np.arange(4) * 7)[:, None])


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(st.lists(st.integers(-5, 5), min_size=1, max_size=40), min_size=1, max_size=5),
    value=st.integers(-6, 6),
)
def test_count_at_most_is_searchsorted_right(data, value):
    width = max(len(row) for row in data)
    rows = np.sort(np.array([row + [99] * (width - len(row)) for row in data], float), axis=-1)
    values = np.array([[value, value + 0.5]] * len(data), float)
    expected = [np.searchsorted(row, v, side="right") for row, v in zip(rows, values, strict=True)]
    np.testing.assert_array_equal(count_at_most(rows, values), expected)


def test_the_json_holds_the_arrays_as_lists(model):
    text = SAMPLE_TEXTS[0].text
    logits = stage_logits(model, model.tokenizer.encode(text))
    evolution = top_token_evolution(logits)
    hist = logit_histograms(logits, evolution["top_ids"])
    result = logit_lens(text, model=model)
    assert result["top"] == evolution["top_ids"].tolist()
    assert result["scores"] == np.round(evolution["scores"].transpose(1, 2, 0), DECIMALS).tolist()
    assert result["ranks"] == hist["ranks"].transpose(1, 2, 0).tolist()
    assert result["probability"] == significant(evolution["probabilities"], SIGNIFICANT)
    assert result["mean"] == np.round(hist["mean"].T, DECIMALS).tolist()
    assert result["std"] == np.round(hist["std"].T, DECIMALS).tolist()
    assert result["counts"] == hist["counts"].transpose(1, 0, 2).tolist()
    assert result["top_z"] == np.round(hist["top_z"].transpose(1, 0, 2), DECIMALS).tolist()


@pytest.mark.parametrize("width", [1, 2, 3, 7, 64, 511, 512, 513])
def test_count_at_most_at_any_width(width):
    # The search halves one shared span: widths off a power of two, values past either end.
    rng = np.random.default_rng(width)
    rows = np.sort(rng.integers(0, 9, size=(4, width)).astype(float), axis=-1)
    values = rng.integers(-1, 11, size=(4, 6)).astype(float)
    expected = [np.searchsorted(row, v, side="right") for row, v in zip(rows, values, strict=True)]
    np.testing.assert_array_equal(count_at_most(rows, values), expected)


def test_scores_a_few_units_of_the_last_place_apart():
    # Top tokens among them and at a bin's top: their order comes from the scores alone
    # (the sort of the previous code, ids in the keys' lowest bits, had to check for them).
    rng = np.random.default_rng(5)
    logits = rng.normal(scale=2.0, size=(2, 4, 100))
    for apart in (1, 2, 3, 700, 3000):
        row = logits[0, apart % 4]
        row[50:55] = row.max() + np.arange(0, -5, -1) * apart * np.spacing(row.max())
        row[10:13] = row[70] + np.arange(1, 4) * apart * np.spacing(row[70])  # a bin's top
    top_ids = top_token_evolution(logits, 8)["top_ids"]
    assert_same_histograms(logits, top_ids)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    vocab=st.integers(2, 120),
    apart=st.sampled_from([1, 2, 5, 64, 2047, 2048, 4096, 8192, 8193, 2**14, 2**20]),
)
def test_near_ties_match_the_reference(seed, vocab, apart):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(2, 3, vocab))
    for index in np.ndindex(2, 3):
        row = logits[index]
        for token in rng.choice(vocab, size=min(vocab, 5), replace=False):
            # Lower ids just above, higher ids just below: wrong either way if misordered.
            for step, other in enumerate(range(token + 1, min(token + 3, vocab)), start=1):
                row[other] = (row[token].view(np.int64) - step * apart).view(np.float64)
    assert_same_histograms(logits, top_token_evolution(logits, min(vocab, 6))["top_ids"])


def test_scores_a_rounding_away_from_a_bin_edge():
    # Mean 0 and standard deviation 1 (the row is +-1), then probes on edges and a few
    # units of the last place either side: counted in the bins the exact z-scores give.
    edges_z = np.array([-7.5, -0.5, 0.5, 1.0, 3.0, 5.5])
    probes = np.concatenate([edges_z + 0.0] + [np.nextafter(edges_z, d) for d in (-9, 9)])
    base = np.array([-1.0, 1.0] * 200)
    row = np.concatenate([base, probes, -probes])  # symmetric: mean exactly 0
    logits = row[None, None]
    assert_same_histograms(logits, top_token_evolution(logits, 5)["top_ids"])


def test_scores_on_and_beside_the_kernels_fine_buckets():
    # The kernel's buckets are 1/32 of a z-score wide: z-scores on their bounds and a unit of
    # the last place either side, past both ends, in a few copies (ties across ids), top
    # tokens among them; given to the kernel directly with a mean of 0 and a scale of 1.
    bounds = np.array([-8.0, -7.96875, -1.03125, -0.03125, 0.0, 0.03125, 1.5, 2.96875, 5.96875])
    probes = np.concatenate([bounds] + [np.nextafter(bounds, d) for d in (-9, 9)])
    probes = np.concatenate([probes, [-9.0, 6.0, 7.5, -0.0]])
    rng = np.random.default_rng(13)
    rows = np.stack([rng.permutation(np.tile(probes, 3)) for _ in range(4)])
    top = np.stack([rng.choice(rows.shape[1], 10, replace=False) for _ in rows])
    n_bins = BIN_EDGES.size - 1
    counts = np.empty((len(rows), n_bins), np.intp)
    examples = np.empty((len(rows), n_bins, EXAMPLES_PER_BIN), np.intp)
    ranks = np.empty(top.shape, np.intp)
    fine = KERNEL_BUCKETS / 0.5
    histogram_kernel()(
        rows, rows, np.ones(len(rows)), top, fine, -8 * fine, n_bins, counts, examples, ranks
    )
    for row, top_row, count, example, rank in zip(rows, top, counts, examples, ranks, strict=True):
        bins = np.clip(np.searchsorted(BIN_EDGES, row, side="right") - 1, 0, n_bins - 1)
        assert count.tolist() == np.bincount(bins, minlength=n_bins).tolist()
        for b in range(n_bins):
            members = np.flatnonzero(bins == b)
            best = members[np.argsort(-row[members], kind="stable")][:EXAMPLES_PER_BIN]
            assert example[b].tolist() == [*best, *[-1] * (EXAMPLES_PER_BIN - best.size)]
        assert rank.tolist() == [1 + np.sum(row > row[token]) for token in top_row]


def test_minus_zero_and_zero_tie():
    # -0.0 sorts before 0.0 by its bits; as scores they tie, so the lower id comes first.
    # With a mean of 0.0 the centred scores keep the -0.0.
    row = np.array([-0.0, 0.0, 1.0, -1.0, 2.0, -2.0])
    logits = np.stack([row, -row, np.r_[row[1::-1], row[2:]]])[None]
    assert_same_histograms(logits, top_token_evolution(logits, 4)["top_ids"])
    alone = np.array([[[-0.0, 1.0, -1.0, 2.0, -2.0]]])  # in the bin of z in [0, 0.5)
    assert alone.mean() == 0
    assert_same_histograms(alone, top_token_evolution(alone, 2)["top_ids"])


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda s: s.slug)
def test_the_model_scores_take_the_kernel(model, sample):
    # Every row of the committed model's scores has a finite mean and standard deviation:
    # none is left to exact_rows (it would be right, but slower).
    logits = stage_logits(model, model.tokenizer.encode(sample.text))
    top_ids = top_token_evolution(logits)["top_ids"]
    with mock.patch("lens.logit_lens.exact_rows", side_effect=AssertionError("exact_rows")):
        logit_histograms(logits, top_ids)


def test_scores_beyond_the_end_bins_share_a_bucket():
    # Two tied outliers far above the rest (z about 10, past the last edge), one far below:
    # the end bins hold them, the tie ranks both first and lists the lower id first.
    row = np.zeros(200)
    row[[17, 5, 90]] = [7.0, 7.0, 6.5]
    row[3] = -7.0
    logits = np.stack([row, row[::-1], -row])[:, None]
    top_ids = np.array([[17, 5, 90, 3, 0]])
    assert_same_histograms(logits, top_ids)
    assert logit_histograms(logits, top_ids)["ranks"][0, 0, :2].tolist() == [1, 1]


def test_rows_too_wide_for_the_kernel_are_computed_by_numpy():
    # Scores of 1e300: the variance overflows, the standard deviation is inf, and that row
    # alone goes to exact_rows; the others to the kernel.
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(2, 3, 50))
    logits[1, 2] *= 1e300
    assert not np.isfinite(logit_histograms(logits, np.zeros((3, 0), int))["std"][1, 2])
    assert_same_histograms(logits, top_token_evolution(logits, 4)["top_ids"])


def test_top_ids_outside_the_vocabulary_are_refused():
    logits = np.zeros((1, 2, 5))
    for bad in (5, -1):
        with pytest.raises(ValueError, match="must lie in"):
            logit_histograms(logits, np.array([[0, 1], [2, bad]]))


def test_edges_off_a_grid_take_numpy():
    logits = np.random.default_rng(12).normal(size=(2, 3, 60))
    assert_same_histograms(logits, top_token_evolution(logits, 4)["top_ids"], np.linspace(-3, 3, 8))


@settings(max_examples=20, deadline=None)
@given(text=st.text(alphabet="abcdefghij klmnopqrstuvwxyz,.'\n☃", min_size=1, max_size=120))
def test_the_json_matches_the_reference(model, text):
    # The page's data, as sent, against the row-by-row reference and a full argsort.
    if not text.strip():
        return
    logits = stage_logits(model, model.tokenizer.encode(text))
    top = np.argsort(-logits[-1], axis=-1, kind="stable")[:, :10]
    slow = reference_histograms(logits, top)
    result = logit_lens(text, model=model)
    assert result["top"] == top.tolist()
    assert result["ranks"] == slow["ranks"].transpose(1, 2, 0).tolist()
    assert result["counts"] == slow["counts"].transpose(1, 0, 2).tolist()
    assert result["mean"] == np.round(slow["mean"].T, DECIMALS).tolist()
    assert result["std"] == np.round(slow["std"].T, DECIMALS).tolist()
    shown = slow["examples"].transpose(1, 0, 2, 3).reshape(logits.shape[1], -1)
    assert result["examples"] == [[int(i) for i in row if i >= 0] for row in shown]
