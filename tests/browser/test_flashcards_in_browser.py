"""Flashcards in Chromium: a review session driven by the keyboard alone, scheduled by FSRS,
kept over a reload, exported to a file, reset, imported back, and a damaged file refused
with nothing changed; over the local server and from the folder (file://), without
JavaScript, and checked by axe in both themes.

What each card says is read from the YAML (test_study_pages.expected_notes), so a page that
showed one note's answer with another's prompt would fail here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from test_study_pages import expected_notes

from .conftest import screenshot
from .test_accessibility import serious_violations

NOW = datetime(2026, 3, 2, 12, 0)  # the clock of every test: intervals and days are then fixed
NEW_PER_DAY = 20
KEY = "sitegen-flashcards:/REPO/"


@pytest.fixture(scope="module")
def notes(pages_site) -> list[dict]:
    """Every note of the built guide, in page order."""
    from source_data import site_yaml

    content = pages_site.parent / "content"
    return [note for slug in site_yaml(content)["topics"] for note in expected_notes(slug, content)]


def open_flashcards(new_page, url: str, **options):
    page = new_page(**options)
    page.clock.install(time=NOW)
    page.goto(url)
    expect(page.locator(".review")).to_be_visible()
    return page


def counts(page) -> tuple[int, int, int]:
    return tuple(int(page.locator(f".count-{name}").inner_text())
                 for name in ("due", "new", "done"))


def front(page) -> str:
    return " ".join(page.locator(".review-front .note-prompt").inner_text().split())


def expect_front(page, note: dict) -> None:
    expect(page.locator(".review-front .note-prompt")).to_have_text(
        re.compile("^" + re.escape(note["front"])))
    assert front(page).startswith(note["front"])
    options = page.locator(".review-front .note-options li")
    expect(options).to_have_count(len(note["options"]))
    expect(page.locator(".review-back")).to_be_hidden()
    expect(page.locator(".review-grades")).to_be_hidden()


def expect_back(page, note: dict) -> None:
    expect(page.locator(".review-back")).to_be_visible()
    expect(page.locator(".review-back .note-back")).to_have_text(note["back"])
    if note["extra"]:
        expect(page.locator(".review-back .note-extra")).to_have_text(note["extra"])
    link = page.locator(".review-back .note-link a")
    expect(link).to_have_text("Read it again in its topic")
    topic, block, _ = note["parts"]
    assert link.get_attribute("href") == f"topics/{topic}.html#{block}"
    expect(page.locator(".review-grades")).to_be_visible()
    expect(page.locator(".review-back")).to_be_focused()
    expect(page.locator(".review-live")).to_have_text(
        "Answer shown. Grade it: 1 Again, 2 Hard, 3 Good, 4 Easy.")


def grade_by_key(page, key: str, name: str) -> str:
    """Presses a grade's key; returns when the card is due again, as its button said."""
    interval = page.locator(f'.review-grades button[data-rating="{key}"] .review-interval').inner_text()
    assert interval.startswith("in ")
    page.keyboard.press(key)
    expect(page.locator(".review-live")).to_have_text(f"{name}: due again {interval}.")
    return interval


def stored(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem({json.dumps(KEY)})"))


def review_three(page, notes) -> None:
    """The first three cards, graded Good, Easy and Again, by keyboard alone."""
    total = min(NEW_PER_DAY, len(notes))
    assert counts(page) == (0, total, 0)
    expect_front(page, notes[0])
    page.keyboard.press("Space")
    expect_back(page, notes[0])
    assert grade_by_key(page, "3", "Good") == "in 10 minutes"
    expect_front(page, notes[1])
    expect(page.locator(".review-front")).to_be_focused()
    assert counts(page) == (0, total - 1, 1)
    page.keyboard.press("Enter")
    expect_back(page, notes[1])
    assert re.fullmatch(r"in \d+ days", grade_by_key(page, "4", "Easy"))
    page.keyboard.press("Space")
    expect_back(page, notes[2])
    assert grade_by_key(page, "1", "Again") == "in 1 minute"
    expect_front(page, notes[3])
    assert counts(page) == (0, total - 3, 3)


def test_cards_are_reviewed_by_keyboard_alone_and_kept_over_a_reload(new_page, server, notes):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    review_three(page, notes)
    screenshot(page, "flashcards-review-light-1280")
    kept = stored(page)
    assert kept["format"] == "sitegen-flashcards" and kept["version"] == 1
    assert sorted(tuple(card["note"]) for card in kept["cards"]) == sorted(
        note["parts"] for note in notes[:3])
    by_note = {tuple(card["note"]): card for card in kept["cards"]}
    good, easy, again = (by_note[note["parts"]] for note in notes[:3])
    assert again["due"] < good["due"] < easy["due"]
    assert all(card["last_review"].startswith("2026-03-02") for card in (good, easy, again))
    assert kept["new_today"] == {"day": "2026-03-02", "count": 3}

    page.reload()
    expect(page.locator(".review")).to_be_visible()
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)) - 3, 3)
    expect_front(page, notes[3])
    # Two minutes on, the card graded Again is due, and due cards come before new ones.
    page.clock.fast_forward("02:00")
    page.reload()
    expect_front(page, notes[2])
    assert counts(page)[0] == 1


