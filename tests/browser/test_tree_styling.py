"""What the tree map's styling costs: each label line measured once, with Cytoscape's own
sizes, and looks set by rules (a status, a domain) rather than mapped from each concept."""

from techtree.models import Concept
from tests.browser.test_tree import (  # noqa: F401
    MAP,
    large_site,
    log_in,
    master_roots,
    open_map,
)

# JavaScript: the page's CSS variables (`css`) and `rgb(colour)`, any CSS colour as the
# browser computes it ("rgb(r,g,b)"), to compare with what Cytoscape draws.
RGB = """const css = getComputedStyle(document.documentElement);
          const probe = document.createElement("span");
          document.body.append(probe);
          const rgb = (colour) => {
            probe.style.color = colour;
            return getComputedStyle(probe).color.replaceAll(" ", "");
          };"""

# Counts every text measured on a canvas, with the font it was measured in.
COUNT_MEASURES = """(() => {
  const measure = CanvasRenderingContext2D.prototype.measureText;
  window.measured = [];
  CanvasRenderingContext2D.prototype.measureText = function (text) {
    window.measured.push(`${this.font}|${text}`);
    return measure.call(this, text);
  };
})()"""

# Each label's size as the map's measure gives it and as Cytoscape's own would.
LABEL_SIZES = f"""() => {{
  const renderer = {MAP}.cy.renderer();
  const own = Object.getPrototypeOf(renderer).calculateLabelDimensions;
  return {MAP}.cy.nodes().map((node) => {{
    const label = node.data("label");
    return [renderer.calculateLabelDimensions(node, label), own.call(renderer, node, label)];
  }});
}}"""


def test_labels_keep_cytoscapes_sizes(page, site, console_errors):
    log_in(page, site)  # statuses add a third line to every label
    open_map(page, site)
    sizes = page.evaluate(LABEL_SIZES)
    assert len(sizes) == Concept.objects.count()
    assert all(mine == own for mine, own in sizes)


def test_a_select_measures_each_line_once(page, large_site, console_errors):  # noqa: F811
    page.add_init_script(COUNT_MEASURES)
    open_map(page, large_site)
    page.evaluate(f"id => {MAP}.select(id)", "synthetic-000150")
    page.evaluate(f"id => {MAP}.showPath(id)", "synthetic-000299")
    page.evaluate(f"() => {MAP}.clear()")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
    measured = page.evaluate("() => window.measured")
    drawn = page.evaluate(f"() => {MAP}.cy.nodes('[!cluster]').length")
    assert drawn > 20
    # Each text is measured once per font; lines repeat from box to box ("domain · stars").
    assert len(measured) == len(set(measured))
    concepts = [text for text in measured if text.startswith("12px ")]  # clusters' are larger
    assert drawn < len(concepts) < 2 * drawn
    sizes = page.evaluate(LABEL_SIZES)
    assert all(mine == own for mine, own in sizes)


def test_concepts_take_their_look_from_their_status_and_domain(page, site, console_errors):
    master_roots(log_in(page, site))
    open_map(page, site)
    looks = page.evaluate(
        f"""() => {{
          {RGB}
          return {MAP}.cy.nodes().map((n) => ({{
            status: n.data("status"),
            border: [n.style("border-color").replaceAll(" ", ""),
                     rgb(css.getPropertyValue(`--domain-${{n.data("domain_index")}}`))],
            fill: [n.style("background-color").replaceAll(" ", ""), rgb(n.data("fill"))],
            style: [n.style("border-style"), n.data("border")],
            width: [n.style("border-width"), `${{n.data("borderWidth")}}px`],
          }}));
        }}"""
    )
    assert {look["status"] for look in looks} >= {"mastered", "available", "locked"}
    for look in looks:
        for drawn, wanted in (look["border"], look["fill"], look["style"], look["width"]):
            assert drawn == wanted, look

    # A path's step numbers: the path's colour, or the colour of done for a mastered step.
    page.get_by_label("Path to a goal").select_option("logit-evolution")
    badges = page.evaluate(
        f"""() => {{
          {RGB}
          const wanted = {{
            done: rgb(css.getPropertyValue("--good")),
            next: rgb(css.getPropertyValue("--map-path")),
          }};
          return {MAP}.cy.nodes(".step-badge").map((n) => [
            n.style("background-color").replaceAll(" ", ""),
            n.data("label").endsWith("✓") ? wanted.done : wanted.next]);
        }}"""
    )
    assert badges and all(drawn == wanted for drawn, wanted in badges)
    assert len({wanted for _, wanted in badges}) == 2  # mastered steps and steps to learn
