"""Spaced review through the services and the dashboard, with time moved by time-machine."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from fsrs import Rating

from quizzes import answers
from quizzes.models import Attempt
from review import schedule, selectors, services
from review.models import Review, ReviewCard
from techtree.models import Concept
from tests.quizzes.solving import master, wrong_answer_for

from .conftest import AFTER, PREREQUISITES, SOFTMAX


def card_of(learner, concept) -> ReviewCard:
    return ReviewCard.objects.select_related("problem", "concept").get(
        learner=learner, concept=concept
    )


def posed(learner, concept) -> ReviewCard:
    """The review due now, posed as the dashboard poses it."""
    due = selectors.due_reviews(learner)
    assert due.card is not None and due.card.concept == concept
    return services.pose(learner=learner, card=due.card)


def right(card: ReviewCard) -> str:
    return card.problem.instance(card.seed).expected


def wrong(card: ReviewCard) -> str:
    return wrong_answer_for(card.problem.instance(card.seed))


def submit(learner, card: ReviewCard, raw: str, submission=None):
    return services.answer_review(
        learner=learner,
        concept=card.concept,
        raw=raw,
        round_=card.reviews,
        submission=submission or uuid.uuid4(),
    )


def test_mastery_schedules_a_first_review_that_comes_due_later(learner, softmax, clock):
    card = card_of(learner, softmax)
    expected = schedule.first_review(card.last_review).due
    assert card.due == expected and card.reviews == 1
    assert Review.objects.get(learner=learner).kind == Review.Kind.FIRST
    assert selectors.due_reviews(learner).count == 0
    clock.move_to(card.due - timedelta(seconds=1))
    assert selectors.due_reviews(learner).count == 0
    clock.move_to(card.due)
    assert selectors.due_reviews(learner).count == 1


@pytest.mark.parametrize(
    ("hint", "wait", "correct", "rating"),
    [
        (False, 5, True, Rating.Easy),
        (False, schedule.QUICK_SECONDS + 1, True, Rating.Good),
        (True, 5, True, Rating.Hard),
        (False, 5, False, Rating.Again),
    ],
)
def test_a_review_is_rated_from_its_outcome_and_rescheduled_by_fsrs(
    learner, softmax, clock, hint, wait, correct, rating
):
    before = card_of(learner, softmax)
    clock.move_to(before.due + timedelta(days=1))
    card = posed(learner, softmax)
    seed = card.seed
    if hint:
        card = services.reveal_hint(learner=learner, concept=softmax, round_=card.reviews)
    clock.shift(timedelta(seconds=wait))
    result = submit(learner, card, right(card) if correct else wrong(card))
    assert result.correct is correct and result.rating == rating
    after = card_of(learner, softmax)
    reviewed_at = before.due + timedelta(days=1, seconds=wait)
    assert after.due == schedule.review(before.card_state, rating, reviewed_at).due
    assert after.reviews == 2 and after.problem is None
    stored = Review.objects.get(learner=learner, kind=Review.Kind.ANSWERED)
    assert (stored.rating, stored.correct, stored.seed) == (int(rating), correct, seed)
    assert stored.seconds == wait and stored.due_after == after.due
    assert selectors.due_reviews(learner).count == 0


def test_due_dates_arrive_and_move_on_over_months(learner, softmax, clock):
    """Three right reviews: each lands when due, and each interval is longer than the last."""
    intervals = []
    for _ in range(3):
        card = card_of(learner, softmax)
        clock.move_to(card.due)
        card = posed(learner, softmax)
        clock.shift(timedelta(seconds=90))
        result = submit(learner, card, right(card))
        assert result.rating == Rating.Good
        intervals.append(result.due - card.due)
    assert intervals == sorted(intervals) and intervals[0] < intervals[-1]
    assert Review.objects.filter(learner=learner).count() == 4


def test_a_review_uses_a_fresh_seed_and_a_problem_of_the_concept(learner, softmax, clock):
    clock.move_to(card_of(learner, softmax).due)
    card = posed(learner, softmax)
    assert card.problem.concept == softmax
    seeds_practised = set(Attempt.objects.filter(learner=learner).values_list("seed", flat=True))
    assert card.seed not in seeds_practised
    assert posed(learner, softmax).seed == card.seed  # the same review in every tab


def test_unreadable_input_counts_for_nothing_and_the_review_stays(learner, softmax, clock):
    clock.move_to(card_of(learner, softmax).due)
    card = posed(learner, softmax)
    with pytest.raises(answers.AnswerError):
        submit(learner, card, "not a number at all ][")
    assert Review.objects.filter(kind=Review.Kind.ANSWERED).count() == 0
    assert card_of(learner, softmax).problem == card.problem


def test_a_replayed_submission_is_stored_once_and_a_stale_form_is_refused(learner, softmax, clock):
    clock.move_to(card_of(learner, softmax).due)
    card = posed(learner, softmax)
    submission = uuid.uuid4()
    first = submit(learner, card, right(card), submission)
    again = submit(learner, card, right(card), submission)
    assert again.duplicate and again.rating == first.rating and again.due == first.due
    with pytest.raises(services.ReviewRefused, match="already done"):
        submit(learner, card, right(card))  # the same form, a new submission: stale round
    assert Review.objects.filter(kind=Review.Kind.ANSWERED).count() == 1
    assert card_of(learner, softmax).reviews == 2


def test_an_overdue_concept_stays_open_and_shows_review_due_on_the_tree(
    signed_in, learner, softmax, clock
):
    clock.move_to(card_of(learner, softmax).due + timedelta(days=40))
    page = signed_in.get(reverse("techtree:tree")).content.decode()
    assert "review due" in page
    statuses = signed_in.get(reverse("techtree:map_statuses")).json()["statuses"]
    assert statuses[softmax.slug] == schedule.ReviewStatus.REVIEW_DUE.value
    after = Concept.objects.get(slug=AFTER)
    assert statuses[after.slug] in ("available", "in progress")  # not re-locked
    practice = signed_in.get(after.get_absolute_url()).context["practice"]
    assert not practice.locked


def test_the_dashboard_leads_with_due_reviews_done_one_after_another_by_form_posts(
    signed_in, learner, softmax, clock
):
    exps = Concept.objects.get(slug=PREREQUISITES[0])
    master(learner, Concept.objects.get(slug=AFTER))  # a second card
    clock.move_to(START_PLUS := card_of(learner, softmax).due + timedelta(days=30))
    page = signed_in.get(reverse("quizzes:dashboard")).content.decode()
    assert page.index("Due for review") < page.index("What to learn next")
    assert 'data-review-count="2"' in page
    assert "about 4 minutes" in page  # two reviews at the default two minutes each
    for _ in range(2):
        card = ReviewCard.objects.filter(learner=learner, problem__isnull=False).get()
        response = signed_in.post(
            reverse("review:answer", args=[card.concept.slug]),
            {"answer": right(card), "round": card.reviews, "submission": str(uuid.uuid4())},
        )
        assert response.status_code == 302 and response.url.endswith("#review")
        page = signed_in.get(reverse("quizzes:dashboard")).content.decode()
        assert 'data-review-verdict="right"' in page
    assert 'data-review-count="0"' in page and "Next review" in page
    assert not ReviewCard.objects.filter(learner=learner, due__lte=START_PLUS).exists()
    assert not ReviewCard.objects.filter(learner=learner, concept=exps).exists()


def test_json_answers_return_the_next_review_in_place(signed_in, learner, softmax, clock):
    master(learner, Concept.objects.get(slug=AFTER))
    clock.move_to(card_of(learner, softmax).due + timedelta(days=30))
    signed_in.get(reverse("quizzes:dashboard"))
    card = ReviewCard.objects.filter(learner=learner, problem__isnull=False).get()
    response = signed_in.post(
        reverse("review:answer", args=[card.concept.slug]),
        {"answer": wrong(card), "round": card.reviews, "submission": str(uuid.uuid4())},
        headers={"accept": "application/json"},
    )
    data = response.json()
    assert response.status_code == 200 and data["rating"] == "Again" and not data["correct"]
    following = ReviewCard.objects.filter(learner=learner, problem__isnull=False).get()
    assert following.concept != card.concept
    assert f'data-review-card="{following.concept.slug}"' in data["html"]
    assert 'data-review-count="1"' in data["html"]
    bad = signed_in.post(
        reverse("review:answer", args=[following.concept.slug]),
        {"answer": "??", "round": following.reviews},
        headers={"accept": "application/json"},
    )
    assert bad.status_code == 400 and bad.json()["error"]


def test_the_review_script_is_a_static_file(signed_in, learner, softmax, clock):
    clock.move_to(card_of(learner, softmax).due)
    page = signed_in.get(reverse("quizzes:dashboard")).content.decode()
    assert 'src="/static/review/review.js"' in page
    assert "<script>" not in page


# --- Implicit review ---------------------------------------------------------------------


@pytest.fixture
def prerequisites_carded(small_tree, learner, clock, settings):
    """Softmax's two prerequisites mastered through practice at START, Softmax not started."""
    settings.ATTEMPTS_PER_MINUTE = 1000
    for slug in PREREQUISITES:
        master(learner, Concept.objects.get(slug=slug))
    return [card_of(learner, Concept.objects.get(slug=slug)) for slug in PREREQUISITES]


