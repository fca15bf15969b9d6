"""Practice questions (the questions kind) in Chromium: radio buttons or "choose N"
checkboxes, checked on request, scored per section, kept across reloads, reset, by mouse and
by keyboard alone, and readable without JavaScript.

What is right is read from the shipped topic.yaml files, not from the page, so that a page
that marked the wrong option as the answer would fail here.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from source_data import blocks_of_kind, topic_yaml

from .conftest import SHIPPED_TOPICS, contrast, screenshot

AA_NON_TEXT = 3.0


@dataclass(frozen=True)
class Option:
    id: str
    letter: str
    text: str
    note: str


@dataclass(frozen=True)
class Question:
    id: str
    options: tuple[Option, ...]
    answer: tuple[str, ...]
    explanation: str

    @property
    def choose(self) -> int:
        return len(self.answer)

    def letters(self, ids) -> str:
        return ", ".join(o.letter for o in self.options if o.id in ids)

    @property
    def wrong(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.id not in self.answer)


@dataclass(frozen=True)
class Block:
    topic: str
    id: str
    questions: tuple[Question, ...]

    @property
    def url(self) -> str:
        return f"topics/{self.topic}.html"

    def single(self) -> list[Question]:
        return [q for q in self.questions if q.choose == 1]

    def multiple(self) -> list[Question]:
        return [q for q in self.questions if q.choose > 1]


def _question(index: int, item: dict) -> Question:
    options = []
    for position, option in enumerate(item["options"]):
        if isinstance(option, str):
            option = {"id": string.ascii_lowercase[position], "text": option}
        options.append(Option(option["id"], string.ascii_uppercase[position],
                              " ".join(option["text"].split()), option.get("note", "")))
    answer = item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
    return Question(item.get("id", f"q{index}"), tuple(options), tuple(answer),
                    " ".join(item["explanation"].split()))


def question_blocks() -> list[Block]:
    """Every questions block of the shipped guide, as its topic.yaml writes it."""
    return [Block(slug, block["id"], tuple(_question(i, item)
                                           for i, item in enumerate(block["items"], 1)))
            for slug in SHIPPED_TOPICS
            for block in blocks_of_kind(topic_yaml(slug), "questions")]


def block_with_both() -> Block:
    """The first block with two single-answer questions and a "choose N" one; one on a page
    with another self-test section (scenarios or myths) if there is one."""
    blocks = [b for b in question_blocks() if len(b.single()) >= 2 and b.multiple()]
    assert blocks, "the shipped guide has no questions block with both kinds of question"
    return min(blocks, key=lambda b: not any(blocks_of_kind(topic_yaml(b.topic), kind)
                                             for kind in ("scenarios", "myths")))


BLOCK = block_with_both()


def item(page, question: Question):
    return page.locator(f"#{BLOCK.id}--{question.id}")


def option_input(page, question: Question, option_id: str):
    return item(page, question).locator(f'input[value="{option_id}"]')


def score_text(answered: int = 0, right: int = 0) -> str:
    total = len(BLOCK.questions)
    total = f"{total} question{'' if total == 1 else 's'} in this section"
    if not answered:
        return f"Score: nothing answered yet ({total})."
    return f"Score: {right} right out of {answered} answered ({total})."


def right_verdict(question: Question, chosen) -> re.Pattern:
    return re.compile(f"^✓ Right: {re.escape(question.letters(chosen))}\\.$")


def wrong_verdict(question: Question, chosen) -> re.Pattern:
    return re.compile(f"^✗ Not quite: you chose {re.escape(question.letters(chosen))}; "
                      f"the answer is {re.escape(question.letters(question.answer))}\\.$")


def open_block(new_page, server, **options):
    page = new_page(**options)
    page.goto(server.base_url + BLOCK.url)
    section = page.locator(f"#{BLOCK.id}")
    expect(section.locator(".quiz-score-text")).to_have_text(score_text())
    return page, section


def check(page, question: Question, chosen) -> None:
    for option_id in chosen:
        option_input(page, question, option_id).check()
    item(page, question).get_by_role("button", name="Check answer").click()


def expect_unanswered(page, question: Question) -> None:
    element = item(page, question)
    expect(element).to_have_class(re.compile(r"\bquiz-pending\b"))
    expect(element.get_by_role("button", name="Check answer")).to_be_visible()
    expect(element.locator("details.answer")).to_be_hidden()  # no peeking before checking
    for option in question.options:
        expect(option_input(page, question, option.id)).to_be_enabled()
    expect(element.locator(".option-note")).to_have_count(
        sum(1 for o in question.options if o.note))
    for note in element.locator(".option-note").all():
        expect(note).to_be_hidden()
    expect(element.locator(".option-mark")).to_have_count(0)
    # The verdict's live region is in the page, empty, before there is anything to say: one
    # that appears together with its text is not announced.
    feedback = element.locator(".quiz-feedback")
    expect(feedback).to_have_attribute("aria-live", "polite")
    assert feedback.evaluate("e => !e.hidden && getComputedStyle(e).display !== 'none'")


def expect_answered(page, question: Question, chosen) -> None:
    """Checked: the verdict, the options locked and marked in words, notes and answer shown."""
    element = item(page, question)
    right = set(chosen) == set(question.answer)
    expect(element.locator(".quiz-feedback")).to_have_text(
        right_verdict(question, chosen) if right else wrong_verdict(question, chosen))
    expect(element).to_have_class(re.compile(r"\bquiz-right\b" if right else r"\bquiz-wrong\b"))
    expect(element.get_by_role("button", name="Check answer")).to_be_hidden()
    for option in question.options:
        box = option_input(page, question, option.id)
        expect(box).to_be_disabled()
        (expect(box).to_be_checked if option.id in chosen else expect(box).not_to_be_checked)()
        row = element.locator(f'.option[data-option="{option.id}"]')
        mark = row.locator(".option-mark")
        if option.id in question.answer:
            expect(row).to_have_class(re.compile(r"\bis-answer\b"))
            expect(mark).to_have_text("your choice, right" if option.id in chosen else "right answer")
        elif option.id in chosen:
            expect(row).to_have_class(re.compile(r"\bis-wrong-choice\b"))
            expect(mark).to_have_text("your choice, not right")
        else:
            expect(mark).to_have_count(0)
        # The mark is part of the option's name, so a screen reader says it with the option.
        if option.id in question.answer or option.id in chosen:
            expect(box).to_have_accessible_name(re.compile(re.escape(mark.inner_text()) + "$"))
        if option.note:
            expect(row.locator(".option-note")).to_have_text(option.note)
            expect(row.locator(".option-note")).to_be_visible()
    answer = element.locator("details.answer")
    expect(answer).to_have_attribute("open", "")
    expect(answer.locator("p").first).to_have_text(
        f"{question.letters(question.answer)} — {question.explanation}")
    # The notes show beside their options; the answer does not list them a second time.
    expect(answer.locator(".option-notes")).to_be_hidden()


def test_single_answer_questions_are_checked_and_scored_right_and_wrong(new_page, server):
    page, section = open_block(new_page, server)
    first, second = BLOCK.single()[:2]
    for question in BLOCK.questions:
        expect_unanswered(page, question)
    score = section.locator(".quiz-score-text")

    # Checking before choosing says so and counts nothing.
    item(page, first).get_by_role("button", name="Check answer").click()
    expect(item(page, first).locator(".quiz-feedback")).to_have_text("Choose an option first.")
    expect_unanswered(page, first)
    expect(score).to_have_text(score_text())

    check(page, first, first.answer)
    expect_answered(page, first, first.answer)
    expect(score).to_have_text(score_text(answered=1, right=1))
    wrong = second.wrong[:1]
    check(page, second, wrong)
    expect_answered(page, second, wrong)
    expect(score).to_have_text(score_text(answered=2, right=1))
    assert section.locator(".quiz-progress").evaluate("p => [p.value, p.max]") == \
        [2, len(BLOCK.questions)]
    expect(section.get_by_role("button", name="Reset my answers")).to_be_enabled()
    for question in BLOCK.questions:
        if question not in (first, second):
            expect_unanswered(page, question)
    screenshot(section, f"questions-answered-{BLOCK.topic}")


def test_a_choose_n_question_wants_n_choices_and_is_right_with_the_right_ones(new_page, server):
    page, section = open_block(new_page, server)
    question = BLOCK.multiple()[0]
    element = item(page, question)
    boxes = element.locator('input[type="checkbox"]')
    expect(boxes).to_have_count(len(question.options))
    expect(element.locator('input[type="radio"]')).to_have_count(0)

    check(page, question, question.answer[:1])
    n = question.choose
    expect(element.locator(".quiz-feedback")).to_have_text(f"Choose {n} options (you chose 1).")
    expect_unanswered(page, question)
    expect(option_input(page, question, question.answer[0])).to_be_checked()  # kept ticked
    expect(section.locator(".quiz-score-text")).to_have_text(score_text())

    check(page, question, question.answer[1:])
    expect_answered(page, question, question.answer)
    expect(section.locator(".quiz-score-text")).to_have_text(score_text(answered=1, right=1))


def test_checked_answers_are_kept_over_a_reload_and_reset_clears_them_and_the_inputs(
        new_page, server):
    page, section = open_block(new_page, server)
    single, multiple = BLOCK.single()[0], BLOCK.multiple()[0]
    half_right = (multiple.answer[0], multiple.wrong[0])
    # Another section of the same page keeps its own score through this section's reset.
    others = page.locator(f".quiz-score:not(#{BLOCK.id} .quiz-score)")
    other_item = page.locator(f".quiz-item:not(#{BLOCK.id} .quiz-item):has(.quiz-choice)").first
    if other_item.count():
        other_item.locator(".quiz-choice").first.click()
        expect(other_item.locator(".quiz-feedback")).not_to_be_empty()
    other_scores = others.locator(".quiz-score-text").all_inner_texts()

    check(page, single, single.answer)
    check(page, multiple, half_right)
    expected = score_text(answered=2, right=1)
    expect(section.locator(".quiz-score-text")).to_have_text(expected)

    page.reload()
    expect(section.locator(".quiz-score-text")).to_have_text(expected)
    expect_answered(page, single, single.answer)
    expect_answered(page, multiple, half_right)

    section.get_by_role("button", name="Reset my answers").click()
    expect(section.locator(".quiz-score-text")).to_have_text(score_text())
    for question in BLOCK.questions:
        expect_unanswered(page, question)
        expect(item(page, question).locator(".quiz-feedback")).to_be_empty()
        for option in question.options:
            expect(option_input(page, question, option.id)).not_to_be_checked()
    first = BLOCK.questions[0]
    expect(option_input(page, first, first.options[0].id)).to_be_focused()
    expect(section.get_by_role("button", name="Reset my answers")).to_be_disabled()
    assert others.locator(".quiz-score-text").all_inner_texts() == other_scores

    page.reload()
    expect(section.locator(".quiz-score-text")).to_have_text(score_text())
    for question in (single, multiple):
        expect_unanswered(page, question)
        for option in question.options:
            expect(option_input(page, question, option.id)).not_to_be_checked()
    assert others.locator(".quiz-score-text").all_inner_texts() == other_scores


def focused(page) -> dict:
    """What has the focus, and whether a focus ring shows on it."""
    return page.evaluate("""() => {
        const e = document.activeElement, style = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), type: e.type || "", value: e.value || "",
                text: e.innerText || "", id: e.id,
                question: e.closest(".question")?.id || "",
                ring: e.matches(":focus-visible") && style.outlineStyle !== "none"
                      && parseFloat(style.outlineWidth) >= 2};
    }""")


def tab(page, key: str = "Tab") -> dict:
    page.keyboard.press(key)
    now = focused(page)
    assert now["ring"], f"no visible focus on {now}"
    return now


def tab_until(page, wanted, key: str = "Tab", limit: int = 80) -> dict:
    for _ in range(limit):
        now = tab(page, key)
        if wanted(now):
            return now
    raise AssertionError(f"{key} never reached the element wanted")


def test_questions_can_be_answered_and_reset_by_keyboard_alone(new_page, server):
    page = new_page()
    page.goto(server.base_url + BLOCK.url + f"#{BLOCK.id}")  # as the contents link does
    section = page.locator(f"#{BLOCK.id}")
    single, multiple = BLOCK.single()[0], BLOCK.multiple()[0]
    single_id, multiple_id = f"{BLOCK.id}--{single.id}", f"{BLOCK.id}--{multiple.id}"

    # A group of radio buttons is one stop for Tab; Space chooses, the arrow keys move.
    now = tab_until(page, lambda f: f["question"] == single_id)
    assert now["type"] == "radio" and now["value"] == single.options[0].id
    page.keyboard.press("Space")
    right = [o.id for o in single.options].index(single.answer[0])
    for _ in range(right):
        page.keyboard.press("ArrowDown")
    expect(option_input(page, single, single.answer[0])).to_be_checked()
    expect(option_input(page, single, single.answer[0])).to_be_focused()
    now = tab(page)
    assert now["tag"] == "button" and now["text"] == "Check answer"
    page.keyboard.press("Enter")
    expect_answered(page, single, single.answer)
    # The verdict takes the focus (its button is gone), so it is read out; Tab goes on to the
    # answer's explanation.
    feedback = item(page, single).locator(".quiz-feedback")
    expect(feedback).to_be_focused()
    assert focused(page)["ring"]
    now = tab(page)
    assert now["tag"] == "summary" and now["question"] == single_id

    # Checkboxes are a stop each; "Check answer" with too few ticked keeps the focus there.
    now = tab_until(page, lambda f: f["question"] == multiple_id)
    assert now["type"] == "checkbox" and now["value"] == multiple.options[0].id
    ids = [o.id for o in multiple.options]
    for index, option_id in enumerate(ids):
        if index:
            assert tab(page)["value"] == option_id
        if option_id == multiple.answer[0]:
            page.keyboard.press("Space")
    now = tab(page)
    assert now["text"] == "Check answer"
    page.keyboard.press("Space")
    expect(item(page, multiple).locator(".quiz-feedback")).to_have_text(
        f"Choose {multiple.choose} options (you chose 1).")
    assert focused(page)["text"] == "Check answer"
    for option_id in multiple.answer[1:]:
        back = len(ids) - ids.index(option_id)
        for _ in range(back):
            tab(page, "Shift+Tab")
        assert focused(page)["value"] == option_id
        page.keyboard.press("Space")
        for _ in range(back):
            tab(page)
    page.keyboard.press("Enter")
    expect_answered(page, multiple, multiple.answer)
    expect(item(page, multiple).locator(".quiz-feedback")).to_be_focused()
    expect(section.locator(".quiz-score-text")).to_have_text(score_text(answered=2, right=2))

    # Back up to the section's reset button, and press it.
    tab_until(page, lambda f: f["text"] == "Reset my answers"
              and section.locator(".quiz-reset").evaluate("b => b === document.activeElement"),
              key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(section.locator(".quiz-score-text")).to_have_text(score_text())
    first = BLOCK.questions[0]
    expect(option_input(page, first, first.options[0].id)).to_be_focused()
    assert focused(page)["ring"]
    for question in (single, multiple):
        expect_unanswered(page, question)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_right_and_wrong_options_stand_out_in_both_schemes(new_page, server, scheme):
    """The outlines that mark the answer and a wrong choice contrast with the page
    (WCAG 1.4.11), besides the words that say the same."""
    page, _ = open_block(new_page, server, color_scheme=scheme)
    question = BLOCK.single()[0]
    check(page, question, question.wrong[:1])
    for selector in (".option.is-answer", ".option.is-wrong-choice"):
        ring, background = item(page, question).locator(selector).evaluate("""e => {
            let under = e;
            while (under && getComputedStyle(under).backgroundColor === "rgba(0, 0, 0, 0)")
                under = under.parentElement;
            return [getComputedStyle(e).boxShadow.match(/rgba?\\([^)]*\\)/)[0],
                    getComputedStyle(under || document.body).backgroundColor];
        }""")
        assert contrast(ring, background) >= AA_NON_TEXT, f"{selector}: {ring} on {background}"


def test_without_javascript_questions_show_the_answer_on_request(new_page, server):
    page = new_page(javascript=False)
    page.goto(server.base_url + BLOCK.url)
    section = page.locator(f"#{BLOCK.id}")
    expect(section.locator(".quiz-score")).to_be_hidden()
    expect(section.get_by_role("button")).to_have_count(0)  # no "Check answer", no reset
    for question in (BLOCK.single()[0], BLOCK.multiple()[0]):
        element = item(page, question)
        expect(element.locator(".quiz-feedback")).to_be_hidden()
        # The options are still there to choose, as on paper.
        option_input(page, question, question.wrong[0]).check()
        expect(option_input(page, question, question.wrong[0])).to_be_checked()
        answer = element.locator("details.answer")
        explanation = answer.locator("p").first
        expect(explanation).to_be_hidden()
        answer.get_by_text("Show the answer").click()
        expect(explanation).to_have_text(
            f"{question.letters(question.answer)} — {question.explanation}")
        expect(explanation).to_be_visible()
        notes = [o for o in question.options if o.note]
        # Without the script the option notes are listed in the answer instead.
        if notes:
            expect(answer.locator(".option-notes li")).to_have_text(
                [f"{o.letter}. {o.note}" for o in notes])
        for note in element.locator(".option .option-note").all():
            expect(note).to_be_hidden()
    screenshot(page, f"questions-no-javascript-{BLOCK.topic}")
