"""PURE: the lens network's shape, stage names, parameter names and where its weights live.

Shared by the NumPy forward pass (``lens.transformer``) and PyTorch training
(``lens.training``), so the two agree on what the npz holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MODEL_FILE = WEIGHTS_DIR / "model.npz"
TOKENIZER_FILE = WEIGHTS_DIR / "tokenizer.json"


@dataclass(frozen=True)
class ModelConfig:
    """The shape of the network."""

    vocab_size: int = 512
    context: int = 256
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    d_mlp: int = 512
    layer_norm_eps: float = 1e-5

    @property
    def n_stages(self) -> int:
        """The embedding plus an attention and an MLP stage per layer."""
        return 1 + 2 * self.n_layers


def stage_labels(n_layers: int) -> list[str]:
    """``["embed", "L1 attn", "L1 mlp", ..., "Ln mlp"]``."""
    labels = ["embed"]
    for layer in range(1, n_layers + 1):
        labels += [f"L{layer} attn", f"L{layer} mlp"]
    return labels


def weight_names(config: ModelConfig) -> list[str]:
    """Every array the network needs, in the npz's naming."""
    names = ["wte", "wpe"]
    for i in range(config.n_layers):
        names += [
            f"blocks.{i}.ln1.weight",
            f"blocks.{i}.ln1.bias",
            f"blocks.{i}.attn.qkv.weight",
            f"blocks.{i}.attn.qkv.bias",
            f"blocks.{i}.attn.proj.weight",
            f"blocks.{i}.attn.proj.bias",
            f"blocks.{i}.ln2.weight",
            f"blocks.{i}.ln2.bias",
            f"blocks.{i}.mlp.fc.weight",
            f"blocks.{i}.mlp.fc.bias",
            f"blocks.{i}.mlp.proj.weight",
            f"blocks.{i}.mlp.proj.bias",
        ]
    return [*names, "ln_f.weight", "ln_f.bias", "unembed.weight"]
