"""The content checks follow the content: an author's valid edit keeps them green, and an
output that differs from the data turns them red.

On a copy of the shipped content with a topic added (made from the fixture guide) and a
table cell edited, every check passes. Then the data is changed after the build, so the
output no longer equals it: the check of that output must fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from content_checks import (TOPIC_CHECKS, cards_of, check_card, check_deck, check_questions,
                            check_table_diagrams, check_tables, topics_of)
from sitegen.pipeline import BuildConfig, build
from source_data import CONTENT, read_yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TOPIC = ROOT / "tests" / "fixtures" / "layered" / "topics" / "layered"
ADDED = "added-from-fixture"


def read(path: Path) -> dict:
    return read_yaml(path)


def write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def first_text_cell(topic: dict) -> tuple[dict, str] | None:
    """The row and column id of the last text cell of the first row of a table, if any."""
    for block in topic["blocks"]:
        if block["kind"] == "table":
            rows = block.get("rows") or block["groups"][0]["rows"]
            text_columns = [c["id"] for c in block["columns"]
                            if "id" in c and c.get("type", "text") == "text"]
            if text_columns:
                return rows[0], text_columns[-1]
    return None


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> tuple[Path, Path]:
    """(content, output): the shipped content with a topic added and a cell edited, built."""
    root = tmp_path_factory.mktemp("edited")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    added = content / "topics" / ADDED
    shutil.copytree(FIXTURE_TOPIC, added)
    topic = read(added / "topic.yaml")
    for block in topic["blocks"]:  # the fixture's tags name its own shared set
        for item in block.get("items", []):
            if isinstance(item, dict):
                item.pop("tags", None)
    write(added / "topic.yaml", topic)
    site = read(content / "site.yaml")
    site["topics"].append(ADDED)
    fixture_card = read(FIXTURE_TOPIC.parent.parent / "site.yaml")["cards"][0]
    site.setdefault("cards", []).append({**fixture_card, "topic": ADDED})
    write(content / "site.yaml", site)
    for slug in topics_of(content)[:1]:  # an edited cell of a shipped topic
        path = content / "topics" / slug / "topic.yaml"
        shipped = read(path)
        found = first_text_cell(shipped)
        if found:
            row, column = found
            row[column] = f"{row[column]} (edited)"
            write(path, shipped)
    out = root / "output"
    build(BuildConfig(content, ROOT / "templates", out))
    return content, out


def test_every_check_passes_on_a_guide_with_a_topic_added_and_a_cell_edited(edited):
    content, out = edited
    assert ADDED in topics_of(content)
    for slug in topics_of(content):
        for check in TOPIC_CHECKS:
            check(out, content, slug)
    for card in cards_of(content):
        check_card(out, content, card)


def changed_copy(content: Path, tmp_path: Path, change) -> Path:
    """A copy of content with the added topic's data changed by change(topic)."""
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    path = copy / "topics" / ADDED / "topic.yaml"
    topic = read(path)
    change(topic)
    write(path, topic)
    return copy


def block(topic: dict, block_id: str) -> dict:
    return next(b for b in topic["blocks"] if b["id"] == block_id)


def flip_a_cell(topic: dict) -> None:
    row = block(topic, "responsibility-matrix")["groups"][0]["rows"][0]
    row["saas"] = "aws" if row["saas"] == "customer" else "customer"


def change_a_text_cell(topic: dict) -> None:
    block(topic, "of-vs-in")["rows"][1]["aws"] = "Something else entirely"


def change_an_option(topic: dict) -> None:
    block(topic, "practice-questions")["items"][0]["options"][1] = "Someone else"


def move_the_answer(topic: dict) -> None:
    block(topic, "practice-questions")["items"][0]["answer"] = "a"


def reword_a_term(topic: dict) -> None:
    block(topic, "why-it-matters")["groups"][0]["items"][0]["definition"] = "Something else"


def answer_a_scenario_otherwise(topic: dict) -> None:
    item = block(topic, "exam-scenarios")["items"][0]
    item["answer"] = "aws" if item["answer"] == "customer" else "customer"


@pytest.mark.parametrize("change, check", [
    (flip_a_cell, check_tables), (flip_a_cell, check_table_diagrams),
    (change_a_text_cell, check_tables), (change_an_option, check_questions),
    (move_the_answer, check_questions), (change_an_option, check_deck),
    (move_the_answer, check_deck), (reword_a_term, check_deck),
    (answer_a_scenario_otherwise, check_deck),
], ids=["set-cell-table", "set-cell-diagram", "text-cell-table", "option", "answer",
        "deck-option", "deck-answer", "deck-term", "deck-scenario"])
def test_a_page_that_differs_from_the_data_fails_its_check(edited, tmp_path, change, check):
    content, out = edited
    copy = changed_copy(content, tmp_path, change)
    with pytest.raises(AssertionError):
        check(out, copy, ADDED)
    check(out, content, ADDED)  # and the same check passes against the data it was built from


def test_a_card_that_differs_from_the_data_fails_its_check(edited, tmp_path):
    content, out = edited
    copy = changed_copy(content, tmp_path, change_a_text_cell)  # of-vs-in is on the card
    (card,) = [c for c in cards_of(copy) if c["topic"] == ADDED]
    with pytest.raises(AssertionError):
        check_card(out, copy, card)
    check_card(out, content, card)
