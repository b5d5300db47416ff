"""Benchmark: the logit-evolution lab's data for a 64-token text, against the bare forward pass.

Run: .venv/bin/python bench/lens.py [--tokens 64] [--repeat 30] [--rounds N] [--only-data]

Prints, each beside its reference in the same run (best of ``--repeat``, the runs of the
things compared interleaved, so a busy machine slows both alike):

* the lab's data for every position of a 64-token text (``logit_lens``, then its JSON, as
  the server computes it once per text) against the forward pass alone, split into parts
  (the histograms with numba's kernel and, for comparison, with NumPy alone), with the page
  faults per text, the least the data could cost (residual stream, read-out and JSON) as a
  ratio too, and what the kernel costs once per process: importing numba, then compiling
  it or reading it from numba's cache; the target is at most 2x; ``--rounds N`` races the
  two again N times and prints the lowest, median and highest ratio (``--only-data`` stops
  there);
* GELU's cube written ``x**3`` against ``x * x * x``, and the forward pass with each;
* NumPy's BLAS at one thread (what every site process uses, lens/apps.py) against the
  library's default of one per core: wall and CPU time of the forward pass and the data,
  alone and with a second process doing the same (a busy machine);
* the longest text the lab takes (256 characters, each its own token): CPU time, JSON
  bytes and what is sent gzipped.

Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import gzip
import math
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import orjson  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from lens import logit_lens as lens  # noqa: E402
from lens import transformer  # noqa: E402
from lens.samples import SAMPLE_TEXTS  # noqa: E402
from lens.selectors import GZIP_LEVEL  # noqa: E402

LONGEST = "".join(chr(0x2600 + i) for i in range(lens.TEXT_LIMIT))  # unknown characters


def race(functions: dict, repeat: int, clock=time.thread_time) -> dict[str, float]:
    """Best time of each function, running them in turn ``repeat`` times."""
    best = dict.fromkeys(functions, math.inf)
    for _ in range(repeat):
        for name, function in functions.items():
            start = clock()
            function()
            best[name] = min(best[name], clock() - start)
    return best


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def text_of(model: transformer.Model, n_tokens: int) -> str:
    """A text of exactly ``n_tokens`` tokens, cut from the sample texts."""
    ids = model.tokenizer.encode(" ".join(s.text for s in SAMPLE_TEXTS))
    text = model.tokenizer.decode(ids[:n_tokens])
    assert len(model.tokenizer.encode(text)) == n_tokens
    return text


def lab_data(text: str, model: transformer.Model) -> bytes:
    """What the server computes once per text: every position's data as JSON."""
    return lens.lens_json(text, model=model)


def forward_and_data(model: transformer.Model, text: str) -> dict:
    """The two things raced: the forward pass alone, and the lab's data for every position."""
    ids = model.tokenizer.encode(text)
    return {
        "forward": lambda: transformer.forward(model, ids),
        "data": lambda: lab_data(text, model),
    }


def minor_faults() -> int:
    """Page faults this process has taken that needed no disk (fresh memory being mapped)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def numpy_histograms(logits: np.ndarray, top_ids: np.ndarray) -> dict:
    """The histograms as they are computed without numba (``exact_rows`` for every row)."""
    with mock.patch.object(lens, "histogram_kernel", return_value=None):
        return lens.logit_histograms(logits, top_ids)


def mean_and_std(rows: np.ndarray) -> np.ndarray:
    """What ``logit_histograms`` computes in NumPy before its kernel."""
    mean = np.add.reduce(rows, axis=-1) / rows.shape[-1]
    centred = rows - mean[:, None]
    return np.sqrt(np.einsum("pv,pv->p", centred, centred) / rows.shape[-1])


# Run in a fresh process: numba's import, then the kernel compiled or read from the cache.
FIRST_CALL = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
import numba
imported = time.perf_counter()
from lens import logit_lens
logit_lens.histogram_kernel()
print(imported - start, time.perf_counter() - imported)
"""


def kernel_once(runs: int = 3) -> dict[str, float]:
    """Seconds to import numba and to get the kernel, in fresh processes, with an empty
    numba cache (it compiles) and then with the cache it wrote (it reads): best of ``runs``."""
    best = {"import": math.inf, "compile": math.inf, "cached": math.inf}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = os.environ | {"NUMBA_CACHE_DIR": cache}
            for kind in ("compile", "cached"):
                command = [sys.executable, "-c", FIRST_CALL, str(ROOT)]
                output = subprocess.run(command, env=env, capture_output=True, check=True)
                imported, kernel = map(float, output.stdout.split())
                best["import"] = min(best["import"], imported)
                best[kind] = min(best[kind], kernel)
    return best


