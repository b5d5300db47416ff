"""manage.py dump_content: write the stored tree as content files that load_content reads."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authoring.dumping import dump_tree
from techtree.content import ContentError


class Command(BaseCommand):
    help = (
        "Write every stored concept as <folder>/<slug>.md in the format load_content reads: "
        "the concept's fields, prerequisites, lesson, worked examples, problems and exercise "
        "templates. Files of the same name are overwritten; other files are left alone. "
        "Every file is checked to read back as stored before any is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            default="content-dump",
            help="Where to write (default: content-dump).",
        )

    def handle(self, *args, folder: str, **options) -> None:
        try:
            written = dump_tree(Path(folder))
        except ContentError as error:
            raise CommandError(f"Nothing was written: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"{len(written)} concept files written to {folder}."))
