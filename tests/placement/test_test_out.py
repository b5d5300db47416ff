"""Test-out of a locked concept's prerequisites: pass, fail and cool-down, visitors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from placement import services
from placement.models import TestOut
from quizzes.models import ConceptProgress
from quizzes.selectors import practice_view
from review.models import ReviewCard
from review.schedule import ReviewStatus
from tests.review.conftest import PREREQUISITES, SOFTMAX, build_small_tree

URL = reverse("placement:test_out", args=[SOFTMAX])


@pytest.fixture
def tree(db):
    return build_small_tree()


def answers_for(test_out: TestOut, *, wrong: str | None = None) -> dict[str, str]:
    """The right answer to every question, except a wrong one for the prerequisite `wrong`."""
    data = {}
    for q in services.questions_of(test_out.questions):
        expected = q.problem.instance(q.seed).expected
        data[f"answer-{q.problem.pk}"] = "999" if q.prerequisite.slug == wrong else expected
    return data


def test_a_locked_concept_links_its_test_out(signed_in, tree):
    page = signed_in.get(tree[SOFTMAX].get_absolute_url()).content.decode()
    assert "data-locked" in page and f'href="{URL}" data-test-out' in page


def test_passing_credits_the_prerequisites_as_placed_and_unlocks_at_once(
    signed_in, learner, tree, clock
):
    page = signed_in.get(URL)
    assert page.status_code == 200
    test_out = TestOut.objects.get(learner=learner)
    asked = services.questions_of(test_out.questions)
    assert sorted(q.prerequisite.slug for q in asked) == sorted(PREREQUISITES)
    assert {q.problem.difficulty for q in asked} == {"hard"}
    assert "Show a hint" not in page.content.decode()
    response = signed_in.post(URL, answers_for(test_out))
    assert 'data-test-out-result="passed"' in response.content.decode()
    rows = ConceptProgress.objects.filter(learner=learner, concept__slug__in=PREREQUISITES)
    assert [(r.placed, r.mastered is not None) for r in rows] == [(True, True)] * 2
    assert ReviewCard.objects.filter(learner=learner, concept__slug__in=PREREQUISITES).count() == 2
    softmax = tree[SOFTMAX]
    assert ConceptProgress.objects.get(learner=learner, concept=softmax).unlocked is not None
    assert not practice_view(softmax, list(softmax.prerequisites.all()), learner=learner).locked
    again = signed_in.post(URL, answers_for(test_out))  # a second submit credits nothing more
    assert again.status_code == 409
    # The tree shows them placed, apart from practised mastery.
    statuses = signed_in.get(reverse("techtree:map_statuses")).json()["statuses"]
    assert {statuses[slug] for slug in PREREQUISITES} == {ReviewStatus.PLACED.value}
    assert "placed" in signed_in.get(reverse("techtree:tree")).content.decode()


def test_failing_names_what_to_study_and_waits_for_the_cool_down(signed_in, learner, tree, clock):
    signed_in.get(URL)
    test_out = TestOut.objects.get(learner=learner)
    response = signed_in.post(URL, answers_for(test_out, wrong=PREREQUISITES[1]))
    page = response.content.decode()
    assert 'data-test-out-result="failed"' in page
    assert f'data-study="{PREREQUISITES[1]}"' in page
    assert f'data-study="{PREREQUISITES[0]}"' not in page
    assert not ConceptProgress.objects.filter(learner=learner, mastered__isnull=False).exists()
    clock.shift(services.COOL_DOWN - timedelta(seconds=1))
    refused = signed_in.get(URL)
    assert refused.status_code == 409 and "try this test-out again" in refused.content.decode()
    clock.shift(timedelta(seconds=1))
    assert signed_in.get(URL).status_code == 200
    assert TestOut.objects.filter(learner=learner).count() == 2


def test_unreadable_input_grades_nothing_and_keeps_the_test_out(signed_in, learner, tree, clock):
    signed_in.get(URL)
    test_out = TestOut.objects.get(learner=learner)
    data = answers_for(test_out)
    data[next(iter(data))] = "not a number ]["
    assert signed_in.post(URL, data).status_code == 400
    test_out.refresh_from_db()
    assert test_out.finished is None
    assert signed_in.post(URL, answers_for(test_out)).status_code == 200


def test_an_open_concept_needs_no_test_out(signed_in, learner, tree, clock):
    from tests.quizzes.solving import mark_mastered

    mark_mastered(learner, *PREREQUISITES)
    response = signed_in.get(URL)
    assert response.status_code == 409 and "open to you already" in response.content.decode()


def test_a_visitor_is_graded_and_invited_to_sign_up_nothing_is_stored(client, tree):
    page = client.get(URL).content.decode()
    assert "data-invitation" in page
    questions = client.session["test_out"][SOFTMAX]
    data = {}
    for q in services.questions_of(questions):
        data[f"answer-{q.problem.pk}"] = q.problem.instance(q.seed).expected
    result = client.post(URL, data).content.decode()
    assert 'data-test-out-result="passed"' in result and "sign up" in result
    assert not TestOut.objects.exists() and not ConceptProgress.objects.exists()


def test_a_placed_concept_practised_to_mastery_counts_as_practised(
    signed_in, learner, tree, clock, settings
):
    from tests.quizzes.solving import master

    settings.ATTEMPTS_PER_MINUTE = 1000
    signed_in.get(URL)
    signed_in.post(URL, answers_for(TestOut.objects.get(learner=learner)))
    exps = tree[PREREQUISITES[0]]
    row = ConceptProgress.objects.get(learner=learner, concept=exps)
    placed_at = row.mastered
    assert row.placed
    master(learner, exps)
    row.refresh_from_db()
    assert not row.placed and row.mastered == placed_at
    assert ReviewCard.objects.filter(learner=learner, concept=exps).count() == 1
