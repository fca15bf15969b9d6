"""axe-core scans of every kind of page, in both colour schemes, at phone and desktop widths.

Serious and critical violations fail the test; lesser ones are reported by axe but tolerated.
Each scanned state is also kept as a screenshot for people to look at.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import SHIPPED_TOPIC, screenshot

PAGES = {"index": "", "topic": f"topics/{SHIPPED_TOPIC}.html", "missing": "no/such/page.html"}
FAILING_IMPACTS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations if v["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize("width", [375, 1280])
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


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_interactive_states_have_no_serious_accessibility_violations(new_page, server, scheme,
                                                                     width):
    """Search results open and self-test questions answered, right and wrong."""
    page = new_page(width=width, color_scheme=scheme)
    page.goto(server.base_url + PAGES["topic"], wait_until="networkidle")
    for item in page.locator("#exam-scenarios .quiz-item").all()[:2]:
        item.locator(".quiz-choice").first.click()
    page.locator("#misconceptions .quiz-item .quiz-choice").first.click()
    search = page.get_by_role("searchbox", name="Search the guide")
    search.fill("encryption")
    page.locator("#search-results a").first.wait_for()
    screenshot(page, f"search-open-{scheme}-{width}", full_page=False)
    screenshot(page, f"topic-answered-{scheme}-{width}")
    assert serious_violations(page) == []
