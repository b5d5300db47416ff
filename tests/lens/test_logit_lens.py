"""The logit lens: all three figures' data, checked against the forward pass."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lens.logit_lens import (
    BIN_EDGES,
    EXAMPLES_PER_BIN,
    TEXT_LIMIT,
    TOP_K,
    LensInputError,
    logit_histograms,
    logit_lens,
    one_position,
    stage_logits,
    top_token_evolution,
)
from lens.transformer import forward
from lessons import engine

TEXT = "The lexicographer writes down what the words mean, and the reader believes him."


@pytest.fixture(scope="module")
def ids(model):
    return model.tokenizer.encode(TEXT)


@pytest.fixture(scope="module")
def logits(model, ids):
    return stage_logits(model, ids)


@pytest.fixture(scope="module")
def result(model):
    return logit_lens(TEXT, model=model)


def test_last_stage_is_the_model_output(model, ids, logits):
    assert logits.shape == (model.config.n_stages, len(ids), model.config.vocab_size)
    np.testing.assert_array_equal(logits[-1], forward(model, ids).logits)


def test_top_tokens_are_exactly_the_model_top_ten(model, ids, logits):
    evolution = top_token_evolution(logits)
    output = forward(model, ids).logits
    for position in range(len(ids)):
        top = evolution["top_ids"][position]
        assert len(top) == TOP_K
        assert set(top) == set(np.argsort(-output[position])[:TOP_K])
        assert list(output[position, top]) == sorted(output[position, top], reverse=True)
        ranks = logit_histograms(logits, evolution["top_ids"])["ranks"]
        assert ranks[-1, position].tolist() == list(range(1, TOP_K + 1))


def test_ranks_agree_with_scores_at_every_stage(logits):
    evolution = top_token_evolution(logits)
    scores = evolution["scores"]
    ranks = logit_histograms(logits, evolution["top_ids"])["ranks"]
    for stage in range(logits.shape[0]):
        for position in range(logits.shape[1]):
            row = logits[stage, position]
            for k, token in enumerate(evolution["top_ids"][position]):
                assert scores[stage, position, k] == row[token]
                assert ranks[stage, position, k] == 1 + np.sum(row > row[token])
            # A higher score never has a worse rank.
            order = np.argsort(-scores[stage, position])
            assert np.all(np.diff(ranks[stage, position][order]) >= 0)


def test_probabilities_come_from_the_engine_and_sum_to_one(logits):
    probabilities = engine.softmax(logits[-1], axis=-1)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    evolution = top_token_evolution(logits)
    picked = np.take_along_axis(probabilities, evolution["top_ids"], axis=-1)
    np.testing.assert_array_equal(evolution["probabilities"], picked)


def test_histograms_are_z_scored_per_stage(logits):
    evolution = top_token_evolution(logits)
    hist = logit_histograms(logits, evolution["top_ids"])
    vocab = logits.shape[-1]
    z = (logits - hist["mean"][..., None]) / hist["std"][..., None]
    np.testing.assert_allclose(z.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=-1), 1.0, atol=1e-12)
    assert np.all(hist["counts"].sum(axis=-1) == vocab)
    np.testing.assert_allclose(
        hist["top_z"], np.take_along_axis(z, evolution["top_ids"][None], axis=-1), atol=1e-12
    )


def test_histogram_counts_and_examples_match_the_bins(logits):
    evolution = top_token_evolution(logits)
    hist = logit_histograms(logits, evolution["top_ids"])
    z = (logits - hist["mean"][..., None]) / hist["std"][..., None]
    n_bins = BIN_EDGES.size - 1
    for stage in (0, logits.shape[0] // 2, logits.shape[0] - 1):
        for position in (0, logits.shape[1] - 1):
            row = z[stage, position]
            bins = np.clip(np.searchsorted(BIN_EDGES, row, side="right") - 1, 0, n_bins - 1)
            np.testing.assert_array_equal(
                hist["counts"][stage, position], np.bincount(bins, minlength=n_bins)
            )
            for b in range(n_bins):
                members = np.flatnonzero(bins == b)
                expected = members[np.argsort(-row[members], kind="stable")][:EXAMPLES_PER_BIN]
                shown = hist["examples"][stage, position, b]
                assert shown[shown >= 0].tolist() == expected.tolist()


def test_result_shape_for_the_page(model, ids, logits, result):
    n_stages, n_bins, n = model.config.n_stages, BIN_EDGES.size - 1, len(ids)
    assert result["tokens"] == ids
    assert result["model"] == model.version
    assert [s["label"] for s in result["stages"]][:3] == ["embed", "L1 attn", "L1 mlp"]
    assert [s["kind"] for s in result["segments"]][:2] == ["attention", "mlp"]
    assert len(result["segments"]) == n_stages - 1
    assert result["positions"] == list(range(n))
    # One compact array per quantity, the position first.
    assert np.array(result["top"]).shape == (n, TOP_K)
    assert np.array(result["scores"]).shape == (n, TOP_K, n_stages)
    assert np.array(result["ranks"]).shape == (n, TOP_K, n_stages)
    assert np.array(result["probability"]).shape == (n, TOP_K)
    assert np.array(result["mean"]).shape == np.array(result["std"]).shape == (n, n_stages)
    assert np.array(result["counts"]).shape == (n, n_stages, n_bins)
    assert np.array(result["top_z"]).shape == (n, n_stages, TOP_K)
    assert np.all(np.array(result["ranks"])[:, :, -1] == np.arange(1, TOP_K + 1))
    assert np.all(np.array(result["counts"]).sum(axis=-1) == result["vocab_size"])
    # The examples of a position: min(count, 3) ids for each stage and bin, run together.
    hist = logit_histograms(logits, top_token_evolution(logits)["top_ids"])
    for position in (0, 3, n - 1):
        expected = hist["examples"][:, position]
        assert result["examples"][position] == expected[expected >= 0].tolist()
        shown = np.minimum(np.array(result["counts"][position]), EXAMPLES_PER_BIN).sum()
        assert len(result["examples"][position]) == shown


def test_result_is_plain_json(result):
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_tokens_are_shown_readably(result):
    shown = [result["vocab"][t] for t in result["tokens"]]
    assert [TEXT[start:end] for start, end in result["spans"]] == [
        text.replace("␣", " ") for text in shown
    ]
    assert "".join(shown).replace("␣", " ") == TEXT
    assert any(text.startswith("␣") for text in shown)


def test_one_position_equals_that_position_of_all_positions(model, result):
    single = logit_lens(TEXT, position=5, model=model)
    assert single == one_position(result, 5)
    assert single["positions"] == [5]
    assert single["scores"] == [result["scores"][5]]
    assert single["tokens"] == result["tokens"]
    with pytest.raises(LensInputError, match="outside the text"):
        one_position(result, len(result["tokens"]))
    with pytest.raises(ValueError, match="every position"):
        one_position(single, 5)


def test_unknown_characters_are_reported(model):
    result = logit_lens("café ☃ menu", model=model)
    assert result["unknown"] == [[3, "é"], [5, "☃"]]
    assert "<unk>" in [result["vocab"][t] for t in result["tokens"]]


def test_line_endings_are_normalised(model):
    assert logit_lens("one\r\ntwo\tthree", model=model)["text"] == "one\ntwo    three"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type some text"),
        ("  \n ", "Type some text"),
        (None, "must be a string"),
        (b"bytes", "must be a string"),
        ("x" * (TEXT_LIMIT + 1), f"at most {TEXT_LIMIT} characters"),
    ],
    ids=["empty", "blank", "none", "bytes", "too-long"],
)
def test_unusable_text_gets_a_clear_message(model, text, message):
    with pytest.raises(LensInputError, match=message):
        logit_lens(text, model=model)


@pytest.mark.parametrize("position", [-1, 10_000, 1.5, "3", True])
def test_positions_outside_the_text_get_a_clear_message(model, position):
    with pytest.raises(LensInputError, match=r"(?i)position"):
        logit_lens("a short text", position=position, model=model)


def test_the_longest_text_fits_the_context(model):
    text = "".join(chr(0x2600 + i) for i in range(TEXT_LIMIT))  # every character unknown
    result = logit_lens(text, position=TEXT_LIMIT - 1, model=model)
    assert len(result["tokens"]) == TEXT_LIMIT == model.config.context


@settings(max_examples=25, deadline=None)
@given(text=st.text(max_size=TEXT_LIMIT + 20), position=st.integers(-3, 300))
def test_any_input_gives_a_result_or_a_clear_error(model, text, position):
    try:
        result = logit_lens(text, position=position, model=model)
    except LensInputError as error:
        assert str(error)
    else:
        assert len(result["positions"]) == 1
        assert json.dumps(result, allow_nan=False)


def test_significant_rounding_stays_finite():
    from lens.logit_lens import significant

    values = np.array([0.0, 1.23456, -0.000123456, 5e-324, 1e-310, 0.99999])
    assert significant(values, 4) == [0.0, 1.235, -0.0001235, 0.0, 0.0, 1.0]


def test_the_data_of_a_text_reuses_its_memory(model):
    # All stages at once made 12 MB of fresh arrays per text, which the allocator gave back
    # to the system and faulted in again on the next text: 3,000 page faults, a fifth of the
    # lab's time. One stage at a time reuses the same few hundred KB.
    import resource

    text = " ".join([TEXT] * 4)[:TEXT_LIMIT]
    for _ in range(2):
        logit_lens(text, model=model)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        logit_lens(text, model=model)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3 < 1000
