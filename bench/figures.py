"""Benchmark: rendering each lesson figure as SVG, against the straightforward pyplot way.

Run: .venv/bin/python bench/figures.py [--repeat 20]

For each figure kind, at 3 and at 12 logits, prints the median wall-clock and CPU time of
`figures.render` after a warm-up, the median CPU time of a reference drawn the way most
matplotlib examples do it (pyplot, one Rectangle per bar, ticks, bar_label, tight_layout,
default SVG settings) in the same run, their ratio, and the size of both SVGs. CPU time and
the ratio hold up when other processes share the machine; wall time does not. The budget is
100 ms per figure. Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lessons import engine, figures  # noqa: E402

CASES = {
    "3 logits": ((2.0, 1.0, 0.5), 1.0),
    "12 logits": ((3.1, -0.4, 1.7, 0.0, 2.2, -1.3, 0.9, 1.1, -2.0, 0.3, 2.8, -0.7), 0.7),
}


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds per call, after one warm-up call."""
    fn()  # warm-up: fonts, caches, first-use imports
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def reference_svg(spec: figures.FigureSpec) -> str:
    """The same content drawn the usual way: pyplot, bar, bar_label, tight_layout."""
    z = np.array(spec.logits)
    labels = [f"{v:g}" for v in z]
    fig = plt.figure(figsize=(figures.WIDTH_PX / 72, figures.HEIGHT_PX / 72))
    if spec.kind == "probabilities":
        ax = fig.add_subplot()
        p = engine.softmax(z, temperature=spec.temperature)
        bars = ax.bar(labels, p)
        ax.bar_label(bars, fmt="%.2f")
        ax.set(xlabel="logit", ylabel="probability", title="Softmax probabilities")
    elif spec.kind == "temperature":
        ax = fig.add_subplot()
        x = np.arange(len(z))
        for j, t in enumerate(figures.TEMPERATURES):
            p = engine.softmax(z, temperature=t)
            ax.bar(x + (j - 1.5) * 0.2, p, width=0.2, hatch=["", "//", "\\\\", "xx"][j], label=t)
        ax.set_xticks(x, labels)
        ax.legend(title="T")
        ax.set(xlabel="logit", ylabel="probability", title="Softmax at several temperatures")
    else:
        p = engine.softmax(z, temperature=spec.temperature)
        for i, (values, title) in enumerate(
            [(z / spec.temperature, "logits"), (p / p.max(), "exp(z - max)"), (p, "softmax")]
        ):
            ax = fig.add_subplot(1, 3, i + 1)
            bars = ax.bar(labels, values)
            ax.bar_label(bars, fmt="%.2f")
            ax.set_title(title)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed renders per figure")
    args = parser.parse_args()

    print(f"matplotlib {matplotlib.__version__}, median of {args.repeat} renders after a warm-up")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    header = (
        f"{'figure':<15} {'case':<10} {'wall ms':>8} {'cpu ms':>7} {'ref cpu':>8} {'ratio':>6} "
        f"{'KB':>5} {'ref KB':>6}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for kind in figures.KINDS:
        for case, (logits, temperature) in CASES.items():
            spec = figures.FigureSpec(kind, logits, temperature)
            wall, ours = median_ms(lambda spec=spec: figures.render(spec), args.repeat)
            _, reference = median_ms(lambda spec=spec: reference_svg(spec), args.repeat)
            size = len(figures.render(spec).svg.encode()) / 1024
            reference_size = len(reference_svg(spec).encode()) / 1024
            worst = max(worst, ours)
            print(
                f"{kind:<15} {case:<10} {wall:8.1f} {ours:7.1f} {reference:8.1f} "
                f"{ours / reference:6.2f} {size:5.1f} {reference_size:6.1f}"
            )
    verdict = "within" if worst < 100 else "OVER"
    print(f"\nslowest figure: {worst:.1f} ms of CPU ({verdict} the 100 ms budget)")


if __name__ == "__main__":
    main()
