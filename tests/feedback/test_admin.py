"""Authors see open reports in the admin, filter them, follow the link that reproduces the
numbers, and close them with an action that records who and when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Report
from lessons.models import WorkedExample

pytestmark = pytest.mark.usefixtures("empty_cache")
LIST = "/admin/feedback/report/"


@pytest.fixture
def author(client, django_user_model, settings):
    settings.AXES_ENABLED = False
    user = django_user_model.objects.create_superuser("author", "a@example.com", "pw")
    client.force_login(user)
    settings.AXES_ENABLED = True
    return user


def report_example(concept, seed=321, reason="unclear") -> Report:
    example = WorkedExample.objects.filter(concept=concept).first()
    return services.report_example(
        reporter=services.Reporter(None, "s", "10.0.0.9"),
        example=example,
        seed=seed,
        reason=reason,
        note="Step 2 is off",
    )


def report_problem(problem, seed) -> Report:
    return services.report_problem(
        reporter=services.Reporter(None, "s", "10.0.0.9"),
        problem=problem,
        seed=seed,
        reason="grading",
        note="",
    )


def test_open_reports_are_listed_with_a_link_to_their_numbers(client, author, concept):
    report = report_example(concept)
    html = client.get(LIST).content.decode()
    assert report.reproduce_url() in html  # /concepts/root/examples/1/321/
    assert "/examples/1/321/" in html


def test_closed_reports_leave_the_default_list_and_filters_find_them(client, author, concept):
    open_report, closed = report_example(concept, seed=11), report_example(concept, seed=22)
    services.close_reports(reports=Report.objects.filter(pk=closed.pk), author=author)
    listed = client.get(LIST).context["cl"].result_list
    assert list(listed) == [open_report]
    assert list(client.get(LIST + "?state=closed").context["cl"].result_list) == [closed]
    assert len(client.get(LIST + "?state=all").context["cl"].result_list) == 2
    assert list(client.get(LIST + "?state=all&reason=grading").context["cl"].result_list) == []


def test_the_close_action_closes_and_records_the_author(client, author, concept):
    reports = [report_example(concept, seed=s) for s in (1, 2)]
    response = client.post(
        LIST,
        {"action": "close_selected", "_selected_action": [r.pk for r in reports]},
        follow=True,
    )
    assert "Closed 2 report(s)." in response.content.decode()
    for report in Report.objects.all():
        assert report.closed and report.closed_by == author and report.closed_at


def test_a_problem_report_shows_its_numbers_to_staff(client, author, problem):
    report = report_problem(problem, seed=1_234_567)
    html = client.get(reverse("admin:feedback_report_change", args=[report.pk])).content.decode()
    assert "1234567" in html
    assert problem.instance(1_234_567).expected in html
    assert reverse("admin:quizzes_problem_change", args=[problem.pk]) in html


def test_reports_are_not_added_by_hand(client, author, tree):
    assert client.get(LIST + "add/").status_code == 403
