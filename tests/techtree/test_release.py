"""Fragments are kept per release: a deploy that changes rendering code never serves old HTML."""

import pytest

from techtree import versions


@pytest.fixture
def fresh_release():
    versions.release.cache_clear()
    yield
    versions.release.cache_clear()


def test_a_new_release_builds_its_fragments_again(db, monkeypatch, fresh_release):
    builds = []

    def build():
        builds.append(1)
        return f"built {len(builds)}"

    monkeypatch.setenv("RELEASE", "one")
    assert versions.cached_fragment("lesson", build, version="v1") == "built 1"
    assert versions.cached_fragments({"lesson": build}, version="v1") == {"lesson": "built 1"}
    versions.release.cache_clear()
    monkeypatch.setenv("RELEASE", "two")
    assert versions.cached_fragment("lesson", build, version="v1") == "built 2"
    assert len(builds) == 2


def test_without_release_set_the_digest_follows_code_and_templates(
    tmp_path, settings, monkeypatch, fresh_release
):
    monkeypatch.delenv("RELEASE", raising=False)
    settings.BASE_DIR = tmp_path
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ x }}</p>")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")

    def digest():
        versions.release.cache_clear()
        return versions.release()

    first = digest()
    assert digest() == first
    (tmp_path / "tests" / "test_x.py").write_text("assert True")  # tests render nothing
    (tmp_path / "app" / "notes.txt").write_text("not code")
    assert digest() == first
    (tmp_path / "app" / "views.py").write_text("x = 1")
    second = digest()
    assert second != first
    (tmp_path / "templates" / "page.html").write_text("<p>{{ x|upper }}</p>")
    assert digest() not in {first, second}
