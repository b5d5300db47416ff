"""manage.py train_model: its help, and its refusal of bad options (no training here)."""

import pytest
from django.core.management import CommandError, call_command

from lens.management.commands.train_model import Command


def test_help_says_what_it_does():
    text = Command().create_parser("manage.py", "train_model").format_help()
    for phrase in ("Logit evolution", "--steps", "--seed", "--output", "requirements-train.txt"):
        assert phrase in " ".join(text.split())


def test_bad_steps_are_refused(tmp_path):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("train_model", "--steps", "0", "--output", str(tmp_path))
