"""manage.py build_synthetic_tree: add a large made-up tree for scale checks."""

from django.core.management.base import BaseCommand, CommandError

from techtree.loading import load_synthetic_tree
from techtree.models import Concept


class Command(BaseCommand):
    help = (
        "Add N synthetic concepts shaped like a real curriculum (a shared foundation plus "
        "subjects a few dozen concepts deep) with their prerequisites, to try the pages and "
        "the graph figures at scale. Their slugs start with the given prefix."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("size", type=int, help="How many concepts to add, e.g. 2000.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument(
            "--prefix", default="synthetic", help="Slug prefix (default synthetic)."
        )

    def handle(self, *args, size: int, seed: int, prefix: str, **options) -> None:
        if size < 1:
            raise CommandError("size must be at least 1")
        if Concept.objects.filter(slug__startswith=f"{prefix}-").exists():
            raise CommandError(f"concepts with the prefix {prefix!r} exist already; pick another")
        added = load_synthetic_tree(size, seed=seed, prefix=prefix)
        self.stdout.write(self.style.SUCCESS(f"Added {added} synthetic concepts ({prefix}-*)."))
