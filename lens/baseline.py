"""PURE: the unigram baseline the trained model has to beat on held-out text."""

from __future__ import annotations

import numpy as np


def unigram_log_probabilities(train_ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """Log-probability of each token from its training frequency, with add-one smoothing."""
    counts = np.bincount(np.asarray(train_ids, dtype=np.int64), minlength=vocab_size)
    return np.log(counts + 1.0) - np.log(counts.sum() + vocab_size)


def unigram_cross_entropy(
    train_ids: np.ndarray, held_out_ids: np.ndarray, vocab_size: int
) -> float:
    """Mean negative log-probability (nats per token) of the held-out tokens under the unigram."""
    log_p = unigram_log_probabilities(train_ids, vocab_size)
    return float(-log_p[np.asarray(held_out_ids, dtype=np.int64)].mean())
