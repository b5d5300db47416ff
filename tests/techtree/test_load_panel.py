"""The concept page's cognitive-load panel: percentile level, atomic level and every concept
the node leads to, checked against figures computed independently from the whole graph."""

import re

import networkx as nx
import pytest

from techtree import levels, selectors
from techtree.models import Concept, Prerequisite


@pytest.fixture
def whole_graph(demo_tree):
    concepts = {c.pk: c for c in Concept.objects.filter(published=True)}
    g = nx.DiGraph()
    g.add_nodes_from(concepts)
    g.add_edges_from(Prerequisite.objects.published().values_list("prerequisite_id", "concept_id"))
    return concepts, g


def panel(client, slug: str) -> str:
    html = client.get(f"/concepts/{slug}/").content.decode()
    return html[html.index("data-load>") : html.index("</section>", html.index("data-load>"))]


def figure(section: str, name: str) -> str:
    match = re.search(rf'data-load-figure="{name}"><dt>([^<]+)</dt>', section)
    assert match, name
    return match[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug", ["softmax-and-logits", "exponentials-and-logarithms", "transformers"]
)
def test_the_panel_agrees_with_the_whole_graph(client, whole_graph, slug):
    concepts, g = whole_graph
    concept = next(c for c in concepts.values() if c.slug == slug)
    section = panel(client, slug)
    loads = [c.atoms_total for c in concepts.values()]
    percentile = 100 * sum(load <= concept.atoms_total for load in loads) // len(loads)
    assert figure(section, "percentile-level") == f"L{levels.percentile_level(percentile)}"
    assert f"at least that of {percentile}% of published concepts" in section
    # the heaviest chain, by brute force over every path into the concept
    chains = [concept.atoms]
    for source in nx.ancestors(g, concept.pk):
        for path in nx.all_simple_paths(g, source, concept.pk):
            chains.append(sum(concepts[n].atoms for n in path))
    assert figure(section, "atomic-level") == str(max(chains))
    assert figure(section, "atoms") == str(concept.atoms)
    assert figure(section, "total") == str(concept.atoms_total)
    ahead = {concepts[n].get_absolute_url() for n in nx.descendants(g, concept.pk)}
    assert f"All concepts it leads to ({len(ahead)})" in section
    assert set(re.findall(r'<a href="(/concepts/[^"]+)"', section)) == ahead


@pytest.mark.django_db
def test_the_levels_are_distinct_from_depth(client, whole_graph):
    concepts, _ = whole_graph
    transformers = next(c for c in concepts.values() if c.slug == "transformers")
    section = panel(client, "transformers")
    assert int(figure(section, "atomic-level")) > transformers.depth
    assert int(figure(section, "atomic-level")) < transformers.atoms_total


@pytest.mark.django_db
def test_the_list_of_what_it_leads_to_is_bounded(client, demo_tree, monkeypatch):
    monkeypatch.setattr(selectors, "LEADS_TO_SHOWN", 3)
    root = Concept.objects.get(slug="exponentials-and-logarithms")
    section = panel(client, root.slug)
    assert root.reach > 3
    assert f"All concepts it leads to ({root.reach})" in section
    listed = section[section.index("data-leads-to") :]
    assert listed.count("<li>") == 3
    assert "The 3 nearest are listed" in section


@pytest.mark.django_db
def test_a_leaf_leads_nowhere(client, demo_tree):
    leaf = Concept.objects.filter(published=True, reach=0).first()
    section = panel(client, leaf.slug)
    assert "All concepts it leads to (0)" in section and "nothing builds on it yet" in section
