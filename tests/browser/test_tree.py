"""The tree in a real browser: the graph, a click through to a concept, the list fallback."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTEFACTS


def test_click_a_node_in_the_graph_to_open_its_page(page, site, console_errors, screenshot):
    page.goto(site + "/")
    graph = page.locator("[data-tree-graph]")
    expect(graph).to_have_attribute("data-ready", "true")
    screenshot("tree")
    # Find where Cytoscape drew the softmax node and click it there, as a learner would.
    box = graph.bounding_box()
    point = page.evaluate(
        """() => document.querySelector('[data-tree-graph]').cy
            .getElementById('softmax-and-logits').renderedPosition()"""
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page).to_have_url(re.compile(r"/concepts/softmax-and-logits/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Softmax and Logits")
    expect(page.locator(".katex").first).to_be_visible()  # key symbols are typeset
    screenshot("concept")


def test_the_graph_draws_every_concept_by_depth(page, site, console_errors):
    page.goto(site + "/")
    expect(page.locator("[data-tree-graph]")).to_have_attribute("data-ready", "true")
    nodes = page.evaluate(
        """() => document.querySelector('[data-tree-graph]').cy.nodes().map(
            n => ({id: n.id(), depth: n.data('depth'), y: n.position('y')}))"""
    )
    assert len(nodes) == 17
    by_id = {n["id"]: n for n in nodes}
    # Drawn by depth: a deeper concept is always lower on the page than a shallower one.
    for shallow in nodes:
        for deep in nodes:
            if deep["depth"] > shallow["depth"]:
                assert deep["y"] > shallow["y"], (shallow["id"], deep["id"])
    assert by_id["softmax-and-logits"]["depth"] == 1


def test_the_list_fallback_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    expect(page.locator("[data-tree-status]")).to_contain_text("needs JavaScript")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "tree-without-javascript.png"), full_page=True)
    page.locator("#concept-list").get_by_role("link", name="Transformers").click()
    expect(page).to_have_url(re.compile(r"/concepts/transformers/$"))
    expect(page.get_by_role("heading", name="Learning path (7 steps)")).to_be_visible()
    context.close()


def test_browse_filters_in_the_browser(page, site, console_errors, screenshot):
    page.goto(site + "/concepts/")
    page.get_by_label("Domain").select_option("Mathematics")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".card-grid > li")).to_have_count(4)
    page.get_by_label("Search titles and summaries").fill("dot product")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".card-grid > li")).to_have_count(1)
    screenshot("browse")
