"""The built site in a real browser (Debian's Chromium), served under /REPO/ as on GitHub Pages."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urldefrag, urljoin

import lxml.html
import pytest
from playwright.sync_api import expect

from source_data import read_yaml, site_yaml, topic_yaml

from .conftest import PRACTICE_TOPICS, SHIPPED_TOPIC, SHIPPED_TOPICS, screenshot

TOPIC_PAGE = f"topics/{SHIPPED_TOPIC}.html"
PAGES = {"index": "", **{slug: f"topics/{slug}.html" for slug in SHIPPED_TOPICS},
         "missing": "no/such/page/here.html"}
WIDTHS = [360, 1280]
PHONE = 360


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_pages_load_without_errors_or_failed_requests(new_page, server, name, width):
    url = server.base_url + PAGES[name]
    if name == "missing":
        new_page.problems.expected_404s.add(url)
    page = new_page(width=width)
    response = page.goto(url, wait_until="networkidle")
    assert response.status == (404 if name == "missing" else 200)
    expect(page.locator("h1")).to_be_visible()
    # The page is styled: the stylesheet (inlined on the 404 page) has applied.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    screenshot(page, f"{name}-light-{width}")


def open_search(new_page, url: str, width: int | None = None):
    """A page opened at url, and its search box."""
    page = new_page(width=width) if width else new_page()
    page.goto(url)
    return page, page.get_by_role("searchbox", name="Search the guide")


@pytest.mark.parametrize("width", [320, 375, 768, 820, 1024, 1280])
def test_nothing_runs_off_the_side_with_search_results_open(new_page, server, width):
    """Reflow (WCAG 1.4.10): at 320 px and up, nothing scrolls sideways, open results
    included; a phone, a tablet upright and narrow laptop windows."""
    page, search = open_search(new_page, server.base_url + TOPIC_PAGE, width)
    search.press_sequentially("security")
    panel = page.locator(".search-panel")
    expect(panel).to_be_visible()
    right = panel.evaluate("p => p.getBoundingClientRect().right")
    assert right <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.keyboard.press("Escape")
    page.locator("#exam-scenarios").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("slug", SHIPPED_TOPICS)
def test_on_a_phone_no_topic_page_scrolls_sideways_and_wide_tables_scroll_in_place(
        new_page, server, slug, javascript):
    """Reflow (WCAG 1.4.10) at 360 px: the page as a whole never scrolls sideways; a table
    too wide for the screen scrolls inside its own region, which a keyboard can scroll."""
    page = new_page(width=PHONE, javascript=javascript)
    page.goto(server.base_url + f"topics/{slug}.html")
    # Everything folded open as well: answers, the text versions of diagrams, the contents.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    screenshot(page, f"{slug}-all-open-{'js' if javascript else 'no-js'}-{PHONE}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    tables = page.locator("table")
    regions = page.locator(".table-scroll:has(> table)")
    assert tables.count() > 0 and regions.count() == tables.count()  # every table in one
    for region in regions.all():
        box = region.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        table_width, scroll_width, shown_width = region.evaluate(
            "r => [r.querySelector('table').getBoundingClientRect().width,"
            " r.scrollWidth, r.clientWidth]")
        if table_width <= shown_width + 1:
            continue
        assert scroll_width > shown_width
        region.focus()
        assert region.evaluate("r => r === document.activeElement && r.scrollLeft === 0")
        page.keyboard.press("ArrowRight")
        # Polled from here: without JavaScript the page's own timers do not run.
        for _ in range(50):
            if region.evaluate("r => r.scrollLeft") > 0:
                break
            page.wait_for_timeout(100)
        assert region.evaluate("r => r.scrollLeft") > 0, "the arrow key did not scroll the table"
        # The page itself stayed where it was.
        assert page.evaluate("window.scrollX") == 0


def test_every_internal_link_and_asset_resolves(pages_site, server):
    """Crawls the site from its index over HTTP, as a visitor's browser would find it."""
    content = pages_site.parent / "content"
    topics = site_yaml(content)["topics"]
    sources = {f"{server.base_url}topics/{slug}.html":
               {source["url"] for source in topic_yaml(slug, content).get("sources", [])}
               for slug in topics}
    # The exam coverage page links to the exam's official page, when the blueprint names one.
    exam = read_yaml(content / "exam.yaml")["exam"] if (content / "exam.yaml").exists() else None
    official = {f"{server.base_url}exam.html": {exam["url"]}} if exam and exam.get("url") else {}
    to_visit, seen, checked, external = [server.base_url], set(), 0, {}
    while to_visit:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        status, body, content_type = fetch(url)
        assert status == 200, f"{url}: HTTP {status}"
        if "text/html" not in content_type:
            continue
        page = lxml.html.fromstring(body)
        for element, attribute, link, _ in page.iterlinks():
            target, fragment = urldefrag(urljoin(url, link))
            if not target.startswith(server.base_url):
                # Only the canonical address, and the topic's own sources, in their section.
                in_sources = element.tag == "a" and element.get("rel") == "external" and \
                    element.getparent().getparent().get("class") == "sources" and \
                    link in sources.get(url, ())
                is_official = element.tag == "a" and element.get("rel") == "external" and \
                    link in official.get(url, ())
                assert in_sources or is_official or element.tag == "link" and \
                    element.get("rel") == "canonical" or element.tag == "meta", \
                    f"{url} links outside the site: {link}"
                if in_sources:
                    external.setdefault(url, set()).add(link)
                continue
            if fragment and target == urldefrag(url)[0]:
                assert page.get_element_by_id(fragment, None) is not None, f"{url}: #{fragment}"
            elif fragment:
                status, target_body, _ = fetch(target)
                target_page = lxml.html.fromstring(target_body)
                assert target_page.get_element_by_id(fragment, None) is not None, f"{link} in {url}"
            to_visit.append(target)
            checked += 1
    pages = {u + "index.html" if u.endswith("/") else u for u in seen
             if u.endswith((".html", "/"))}
    # The index, every topic and the study pages, nothing else (a missing page would have
    # failed above).
    study = {server.base_url + name for name in ("flashcards.html", "practice.html")} | (
        {server.base_url + "exam.html"} if exam else set())
    assert pages == {server.base_url + "index.html"} | set(sources) | study, sorted(seen)
    assert external == {url: links for url, links in sources.items() if links}
    assert any(u.endswith(".pdf") for u in seen) and any(u.endswith(".svg") for u in seen)
    for path in ("sitemap.xml", "robots.txt", "assets/search-index.js",
                 "assets/vendor/minisearch.min.js", "assets/quiz.js", "assets/flashcards.js",
                 "assets/practice.js", "assets/vendor/ts-fsrs.umd.js"):
        assert fetch(server.base_url + path)[0] == 200, path
    sitemap = fetch(server.base_url + "sitemap.xml")[1].decode()
    for loc in re.findall(r"<loc>(.*?)</loc>", sitemap):
        assert fetch(loc)[0] == 200, loc


