"""Practice in a real browser: sign up, answer wrong then right, master softmax, see unlocks.

The right answers are computed the way the site computes them: each problem card carries its
id and the seed of the numbers it shows, and the test asks the problem's generator.
"""

from __future__ import annotations

import json
import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from quizzes.models import Attempt, Problem
from tests.browser.conftest import ARTEFACTS
from tests.quizzes.solving import instance_for, mark_mastered, wrong_answer_for

SOFTMAX = "/concepts/softmax-and-logits/"
# The four roots; with them mastered, softmax is open and its unlocks depend on it alone.
ROOTS = (
    "exponentials-and-logarithms",
    "probability-distributions",
    "floating-point-arithmetic",
    "vectors-and-dot-products",
)
UNLOCKED_BY_SOFTMAX = {
    "argmax-vs-sampling": "Argmax vs Sampling",
    "log-sum-exp-and-numerical-stability": "Log-Sum-Exp and Numerical Stability",
    "scaled-dot-product-attention": "Scaled Dot-Product Attention",
    "sigmoid-and-logistic-regression": "The Sigmoid and Logistic Regression",
    "sparsemax": "Sparsemax",
}
STILL_LOCKED = ("sequence-masking", "transformers")  # they need attention mastered too
PASSWORD = "quiet-harbour-lantern-42"
GRADED = 15_000  # ms to wait for a graded answer: the machine may be busy


def shot(locator, name: str) -> None:
    """A screenshot of one part of the page (the full pages are very long)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTEFACTS / f"practice-{name}.png"))


def sign_up(page: Page, site: str, username: str) -> None:
    page.goto(site + "/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("[data-username]")).to_have_text(username)


def card_for(page: Page, difficulty: str):
    """The first problem card of a difficulty on the page."""
    return page.locator(f"article.problem.difficulty-{difficulty}").first


def argmax_card(page: Page):
    """The easy card asking which class is most likely (a position answer)."""
    problem = Problem.objects.get(generator="softmax_argmax_index")
    return page.locator(f"#problem-{problem.pk}")


def numbers_of(card, learner):
    """The problem and its instance for the learner's (secret) seed: the page never shows it."""
    assert card.get_attribute("data-seed") is None
    problem = Problem.objects.get(pk=int(card.get_attribute("data-problem")))
    return problem, instance_for(learner, problem)


def submit(page: Page, card_id: str, typed: str, *, double: bool = False) -> None:
    card = page.locator(f"#{card_id}")
    card.locator("input[name=answer]").fill(typed)
    button = card.get_by_role("button", name="Check")
    if double:
        button.dblclick()
    else:
        button.click()


