"""Browser fixtures: the site built for a local stand-in of GitHub Pages, and Debian's Chromium.

The site is the shipped content plus two practice topics around it, so that the shipped
topic has both a previous and a next topic, as it will once the guide grows.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

from sitegen import search
from sitegen.pipeline import BuildConfig, build
from source_data import site_yaml

from .pages_server import PagesServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Screenshots the tests take, kept for people to look at (ignored by git).
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
SHIPPED_TOPIC = "shared-responsibility"  # the topic the practice topics are copied from
SHIPPED_TOPICS = site_yaml()["topics"]  # every topic of the shipped guide, in its order
# The second title is written decomposed (NFD: "e" then a combining accent), as some editors
# and file systems save text: search must find it by the composed letters people type.
PRACTICE_TOPICS = {"practice-before": "Practice Topic Before",
                   "practice-after": "Practice Topic After Se\u0301curite\u0301"}
# Without these Chromium tries to reach Google's servers at start-up; the machine may be offline.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _practice_topic(source: Path, target: Path, title: str) -> None:
    shutil.copytree(source, target)
    yaml_path = target / "topic.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
    text = re.sub(r"^short_title: .*$", f"short_title: {title}", text, count=1, flags=re.M)
    yaml_path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def server():
    pages = PagesServer().start()
    yield pages
    pages.stop()


@pytest.fixture(scope="session")
def pages_site(server, tmp_path_factory) -> Path:
    """output/ of the guide with three topics, built for the server's /REPO/ address."""
    base = tmp_path_factory.mktemp("pages")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    topics = content / "topics"
    for slug, title in PRACTICE_TOPICS.items():
        _practice_topic(topics / SHIPPED_TOPIC, topics / slug, title)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        f"topics:\n  - {SHIPPED_TOPIC}\n",
        f"topics:\n  - practice-before\n  - {SHIPPED_TOPIC}\n  - practice-after\n"), encoding="utf-8")
    out = base / "output"
    # Two topics a part, so the search index comes in two parts, as a big guide's does.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_TOPICS", 2)
        build(BuildConfig(content, ROOT / "templates", out, base_url=server.base_url))
    assert (out / "assets" / "search-index" / "1.js").is_file()
    server.site_dir = out
    return out


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package "
                    "(make test does it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Problems:
    """What went wrong in a page while a test used it."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    expected_404s: set[str] = field(default_factory=set)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda response: response.status >= 400
                and response.url not in self.expected_404s
                and self.failed_requests.append(f"{response.url}: HTTP {response.status}"))

    def _request_failed(self, request) -> None:
        # Chromium aborts a page's pending favicon fetch when the test navigates away.
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            return
        self.failed_requests.append(f"{request.url}: {request.failure}")

    def _console(self, message) -> None:
        url = message.location.get("url")
        if message.type != "error":
            return
        if url in self.expected_404s and message.text.startswith("Failed to load resource"):
            return  # Chromium's own note about the 404 status a test asked for
        self.console_errors.append(f"{message.text} ({url})")


@pytest.fixture
def new_page(browser, pages_site):
    """Opens pages in fresh browser contexts (empty storage); fails on any error they log."""
    contexts = []
    problems = Problems()

    def open_page(width: int = 1280, height: int = 900, color_scheme: str = "light",
                  javascript: bool = True):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=color_scheme, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    open_page.problems = problems
    yield open_page
    for context in contexts:
        context.close()
    assert problems.console_errors == [], "errors in the browser console"
    assert problems.failed_requests == [], "requests that failed"


def screenshot(shown, name: str, full_page: bool = True) -> Path:
    """Keeps a screenshot of a page (all of it, or what is in view) or of one element."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if isinstance(shown, Page):
        shown.screenshot(path=str(path), full_page=full_page)
    else:
        shown.screenshot(path=str(path))
    return path


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast of two computed colours, "rgb(r, g, b)"."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