def test_a_missing_address_at_any_depth_gets_a_working_404_page(new_page, server):
    url = server.base_url + "topics/deeply/nested/missing/"
    new_page.problems.expected_404s.add(url)
    page = new_page()
    assert page.goto(url, wait_until="networkidle").status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Go to the list of topics").click()
    expect(page).to_have_url(server.base_url + "index.html")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_navigation_between_topics_and_within_a_page(new_page, server):
    page = new_page()
    page.goto(server.base_url)
    page.get_by_role("link", name="AWS Shared Responsibility Model").first.click()
    expect(page).to_have_url(server.base_url + TOPIC_PAGE)
    next_link = page.get_by_role("navigation", name="Previous and next topic").get_by_role("link")
    expect(next_link).to_have_count(2)
    page.get_by_role("link", name=re.compile("Next topic")).click()
    expect(page).to_have_url(server.base_url + "topics/practice-after.html")
    expect(page.locator("h1")).to_contain_text(PRACTICE_TOPICS["practice-after"])
    page.get_by_role("link", name=re.compile("Previous topic")).click()
    expect(page).to_have_url(server.base_url + TOPIC_PAGE)
    # The table of contents jumps to a section; the heading's permalink names that address.
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Key Exam Scenarios").click()
    expect(page).to_have_url(server.base_url + TOPIC_PAGE + "#exam-scenarios")
    expect(page.locator("#exam-scenarios h2")).to_be_in_viewport()
    assert page.locator("#exam-scenarios h2 a.anchor").get_attribute("href") == "#exam-scenarios"
    # Both card sizes are linked from the topic page and are PDFs.
    cards = page.locator(".card-links a")
    expect(cards).to_have_count(2)
    for href in cards.evaluate_all("links => links.map(a => a.href)"):
        status, body, content_type = fetch(href)
        assert status == 200 and body.startswith(b"%PDF") and content_type == "application/pdf"
    page.get_by_role("navigation", name="Site").get_by_role("link", name="All topics").click()
    expect(page).to_have_url(re.compile(r"/REPO/index\.html#topics-heading$"))


