"""The tree map in a real browser: selection, learning paths, statuses, keys and scale."""

import re

import networkx as nx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import ConceptProgress
from techtree import graph, selectors
from techtree.loading import load_synthetic_tree
from techtree.models import Concept
from tests.browser.conftest import ARTEFACTS

MAP = "window.techtreeMap"


def open_map(page, url):
    page.goto(url + "/")
    expect(page.locator("[data-tree-graph]")).to_have_attribute("data-ready", "true")


def node_point(page, slug):
    """Where Cytoscape drew a concept, in page coordinates."""
    box = page.locator("[data-tree-graph]").bounding_box()
    point = page.evaluate(f"id => {MAP}.cy.getElementById(id).renderedPosition()", slug)
    return box["x"] + point["x"], box["y"] + point["y"]


def published_graph() -> tuple[nx.DiGraph, dict[int, str]]:
    """The published tree as the server sees it, by slug."""
    data = selectors.tree_data()
    slugs = {c.pk: c.slug for c in data.concepts}
    return graph.build_graph(slugs.values(), [(slugs[p], slugs[c]) for p, c in data.edges]), slugs


def log_in(page, site, username="ada"):
    """A learner with a session cookie in the browser, as if they had used the login form."""
    learner = get_user_model().objects.create_user(username, password="pw")
    client = Client()
    client.force_login(learner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])
    return learner


def master_roots(learner) -> list[Concept]:
    """The learner has mastered every root of the tree (returned), so its first unlocks are
    open."""
    now = timezone.now()
    roots = list(Concept.objects.filter(depth=0))
    ConceptProgress.objects.bulk_create(
        ConceptProgress(learner=learner, concept=c, started=now, mastered=now) for c in roots
    )
    return roots


