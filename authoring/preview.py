"""What an author sees while writing a template: the exercise at a few seeds, or why not.

Reads plain data (the TOML text and the seeds) and returns plain data for the preview
partial; the kit (`exercises.templates`) builds every exercise, nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from authoring.forms import toml_to_spec
from exercises import Exercise, templates
from quizzes import answers

DEFAULT_SEEDS = (1, 2, 3)
MAX_SEEDS = 5  # a preview is cheap: a handful of builds, never the 50 of a save
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Case:
    """The exercise one seed gives, or the errors that seed hits."""

    seed: int
    exercise: Exercise | None = None
    errors: tuple[str, ...] = ()

    @property
    def mistakes(self) -> list[tuple[str, str]]:
        """Each named mistake as (the answer it stands for, typed as a learner would, why)."""
        exercise = self.exercise
        if exercise is None or not exercise.kind:
            return []
        return [
            (answers.format_answer(exercise.kind, mistake.answer), mistake.message)
            for mistake in exercise.mistakes
        ]


@dataclass(frozen=True)
class Preview:
    """The whole preview: errors that stop any build, else one case per seed."""

    errors: tuple[str, ...] = ()
    cases: tuple[Case, ...] = ()
    title: str = ""
    serves: tuple[str, ...] = field(default_factory=tuple)


def parse_seeds(text: str) -> tuple[int, ...]:
    """'1, 2, 3' -> (1, 2, 3); anything unreadable or out of range falls back to the default."""
    seeds = []
    for part in text.replace(",", " ").split():
        if part.isdigit() and 0 <= int(part) <= MAX_SEED and int(part) not in seeds:
            seeds.append(int(part))
    return tuple(seeds[:MAX_SEEDS]) or DEFAULT_SEEDS


def preview(toml_text: str, seeds: tuple[int, ...] = DEFAULT_SEEDS) -> Preview:
    """Parse the author's TOML and build the exercise at each seed."""
    try:
        spec = toml_to_spec(toml_text)
    except ValidationError as error:
        return Preview(errors=tuple(error.messages))
    try:
        template = templates.parse(spec)
    except templates.TemplateInvalid as error:
        return Preview(errors=tuple(str(e) for e in error.errors))
    cases = []
    for seed in seeds:
        try:
            cases.append(Case(seed=seed, exercise=template.build(seed)))
        except templates.TemplateInvalid as error:
            cases.append(Case(seed=seed, errors=tuple(str(e) for e in error.errors)))
    return Preview(cases=tuple(cases), title=template.title, serves=template.serves)
