"""Benchmark: the logit-evolution lab's data for a 64-token text, against the bare forward pass.

Run: .venv/bin/python bench/lens.py [--tokens 64] [--repeat 20]

Prints the time to build all three figures' data for every position (``logit_lens``), split
into its parts, beside the forward pass alone as the reference in the same run; then the cost
of each stage (each attention and MLP block, and reading one stage out through the final norm
and unembedding); then the same for the longest text the lab accepts. Best of ``--repeat``.
Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from lens import logit_lens as lens  # noqa: E402
from lens import transformer  # noqa: E402
from lens.samples import SAMPLE_TEXTS  # noqa: E402


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def text_of(model: transformer.Model, n_tokens: int) -> str:
    """A text of exactly ``n_tokens`` tokens, cut from the sample texts."""
    ids = model.tokenizer.encode(" ".join(s.text for s in SAMPLE_TEXTS))
    text = model.tokenizer.decode(ids[:n_tokens])
    assert len(model.tokenizer.encode(text)) == n_tokens
    return text


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def report(model: transformer.Model, text: str, repeat: int) -> None:
    ids = model.tokenizer.encode(text)
    n = len(ids)
    print(f"\n== {n} tokens ({len(text)} characters), all {n} positions ==")
    total = best_of(lambda: lens.logit_lens(text, model=model), repeat)
    forward = best_of(lambda: transformer.forward(model, ids), repeat)
    tokenise = best_of(lambda: model.tokenizer.encode_with_spans(text), repeat)
    residuals = transformer.forward(model, ids).residuals
    readout = best_of(lambda: transformer.readout(model, residuals), repeat)
    logits = transformer.readout(model, residuals)
    evolution = best_of(lambda: lens.top_token_evolution(logits), repeat)
    top_ids = lens.top_token_evolution(logits)["top_ids"]
    histograms = best_of(lambda: lens.logit_histograms(logits, top_ids), repeat)
    result = lens.logit_lens(text, model=model)
    size = len(json.dumps(result, separators=(",", ":")))

    ratio = total / forward
    print(f"  logit_lens, all three figures   {ms(total)}   {ratio:5.1f}x the forward pass")
    print(f"  reference: forward pass alone   {ms(forward)}")
    print(f"    tokenise                      {ms(tokenise)}")
    print(f"    read out every stage          {ms(readout)}")
    print(f"    top-10 scores, ranks, probs   {ms(evolution)}")
    print(f"    histograms                    {ms(histograms)}")
    rest = total - forward - tokenise - readout - evolution - histograms
    print(f"    lists and dicts for the page  {ms(rest)}")
    print(f"  JSON: {size / 1024:.0f} KiB, {size / n / 1024:.1f} KiB per position")


def per_stage(model: transformer.Model, text: str, repeat: int) -> None:
    ids = model.tokenizer.encode(text)
    c, w = model.config, model.weights
    print(f"\n== per stage, {len(ids)} tokens ==")
    x = transformer.forward(model, ids).residuals
    embed = best_of(lambda: w["wte"][np.asarray(ids)] + w["wpe"][: len(ids)], repeat)
    print(f"  {'embed':8s} {ms(embed)}")
    for layer in range(c.n_layers):
        b = f"blocks.{layer}"
        ln1 = transformer.layer_norm(
            x[2 * layer], w[f"{b}.ln1.weight"], w[f"{b}.ln1.bias"], c.layer_norm_eps
        )
        ln2 = transformer.layer_norm(
            x[2 * layer + 1], w[f"{b}.ln2.weight"], w[f"{b}.ln2.bias"], c.layer_norm_eps
        )
        attn = best_of(lambda: transformer.attention(model, layer, ln1), repeat)  # noqa: B023
        mlp = best_of(lambda: transformer.mlp(model, layer, ln2), repeat)  # noqa: B023
        print(f"  L{layer + 1} attn  {ms(attn)}")
        print(f"  L{layer + 1} mlp   {ms(mlp)}")
    one = best_of(lambda: transformer.readout(model, x[0]), repeat)
    print(f"  read out one stage (final norm + unembedding) {ms(one)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    model = transformer.default_model()
    c = model.config
    print(
        f"Model: {c.n_layers} layers, d_model {c.d_model}, vocab {c.vocab_size}, "
        f"{model.parameter_count():,} parameters, {c.n_stages} stages"
    )
    text = text_of(model, args.tokens)
    report(model, text, args.repeat)
    per_stage(model, text, args.repeat)
    longest = " ".join(s.text for s in SAMPLE_TEXTS)[: lens.TEXT_LIMIT]
    report(model, longest, max(3, args.repeat // 4))


if __name__ == "__main__":
    main()
