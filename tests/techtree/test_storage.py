"""Static URLs: the same as WhiteNoise's storage gives, worked out once per file."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from techtree.storage import StaticFilesStorage


@pytest.fixture
def manifest(tmp_path):
    paths = {"site.css": "site.0123abcd.css", "a b.js": "a b.4567ef.js"}
    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1"}))
    return tmp_path


def test_urls_are_whitenoises_and_each_is_worked_out_once(manifest, monkeypatch):
    ours = StaticFilesStorage(location=manifest, base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=manifest, base_url="/static/")
    looked_up = []
    stored_name = ours.stored_name
    monkeypatch.setattr(
        ours, "stored_name", lambda name: looked_up.append(name) or stored_name(name)
    )
    for name in ["site.css", "a b.js", "site.css", "a b.js", "site.css"]:
        assert ours.url(name) == theirs.url(name)
    assert looked_up == ["site.css", "a b.js"]
    assert ours.url("site.css", force=True) == theirs.url("site.css", force=True)


def test_a_file_missing_from_the_manifest_is_still_an_error_every_time(manifest):
    ours = StaticFilesStorage(location=manifest, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("missing.css")


def test_source_urls_are_djangos_and_each_is_worked_out_once(tmp_path, monkeypatch):
    from django.contrib.staticfiles.storage import StaticFilesStorage as Djangos
    from django.core.files.storage import FileSystemStorage

    from techtree.storage import SourceStaticFilesStorage

    theirs = Djangos(location=tmp_path, base_url="/static/")
    expected = {name: theirs.url(name) for name in ["site.css", "a b.js"]}
    worked_out = []
    plain_url = FileSystemStorage.url
    monkeypatch.setattr(
        FileSystemStorage,
        "url",
        lambda self, name: worked_out.append(name) or plain_url(self, name),
    )
    ours = SourceStaticFilesStorage(location=tmp_path, base_url="/static/")
    for name in ["site.css", "a b.js", "site.css", "a b.js"]:
        assert ours.url(name) == expected[name]
    assert worked_out == ["site.css", "a b.js"]
