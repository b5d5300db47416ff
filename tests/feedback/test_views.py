"""Pages and posts: the quality grade on the concept page, rating, reporting from every worked
example and practice problem (no secret seed in any page), browse by rating, bad input."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Rating, Report
from lessons.models import WorkedExample
from quizzes.visitors import SESSION_KEY
from techtree.models import Concept
from tests.feedback.conftest import OTHER, ROOT, build_tree, practise
from tests.quizzes.solving import seed_of, visitor_seed_of

pytestmark = pytest.mark.usefixtures("empty_cache")


def page(client, slug=ROOT) -> str:
    response = client.get(f"/concepts/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_grade_mean_and_count(
    client, concept, problem, django_user_model, django_capture_on_commit_callbacks
):
    assert "Not rated yet." in page(client)  # a visitor's summary is kept from now on
    for name, stars in [("a", 5), ("b", 4), ("c", 5), ("d", 5), ("e", 4)]:
        learner = django_user_model.objects.create_user(name)
        practise(learner, problem)
        with django_capture_on_commit_callbacks(execute=True):  # each rating commits
            services.rate(learner=learner, concept=concept, stars=stars)
    html = page(client)
    assert "Quality: A (4.6/5)" in html
    assert "from 5 ratings" in html
    assert 'id="quality-heading"' in html


def test_visitors_and_unpractised_learners_get_no_rating_form(client, concept, learner):
    assert "data-rating-form" not in page(client)
    client.force_login(learner)
    html = page(client)
    assert "data-rating-form" not in html
    assert "Answer one of its practice problems, then you can rate it." in html


def test_a_practised_learner_rates_and_changes_their_rating(client, concept, practised):
    client.force_login(practised)
    html = page(client)
    assert "data-rating-form" in html and "<legend>" in html
    url = reverse("feedback:rate", args=[concept.slug])
    response = client.post(url, {"stars": "3", "next": f"/concepts/{ROOT}/#quality"})
    assert response.status_code == 302 and response["Location"] == f"/concepts/{ROOT}/#quality"
    client.post(url, {"stars": "4"})
    assert Rating.objects.get(learner=practised).stars == 4
    html = page(client)
    assert "Quality: B (4.0/5)" in html and "Your rating: 4 of 5" in html
    assert re.search(r'value="4" required checked', html)


@pytest.mark.parametrize("stars", ["", "0", "6", "five", "3.5", "\x00"])
def test_bad_ratings_get_a_clear_400(client, concept, practised, stars):
    client.force_login(practised)
    response = client.post(reverse("feedback:rate", args=[concept.slug]), {"stars": stars})
    assert response.status_code == 400
    assert "data-feedback-refused" in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_needs_practice_and_sign_in(client, concept, learner):
    url = reverse("feedback:rate", args=[concept.slug])
    response = client.post(url, {"stars": "5"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(learner)
    response = client.post(url, {"stars": "5"})
    assert response.status_code == 403 and "Practise" in response.content.decode()
    assert client.get(url).status_code == 405
    assert client.post("/concepts/no-such-concept/rate/", {"stars": "5"}).status_code == 404


def test_an_unsafe_next_goes_back_to_the_concept(client, concept, practised):
    client.force_login(practised)
    response = client.post(
        reverse("feedback:rate", args=[concept.slug]),
        {"stars": "5", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/concepts/{ROOT}/#quality"


def test_every_example_and_problem_offers_a_report_form(client, concept):
    html = page(client)
    examples = WorkedExample.objects.filter(concept=concept)
    for example in examples:
        assert f'data-report="example-{example.pk}"' in html
        assert reverse("feedback:report_example", args=[example.pk]) in html
    for problem in concept.problems.all():
        assert f'data-report="problem-{problem.pk}"' in html
    # each form's fields are labelled, with ids of their own
    ids = re.findall(r'id="(report-[a-z]+-\d+-(?:reason|note))"', html)
    assert len(ids) == len(set(ids)) == 2 * (examples.count() + concept.problems.count())
    for field in ids:
        assert f'<label for="{field}">' in html


def test_the_example_page_offers_a_report_with_its_seed(client, concept):
    example = WorkedExample.objects.filter(concept=concept).first()
    html = client.get(example.get_absolute_url(777)).content.decode()
    assert f'data-report="example-{example.pk}"' in html
    assert 'name="seed" value="777"' in html


def test_a_learner_reports_an_example_and_the_seed_is_stored(client, concept, learner):
    client.force_login(learner)
    example = WorkedExample.objects.filter(concept=concept).first()
    response = client.post(
        reverse("feedback:report_example", args=[example.pk]),
        {"seed": "777", "reason": "unclear", "note": "Step 2?", "next": "/x/#example-1"},
    )
    assert response.status_code == 302 and response["Location"] == "/x/#example-1"
    report = Report.objects.get()
    assert (report.seed, report.reporter, report.note, report.example) == (
        777,
        learner,
        "Step 2?",
        example,
    )


def test_no_practice_seed_in_the_page_and_the_server_stores_it(client, practised, problem):
    client.force_login(practised)
    seed = seed_of(practised, problem)
    html = page(client)
    assert str(seed) not in html
    form = re.search(
        rf'<form[^>]*action="{reverse("feedback:report_problem", args=[problem.pk])}".*?</form>',
        html,
        re.S,
    ).group(0)
    assert 'name="seed"' not in form
    # a seed posted anyway is ignored: the server looks up the learner's own
    client.post(
        reverse("feedback:report_problem", args=[problem.pk]),
        {"reason": "grading", "note": "", "seed": "5"},
    )
    assert Report.objects.get().seed == seed


def test_a_visitor_reports_a_problem_with_the_seed_they_see(client, problem):
    page(client)  # a visitor who only reads: their browser's seeds, nothing kept
    assert SESSION_KEY not in client.session
    seed = visitor_seed_of(client, problem)
    response = client.post(
        reverse("feedback:report_problem", args=[problem.pk]), {"reason": "unclear"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.seed, report.reporter, report.kind) == (seed, None, "problem")


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "nope"},
        {"reason": ""},
        {"reason": "other", "note": "x" * 1001},
        {"reason": "other", "note": "\x00"},
        {"reason": "other", "seed": "-1"},
        {"reason": "other", "seed": "1000000"},
        {"reason": "other", "seed": "abc"},
        {"reason": "other"},
    ],
)
def test_bad_example_reports_get_a_clear_400(client, concept, data):
    example = WorkedExample.objects.filter(concept=concept).first()
    response = client.post(reverse("feedback:report_example", args=[example.pk]), data)
    assert response.status_code == 400
    assert "data-feedback-refused" in response.content.decode()
    assert not Report.objects.exists()


def test_reports_of_unknown_exercises_are_404(client, tree):
    assert (
        client.post("/report/example/999999/", {"reason": "other", "seed": "1"}).status_code == 404
    )
    assert client.post("/report/problem/999999/", {"reason": "other"}).status_code == 404
    assert client.get("/report/problem/1/").status_code == 405


def test_a_visitor_past_the_limit_gets_429_and_nothing_is_stored(client, concept, settings):
    settings.REPORTS_PER_HOUR = 2
    example = WorkedExample.objects.filter(concept=concept).first()
    url = reverse("feedback:report_example", args=[example.pk])
    statuses = [client.post(url, {"reason": "other", "seed": "1"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Report.objects.count() == 2


def test_browse_sorts_by_rating_paged(client, tree, problem, django_user_model):
    from techtree.loading import load_synthetic_tree

    load_synthetic_tree(70)  # more than a page
    concept, other = tree[ROOT], tree[OTHER]
    other_problem = other.problems.get(order=1)
    learner = django_user_model.objects.create_user("r")
    practise(learner, problem)
    practise(learner, other_problem)
    services.rate(learner=learner, concept=concept, stars=3)
    services.rate(learner=learner, concept=other, stars=5)
    response = client.get("/concepts/?sort=rating")
    titles = [c.title for c in response.context["page"]]
    assert titles[:2] == [other.title, concept.title]
    assert len(titles) == 60 and response.context["page"].has_next()
    assert "rated 5.0/5 (1)" in response.content.decode()
    assert client.get("/concepts/?sort=nonsense").status_code == 200  # ignored, title order


def test_browse_by_rating_lists_every_concept_once_across_pages(client, tree, django_user_model):
    from techtree.loading import load_synthetic_tree

    load_synthetic_tree(150)
    learner = django_user_model.objects.create_user("r")
    for concept in (tree[ROOT], tree[OTHER]):
        practise(learner, concept.problems.get(order=1))
    services.rate(learner=learner, concept=tree[ROOT], stars=4)
    services.rate(learner=learner, concept=tree[OTHER], stars=4)
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/concepts/?sort=rating&page={number}").context["page"]
        seen += [c.pk for c in page]
    published = Concept.objects.filter(published=True)
    assert sorted(seen) == sorted(published.values_list("pk", flat=True))
    assert seen[:2] == sorted([tree[ROOT].pk, tree[OTHER].pk])  # equal ratings: by id
    titles = list(published.exclude(pk__in=seen[:2]).order_by("title").values_list("pk", flat=True))
    assert seen[2:] == titles


@pytest.fixture(params=[0, 300], ids=["small", "plus300"])
def sized_tree(request, db):
    from techtree.loading import load_synthetic_tree

    build_tree()
    if request.param:
        load_synthetic_tree(request.param)
    return request.param


def test_the_quality_section_costs_one_query_whatever_the_tree(
    rf, sized_tree, django_assert_num_queries, django_user_model
):
    from feedback import selectors

    concept = Concept.objects.get(slug=ROOT)
    learner = django_user_model.objects.create_user("q")
    with django_assert_num_queries(1):
        selectors.quality_view(concept, learner=learner)
    selectors.quality_view(concept)  # a visitor's summary is kept in the shared cache
    with django_assert_num_queries(1):  # reading it back (none on Redis)
        selectors.quality_view(concept)


def test_browse_by_rating_costs_the_same_whatever_the_tree(
    client, sized_tree, django_assert_num_queries
):
    client.get("/concepts/")  # the domains are in the shared cache from now on
    # the content version and the domains (cache), count, how many are rated, the page
    # (rated and unrated parts meet on page 1 only when fewer than a page are rated: here
    # none are, so one part)
    with django_assert_num_queries(5):
        assert client.get("/concepts/?sort=rating").status_code == 200
