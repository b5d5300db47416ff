"""The NumPy forward pass: loading, agreement with PyTorch's stored outputs, invariants."""

import numpy as np
import pytest

from lens.architecture import MODEL_FILE, stage_labels, weight_names
from lens.transformer import forward, gelu, layer_norm, readout, residual_stream


def test_model_file_stays_small():
    assert MODEL_FILE.stat().st_size < 6 * 1024 * 1024


def test_weights_have_the_shapes_the_config_says(model):
    c = model.config
    w = model.weights
    assert set(w) == set(weight_names(c))
    assert w["wte"].shape == (c.vocab_size, c.d_model)
    assert w["wpe"].shape == (c.context, c.d_model)
    assert w["blocks.0.attn.qkv.weight"].shape == (c.d_model, 3 * c.d_model)
    assert w["blocks.0.mlp.fc.weight"].shape == (c.d_model, c.d_mlp)
    assert w["blocks.0.mlp.proj.weight"].shape == (c.d_mlp, c.d_model)
    assert w["unembed.weight"].shape == (c.d_model, c.vocab_size)
    assert all(a.dtype == np.float64 and np.isfinite(a).all() for a in w.values())
    assert model.parameter_count() == model.metadata["parameters"]


def test_metadata_records_training_and_evaluation(model):
    meta = model.metadata
    assert meta["stages"] == stage_labels(model.config.n_layers)
    assert meta["training"]["seed"] == 0
    assert meta["corpus"]["held_out_tokens"] > 1000
    assert any("devil" in s["source"] for s in meta["corpus"]["sources"])
    assert model.tokenizer.vocab_size == model.config.vocab_size


def test_model_clearly_beats_the_unigram_baseline(model):
    evaluation = model.metadata["evaluation"]
    assert evaluation["units"] == "nats per token"
    assert evaluation["held_out_loss"] < evaluation["unigram_loss"] - 1.0


def test_numpy_matches_the_pytorch_outputs_stored_at_training_time(model):
    assert len(model.references) >= 3
    for reference in model.references:
        result = forward(model, reference.token_ids)
        np.testing.assert_allclose(result.logits, reference.logits, rtol=0, atol=1e-5)
        np.testing.assert_allclose(
            result.residuals[reference.stage], reference.residual, rtol=0, atol=1e-5
        )


def test_reference_inputs_are_what_the_tokenizer_gives_today(model):
    from lens.samples import SAMPLE_TEXTS

    texts = {s.slug: s.text for s in SAMPLE_TEXTS}
    for reference in model.references:
        assert model.tokenizer.encode(texts[reference.name]) == reference.token_ids.tolist()


def test_stages_and_output(model):
    ids = model.tokenizer.encode("The cat sat on the mat.")
    result = forward(model, ids)
    c = model.config
    assert result.residuals.shape == (c.n_stages, len(ids), c.d_model)
    assert result.logits.shape == (len(ids), c.vocab_size)
    np.testing.assert_array_equal(readout(model, result.residuals[-1]), result.logits)


def test_later_tokens_do_not_change_earlier_positions(model):
    ids = model.tokenizer.encode("A definition is a kind of promise.")
    keep = len(ids) - 3
    changed = [*ids[:keep], *[(i + 1) % model.config.vocab_size for i in ids[keep:]]]
    a, b = forward(model, ids), forward(model, changed)
    np.testing.assert_array_equal(a.residuals[:, :keep], b.residuals[:, :keep])
    assert not np.allclose(a.logits[keep:], b.logits[keep:])


def test_full_context_runs(model):
    ids = np.arange(model.config.context) % model.config.vocab_size
    assert np.isfinite(forward(model, ids).logits).all()


@pytest.mark.parametrize(
    "ids", [[], [-1], [10**6], np.zeros((2, 3), dtype=int)], ids=["empty", "neg", "big", "2d"]
)
def test_forward_refuses_bad_ids(model, ids):
    with pytest.raises(ValueError):
        forward(model, ids)


def test_forward_refuses_more_than_the_context(model):
    with pytest.raises(ValueError):
        forward(model, np.zeros(model.config.context + 1, dtype=int))


def test_gelu_is_the_tanh_formula_and_leaves_its_input_alone():
    x = np.concatenate([np.linspace(-12, 12, 2001), [0.0, -0.0, 1e-300, -40.0, 40.0]])
    kept = x.copy()
    expected = 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(gelu(x), expected, rtol=1e-13, atol=1e-300)
    np.testing.assert_array_equal(x, kept)


def test_layer_norm_gives_the_bits_of_mean_and_var():
    # One pass fewer, the same arithmetic: the lab's scores (shown rounded, ranked exactly)
    # must not move by a last bit.
    x = np.random.default_rng(5).normal(size=(3, 7, 128)) * 4 + 1
    weight, bias = np.linspace(0.5, 2, 128), np.linspace(-1, 1, 128)
    textbook = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(
        x.var(axis=-1, keepdims=True) + 1e-5
    ) * weight + bias
    kept = x.copy()
    np.testing.assert_array_equal(layer_norm(x, weight, bias, 1e-5), textbook)
    np.testing.assert_array_equal(x, kept)


def test_residual_stream_is_the_forward_pass_without_its_read_out(model):
    ids = model.tokenizer.encode("The reader believes him.")
    full = forward(model, ids)
    np.testing.assert_array_equal(residual_stream(model, ids), full.residuals)
    np.testing.assert_array_equal(readout(model, full.residuals)[-1], full.logits)


def test_every_stage_read_out_at_once_is_each_read_out_alone(model):
    # readout multiplies (stages * tokens, d_model) in one product: each stage comes back in
    # its place, with the bits it has when read out by itself.
    stream = residual_stream(model, model.tokenizer.encode("The lexicographer writes it down."))
    together = readout(model, stream)
    assert together.shape == (*stream.shape[:-1], model.config.vocab_size)
    for stage, residual in enumerate(stream):
        np.testing.assert_array_equal(together[stage], readout(model, residual))
    # One vector keeps its shape (BLAS takes another path for it: the last bits may differ).
    np.testing.assert_allclose(readout(model, stream[0, 0]), together[0, 0], rtol=1e-12)
