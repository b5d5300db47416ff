"""Check the exercise templates of concept files: `python -m exercises.check FILE.md [...]`.

PURE: no Django. For every `[[exercises]]` entry it prints the exercise as seed 1 poses it
(statement, steps, answer, hints, mistakes), then every problem `validate_template` finds
over 50 seeds, naming the field, the expression and the seed. Exit status 1 on any error,
so content authors and CI can run it on their files.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from exercises import templates
from techtree.content import ContentError, parse_concept


def file_templates(path: Path) -> list[dict]:
    """The `[[exercises]]` entries of one concept file; ContentError if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"{path}: cannot read it ({error})") from error
    entries = parse_concept(text, path.stem).sections.get("exercises", [])
    if not isinstance(entries, list):
        raise ContentError(f"{path}: `exercises` must be [[exercises]] tables")
    return entries


def duplicate_keys(entries: Sequence[dict]) -> list[templates.TemplateError]:
    """Keys used twice in one concept (stored attempts refer to the key)."""
    seen: set[str] = set()
    errors = []
    for entry in entries:
        key = entry.get("key") if isinstance(entry, dict) else None
        if key in seen:
            errors.append(templates.TemplateError("key", f"{key!r} is used twice in this file"))
        seen.add(key)
    return errors


def render(exercise) -> str:
    """The exercise as plain text for a reader checking it."""
    lines = [f"Statement: {exercise.statement.strip()}", "Steps:"]
    for number, step in enumerate(exercise.steps, start=1):
        lines.append(f"  {number}. {step.title}")
        lines.append(f"     {step.formula}")
        if step.explanation:
            lines.append(f"     {step.explanation}")
    if exercise.options:
        lines.append("Options:")
        lines += [f"  {key}) {text}" for key, text in exercise.options]
    lines.append(f"Answer ({exercise.kind}): {exercise.expected}")
    lines += [f"Hint {n}: {hint}" for n, hint in enumerate(exercise.hints, start=1)]
    if exercise.solution:
        lines.append(f"Solution: {exercise.solution.strip()}")
    if exercise.insight:
        lines.append(f"Insight: {exercise.insight.strip()}")
    for mistake in exercise.mistakes:
        shown = templates.answers.format_answer(exercise.kind, mistake.answer)
        lines.append(f"Mistake {shown}: {mistake.message}")
    return "\n".join(lines)


def check_file(path: Path, seeds: int, out) -> int:
    """Print every template of a file and its problems; the number of problems."""
    try:
        entries = file_templates(path)
    except ContentError as error:
        print(f"ERROR {error}", file=out)
        return 1
    print(f"== {path}: {len(entries)} exercise template(s)", file=out)
    problems = 0
    for error in duplicate_keys(entries):
        print(f"ERROR {path}: {error}", file=out)
        problems += 1
    for number, entry in enumerate(entries, start=1):
        key = entry.get("key", f"#{number}") if isinstance(entry, dict) else f"#{number}"
        print(f"\n-- {key} (seed 1)", file=out)
        errors = templates.validate_template(entry, seeds=seeds)
        if not any(error.seed in (None, 1) for error in errors):
            print(textwrap.indent(render(templates.build(entry, 1)), "   "), file=out)
        for error in errors:
            print(f"ERROR {path} [{key}] {error}", file=out)
        problems += len(errors)
    return problems


def main(argv: Sequence[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m exercises.check",
        description="Render every [[exercises]] template of concept files at seed 1 and "
        "validate it over many seeds.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="concept files (*.md)")
    parser.add_argument("--seeds", type=int, default=templates.VALIDATION_SEEDS)
    args = parser.parse_args(argv)
    problems = sum(check_file(path, args.seeds, out) for path in args.files)
    print(f"\n{problems} problem(s)" if problems else "\nAll templates valid.", file=out)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