def _clean_solve(learner, concept, *, hint=False):
    from quizzes.progress import reveal_hint
    from tests.quizzes.solving import answer, one_per_difficulty, right_answer

    problem = one_per_difficulty(concept)[0]
    if hint:
        reveal_hint(learner=learner, problem=problem)
    return answer(learner, problem, right_answer(learner, problem))


def test_a_clean_solve_reviews_prerequisites_due_within_the_window(
    learner, prerequisites_carded, clock
):
    softmax = Concept.objects.get(slug=SOFTMAX)
    first = min(c.due for c in prerequisites_carded)
    clock.move_to(first - schedule.IMPLICIT_WINDOW + timedelta(hours=1))
    assert _clean_solve(learner, softmax).correct
    for before in prerequisites_carded:
        after = card_of(learner, before.concept)
        assert after.reviews == 2
        assert after.due == schedule.review(before.card_state, Rating.Good, clock_now()).due
        implicit = Review.objects.get(learner=learner, concept=before.concept, kind="implicit")
        assert implicit.rating == int(Rating.Good) and implicit.raw == ""


def clock_now():
    from django.utils import timezone

    return timezone.now()


def test_prerequisites_due_later_are_left_alone(learner, prerequisites_carded, clock):
    softmax = Concept.objects.get(slug=SOFTMAX)
    first = min(c.due for c in prerequisites_carded)
    clock.move_to(first - schedule.IMPLICIT_WINDOW - timedelta(hours=1))
    assert _clean_solve(learner, softmax).correct
    for before in prerequisites_carded:
        assert card_of(learner, before.concept).due == before.due
    assert not Review.objects.filter(kind="implicit").exists()


def test_a_solve_after_a_hint_is_not_clean_and_reviews_nothing(
    learner, prerequisites_carded, clock
):
    softmax = Concept.objects.get(slug=SOFTMAX)
    clock.move_to(max(c.due for c in prerequisites_carded) + timedelta(days=3))
    assert _clean_solve(learner, softmax, hint=True).correct
    assert not Review.objects.filter(kind="implicit").exists()
    assert selectors.due_reviews(learner).count == 2  # still due: a hint is no review
