"""Exercise templates served for real: one template is a worked example and a problem.

Loaded from a concept file, a template is placed as a WorkedExample (seeded, shareable URL)
and a Problem (secret seed, graded with its tolerance, named mistakes, mastery, attempts).
"""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from exercise_templates.models import ExerciseTemplate
from lessons.models import WorkedExample
from lessons.seeds import MAX_SEED
from quizzes import practice_seeds
from quizzes.models import Attempt, ConceptProgress, Problem, ProblemProgress
from techtree.content import parse_concept
from techtree.loading import load_concepts
from techtree.models import Concept
from tests.quizzes.solving import visitor_seed_of

SLUG = "kit-divergence"
FILE = """+++
title = "Kit Divergence"
summary = "A concept served entirely from a template."
domain = "Machine Learning"
difficulty = 2
minutes = 10

[[exercises]]
key = "kl-swapped"
title = "KL is not symmetric"
difficulty = "easy"
kind = "number"
draw.z = {{ vector = 3, integers = [-3, 4] }}
draw.T = {{ choice = [0.5, 2, 4] }}
let.p = "softmax(z)"
let.q = "softmax(z / T)"
constraints = ["distinct(z)", "min_gap(p) >= 0.05"]
statement = "Logits $z = {{{{ z }}}}$ at $T = {{{{ T | 1 }}}}$: find $D(p \\\\| q)$."
hints = ["Compute $p = {{{{ p | 3 }}}}$ first.", "Then $q = {{{{ q | 3 }}}}$."]
solution = "$D(p \\\\| q) = {{{{ kl_divergence(p, q) | 4 }}}}$."
insight = "Swapping the arguments changes the value."
answer = "kl_divergence(p, q)"
steps = [{{ title = "Softmax", formula = "p = {{{{ p | 3 }}}}", explanation = "Normalise." }}]
mistakes = [{{ answer = "kl_divergence(q, p)", message = "That is $D(q \\\\| p)$: swapped." }}]
{more}
+++
A lesson.
"""
SECOND = """
[[exercises]]
key = "example-only"
title = "Only an example"
difficulty = "medium"
serves = ["example"]
kind = "number"
draw.x = { integer = [1, 5] }
statement = "Square {{ x }}."
answer = "x * x"
steps = [{ title = "Square", formula = "{{ x }}^2 = {{ x * x }}" }]
"""


def load(more: str = "") -> Concept:
    load_concepts([parse_concept(FILE.format(more=more), SLUG)])
    return Concept.objects.get(slug=SLUG)


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("ada", password="a-long-enough-password")


def post(client, problem: Problem, typed: str) -> dict:
    data = {"answer": typed, "submission": str(uuid.uuid4())}
    url = reverse("quizzes:answer", args=[problem.pk])
    return client.post(url, data, headers={"accept": "application/json"}).json()


@pytest.mark.django_db
def test_loading_places_a_template_as_an_example_and_a_problem():
    concept = load(SECOND)
    template = ExerciseTemplate.objects.get(concept=concept, key="kl-swapped")
    example = WorkedExample.objects.get(concept=concept, template=template)
    problem = Problem.objects.get(concept=concept, template=template)
    assert (example.order, example.title, example.generator) == (1, "KL is not symmetric", "")
    assert (problem.kind, problem.difficulty, problem.is_generated) == ("number", "easy", True)
    only = ExerciseTemplate.objects.get(key="example-only")
    assert WorkedExample.objects.filter(template=only).exists()
    assert not Problem.objects.filter(template=only).exists()  # serves as an example only
    assert problem.instance(7) == template.build(7) == example.build(7)


@pytest.mark.django_db
def test_the_worked_example_is_seeded_and_shareable(client):
    concept = load()
    row = WorkedExample.objects.get(concept=concept)
    exercise = row.build(12)
    page = client.get(row.get_absolute_url(12)).content.decode()
    assert exercise.statement.split("$")[1].replace("\\", "") in page.replace("\\", "")
    assert "Swapping the arguments" in page
    assert client.get(reverse("lessons:example", args=[SLUG, 1, MAX_SEED + 1])).status_code == 404