def data_against_forward(model: transformer.Model, text: str, repeat: int) -> None:
    ids = model.tokenizer.encode(text)
    n = len(ids)
    logits = lens.stage_logits(model, ids)
    evolution = lens.top_token_evolution(logits)
    result = lens.logit_lens(text, model=model)
    residuals = transformer.residual_stream(model, ids)
    rows = logits.reshape(-1, logits.shape[-1])
    # The data against the forward pass alone first: the parts below make and drop arrays of
    # every stage's scores, which would change what the allocator has at hand for the data.
    before = minor_faults()
    best = race(forward_and_data(model, text), repeat)
    faults = (minor_faults() - before) / repeat
    best |= race(
        {
            "residuals": lambda: transformer.residual_stream(model, ids),
            "readout": lambda: transformer.readout(model, residuals),
            "top": lambda: lens.top_token_evolution(logits),
            "histograms": lambda: lens.logit_histograms(logits, evolution["top_ids"]),
            "numpy": lambda: numpy_histograms(logits, evolution["top_ids"]),
            "mean": lambda: mean_and_std(rows),
            "json": lambda: orjson.dumps(result),
            "pass": lambda: np.multiply(logits, 2.0),
        },
        repeat,
    )
    body = orjson.dumps(result)
    forward = best["forward"]
    print(f"\n== {n} tokens ({len(text)} characters), every position: the lab's data ==")
    ratio = best["data"] / forward
    print(f"  the lab's data, JSON included   {ms(best['data'])}   {ratio:4.2f}x the forward pass")
    print(f"  reference: forward pass alone   {ms(forward)}   (target: data <= 2x)")
    print(f"    residual stream (no read-out) {ms(best['residuals'])}")
    print(f"    read out every stage          {ms(best['readout'])}")
    print(f"    top 10 and their scores       {ms(best['top'])}")
    print(f"    histograms, examples, ranks   {ms(best['histograms'])}   (numba's kernel)")
    print(f"      of which mean, std (NumPy)  {ms(best['mean'])}")
    print(f"      the same without numba      {ms(best['numpy'])}   (NumPy: a sort per row)")
    print(f"    JSON of plain lists (orjson)  {ms(best['json'])}   (the data writes arrays)")
    print(f"  one pass over every score       {ms(best['pass'])}   (x * 2, for scale)")
    print(f"  page faults per text            {faults:8.0f}      (fresh memory mapped in)")
    print(f"  JSON {len(body) / 1024:.0f} KiB, gzipped {len(gzip.compress(body)) / 1024:.0f} KiB")
    # The least the data could cost with the histograms and top ten free.
    floor = best["residuals"] + best["readout"] + best["json"]
    print(f"  residual stream, read-out and JSON alone: {ms(floor)}", end="")
    print(f"   {floor / forward:4.2f}x the forward pass")
    once = kernel_once()
    print(
        f"  once per process: import numba {once['import']:.2f} s, then the kernel compiled "
        f"{once['compile']:.2f} s or read from numba's cache {once['cached']:.2f} s"
    )


def ratio_rounds(model: transformer.Model, text: str, repeat: int, rounds: int) -> None:
    """The data against the forward pass again, ``rounds`` times in a row: a shared machine's
    speed changes from one minute to the next, and the ratio with it."""
    ratios = []
    print(f"\n== the same, {rounds} rounds of {repeat} ==")
    for number in range(1, rounds + 1):
        best = race(forward_and_data(model, text), repeat)
        ratios.append(best["data"] / best["forward"])
        times = f"data {ms(best['data'])}, forward pass {ms(best['forward'])}"
        print(f"  round {number:2d}: {times}   {ratios[-1]:4.2f}x")
    print(
        f"  ratio: lowest {min(ratios):4.2f}x, median {float(np.median(ratios)):4.2f}x, "
        f"highest {max(ratios):4.2f}x"
    )