def test_the_new_cards_of_a_day_are_limited_and_the_next_due_time_is_told(new_page, server, notes):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    # Twenty new cards graded Easy: then nothing is due today.
    for _ in range(min(NEW_PER_DAY, len(notes))):
        page.keyboard.press("Space")
        expect(page.locator(".review-grades")).to_be_visible()
        page.keyboard.press("4")
    expect(page.locator(".review-card")).to_be_hidden()
    empty = page.locator(".review-empty")
    expect(empty).to_be_visible()
    expect(empty).to_be_focused()
    text = empty.inner_text()
    if len(notes) > NEW_PER_DAY:
        assert text.startswith(f"You have seen today's {NEW_PER_DAY} new cards; more tomorrow. ")
    assert re.search(r"Nothing is due now\. The next card is due in \d+ days \(.+\)\.$", text)
    assert counts(page) == (0, 0, min(NEW_PER_DAY, len(notes)))
    screenshot(page, "flashcards-nothing-due-light-1280")


def export(page, tmp_path, name: str):
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    path = tmp_path / name
    download.value.save_as(path)
    assert re.fullmatch(r"flashcards-progress-2026-03-02\.json", download.value.suggested_filename)
    expect(page.locator(".progress-message")).to_have_text(
        f"Progress saved as {download.value.suggested_filename}.")
    return path


def import_file(page, path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import progress").click()
    chooser.value.set_files(str(path))


def test_progress_is_exported_reset_and_imported_back(new_page, server, notes, tmp_path):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    review_three(page, notes)
    before = stored(page)
    path = export(page, tmp_path, "progress.json")
    assert json.loads(path.read_text(encoding="utf-8")) == before

    page.once("dialog", lambda dialog: dialog.dismiss())  # asked first: nothing happens
    page.get_by_role("button", name="Reset progress").click()
    assert stored(page) == before
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset progress").click()
    expect(page.locator(".progress-message")).to_have_text("Progress reset: every card is new again.")
    assert page.evaluate(f"localStorage.getItem({json.dumps(KEY)})") is None
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)), 0)
    expect_front(page, notes[0])

    import_file(page, path)
    expect(page.locator(".progress-message")).to_have_text("Progress imported: 3 cards of this guide.")
    assert stored(page) == before
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)) - 3, 3)
    expect_front(page, notes[3])
    page.reload()
    assert stored(page) == before
    expect_front(page, notes[3])


def damaged(progress: dict) -> dict[str, tuple[str, str]]:
    """Damaged copies of a progress file, as text, each with the reason it is refused."""
    def changed(change) -> str:
        copy = json.loads(json.dumps(progress))
        change(copy)
        return json.dumps(copy)

    def set_in_card(field, value):
        return lambda copy: copy["cards"][0].__setitem__(field, value)

    return {
        "not JSON": ('{"format": "sitegen-flashcards", "version": 1, "cards": [', "it is not a JSON file"),
        "another file": (json.dumps({"name": "something else"}),
                         "it is not a file of flashcards progress"),
        "newer version": (changed(lambda c: c.__setitem__("version", 2)),
                          "it is of version 2, and this page reads version 1"),
        "unknown field": (changed(lambda c: c.__setitem__("extra", True)),
                          "its parts are not those of a progress file"),
        "bad date": (changed(set_in_card("due", "2026-02-30T09:00:00.000Z")),
                     "its entry number 1 has a wrong “due”"),
        "text for a number": (changed(set_in_card("reps", "1")),
                              "its entry number 1 has a wrong “reps”"),
        "negative number": (changed(set_in_card("stability", -1)),
                            "its entry number 1 has a wrong “stability”"),
        "no such state": (changed(set_in_card("state", 7)), "its entry number 1 has a wrong “state”"),
        "note of two parts": (changed(set_in_card("note", ["a", "b"])),
                              "its entry number 1 has a wrong “note”"),
        "a card twice": (changed(lambda c: c["cards"].append(dict(c["cards"][0]))),
                         f"its entry number {len(progress['cards']) + 1} has a wrong “note”"),
    }


