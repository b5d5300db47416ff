"""Exercise templates: parsing, drawing with constraints, building and validation (no DB)."""

import copy
import math

import numpy as np
import pytest

from exercises import templates
from exercises.templates import TemplateInvalid, build, parse, validate_template
from lessons import engine

SPEC = {
    "key": "kl-swapped-arguments",
    "title": "KL divergence is not symmetric",
    "difficulty": "medium",
    "kind": "number",
    "tolerance": {"rel": 0.01, "abs": 0.0001},
    "draw": {"z": {"vector": 3, "integers": [-3, 4]}, "T": {"choice": [0.5, 2, 4]}},
    "let": {"p": "softmax(z)", "q": "softmax(z / T)"},
    "constraints": ["distinct(z)", "unique_max(z)", "min_gap(p) >= 0.05"],
    "statement": "Logits $\\mathbf{z} = {{ z }}$, $T = {{ T | 1 }}$: find $D_{\\mathrm{KL}}$.",
    "steps": [{"title": "Probabilities", "formula": "p = {{ p | 3 }}", "explanation": "Softmax."}],
    "hints": ["First $p = {{ p | 3 }}$", "Then $q$"],
    "solution": "$D = {{ kl_divergence(p, q) | 3 }}$",
    "insight": "Not symmetric.",
    "answer": "kl_divergence(p, q)",
    "mistakes": [{"answer": "kl_divergence(q, p)", "message": "Arguments swapped."}],
}


def spec(**changes):
    result = copy.deepcopy(SPEC)
    result.update(changes)
    return result


def test_build_is_deterministic_and_computed_by_the_engine():
    first, again = build(SPEC, 7), build(SPEC, 7)
    assert first == again
    z = np.array(first.inputs["z"])
    T = first.inputs["T"]
    p, q = engine.softmax(z), engine.softmax(z / T)
    assert first.answer == pytest.approx(float(np.sum(p * np.log(p / q))))
    assert first.kind == "number" and first.seed == 7 and first.key == SPEC["key"]
    assert "{{" not in first.statement and first.steps[0].formula.startswith("p = (")
    assert first.mistakes[0].message == "Arguments swapped."


def test_constraints_hold_on_every_seed():
    for seed in range(1, 60):
        z = build(SPEC, seed).inputs["z"]
        assert len(set(z)) == 3 and sorted(z)[-1] != sorted(z)[-2]
        assert all(-3 <= v <= 4 and float(v).is_integer() for v in z)


def test_grading_with_tolerance_and_named_mistakes():
    exercise = build(SPEC, 3)
    assert exercise.grade(exercise.expected).correct
    wrong = f"{exercise.mistakes[0].answer:.6f}"
    assert not exercise.grade(wrong).correct
    assert exercise.mistake_for(wrong).message == "Arguments swapped."
    assert exercise.mistake_for("123") is None
    assert exercise.mistake_for("not a number") is None


def test_valid_template_has_no_errors():
    assert validate_template(SPEC) == []


