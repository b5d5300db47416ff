"""Benchmark: an exercise from a template against the equivalent Python generator, and the
concept page of a generator concept against one whose exercises are all templates.

Run: .venv/bin/python bench/exercises.py [--seeds 200] [--repeat 5]

1. Building one exercise: the practice generator `softmax_probabilities` against a template
   written to pose the same problem (K logits, exponentiate, add, divide; a vector answer),
   alternating the two over the same seeds so a busy machine slows both alike. Prints the
   best time per exercise and the ratio template / generator. Validating a template (50
   seeds, once per save or load; cached by its text afterwards) is timed too.
2. The concept page: the demo content is loaded into a scratch SQLite database; the page of
   a concept served by generators (softmax-and-logits) and of one served by templates only
   (the first such concept found) are timed for a visitor, each as a ratio against the login
   page in the same run (a page with no exercises at all).
Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exercises import templates  # noqa: E402

EQUIVALENT = {
    "key": "softmax-by-hand",
    "title": "Softmax by hand",
    "difficulty": "medium",
    "kind": "vector",
    "draw": {"k": {"choice": [3, 4]}, "w": {"vector": 4, "integers": [-3, 3]}},
    "let": {"z": "w[:k]", "x": "exp(z)", "s": "sum(x)", "p": "x / s"},
    "constraints": ["distinct(z)"],
    "statement": "A classifier outputs the logits $\\mathbf{z} = {{ z }}$. "
    "Compute $\\operatorname{softmax}(\\mathbf{z})$, to 3 significant figures.",
    "steps": [
        {"title": "Exponentiate", "formula": "e^{\\mathbf{z}} = {{ x | 4s }}"},
        {"title": "Add them up", "formula": "S = {{ s | 4s }}"},
        {"title": "Divide", "formula": "\\mathbf{p} = {{ p | 3s }}"},
    ],
    "hints": ["Exponentiate each logit.", "Divide each exponential by their sum {{ s | 4s }}."],
    "solution": "$\\mathbf{p} = {{ p | 3s }}$",
    "answer": "p",
    "mistakes": [{"answer": "x", "message": "Those are the exponentials: divide by their sum."}],
}


def best_per_call(build: Callable[[int], object], seeds: range) -> float:
    start = time.perf_counter()
    for seed in seeds:
        build(seed)
    return (time.perf_counter() - start) / len(seeds)


def exercise_times(n_seeds: int, repeat: int) -> tuple[float, float, float]:
    from quizzes import problems

    template = templates.parse(EQUIVALENT)
    seeds = range(1, n_seeds + 1)
    generator_times, template_times = [], []
    for _ in range(repeat):  # alternate, so load on the machine hits both alike
        generator_times.append(
            best_per_call(lambda s: problems.generate("softmax_probabilities", s), seeds)
        )
        template_times.append(best_per_call(template.build, seeds))
    start = time.perf_counter()
    templates._validate(EQUIVALENT, templates.VALIDATION_SEEDS)  # uncached
    validate = time.perf_counter() - start
    return min(generator_times), min(template_times), validate


def best_of(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return min(times)


def page_times(repeat: int) -> tuple[float, float, float, str, int, int]:
    folder = tempfile.mkdtemp(prefix="techtree-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtree.settings")
    os.environ["DEBUG"] = "1"  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from exercise_templates.models import ExerciseTemplate
    from lessons.models import WorkedExample
    from quizzes.models import Problem

    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_content", verbosity=0)
    with_templates = (
        ExerciseTemplate.objects.exclude(
            concept__in=WorkedExample.objects.filter(template__isnull=True).values("concept")
        )
        .order_by("concept__slug")
        .values_list("concept__slug", flat=True)
        .first()
    )
    count = Problem.objects.filter(concept__slug=with_templates).count()
    examples = WorkedExample.objects.filter(concept__slug=with_templates).count()
    client = Client()
    client.get("/concepts/softmax-and-logits/")  # warm caches alike
    client.get(f"/concepts/{with_templates}/")
    login = best_of(lambda: client.get("/accounts/login/"), repeat)
    generated = best_of(lambda: client.get("/concepts/softmax-and-logits/"), repeat)
    templated = best_of(lambda: client.get(f"/concepts/{with_templates}/"), repeat)
    return login, generated, templated, with_templates, examples, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    generator, template, validate = exercise_times(args.seeds, args.repeat)
    print("One exercise (best of", args.repeat, "runs over", args.seeds, "seeds)")
    print(f"  generator softmax_probabilities  {generator * 1e3:8.3f} ms")
    print(f"  equivalent template              {template * 1e3:8.3f} ms")
    print(f"  ratio template / generator       {template / generator:8.1f}")
    print(f"  validating the template (50 seeds, uncached) {validate * 1e3:.0f} ms")
    login, generated, templated, slug, examples, count = page_times(args.repeat)
    print("\nConcept page for a visitor (best of", args.repeat, ")")
    print(f"  login page (reference)           {login * 1e3:8.1f} ms   x1.0")
    print(
        f"  softmax-and-logits (generators)  {generated * 1e3:8.1f} ms   x{generated / login:.1f}"
    )
    print(
        f"  {slug} (templates: {examples} examples, {count} problems)"
        f"  {templated * 1e3:.1f} ms   x{templated / login:.1f}"
    )
    print(f"  ratio templates / generators page {templated / generated:.2f}")


if __name__ == "__main__":
    main()