def test_on_a_phone_the_contents_are_folded_under_the_title(new_page, server):
    page = new_page(width=375)
    page.goto(server.base_url + TOPIC_PAGE)
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents).to_have_count(0)  # the sidebar is not shown, the list is folded
    title_bottom = page.locator("h1").bounding_box()["y"]
    summary = page.get_by_text(re.compile(r"^On this page: \d+ sections$"))
    assert summary.bounding_box()["y"] > title_bottom
    summary.click()
    expect(contents).to_have_count(1)
    contents.get_by_role("link", name="Key Exam Scenarios").click()
    expect(page).to_have_url(server.base_url + TOPIC_PAGE + "#exam-scenarios")
    expect(page.locator("#exam-scenarios h2")).to_be_in_viewport()


def test_search_finds_a_word_and_opens_the_section_by_keyboard(new_page, server):
    page = new_page()
    page.goto(server.base_url)
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search the guide")
    expect(search).to_be_focused()
    search.press_sequentially("hypervisor")
    results = page.locator("#search-results a")
    expect(results.first).to_be_visible()
    expect(page.locator(".search-status")).to_contain_text("result")
    hits = results.evaluate_all("links => links.map(a => [a.href, a.innerText])")
    shipped = [(href, text) for href, text in hits if f"/{TOPIC_PAGE}#" in href]
    assert shipped, hits  # a section of the shipped topic, not only its page
    expect(results.first.locator("mark").first).to_have_text(re.compile("hypervisor", re.I))
    screenshot(page, "search-hypervisor-light-1280")
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    # Down the list to the first result that opens a section of the shipped topic.
    sections = [i for i, (href, _) in enumerate(hits) if f"/{TOPIC_PAGE}#" in href]
    for _ in range(sections[0]):
        page.keyboard.press("ArrowDown")
    expect(results.nth(sections[0])).to_be_focused()
    target = results.nth(sections[0]).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(urljoin(server.base_url, target))
    section = page.url.split("#", 1)[1]
    expect(page.locator(f"#{section}")).to_contain_text(re.compile("hypervisor", re.I))


def test_search_marks_whole_words_and_keeps_apostrophes(new_page, server):
    page, search = open_search(new_page, server.base_url + TOPIC_PAGE)
    marks = page.locator("#search-results mark")

    search.press_sequentially("don't")
    expect(marks.first).to_be_visible()
    marked = {text.lower() for text in marks.all_inner_texts()}
    assert marked == {"don't"}  # not every "t", nor "don" alone
    expect(page.locator("#search-results a").first).to_contain_text("don't need to patch")

    search.fill("")
    search.press_sequentially("OS")
    expect(marks.first).to_be_visible()
    # Marked where a word starts ("OS patching"), never inside "Scenarios".
    assert all(mark.evaluate("m => !/[\\p{L}]$/u.test(m.previousSibling?.textContent || '')")
               for mark in marks.all())


def test_search_finds_topics_in_every_part_of_the_index(new_page, server):
    page, search = open_search(new_page, server.base_url)
    for title, slug in [("Practice Topic Before", "practice-before"),   # first part
                        ("Practice Topic After", "practice-after")]:    # second part
        search.fill(title)
        expect(page.locator(f'#search-results a[href$="topics/{slug}.html"]')).to_be_visible()


