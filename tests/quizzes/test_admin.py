"""Practice in the admin, through its real forms: problems under their concept, records
read-only, each learner's progress on their user page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from quizzes.answers import AnswerError
from quizzes.models import Attempt, ConceptProgress, Problem
from techtree.models import Concept
from tests.quizzes.solving import answer, mark_mastered, master, right_answer, wrong_answer

pytestmark = pytest.mark.django_db

SOFTMAX = "softmax-and-logits"


class _FormReader(HTMLParser):
    """The values a browser would submit from one form (the first with the given id)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.append((name, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                name, value = self.data[-1]
                self.data[-1] = (name, value.removeprefix("\n"))
            self._textarea = None


def form_data(html: str, form_id: str) -> dict[str, str]:
    """The form's fields and their current values, as the admin page would post them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.data, f"no form {form_id!r}"
    return dict(reader.data)


@pytest.fixture
def author(demo_tree):
    call_command("create_demo_users", verbosity=0)
    client = Client()
    # force_login: django-axes needs the request that Client.login does not pass.
    client.force_login(get_user_model().objects.get(username="author"))
    return client


def change_url(concept: Concept) -> str:
    return f"/admin/techtree/concept/{concept.pk}/change/"


def test_problems_are_edited_inline_under_their_concept(author):
    softmax = Concept.objects.get(slug=SOFTMAX)
    page = author.get(change_url(softmax))
    html = page.content.decode()
    assert page.status_code == 200
    assert "practice problems" in html.lower()
    for problem in softmax.problems.all():
        assert problem.title in html
    data = form_data(html, "concept_form")
    total = int(data["problems-TOTAL_FORMS"])
    assert total == softmax.problems.count() >= 8
    # Change one problem's attempts and add a generated one, through the inline.
    data["problems-0-max_attempts"] = "5"
    data.update(
        {
            "problems-TOTAL_FORMS": str(total + 1),
            f"problems-{total}-order": "99",
            f"problems-{total}-title": "Another argmax",
            f"problems-{total}-difficulty": "easy",
            f"problems-{total}-generator": "softmax_argmax_index",
            f"problems-{total}-max_attempts": "2",
        }
    )
    response = author.post(change_url(softmax), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    added = Problem.objects.get(concept=softmax, order=99)
    assert (added.generator, added.max_attempts, added.kind) == (
        "softmax_argmax_index",
        2,
        "number",
    )
    assert added.instance(5).kind == "index"  # the generator decides the kind
    assert softmax.problems.order_by("order").first().max_attempts == 5


def test_an_unknown_generator_or_an_incomplete_fixed_problem_is_refused_inline(author):
    softmax = Concept.objects.get(slug=SOFTMAX)
    data = form_data(author.get(change_url(softmax)).content.decode(), "concept_form")
    total = int(data["problems-TOTAL_FORMS"])
    data.update(
        {
            "problems-TOTAL_FORMS": str(total + 1),
            f"problems-{total}-order": "98",
            f"problems-{total}-title": "Written by hand",
            f"problems-{total}-difficulty": "easy",
            f"problems-{total}-generator": "",
            f"problems-{total}-max_attempts": "3",
        }
    )
    response = author.post(change_url(softmax), data)
    assert response.status_code == 200  # the form again, with the reason
    assert "A fixed problem needs a statement" in response.content.decode()
    assert not Problem.objects.filter(order=98).exists()


def test_an_author_writes_a_fixed_position_problem_with_its_own_numbers(author):
    softmax = Concept.objects.get(slug=SOFTMAX)
    data = form_data(author.get("/admin/quizzes/problem/add/").content.decode(), "problem_form")
    data.update(
        {
            "concept": str(softmax.pk),
            "order": "50",
            "title": "The largest of three",
            "difficulty": "easy",
            "generator": "",
            "kind": "index",
            "statement": "Logits $(1, 3, 2)$: which position is largest, counting from 1?",
            "answer": "2",
            "hints": "Softmax keeps the order.\n\nLook for the largest logit.",
            "solution": "The largest logit, 3, is at position 2.",
        }
    )
    response = author.post("/admin/quizzes/problem/add/", data)
    assert response.status_code == 200
    assert "Say how many entries a position answer chooses from" in response.content.decode()
    data["positions"] = "3"
    data["answer"] = "4"
    response = author.post("/admin/quizzes/problem/add/", data)
    assert "does not fit the kind" in response.content.decode()
    data["answer"] = "2"
    assert author.post("/admin/quizzes/problem/add/", data).status_code == 302
    problem = Problem.objects.get(order=50)
    instance = problem.instance(123)
    assert (instance.answer, instance.positions, len(instance.hints)) == (2, 3, 2)
    assert problem.grade(instance, "2").correct and not problem.grade(instance, "3").correct
    with pytest.raises(AnswerError, match="Expected a position from 1 to 3"):
        problem.grade(instance, "7")


def test_attempts_and_progress_are_read_only(author):
    learner = get_user_model().objects.create_user("lin", password="a-long-enough-password")
    mark_mastered(learner, "exponentials-and-logarithms", "probability-distributions")
    argmax = Problem.objects.select_related("concept").get(generator="softmax_argmax_index")
    answer(learner, argmax, wrong_answer(learner, argmax))
    attempt = Attempt.objects.get()
    listing = author.get("/admin/quizzes/attempt/")
    assert listing.status_code == 200 and "lin" in listing.content.decode()
    page = author.get(f"/admin/quizzes/attempt/{attempt.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and attempt.raw in html
    assert author.get("/admin/quizzes/attempt/add/").status_code == 403
    assert (
        author.post(f"/admin/quizzes/attempt/{attempt.pk}/change/", {"raw": "1"}).status_code == 403
    )
    assert Attempt.objects.get().raw == attempt.raw
    for model in ("problemprogress", "conceptprogress"):
        assert author.get(f"/admin/quizzes/{model}/").status_code == 200
        assert author.get(f"/admin/quizzes/{model}/add/").status_code == 403


def test_each_learner_shows_their_progress_through_the_tree(admin_client, demo_tree, settings):
    settings.ATTEMPTS_PER_MINUTE = 1000
    learner = get_user_model().objects.create_user("mo", password="a-long-enough-password")
    master(learner, Concept.objects.get(slug="exponentials-and-logarithms"))
    master(learner, Concept.objects.get(slug="probability-distributions"))
    argmax = Problem.objects.select_related("concept").get(generator="softmax_argmax_index")
    answer(learner, argmax, right_answer(learner, argmax))
    html = admin_client.get(f"/admin/auth/user/{learner.pk}/change/").content.decode()
    assert "progress through the tree" in html.lower()
    for title in ("Exponentials and Logarithms", "Probability Distributions", "Softmax and Logits"):
        assert title in html
    rows = admin_client.get("/admin/quizzes/conceptprogress/?q=mo").content.decode()
    assert rows.count("Softmax and Logits") >= 1
    assert ConceptProgress.objects.filter(learner=learner, mastered__isnull=False).count() == 2
