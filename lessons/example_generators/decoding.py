"""Turning a distribution into choices: argmax, sampling, top-k / top-p, calibration."""

from __future__ import annotations

import random

import numpy as np

from exercises import draws
from exercises.display import (
    aligned,
    cls,
    fixed,
    fmt,
    num,
    nums,
    plain,
    shown_total,
    vec,
)
from lessons import engine
from lessons.examples import Example, Step, register

DRAWS = 20
NUCLEUS_MASSES = (0.6, 0.75, 0.8, 0.9)
HELD_OUT = 8
CALIBRATION_TEMPERATURES = (1.0, 1.5, 2.0, 3.0)
WINNING_LOGITS = draws.grid(3.0, 5.0, 0.5)
LOSING_LOGITS = draws.grid(0.0, 2.0, 0.5)
HIT_RATE = 0.6  # how often the held-out label agrees with the model's top class


def _fmt4(x: float) -> str:
    return fmt(x, 4)


def _classes(indices) -> str:
    """Class numbers as learners see them (1-based), e.g. '\\{1, 3\\}'."""
    return r"\{" + ", ".join(str(cls(i)) for i in indices) + r"\}"


@register("argmax_vs_sampling", "Argmax versus sampling")
def argmax_vs_sampling(key: str, seed: int, rng: random.Random) -> Example:
    """Argmax always picks one class; 20 seeded samples spread out roughly like p."""
    k = rng.choice([3, 4])
    z = draws.logits(rng, k, min_spread=1.0)
    sample_seed = rng.randrange(2**32)

    p = engine.softmax(z)
    top = int(engine.argmax(z))
    # One row per draw: the engine draws one uniform number per row from this generator.
    generator = np.random.default_rng(sample_seed)
    samples = plain(engine.sample(np.tile(z, (DRAWS, 1)), generator))
    counts = [samples.count(c) for c in range(k)]
    frequencies = [c / DRAWS for c in counts]
    expected = [float(DRAWS * v) for v in p]
    gaps = [abs(f - float(v)) for f, v in zip(frequencies, p, strict=True)]
    other = DRAWS - counts[top]

    steps = (
        Step(
            "Probabilities",
            rf"\mathbf{{p}} = \operatorname{{softmax}}{nums(z)} = {vec(p)}",
            "The distribution both methods start from.",
            {"probabilities": plain(p)},
        ),
        Step(
            "Argmax",
            rf"\arg\max_i z_i = {cls(top)}",
            f"Greedy decoding picks class {cls(top)} every single time: "
            f"{DRAWS} draws, {DRAWS} identical answers.",
            {"argmax": top},
        ),
        Step(
            f"{DRAWS} samples",
            "(" + ",".join(str(cls(s)) for s in samples) + ")",
            f"Each draw picks class $i$ with probability $p_i$ (from a seeded generator, "
            f"so these numbers are reproducible). {other} of the {DRAWS} draws are not "
            f"class {cls(top)}.",
            {"samples": samples},
        ),
        Step(
            "Count them",
            rf"\text{{counts}} = {nums(counts)},\quad {DRAWS}\,\mathbf{{p}} = {vec(expected)}",
            "Observed counts next to the counts the probabilities lead us to expect.",
            {"counts": counts, "expected_counts": expected},
        ),
        Step(
            "Frequencies against probabilities",
            rf"\text{{frequencies}} = {nums(frequencies)},\quad \mathbf{{p}} = {vec(p)},"
            rf"\quad \max_i |f_i - p_i| = {fmt(max(gaps))}",
            f"With only {DRAWS} draws the frequencies wander around the probabilities; "
            "more draws would bring them closer.",
            {"frequencies": frequencies, "max_gap": max(gaps)},
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A model outputs logits $\\mathbf{{z}} = {nums(z)}$. Compare picking the argmax "
            f"with drawing {DRAWS} samples from $\\operatorname{{softmax}}(\\mathbf{{z}})$."
        ),
        steps=steps,
        result=(
            f"Argmax always answers class {cls(top)}; sampling gave counts "
            f"${nums(counts)}$ against expected ${vec(expected)}$."
        ),
        insight=(
            "Argmax throws away everything but the top class, while sampling keeps the "
            "whole distribution, including its less likely options."
        ),
        inputs={"logits": z, "draws": DRAWS, "sample_seed": sample_seed},
    )