@pytest.mark.parametrize(
    ("changes", "field", "expression"),
    [
        ({"answer": "kl_divergence(p, r)"}, "answer", "kl_divergence(p, r)"),
        ({"let": {"p": "softmax(z)", "q": "softmax(z / 0)"}}, "let.q", "softmax(z / 0)"),
        ({"constraints": ["sum(z) > 1000"]}, "constraints[1]", "sum(z) > 1000"),
        ({"statement": "{{ nope }}"}, "statement", "nope"),
        ({"hints": ["{{ p | 3 "]}, "hints[1]", ""),
        (
            {"mistakes": [{"answer": "kl_divergence(p, q) * 1.001", "message": "m"}]},
            "mistakes[1].answer",
            "kl_divergence(p, q) * 1.001",
        ),
        ({"answer": "p"}, "answer", "p"),
    ],
)
def test_validation_names_field_expression_and_seed(changes, field, expression):
    errors = validate_template(spec(**changes), seeds=5)
    assert errors, changes
    error = errors[0]
    assert (error.field, error.expression, error.seed) == (field, expression, 1)
    assert field in str(error) and "seed 1" in str(error)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"statement": "Logits {{ z }}, and {{ inf }}."}, "statement"),
        ({"solution": "$D = {{ inf - inf }}$"}, "solution"),
        ({"insight": "{{ 1 / (z - z) }}"}, "insight"),
        ({"hints": ["{{ p | 3 }}", "{{ [1, -inf] | 2 }}"]}, "hints[2]"),
        ({"steps": [{"title": "{{ -inf }}", "formula": "x"}]}, "steps[1].title"),
        ({"steps": [{"title": "t", "formula": "{{ log(0 * p) | 3 }}"}]}, "steps[1].formula"),
        (
            {"mistakes": [{"answer": "kl_divergence(q, p)", "message": "{{ exp(1000) }}"}]},
            "mistakes[1].message",
        ),
    ],
)
def test_validation_refuses_a_non_finite_number_shown_in_any_field(changes, field):
    """inf or NaN would print as "∞" or "NaN" in what a learner reads."""
    errors = validate_template(spec(**changes), seeds=3)
    shown = [error for error in errors if error.field == field]
    assert shown, errors
    assert shown[0].seed == 1 and shown[0].expression
    assert "non-finite" in str(shown[0]) and f"{field} {shown[0].expression!r}" in str(shown[0])
    with pytest.raises(TemplateInvalid, match="non-finite"):
        build(spec(**changes), 1)


def test_validation_finds_a_failure_on_a_later_seed():
    # Only some draws give a negative first logit, so the error names a seed > 1 or 1.
    errors = validate_template(spec(answer="log(z[0] + 3.5)"), seeds=50)
    assert errors == [] or errors[0].field == "answer"
    errors = validate_template(spec(answer="1 / (z[0] - 2)"), seeds=50)
    assert errors and errors[0].field == "answer" and errors[0].seed >= 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"title": "x" * 161}, "title"),
        ({"difficulty": "trivial"}, "difficulty"),
        ({"kind": "text"}, "kind"),
        ({"serves": []}, "serves"),
        ({"tries": 5000}, "tries"),
        ({"tolerance": {"rel": -1}}, "tolerance"),
        ({"draw": {"z": {"vector": 3, "uniform": [2, 1]}}}, "draw.z"),
        ({"draw": {"softmax": {"integer": [1, 2]}}}, "draw.softmax"),
        ({"draw": {"z": {"vector": 10_000, "integers": [1, 2]}}}, "draw.z"),
        ({"let": {"p": 3}}, "let.p"),
        ({"steps": []}, "steps"),
        ({"steps": [{"formula": "x"}]}, "steps[1]"),
        ({"statement": ""}, "statement"),
        ({"answer": ""}, "answer"),
        ({"colour": "red"}, "colour"),
        ({"options": ["a", "b"]}, "options"),
        ({"mistakes": [{"answer": "1"}]}, "mistakes[1]"),
    ],
)
def test_shape_errors(changes, field):
    errors = validate_template(spec(**changes))
    assert field in [error.field for error in errors]
    assert all(error.seed is None for error in errors)
    with pytest.raises(TemplateInvalid):
        parse(spec(**changes))


def test_choice_and_position_kinds():
    choice = spec(
        kind="choice",
        options=["$p_1$ is largest", "$p_2$ is largest", "$p_3$ is largest"],
        answer="argmax(p) + 1",
        mistakes=[{"answer": "argmax(-p) + 1", "message": "That is the smallest."}],
        tolerance={},
    )
    assert validate_template(choice) == []
    exercise = build(choice, 2)
    z = exercise.inputs["z"]
    assert exercise.answer == "abc"[int(np.argmax(z))]
    assert exercise.grade(exercise.answer.upper()).correct
    assert exercise.mistake_for("abc"[int(np.argmin(z))]).message == "That is the smallest."

    position = spec(kind="position", positions="len(z)", answer="argmax(z) + 1", mistakes=[])
    assert validate_template(position) == []
    exercise = build(position, 4)
    assert exercise.kind == "index" and exercise.positions == 3
    assert exercise.answer == int(np.argmax(exercise.inputs["z"])) + 1
    assert validate_template(spec(kind="position", answer="argmax(z) + 1", mistakes=[]))


