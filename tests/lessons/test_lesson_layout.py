"""A lesson reads in textbook order: its worked-examples section holds the generated examples."""

import pytest

from lessons.selectors import split_lesson
from tests.conftest import load_demo_tree

BODY = """## Why it matters

Because.

## Worked examples

Work them in order.

### Not a new section

Still the intro.

## Key takeaways

Remember this.
"""


def test_split_lesson_cuts_out_the_worked_examples_section():
    before, intro, after = split_lesson(BODY)
    assert before == "## Why it matters\n\nBecause.\n\n"
    assert intro == "Work them in order.\n\n### Not a new section\n\nStill the intro."
    assert after == "## Key takeaways\n\nRemember this.\n"


def test_a_lesson_without_that_section_is_left_whole():
    assert split_lesson("## Why\n\nText.\n") == ("## Why\n\nText.\n", "", "")


@pytest.mark.django_db
def test_the_examples_sit_between_the_lesson_and_its_takeaways(client):
    load_demo_tree()
    html = client.get("/concepts/softmax-and-logits/").content.decode()
    assert html.count('id="examples-heading">Worked examples') == 1
    heading = html.index('id="examples-heading"')
    intro = html.index("Work them in this order")
    first_example = html.index("data-example")
    takeaways = html.index('id="key-takeaways"')
    assert html.index('id="why-it-matters"') < heading < intro < first_example < takeaways
