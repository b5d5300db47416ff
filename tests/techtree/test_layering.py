"""The concept-tree app stands below the apps built on it and never imports them.

Lessons, quizzes, the lab and the authoring tools add to the tree's pages and admin through
techtree.extensions (registered in their AppConfig.ready), so the tree can be read, tested
and reused on its own. This test reads every import in techtree/, including imports inside
functions, so a shortcut cannot creep back in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

TREE = Path(__file__).resolve().parents[2] / "techtree"
# Every project app listed after techtree in INSTALLED_APPS stands on it.
ABOVE = {
    app.split(".")[0]
    for app in settings.INSTALLED_APPS[settings.INSTALLED_APPS.index("techtree") + 1 :]
    if (TREE.parent / app.split(".")[0]).is_dir()
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_the_apps_above_are_known():
    assert {"lessons", "quizzes", "review", "placement", "feedback", "lens"} <= ABOVE


@pytest.mark.parametrize(
    "path", sorted(p for p in TREE.rglob("*.py") if "migrations" not in p.parts), ids=str
)
def test_the_tree_app_imports_nothing_built_on_it(path):
    upward = [
        f"{path.relative_to(TREE.parent)}:{line} imports {module}"
        for line, module in _imports(path)
        if module.split(".")[0] in ABOVE
    ]
    assert upward == []


def test_the_tree_templates_do_not_name_the_softmax_concept():
    """Which concept embeds the visualizer is said once, in lessons.pages."""
    templates = TREE / "templates"
    named = [p for p in templates.rglob("*.html") if "softmax-and-logits" in p.read_text()]
    assert named == []