def test_search_finds_decomposed_text_by_composed_letters_and_back(new_page, server):
    page, search = open_search(new_page, server.base_url)
    link = page.locator('#search-results a[href$="topics/practice-after.html"]')
    for query in ("sécurité", "se\u0301curite\u0301"):  # composed, then decomposed
        search.fill(query)
        expect(link.first).to_be_visible()
        expect(link.first.locator("mark").first).to_have_text(re.compile("^sécurité$", re.I))


def test_search_says_when_nothing_matches_and_closes_with_escape(new_page, server):
    page, search = open_search(new_page, server.base_url + TOPIC_PAGE)
    search.fill("zzqxv")
    expect(page.locator(".search-status")).to_have_text("No results for “zzqxv”.")
    search.press("Escape")
    expect(page.locator(".search-panel")).to_be_hidden()
    expect(search).to_have_value("zzqxv")  # the query stays for another try


def test_search_results_close_when_one_is_chosen_on_the_same_page_or_left(new_page, server):
    page, search = open_search(new_page, server.base_url + TOPIC_PAGE)
    panel = page.locator(".search-panel")
    search.fill("hypervisor")
    same_page = page.locator(f'#search-results a[href*="{SHIPPED_TOPIC}.html#"]').first
    section = same_page.get_attribute("href").split("#", 1)[1]
    same_page.click()
    expect(page).to_have_url(re.compile(f"#{section}$"))
    expect(panel).to_be_hidden()
    search.focus()
    expect(panel).to_be_visible()
    page.keyboard.press("Tab")  # into the results
    expect(panel).to_be_visible()
    page.locator("#search-results a").last.focus()
    page.keyboard.press("Tab")  # past the last result
    expect(panel).to_be_hidden()


def test_search_works_when_the_site_is_opened_from_its_folder(new_page, pages_site):
    page, search = open_search(new_page, (pages_site / "index.html").as_uri())
    search.fill("hypervisor")
    first = page.locator("#search-results a").first
    expect(first).to_be_visible()
    assert first.get_attribute("href").startswith("topics/")


def answer(page, item, right: bool) -> None:
    correct = item.get_attribute("data-answer")
    choices = item.locator(".quiz-choice")
    for index in range(choices.count()):
        choice = choices.nth(index)
        if (choice.get_attribute("data-choice") == correct) == right:
            choice.click()
            return
    raise AssertionError("no such choice")


def test_self_test_scores_answers_keeps_them_and_resets(new_page, server):
    page = new_page()
    page.goto(server.base_url + TOPIC_PAGE)
    scenarios = page.locator("#exam-scenarios .quiz-item")
    myths = page.locator("#misconceptions .quiz-item")
    in_scenarios, in_myths = scenarios.count(), myths.count()
    first, second = scenarios.nth(0), scenarios.nth(1)
    expect(first.locator("details.answer")).to_be_hidden()  # no peeking before answering
    score = page.locator("#exam-scenarios .quiz-score-text")
    myth_score = page.locator("#misconceptions .quiz-score-text")
    unanswered = f"Score: nothing answered yet ({in_scenarios} questions in this section)."
    expect(score).to_have_text(unanswered)

    answer(page, first, right=True)
    expect(first.locator(".quiz-feedback")).to_have_text(re.compile(r"^✓ Right: "))
    expect(first.locator("details.answer")).to_be_visible()
    answer(page, second, right=False)
    expect(second.locator(".quiz-feedback")).to_have_text(re.compile(r"^✗ Not quite: .* the answer is "))
    myth = myths.first
    answer(page, myth, right=True)
    expect(myth.locator(".quiz-explanation")).to_be_visible()
    # Each section keeps its own score.
    expected = f"Score: 1 right out of 2 answered ({in_scenarios} questions in this section)."
    expected_myths = f"Score: 1 right out of 1 answered ({in_myths} questions in this section)."
    expect(score).to_have_text(expected)
    expect(myth_score).to_have_text(expected_myths)
    assert page.locator("#exam-scenarios .quiz-progress").evaluate("p => [p.value, p.max]") == \
        [2, in_scenarios]
    screenshot(page, "self-test-answered-light-1280")

    page.reload()
    expect(score).to_have_text(expected)  # kept in the browser
    expect(first.locator(".quiz-feedback")).to_be_visible()
    # An answered question is locked: its choices no longer take a click.
    expect(first.locator(".quiz-choice").first).to_have_attribute("aria-disabled", "true")
    first.locator(".quiz-choice").first.click(force=True)
    first.locator(".quiz-choice").last.click(force=True)
    expect(score).to_have_text(expected)

    # Reset clears its own section only, and focus stays there.
    page.locator("#exam-scenarios .quiz-reset").click()
    expect(score).to_have_text(unanswered)
    expect(first.locator(".quiz-feedback")).to_be_hidden()
    expect(first.locator(".quiz-choice").first).to_be_focused()
    expect(myth_score).to_have_text(expected_myths)
    page.reload()
    expect(score).to_have_text(unanswered)
    expect(myth_score).to_have_text(expected_myths)