@register("top_k_top_p", "Top-k and nucleus (top-p) filtering")
def top_k_top_p(key: str, seed: int, rng: random.Random) -> Example:
    """Keep the k most likely tokens, or the smallest set whose mass reaches p; renormalise."""
    size = 5
    keep_k = rng.choice([2, 3])
    mass = rng.choice(NUCLEUS_MASSES)

    def clear_cut(z: list[float]) -> bool:
        cumulative = np.cumsum(np.sort(engine.softmax(z))[::-1])
        return bool(np.min(np.abs(cumulative - mass)) > 1e-3 and cumulative[-2] > mass)

    z = draws.until(lambda: draws.logits(rng, size, min_spread=2.0), clear_cut)

    p = engine.softmax(z)
    order = [int(i) for i in np.argsort(-p, kind="stable")]
    sorted_p = p[order]
    cumulative = np.cumsum(sorted_p)
    top_indices, _ = engine.top_k(z, keep_k)
    top_indices = sorted(int(i) for i in np.ravel(top_indices))
    top_mass = float(np.sum(p[top_indices]))
    mass_terms = [fixed(p[i], 4) for i in top_indices]  # shown, with their total
    top_probabilities = np.zeros(size)
    top_probabilities[top_indices] = p[top_indices] / top_mass
    nucleus = np.asarray(engine.top_p_mask(z, mass), dtype=bool)
    nucleus_indices = [int(i) for i in np.flatnonzero(nucleus)]
    nucleus_mass = float(np.sum(p[nucleus]))
    nucleus_probabilities = np.where(nucleus, p, 0.0) / nucleus_mass

    steps = (
        Step(
            "Sort by probability",
            rf"\mathbf{{p}} = {vec(p)},\quad \text{{order: }} "
            + r" \succ ".join(str(cls(i)) for i in order),
            "Both filters start from the most likely token and work down.",
            {"probabilities": plain(p), "order": order, "sorted_probabilities": plain(sorted_p)},
        ),
        Step(
            f"Keep the top {keep_k}",
            rf"\text{{kept}} = {_classes(top_indices)},\quad"
            rf" \text{{mass}} = {' + '.join(mass_terms)} = {shown_total(mass_terms, 4)}",
            f"Top-k keeps a fixed number of tokens, here {keep_k}, however the mass is spread.",
            {
                "top_k_indices": top_indices,
                "top_k_mass": top_mass,
                "shown_mass": float(shown_total(mass_terms, 4)),
            },
        ),
        Step(
            "Renormalise the top k",
            rf"\mathbf{{p}}^{{(k = {keep_k})}} = {vec(top_probabilities)}",
            "Divide the kept probabilities by their total so they sum to 1 again.",
            {"top_k_probabilities": plain(top_probabilities)},
        ),
        Step(
            "Running total for the nucleus",
            rf"\text{{cumulative}} = {vec(cumulative)}",
            f"Add the sorted probabilities until the total reaches $p = {num(mass)}$.",
            {"cumulative": plain(cumulative)},
        ),
        Step(
            f"Keep the nucleus for p = {num(mass)}",
            rf"\text{{kept}} = {_classes(nucleus_indices)},\quad"
            rf" \mathbf{{p}}^{{(p = {num(mass)})}} = {vec(nucleus_probabilities)}",
            f"The nucleus holds {len(nucleus_indices)} token"
            f"{'s' if len(nucleus_indices) > 1 else ''} with mass {fmt(nucleus_mass)}: "
            "its size adapts to how peaked the distribution is.",
            {
                "top_p_mask": plain(nucleus),
                "top_p_indices": nucleus_indices,
                "top_p_mass": nucleus_mass,
                "top_p_probabilities": plain(nucleus_probabilities),
            },
        ),
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"Next-token logits over {size} tokens are $\\mathbf{{z}} = {nums(z)}$. Filter "
            f"the distribution with top-k for $k = {keep_k}$, and separately with top-p "
            f"(nucleus) for $p = {num(mass)}$; renormalise both."
        ),
        steps=steps,
        result=(
            f"Top-{keep_k} keeps tokens ${_classes(top_indices)}$ with "
            f"$\\mathbf{{p}}^{{(k)}} = {vec(top_probabilities)}$; the nucleus keeps "
            f"${_classes(nucleus_indices)}$ with "
            f"$\\mathbf{{p}}^{{(p)}} = {vec(nucleus_probabilities)}$."
        ),
        insight=(
            "Top-k cuts a fixed number of tokens, top-p cuts a fixed amount of probability, "
            "and both renormalise what is left before sampling."
        ),
        inputs={"logits": z, "k": keep_k, "p": mass},
    )