def test_click_selects_a_concept_and_double_click_opens_it(page, site, console_errors, screenshot):
    open_map(page, site)
    screenshot("tree")
    page.mouse.click(*node_point(page, "softmax-and-logits"))
    info = page.locator("[data-map-info]")
    expect(info.get_by_role("heading", level=2)).to_have_text("Softmax and Logits")
    expect(page.locator("[data-map-announce]")).to_contain_text("Softmax and Logits selected")
    screenshot("selected")
    page.mouse.dblclick(*node_point(page, "softmax-and-logits"))
    expect(page).to_have_url(re.compile(r"/concepts/softmax-and-logits/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Softmax and Logits")
    expect(page.locator(".katex").first).to_be_visible()  # key symbols are typeset
    screenshot("concept")


def test_the_info_panel_opens_the_selected_concept(page, site, console_errors):
    open_map(page, site)
    page.get_by_label("Select a concept").select_option("transformers")
    page.get_by_role("link", name="Open concept: Transformers").click()
    expect(page).to_have_url(re.compile(r"/concepts/transformers/$"))


def test_selection_highlights_exactly_the_prerequisites_and_unlocks(page, site, console_errors):
    open_map(page, site)
    dag, _ = published_graph()
    figures = {c.slug: c for c in Concept.objects.all()}
    for slug in ("softmax-and-logits", "exponentials-and-logarithms", "logit-evolution"):
        page.evaluate(f"id => {MAP}.select(id)", slug)
        shown = page.evaluate(f"() => {MAP}.highlighted()")
        behind, ahead = nx.ancestors(dag, slug), nx.descendants(dag, slug)
        assert shown["selected"] == [slug]
        assert set(shown["prerequisites"]) == behind
        assert set(shown["unlocks"]) == ahead
        assert shown["dimmed"] == len(dag) - 1 - len(behind) - len(ahead)
        # The client's walk agrees with the figures the server stores on each concept.
        assert len(behind) == figures[slug].prerequisite_count
        assert len(ahead) == figures[slug].reach
        info = page.locator("[data-map-info]")
        expect(info.locator("[data-info-prerequisites]")).to_have_text(
            f"{len(behind)} in all ({dag.in_degree(slug)} direct)"
        )
        expect(info.locator("[data-info-unlocks]")).to_have_text(
            f"{len(ahead)} in all ({dag.out_degree(slug)} direct)"
        )
        expect(info.locator("[data-info-depth]")).to_have_text(str(figures[slug].depth))
    page.get_by_role("button", name="Clear selection").click()
    assert page.evaluate(f"() => {MAP}.highlighted()")["dimmed"] == 0
    expect(page.locator("[data-map-info]")).to_be_hidden()
    expect(page.locator("[data-map-announce]")).to_have_text("Selection cleared.")


@pytest.mark.parametrize("goal", ["logit-evolution", "calibration", "floating-point-arithmetic"])
def test_learning_path_lists_the_servers_path_in_order(page, site, console_errors, goal):
    open_map(page, site)
    page.get_by_label("Path to a goal").select_option(goal)
    expected = [c.slug for c in selectors.concept_view(goal).path]
    steps = page.locator("[data-path-list] > li")
    expect(steps).to_have_count(len(expected))
    assert steps.evaluate_all("items => items.map(li => li.dataset.step)") == expected
    dag, _ = published_graph()
    for i, slug in enumerate(expected):  # prerequisites first
        assert set(dag.predecessors(slug)) <= set(expected[:i])
    shown = page.evaluate(f"() => {MAP}.highlighted()")
    assert shown["path"] == expected and set(shown["onPath"]) == set(expected)
    assert shown["selected"] == [goal]
    title = Concept.objects.get(slug=goal).title
    expect(page.locator("[data-map-announce]")).to_contain_text(
        f"Learning path to {title}: {len(expected)} step"
    )
    expect(page.get_by_role("heading", name=f"Learning path to {title}")).to_be_visible()


def test_path_button_in_the_info_panel(page, site, console_errors, screenshot):
    open_map(page, site)
    page.get_by_label("Select a concept").select_option("transformers")
    page.get_by_role("button", name="Path to it").click()
    expect(page.get_by_label("Path to a goal")).to_have_value("transformers")
    steps = page.locator("[data-path-list] > li")
    expect(steps).to_have_count(len(selectors.concept_view("transformers").path))
    expect(steps.last).to_have_text("Transformers")
    screenshot("path")


def test_keyboard_select_box_find_box_and_graph_keys(page, site, console_errors, screenshot):
    open_map(page, site)
    chooser = page.get_by_label("Select a concept")
    chooser.focus()
    page.keyboard.press("ArrowDown")  # the first concept, depth 0, by title
    first = selectors.tree_data().concepts[0]
    expect(page.locator("[data-map-info] h2")).to_have_text(first.title)
    assert page.evaluate(f"() => {MAP}.highlighted()")["selected"] == [first.slug]

    page.get_by_label("Find by title").fill("softmax and logits")
    page.keyboard.press("Enter")
    expect(page.locator("[data-map-info] h2")).to_have_text("Softmax and Logits")
    expect(chooser).to_have_value("softmax-and-logits")

    # Tab from the last control into the graph; it shows where the focus is.
    page.get_by_role("button", name="Clear selection").focus()
    page.keyboard.press("Tab")
    graph_box = page.locator("[data-tree-graph]")
    expect(graph_box).to_be_focused()
    assert graph_box.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    dag, _ = published_graph()
    page.keyboard.press("ArrowDown")  # to a concept softmax unlocks
    below = page.evaluate(f"() => {MAP}.highlighted()")["selected"][0]
    assert below in set(dag.successors("softmax-and-logits"))
    page.keyboard.press("ArrowUp")  # back up to one of its prerequisites
    above = page.evaluate(f"() => {MAP}.highlighted()")["selected"][0]
    assert above in set(dag.predecessors(below))
    page.keyboard.press("Escape")
    expect(page.locator("[data-map-announce]")).to_have_text("Selection cleared.")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert len(page.evaluate(f"() => {MAP}.highlighted()")["selected"]) == 1
    screenshot("keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/concepts/[a-z-]+/$"))


