"""Cards that fit themselves (type size and column widths), card options, the QR code, and
the tagged PDF/UA structure of the card."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from content_checks import pdf_text
from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildConfig, build
from sitegen.reporting import summary_line

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Inline Markdown too: `code` set smaller than its text would fall under 7 pt once shrunk.
TIPS = [f"An extra tip number {i} that makes the `column` **longer**" for i in range(12)]


def _edit(content: Path, old: str, new: str, name: str = "topics/layered/topic.yaml") -> None:
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_tips(content: Path, tips: list[str]) -> None:
    added = "".join(f"      - {tip}\n" for tip in tips)
    _edit(content, "    items:\n      - Remember the phrase", f"    items:\n{added}      - Remember the phrase")


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_a_card_that_fits_at_the_design_size_takes_one_layout(tmp_path):
    report = build(BuildConfig(Path(__file__).parent / "fixtures" / "layered", TEMPLATES,
                               tmp_path / "out"))
    assert [(path, size) for path, size, _ in report.card_fits] == [
        ("cards/layered-a4.pdf", 8.0), ("cards/layered-letter.pdf", 8.0)]
    assert all(words.endswith(", 1 layout") for _, _, words in report.card_fits)
    assert " 2 cards at 8 pt; " in summary_line(BuildConfig(output_dir=tmp_path / "out"), report)


def test_a_card_too_long_for_the_design_size_shrinks_and_rebalances_until_it_fits(
        content_copy, tmp_path):
    _add_tips(content_copy, TIPS)  # the last column: one page at 8 pt cannot hold it
    config = BuildConfig(content_copy, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache")
    report = build(config)
    fits = {path: (size, words) for path, size, words in report.card_fits}
    for path, (size, words) in fits.items():
        assert _pages(tmp_path / "out" / path) == 1
        assert 7 <= size < 8, (path, words)
        layouts = int(re.search(r"(\d+) layouts", words).group(1))
        assert layouts <= 8 + 2, words
        shares = [int(s) for s in re.search(r"columns ([\d/]+)%", words).group(1).split("/")]
        assert shares[2] > shares[0], words  # the long column was given more width
        text = pdf_text(tmp_path / "out" / path)
        assert all(tip.replace("`", "").replace("**", "") in text for tip in TIPS)
    line = summary_line(config, report)
    sizes = {size for size, _ in fits.values()}
    assert re.search(rf" 2 cards at {max(sizes):g} pt", line), line
    if len(sizes) > 1:
        assert f"layered " in line and f"{min(sizes):g} pt" in line, line
    # Built again from the cache, the summary says the same sizes.
    again = build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out2", cache_dir=tmp_path / "cache"))
    assert [(p, s) for p, s, _ in again.card_fits] == [(p, s) for p, s, _ in report.card_fits]
    assert all(words.endswith("from cache") for _, _, words in again.card_fits)


def test_a_card_that_cannot_fit_even_at_7pt_names_the_column_block_and_mm(content_copy, tmp_path):
    _add_tips(content_copy, TIPS * 4)
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    messages = [str(e) for e in failure.value.errors]
    assert len(messages) == 2, messages
    for message in messages:
        assert re.search(r"column 3 \(exam-tips, misconceptions, key-takeaways\) overflows the "
                         r"page by \d+\.\d mm even at 7 pt in a column 33% wide; cut off: "
                         r"exam-tips", message), message


def test_a_table_too_wide_names_its_widest_word_and_cell(content_copy, tmp_path):
    word = "Supercalifragilisticexpialidocious" * 2
    _edit(content_copy, "Customer cannot modify", f"{word} modify")
    # Every column's width is set, so no width can be moved to the table's.
    _edit(content_copy, "      - [quick-reference, of-vs-in]\n      - [responsibility-matrix, exam-scenarios]\n"
          "      - [exam-tips, misconceptions, key-takeaways]",
          "      - {width: 20%, blocks: [quick-reference, of-vs-in]}\n"
          "      - {width: 40%, blocks: [responsibility-matrix, exam-scenarios]}\n"
          "      - {width: 40%, blocks: [exam-tips, misconceptions, key-takeaways]}", "site.yaml")
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    messages = [str(e) for e in failure.value.errors]
    assert messages and all(re.search(
        rf"block 'of-vs-in' is \d+\.\d mm too wide for its column or page; its widest word is "
        rf"'{word[:20]}.*', in the cell '{word[:20]}", m) for m in messages), messages


CARD_WITH_OPTIONS = """cards:
  - topic: layered
    title: Layered Fixture Card
    remember: owner
    top: [quick-reference]
    columns:
      - {width: 40%, blocks: [responsibility-matrix]}
      - [of-vs-in, {block: exam-tips, items: [1, 3]}]
    bottom: [misconceptions]
    notes:
      - Bring a pencil to the exam room
      - Card-only note number two
"""


def _with_card(content: Path, card: str) -> None:
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text[:text.index("cards:")] + card, encoding="utf-8")


def test_card_options_widths_spans_picked_items_and_notes(content_copy, tmp_path, layered_site):
    _with_card(content_copy, CARD_WITH_OPTIONS)
    report = build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    tips = next(b for b in layered_site.topics[0].blocks if b.id == "exam-tips").items
    for path, size, words in report.card_fits:
        assert size == 8 and "columns 40/60%" in words, words
        text = pdf_text(tmp_path / "out" / path)
        assert "Bring a pencil to the exam room" in text and "Card-only note number two" in text
        assert tips[0] in text and tips[2] in text
        assert tips[1] not in text and tips[3] not in text
        # Reading order: the block on top, the columns, the block at the bottom.
        order = [text.index(t) for t in ("SHARED RESPONSIBILITY QUICK GUIDE",
                                          "THE RESPONSIBILITY MATRIX", "EXAM TIPS",
                                          "COMMON MISCONCEPTIONS")]
        assert order == sorted(order), text


def test_picked_items_of_a_table_by_row_heading_and_of_questions_by_id(content_copy, tmp_path):
    _with_card(content_copy, """cards:
  - topic: layered
    title: Layered Fixture Card
    columns:
      - [{block: responsibility-matrix, items: [Host Infrastructure, 1]}]
