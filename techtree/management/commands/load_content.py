"""manage.py load_content: load the tree's content files into the database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from techtree.content import ContentError, read_folder
from techtree.loading import load_concepts


class Command(BaseCommand):
    help = (
        "Load concept files (Markdown with TOML front matter) into the database: concepts, "
        "prerequisites, lessons, worked examples and problems. All or nothing: any problem "
        "(unknown prerequisite, cycle, bad field) is reported and nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "fixtures" / "concepts"),
            help="Folder of *.md concept files (default: fixtures/concepts).",
        )
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Only add concepts that are not stored yet; leave stored ones untouched.",
        )

    def handle(self, *args, folder: str, keep_existing: bool, **options) -> None:
        try:
            report = load_concepts(read_folder(Path(folder)), keep_existing=keep_existing)
        except ContentError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Content loaded from {folder}: {report}."))
