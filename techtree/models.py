"""Concepts and the prerequisite edges between them."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import get_script_prefix, get_urlconf, reverse
from simple_history.models import HistoricalRecords

from techtree import content_rules, graph


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def atom_count(core_concepts: str) -> int:
    """How many atomic ideas a concept's core-concepts text lists (one per non-empty line)."""
    return sum(map(bool, map(str.strip, core_concepts.splitlines())))


# A slug no concept has: a concept's address is the reversed pattern with its slug swapped
# in. A concept page links some ninety concepts, and a reverse() each was a third of its time.
_SLUG_PLACEHOLDER = "slug-placeholder-0"


@lru_cache(maxsize=16)
def _concept_url_pattern(prefix: str, urlconf: object) -> str:
    return reverse("techtree:concept", args=[_SLUG_PLACEHOLDER], urlconf=urlconf)


def concept_url(slug: str) -> str:
    """A concept page's address, as reverse() gives it, without a reverse() per concept."""
    pattern = _concept_url_pattern(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return pattern.replace(_SLUG_PLACEHOLDER, slug)


MAP_FIELDS = ("map_x", "map_y")  # the map's layout, derived like the figures


class Concept(models.Model):
    """One node of the tech tree: something a learner can learn and master."""

    slug = models.SlugField(max_length=content_rules.SLUG_CHARS, unique=True)
    title = models.CharField(max_length=content_rules.CONCEPT_TITLE_CHARS, unique=True)
    summary = models.CharField("one-line summary", max_length=content_rules.SUMMARY_CHARS)
    domain = models.CharField(max_length=content_rules.DOMAIN_CHARS, db_index=True)
    difficulty = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (gentle) to 5 (demanding) stars.",
    )
    minutes = models.PositiveSmallIntegerField(
        "estimated minutes",
        validators=[MinValueValidator(1), MaxValueValidator(content_rules.MINUTES_MAX)],
    )
    key_symbols = models.TextField(
        blank=True,
        max_length=content_rules.KEY_SYMBOLS_CHARS,
        help_text="One per line: symbol | meaning. Math goes between $ signs.",
    )
    core_concepts = models.TextField(
        "core concepts",
        blank=True,
        max_length=content_rules.CORE_CONCEPTS_CHARS,
        help_text="The atomic ideas it introduces, one per line.",
    )
    published = models.BooleanField(default=True, db_index=True)
    prerequisites = models.ManyToManyField(
        "self",
        through="Prerequisite",
        through_fields=("concept", "prerequisite"),
        symmetrical=False,
        related_name="unlocks",
        blank=True,
    )

    # While a whole-tree refresh queued after a change to this concept's region waits for
    # the task worker, its stored figures may be out of date: pages say so.
    figures_stale = models.BooleanField(default=False, editable=False)
    # Graph figures of the published tree, kept current by services.refresh_graph_figures().
    depth = models.PositiveIntegerField(null=True, editable=False)
    unlocks_count = models.PositiveIntegerField(null=True, editable=False)
    prerequisite_count = models.PositiveIntegerField(null=True, editable=False)
    prerequisite_minutes = models.PositiveIntegerField(null=True, editable=False)
    reach = models.PositiveIntegerField(null=True, editable=False)
    bottleneck = models.PositiveIntegerField(null=True, editable=False)
    chain_length = models.PositiveIntegerField(null=True, editable=False)
    atoms_total = models.PositiveIntegerField(null=True, editable=False)
    # Where the tree map draws it (techtree.layout), kept current by services.refresh_layout().
    map_x = models.FloatField(null=True, editable=False)
    map_y = models.FloatField(null=True, editable=False)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # Who changed what and when, with the values before (admin: History, and revert).
    history = HistoricalRecords(  # derived fields are not authored
        excluded_fields=[*graph.FIGURE_FIELDS, *MAP_FIELDS, "figures_stale"]
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5),
                name="concept_difficulty_1_to_5",
            ),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="concept_minutes_positive"),
        ]
        indexes = [
            models.Index(fields=["published", "depth", "title"]),
            models.Index(fields=["published", "depth", "map_x"], name="concept_map_tile"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return concept_url(self.slug)

    @property
    def core_concept_list(self) -> list[str]:
        """The atomic ideas, one per non-empty line."""
        return _lines(self.core_concepts)

    @property
    def atoms(self) -> int:
        """How many atomic ideas this concept introduces."""
        return atom_count(self.core_concepts)

    @property
    def key_symbol_pairs(self) -> list[tuple[str, str]]:
        """(symbol, meaning) pairs from the 'symbol | meaning' lines."""
        pairs = []
        for line in _lines(self.key_symbols):
            separator = content_rules.KEY_SYMBOL_SEPARATOR
            separator = separator if separator in line else "|"
            symbol, _, meaning = line.partition(separator)
            pairs.append((symbol.strip(), meaning.strip()))
        return pairs

    @property
    def stars(self) -> str:
        """The difficulty as five stars, e.g. '★★★☆☆'."""
        return "★" * self.difficulty + "☆" * (5 - self.difficulty)

    @property
    def is_placed(self) -> bool:
        """Whether the graph figures have been computed for it (published concepts only)."""
        return self.depth is not None

    def clean(self) -> None:
        """Each core concept and key symbol within the limits a content file has, so what the
        admin stores can always be written back to a file (`dump_content`)."""
        errors = {}
        for name, values, rule in (
            (
                "core_concepts",
                self.core_concept_list,
                content_rules.CONCEPT.fields["core_concepts"],
            ),
            (
                "key_symbols",
                [list(p) for p in self.key_symbol_pairs],
                content_rules.CONCEPT.fields["key_symbols"],
            ),
        ):
            try:
                rule(values, name)
            except content_rules.RuleError as error:
                errors[name] = str(error)
        if errors:
            raise ValidationError(errors)

    def figures(self) -> list[tuple[str, str, int | None]]:
        """(label, definition, value) for each graph figure, in display order."""
        return [
            (figure.label, figure.definition, getattr(self, figure.field or figure.name))
            for figure in graph.FIGURES
        ]


class PrerequisiteQuerySet(models.QuerySet):
    def published(self) -> PrerequisiteQuerySet:
        """Edges of the published tree: both ends published (said here, and in
        selectors.published_edges' faster read, tested against this one)."""
        return self.filter(concept__published=True, prerequisite__published=True)


class Prerequisite(models.Model):
    """An edge of the tree: `prerequisite` must be learned before `concept`."""

    concept = models.ForeignKey(
        Concept, on_delete=models.CASCADE, related_name="prerequisite_links"
    )
    prerequisite = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="unlock_links")
    history = HistoricalRecords()

    objects = PrerequisiteQuerySet.as_manager()

    class Meta:
        ordering = ["concept__title", "prerequisite__title"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "prerequisite"], name="unique_prerequisite"),
            models.CheckConstraint(
                condition=~Q(concept=F("prerequisite")), name="prerequisite_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite} → {self.concept}"

    def clean(self) -> None:
        """Refuse an edge that would close a cycle, naming the cycle."""
        if self.concept_id is None or self.prerequisite_id is None:
            return
        from techtree.services import cycle_if_added  # services import models

        cycle = cycle_if_added(
            [(self.prerequisite_id, self.concept_id)], replacing=self.pk, start=self.concept_id
        )
        if cycle:
            raise ValidationError(cycle, code="cycle")


class FigureRefreshQuerySet(models.QuerySet):
    def waiting(self) -> FigureRefresh | None:
        """The newest refresh not yet done, if any: while there is one, figures may be stale."""
        return self.filter(finished=None).order_by("-pk").first()


class FigureRefresh(models.Model):
    """A recomputation of every stored figure, asked for when a change touches too much of
    the tree to refresh in the request, and run by the task worker (techtree.tasks).

    While one is unfinished the stored figures may be out of date, and pages say so.
    """

    requested = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField("concepts written", default=0)
    total = models.PositiveIntegerField("concepts to write", default=0)

    objects = FigureRefreshQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "figure refresh"
        verbose_name_plural = "figure refreshes"

    def __str__(self) -> str:
        return f"Figure refresh {self.pk} ({self.status})"

    @property
    def status(self) -> str:
        """Where it stands, in words: 'waiting for the worker', 'computing', '120 of 400 ...'."""
        if self.finished:
            return "done"
        if not self.started:
            return "waiting for the worker"
        if not self.total:
            return "computing"
        return f"{self.done:,} of {self.total:,} concepts written"