def test_controls_are_labelled_and_the_legend_explains_the_marks(page, site, console_errors):
    open_map(page, site)
    for label in ("Select a concept", "Find by title", "Path to a goal"):
        expect(page.get_by_label(label)).to_be_visible()
    for name in ("Fit whole tree", "Clear selection", "Find"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    legend = (
        page.get_by_role("complementary")
        .locator("section")
        .filter(has=page.get_by_role("heading", name="Legend"))
    )
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Its prerequisites, all drawn above it")
    expect(legend).to_contain_text("★★★★★ (5, hardest)")
    expect(legend.get_by_text("Mathematics")).to_be_visible()
    expect(page.locator("[data-legend-status]")).to_have_count(0)  # statuses only for learners
    zoom = page.evaluate(f"() => {MAP}.cy.zoom()")
    page.evaluate(f"() => {MAP}.cy.zoom({MAP}.cy.zoom() * 2)")
    page.get_by_role("button", name="Fit whole tree").click()
    page.wait_for_function(f"z => Math.abs({MAP}.cy.zoom() - z) < 1e-3", arg=zoom)


def test_a_learner_sees_statuses_in_colour_marks_borders_and_words(
    page, site, console_errors, screenshot
):
    learner = log_in(page, site)
    now = timezone.now()
    roots = list(Concept.objects.filter(depth=0))
    ConceptProgress.objects.bulk_create(
        [ConceptProgress(learner=learner, concept=c, started=now, mastered=now) for c in roots]
        + [
            ConceptProgress(
                learner=learner, concept=Concept.objects.get(slug="softmax-and-logits"), started=now
            )
        ]
    )
    open_map(page, site)
    status = page.evaluate(
        f"""() => Object.fromEntries({MAP}.cy.nodes().map(n => [n.id(), {{
            status: n.data('status'), label: n.data('label'),
            border: n.style('border-style'), lock: n.style('background-image') }}]))"""
    )
    assert {status[c.slug]["status"] for c in roots} == {"mastered"}
    assert status["softmax-and-logits"]["status"] == "in progress"
    assert status["transformers"]["status"] == "locked"
    for node in status.values():
        assert node["label"].endswith(node["status"])  # status in words on every box
    assert all("✓ mastered" in status[c.slug]["label"] for c in roots)
    assert status["softmax-and-logits"]["border"] == "double"
    assert status["transformers"]["border"] == "dashed"
    assert status["transformers"]["lock"].startswith("data:image/svg+xml")
    legend = page.locator("[data-legend-status] li")
    expect(legend).to_have_count(6)  # the four of practice, then placed and review due
    expect(legend.first).to_contain_text("locked: Some prerequisite is not mastered yet.")
    page.get_by_label("Select a concept").select_option("transformers")
    expect(page.locator("[data-info-status]")).to_have_text("locked")
    # The list below the graph says the same in words.
    expect(page.locator("#concept-list .status-badge").first).to_have_text("mastered")
    screenshot("learner")

    page.get_by_label("Path to a goal").select_option("logit-evolution")
    path = [c.slug for c in selectors.concept_view("logit-evolution").path]
    skipped = [slug for slug in path if slug in {c.slug for c in roots}]
    done = page.locator("[data-path-list] > li.done")
    expect(done).to_have_count(len(skipped))
    expect(done.first).to_contain_text("already mastered, skip")
    expect(page.locator("[data-path-summary]")).to_contain_text(
        f"{len(path) - len(skipped)} to learn, {len(skipped)} already mastered"
    )
    expect(page.locator("[data-map-announce]")).to_contain_text("Start with Softmax and Logits")
    assert set(page.evaluate(f"() => {MAP}.highlighted()")["pathDone"]) == set(skipped)
    screenshot("learner-path")


def test_the_list_fallback_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    expect(page.locator("[data-tree-status]")).to_contain_text("needs JavaScript")
    expect(page.locator("[data-map-controls]")).to_be_hidden()  # controls need the script
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "tree-without-javascript.png"), full_page=True)
    page.locator("#concept-list").get_by_role("link", name="Transformers").click()
    expect(page).to_have_url(re.compile(r"/concepts/transformers/$"))
    expect(page.get_by_role("heading", name="Learning path (7 steps)")).to_be_visible()
    context.close()


