"""The renderers bench/renderers.py compares: vendored, licensed, and the versions it loads.

sigma and graphology are vendored for the bench only (static/vendor/README.md); Cytoscape is
the product's own, so the bench must load the same Cytoscape as the tree page.
"""

import hashlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# sha256 of the files as taken from `npm pack sigma@3.0.3 graphology@0.26.0` (graphology's
# with its sourceMappingURL comment removed), so a folder's version names its contents.
SHA256 = {
    "sigma": "58e30383ab428f832068d9d16a5215c65ba12430d438ed091c5703f398de9e16",
    "graphology": "e65803eba4826a52a84ec3fedebda3e2434ff25d86b3e2309bfe6575141ab2ff",
}
# The global each UMD build defines, which the harness uses.
GLOBALS = {"cytoscape": ").cytoscape=", "graphology": ").graphology=", "sigma": ".Sigma=ue()"}


def bench_module():
    path = ROOT / "bench" / "renderers.py"
    spec = importlib.util.spec_from_file_location("bench_renderers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # definitions only: Django starts in main()
    return module


VENDORED = bench_module().VENDORED


@pytest.mark.parametrize("name", sorted(VENDORED))
def test_each_library_is_vendored_with_its_licence(name):
    path = ROOT / VENDORED[name]
    assert path.is_file()
    assert path.parent.name.startswith(f"{name}-")
    assert "Permission is hereby granted, free of charge" in (path.parent / "LICENSE").read_text()
    text = path.read_text()
    assert GLOBALS[name] in text
    assert "sourceMappingURL" not in text  # no map is shipped beside it


@pytest.mark.parametrize("name", sorted(SHA256))
def test_sigma_and_graphology_are_the_versions_named(name):
    path = ROOT / VENDORED[name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SHA256[name]


def test_cytoscape_names_its_version():
    path = ROOT / VENDORED["cytoscape"]
    version = path.parent.name.removeprefix("cytoscape-")
    assert f'"{version}"' in path.read_text()


def test_the_harness_loads_exactly_these_files():
    page = (ROOT / "bench" / "renderer_pages" / "index.html").read_text()
    loaded = re.findall(r'<script src="/([^"]+)"', page)
    assert sorted(loaded) == sorted(VENDORED.values())


def test_the_bench_draws_with_the_cytoscape_the_tree_page_loads():
    template = (ROOT / "techtree" / "templates" / "techtree" / "tree.html").read_text()
    assert f"vendor/{Path(VENDORED['cytoscape']).parent.name}/cytoscape.min.js" in template
