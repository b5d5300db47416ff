"""Practice through the site: JSON and plain form posts, visitors, refusals, the dashboard."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import mastery
from quizzes.answers import MAX_VECTOR_LENGTH
from quizzes.models import Attempt, Problem, ProblemProgress
from techtree.loading import load_synthetic_tree
from techtree.models import Concept
from tests.quizzes.solving import (
    answer,
    instance_for,
    mark_mastered,
    master,
    one_per_difficulty,
    right_answer,
    visitor_seed_of,
    wrong_answer,
)

pytestmark = pytest.mark.django_db

SOFTMAX = "softmax-and-logits"
SOFTMAX_URL = "/concepts/softmax-and-logits/"
PREREQUISITES = ("exponentials-and-logarithms", "probability-distributions")
JSON = {"accept": "application/json"}


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("grace", password="a-long-enough-password")


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def softmax_open(demo_tree, learner):
    mark_mastered(learner, *PREREQUISITES)
    return Concept.objects.get(slug=SOFTMAX)


def problem(generator: str) -> Problem:
    return Problem.objects.select_related("concept").get(generator=generator)


def url(name: str, p: Problem) -> str:
    return reverse(f"quizzes:{name}", args=[p.pk])


def post_answer(client, p: Problem, typed: str, *, json=True, submission=None):
    data = {"answer": typed, "submission": str(submission or uuid.uuid4())}
    return client.post(url("answer", p), data, headers=JSON if json else {})


def card_html(html: str, p: Problem) -> str:
    """One problem card out of a page."""
    match = re.search(rf'<article[^>]*id="problem-{p.pk}".*?</article>', html, re.S)
    assert match, f"no card for problem {p.pk}"
    return match.group()


# --- Answering with JavaScript (JSON) and without (a plain form post) -----------------------


def test_json_answer_is_graded_stored_and_rendered_in_place(signed_in, learner, softmax_open):
    argmax = problem("softmax_argmax_index")
    wrong = wrong_answer(learner, argmax)
    response = post_answer(signed_in, argmax, wrong)
    assert response.status_code == 200
    data = response.json()
    assert data["correct"] is False and data["stored"] is True
    assert data["message"] == "Not quite." and data["expected"] is None
    assert data["attempts_left"] == 2 and data["status"] == "in progress"
    assert f'id="problem-{argmax.pk}"' in data["html"] and "✗ Not quite." in data["html"]
    assert f'value="{wrong}"' in data["html"]  # kept in the box to correct it
    assert "2 attempts left" in data["html"]
    attempt = Attempt.objects.get()
    assert (attempt.learner, attempt.raw, attempt.correct) == (learner, wrong, False)

    data = post_answer(signed_in, argmax, right_answer(learner, argmax)).json()
    assert data["correct"] is True and data["expected"] == right_answer(learner, argmax)
    assert "✓ Solved" in data["html"] and "Worked solution for these numbers" in data["html"]


def test_vector_feedback_names_the_components_that_are_off(signed_in, learner, softmax_open):
    vector = problem("softmax_probabilities")
    typed = [f"{x:.4f}" for x in instance_for(learner, vector).answer]
    typed[0] = typed[2] = "0.5"
    data = post_answer(signed_in, vector, ", ".join(typed)).json()
    assert data["wrong_components"] == [1, 3]
    assert data["message"] == "Not quite: components 1 and 3 are off."


def test_plain_form_post_redirects_to_the_problem_and_shows_the_feedback_once(
    signed_in, learner, softmax_open
):
    argmax = problem("softmax_argmax_index")
    wrong = wrong_answer(learner, argmax)
    response = post_answer(signed_in, argmax, wrong, json=False)
    assert response.status_code == 302
    assert response.url == f"{SOFTMAX_URL}#problem-{argmax.pk}"
    page = signed_in.get(SOFTMAX_URL).content.decode()
    card = card_html(page, argmax)
    assert "✗ Not quite." in card and f'value="{wrong}"' in card
    assert "✗ Not quite." not in card_html(signed_in.get(SOFTMAX_URL).content.decode(), argmax)
    assert Attempt.objects.count() == 1


def test_a_double_submitted_form_is_stored_once_with_the_same_feedback(
    signed_in, learner, softmax_open
):
    argmax = problem("softmax_argmax_index")
    submission = uuid.uuid4()
    wrong = wrong_answer(learner, argmax)
    first = post_answer(signed_in, argmax, wrong, submission=submission).json()
    again = post_answer(signed_in, argmax, wrong, submission=submission).json()
    assert Attempt.objects.count() == 1
    assert again["duplicate"] is True and first["duplicate"] is False
    assert {k: again[k] for k in ("correct", "message", "attempts_left")} == {
        k: first[k] for k in ("correct", "message", "attempts_left")
    }
    for json in (False, False):  # the same without JavaScript
        assert (
            post_answer(signed_in, argmax, wrong, json=json, submission=submission).status_code
            == 302
        )
    assert Attempt.objects.count() == 1
    assert "✗ Not quite." in card_html(signed_in.get(SOFTMAX_URL).content.decode(), argmax)


def test_mastering_by_plain_form_posts_says_so_and_names_the_unlocks(
    signed_in, learner, softmax_open
):
    for p in one_per_difficulty(softmax_open):
        response = post_answer(signed_in, p, right_answer(learner, p), json=False)
        assert response.status_code == 302
    page = signed_in.get(SOFTMAX_URL)
    html = page.content.decode()
    assert "You mastered Softmax and Logits! Unlocked: Argmax vs Sampling, Sparsemax." in html
    assert "data-mastered" in html and 'href="/concepts/argmax-vs-sampling/"' in html
    assert page.context["practice"].status == mastery.Status.MASTERED
    assert 'data-status="mastered"' in html  # the concept page shows the status


def test_mastering_by_json_reports_the_unlocks(signed_in, learner, softmax_open):
    *first, last = one_per_difficulty(softmax_open)
    for p in first:
        post_answer(signed_in, p, right_answer(learner, p))
    data = post_answer(signed_in, last, right_answer(learner, last)).json()
    assert data["mastered"] is True and data["status"] == "mastered"
    assert data["unlocked"] == [
        {"title": "Argmax vs Sampling", "url": "/concepts/argmax-vs-sampling/"},
        {"title": "Sparsemax", "url": "/concepts/sparsemax/"},
    ]
    assert "You mastered this concept!" in data["html"]


def test_hints_solution_and_new_numbers_work_both_ways(signed_in, learner, softmax_open):
    vector = problem("softmax_probabilities")
    hints = instance_for(learner, vector).hints
    data = signed_in.post(url("hint", vector), headers=JSON).json()
    assert data["hint"] is True and data["html"].count("data-hint") == 1
    assert signed_in.post(url("hint", vector)).status_code == 302
    card = card_html(signed_in.get(SOFTMAX_URL).content.decode(), vector)
    assert card.count("data-hint") == 2 and f"Show a hint ({len(hints) - 2} left)" in card
    data = signed_in.post(url("solution", vector), headers=JSON).json()
    assert (
        right_answer(learner, vector) in data["html"]
        and '<details class="solution" open>' in data["html"]
    )
    old = ProblemProgress.objects.get(problem=vector).seed
    assert signed_in.post(url("new_numbers", vector)).status_code == 302
    row = ProblemProgress.objects.get(problem=vector)
    assert row.seed != old and not row.solution_shown and row.hints_shown == 0


# --- Visitors ----------------------------------------------------------------------------


def test_a_visitor_is_graded_not_stored_and_invited_to_log_in(client, demo_tree):
    argmax = problem("softmax_argmax_index")
    page = client.get(SOFTMAX_URL).content.decode()
    assert "data-invitation" in page and "graded but not saved" in page
    assert f'href="/accounts/login/?next={SOFTMAX_URL}%23practice"' in page
    # The visitor's own seed, their browser's (never in the page), kept once they answer.
    instance = argmax.instance(visitor_seed_of(client, argmax))
    data = post_answer(client, argmax, instance.expected).json()
    assert data["correct"] is True and data["stored"] is False
    assert "Not saved:" in data["html"] and "/accounts/signup/?next=" in data["html"]
    assert post_answer(client, argmax, "banana").status_code == 400
    response = post_answer(client, argmax, instance.expected, json=False)
    assert response.status_code == 302
    card = card_html(client.get(SOFTMAX_URL).content.decode(), argmax)
    assert "✓ Correct." in card and "Not saved:" in card
    assert not Attempt.objects.exists() and not ProblemProgress.objects.exists()


def test_a_visitor_can_see_hints_and_the_solution_from_their_session(client, demo_tree):
    vector = problem("softmax_probabilities")
    client.post(url("hint", vector))
    client.post(url("solution", vector))
    card = card_html(client.get(SOFTMAX_URL).content.decode(), vector)
    assert card.count("data-hint") == 1 and "data-expected" in card
    assert not ProblemProgress.objects.exists()


# --- Locked concepts ---------------------------------------------------------------------


def test_a_locked_concept_lists_its_prerequisites_with_links_and_refuses_answers(
    signed_in, learner, demo_tree
):
    page = signed_in.get(SOFTMAX_URL)
    html = page.content.decode()
    assert page.context["practice"].locked
    assert "data-locked" in html and "Master these prerequisites first" in html
    note = re.search(r'<div class="locked-note".*?</div>', html, re.S).group()
    for slug in PREREQUISITES:
        assert f'href="/concepts/{slug}/#practice"' in note
    assert "data-answer-form" not in html  # the lesson is there; the forms are not
    assert 'data-status="locked"' in html
    argmax = problem("softmax_argmax_index")
    response = post_answer(signed_in, argmax, right_answer(learner, argmax))
    assert response.status_code == 409
    assert (
        "locked: master Exponentials and Logarithms, Probability Distributions first"
        in (response.json()["error"])
    )
    assert signed_in.post(url("hint", argmax), headers=JSON).status_code == 409
    assert not Attempt.objects.exists()


# --- Bad requests ------------------------------------------------------------------------


def test_too_many_answers_get_a_clear_429_and_nothing_is_stored(
    signed_in, learner, softmax_open, settings
):
    settings.ATTEMPTS_PER_MINUTE = 1
    argmax, vector = problem("softmax_argmax_index"), problem("softmax_probabilities")
    assert post_answer(signed_in, argmax, wrong_answer(learner, argmax)).status_code == 200
    response = post_answer(signed_in, vector, right_answer(learner, vector))
    assert response.status_code == 429
    assert response.json()["error"].startswith("Slow down: at most 1 answers a minute.")
    response = post_answer(signed_in, vector, right_answer(learner, vector), json=False)
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Slow down</h1>" in html and f'href="{vector.get_absolute_url()}"' in html
    assert Attempt.objects.count() == 1


def test_visitors_get_the_429_too(client, demo_tree, settings):
    settings.ATTEMPTS_PER_MINUTE = 1
    # This client keeps no session, so its address's budget is the one it meets.
    settings.ATTEMPTS_PER_ADDRESS_PER_MINUTE = 1
    argmax = problem("softmax_argmax_index")
    assert post_answer(client, argmax, "1").status_code == 200
    assert post_answer(client, argmax, "1").status_code == 429


@pytest.mark.parametrize("name", ["answer", "hint", "solution", "new_numbers"])
def test_unknown_problems_are_404_and_get_is_405(signed_in, softmax_open, name):
    assert signed_in.post(reverse(f"quizzes:{name}", args=[999_999])).status_code == 404
    argmax = problem("softmax_argmax_index")
    assert signed_in.get(url(name, argmax)).status_code == 405


def test_problems_of_unpublished_concepts_are_404(signed_in, softmax_open):
    Concept.objects.filter(slug=SOFTMAX).update(published=False)
    argmax = problem("softmax_argmax_index")
    assert post_answer(signed_in, argmax, "1").status_code == 404


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1" * (MAX_VECTOR_LENGTH + 1), f"That is too long: at most {MAX_VECTOR_LENGTH}"),
        ("0.5, 0.3\x00, 0.2", "a character we cannot read"),
        ("", "empty"),
    ],
)
def test_unusable_input_is_a_400_with_a_message_and_not_an_attempt(
    signed_in, learner, softmax_open, typed, message
):
    vector = problem("softmax_probabilities")
    response = post_answer(signed_in, vector, typed)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert len(response.json()["raw"]) <= 200
    assert not Attempt.objects.exists()
    assert ProblemProgress.objects.filter(attempts__gt=0).count() == 0


def test_a_position_beyond_the_entries_says_which_positions_there_are(
    signed_in, learner, softmax_open
):
    argmax = problem("softmax_argmax_index")
    count = instance_for(learner, argmax).positions
    response = post_answer(signed_in, argmax, "7" if count < 7 else "70")
    assert response.status_code == 400
    assert (
        f"Expected a position from 1 to {count} (the first entry is 1)" in response.json()["error"]
    )
    assert not Attempt.objects.exists()


def test_csrf_is_enforced_for_real_browsers(learner, softmax_open):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    argmax = problem("softmax_argmax_index")
    typed = right_answer(learner, argmax)
    assert post_answer(browser, argmax, typed).status_code == 403
    assert not Attempt.objects.exists()
    page = browser.get(SOFTMAX_URL).content.decode()
    form = re.search(
        rf'action="{url("answer", argmax)}".*?name="csrfmiddlewaretoken" value="([^"]+)"'
        r'.*?name="submission" value="([^"]+)"',
        page,
        re.S,
    )
    token, submission = form.groups()
    response = browser.post(
        url("answer", argmax),
        {"answer": typed, "submission": submission, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and Attempt.objects.get().correct
    assert str(Attempt.objects.get().submission) == submission


def test_the_practice_script_is_a_module_from_the_site(signed_in, softmax_open):
    html = signed_in.get(SOFTMAX_URL).content.decode()
    assert '<script type="module" src="/static/quizzes/practice.js"></script>' in html
    assert "onclick" not in html and "onsubmit" not in html and " style=" not in html


# --- The dashboard -----------------------------------------------------------------------


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("quizzes:dashboard"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_dashboard_counts_statuses_lists_unlocks_next_steps_and_history(
    signed_in, learner, demo_tree, settings
):
    settings.ATTEMPTS_PER_MINUTE = 1000
    for slug in ("exponentials-and-logarithms", "probability-distributions"):
        master(learner, Concept.objects.get(slug=slug))
    vectors = Concept.objects.get(slug="vectors-and-dot-products")
    easy = one_per_difficulty(vectors)[0]
    answer(learner, easy, wrong_answer(learner, easy))
    response = signed_in.get(reverse("quizzes:dashboard"))
    html = response.content.decode()
    data = response.context["data"]
    counts = dict(data.counts())
    total = Concept.objects.count()
    assert counts[mastery.Status.MASTERED] == 2 and counts[mastery.Status.IN_PROGRESS] == 1
    # Open: softmax and derivatives (just unlocked) and the root not started yet.
    assert counts[mastery.Status.AVAILABLE] == 3
    assert counts[mastery.Status.LOCKED] == total - 6
    assert re.search(r'data-status-count="mastered"><span class="count">2</span>', html)
    assert 'data-unlocked="softmax-and-logits"' in html
    assert "now</span>" in html and "0 minutes" not in html  # "now", not "0 minutes ago"
    # Next to learn: ranked by how many concepts mastering it would unlock now.
    ranked = [item.concept.slug for item in data.next_up]
    opens = {item.concept.slug: item.opens for item in data.next_up}
    # Softmax is the last missing prerequisite of Argmax vs Sampling and of Sparsemax.
    assert ranked[0] == "softmax-and-logits" and opens["softmax-and-logits"] == 2
    assert set(ranked) == {
        "softmax-and-logits",
        "derivatives-and-gradients",
        "vectors-and-dot-products",
        "floating-point-arithmetic",
    }
    assert [opens[s] for s in ranked] == sorted((opens[s] for s in ranked), reverse=True)
    assert html.index('data-next-up="softmax-and-logits"') < html.index(
        'data-next-up="vectors-and-dot-products"'
    )
    # The history: every attempt, newest first.
    assert len(data.attempts) == Attempt.objects.count() == 7
    assert data.attempts[0].problem == easy and "✗ wrong" in html
    assert "mastered the concept" in html
    assert data.tree_json()["nodes"][0]["status"] in {s.value for s in mastery.Status}
    assert mastery.MASTERY_RULE in html


def test_the_tree_page_shows_each_status(signed_in, learner, softmax_open):
    # The map reads the learner's statuses from their own endpoint, never cached.
    statuses = signed_in.get(reverse("techtree:map_statuses")).json()["statuses"]
    assert statuses["exponentials-and-logarithms"] == "mastered"
    assert statuses[SOFTMAX] == "available"
    assert statuses["transformers"] == "locked"


# --- A fixed number of queries at two tree sizes ------------------------------------------


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_dashboard_and_concept_page_keep_their_query_counts_as_the_tree_grows(
    signed_in, learner, softmax_open, django_assert_num_queries, settings
):
    """Measured on the demo tree, then the same number with 300 more concepts."""
    settings.ATTEMPTS_PER_MINUTE = 1000
    master(learner, softmax_open)
    vector = problem("softmax_probabilities")
    post_answer(signed_in, vector, wrong_answer(learner, vector))
    dashboard = reverse("quizzes:dashboard")
    signed_in.get(SOFTMAX_URL)  # its graph part and lesson are in the shared cache from now on
    signed_in.get(dashboard)  # and the tree's facts the dashboard reads
    pages = {dashboard: _count(signed_in, dashboard), SOFTMAX_URL: _count(signed_in, SOFTMAX_URL)}
    assert pages[dashboard] == DASHBOARD_QUERIES  # its frontier kept from the view before
    load_synthetic_tree(300)
    for path, expected in pages.items():
        signed_in.get(path)  # the same, for the grown tree's content version
        with django_assert_num_queries(expected):
            signed_in.get(path)
    # A JSON answer (a first wrong one on a problem) costs the same at any size too.
    first, second = problem("softmax_shift_invariance"), problem("softmax_ratio_identity")
    with CaptureQueriesContext(connection) as small:
        assert post_answer(signed_in, first, wrong_answer(learner, first)).status_code == 200
    load_synthetic_tree(300, prefix="more")
    with django_assert_num_queries(len(small)):
        assert post_answer(signed_in, second, wrong_answer(learner, second)).status_code == 200


# The session and the user, then the dashboard's reads: the content version, the learner's
# progress, their frontier and what to learn next (cache, kept from the view before; computed,
# they read the tree's facts from the cache and four queries: tests/quizzes/
# test_dashboard_frontier.py), recently unlocked, the attempt history's count and page; on a
# small tree its map (concepts, edges, statuses); then the review section's two (how many are
# due: none here; when the next one is), and the placement section's two (the learner's
# mastered rows; their placement run).
DASHBOARD_QUERIES = 15