def test_the_graph_draws_every_concept_where_the_server_placed_it(page, site, console_errors):
    open_map(page, site)
    nodes = page.evaluate(
        f"""() => {MAP}.cy.nodes().map(n => ({{
            id: n.id(), depth: n.data('depth'), x: n.position('x'), y: n.position('y')}}))"""
    )
    stored = {c.slug: (c.map_x, c.map_y) for c in Concept.objects.all()}
    assert all((n["x"], n["y"]) == stored[n["id"]] for n in nodes)  # laid out on the server
    assert len(nodes) == Concept.objects.filter(published=True).count()
    by_id = {n["id"]: n for n in nodes}
    # Drawn by depth: a deeper concept is always lower on the page than a shallower one.
    for shallow in nodes:
        for deep in nodes:
            if deep["depth"] > shallow["depth"]:
                assert deep["y"] > shallow["y"], (shallow["id"], deep["id"])
    assert by_id["softmax-and-logits"]["depth"] == 1


@pytest.mark.parametrize("extra", [300, 500], ids=lambda n: f"plus{n}")
def test_a_large_tree_becomes_ready_and_selectable(page, site, console_errors, screenshot, extra):
    """Up to tree_map.FULL_MAP_CONCEPTS, the map shows every concept at once."""
    load_synthetic_tree(extra)
    open_map(page, site)
    total = Concept.objects.count()
    assert page.evaluate(f"() => {MAP}.cy.nodes().length") == total
    deepest = Concept.objects.filter(slug__startswith="synthetic-").order_by("-depth").first()
    page.get_by_label("Path to a goal").select_option(deepest.slug)
    expect(page.locator("[data-path-list] > li")).to_have_count(deepest.prerequisite_count + 1)
    page.get_by_label("Select a concept").select_option(deepest.slug)
    shown = page.evaluate(f"() => {MAP}.highlighted()")
    assert len(shown["prerequisites"]) == deepest.prerequisite_count
    assert len(shown["unlocks"]) == deepest.reach
    screenshot("large")


def test_nodes_take_their_domain_colour_from_the_data(page, site, console_errors):
    """Each node is painted with the palette colour the server computed for its domain."""
    open_map(page, site)
    pairs = page.evaluate(
        """() => {
          const css = getComputedStyle(document.documentElement);
          return window.techtreeMap.cy.nodes().map((n) => [
            n.data('colour'), css.getPropertyValue(`--domain-${n.data('domain_index')}`).trim()]);
        }"""
    )
    assert pairs and all(colour == expected != "" for colour, expected in pairs)


@pytest.fixture
def large_site(site, monkeypatch):
    """The demo tree and 300 synthetic concepts, drawn as a large tree: an overview first."""
    from techtree import tree_map, versions

    load_synthetic_tree(300)
    monkeypatch.setattr(tree_map, "FULL_MAP_CONCEPTS", 100)  # the live server's thread too
    versions.content_changed()
    return site