@pytest.mark.django_db
def test_a_learner_answers_a_named_mistake_then_right_and_masters(client, learner):
    concept = load()
    problem = Problem.objects.get(concept=concept)
    client.force_login(learner)
    page = client.get(concept.get_absolute_url()).content.decode()
    card = re.search(rf'<article[^>]*id="problem-{problem.pk}".*?</article>', page, re.S)
    assert card and "data-seed" not in card.group() and "seed" not in card.group().lower()
    seed = ProblemProgress.objects.filter(learner=learner).values_list("seed", flat=True)
    seed = seed[0] if seed else practice_seeds.learner_seed(learner.pk, problem.pk)
    assert seed in practice_seeds.PRACTICE_SEEDS and seed > MAX_SEED
    instance = problem.instance(seed)
    assert instance.statement.split("$")[1].replace("\\", "") in page.replace("\\", "")

    swapped = f"{instance.mistakes[0].answer:.6f}"
    wrong = post(client, problem, swapped)
    assert wrong["correct"] is False and wrong["mistake"].startswith("That is $D(q")
    assert "data-mistake" in wrong["html"]
    right = post(client, problem, instance.expected)
    assert right["correct"] is True and right["mistake"] == "" and right["mastered"] is True
    assert ConceptProgress.objects.get(learner=learner, concept=concept).mastered
    assert list(Attempt.objects.values_list("seed", flat=True)) == [seed, seed]


@pytest.mark.django_db
def test_no_example_url_renders_a_learners_practice_instance(client, learner):
    concept = load()
    problem = Problem.objects.get(concept=concept)
    seed = practice_seeds.learner_seed(learner.pk, problem.pk)
    assert seed > MAX_SEED  # example URLs stop at MAX_SEED: the ranges are disjoint
    assert client.get(f"/concepts/{SLUG}/examples/1/{seed}/").status_code == 404
    assert practice_seeds.browser_seed("a browser's secret", problem.pk) > MAX_SEED
    assert all(practice_seeds.fresh_seed() > MAX_SEED for _ in range(100))


@pytest.mark.django_db
def test_reloading_keeps_the_problem_and_its_attempts_and_removal_unplaces(client, learner):
    concept = load()
    problem = Problem.objects.get(concept=concept)
    client.force_login(learner)
    post(client, problem, "123")
    load(SECOND)
    assert Problem.objects.get(concept=concept, template__key="kl-swapped").pk == problem.pk
    assert Attempt.objects.filter(problem=problem).count() == 1
    load_concepts(
        [parse_concept(FILE.format(more="").split("[[exercises]]")[0] + "+++\nA.\n", SLUG)]
    )
    assert not ExerciseTemplate.objects.filter(concept=concept).exists()
    assert not Problem.objects.filter(concept=concept).exists()
    assert not WorkedExample.objects.filter(concept=concept).exists()


@pytest.mark.django_db
def test_saving_a_template_outside_a_load_places_it(client):
    concept = load()
    spec = ExerciseTemplate.objects.get(concept=concept).spec
    other = dict(spec, key="second-copy", title="A second copy", serves=["practice"])
    template = ExerciseTemplate.objects.create(concept=concept, spec=other, order=2)
    assert Problem.objects.get(template=template).order == 2
    assert not WorkedExample.objects.filter(template=template).exists()
    template.delete()
    assert Problem.objects.filter(concept=concept).count() == 1


@pytest.mark.django_db
def test_a_visitor_is_graded_on_their_own_seed_then_kept_in_their_session(client):
    concept = load()
    problem = Problem.objects.get(concept=concept)
    client.get(concept.get_absolute_url())
    seed = visitor_seed_of(client, problem)
    assert seed in practice_seeds.PRACTICE_SEEDS
    instance = problem.instance(seed)
    assert post(client, problem, instance.expected)["correct"] is True
    assert client.session["practice_visitor"]["seeds"][str(problem.pk)] == seed
    assert not Attempt.objects.exists()


def test_practice_seeds_depend_on_the_secret(settings):
    settings.PRACTICE_SEED_KEY = "one secret"
    first = practice_seeds.learner_seed(1, 2)
    assert first == practice_seeds.learner_seed(1, 2) != practice_seeds.learner_seed(2, 2)
    settings.PRACTICE_SEED_KEY = "another secret"
    assert practice_seeds.learner_seed(1, 2) != first
    settings.PRACTICE_SEED_KEY = ""
    derived = practice_seeds.learner_seed(1, 2)
    settings.SECRET_KEY = "a different secret key for this test only"
    assert practice_seeds.learner_seed(1, 2) != derived