def test_answers_are_kept_per_site_and_per_question_not_per_position(new_page, server):
    """Sites of one GitHub account share an origin; a question added before another must
    not take over its answer."""
    page = new_page()
    page.goto(server.base_url + TOPIC_PAGE)
    first = page.locator("#exam-scenarios .quiz-item").nth(0)
    question = first.locator("p.question").inner_text()
    block_id = "exam-scenarios"
    topic_key = f"sitegen-quiz:/REPO/:{SHIPPED_TOPIC}"
    other_site = f"sitegen-quiz:/OTHER/:{SHIPPED_TOPIC}"
    page.evaluate("""([mine, other, id, answer]) => {
        localStorage.setItem(other, JSON.stringify({[id]: answer}));
        localStorage.setItem(mine, JSON.stringify({"exam-scenarios-1": answer}));
    }""", [topic_key, other_site, f"{block_id}--{question}", first.get_attribute("data-answer")])
    page.reload()
    # Neither another site's answer nor one kept under the question's old position counts.
    expect(first.locator(".quiz-feedback")).to_be_hidden()
    page.evaluate("""([mine, id, answer]) => localStorage.setItem(mine,
        JSON.stringify({[id]: answer}))""",
                  [topic_key, first.get_attribute("data-quiz-id"), first.get_attribute("data-answer")])
    page.reload()
    expect(first.locator(".quiz-feedback")).to_have_text(re.compile(r"^✓ Right: "))
    assert first.get_attribute("data-quiz-id") == f"{block_id}--{question}"


def test_without_javascript_answers_are_revealed_on_request(new_page, server):
    page = new_page(javascript=False)
    page.goto(server.base_url + TOPIC_PAGE)
    scenario = page.locator("#exam-scenarios .quiz-item").first
    expect(scenario.locator(".quiz-choices")).to_be_hidden()
    expect(page.locator(".search")).to_be_hidden()
    expect(page.locator(".theme-toggle")).to_be_hidden()
    expect(page.locator(".myth-quiz")).to_be_hidden()
    expect(page.locator("#misconceptions table")).to_be_visible()
    answer_text = scenario.locator("details.answer p")
    expect(answer_text).to_be_hidden()
    scenario.get_by_text("Show the answer").click()
    expect(answer_text).to_be_visible()
    screenshot(page, "topic-no-javascript-light-1280")


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_follows_the_system_and_the_toggle_is_remembered(new_page, server):
    light, dark = "rgb(255, 255, 255)", "rgb(15, 23, 42)"
    page = new_page(color_scheme="light")
    page.goto(server.base_url + TOPIC_PAGE)
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert background(page) == light
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background(page) == dark
    # The old page says data-theme="dark" too: wait for the next one to load, styles and all.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile("Next topic")).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == dark
    screenshot(page, "topic-dark-toggled-1280")
    page.get_by_role("button", name="Dark theme").click()
    page.reload()
    assert background(page) == light

    system_dark = new_page(color_scheme="dark")
    system_dark.goto(server.base_url)
    assert background(system_dark) == dark
    expect(system_dark.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")


def test_theme_choice_applies_before_the_first_paint(new_page, server):
    page = new_page(color_scheme="light")
    page.goto(server.base_url)
    page.evaluate("localStorage.setItem('sitegen-theme', 'dark')")
    page.goto(server.base_url + TOPIC_PAGE, wait_until="commit")
    page.wait_for_selector("body", state="attached")
    # Set by the inline script in <head>, before the stylesheet and body are painted.
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
