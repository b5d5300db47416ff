"""NumPy against live PyTorch on the same weights, and a tiny end-to-end training run.

Skipped where PyTorch (requirements-train.txt) is not installed.
"""

import gzip

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lens.architecture import ModelConfig  # noqa: E402
from lens.corpus import build_corpus  # noqa: E402
from lens.recipe import TrainingSettings  # noqa: E402
from lens.samples import SAMPLE_TEXTS  # noqa: E402
from lens.training import TorchTransformer, export_arrays, train  # noqa: E402
from lens.transformer import forward, load_model  # noqa: E402


def torch_model(model, dtype):
    """A PyTorch network holding the committed weights (npz matrices are (in, out))."""
    net = TorchTransformer(model.config).to(dtype)
    state = {}
    for name, array in model.weights.items():
        key = name if name in net.state_dict() else f"{name}.weight"
        value = array.T if name.endswith("weight") and array.ndim == 2 else array
        state[key] = torch.from_numpy(np.ascontiguousarray(value)).to(dtype)
    net.load_state_dict(state)
    return net.eval()


def test_every_stage_matches_pytorch_in_float64(model):
    net = torch_model(model, torch.float64)
    ids = model.tokenizer.encode(SAMPLE_TEXTS[4].text)
    with torch.no_grad():
        logits, residuals = net(torch.tensor([ids]))
    result = forward(model, ids)
    np.testing.assert_allclose(result.logits, logits[0].numpy(), rtol=0, atol=1e-9)
    for stage, residual in enumerate(residuals):
        np.testing.assert_allclose(result.residuals[stage], residual[0].numpy(), atol=1e-9)


def test_output_matches_pytorch_in_float32(model):
    net = torch_model(model, torch.float32)
    ids = model.tokenizer.encode(SAMPLE_TEXTS[5].text)
    with torch.no_grad():
        logits, _ = net(torch.tensor([ids]))
    np.testing.assert_allclose(forward(model, ids).logits, logits[0].numpy(), atol=1e-3)


def test_export_round_trips_the_weights(model):
    net = torch_model(model, torch.float32)
    arrays = export_arrays(net)
    for name, array in model.weights.items():
        np.testing.assert_array_equal(arrays[name], array.astype(np.float32))


def tiny_training(tmp_path, output):
    """Train a very small model on a made-up corpus, as the command would, into ``output``."""
    lessons = tmp_path / "fixtures" / "concepts"
    lessons.mkdir(parents=True, exist_ok=True)
    (lessons / "a.md").write_text("The softmax turns scores into probabilities.\n" * 40)
    dictd = tmp_path / "devil.dict.dz"
    body = "PREFACE\n\n" + "CAT, n.  A soft machine that purrs when it is fed.\n\n" * 80
    dictd.write_bytes(gzip.compress(body.encode()))
    config = ModelConfig(vocab_size=120, context=32, d_model=16, n_layers=2, n_heads=2, d_mlp=32)
    settings = TrainingSettings(steps=4, batch_size=2, warmup_steps=2, eval_every=2)
    return train(
        settings,
        output=output,
        config=config,
        corpus=build_corpus(tmp_path / "fixtures", dictd),
        log=lambda line: None,
    )


def test_a_tiny_training_run_writes_a_model_numpy_can_read(tmp_path):
    metadata = tiny_training(tmp_path, tmp_path / "out")

    trained = load_model(tmp_path / "out" / "model.npz", tmp_path / "out" / "tokenizer.json")
    assert trained.config.n_layers == 2
    assert metadata["evaluation"]["held_out_loss"] > 0
    assert len(trained.references) == 3
    for reference in trained.references:
        result = forward(trained, reference.token_ids)
        np.testing.assert_allclose(result.logits, reference.logits, rtol=0, atol=1e-9)


def test_training_twice_gives_the_same_weights(tmp_path):
    tiny_training(tmp_path, tmp_path / "one")
    tiny_training(tmp_path, tmp_path / "two")
    with (
        np.load(tmp_path / "one" / "model.npz") as one,
        np.load(tmp_path / "two" / "model.npz") as two,
    ):
        for name in one.files:
            if name != "metadata":
                np.testing.assert_array_equal(one[name], two[name])
