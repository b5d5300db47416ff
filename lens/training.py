"""Training the lens model with PyTorch, and writing it out for the NumPy forward pass.

PyTorch is an optional dependency (``requirements-train.txt``); only ``manage.py train_model``
and the tests that compare against live PyTorch import this module. The network here must stay
the same as ``lens.transformer``'s: the tests hold the two together.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from lens.architecture import ModelConfig, stage_labels, weight_names
from lens.baseline import unigram_cross_entropy
from lens.corpus import HELD_OUT_FRACTION, Corpus, build_corpus
from lens.recipe import TrainingSettings
from lens.samples import SAMPLE_TEXTS
from lens.tokenizer import Tokenizer, train_tokenizer

THREADS = 2
# PyTorch logs cache statistics at INFO as the process exits; the project's root logger (INFO)
# would print them after the training report, or fail on a closed stream under pytest.
logging.getLogger("torch").setLevel(logging.WARNING)
REFERENCE_STAGE = 4  # "L2 mlp": the middle of the network, stored beside the final logits


class Attention(nn.Module):
    """Causal multi-head self-attention, written out so it matches the NumPy version op for op.

    Dropout acts on the block's output only: dropping attention weights costs a third of a
    training step on CPU for little gain at this size.
    """

    def __init__(self, config: ModelConfig, dropout: float) -> None:
        super().__init__()
        self.n_heads = config.n_heads
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = x.shape
        head = width // self.n_heads
        q, k, v = (
            part.view(batch, tokens, self.n_heads, head).transpose(1, 2)
            for part in self.qkv(x).split(width, dim=-1)
        )
        scores = q @ k.transpose(-2, -1) / math.sqrt(head)
        future = torch.ones(tokens, tokens, dtype=torch.bool, device=x.device).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        mixed = (weights @ v).transpose(1, 2).reshape(batch, tokens, width)
        return self.dropout(self.proj(mixed))


class MLP(nn.Module):
    """Two linear layers with a tanh-form GELU between them."""

    def __init__(self, config: ModelConfig, dropout: float) -> None:
        super().__init__()
        self.fc = nn.Linear(config.d_model, config.d_mlp)
        self.proj = nn.Linear(config.d_mlp, config.d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x), approximate="tanh")))


class Block(nn.Module):
    """Pre-LN attention, then pre-LN MLP, each added to the residual stream."""

    def __init__(self, config: ModelConfig, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.attn = Attention(config, dropout)
        self.ln2 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.mlp = MLP(config, dropout)


class TorchTransformer(nn.Module):
    """The lens model in PyTorch; parameter names match the npz's (``weight_names``)."""

    def __init__(self, config: ModelConfig, dropout: float = 0.0) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.d_model)
        self.wpe = nn.Embedding(config.context, config.d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(config, dropout) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.unembed = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.apply(_initialise)
        for name, parameter in self.named_parameters():
            if name.endswith("proj.weight"):  # GPT-2's scaling for what writes to the stream
                nn.init.normal_(parameter, std=0.02 / math.sqrt(2 * config.n_layers))

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits (batch, tokens, vocab) and the residual stream after every stage."""
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.wte(ids) + self.wpe(positions))
        residuals = [x]
        for block in self.blocks:
            x = x + block.attn(block.ln1(x))
            residuals.append(x)
            x = x + block.mlp(block.ln2(x))
            residuals.append(x)
        return self.unembed(self.ln_f(x)), residuals


def _initialise(module: nn.Module) -> None:
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


def configure_torch(seed: int) -> None:
    """Two threads, deterministic kernels, fixed seed: the same run gives the same weights."""
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    # Filling fresh tensors with NaN is a debugging aid, not needed for determinism; it costs
    # a quarter of each step on CPU.
    torch.utils.deterministic.fill_uninitialized_memory = False
    torch.manual_seed(seed)


def held_out_loss(model: TorchTransformer, ids: np.ndarray) -> float:
    """Cross-entropy (nats per token) over consecutive windows of the model's context.

    Every token but the first is predicted once, from the tokens before it in its window.
    """
    context = model.config.context
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, ids.size - 1, context):
            window = torch.from_numpy(ids[start : start + context + 1])
            logits, _ = model(window[None, :-1])
            total += F.cross_entropy(logits[0], window[1:], reduction="sum").item()
            count += window.numel() - 1
    return total / count


def export_arrays(model: TorchTransformer) -> dict[str, np.ndarray]:
    """The parameters as float32 arrays named as the npz names them; matrices as (in, out)."""
    state = model.state_dict()
    arrays = {}
    for name in weight_names(model.config):
        tensor = state[name] if name in state else state[f"{name}.weight"]
        array = tensor.detach().cpu().numpy().astype(np.float32)
        if name.endswith("weight") and array.ndim == 2:
            array = array.T
        arrays[name] = np.ascontiguousarray(array)
    return arrays


def reference_outputs(
    model: TorchTransformer, tokenizer: Tokenizer
) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Float64 logits and one middle residual stream for a few fixed inputs, for the tests."""
    double = TorchTransformer(model.config).double()
    double.load_state_dict(model.state_dict())
    double.eval()
    entries, arrays = [], {}
    for i, sample in enumerate(SAMPLE_TEXTS[:3]):
        ids = np.asarray(tokenizer.encode(sample.text), dtype=np.int32)[: model.config.context]
        with torch.no_grad():
            logits, residuals = double(torch.from_numpy(ids.astype(np.int64))[None])
        entries.append({"name": sample.slug, "stage": REFERENCE_STAGE})
        arrays[f"reference.{i}.token_ids"] = ids
        arrays[f"reference.{i}.logits"] = logits[0].numpy()
        arrays[f"reference.{i}.residual"] = residuals[REFERENCE_STAGE][0].numpy()
    return entries, arrays


def train(
    settings: TrainingSettings,
    *,
    output: Path,
    config: ModelConfig | None = None,
    corpus: Corpus | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Fit the tokenizer and the model on the corpus, write them to ``output``, return metadata."""
    started = time.perf_counter()
    configure_torch(settings.seed)
    rng = np.random.default_rng(settings.seed)
    config = config or ModelConfig()
    corpus = corpus or build_corpus()
    train_text, held_text = "".join(corpus.train), "".join(corpus.held_out)
    log(
        f"Corpus: {len(corpus.documents)} documents, {len(train_text):,} training characters, "
        f"{len(held_text):,} held out."
    )

    tokenizer = train_tokenizer(train_text, config.vocab_size)
    config = replace(config, vocab_size=tokenizer.vocab_size)
    train_ids = np.asarray(tokenizer.encode(train_text), dtype=np.int64)
    held_ids = np.asarray(tokenizer.encode(held_text), dtype=np.int64)
    log(
        f"Tokenizer: {tokenizer.vocab_size} tokens; {train_ids.size:,} training tokens "
        f"({len(train_text) / train_ids.size:.2f} characters each), {held_ids.size:,} held out."
    )
    if train_ids.size <= config.context + 1 or held_ids.size < 2:
        raise ValueError("the corpus is too small to train on")

    model = TorchTransformer(config, settings.dropout)
    parameters = sum(p.numel() for p in model.parameters())
    log(
        f"Model: {config.n_layers} layers, d_model {config.d_model}, {config.n_heads} heads, "
        f"context {config.context}, {parameters:,} parameters."
    )
    optimiser = make_optimiser(model, settings)

    span = config.context + 1
    offsets = np.arange(span)
    for step in range(1, settings.steps + 1):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(settings, step)
        starts = rng.integers(0, train_ids.size - span, size=settings.batch_size)
        batch = torch.from_numpy(train_ids[starts[:, None] + offsets])
        model.train()
        logits, _ = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), batch[:, 1:].reshape(-1))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if step % settings.eval_every == 0 or step == settings.steps:
            log(
                f"step {step:5d}  train loss {loss.item():.3f}  held-out loss "
                f"{held_out_loss(model, held_ids):.3f}  ({time.perf_counter() - started:.0f} s)"
            )

    model_loss = held_out_loss(model, held_ids)
    unigram_loss = unigram_cross_entropy(train_ids, held_ids[1:], config.vocab_size)
    seconds = time.perf_counter() - started
    log(
        f"Held-out cross-entropy: model {model_loss:.3f} nats/token, unigram (add-one) "
        f"{unigram_loss:.3f} nats/token."
    )

    entries, reference_arrays = reference_outputs(model, tokenizer)
    metadata = {
        "format": 1,
        "config": asdict(config),
        "stages": stage_labels(config.n_layers),
        "parameters": parameters,
        "training": {
            **asdict(settings),
            "seconds": round(seconds, 1),
            "torch": torch.__version__,
            "threads": THREADS,
        },
        "corpus": {
            "fingerprint": corpus.fingerprint(),
            "sources": corpus.describe(),
            "held_out_fraction": HELD_OUT_FRACTION,
            "train_tokens": int(train_ids.size),
            "held_out_tokens": int(held_ids.size),
        },
        "evaluation": {
            "units": "nats per token",
            "held_out_loss": round(model_loss, 4),
            "unigram_loss": round(unigram_loss, 4),
        },
        "references": entries,
    }
    output.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        output / "model.npz",
        metadata=np.array(json.dumps(metadata)),
        **export_arrays(model),
        **reference_arrays,
    )
    tokenizer.save(output / "tokenizer.json")
    return metadata


def make_optimiser(model: TorchTransformer, settings: TrainingSettings) -> torch.optim.AdamW:
    """AdamW, with weight decay on the matrices only (not biases, norms or positions)."""
    decays = {n: p.ndim == 2 and not n.startswith("wpe") for n, p in model.named_parameters()}
    return torch.optim.AdamW(
        [
            {
                "params": [p for n, p in model.named_parameters() if decays[n]],
                "weight_decay": settings.weight_decay,
            },
            {
                "params": [p for n, p in model.named_parameters() if not decays[n]],
                "weight_decay": 0.0,
            },
        ],
        lr=settings.learning_rate,
        betas=(0.9, 0.95),
    )


def learning_rate(settings: TrainingSettings, step: int) -> float:
    """Linear warm-up, then a cosine decay to a tenth of the peak."""
    if step <= settings.warmup_steps:
        return settings.learning_rate * step / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