def test_a_damaged_file_is_refused_with_its_reason_and_nothing_changes(new_page, server, notes,
                                                                       tmp_path):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    review_three(page, notes)
    before, shown = stored(page), counts(page)
    for case, (text, reason) in damaged(before).items():
        path = tmp_path / f"{case.replace(' ', '-')}.json"
        path.write_text(text, encoding="utf-8")
        import_file(page, path)
        message = page.locator(".progress-message")
        expect(message).to_have_text(f"Nothing was imported: {reason}. Your progress is as it was.")
        expect(message).to_have_class(re.compile(r"\bis-problem\b"))
        assert stored(page) == before, case
        assert counts(page) == shown, case
        expect_front(page, notes[3])
    screenshot(page, "flashcards-import-refused-light-1280")


def test_progress_of_notes_this_guide_lacks_is_kept_unused(new_page, server, notes, tmp_path):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    review_three(page, notes)
    progress = stored(page)
    foreign = dict(progress["cards"][0], note=["no-such-topic", "block", "item"])
    progress["cards"].append(foreign)
    path = tmp_path / "more.json"
    path.write_text(json.dumps(progress), encoding="utf-8")
    import_file(page, path)
    expect(page.locator(".progress-message")).to_have_text(
        "Progress imported: 3 cards of this guide. 1 more is of a card this guide does not "
        "have: it is kept, unused.")
    assert ["no-such-topic", "block", "item"] in [card["note"] for card in stored(page)["cards"]]
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)) - 3, 3)


def test_each_site_keeps_its_own_progress(new_page, server, notes):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    review_three(page, notes)
    progress = stored(page)
    page.evaluate("""([mine, other]) => {
        localStorage.setItem(other, localStorage.getItem(mine));
        localStorage.removeItem(mine);
    }""", [KEY, "sitegen-flashcards:/OTHER/"])
    page.reload()
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)), 0)
    assert progress["cards"]


def test_a_topic_is_chosen_from_its_page_and_by_the_chooser(new_page, server, notes):
    slug = notes[-1]["parts"][0]
    own = [note for note in notes if note["parts"][0] == slug]
    page = new_page()
    page.clock.install(time=NOW)
    page.goto(server.base_url + f"topics/{slug}.html")
    page.get_by_role("link", name="Flashcards for this topic").click()
    expect(page).to_have_url(re.compile(rf"flashcards\.html#topic={slug}$"))
    expect(page.locator("#review-topic")).to_have_value(slug)
    assert counts(page) == (0, min(NEW_PER_DAY, len(own)), 0)
    expect_front(page, own[0])
    title = page.locator(f'#review-topic option[value="{slug}"]').inner_text()
    expect(page.locator(".review-where")).to_have_text(re.compile(re.escape(title) + "$"))
    page.locator("#review-topic").select_option("")
    expect(page).to_have_url(re.compile(r"flashcards\.html$"))
    expect_front(page, notes[0])
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)), 0)


def test_review_works_when_the_site_is_opened_from_its_folder(new_page, pages_site, notes):
    page = open_flashcards(new_page, (pages_site / "flashcards.html").as_uri())
    page.keyboard.press("Space")
    expect_back(page, notes[0])
    page.keyboard.press("3")
    expect_front(page, notes[1])
    page.reload()
    assert counts(page)[2] == 1
    expect_front(page, notes[1])


def test_without_javascript_every_card_is_listed_with_its_answer_on_request(new_page, server,
                                                                            notes):
    page = new_page(javascript=False)
    page.goto(server.base_url + "flashcards.html")
    expect(page.locator(".review")).to_be_hidden()
    expect(page.locator(".without-script")).to_be_visible()
    cards = page.locator(".note-list li.note")
    expect(cards).to_have_count(len(notes))
    first = cards.first
    expect(first.locator(".note-back")).to_be_hidden()
    first.get_by_text("Show the answer").click()
    expect(first.locator(".note-back")).to_have_text(notes[0]["back"])
    screenshot(page, "flashcards-no-javascript-light-1280", full_page=False)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_review_has_no_serious_accessibility_violations(new_page, server, notes, scheme, width):
    page = open_flashcards(new_page, server.base_url + "flashcards.html", width=width,
                           color_scheme=scheme)
    assert serious_violations(page) == []
    page.keyboard.press("Space")
    expect_back(page, notes[0])
    screenshot(page, f"flashcards-answer-{scheme}-{width}")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_unreadable_kept_progress_is_said_and_the_review_starts_afresh(new_page, server, notes):
    page = open_flashcards(new_page, server.base_url + "flashcards.html")
    page.evaluate(f"localStorage.setItem({json.dumps(KEY)}, '{{\"format\": \"sitegen-flashcards\"')")
    page.reload()
    expect(page.locator(".progress-message")).to_have_text(
        "The progress kept in this browser could not be read (it is not a JSON file), so the "
        "review starts afresh.")
    assert counts(page) == (0, min(NEW_PER_DAY, len(notes)), 0)
    expect_front(page, notes[0])
