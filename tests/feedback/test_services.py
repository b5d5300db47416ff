"""Writes: rating (practised learners only, one each, changeable, summary row in step),
reports (stored with what reproduces them, bad input refused, rate-limited), closing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from feedback import services
from feedback.models import ConceptQuality, Rating, Report
from lessons.models import WorkedExample
from tests.feedback.conftest import practise
from tests.quizzes.solving import seed_of

pytestmark = pytest.mark.usefixtures("empty_cache")


def test_a_learner_who_has_not_practised_cannot_rate(learner, concept):
    with pytest.raises(services.NotPractised, match="Practise"):
        services.rate(learner=learner, concept=concept, stars=5)
    assert not Rating.objects.exists()


def test_rating_is_one_per_learner_and_changeable(practised, concept):
    services.rate(learner=practised, concept=concept, stars=2)
    quality = services.rate(learner=practised, concept=concept, stars=5)
    assert Rating.objects.get().stars == 5
    assert (quality.count, quality.total, quality.mean, quality.letter) == (1, 5, 5.0, "A")


def test_the_summary_row_holds_every_learners_rating(concept, problem, django_user_model):
    for name, stars in [("a", 5), ("b", 4), ("c", 5), ("d", 5), ("e", 4)]:
        learner = django_user_model.objects.create_user(name)
        practise(learner, problem)
        services.rate(learner=learner, concept=concept, stars=stars)
    quality = ConceptQuality.objects.get(concept=concept)
    assert (quality.count, quality.mean, quality.letter) == (5, 4.6, "A")  # "A (4.6/5)"


@pytest.mark.parametrize("stars", [0, 6, -1, "5", 2.5, None])
def test_stars_out_of_range_are_refused(practised, concept, stars):
    with pytest.raises(services.FeedbackRefused, match="1 to 5"):
        services.rate(learner=practised, concept=concept, stars=stars)


def test_the_database_holds_one_rating_per_learner_and_concept(practised, concept):
    Rating.objects.create(learner=practised, concept=concept, stars=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(learner=practised, concept=concept, stars=4)


def test_the_database_refuses_stars_outside_1_to_5(practised, concept):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(learner=practised, concept=concept, stars=6)


def reporter(learner=None, session="s1", address="10.0.0.1") -> services.Reporter:
    return services.Reporter(learner, None if learner else session, address)


def test_an_example_report_keeps_concept_exercise_and_seed(concept, learner):
    example = WorkedExample.objects.filter(concept=concept).first()
    report = services.report_example(
        reporter=reporter(learner), example=example, seed=4242, reason="unclear", note=" Hm "
    )
    assert (report.concept, report.kind, report.example, report.seed) == (
        concept,
        "example",
        example,
        4242,
    )
    assert report.exercise in (
        f"generator:{example.generator}",
        f"template:{example.template_id and example.template.key}",
    )
    assert report.note == "Hm" and report.reporter == learner and not report.closed
    assert report.reproduce_url() == example.get_absolute_url(4242)


def test_a_problem_report_keeps_the_learners_secret_seed(practised, problem):
    report = services.report_problem(
        reporter=reporter(practised),
        problem=problem,
        seed=seed_of(practised, problem),
        reason="grading",
        note="",
    )
    assert report.seed == seed_of(practised, problem) > 1_000_000
    assert report.exercise in (
        f"generator:{problem.generator}",
        f"template:{problem.template_id and problem.template.key}",
    )


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("nonsense", "", "listed reasons"),
        ("other", "x" * 1001, "at most 1000"),
        ("other", "a\x00b", "cannot store"),
    ],
)
def test_bad_reports_are_refused_and_store_nothing(concept, reason, note, message):
    example = WorkedExample.objects.filter(concept=concept).first()
    with pytest.raises(services.FeedbackRefused, match=message):
        services.report_example(
            reporter=reporter(), example=example, seed=1, reason=reason, note=note
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize("seed", [-1, 1_000_000, 10**12])
def test_an_example_seed_out_of_range_is_refused(concept, seed):
    example = WorkedExample.objects.filter(concept=concept).first()
    with pytest.raises(services.FeedbackRefused, match="seeds run"):
        services.report_example(
            reporter=reporter(), example=example, seed=seed, reason="other", note=""
        )


def test_reports_are_limited_per_reporter_and_per_address(concept, settings, learner):
    settings.REPORTS_PER_HOUR, settings.REPORTS_PER_ADDRESS_PER_HOUR = 2, 3
    example = WorkedExample.objects.filter(concept=concept).first()

    def send(who):
        return services.report_example(
            reporter=who, example=example, seed=1, reason="other", note=""
        )

    send(reporter(learner)), send(reporter(learner))
    with pytest.raises(services.ReportsLimited, match="at most 2 an hour"):
        send(reporter(learner))
    send(reporter(session="fresh"))  # another reporter at the same address: its third
    with pytest.raises(services.ReportsLimited):
        send(reporter(session="another"))  # the address's budget is spent
    send(reporter(session="elsewhere", address="10.0.0.2"))
    assert Report.objects.count() == 4


def test_closing_reports_records_who_and_when(concept, admin_user):
    example = WorkedExample.objects.filter(concept=concept).first()
    first, _second = (
        services.report_example(
            reporter=reporter(), example=example, seed=s, reason="other", note=""
        )
        for s in (1, 2)
    )
    assert (
        services.close_reports(reports=Report.objects.filter(pk=first.pk), author=admin_user) == 1
    )
    assert services.close_reports(reports=Report.objects.all(), author=admin_user) == 1  # only open
    first.refresh_from_db()
    assert first.closed and first.closed_by == admin_user and first.closed_at is not None
