"""manage.py train_model: train the logit-lens lab's small transformer and save its weights."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lens.architecture import WEIGHTS_DIR
from lens.corpus import DEVIL_PACKAGE, CorpusError
from lens.recipe import TrainingSettings

DEFAULTS = TrainingSettings()


class Command(BaseCommand):
    help = (
        "Train the small transformer behind the Logit evolution lab: a byte-pair tokenizer and "
        "a 4-layer model, fitted on the lesson texts (fixtures/**/*.md) and The Devil's "
        f"Dictionary (Debian package {DEVIL_PACKAGE}). Writes model.npz and tokenizer.json to "
        "the output folder and prints the held-out loss of the model and of a unigram "
        "baseline. The same seed gives the same weights; it takes several minutes on two CPU "
        "cores. Needs PyTorch: .venv/bin/pip install -r requirements-train.txt"
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--steps",
            type=int,
            default=DEFAULTS.steps,
            help=f"Optimiser steps (default {DEFAULTS.steps}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULTS.seed,
            help=f"Random seed for initialisation and batches (default {DEFAULTS.seed}).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULTS.batch_size,
            help=f"Sequences per step (default {DEFAULTS.batch_size}).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=WEIGHTS_DIR,
            help="Folder for model.npz and tokenizer.json (default lens/weights).",
        )

    def handle(self, *args, steps: int, seed: int, batch_size: int, output: Path, **options):
        if steps < 1 or batch_size < 1:
            raise CommandError("--steps and --batch-size must be at least 1")
        try:
            from lens.training import train  # PyTorch is optional: only training needs it
        except ImportError as error:
            raise CommandError(
                f"PyTorch is needed to train ({error}). Install it with "
                ".venv/bin/pip install -r requirements-train.txt"
            ) from error
        settings = TrainingSettings(
            steps=steps,
            seed=seed,
            batch_size=batch_size,
            eval_every=min(DEFAULTS.eval_every, steps),
        )
        try:
            metadata = train(settings, output=output, log=self.stdout.write)
        except CorpusError as error:
            raise CommandError(str(error)) from error
        evaluation = metadata["evaluation"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote model.npz and tokenizer.json to {output} in "
                f"{metadata['training']['seconds']:.0f} s. Held-out loss: model "
                f"{evaluation['held_out_loss']:.3f} nats/token, unigram baseline "
                f"{evaluation['unigram_loss']:.3f}."
            )
        )