def test_vector_kind_and_draw_forms():
    vector = spec(
        kind="vector",
        draw={
            "w": {"vector": 4, "uniform": [-2.0, 2.0], "decimals": 1},
            "k": {"integer": [2, 4]},
            "x": {"uniform": [0.1, 0.9], "decimals": 2},
            "v": {"choice": [[1, 2], [3, 4]]},
        },
        let={"p": "softmax(w)"},
        constraints=["k < len(w)", "x > 0 and not x > 1"],
        statement="{{ w | 1 }} {{ k }} {{ x | 2 }} {{ v }}",
        steps=[{"title": "Softmax", "formula": "{{ p | 3 }}"}],
        hints=[],
        solution="",
        answer="p",
        mistakes=[{"answer": "w", "message": "Those are the logits."}],
    )
    assert validate_template(vector) == []
    exercise = build(vector, 5)
    w = exercise.inputs["w"]
    assert all(round(value, 1) == value and -2 <= value <= 2 for value in w)
    assert exercise.inputs["k"] in (2, 3, 4) and exercise.inputs["v"] in ([1, 2], [3, 4])
    assert exercise.grade(", ".join(f"{v:.5f}" for v in exercise.answer)).correct
    assert math.isclose(sum(exercise.answer), 1)


def test_unsatisfiable_constraints_stop_within_the_tries():
    errors = validate_template(spec(constraints=["z[0] > 100"], tries=3), seeds=2)
    assert errors[0].field == "constraints[1]" and "3 draws" in errors[0].message


def test_build_raises_with_the_reason():
    with pytest.raises(TemplateInvalid, match=r"answer 'nope' \(seed 2\)"):
        build(spec(answer="nope"), 2)


def test_exercise_travels_as_strict_json():
    text = build(SPEC, 1).to_json()
    assert '"kind": "number"' in text and "NaN" not in text


def test_admin_json_and_toml_give_the_same_exercise():
    import json
    import tomllib

    toml = """
    key = "kl-swapped-arguments"
    title = "KL divergence is not symmetric"
    difficulty = "medium"
    kind = "number"
    tolerance = { rel = 0.01, abs = 0.0001 }
    draw.z = { vector = 3, integers = [-3, 4] }
    draw.T = { choice = [0.5, 2, 4] }
    let.p = "softmax(z)"
    let.q = "softmax(z / T)"
    constraints = ["distinct(z)", "unique_max(z)", "min_gap(p) >= 0.05"]
    statement = "Logits $\\\\mathbf{z} = {{ z }}$, $T = {{ T | 1 }}$: find $D_{\\\\mathrm{KL}}$."
    hints = ["First $p = {{ p | 3 }}$", "Then $q$"]
    solution = "$D = {{ kl_divergence(p, q) | 3 }}$"
    insight = "Not symmetric."
    answer = "kl_divergence(p, q)"
    [[steps]]
    title = "Probabilities"
    formula = "p = {{ p | 3 }}"
    explanation = "Softmax."
    [[mistakes]]
    answer = "kl_divergence(q, p)"
    message = "Arguments swapped."
    """
    from_toml = tomllib.loads(toml.replace("\n    ", "\n"))
    assert from_toml == SPEC
    assert build(json.loads(json.dumps(from_toml)), 9) == build(SPEC, 9)


def test_names_may_not_shadow_the_language():
    for name in ("e", "pi", "len", "exp", "class"):
        errors = validate_template(spec(draw={name: {"integer": [1, 2]}}))
        assert f"draw.{name}" in [error.field for error in errors]
    assert templates.parse(SPEC).serves == ("example", "practice")


def test_lets_run_in_their_written_order_even_when_names_sort_otherwise():
    lets = {"q": "softmax(z)", "g": "q - softmax(z / T)", "p": "q"}
    ordered = spec(let=lets, answer="sum(abs(g))", mistakes=[])
    assert validate_template(ordered) == []
    assert validate_template(ordered) == []  # and again, from the validation cache
