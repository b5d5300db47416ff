"""PURE: the training recipe, everything besides the corpus that decides the trained weights.

Kept apart from ``lens.training`` so ``manage.py train_model --help`` can show the defaults
without PyTorch installed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingSettings:
    """Optimiser and schedule settings for ``lens.training.train``."""

    steps: int = 1200
    seed: int = 0
    batch_size: int = 8
    learning_rate: float = 3e-3
    warmup_steps: int = 100
    weight_decay: float = 0.1
    dropout: float = 0.0
    eval_every: int = 200
