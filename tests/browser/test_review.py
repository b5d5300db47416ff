"""A learner's path in a real browser: sign up, test out of Softmax's prerequisites, master
Softmax, rate it and report a problem on one of its exercises, then (time moved forward by
time-machine; the live server runs in this process) review what is due on the dashboard, one
review after another in place, each rescheduled.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from feedback.models import Report
from placement import services as placement
from placement.models import TestOut
from quizzes.models import ConceptProgress, Problem
from review.models import Review, ReviewCard
from tests.browser.test_accessibility import Audit
from tests.browser.test_practice import GRADED, SOFTMAX, card_for, numbers_of, sign_up, submit
from tests.quizzes.solving import seed_of


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

    # Having practised it (in place), the learner reloads the page and rates Softmax...
    page.reload()
    quality = page.locator("[data-quality]")
    quality.get_by_label("5 of 5").check()
    quality.get_by_role("button", name="Rate").click()
    expect(page.locator("[data-quality-grade]")).to_contain_text("Quality: A (5.0/5)")
    expect(page.locator("[data-quality-grade]")).to_contain_text("from 1 rating")
    # ...and reports a problem on a practice problem, whose secret seed the page never holds.
    easy = card_for(page, "easy")
    problem_id = int(easy.get_attribute("data-problem"))
    secret = seed_of(learner, Problem.objects.get(pk=problem_id))
    assert str(secret) not in page.content()
    report = page.locator(f"[data-report=problem-{problem_id}]")
    report.locator("summary").click()
    # the rating form and an open report form pass axe-core like every page
    audit = Audit(page, site)
    audit.check("concept (rated, a report form open)")
    audit.finish()
    report.get_by_label("What is wrong?").select_option("unclear")
    report.get_by_label(re.compile("Note for the authors")).fill("Which logit is z_2?")
    report.get_by_role("button", name="Send the report").click()
    expect(page.locator(".messages")).to_contain_text("your report was sent to the authors")
    sent = Report.objects.get(reporter=learner)
    assert (sent.problem_id, sent.seed, sent.note) == (problem_id, secret, "Which logit is z_2?")
    screenshot("rated-and-reported")

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
