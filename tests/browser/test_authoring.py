"""An author grows the tree without code, in a real browser (issue 11, "Done when").

The demo author logs in to the admin, creates a concept and an exercise template, previews
the template at several seeds, saves it once broken (refused with its field, expression and
seed) and once fixed, and publishes the concept. Then a learner opens the worked example the
template generates, answers its practice problem wrong and then right, and masters the
concept with it.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from exercise_templates.models import ExerciseTemplate
from quizzes.models import Attempt, ConceptProgress, Problem
from techtree.models import Concept
from tests.authoring.templates import BROKEN, VALID, load_small_tree
from tests.quizzes.solving import instance_for

WAIT = 20_000  # ms: the machine may be busy


@pytest.fixture
def site(live_server, transactional_db):
    """The live site with softmax and what it stands on (the author adds a concept of their
    own, so the rest of the demo tree is not needed)."""
    load_small_tree("softmax-and-logits")
    return live_server.url


def log_in(page: Page, site: str, username: str, password: str, *, to: str = "/admin/") -> None:
    page.goto(site + f"/accounts/login/?next={to}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(rf"{re.escape(to)}$"))


def create_concept(page: Page, site: str) -> Concept:
    page.goto(site + "/admin/techtree/concept/add/")
    page.fill("#id_title", "Two-Logit Softmax")
    page.fill("#id_summary", "The probability of one of two classes, from their logits.")
    page.fill("#id_domain", "Machine Learning")
    page.fill("#id_difficulty", "1")
    page.fill("#id_minutes", "10")
    page.uncheck("#id_published")  # drafted first, published once its exercise is right
    page.fill("#id_core_concepts", "Only the difference of the two logits matters")
    page.fill("#id_key_symbols", "$z$ | the logits")
    page.locator("input[name=_continue]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    concept = Concept.objects.get(title="Two-Logit Softmax")
    assert concept.slug == "two-logit-softmax"  # filled in from the title by the admin
    return concept


def test_an_author_writes_previews_validates_and_publishes_a_template(
    page: Page, site: str, console_errors, screenshot
) -> None:
    call_command("create_demo_users", verbosity=0)
    log_in(page, site, "author", "softmax-author-2026")
    concept = create_concept(page, site)
    assert not concept.published

    page.get_by_role("link", name="Add an exercise template").click()
    expect(page.locator("#id_concept")).to_have_value(str(concept.pk))

    # The live preview follows the unsaved text: three seeds, each solved, typeset by KaTeX.
    # (Typed once its script listens: on a busy machine the module may run after the load.)
    expect(page.locator("[data-template-preview]")).to_have_attribute(
        "data-preview-ready", "true", timeout=WAIT
    )
    page.fill("textarea[name=spec]", VALID)
    cases = page.locator("[data-preview-output] [data-preview-seed]")
    expect(cases).to_have_count(3, timeout=WAIT)
    first = cases.first
    expect(first.locator("[data-preview-statement]")).to_contain_text("The logits are")
    expect(first.locator("[data-preview-answer]")).to_contain_text("Answer (number):")
    expect(first.locator("[data-preview-mistakes]")).to_contain_text("second class")
    expect(first.locator(".katex").first).to_be_visible()
    page.fill("[data-preview-seeds]", "4, 9")
    page.locator("[data-preview-button]").click()
    expect(cases).to_have_count(2, timeout=WAIT)
    expect(cases.first).to_have_attribute("data-preview-seed", "4")
    screenshot("preview")

    # Broken at seed 5 only: the preview says so, and saving is refused with the reason.
    page.fill("textarea[name=spec]", BROKEN)
    page.fill("[data-preview-seeds]", "5")
    page.locator("[data-preview-button]").click()
    expect(page.locator("[data-preview-output] [data-preview-errors]")).to_contain_text(
        "solution 'z[k]' (seed 5)", timeout=WAIT
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errornote").first).to_contain_text("Please correct the error")
    expect(page.locator(".field-spec .errorlist")).to_contain_text(
        "solution 'z[k]' (seed 5): 'z[k]' failed: index 2 is out of bounds"
    )
    assert not ExerciseTemplate.objects.filter(concept=concept).exists()
    screenshot("refused")

    # Fixed: saved, with the author in its history.
    page.fill("textarea[name=spec]", VALID)
    page.locator("input[name=_continue]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    template = ExerciseTemplate.objects.get(concept=concept)
    assert template.concept == concept and template.key == "two-logit-softmax"
    assert template.history.get().history_user.username == "author"

    # Published from the concept's page.
    page.goto(site + f"/admin/techtree/concept/{concept.pk}/change/")
    expect(page.locator(".field-exercise_templates")).to_contain_text("Softmax of two logits")
    page.check("#id_published")
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    concept.refresh_from_db()
    assert concept.published and concept.is_placed

    # A learner opens the worked example the template generates, shown solved.
    page.context.clear_cookies()
    log_in(page, site, "learner", "softmax-learner-2026", to=concept.get_absolute_url())
    example = page.locator("article.worked-example", has_text="Softmax of two logits")
    expect(example).to_contain_text("The logits are")
    example.get_by_role("link", name="Link to these numbers").click()
    expect(page).to_have_url(re.compile(r"/concepts/two-logit-softmax/examples/\d+/\d+/$"))
    expect(page.locator("article.worked-example")).to_contain_text("Exponentiate and normalise")
    screenshot("example")

    # Practice: the named mistake first (wrong), then the right answer, which masters it.
    page.goto(site + concept.get_absolute_url())
    learner = get_user_model().objects.get(username="learner")
    problem = Problem.objects.get(concept=concept, template=template)
    card = page.locator(f"#problem-{problem.pk}")
    expect(card).to_be_visible()
    exercise = instance_for(learner, problem)
    mistake = exercise.mistakes[0]
    card.locator("input[name=answer]").fill(f"{mistake.answer:.4f}")
    card.get_by_role("button", name="Check").click()
    expect(card.locator("[data-verdict=wrong]")).to_contain_text("Not quite", timeout=WAIT)
    expect(card.locator("[data-mistake]")).to_contain_text("That is the second class's probability")
    card.locator("input[name=answer]").fill(exercise.expected)
    card.get_by_role("button", name="Check").click()
    expect(card.locator("[data-verdict=right]")).to_contain_text("Correct", timeout=WAIT)
    expect(page.locator("[data-mastered]")).to_contain_text("You mastered this concept!")
    screenshot("mastered")
    verdicts = Attempt.objects.filter(learner=learner, problem=problem).order_by("created")
    assert [attempt.correct for attempt in verdicts] == [False, True]
    assert ConceptProgress.objects.get(learner=learner, concept=concept).mastered is not None
