"""`sitegen serve` in Chromium: an open page reloads itself after a save, shows the errors of
a failed build over the last good one, and drops them once the content is fixed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sitegen.pipeline import BuildConfig
from sitegen.serve import Server
from source_data import blocks_of_kind, read_yaml

from .conftest import ROOT, contrast, screenshot

FIXTURE_TOPIC = "layered"  # content_copy is the fixture guide, tests/fixtures/layered
TOPIC_YAML = Path("topics") / FIXTURE_TOPIC / "topic.yaml"
TOPIC_PAGE = f"topics/{FIXTURE_TOPIC}.html"
FIRST_ANSWER = "answer: customer"
HOSTILE = '<img src=x onerror="document.title=1">'
# Generous: a rebuild lays out two PDF cards, and the machine may be busy.
TIMEOUT_MS = 120_000
AA_TEXT = 4.5


@pytest.fixture
def live(content_copy, tmp_path):
    """A live server on a private copy of the content. Requested before new_page, so that it
    stops only after the pages are closed (a page left open would log its reconnections)."""
    config = BuildConfig(content_dir=content_copy, templates_dir=ROOT / "templates",
                         output_dir=tmp_path / "output", cache_dir=tmp_path / "cache")
    server = Server(config, port=0).start()
    assert server.wait_for_build(timeout=TIMEOUT_MS / 1000).ok
    yield server
    server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def allow_aborted_event_streams(problems) -> None:
    # A page that reloads (or closes) cuts its own open event stream: expected, not a fault.
    problems.failed_requests[:] = [
        failure for failure in problems.failed_requests
        if not re.search(r"/__sitegen/events\?build=[\w-]+: net::ERR_ABORTED$", failure)]


def test_a_saved_edit_reloads_the_page_and_errors_show_until_fixed(live, new_page, content_copy):
    topic_yaml = content_copy / TOPIC_YAML
    url = live.urls[0] + TOPIC_PAGE
    page = new_page()
    page.goto(url)
    expect(page.locator("h1")).to_be_visible()

    edit(topic_yaml, "Who secures what on AWS", "Who secures what on AWS, edited live")
    lede = page.locator(".lede")
    expect(lede).to_contain_text("edited live", timeout=TIMEOUT_MS)
    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"

    good_yaml = topic_yaml.read_text(encoding="utf-8")
    line = good_yaml[:good_yaml.index(FIRST_ANSWER)].count("\n") + 1
    scenarios = blocks_of_kind(read_yaml(topic_yaml), "scenarios")[0]
    scenario = next(item for item in scenarios["items"] if f"answer: {item['answer']}" == FIRST_ANSWER)
    edit(topic_yaml, FIRST_ANSWER, f"answer: '{HOSTILE}'")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=TIMEOUT_MS)
    expect(alert).to_contain_text(
        f"topic.yaml:{line}:17: error: answer of scenario '{scenario['title']}' names "
        f"'{HOSTILE}', which is not a value of the set '{scenarios['answers']}'")
    expect(alert.locator("img")).to_have_count(0)  # the content's markup stayed text
    expect(lede).to_contain_text("edited live")  # the last good build, still there
    screenshot(page, "serve-errors-light", full_page=False)

    # A page opened while the build is failing shows the errors at once, here in dark mode.
    dark = new_page(color_scheme="dark")
    dark.goto(url)
    dark_alert = dark.get_by_role("alert")
    expect(dark_alert).to_contain_text(f"topic.yaml:{line}:17: error:")
    screenshot(dark, "serve-errors-dark", full_page=False)
    colours = {}
    for name, shown in (("light", alert), ("dark", dark_alert)):
        fg, bg = shown.evaluate("e => [getComputedStyle(e).color, "
                                "getComputedStyle(e).backgroundColor]")
        colours[name] = bg
        assert contrast(fg, bg) >= AA_TEXT, f"{name}: {fg} on {bg}"
    assert colours["light"] != colours["dark"]
    assert page.title() != "1" and dark.title() != "1"

    topic_yaml.write_text(good_yaml, encoding="utf-8")
    for each in (page, dark):
        expect(each.get_by_role("alert")).to_have_count(0, timeout=TIMEOUT_MS)
        expect(each.locator(".lede")).to_contain_text("edited live")
    allow_aborted_event_streams(new_page.problems)


def test_an_open_page_reconnects_and_reloads_when_the_server_restarts(live, new_page):
    page = new_page()
    page.goto(live.urls[0] + TOPIC_PAGE)
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("window.sitegenTestMark = true")  # gone once the page has reloaded
    live.stop()
    restarted = Server(live.config, port=live.port).start()
    try:
        page.wait_for_function("window.sitegenTestMark === undefined", timeout=TIMEOUT_MS)
        expect(page.locator("h1")).to_be_visible()
        page.close()  # before its server goes away for good
    finally:
        restarted.stop()
    allow_aborted_event_streams(new_page.problems)


def set_hidden(page, hidden: bool) -> None:
    """As if the page's tab were put in the background, or brought back into view."""
    page.evaluate("""hidden => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
        document.dispatchEvent(new Event("visibilitychange"));
    }""", hidden)


def test_a_page_out_of_view_lets_go_of_its_stream_and_catches_up_when_back(
        live, new_page, content_copy):
    # Browsers open about six connections to one server: background tabs must not hold them.
    page = new_page()
    page.goto(live.urls[0] + TOPIC_PAGE)
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("window.sitegenTestMark = true")  # gone once the page has reloaded
    set_hidden(page, True)
    before = live.latest.number
    edit(content_copy / TOPIC_YAML, "Who secures what on AWS", "Who secures what, seen later")
    assert live.wait_for_build(after=before, timeout=TIMEOUT_MS / 1000).ok
    assert page.evaluate("window.sitegenTestMark") is True  # no stream, so no reload yet
    set_hidden(page, False)
    page.wait_for_function("window.sitegenTestMark === undefined", timeout=TIMEOUT_MS)
    expect(page.locator(".lede")).to_contain_text("seen later")
    allow_aborted_event_streams(new_page.problems)
