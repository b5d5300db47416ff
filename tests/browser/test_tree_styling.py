"""What the tree map's styling costs: looks set by rules (a status, a domain) rather than
mapped from each concept."""

from django.utils import timezone

from quizzes.models import ConceptProgress
from techtree.models import Concept
from tests.browser.test_tree import MAP, log_in, open_map


def test_concepts_take_their_look_from_their_status_and_domain(page, site, console_errors):
    learner = log_in(page, site)
    now = timezone.now()
    roots = list(Concept.objects.filter(depth=0))
    ConceptProgress.objects.bulk_create(
        ConceptProgress(learner=learner, concept=c, started=now, mastered=now) for c in roots
    )
    open_map(page, site)
    looks = page.evaluate(
        f"""() => {{
          const css = getComputedStyle(document.documentElement);
          const probe = document.createElement("span");
          document.body.append(probe);
          const rgb = (colour) => {{
            probe.style.color = colour;
            return getComputedStyle(probe).color.replaceAll(" ", "");
          }};
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
          const css = getComputedStyle(document.documentElement);
          const probe = document.createElement("span");
          document.body.append(probe);
          const rgb = (name) => {{
            probe.style.color = css.getPropertyValue(name);
            return getComputedStyle(probe).color.replaceAll(" ", "");
          }};
          const wanted = {{ done: rgb("--good"), next: rgb("--map-path") }};
          return {MAP}.cy.nodes(".step-badge").map((n) => [
            n.style("background-color").replaceAll(" ", ""),
            n.data("label").endsWith("✓") ? wanted.done : wanted.next]);
        }}"""
    )
    assert badges and all(drawn == wanted for drawn, wanted in badges)
    assert len({wanted for _, wanted in badges}) == 2  # mastered steps and steps to learn