def test_sign_up_answer_wrong_then_right_and_master_softmax(page, site, console_errors, screenshot):
    sign_up(page, site, "ada")
    learner = get_user_model().objects.get(username="ada")
    mark_mastered(learner, *ROOTS)

    page.goto(site + SOFTMAX)
    expect(page.locator("[data-practice]")).to_have_attribute("data-enhanced", "true")
    expect(page.locator("[data-status]")).to_have_text("Your status: available")
    expect(page.locator(".mastery-rule")).to_contain_text("one of its easy")

    # Easy: wrong first (double-clicked, stored once), then right, in place.
    easy = argmax_card(page)
    card_id = easy.get_attribute("id")
    problem, instance = numbers_of(easy, learner)
    submit(page, card_id, wrong_answer_for(instance), double=True)
    card = page.locator(f"#{card_id}")
    expect(card.locator("[data-verdict=wrong]")).to_contain_text("Not quite", timeout=GRADED)
    expect(card.locator("[data-attempts-left]")).to_have_text("2 attempts left on these numbers.")
    expect(page.locator("[data-status]")).to_have_text("Your status: in progress")
    assert Attempt.objects.filter(learner=learner, problem=problem).count() == 1
    screenshot("wrong")
    shot(card, "wrong-answer")

    submit(page, card_id, instance.expected)
    expect(card.locator("[data-verdict=right]")).to_contain_text("Correct", timeout=GRADED)
    expect(card.locator("[data-expected]")).to_have_text(instance.expected)
    expect(card.locator(".solution .katex").first).to_be_attached()  # steps typeset in place

    # Medium and hard, right at once: the hard one completes the mastery.
    for difficulty in ("medium", "hard"):
        current = card_for(page, difficulty)
        current_id = current.get_attribute("id")
        _, numbers = numbers_of(current, learner)
        submit(page, current_id, numbers.expected)
        expect(page.locator(f"#{current_id} [data-verdict=right]")).to_be_visible(timeout=GRADED)

    mastered = page.locator("[data-mastered]")
    expect(mastered).to_contain_text("You mastered this concept!")
    for title in UNLOCKED_BY_SOFTMAX.values():
        expect(mastered.get_by_role("link", name=title)).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Your status: mastered")
    screenshot("mastered")
    shot(page.locator("article.problem", has=mastered), "mastered")

    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator('[data-status-count="mastered"] .count')).to_have_text("5")
    expect(page.locator('[data-status-count="available"] .count')).to_have_text(
        str(len(UNLOCKED_BY_SOFTMAX) + 1)
    )  # and Derivatives, open since its root
    for slug in UNLOCKED_BY_SOFTMAX:
        expect(page.locator(f'[data-unlocked="{slug}"]')).to_be_visible()
    # "Next to learn" shows the five open concepts that unlock the most, all of them open.
    next_up = page.locator("[data-next-up]")
    expect(next_up).to_have_count(5)
    open_now = {*UNLOCKED_BY_SOFTMAX, "derivatives-and-gradients"}
    assert {item.get_attribute("data-next-up") for item in next_up.all()} <= open_now
    graph = page.locator("[data-tree-graph]")
    expect(graph).to_have_attribute("data-ready", "true")
    drawn = json.loads(page.locator("#tree-data").text_content())  # what the map draws
    statuses = {node["id"]: node["status"] for node in drawn["nodes"]}
    assert statuses["softmax-and-logits"] == "mastered"
    assert all(statuses[slug] == "available" for slug in UNLOCKED_BY_SOFTMAX)
    assert all(statuses[slug] == "locked" for slug in STILL_LOCKED)
    expect(page.locator("table.attempts tbody tr")).to_have_count(4)
    screenshot("dashboard")


def test_practice_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_up(page, site, "grace")
    learner = get_user_model().objects.get(username="grace")
    mark_mastered(learner, *ROOTS)

    page.goto(site + SOFTMAX)
    easy = argmax_card(page)
    card_id = easy.get_attribute("id")
    problem, instance = numbers_of(easy, learner)
    submit(page, card_id, wrong_answer_for(instance))
    expect(page).to_have_url(re.compile(rf"{SOFTMAX}#{card_id}$"))
    card = page.locator(f"#{card_id}")
    expect(card.locator("[data-verdict=wrong]")).to_contain_text("Not quite")
    expect(page.locator("[data-status]")).to_have_text("Your status: in progress")

    submit(page, card_id, "0")  # not a position: explained, not counted
    expect(card.locator("[data-feedback-error]")).to_contain_text("Positions count from 1")
    assert Attempt.objects.filter(learner=learner, problem=problem).count() == 1

    card.get_by_role("button", name=re.compile("Show a hint")).click()
    expect(card.locator("[data-hint]")).to_have_count(1)
    submit(page, card_id, instance.expected)
    expect(card.locator("[data-verdict=right]")).to_contain_text("Correct")
    for difficulty in ("medium", "hard"):
        current = card_for(page, difficulty)
        current_id = current.get_attribute("id")
        _, numbers = numbers_of(current, learner)
        submit(page, current_id, numbers.expected)
    expect(page.locator(".messages")).to_contain_text(
        "You mastered Softmax and Logits! Unlocked: Argmax vs Sampling"
    )
    expect(page.locator("[data-status]")).to_have_text("Your status: mastered")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "practice-without-javascript.png"), full_page=True)
    context.close()
