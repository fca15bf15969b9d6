"""The practice exam in Chromium: an attempt drawn by the domains' weights, answered, flagged
and navigated, resumed after a reload, submitted, scored per domain as the data says, and
listed among past attempts; "choose N" questions right only when exactly right; the
countdown's warnings and its end; over the local server and from the folder (file://), and
checked by axe in both themes.

What is right, and which domain a question counts toward, is read from the YAML
(test_study_pages.expected_questions), not from the page.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from test_study_pages import blueprint, expected_questions

from .conftest import screenshot
from .test_accessibility import serious_violations

NOW = datetime(2026, 3, 2, 12, 0)
ATTEMPT_KEY = "sitegen-practice:/REPO/:attempt"
HISTORY_KEY = "sitegen-practice:/REPO/:history"


@pytest.fixture(scope="module")
def content(pages_site):
    return pages_site.parent / "content"


@pytest.fixture(scope="module")
def questions(content) -> dict[tuple, dict]:
    """Every practice question of the built guide, by (topic, block, question) id."""
    from source_data import site_yaml

    return {q["parts"]: q for slug in site_yaml(content)["topics"]
            for q in expected_questions(slug, content)}


@pytest.fixture(scope="module")
def plan(content) -> dict:
    return blueprint(content)


def apportion(size: int, domains: list[tuple[str, int, int]]) -> dict[str, int]:
    """What the README promises, worked out here on its own: each domain's share of the
    size by weight, in whole numbers by largest remainder (ties to the earlier domain); a
    domain with fewer questions than its share gives them all and the rest is shared again;
    questions of no weight only fill up. domains: (id, weight, questions available)."""
    counts = {domain_id: 0 for domain_id, _, _ in domains}
    left = size
    open_ = [d for d in domains if d[1] > 0 and d[2] > 0]
    while left > 0 and open_:
        total = sum(weight for _, weight, _ in open_)
        shares = []
        for index, (domain_id, weight, available) in enumerate(open_):
            exact = left * weight / total
            shares.append({"id": domain_id, "available": available, "index": index,
                           "whole": math.floor(exact), "remainder": exact - math.floor(exact)})
        rest = left - sum(s["whole"] for s in shares)
        for share in sorted(shares, key=lambda s: (-s["remainder"], s["index"]))[:rest]:
            share["whole"] += 1
        short = [s for s in shares if s["whole"] > s["available"]]
        if not short:
            counts.update({s["id"]: s["whole"] for s in shares})
            left = 0
            break
        for share in short:
            counts[share["id"]] = share["available"]
            left -= share["available"]
        open_ = [d for d in open_ if d[0] not in {s["id"] for s in short}]
    for domain_id, weight, available in domains:
        if weight == 0 and left > 0:
            counts[domain_id] = min(left, available)
            left -= counts[domain_id]
    return counts


def test_apportionment_by_largest_remainder():
    exam = [("a", 24, 50), ("b", 30, 50), ("c", 34, 50), ("d", 12, 50)]
    assert apportion(65, exam) == {"a": 16, "b": 19, "c": 22, "d": 8}
    assert apportion(10, exam) == {"a": 3, "b": 3, "c": 3, "d": 1}
    # Too few in a domain: it gives what it has, the others share the rest by weight.
    assert apportion(10, [("a", 24, 0), ("b", 30, 2), ("c", 34, 50), ("d", 12, 50)]) == \
        {"a": 0, "b": 2, "c": 6, "d": 2}
    assert apportion(5, [("a", 1, 6), ("b", 1, 6), ("", 0, 4)]) == {"a": 3, "b": 2, "": 0}
    assert apportion(14, [("a", 1, 6), ("b", 1, 6), ("", 0, 4)]) == {"a": 6, "b": 6, "": 2}


def domains_available(plan, questions) -> list[tuple[str, int, int]]:
    counts = [(d, w, sum(1 for q in questions.values() if q["domain"] == d))
              for d, _, w in plan["domains"]]
    untagged = sum(1 for q in questions.values() if not q["domain"])
    return counts + ([("", 0, untagged)] if untagged else [])


def open_practice(new_page, url: str, **options):
    page = new_page(**options)
    page.clock.install(time=NOW)
    page.goto(url)
    expect(page.locator(".practice-setup")).to_be_visible()
    return page


def start(page, size: int, minutes: int | None = None) -> None:
    page.get_by_label("Number of questions").fill(str(size))
    timed = page.locator("#practice-timed")
    if minutes is None:
        timed.uncheck()
    else:
        timed.check()
        page.get_by_label("Time limit in minutes").fill(str(minutes))
    page.get_by_role("button", name="Start the practice exam").click()
    expect(page.locator(".practice-attempt")).to_be_visible()


def drawn(page) -> list[tuple]:
    return [tuple(e.get_attribute(f"data-{name}") for name in ("topic", "block", "question"))
            for e in page.locator(".practice-attempt .practice-question").all()]


def shown(page):
    return page.locator(".practice-stage .practice-question:visible")


def option_order(page) -> dict[tuple, list[str]]:
    return {parts: [o.get_attribute("data-option") for o in element.locator(".option").all()]
            for parts, element in zip(drawn(page), page.locator(".practice-question").all())}


def letters(order: list[str], ids) -> str:
    return ", ".join("ABCDEF"[i] for i, option_id in enumerate(order) if option_id in ids)


def choose(page, ids) -> None:
    for option_id in ids:
        shown(page).locator(f'input[value="{option_id}"]').check()


def wrong_ids(question: dict) -> list[str]:
    right = question["answer"].split()
    return [o for o, _, _ in question["options"] if o not in right]


def map_labels(page) -> list[str]:
    return [b.get_attribute("aria-label") for b in page.locator(".practice-map-item").all()]


def test_a_practice_exam_end_to_end(new_page, server, questions, plan):
    page = open_practice(new_page, server.base_url + "practice.html")
    expect(page.locator(".practice-history-empty")).to_have_text("No attempts yet.")
    start(page, 5)
    expect(page.locator(".practice-position")).to_have_text("Question 1 of 5")
    expect(page.locator(".practice-position")).to_be_focused()
    order = drawn(page)
    assert len(set(order)) == 5 and set(order) <= set(questions)
    by_domain = {}
    for parts in order:
        by_domain[questions[parts]["domain"]] = by_domain.get(questions[parts]["domain"], 0) + 1
    wanted = apportion(5, domains_available(plan, questions))
    assert by_domain == {d: n for d, n in wanted.items() if n}
    options = option_order(page)
    for parts in order:
        assert sorted(options[parts]) == sorted(o for o, _, _ in questions[parts]["options"])
        texts = [re.sub(r"^[A-F]\. ", "", " ".join(label.split()))
                 for label in page.locator(f'[data-question="{parts[2]}"][data-topic="{parts[0]}"] label').all_inner_texts()]
        assert texts == [dict((o, t) for o, t, _ in questions[parts]["options"])[o]
                         for o in options[parts]]
    expect(shown(page)).to_have_count(1)
    expect(page.locator(".practice-previous")).to_be_disabled()
    # Each option is named by its letter and text, as a screen reader reads it.
    for place, option_id in enumerate(options[order[0]]):
        text = dict((o, t) for o, t, _ in questions[order[0]]["options"])[option_id]
        expect(shown(page).locator(f'input[value="{option_id}"]')).to_have_accessible_name(
            f"{'ABCDEF'[place]}. {text}")

    first, second, third = (questions[parts] for parts in order[:3])
    choose(page, first["answer"].split())
    page.get_by_role("button", name="Next question").click()
    expect(page.locator(".practice-position")).to_have_text("Question 2 of 5")
    expect(page.locator(".practice-live")).to_have_text("Question 2 of 5")
    choose(page, wrong_ids(second)[:int(second["choose"])])
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".practice-live")).to_have_text("Question 2 flagged for review.")
    page.get_by_role("button", name="Next question").click()
    page.get_by_role("button", name="Flag for review").click()
    page.get_by_role("button", name="Question 5: no answer yet").click()
    expect(page.locator(".practice-position")).to_have_text("Question 5 of 5")
    expect(page.locator(".practice-next")).to_be_disabled()
    page.get_by_role("button", name="Previous question").click()
    assert map_labels(page) == [
        "Question 1: has an answer", "Question 2: has an answer, flagged for review",
        "Question 3: no answer yet, flagged for review", "Question 4: no answer yet",
        "Question 5: no answer yet"]
    expect(page.locator('.practice-map-item[aria-current="step"]')).to_have_text("4")
    screenshot(page, "practice-attempt-light-1280")

    # A reload resumes the same attempt: questions, their options' order, answers, flags.
    page.reload()
    expect(page.locator(".practice-attempt")).to_be_visible()
    expect(page.locator(".practice-position")).to_have_text("Question 4 of 5")
    expect(page.locator(".practice-live")).to_have_text("Your attempt is resumed at question 4 of 5.")
    assert drawn(page) == order and option_order(page) == options
    assert map_labels(page)[:3] == [
        "Question 1: has an answer", "Question 2: has an answer, flagged for review",
        "Question 3: no answer yet, flagged for review"]
    page.get_by_role("button", name="Question 1: has an answer").click()
    for option_id in options[order[0]]:
        box = shown(page).locator(f'input[value="{option_id}"]')
        (expect(box).to_be_checked if option_id in first["answer"].split() else expect(box).not_to_be_checked)()

    # Submitting with questions unanswered asks first.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit answers").click()
    assert asked == ["3 questions are not answered. Submit anyway?"]
    expect(page.locator(".practice-attempt")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit answers").click()
    results = page.locator(".practice-results")
    expect(results).to_be_visible()
    expect(page.locator(".practice-results-heading")).to_be_focused()
    expect(page.locator(".practice-score")).to_have_text("Score: 1 right out of 5 (20%).")

    # Per domain, as the data says which domain each question drawn counts toward.
    total_weight = sum(weight for _, _, weight in plan["domains"])
    labels = {d: label for d, label, _ in plan["domains"]}
    weights = {d: weight for d, _, weight in plan["domains"]}
    rows = results.locator(".practice-domain-scores tbody tr")
    expected_rows = []
    for domain_id, _, _ in domains_available(plan, questions):
        asked_here = [parts for parts in order if questions[parts]["domain"] == domain_id]
        if not asked_here:
            continue
        right = sum(1 for parts in asked_here if parts == order[0])
        expected_rows.append([labels.get(domain_id, "In no domain"),
                              f"{round(100 * weights[domain_id] / total_weight)}%"
                              if domain_id else "only to fill up",
                              f"{right} of {len(asked_here)}",
                              f"{round(100 * right / len(asked_here))}%"])
    assert [row.locator("th, td").all_inner_texts() for row in rows.all()] == expected_rows

    # Each question with the answer given, the right one, the explanation and the section.
    items = results.locator(".practice-review-list > .practice-question")
    expect(items).to_have_count(5)
    for index, (parts, item) in enumerate(zip(order, items.all())):
        question = questions[parts]
        assert (item.get_attribute("data-topic"), item.get_attribute("data-block"),
                item.get_attribute("data-question")) == parts
        answer = letters(options[parts], question["answer"].split())
        verdict = item.locator(".practice-verdict")
        if index == 0:
            expect(verdict).to_have_text(f"✓ Right: {answer}.")
            expect(item).to_have_class(re.compile(r"\bis-right\b"))
        elif index == 1:
            chosen = letters(options[parts], wrong_ids(question)[:int(question["choose"])])
            expect(verdict).to_have_text(f"✗ Not right: you chose {chosen}; the answer is {answer}.")
        else:
            expect(verdict).to_have_text(f"✗ Not answered; the answer is {answer}.")
            expect(item).to_have_class(re.compile(r"\bis-wrong\b"))
        expect(item.locator(".practice-explanation p").nth(1)).to_have_text(question["explanation"])
        link = item.locator(".practice-reread a")
        expect(link).to_have_attribute("href", question["reread"])
        for option_id in question["answer"].split():
            expect(item.locator(f'.option[data-option="{option_id}"]')).to_have_class(
                re.compile(r"\bis-answer\b"))
        expect(item.locator("input:enabled")).to_have_count(0)
    screenshot(page, "practice-results-light-1280")

    # The attempt is over, and listed among the past ones.
    assert page.evaluate(f"localStorage.getItem({json.dumps(ATTEMPT_KEY)})") is None
    history = page.locator(".practice-history-table tbody tr")
    page.reload()
    expect(page.locator(".practice-setup")).to_be_visible()
    expect(history).to_have_count(1)
    cells = history.first.locator("th, td").all_inner_texts()
    assert cells[1:] == ["5", "1/5 (20%)"] and "2026" in cells[0]
    kept = json.loads(page.evaluate(f"localStorage.getItem({json.dumps(HISTORY_KEY)})"))
    assert [(e["size"], e["right"]) for e in kept] == [(5, 1)]
    # Back to the section a question came from.
    page.goto(server.base_url + first["reread"])
    expect(page.locator(f'#{first["reread"].split("#")[1]}')).to_be_visible()


def test_choose_n_questions_count_only_when_exactly_right(new_page, server, questions, plan):
    page = open_practice(new_page, server.base_url + "practice.html")
    start(page, len(questions))
    order = drawn(page)
    assert sorted(order) == sorted(questions)  # as many as there are: every one
    multiple = [parts for parts in order if int(questions[parts]["choose"]) > 1]
    assert multiple, "the guide has no choose-N question"
    spoiled = {multiple[0]: "one too many"} | ({multiple[1]: "one too few"} if len(multiple) > 1 else {})
    for index, parts in enumerate(order):
        question = questions[parts]
        boxes = shown(page).locator('input[type="checkbox"]')
        expect(boxes).to_have_count(len(question["options"]) if int(question["choose"]) > 1 else 0)
        right = question["answer"].split()
        if spoiled.get(parts) == "one too many":
            choose(page, right + wrong_ids(question)[:1])
        elif spoiled.get(parts) == "one too few":
            choose(page, right[:-1])
        else:
            choose(page, right)
        if index < len(order) - 1:
            page.get_by_role("button", name="Next question").click()
    page.get_by_role("button", name="Submit answers").click()  # all answered: not asked
    total = len(order)
    right = total - len(spoiled)
    expect(page.locator(".practice-score")).to_have_text(
        f"Score: {right} right out of {total} ({round(100 * right / total)}%).")
    for parts in spoiled:
        item = page.locator(f'.practice-review-list > [data-topic="{parts[0]}"][data-block="{parts[1]}"]'
                            f'[data-question="{parts[2]}"]')
        expect(item).to_have_class(re.compile(r"\bis-wrong\b"))
        expect(item.locator(".practice-verdict")).to_have_text(re.compile(r"^✗ Not right: you chose "))


def test_the_countdown_warns_at_five_and_one_minutes_and_submits_at_the_end(new_page, server):
    page = open_practice(new_page, server.base_url + "practice.html")
    start(page, 3, minutes=6)
    clock = page.locator(".practice-clock")
    expect(clock).to_have_text(re.compile(r"^(6:00|5:5\d)$"))
    expect(page.locator(".practice-timer")).to_contain_text("Time left:")
    page.clock.fast_forward("01:01")
    expect(page.locator(".practice-live")).to_have_text("5 minutes left.")
    expect(clock).to_have_text(re.compile(r"^4:5\d$"))
    page.clock.fast_forward("04:00")
    expect(page.locator(".practice-live")).to_have_text("1 minute left.")
    # Closed and opened again once the time is up: submitted as it stood.
    page.goto("about:blank")
    page.clock.fast_forward("02:00")
    page.goto(server.base_url + "practice.html")
    expect(page.locator(".practice-results")).to_be_visible()
    expect(page.locator(".practice-score")).to_have_text(
        "Time is up: your answers were submitted. Score: 0 right out of 3 (0%).")


def test_the_time_limit_follows_the_exam_pace_when_there_is_an_exam(new_page, server, plan):
    page = open_practice(new_page, server.base_url + "practice.html")
    size = page.get_by_label("Number of questions")
    minutes = page.get_by_label("Time limit in minutes")
    timed = page.locator("#practice-timed")
    if plan["questions"]:
        expect(timed).to_be_checked()
        size.fill("10")
        expect(minutes).to_have_value(str(math.ceil(10 * plan["minutes"] / plan["questions"])))
    else:
        expect(timed).not_to_be_checked()
        expect(minutes).to_be_disabled()
        expect(page.locator("#practice-pace")).to_contain_text("no exam pace")
    timed.check()
    minutes.fill("7")
    size.fill("3")
    expect(minutes).to_have_value("7")  # once chosen, it is the reader's


def test_an_attempt_of_questions_the_guide_no_longer_has_is_discarded(new_page, server):
    page = open_practice(new_page, server.base_url + "practice.html")
    start(page, 2)
    page.evaluate(f"""() => {{
        const attempt = JSON.parse(localStorage.getItem({json.dumps(ATTEMPT_KEY)}));
        attempt.questions[0] = ["no-such-topic", "block", "q1"];
        localStorage.setItem({json.dumps(ATTEMPT_KEY)}, JSON.stringify(attempt));
    }}""")
    page.reload()
    expect(page.locator(".practice-setup")).to_be_visible()
    expect(page.locator(".practice-message")).to_have_text(
        "The attempt in progress had questions this guide no longer has, so it was discarded.")


def test_an_attempt_resumes_when_the_site_is_opened_from_its_folder(new_page, pages_site, questions):
    page = open_practice(new_page, (pages_site / "practice.html").as_uri())
    start(page, 3)
    order = drawn(page)
    choose(page, questions[order[0]]["answer"].split())
    page.reload()
    expect(page.locator(".practice-attempt")).to_be_visible()
    assert drawn(page) == order
    assert map_labels(page)[0] == "Question 1: has an answer"


def test_without_javascript_the_page_says_what_it_needs(new_page, server):
    page = new_page(javascript=False)
    page.goto(server.base_url + "practice.html")
    expect(page.locator(".without-script")).to_be_visible()
    expect(page.locator(".practice-setup")).to_be_hidden()
    expect(page.locator(".practice-question").first).to_be_hidden()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_state_has_no_serious_accessibility_violations(new_page, server, questions, scheme,
                                                             width):
    page = open_practice(new_page, server.base_url + "practice.html", width=width,
                         color_scheme=scheme)
    assert serious_violations(page) == []
    start(page, 4, minutes=10)
    order = drawn(page)
    choose(page, questions[order[0]]["answer"].split())
    page.get_by_role("button", name="Flag for review").click()
    page.get_by_role("button", name="Next question").click()
    screenshot(page, f"practice-attempt-{scheme}-{width}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    choose(page, wrong_ids(questions[order[1]])[:int(questions[order[1]]["choose"])])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".practice-results")).to_be_visible()
    screenshot(page, f"practice-results-{scheme}-{width}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="New attempt").click()
    expect(page.locator(".practice-history-table tbody tr")).to_have_count(1)
    screenshot(page, f"practice-setup-{scheme}-{width}")
    assert serious_violations(page) == []
