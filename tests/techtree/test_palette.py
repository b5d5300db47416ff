"""A domain's colour is computed once, in Python, and handed to the map's script as data."""

from pathlib import Path

from techtree.palette import DOMAIN_COLOURS, domain_index
from techtree.selectors import TreeData
from techtree.templatetags.techtree_tags import domain_class

ROOT = Path(__file__).resolve().parents[2]


class _Concept:
    def __init__(self, pk: int, domain: str) -> None:
        self.pk, self.slug, self.title, self.domain = pk, f"c{pk}", f"C{pk}", domain
        self.difficulty, self.depth = 1, 0

    def get_absolute_url(self) -> str:
        return f"/concepts/{self.slug}/"


def test_pages_and_map_data_use_the_same_index():
    names = ["Mathematics", "Probability", "Machine learning", "Numerics", "Ünïcode"]
    data = TreeData(concepts=[_Concept(i, d) for i, d in enumerate(names)], edges=[])
    nodes = data.as_json()["nodes"]
    for name, node in zip(names, nodes, strict=True):
        assert node["domain_index"] == domain_index(name) < DOMAIN_COLOURS
        assert domain_class(name) == f"domain-{node['domain_index']}"
    assert domain_index("Mathematics") == 185490720 % 8  # zlib.crc32: stable across runs


def test_the_script_does_not_compute_colours_itself():
    script = (ROOT / "static" / "techtree" / "tree.js").read_text()
    assert "crc32" not in script and "domain_index" in script
