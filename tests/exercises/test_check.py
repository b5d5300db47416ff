"""The template checker CLI renders seed 1 and exits 1 on any error."""

import io

from exercises import check

FILE = """+++
title = "KL"
summary = "s"
domain = "d"
difficulty = 2
minutes = 5

[[exercises]]
key = "kl"
title = "KL"
difficulty = "easy"
kind = "number"
draw.z = {{ vector = 3, integers = [-3, 4] }}
let.p = "softmax(z)"
statement = "Logits {{{{ z }}}}."
answer = "{answer}"
steps = [{{ title = "Softmax", formula = "p = {{{{ p | 3 }}}}", explanation = "Why." }}]
hints = ["Use softmax."]
mistakes = [{{ answer = "p[0] + 1", message = "Off by one." }}]
+++
Body.
"""


def run(tmp_path, answer):
    path = tmp_path / "kl-divergence.md"
    path.write_text(FILE.format(answer=answer), encoding="utf-8")
    out = io.StringIO()
    return check.main([str(path), "--seeds", "10"], out=out), out.getvalue()


def test_a_valid_file_is_rendered_at_seed_1(tmp_path):
    status, text = run(tmp_path, "p[0]")
    assert status == 0, text
    assert "-- kl (seed 1)" in text and "Statement: Logits (" in text
    assert "1. Softmax" in text and "p = (" in text and "Hint 1: Use softmax." in text
    assert "Answer (number): " in text and "Off by one." in text
    assert "All templates valid." in text


def test_errors_name_field_expression_and_seed_and_exit_1(tmp_path):
    status, text = run(tmp_path, "p[7]")
    assert status == 1
    assert "ERROR" in text and "answer 'p[7]' (seed 1)" in text


def test_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("no front matter", encoding="utf-8")
    out = io.StringIO()
    assert check.main([str(path)], out=out) == 1 and "front matter" in out.getvalue()


def test_the_readme_example_template_is_valid(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Exercises and exercise templates") :]
    toml = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "readme-example.md"
    front = 'title = "X"\nsummary = "s"\ndomain = "d"\ndifficulty = 2\nminutes = 5\n\n'
    path.write_text(f"+++\n{front}{toml}+++\nBody.\n", encoding="utf-8")
    out = io.StringIO()
    assert check.main([str(path)], out=out) == 0, out.getvalue()
