"""Benchmark: the softmax engine against SciPy's softmax, log_softmax and logsumexp.

Run: .venv/bin/python bench/engine.py [--repeat 9] [--quick]

For each shape and dtype, times whole calls as callers make them (engine.softmax(x) against
scipy.special.softmax(x, axis=-1), and so on), alternating engine and SciPy runs so that a
busy machine slows both alike. Prints the best and the median time per call over the
repeats and the ratio SciPy / engine (> 1 means the engine is faster), after checking that
both give the same numbers. A second table shows what an explicit ``np.isnan(x).any()``
scan would cost next to a whole softmax; the engine spots NaN in the row maxima instead.
Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import scipy.special  # noqa: E402

from lessons import engine  # noqa: E402

SHAPES = [(1, 10), (1000, 1000), (64, 50257), (16, 128, 128)]
DTYPES = [np.float32, np.float64]
FUNCTIONS = {
    "softmax": (engine.softmax, scipy.special.softmax),
    "log_softmax": (engine.log_softmax, scipy.special.log_softmax),
    "logsumexp": (engine.logsumexp, scipy.special.logsumexp),
}
MIN_BATCH_SECONDS = 0.02  # calls are batched until one batch takes at least this long


def batch_size(call: Callable[[], object]) -> int:
    """How many calls make one timed batch of at least MIN_BATCH_SECONDS (timeit's autorange)."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            call()
        if time.perf_counter() - start >= MIN_BATCH_SECONDS or number >= 100_000:
            return number
        number *= 2


def alternate(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Seconds per call for each function, measured in alternating batches."""
    number = max(batch_size(first), batch_size(second))
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, sink in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            for _ in range(number):
                call()
            sink.append((time.perf_counter() - start) / number)
    return times


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1e3:10.4f}"


def agreement(ours: object, theirs: object) -> float:
    """The largest difference between the two results, relative to their size."""
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed batches per function")
    parser.add_argument("--quick", action="store_true", help="3 repeats, for a smoke run")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    rng = np.random.default_rng(0)

    header = (
        f"{'shape':>15} {'dtype':>8} {'function':>12} {'engine ms':>10} {'scipy ms':>10} "
        f"{'ratio':>6} {'median ratio':>12} {'max diff':>9}"
    )
    print(f"best and median of {repeat} alternating batches; ratio = scipy / engine")
    print(header)
    print("-" * len(header))
    for shape in SHAPES:
        for dtype in DTYPES:
            x = (rng.standard_normal(shape) * 4).astype(dtype)
            for name, (ours, theirs) in FUNCTIONS.items():

                def ours_call(ours=ours, x=x):
                    return ours(x)

                def theirs_call(theirs=theirs, x=x):
                    return theirs(x, axis=-1)

                result = ours_call()
                assert np.asarray(result).dtype == np.dtype(dtype), (name, dtype)
                difference = agreement(result, theirs_call())
                mine, scipys = alternate(ours_call, theirs_call, repeat)
                ratio = min(scipys) / min(mine)
                median_ratio = statistics.median(scipys) / statistics.median(mine)
                print(
                    f"{shape!s:>15} {np.dtype(dtype).name:>8} {name:>12} "
                    f"{milliseconds(min(mine))} {milliseconds(min(scipys))} "
                    f"{ratio:6.2f} {median_ratio:12.2f} {difference:9.1e}"
                )

    print()
    print("What an explicit NaN scan would add (the engine reads NaN off the row maxima):")
    print(f"{'shape':>15} {'dtype':>8} {'softmax ms':>10} {'isnan ms':>10} {'share':>6}")
    for shape in SHAPES[1:]:
        for dtype in DTYPES:
            x = (rng.standard_normal(shape) * 4).astype(dtype)
            whole, scan = alternate(
                lambda x=x: engine.softmax(x), lambda x=x: np.isnan(x).any(), repeat
            )
            print(
                f"{shape!s:>15} {np.dtype(dtype).name:>8} {milliseconds(min(whole))} "
                f"{milliseconds(min(scan))} {min(scan) / min(whole):6.0%}"
            )


if __name__ == "__main__":
    main()