def test_a_large_tree_starts_as_clusters_and_fetches_what_is_selected(
    page, large_site, console_errors, screenshot
):
    open_map(page, large_site)
    overview = page.evaluate("() => fetch('/map/overview.json').then((r) => r.json())")
    clusters = page.evaluate(f"() => {MAP}.cy.nodes('[?cluster]').map((n) => n.data('count'))")
    assert sorted(clusters) == sorted(c["count"] for c in overview["clusters"])
    assert page.evaluate(f"() => {MAP}.cy.nodes('[!cluster]').length") == 0  # nothing else yet
    expect(page.get_by_label("Select a concept")).to_be_hidden()  # no list of every concept
    screenshot("overview")

    slug = "synthetic-000150"
    concept = Concept.objects.get(slug=slug)
    page.get_by_label("Find by title").fill(concept.title)
    page.keyboard.press("Enter")
    expect(page.locator("[data-map-info] h2")).to_have_text(concept.title)
    dag, _ = published_graph()
    shown = page.evaluate(f"() => {MAP}.highlighted()")
    assert shown["selected"] == [slug]
    assert set(shown["unlocks"]) == nx.descendants(dag, slug)
    expect(page.locator("[data-info-prerequisites]")).to_have_text(
        f"{concept.prerequisite_count} in all ({dag.in_degree(slug)} direct)"
    )
    # Its nearest BEHIND_BATCH prerequisites are drawn first, then as many more on request.
    batch = 20
    behind = nx.ancestors(dag, slug)
    assert len(behind) > batch
    away = nx.single_source_shortest_path_length(dag.reverse(), slug)
    drawn = set(shown["prerequisites"])
    assert len(drawn) == batch and drawn <= behind
    assert max(away[c] for c in drawn) <= min(away[c] for c in behind - drawn)  # nearest first
    drawn_links = page.evaluate(f"() => {MAP}.cy.edges('.prerequisite-link').map((e) => e.id())")
    assert set(drawn_links) == {
        f"{p}->{c}" for p, c in dag.edges if p in drawn and c in drawn | {slug}
    }
    expect(page.locator("[data-info-drawn-behind]")).to_have_text(
        f"{batch} of {len(behind)} prerequisites drawn, nearest first."
    )
    more = min(2 * batch, len(behind))
    page.get_by_role("button", name=f"Show {more - batch} more prerequisites").click()
    expect(page.locator("[data-map-announce]")).to_contain_text(
        f"{more} of {len(behind)} prerequisites drawn"
        if more < len(behind)
        else f"All {len(behind)} prerequisites drawn."
    )
    again = set(page.evaluate(f"() => {MAP}.highlighted()")["prerequisites"])
    assert len(again) == more and drawn < again <= behind
    # A learning path draws everything behind, and selecting the concept again keeps it.
    page.get_by_role("button", name="Path to it").click()
    expected = [c.slug for c in selectors.concept_view(slug).path]
    steps = page.locator("[data-path-list] > li")
    expect(steps).to_have_count(len(expected))
    assert sorted(page.evaluate(f"() => {MAP}.highlighted()")["onPath"]) == sorted(expected)
    assert steps.evaluate_all("items => items.map(li => li.dataset.step)") == expected
    screenshot("selected")
    page.evaluate(f"id => {MAP}.select(id)", slug)
    assert set(page.evaluate(f"() => {MAP}.highlighted()")["prerequisites"]) == behind
    expect(page.locator("[data-info-more-behind]")).to_be_hidden()
    expect(page.locator("[data-info-drawn-behind]")).to_be_hidden()

    # Zoomed in, the concepts on screen are fetched by tile, where the server placed them.
    page.evaluate(f"() => {MAP}.clear()")
    page.evaluate(
        f"""() => {{ const cy = {MAP}.cy;
        cy.zoom(0.6); cy.center(cy.nodes('[?cluster]').first()); }}"""
    )
    page.evaluate(f"() => {MAP}.loadVisibleTiles()")
    drawn = page.evaluate(
        f"() => {MAP}.cy.nodes('[!cluster]').map((n) => [n.id(), n.position('x'), n.position('y')])"
    )
    stored = {c.slug: (c.map_x, c.map_y) for c in Concept.objects.all()}
    assert len(drawn) > 10 and all((x, y) == stored[slug] for slug, x, y in drawn)
    screenshot("zoomed")


def test_a_learner_sees_status_counts_on_a_large_trees_clusters(page, large_site, console_errors):
    roots = master_roots(log_in(page, large_site))
    open_map(page, large_site)
    page.wait_for_function(
        f"() => {MAP}.cy.nodes('[?cluster]').some((n) => n.data('label').includes('mastered'))"
    )
    labels = " ".join(
        page.evaluate(f"() => {MAP}.cy.nodes('[?cluster]').map((n) => n.data('label'))")
    )
    mastered = sum(int(n) for n in re.findall(r"(\d+) mastered", labels))
    assert mastered == len(roots)
    page.evaluate(f"id => {MAP}.select(id)", "softmax-and-logits")
    status = page.evaluate(f"() => {MAP}.cy.getElementById('softmax-and-logits').data('status')")
    assert status == "available"


