"""PURE: the lens model's forward pass in NumPy, from the committed weights.

A small decoder-only transformer: token and learned position embeddings, ``n_layers`` pre-LN
blocks (causal multi-head attention, then a GELU MLP, each added to the residual stream), a
final layer norm and an unembedding. ``lens.training`` defines the same network in PyTorch and
writes ``weights/model.npz``; nothing here needs PyTorch or Django.

The forward pass runs in float64 (the weights are stored as float32) and keeps the residual
stream after every stage: the embedding, then each block's attention and MLP.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from lens.architecture import MODEL_FILE, TOKENIZER_FILE, ModelConfig, weight_names
from lens.tokenizer import Tokenizer
from lessons import engine


@dataclass(frozen=True)
class Reference:
    """A fixed input and what PyTorch computed for it at training time (float64)."""

    name: str
    token_ids: np.ndarray
    logits: np.ndarray
    stage: int
    residual: np.ndarray


@dataclass(frozen=True)
class Model:
    """Weights (float64, matrices stored as (inputs, outputs)), tokenizer and training record.

    ``version`` names the exact weights and tokenizer (a hash of both files), so anything
    computed from the model and stored outside this process is keyed by it.
    """

    config: ModelConfig
    weights: dict[str, np.ndarray]
    tokenizer: Tokenizer
    metadata: dict
    references: tuple[Reference, ...]
    version: str = ""

    def parameter_count(self) -> int:
        """How many numbers the network has."""
        return int(sum(w.size for w in self.weights.values()))


@dataclass(frozen=True)
class Forward:
    """The residual stream after every stage, shape (stages, tokens, d_model), and the logits."""

    residuals: np.ndarray
    logits: np.ndarray


def load_model(weights_file: Path = MODEL_FILE, tokenizer_file: Path = TOKENIZER_FILE) -> Model:
    """Read an npz written by ``lens.training`` and its tokenizer JSON."""
    with np.load(weights_file, allow_pickle=False) as npz:
        metadata = json.loads(str(npz["metadata"]))
        config = ModelConfig(**metadata["config"])
        weights = {name: npz[name].astype(np.float64) for name in weight_names(config)}
        references = tuple(
            Reference(
                name=ref["name"],
                token_ids=npz[f"reference.{i}.token_ids"].astype(np.int64),
                logits=npz[f"reference.{i}.logits"],
                stage=ref["stage"],
                residual=npz[f"reference.{i}.residual"],
            )
            for i, ref in enumerate(metadata.get("references", []))
        )
    tokenizer = Tokenizer.load(tokenizer_file)
    if tokenizer.vocab_size != config.vocab_size:
        raise ValueError(
            f"{tokenizer_file} has {tokenizer.vocab_size} tokens, the model expects "
            f"{config.vocab_size}"
        )
    digest = hashlib.sha256(Path(weights_file).read_bytes())
    digest.update(Path(tokenizer_file).read_bytes())
    return Model(config, weights, tokenizer, metadata, references, digest.hexdigest()[:16])


@cache
def default_model() -> Model:
    """The committed model, read once per process."""
    return load_model()


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Normalise the last axis to mean 0 and variance 1, then scale and shift.

    The same arithmetic as ``x.mean`` and ``x.var`` (a sum divided by the count), so the same
    bits, with the centred values computed once and the rest done in place.
    """
    n = x.shape[-1]
    centred = x - np.add.reduce(x, axis=-1, keepdims=True) / n
    var = np.add.reduce(centred * centred, axis=-1, keepdims=True) / n
    var += eps
    centred /= np.sqrt(var, out=var)
    centred *= weight
    centred += bias
    return centred


SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (as PyTorch's ``approximate="tanh"``).

    The cube is ``x * x * x``, never ``x**3``: NumPy's power with an integer exponent of 3 goes
    through ``pow`` for every element and took 40% of the forward pass (``bench/lens.py``
    times both). In-place steps keep to one temporary array.
    """
    inner = x * x
    inner *= 0.044715
    inner += 1.0
    inner *= x  # x + 0.044715 x^3
    inner *= SQRT_2_OVER_PI
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= x
    inner *= 0.5
    return inner


def attention(model: Model, layer: int, x: np.ndarray) -> np.ndarray:
    """Causal multi-head self-attention of the normalised stream ``x`` (tokens, d_model)."""
    c, w = model.config, model.weights
    p = f"blocks.{layer}.attn"
    tokens, head = x.shape[0], c.d_model // c.n_heads
    qkv = x @ w[f"{p}.qkv.weight"] + w[f"{p}.qkv.bias"]
    q, k, v = (
        part.reshape(tokens, c.n_heads, head).transpose(1, 0, 2)
        for part in np.split(qkv, 3, axis=-1)
    )
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(head)
    future = np.triu(np.ones((tokens, tokens), dtype=bool), k=1)
    weights = engine.softmax(np.where(future, -np.inf, scores), axis=-1)  # -inf: masked
    mixed = (weights @ v).transpose(1, 0, 2).reshape(tokens, c.d_model)
    return mixed @ w[f"{p}.proj.weight"] + w[f"{p}.proj.bias"]


def mlp(model: Model, layer: int, x: np.ndarray) -> np.ndarray:
    """The block's two-layer GELU network, applied at each position."""
    w, p = model.weights, f"blocks.{layer}.mlp"
    hidden = gelu(x @ w[f"{p}.fc.weight"] + w[f"{p}.fc.bias"])
    return hidden @ w[f"{p}.proj.weight"] + w[f"{p}.proj.bias"]


def readout(model: Model, residual: np.ndarray) -> np.ndarray:
    """Logits from any residual stream: the final layer norm, then the unembedding.

    A stream of every stage (stages, tokens, d_model) is read out as one matrix product of
    (stages * tokens, d_model): NumPy's matmul would otherwise make one BLAS call per stage,
    which took a quarter longer for 9 stages of 64 tokens (``bench/lens.py``)."""
    w = model.weights
    normed = layer_norm(residual, w["ln_f.weight"], w["ln_f.bias"], model.config.layer_norm_eps)
    rows = normed.reshape(-1, normed.shape[-1])
    return (rows @ w["unembed.weight"]).reshape(*normed.shape[:-1], -1)


def forward(model: Model, token_ids: np.ndarray | list[int]) -> Forward:
    """Run the network on one sequence of token ids, keeping the stream after every stage."""
    residuals = residual_stream(model, token_ids)
    return Forward(residuals=residuals, logits=readout(model, residuals[-1]))


def residual_stream(model: Model, token_ids: np.ndarray | list[int]) -> np.ndarray:
    """The residual stream after every stage, shape (stages, tokens, d_model), without the
    read-out (the logit lens reads out every stage at once)."""
    ids = np.asarray(token_ids, dtype=np.int64)
    c, w = model.config, model.weights
    if ids.ndim != 1 or not 1 <= ids.size <= c.context:
        raise ValueError(f"expected 1 to {c.context} token ids, got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= c.vocab_size:
        raise ValueError(f"token ids must lie in [0, {c.vocab_size})")
    x = w["wte"][ids] + w["wpe"][: ids.size]
    residuals = [x]
    for layer in range(c.n_layers):
        b = f"blocks.{layer}"
        x = x + attention(
            model, layer, layer_norm(x, w[f"{b}.ln1.weight"], w[f"{b}.ln1.bias"], c.layer_norm_eps)
        )
        residuals.append(x)
        x = x + mlp(
            model, layer, layer_norm(x, w[f"{b}.ln2.weight"], w[f"{b}.ln2.bias"], c.layer_norm_eps)
        )
        residuals.append(x)
    return np.stack(residuals)