@register("temperature_scaling_calibration", "Calibrating confidence with temperature")
def temperature_scaling_calibration(key: str, seed: int, rng: random.Random) -> Example:
    """An overconfident model on 8 held-out examples, softened by dividing logits by T."""

    def draw_row() -> tuple[list[float], int]:
        winner = rng.randrange(3)
        row = [float(rng.choice(LOSING_LOGITS)) for _ in range(3)]
        row[winner] = float(rng.choice(WINNING_LOGITS))
        if rng.random() < HIT_RATE:
            return row, winner
        return row, rng.choice([c for c in range(3) if c != winner])

    def draw_set() -> list[tuple[list[float], int]]:
        return [draw_row() for _ in range(HELD_OUT)]

    def overconfident(rows: list[tuple[list[float], int]]) -> bool:
        logits = np.array([r for r, _ in rows])
        hits = np.mean(np.argmax(logits, axis=1) == np.array([y for _, y in rows]))
        if not 0.25 <= hits <= 0.875:
            return False
        return np.mean(np.max(engine.softmax(logits), axis=1)) - hits >= 0.1

    held_out = draws.until(draw_set, overconfident)
    rows = [r for r, _ in held_out]
    labels = [y for _, y in held_out]
    logits = np.array(rows)
    predictions = plain(engine.argmax(logits))
    correct = [int(pred == y) for pred, y in zip(predictions, labels, strict=True)]
    accuracy = sum(correct) / HELD_OUT

    temperatures = list(CALIBRATION_TEMPERATURES)
    confidences = [
        plain(np.max(engine.softmax(logits, temperature=t), axis=1)) for t in temperatures
    ]
    mean_confidences = [float(np.mean(c)) for c in confidences]
    gaps = [m - accuracy for m in mean_confidences]
    targets = np.array(labels)
    nll = [float(np.mean(engine.cross_entropy(logits / t, targets))) for t in temperatures]
    closest = int(np.argmin(np.abs(gaps)))
    best_nll = int(np.argmin(nll))

    steps = (
        Step(
            "Confidence and correctness at T = 1",
            rf"\mathbf{{c}} = {vec(confidences[0])},\quad \text{{correct}} = {nums(correct)}",
            "The confidence of a prediction is its largest softmax probability.",
            {"predictions": predictions, "confidences_t1": confidences[0], "correct": correct},
        ),
        Step(
            "Average confidence against accuracy",
            rf"\bar c = {fmt(mean_confidences[0])},\quad \text{{accuracy}} = "
            rf"\frac{{{sum(correct)}}}{{{HELD_OUT}}} = {num(accuracy)},\quad"
            rf" \text{{gap}} = {fmt(gaps[0])}",
            "A calibrated model's average confidence would match its accuracy; this one "
            "claims more than it delivers.",
            {"mean_confidence": mean_confidences[0], "accuracy": accuracy, "gap": gaps[0]},
        ),
        Step(
            "Divide the logits by T",
            aligned(
                [
                    rf"T = {num(t)}: &\quad \mathbf{{c}} = {vec(c)}"
                    for t, c in zip(temperatures[1:], confidences[1:], strict=True)
                ]
            ),
            "A larger $T$ flattens every softmax, so every confidence drops, while the "
            "predicted classes, and hence the accuracy, stay the same.",
            {"temperatures": temperatures, "confidences": confidences},
        ),
        Step(
            "Average confidence at each temperature",
            aligned(
                [
                    rf"T = {num(t)}: &\quad \bar c = {fmt(m)},\ \text{{gap}} = {fmt(g)}"
                    for t, m, g in zip(temperatures, mean_confidences, gaps, strict=True)
                ]
            ),
            f"$T = {num(temperatures[closest])}$ brings the average confidence closest to "
            f"the accuracy of {num(accuracy)}.",
            {"mean_confidences": mean_confidences, "gaps": gaps, "closest": closest},
        ),
        Step(
            "Held-out loss at each temperature",
            aligned(
                [
                    rf"T = {num(t)}: &\quad \text{{NLL}} = {fmt(v, 4)}"
                    for t, v in zip(temperatures, nll, strict=True)
                ]
            ),
            "Temperature scaling is usually fitted by minimising this negative "
            f"log-likelihood; on this grid the best is $T = {num(temperatures[best_nll])}$.",
            {"nll": nll, "best_nll": best_nll},
        ),
    )
    table = " ".join(
        f"${nums(r)}$ (label {cls(y)})" + (";" if n < HELD_OUT - 1 else ".")
        for n, (r, y) in enumerate(held_out)
    )
    return Example(
        key=key,
        seed=seed,
        statement=(
            f"A 3-class model is checked on {HELD_OUT} held-out examples, with logits and true "
            f"labels: {table} Compare its average confidence with its accuracy, then divide "
            f"the logits by $T = {', '.join(num(t) for t in temperatures[1:])}$."
        ),
        steps=steps,
        result=(
            f"At $T = 1$ the average confidence is ${fmt(mean_confidences[0])}$ against an "
            f"accuracy of ${num(accuracy)}$; at $T = {num(temperatures[closest])}$ the gap "
            f"shrinks to ${fmt(gaps[closest])}$."
        ),
        insight=(
            "Dividing logits by a temperature above 1 lowers confidence without changing "
            "any prediction, which is why it is a cheap fix for overconfidence."
        ),
        inputs={"logit_rows": rows, "labels": labels, "temperatures": temperatures},
    )
