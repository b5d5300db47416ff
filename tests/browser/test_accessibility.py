"""axe-core on every kind of page, in real Chromium: no serious or critical violation.

axe is vendored for the tests only (tests/browser/vendor/, never served by the app) and
evaluated through the DevTools protocol, so the site's strict Content-Security-Policy stays
on. Each page is checked once it has settled (its scripts have drawn); every violation is
printed with its rule, impact and the selectors of the elements in violation.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from review.services import schedule_mastered
from techtree.models import Concept
from tests.browser.test_practice import PASSWORD, ROOTS, SOFTMAX, sign_up
from tests.quizzes.solving import mark_mastered

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
FAILING = {"serious", "critical"}
# Rules whose violations this project fixed (moderate or minor in axe's scale): they fail the
# test too, so they cannot come back unnoticed.
FIXED = {"heading-order", "landmark-unique", "empty-table-header"}
# What axe skips on the admin's pages: only markup that is Django's own and that the project
# cannot reasonably change. Keep this minimal and say why beside each entry.
ADMIN_EXCLUDE = [
    # The select2 combobox of autocomplete fields (Django's AutocompleteSelect forces an empty
    # data-placeholder, so an empty box's aria-labelledby points at an empty span): select2's
    # markup, built by Django's vendored script (axe: aria-input-field-name).
    ".select2-selection",
    # The first column header of a tabular inline, over each row's object, is empty in
    # Django's edit_inline/tabular.html (axe: empty-table-header, minor).
    ".tabular thead th.original",
]
SETTLE = 20_000  # ms: the machine may be busy


def axe_violations(page: Page, exclude: list[str] = ()) -> list[dict]:
    """Run axe on the page as it is now; its violations, as axe reports them."""
    page.wait_for_load_state("networkidle", timeout=SETTLE)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "(exclude) => axe.run(exclude.length ? {exclude: exclude.map((s) => [s])} : document,"
        " {resultTypes: ['violations']})",
        list(exclude),
    )
    return result["violations"]


def describe(name: str, violations: list[dict]) -> list[str]:
    """One line per element in violation: page, rule, impact, target selectors (and, for
    contrast, the colours and ratio axe measured)."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            detail = node["any"][0]["message"] if v["id"] == "color-contrast" else v["help"]
            target = " ".join(map(str, node["target"]))
            lines.append(f"{name}: {v['id']} ({v['impact']}) {target} · {detail}")
    return lines


class Audit:
    """Collects each page's violations; fails at the end, naming every one."""

    def __init__(self, page: Page, site: str, exclude: list[str] = ()) -> None:
        self.page, self.site, self.exclude = page, site, list(exclude)
        self.lines: list[str] = []
        self.failing: list[str] = []
        self.pages = 0

    def check(self, name: str, path: str | None = None) -> None:
        if path is not None:
            self.page.goto(self.site + path)
        violations = axe_violations(self.page, self.exclude)
        self.pages += 1
        self.lines += describe(name, violations)
        bad = [v for v in violations if v["impact"] in FAILING or v["id"] in FIXED]
        self.failing += describe(name, bad)

    def finish(self) -> None:
        print(f"\naxe-core on {self.pages} pages: {len(self.lines)} elements in violation")
        print("\n".join(self.lines))
        assert self.failing == [], "axe-core found:\n" + "\n".join(self.failing)


def first_example(slug: str) -> str:
    """The address of a concept's first worked example, as its page links it."""
    concept = Concept.objects.get(slug=slug)
    example = concept.worked_examples.order_by("order").first()
    return f"/concepts/{slug}/examples/{example.order}/1/"


def test_visitor_pages(page, site):
    audit = Audit(page, site)
    audit.check("tree", "/")
    expect(page.locator("[data-tree-graph] canvas").first).to_be_attached(timeout=SETTLE)
    audit.check("browse", "/concepts/")
    audit.check("browse (filtered)", "/concepts/?q=soft")
    audit.check("concept (visitor)", SOFTMAX)
    audit.check("concept, a root (visitor)", f"/concepts/{ROOTS[0]}/")
    audit.check("worked example", first_example("softmax-and-logits"))
    audit.check("visualizer", "/visualizer/")
    audit.check("lab", "/lab/logit-evolution/")
    audit.check("test-out (visitor)", SOFTMAX + "test-out/")
    audit.check("sign-up", "/accounts/signup/")
    audit.check("login", "/accounts/login/")
    audit.check("password reset", "/accounts/password_reset/")
    audit.check("not found", "/concepts/no-such-concept/")
    # On a phone's width wide formulas and code scroll sideways: each such box must be
    # reachable by keyboard (axe: scrollable-region-focusable).
    page.set_viewport_size({"width": 390, "height": 844})
    audit.check("concept (visitor, narrow screen)", SOFTMAX)
    audit.check("worked example (narrow screen)", first_example("softmax-and-logits"))
    audit.finish()


def test_learner_pages(page, site):
    audit = Audit(page, site)
    sign_up(page, site, "ada")
    audit.check("dashboard (new learner)")
    audit.check("concept (learner, locked)", SOFTMAX)
    audit.check("test-out (learner)", SOFTMAX + "test-out/")
    page.goto(site + "/dashboard/")
    page.locator("[data-placement-start]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))
    audit.check("placement (a question)")

    learner = get_user_model().objects.get(username="ada")
    mark_mastered(learner, *ROOTS)
    long_ago = timezone.now() - timedelta(days=400)
    for concept in Concept.objects.filter(slug__in=ROOTS):
        schedule_mastered(learner=learner, concept=concept, now=long_ago)
    audit.check("dashboard (reviews due)", "/dashboard/")
    audit.check("concept (learner, practice open)", SOFTMAX)
    card = page.locator("article.problem").first
    card.locator("input[name=answer]").fill("12345")
    card.get_by_role("button", name="Check").click()
    expect(card.locator("[data-verdict]")).to_be_visible(timeout=SETTLE)
    audit.check("concept (learner, after an answer)")
    audit.check("tree (learner)", "/")
    audit.finish()


def test_admin_pages(page, site):
    get_user_model().objects.create_superuser("grace", "grace@example.org", PASSWORD)
    page.goto(site + "/accounts/login/?next=/admin/")
    page.fill("#id_username", "grace")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    audit = Audit(page, site, exclude=ADMIN_EXCLUDE)
    audit.check("admin index")
    audit.check("admin concept list", "/admin/techtree/concept/")
    audit.check("admin concept add", "/admin/techtree/concept/add/")
    softmax = Concept.objects.get(slug="softmax-and-logits")
    audit.check("admin concept change", f"/admin/techtree/concept/{softmax.pk}/change/")
    audit.check("admin exercise template add", "/admin/exercise_templates/exercisetemplate/add/")
    audit.finish()
