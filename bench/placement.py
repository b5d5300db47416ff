"""Benchmark: how many questions the placement walk asks, against log2 of the tree's size.

Run: .venv/bin/python bench/placement.py [--learners 50] [--size 1000]

For the demo tree (fixtures/concepts) and a synthetic curriculum-shaped tree
(techtree.synthetic), simulates learners whose true knowledge is down-closed (a few random
concepts and everything they build on; plus the two extremes, knowing nothing and
everything) and runs placement.walk against each, twice: to the end (every placement
checked exact) and within the site's question budget, 2 log2(size) (what the dashboard's
placement asks; every credit checked true, and the share of each learner's knowledge
credited printed as recall). Prints questions asked (mean, median, max) beside log2(size)
and size (asking about every concept). Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from placement.walk import down_closure, place, question_budget  # noqa: E402
from techtree.content import read_folder  # noqa: E402
from techtree.synthetic import synthetic_tree  # noqa: E402


def demo_tree() -> dict[str, list[str]]:
    sources = [s for s in read_folder(ROOT / "fixtures" / "concepts") if s.published]
    slugs = {s.slug for s in sources}
    return {s.slug: [p for p in s.prerequisites if p in slugs] for s in sources}


def synthetic(size: int) -> dict[int, list[int]]:
    concepts, edges = synthetic_tree(size, seed=0)
    needs: dict[int, list[int]] = {c.number: [] for c in concepts}
    for p, c in edges:
        needs[c].append(p)
    return needs


def learners(needs, count: int, rng: random.Random) -> list[set]:
    nodes = sorted(needs, key=str)
    truths = [set(), set(nodes)]
    while len(truths) < count:
        truths.append(down_closure(needs, set(rng.sample(nodes, rng.randint(1, 8)))))
    return truths


def run(name: str, needs, count: int, budget: int | None) -> None:
    rng = random.Random(1)
    asked, exact, recalls, false_credits = [], 0, [], 0
    started = time.perf_counter()
    truths = learners(needs, count, rng)
    for truth in truths:
        known, questions = place(needs, truth.__contains__, budget)
        exact += known == truth
        false_credits += len(known - truth)
        if truth:
            recalls.append(len(known) / len(truth))
        asked.append(questions)
    elapsed = time.perf_counter() - started
    size = len(needs)
    log2 = math.log2(size)
    mean = statistics.mean(asked)
    label = f"{name}, budget {budget}" if budget else f"{name}, to the end"
    print(
        f"{label:<30} {size:>6} concepts  log2 {log2:5.1f}  questions mean {mean:5.1f} "
        f"median {statistics.median(asked):5.1f} max {max(asked):3d}  "
        f"mean/log2 {mean / log2:4.2f}  exact {exact}/{len(truths)}  "
        f"recall {statistics.mean(recalls):6.1%}  false credits {false_credits}  "
        f"{elapsed / len(truths) * 1000:6.1f} ms per learner"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args()
    for name, needs in (
        ("demo tree", demo_tree()),
        (f"synthetic {args.size}", synthetic(args.size)),
    ):
        run(name, needs, args.learners, None)
        run(name, needs, args.learners, question_budget(len(needs)))


if __name__ == "__main__":
    main()