def test_a_busy_concept_draws_its_nearest_unlocks_first_and_more_on_request(
    page, large_site, console_errors, monkeypatch
):
    """A concept that leads to much of the tree shows at once: its nearest AHEAD_BATCH
    unlocks are drawn first, "Show more" draws the next batch, up to what the server sent."""
    from techtree import tree_map, versions

    monkeypatch.setattr(tree_map, "AHEAD_BATCH", 5)
    monkeypatch.setattr(tree_map, "AHEAD_LIMIT", 12)
    versions.content_changed()
    root = Concept.objects.filter(depth=0).order_by("-reach", "slug").first()
    assert root.reach > 12
    sent = page.request.get(f"{large_site}/map/concepts/{root.slug}.json").json()["ahead"]
    open_map(page, large_site)
    page.evaluate(f"id => {MAP}.select(id)", root.slug)
    expect(page.locator("[data-map-info] h2")).to_have_text(root.title)

    def drawn():
        return page.evaluate(f"() => {MAP}.cy.nodes('[!cluster]').map((n) => n.id())")

    assert sorted(page.evaluate(f"() => {MAP}.highlighted()")["unlocks"]) == sorted(sent[:5])
    assert set(drawn()) == {root.slug, *sent[:5]}  # nothing ahead beyond the batch
    # The jump to the selection fetches no tiles: its neighbourhood is what it shows.
    page.wait_for_timeout(400)
    fetched = "() => performance.getEntriesByType('resource').map((e) => e.name)"
    assert not [url for url in page.evaluate(fetched) if "/map/tiles/" in url]
    expect(page.locator("[data-info-drawn]")).to_have_text(
        f"5 of {root.reach} unlocks drawn, nearest first."
    )
    # On the clusters' map unlock links are solid (a dashed one thousands of pixels long
    # cost most of a second to draw), thinner than prerequisite links.
    looks = page.evaluate(
        f"() => {MAP}.cy.edges('.unlock-link')"
        ".map((e) => [e.style('line-style'), e.style('width')])"
    )
    assert looks and all(look == ["solid", "2px"] for look in looks)
    more = page.get_by_role("button", name="Show 5 more unlocks")
    more.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-map-announce]")).to_contain_text(f"10 of {root.reach} unlocks")
    assert sorted(page.evaluate(f"() => {MAP}.highlighted()")["unlocks"]) == sorted(sent[:10])
    page.get_by_role("button", name="Show 2 more unlocks").click()
    expect(page.locator("[data-map-announce]")).to_contain_text("at most 12 for one concept")
    shown = page.evaluate(f"() => {MAP}.highlighted()")
    assert sorted(shown["unlocks"]) == sorted(sent) and shown["selected"] == [root.slug]
    expect(page.locator("[data-info-more]")).to_be_hidden()
    expect(page.locator("[data-info-drawn]")).to_have_text(
        f"12 of {root.reach} unlocks drawn, nearest first."
    )
    # Another concept, then back: the batches drawn are kept, nothing is fetched twice.
    page.evaluate(f"id => {MAP}.select(id)", "softmax-and-logits")
    page.evaluate(f"id => {MAP}.select(id)", root.slug)
    assert len(page.evaluate(f"() => {MAP}.highlighted()")["unlocks"]) == 12
    # The concept the pointer rests on is fetched before it is chosen.
    nearest = page.evaluate(
        f"""root => {{ const cy = {MAP}.cy; const at = cy.getElementById(root).renderedPosition();
        const far = (n) => Math.hypot(
          n.renderedPosition('x') - at.x, n.renderedPosition('y') - at.y);
        return cy.nodes('[!cluster]').filter((n) => n.id() !== root)
          .sort((a, b) => far(a) - far(b))[0].id(); }}""",
        root.slug,
    )
    assert not [url for url in page.evaluate(fetched) if f"/map/concepts/{nearest}.json" in url]
    page.mouse.move(*node_point(page, nearest))
    page.wait_for_function(
        "slug => performance.getEntriesByType('resource')"
        ".some((e) => e.name.endsWith(`/map/concepts/${slug}.json`))",
        arg=nearest,
    )
