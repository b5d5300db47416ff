"""A learner's path in a real browser: sign up, test out of Softmax's prerequisites, master
Softmax, then (time moved forward by time-machine; the live server runs in this process)
review what is due on the dashboard, one review after another in place, each rescheduled.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from placement import services as placement
from placement.models import TestOut
from quizzes.models import ConceptProgress
from review.models import Review, ReviewCard
from tests.browser.test_practice import GRADED, SOFTMAX, card_for, numbers_of, sign_up, submit


def test_test_out_master_softmax_then_review_when_due(page, site, console_errors, screenshot):
    sign_up(page, site, "grace")
    learner = get_user_model().objects.get(username="grace")

    # Softmax is locked: its test-out asks one problem of each prerequisite.
    page.goto(site + SOFTMAX)
    expect(page.locator("[data-locked]")).to_be_visible()
    page.locator("[data-test-out]").click()
    test_out = TestOut.objects.get(learner=learner)
    for q in placement.questions_of(test_out.questions):
        page.fill(f"#answer-{q.problem.pk}", q.problem.instance(q.seed).expected)
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator('[data-test-out-result="passed"]')).to_be_visible(timeout=GRADED)
    placed = ConceptProgress.objects.filter(learner=learner, placed=True)
    assert placed.count() == len(test_out.questions)

    # Softmax is open at once; practise it to mastery.
    page.goto(site + SOFTMAX)
    expect(page.locator("[data-status]")).to_have_text("Your status: available")
    for difficulty in ("easy", "medium", "hard"):
        card = card_for(page, difficulty)
        card_id = card.get_attribute("id")
        _, numbers = numbers_of(card, learner)
        submit(page, card_id, numbers.expected)
        expect(page.locator(f"#{card_id} [data-verdict=right]")).to_be_visible(timeout=GRADED)
    expect(page.locator("[data-status]")).to_have_text("Your status: mastered")
    cards = ReviewCard.objects.filter(learner=learner)
    assert cards.count() == len(test_out.questions) + 1
    page.goto(site + "/dashboard/")
    expect(page.locator("[data-review-count]")).to_have_attribute("data-review-count", "0")

    # An hour after the last card comes due (within the session's life), all are due.
    later = max(c.due for c in cards) + timedelta(hours=1)
    with time_machine.travel(later, tick=True):
        page.goto(site + "/dashboard/")
        due = cards.count()
        expect(page.locator("[data-review-count]")).to_have_attribute("data-review-count", str(due))
        screenshot("reviews-due")
        for left in range(due, 0, -1):
            card = ReviewCard.objects.get(learner=learner, problem__isnull=False)
            before = card.due
            expected = card.problem.instance(card.seed).expected
            form = page.locator("form[data-review-form].answer-form")
            form.locator("input[name=answer]").fill(expected)
            form.get_by_role("button", name="Check").click()
            expect(page.locator("[data-review-verdict=right]")).to_be_visible(timeout=GRADED)
            expect(page.locator("[data-review-count]")).to_have_attribute(
                "data-review-count", str(left - 1)
            )
            card.refresh_from_db()
            assert card.due > later > before  # rescheduled into the future
        expect(page).to_have_url(re.compile(r"/dashboard/$"))  # all in place
        expect(page.locator("[data-review-count]")).to_contain_text("Nothing is due")
        screenshot("reviews-done")
    assert Review.objects.filter(learner=learner, kind="answered").count() == due