""")
    build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    text = pdf_text(tmp_path / "out" / "cards" / "layered-a4.pdf")
    assert "Host Infrastructure" in text and "Data Classification" in text
    assert "Operating System" not in text


def _structure(pdf: Path):
    """The structure elements in order (type, marked-content ids), and where on the page
    each marked content's first text is drawn (x, y downwards)."""
    document = pikepdf.open(pdf)
    root = document.Root
    elements = []

    def walk(node):
        kind = str(node.get("/S", ""))
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        mcids = [int(k) for k in kids if isinstance(k, int)]
        mcids += [int(k.MCID) for k in kids if isinstance(k, pikepdf.Dictionary) and "/MCID" in k]
        elements.append((kind, mcids))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid)

    walk(root.StructTreeRoot)
    positions, current, placed = {}, [], set()
    for operands, operator in pikepdf.parse_content_stream(document.pages[0]):
        name = str(operator)
        if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
            current.append(int(operands[1].MCID))
        elif name in ("BDC", "BMC"):
            current.append(None)
        elif name == "EMC" and current:
            current.pop()
        elif name == "Tm" and current and current[-1] is not None and current[-1] not in placed:
            positions[current[-1]] = (float(operands[4]), float(operands[5]))
            placed.add(current[-1])
    return document, elements, positions


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_cards_are_tagged_pdf_ua_in_column_reading_order(layered_built, paper):
    pdf = layered_built / "cards" / f"layered-{paper}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    document, elements, positions = _structure(pdf)
    root = document.Root
    assert "/StructTreeRoot" in root and bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) == "en"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    kinds = {kind for kind, _ in elements}
    assert {"/H1", "/H2", "/L", "/LI", "/Table", "/TR", "/TH", "/TD"} <= kinds, kinds

    def first_text(index: int):
        """Where the text of the element at index (or of its first element with text) starts."""
        for kind, mcids in elements[index:]:
            found = [positions[i] for i in mcids if i in positions]
            if found:
                return found[0]
        raise AssertionError("no text")

    headings = [first_text(i) for i, (kind, _) in enumerate(elements) if kind == "/H2"]
    # Read in structure order, the block headings go down the first column, then down the
    # second, then the third: x never goes back, and within a column y only grows.
    assert len(headings) == 7
    for before, after in zip(headings, headings[1:]):
        assert after[0] > before[0] + 1 or (abs(after[0] - before[0]) <= 1 and after[1] > before[1]), headings
    title = first_text(next(i for i, (kind, _) in enumerate(elements) if kind == "/H1"))
    assert title[1] < min(y for _, y in headings)  # the header is read first
    columns = sorted({round(x) for x, _ in headings})
    assert len(columns) == 3


def test_a_card_with_a_base_url_carries_the_address_and_a_qr_code_to_its_topic(
        tmp_path, layered_built):
    fixture = Path(__file__).parent / "fixtures" / "layered"
    base = "https://example.github.io/guide/"
    cache = tmp_path / "cache"
    build(BuildConfig(fixture, TEMPLATES, tmp_path / "out", base_url=base, cache_dir=cache))
    card = tmp_path / "out" / "cards" / "layered-a4.pdf"
    text = pdf_text(card)
    assert f"{base}topics/layered.html" in text and "Scan to self-test" in text
    assert _pages(card) == 1
    # The QR code is drawn from the address alone; a phone reads it back, here zbarimg if
    # installed, else the code's own modules are compared with segno's.
    import segno

    expected = segno.make(f"{base}topics/layered.html", error="m", micro=False)
    from sitegen.card import qr_svg

    assert qr_svg(f"{base}topics/layered.html") == expected.svg_inline(
        scale=1, border=0, omitsize=True, dark="#000")
    # Without the base URL the card has neither, and a new base URL is a new card.
    plain = pdf_text(layered_built / "cards" / "layered-a4.pdf")
    assert "Scan to self-test" not in plain and "https://" not in plain
    other = build(BuildConfig(fixture, TEMPLATES, tmp_path / "out2",
                              base_url="https://example.org/", cache_dir=cache))
    assert other.rendered.get("card") == 2
    assert "https://example.org/topics/layered.html" in pdf_text(tmp_path / "out2" / "cards" / "layered-a4.pdf")


def test_a_shrunk_card_has_the_same_bytes_whenever_it_is_made(content_copy, tmp_path):
    _add_tips(content_copy, TIPS)
    made = []
    for run in ("one", "two"):
        build(BuildConfig(content_copy, TEMPLATES, tmp_path / run))
        made.append((tmp_path / run / "cards" / "layered-letter.pdf").read_bytes())
    assert made[0] == made[1]


def test_picked_items_keep_the_numbers_they_have_on_the_page(content_copy, tmp_path):
    _edit(content_copy, "      - [exam-tips, misconceptions, key-takeaways]",
          "      - [{block: exam-tips, items: [2, 4]}, misconceptions, key-takeaways]", "site.yaml")
    build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    text = pdf_text(tmp_path / "out" / "cards" / "layered-a4.pdf")
    assert re.search(r"EXAM TIPS 2\. If you can touch .* 4\. Data encryption and classification "
                     r"is ALWAYS customer responsibility COMMON MISCONCEPTIONS", text), text
    assert not re.search(r"EXAM TIPS.* 1\. .*COMMON MISCONCEPTIONS", text)
