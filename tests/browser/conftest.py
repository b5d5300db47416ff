"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

import os
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import load_demo_tree

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the database calls made by
# fixtures there are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def site(live_server, transactional_db):
    """The live site with the demo tree loaded; yields its base URL."""
    load_demo_tree()
    return live_server.url


@pytest.fixture
def console_errors(page):
    """Collect console errors and page errors; the test fails if any appear."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    yield errors
    assert errors == [], "the page reported errors"


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under artefacts/screenshots/ (git-ignored)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTEFACTS / f"{request.node.name}-{name}.png".replace("/", "_")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