def gelu_cube(model: transformer.Model, text: str, repeat: int) -> None:
    ids = model.tokenizer.encode(text)
    x = np.random.default_rng(0).standard_normal((len(ids), model.config.d_mlp))

    def gelu_power(v: np.ndarray) -> np.ndarray:
        return 0.5 * v * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)))

    def forward_with(gelu) -> None:
        kept = transformer.gelu
        transformer.gelu = gelu
        try:
            transformer.forward(model, ids)
        finally:
            transformer.gelu = kept

    best = race(
        {
            "power": lambda: x**3,
            "product": lambda: x * x * x,
            "forward power": lambda: forward_with(gelu_power),
            "forward": lambda: transformer.forward(model, ids),
        },
        repeat,
    )
    share = 1 - best["forward"] / best["forward power"]
    print(f"\n== GELU's cube on ({len(ids)}, {model.config.d_mlp}) ==")
    print(f"  x**3                            {ms(best['power'])}")
    print(f"  x * x * x (reference)           {ms(best['product'])}", end="")
    print(f"   x**3 is {best['power'] / best['product']:.0f}x slower")
    print(f"  forward pass, GELU with x**3    {ms(best['forward power'])}", end="")
    print(f"   ({share:.0%} of it spent on x**3)")
    print(f"  forward pass, GELU with x*x*x   {ms(best['forward'])}")


def _busy_worker(threads: int | None, text: str, stop) -> None:
    model = transformer.default_model()
    with threadpool_limits(limits=threads, user_api="blas"):
        while not stop.is_set():
            lab_data(text, model)


def blas_threads(model: transformer.Model, text: str, repeat: int) -> None:
    default = max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")
    ids = model.tokenizer.encode(text)

    def measure(threads: int) -> tuple[float, float, float, float]:
        with threadpool_limits(limits=threads, user_api="blas"):
            run = forward_and_data(model, text)
            wall = race(run, repeat, time.perf_counter)
            cpu = race(run, repeat, time.process_time)
        return wall["forward"], cpu["forward"], wall["data"], cpu["data"]

    print(f"\n== BLAS threads: 1 (the site's) against the default {default}, {len(ids)} tokens ==")
    print("                                  forward wall / CPU          data wall / CPU")
    for busy in (False, True):
        stop = multiprocessing.Event()
        helpers = []
        if busy:  # a second process doing the same work, as another gunicorn worker would
            for threads in (None,):
                helper = multiprocessing.Process(target=_busy_worker, args=(threads, text, stop))
                helper.start()
                helpers.append(helper)
            time.sleep(1.0)
        try:
            for threads in (1, default):
                fw, fc, dw, dc = measure(threads)
                label = f"{threads} thread{'s' if threads > 1 else ''}"
                label += ", beside a busy process" if busy else ""
                print(f"  {label:32s}{ms(fw)} /{ms(fc)}   {ms(dw)} /{ms(dc)}")
        finally:
            stop.set()
            for helper in helpers:
                helper.join()


def longest_text(model: transformer.Model, repeat: int) -> None:
    n = len(model.tokenizer.encode(LONGEST))
    body = lab_data(LONGEST, model)
    packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    best = race(
        {
            "data": lambda: lab_data(LONGEST, model),
            "gzip": lambda: gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
        },
        repeat,
        time.process_time,
    )
    print(f"\n== the longest text: {len(LONGEST)} characters, {n} tokens (one request's worst) ==")
    print(f"  CPU, forward pass to JSON       {ms(best['data'])}")
    print(f"  CPU, gzip level {GZIP_LEVEL} (once per text) {ms(best['gzip'])}")
    print(f"  JSON {len(body) / 1024:.0f} KiB, sent gzipped {len(packed) / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--only-data", action="store_true", help="only the lab's data against the forward pass"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="race the data against the forward pass this often"
    )
    args = parser.parse_args()
    model = transformer.default_model()
    c = model.config
    print(
        f"Model: {c.n_layers} layers, d_model {c.d_model}, vocab {c.vocab_size}, "
        f"{model.parameter_count():,} parameters, {c.n_stages} stages; "
        f"{os.cpu_count()} CPUs, BLAS at 1 thread unless said"
    )
    text = text_of(model, args.tokens)
    with threadpool_limits(limits=1, user_api="blas"):
        data_against_forward(model, text, args.repeat)
        if args.rounds > 1:
            ratio_rounds(model, text, args.repeat, args.rounds)
        if args.only_data:
            return
        gelu_cube(model, text, args.repeat)
        longest_text(model, max(3, args.repeat // 10))
    blas_threads(model, LONGEST, max(3, args.repeat // 10))


if __name__ == "__main__":
    main()
