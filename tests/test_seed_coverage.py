"""Nothing of the original source text is lost on its way to the site.

tests/seed/shared-responsibility.md is the topic's source text, repaired from its mis-decoding
(UTF-8 once read as Windows-1252/1254). Every heading, sentence, table row, list item, tip,
scenario and label in it must be found in the built topic page.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

SEED = Path(__file__).parent / "seed" / "shared-responsibility.md"
EMOJI = re.compile(r"[\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F]")


def clean(text: str) -> str:
    text = EMOJI.sub("", text).replace("**", "")
    return " ".join(text.split()).strip()


def seed_parts() -> dict[str, list]:
    """The seed split into what it states, by form."""
    parts: dict[str, list] = {"headings": [], "sentences": [], "rows": [], "items": [],
                              "tips": [], "answers": [], "drawings": []}
    in_code = False
    for line in SEED.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            parts["drawings"].append(line)
        elif not stripped or re.fullmatch(r"\|[-| ]+\|", stripped):
            continue
        elif stripped.startswith("#"):
            parts["headings"].append(clean(stripped.lstrip("#")))
        elif stripped.startswith("|"):
            parts["rows"].append([clean(c).strip('"') for c in stripped.strip("|").split("|")])
        elif stripped.startswith(">"):
            number, tip = re.fullmatch(r"> \*\*(Tip \d+)\*\*: (.*)", stripped).groups()
            parts["tips"].append(f"{number} {clean(tip)}")
        elif stripped.startswith("**Answer**"):
            party, why = re.fullmatch(r"\*\*Answer\*\*: \*\*(\w+)\*\* - (.*)", stripped).groups()
            parts["answers"].append(f"{party} — {clean(why)}")
        elif stripped.startswith("**Question**"):
            parts["items"].append(clean(stripped.split(":", 1)[1]))
        elif re.match(r"(\d+\.|-) ", stripped):
            item = clean(stripped.split(" ", 1)[1])
            # "Term: definition" list items are shown as a term and its definition.
            parts["items"].extend(item.split(": ", 1) if ": " in item else [item])
        else:
            parts["sentences"].append(clean(stripped))
    return parts


@pytest.fixture(scope="module")
def page(built):
    return lxml.html.fromstring((built / "topics" / "shared-responsibility.html").read_bytes())


@pytest.fixture(scope="module")
def page_text(page) -> str:
    return " ".join(page.text_content().split())


def test_the_seed_fixture_is_correctly_decoded():
    text = SEED.read_text(encoding="utf-8")
    assert "🛡️" in text and "🎯" in text and "💡" in text and "┌" in text
    assert not re.search("[âğï]", text)  # no mojibake left


@pytest.mark.parametrize("form", ["headings", "sentences", "items", "tips", "answers"])
def test_every_statement_of_the_seed_is_on_the_page(page_text, form):
    statements = seed_parts()[form]
    assert statements
    assert [s for s in statements if s not in page_text] == []


def test_every_seed_table_row_is_a_row_of_a_page_table(page):
    page_rows = [[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
                 for tr in page.xpath("//table//tr")]
    missing = [row for row in seed_parts()["rows"] if row not in page_rows]
    assert missing == []


def test_the_ascii_matrix_is_the_page_matrix(page):
    drawn = [[clean(c) for c in line.strip().strip("│").split("│")]
             for line in seed_parts()["drawings"] if line.count("│") == 5]
    drawn = [row for row in drawn if row[0] and row[0] not in ("Security Component", "")]
    page_rows = [[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
                 for tr in page.xpath("//table[contains(@class, 'data-table')]//tr")]
    assert len(drawn) == 9
    assert [row for row in drawn if row not in page_rows] == []


def test_every_word_of_the_drawings_is_on_the_page(page_text):
    words = {w for line in seed_parts()["drawings"] for w in re.findall(r"[A-Za-z&]+", line)}
    words -= {"Legend"}  # the legend is a sentence on the page, checked word by word below
    lowered = page_text.casefold()
    assert sorted(w for w in words if w.casefold() not in lowered) == []


def test_quick_guide_items_are_on_the_page(page_text):
    items = [clean(m) for line in seed_parts()["drawings"]
             for m in re.findall(r"[├└]─ ([^├└║]+?)\s{2,}", line + "  ")]
    assert len(items) == 13
    assert [i for i in items if i not in page_text] == []
