"""axe-core scans of every kind of page and every shipped topic, in both colour schemes, at
phone and desktop widths.

Serious and critical violations fail the test; lesser ones are reported by axe but tolerated.
Each scanned state is also kept as a screenshot for people to look at.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import SHIPPED_TOPICS, screenshot

PAGES = {"index": "", "missing": "no/such/page.html", "exam": "exam.html",
         **{slug: f"topics/{slug}.html" for slug in SHIPPED_TOPICS},
         "flashcards": "flashcards.html", "practice": "practice.html"}
WIDTHS = [360, 1280]
FAILING_IMPACTS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations if v["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(new_page, server, name, scheme, width):
    url = server.base_url + PAGES[name]
    if name == "missing":
        new_page.problems.expected_404s.add(url)
    page = new_page(width=width, color_scheme=scheme)
    page.goto(url, wait_until="networkidle")
    screenshot(page, f"{name}-{scheme}-{width}")
    assert serious_violations(page) == []


def answer_everything_once(page) -> None:
    """Puts each self-test section of the page in its answered states: per section, the
    first question right and the second wrong; a "choose N" question checked with too few
    ticked."""
    for section in page.locator("section:has(.quiz-item)").all():
        for index, item in enumerate(section.locator(".quiz-item:visible").all()[:2]):
            right = item.get_attribute("data-answer").split(" ")
            if item.locator(".quiz-choice").count():
                choices = item.locator(".quiz-choice")
                pick = [c for c in choices.all() if (c.get_attribute("data-choice") in right)
                        == (index == 0)][0]
                pick.click()
            else:
                options = item.locator(".option input")
                values = [o.get_attribute("value") for o in options.all()]
                chosen = right if index == 0 else \
                    [v for v in values if v not in right][:1] + right[1:]
                for value in chosen:
                    item.locator(f'.option input[value="{value}"]').check()
                item.get_by_role("button", name="Check answer").click()
            item.locator(".quiz-feedback").wait_for()
        multiple = section.locator('.quiz-pending:has(input[type="checkbox"])').first
        if multiple.count():
            multiple.locator("input").first.check()
            multiple.get_by_role("button", name="Check answer").click()
            multiple.locator(".quiz-feedback").wait_for()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("slug", SHIPPED_TOPICS)
def test_interactive_states_have_no_serious_accessibility_violations(new_page, server, slug,
                                                                     scheme, width):
    """Self-test questions answered, right and wrong, and search results open."""
    page = new_page(width=width, color_scheme=scheme)
    page.goto(server.base_url + PAGES[slug], wait_until="networkidle")
    answer_everything_once(page)
    screenshot(page, f"{slug}-answered-{scheme}-{width}")
    search = page.get_by_role("searchbox", name="Search the guide")
    search.fill("encryption")
    page.locator("#search-results a").first.wait_for()
    screenshot(page, f"search-open-{slug}-{scheme}-{width}", full_page=False)
    assert serious_violations(page) == []
