"""A lesson's table of contents in a real browser: it stays in view on a wide screen, a click
scrolls to the section and marks it current, scrolling moves the mark, and on the softmax page
the visualizer stands above the lesson. On a narrow screen the contents fold above the lesson.
"""

from playwright.sync_api import expect

SOFTMAX = "/concepts/softmax-and-logits/"


def top(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("(el) => el.getBoundingClientRect().top")


def test_contents_follow_the_reader(page, site, console_errors, screenshot):
    page.goto(site + SOFTMAX)
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents).to_be_visible()
    # the visualizer comes before the long lesson
    assert top(page, "#visualizer") < top(page, "#lesson") < top(page, "#why-it-matters")

    entry = contents.get_by_role("link", name="The log-sum-exp trick", exact=True)
    entry.click()
    page.wait_for_function("() => location.hash === '#the-log-sum-exp-trick'")
    heading = page.locator("#the-log-sum-exp-trick")
    expect(heading).to_be_in_viewport()
    assert abs(top(page, "#the-log-sum-exp-trick")) < 5  # scrolled to the top of the window
    expect(entry).to_have_attribute("aria-current", "location")
    expect(contents.locator('[aria-current="location"]')).to_have_count(1)
    # the contents stayed in view (sticky), far down the page
    expect(contents).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 3000

    # scrolling on (as a reader does, with the wheel) moves the mark to the section in view
    page.locator("#key-takeaways").evaluate("(el) => el.scrollIntoView()")
    page.mouse.wheel(0, 1)
    current = contents.get_by_role("link", name="Key takeaways", exact=True)
    expect(current).to_have_attribute("aria-current", "location")
    expect(entry).not_to_have_attribute("aria-current", "location")
    screenshot("wide")


def test_no_core_concept_is_split_across_the_two_columns(page, site):
    page.set_viewport_size({"width": 1000, "height": 800})  # two columns of core concepts
    page.goto(site + SOFTMAX)
    atoms = page.locator(".atoms li")
    assert atoms.count() >= 8
    columns = page.locator(".atoms").evaluate("(el) => getComputedStyle(el).columnCount")
    lefts = set(atoms.evaluate_all("(els) => els.map((el) => el.getBoundingClientRect().left)"))
    assert columns == "2" and len(lefts) == 2, (columns, lefts)
    # an item split by a column break has one box per column
    boxes = atoms.evaluate_all("(els) => els.map((el) => el.getClientRects().length)")
    assert set(boxes) == {1}, boxes


def test_narrow_screens_get_a_folded_list_above_the_lesson(page, site, console_errors, screenshot):
    page.set_viewport_size({"width": 420, "height": 800})
    page.goto(site + SOFTMAX)
    contents = page.get_by_role("navigation", name="On this page")
    link = contents.get_by_role("link", name="Key takeaways", exact=True)
    expect(link).to_be_hidden()  # folded
    assert top(page, "[data-contents]") < top(page, "#tldr")
    contents.locator("summary").click()
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#key-takeaways")).to_be_in_viewport()
    screenshot("narrow")
