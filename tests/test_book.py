"""The guide as a book (output/guide-a4.pdf, guide-letter.pdf), read with pikepdf and
poppler: tagged PDF/UA in the guide's language, bookmarks and contents that agree, every
table, question and answer of the data in its text, diagrams as vectors, the same bytes
from the same content, and mistakes said plainly."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import CONTENT, FIXTURE
from content_checks import letter, prose_text, words
from source_data import (answers_of, blocks_of_kind, cell_text, choice_sets, displayed_texts,
                         question_options, site_yaml, table_columns, table_groups, topic_yaml)
from sitegen.errors import BuildFailed, SetupProblem
from sitegen.kinds import KINDS
from sitegen.pipeline import BuildConfig, build, check

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAPERS = ("a4", "letter")
SCRIPT = "<script>alert('tip')</script>"
LONG_ROWS = 70
"""Rows of the fixture's long table: more than a page holds."""
BOOK = "book:\n  title: The Layered Guide\n  subtitle: Every topic, every question\n"
MM = 72 / 25.4


def long_table() -> str:
    rows = "".join(f"      - {{name: Row {n:03d}, detail: Detail of row {n:03d}}}\n"
                   for n in range(1, LONG_ROWS + 1))
    return ("  - kind: table\n    id: long-table\n    title: A Long Table\n"
            "    caption: Seventy rows, more than a page holds\n    columns:\n"
            "      - {id: name, heading: Long Heading Alpha}\n"
            "      - {id: detail, heading: Long Heading Beta}\n    rows:\n"
            f"      - {{name: Hostile, detail: \"{SCRIPT}\"}}\n" + rows)


def book_guide(target: Path) -> Path:
    """The fixture guide with a book, and a second topic (the first's copy, so the two share
    every block id) ending with a table longer than a page, a script in one of its cells."""
    shutil.copytree(FIXTURE, target)
    shutil.copytree(target / "topics" / "layered", target / "topics" / "second")
    topic = target / "topics" / "second" / "topic.yaml"
    text = topic.read_text(encoding="utf-8").replace(
        "title: Understanding the AWS Shared Responsibility Model",
        "title: The Second Topic", 1)
    topic.write_text(text + long_table(), encoding="utf-8")
    site = target / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  - layered\n", "  - layered\n  - second\n")
                    + BOOK, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> tuple[Path, Path]:
    """(content, output) of the book guide, built with a cache."""
    root = tmp_path_factory.mktemp("book")
    content = book_guide(root / "content")
    build(BuildConfig(content, TEMPLATES, root / "output", cache_dir=root / "cache"))
    return content, root / "output"


# Reading the PDF ------------------------------------------------------------------------

def page_size(pdf_path: Path) -> tuple[float, float]:
    with pikepdf.open(pdf_path) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    return box[2] - box[0], box[3] - box[1]


def body_text(pdf_path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of pages first..last (1-based), in the order it was drawn, without the
    running heads and page numbers: the page margins are cut off (book.css puts the heads
    in margins of 24 mm and 22 mm)."""
    width, height = page_size(pdf_path)
    top, bottom = 21 * MM, 17 * MM
    command = ["pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", str(int(top)),
               "-W", str(int(width)), "-H", str(int(height - top - bottom))]
    if first:
        command += ["-f", str(first), "-l", str(last or first)]
    found = subprocess.run(command + [str(pdf_path), "-"], capture_output=True, text=True,
                           check=True).stdout
    # A line may break after a hyphen, which the extracted text shows as "- ".
    return re.sub(r"-\s+", "-", " ".join(found.split()))


def page_count(pdf_path: Path) -> int:
    info = pdfinfo(pdf_path)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdfinfo(pdf_path: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True,
                          check=True).stdout


def outline(pdf_path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page it points at) of every bookmark, in order."""
    found = []
    with pikepdf.open(pdf_path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}

        def walk(items, level):
            for item in items:
                found.append((level, item.title, pages[item.destination[0].objgen]))
                walk(item.children, level + 1)

        with pdf.open_outline() as tree:
            walk(tree.root, 1)
    return found


def expected_outline(content: Path) -> list[tuple[int, str]]:
    """The bookmarks the data asks for: the contents; each topic and each of its sections
    (and its sources); the answer key, with each topic that asks questions."""
    expected = [(1, "Contents")]
    answered = []
    for slug in site_yaml(content)["topics"]:
        topic = topic_yaml(slug, content)
        expected.append((1, topic["title"]))
        expected += [(2, block["title"]) for block in topic["blocks"]]
        expected += [(2, "Sources")] if topic.get("sources") else []
        if any(b["kind"] in ("questions", "scenarios") for b in topic["blocks"]):
            answered.append((2, topic["title"]))
    return expected + ([(1, "Answer key")] + answered if answered else [])


def answer_entries(content: Path, slug: str) -> list[str]:
    """What the answer key says of each question and scenario of a topic, in order, read
    from the YAML: its number on the page, the right letters or value, the explanation."""
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    entries = []
    for block in topic["blocks"]:
        if block["kind"] == "questions":
            for n, item in enumerate(block["items"], 1):
                options = question_options(item)
                right = ", ".join(letter(i) for i, (o, _, _) in enumerate(options)
                                  if o in answers_of(item))
                entry = f"{n}. {right} — {words(item['explanation'])}"
                notes = [f"{letter(i)}. {words(note)}" for i, (_, _, note) in enumerate(options) if note]
                entries.append(" ".join([entry, *notes]))
        elif block["kind"] == "scenarios":
            values = sets[block["answers"]]["values"]
            entries += [f"{n}. {words(item['title'])}: {values[item['answer']]['label']} — "
                        f"{words(item['explanation'])}" for n, item in enumerate(block["items"], 1)]
    return entries


def in_order(texts: list[str], haystack: str) -> list[str]:
    """The texts not found in haystack one after another."""
    missing, at = [], 0
    for wanted in texts:
        found = haystack.find(wanted, at)
        if found < 0:
            missing.append(wanted)
        else:
            at = found + len(wanted)
    return missing


# The PDF as a document ------------------------------------------------------------------

@pytest.mark.parametrize("paper", PAPERS)
def test_the_book_is_tagged_pdf_ua_in_the_guides_language_titled_by_the_book(guide, paper):
    _, out = guide
    path = out / f"guide-{paper}.pdf"
    info = pdfinfo(path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+The Layered Guide$", info, re.M)
    assert re.search(r"^JavaScript:\s+no$", info, re.M)
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.open_metadata().get("pdfuaid:part")) == "1"
    width, height = page_size(path)
    assert (round(width), round(height)) == ((595, 842) if paper == "a4" else (612, 792))


@pytest.mark.parametrize("paper", PAPERS)
def test_the_outline_has_each_topic_and_each_of_its_sections(guide, paper):
    content, out = guide
    assert [(level, title) for level, title, _ in outline(out / f"guide-{paper}.pdf")] == \
        expected_outline(content)


def test_the_page_count_is_that_of_a_book_of_two_topics(guide):
    _, out = guide
    for paper in PAPERS:
        pages = page_count(out / f"guide-{paper}.pdf")
        # A cover and contents, two chapters of several pages each, the answer key.
        assert 2 + 2 * 3 + 1 <= pages <= 2 + 2 * 15 + 3, (paper, pages)


@pytest.mark.parametrize("paper", PAPERS)
def test_the_contents_give_the_pages_the_bookmarks_point_at(guide, paper):
    _, out = guide
    path = out / f"guide-{paper}.pdf"
    marks = outline(path)
    (contents_page,) = [page for _, title, page in marks if title == "Contents"]
    first_chapter = marks[1][2]
    contents = body_text(path, contents_page, first_chapter - 1)
    at = 0
    # The contents list the chapters and their sections, then the answer key (not its parts).
    key = next(i for i, (_, title, _) in enumerate(marks) if title == "Answer key")
    listed = marks[1:key + 1]
    assert len(listed) > len(site_yaml(guide[0])["topics"]) * 3
    for _, title, page in listed:
        found = re.compile(re.escape(" ".join(title.split())) + r"(?: ?\.)* ?(\d+)").search(contents, at)
        assert found, (title, contents[at:at + 200])
        assert int(found.group(1)) == page, title
        at = found.end()


# Its text against the data --------------------------------------------------------------

def test_every_text_of_every_topic_is_in_the_book(guide):
    """Every text the page shows (cells, items, questions, options, explanations, notes,
    labels of set values) is printed, the diagrams' labels included."""
    content, out = guide
    for paper in PAPERS:
        text = body_text(out / f"guide-{paper}.pdf")
        for slug in site_yaml(content)["topics"]:
            topic = topic_yaml(slug, content)
            # The short title heads the pages, in their margins; the icons, decorative, are
            # left off the printed page.
            topic = {key: value for key, value in topic.items() if key != "short_title"}
            icons = {topic.get("icon")} | {block.get("icon") for block in topic["blocks"]}
            # Drawings write their headings in capitals.
            missing = [t for t in displayed_texts(topic, sets=choice_sets(topic, content))
                       if t not in icons
                       and re.sub(r"-\s+", "-", t).casefold() not in text.casefold()]
            assert missing == [], (paper, slug, missing)


def test_every_table_is_printed_row_by_row_and_every_question_with_its_options(guide):
    content, out = guide
    text = body_text(out / "guide-a4.pdf")
    for slug in site_yaml(content)["topics"]:
        topic = topic_yaml(slug, content)
        sets = choice_sets(topic, content)
        for block in blocks_of_kind(topic, "table"):
            columns = table_columns(block, sets)
            rows = [" ".join(c["heading"] for c in columns)]
            for name, group in table_groups(block):
                rows += [name] if name else []
                rows += [" ".join(words(cell_text(row[c["id"]], c, sets)) for c in columns)
                         for row in group]
            assert in_order(rows, text) == [], (slug, block["id"])
        for block in blocks_of_kind(topic, "questions"):
            for n, item in enumerate(block["items"], 1):
                choose = ["", "", " (Choose TWO.)", " (Choose THREE.)"][item.get("choose", 1)]
                lines = [f"Question {n}. {words(item['question'])}{choose}"]
                lines += [f"{letter(i)}. {words(t)}" for i, (_, t, _) in enumerate(question_options(item))]
                assert in_order(lines, text) == [], (slug, item["question"])


def test_the_answer_key_gives_each_questions_letters_and_explanation(guide):
    content, out = guide
    for paper in PAPERS:
        path = out / f"guide-{paper}.pdf"
        (key_page,) = [page for level, title, page in outline(path) if title == "Answer key"]
        key = body_text(path, key_page, page_count(path))
        expected = [entry for slug in site_yaml(content)["topics"]
                    for entry in answer_entries(content, slug)]
        assert expected and in_order(expected, key) == []
        # The questions are not answered where they are asked.
        chapters = body_text(path, 1, key_page - 1)
        assert not [e for e in expected if e.split(" — ", 1)[1] in chapters]


def asked(content: Path, slug: str) -> list[list[str]]:
    """How each block that asks something begins each of its items in the chapter, read
    from the YAML: "Question 1. Who ...", "Scenario 1: Data Breach"."""
    found = []
    for block in topic_yaml(slug, content)["blocks"]:
        if block["kind"] == "questions":
            found.append([f"Question {n}. {words(item['question'])[:30]}"
                          for n, item in enumerate(block["items"], 1)])
        elif block["kind"] == "scenarios":
            found.append([f"Scenario {n}: {words(item['title'])}"
                          for n, item in enumerate(block["items"], 1)])
    return found


def pages_of(texts: list[str], pages: list[str], first: int) -> list[int]:
    """The page (1-based) each text is on, looking for them in order from page first on."""
    found, page, at = [], first, 0
    for wanted in texts:
        while pages[page - 1].find(wanted, at) < 0:
            page, at = page + 1, 0
        at = pages[page - 1].find(wanted, at) + len(wanted)
        found.append(page)
    return found


def test_questions_and_answers_point_at_each_others_pages(guide):
    """Each block of questions says on which page its answers are, and each answer on
    which page its question is; both are links too."""
    content, out = guide
    for paper in PAPERS:
        path = out / f"guide-{paper}.pdf"
        (key_page,) = [page for _, title, page in outline(path) if title == "Answer key"]
        pages = [body_text(path, n) for n in range(1, page_count(path) + 1)]
        slugs = site_yaml(content)["topics"]
        entries = [e for slug in slugs for e in answer_entries(content, slug)]
        answer_pages = pages_of(entries, pages, key_page)
        blocks = [block for slug in slugs for block in asked(content, slug)]
        first_answers, at = [], 0
        for block in blocks:  # where each block's answers begin
            first_answers.append(answer_pages[at])
            at += len(block)
        told = [int(n) for text in pages[:key_page - 1]
                for n in re.findall(r"Answers on page (\d+)", text)]
        assert told == first_answers, paper
        question_pages = pages_of([item for block in blocks for item in block], pages, 3)
        back = [int(n) for text in pages[key_page - 1:]
                for n in re.findall(r"Question on page (\d+)", text)]
        assert back == question_pages, paper
        with pikepdf.open(path) as pdf:
            links = [annot for page in pdf.pages for annot in page.get("/Annots", [])
                     if annot.get("/Subtype") == "/Link" and "/Dest" in annot]
            # Each question to its answer and back, each block to its answers.
            assert len(links) >= 2 * len(entries) + len(blocks), paper


def test_a_long_table_repeats_its_header_on_every_page_it_runs_onto(guide):
    _, out = guide
    for paper in PAPERS:
        path = out / f"guide-{paper}.pdf"
        pages = [body_text(path, n) for n in range(1, page_count(path) + 1)]
        with_rows = [text for text in pages if re.search(r"\bRow 0\d\d\b", text)]
        assert len(with_rows) >= 2, paper
        for text in with_rows:
            header = text.find("Long Heading Alpha Long Heading Beta")
            assert 0 <= header < re.search(r"\bRow 0\d\d\b", text).start(), paper


def test_content_is_printed_as_text_never_as_markup(guide):
    _, out = guide
    assert f"Hostile {SCRIPT}" in body_text(out / "guide-a4.pdf")


# Diagrams, bytes ------------------------------------------------------------------------

def structure_elements(pdf, kind: str) -> list:
    return [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/StructElem" and obj.get("/S") == kind]


@pytest.mark.parametrize("paper", PAPERS)
def test_diagrams_are_drawn_as_vectors_with_alternative_text(guide, paper):
    content, out = guide
    path = out / f"guide-{paper}.pdf"
    drawn = [block for slug in site_yaml(content)["topics"]
             for block in topic_yaml(slug, content)["blocks"] if block["kind"] in ("layers", "diagram")]
    with pikepdf.open(path) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image"]
        assert images == []
        figures = structure_elements(pdf, "/Figure")
        assert sorted(str(f.Alt) for f in figures) == sorted(
            f"Diagram: {block['caption'] if block['kind'] == 'layers' else block['title']}"
            for block in drawn)
    # pdfimages lists inline images too: there are none either.
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert listed[2:] == []


def test_the_same_content_gives_the_same_bytes(guide, tmp_path):
    content, out = guide
    build(BuildConfig(content, TEMPLATES, tmp_path / "again"))
    for paper in PAPERS:
        assert (tmp_path / "again" / f"guide-{paper}.pdf").read_bytes() == \
            (out / f"guide-{paper}.pdf").read_bytes(), paper


# Kinds, settings, mistakes --------------------------------------------------------------

def test_every_kind_has_a_print_form_and_is_printed(guide):
    """Interactive kinds have a book form of their own (no buttons); every kind's block of
    the fixture is a section of the book with its texts in it."""
    content, out = guide
    for name, kind in KINDS.items():
        own = (TEMPLATES / "book_blocks" / f"{name}.html").is_file()
        assert own or (TEMPLATES / "blocks" / f"{name}.html").is_file(), name
        if kind.model.interactive:
            assert own, f"{name}: the page's form has buttons"
    topic = topic_yaml("layered", content)
    sets = choice_sets(topic, content)
    assert {block["kind"] for block in topic["blocks"]} == set(KINDS)
    text = body_text(out / "guide-a4.pdf")
    for block in topic["blocks"]:
        shown = displayed_texts(block, sets=sets)
        if block["kind"] == "prose":
            markdown = (content / "topics" / "layered" / block["file"]).read_text(encoding="utf-8")
            shown.append(prose_text(markdown.split("\n\n")[0]))  # its first paragraph
        shown = [t for t in shown if t != block.get("icon")]  # icons are left off the page
        assert len(shown) >= 2 and all(re.sub(r"-\s+", "-", t).casefold() in text.casefold()
                                       for t in shown), (block["kind"], shown)


def test_a_guide_without_book_settings_makes_no_book(layered_built):
    assert not list(layered_built.glob("guide-*.pdf"))


def test_the_book_is_kept_while_what_it_shows_is_unchanged(tmp_path):
    content = tmp_path / "content"
    tiny_guide(content)
    config = BuildConfig(content, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache")
    first = build(config)
    assert {"guide-a4.pdf", "guide-letter.pdf"} <= set(first.written)
    # The site's description is on the cover; the base URL of the site is not changed, and a
    # card is not in the book: adding one costs the book nothing.
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "cards:\n  - topic: demo\n    title: Demo\n"
                    "    columns:\n      - [tips]\n", encoding="utf-8")
    second = build(config)
    assert not {"guide-a4.pdf", "guide-letter.pdf"} & set(second.remade)
    assert "book" not in second.rendered
    # An edited topic is a new book; made again from the same inputs, it is the cache's.
    topic = content / "topics" / "demo" / "topic.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Sleep well", "Sleep well, early"),
                     encoding="utf-8")
    third = build(config)
    assert {"guide-a4.pdf", "guide-letter.pdf"} <= set(third.written)
    assert third.rendered.get("book") == 2
    assert "Sleep well, early" in body_text(tmp_path / "out" / "guide-a4.pdf")
    shutil.rmtree(tmp_path / "out")
    fourth = build(config)
    assert fourth.cached.get("book") == 2 and "book" not in fourth.rendered


def tiny_guide(target: Path, book: str = "book: {}\n") -> Path:
    (target / "topics" / "demo").mkdir(parents=True)
    (target / "site.yaml").write_text(
        "title: Tiny Guide\ndescription: A guide of one topic.\nauthor: Tests\nlanguage: en\n"
        "topics:\n  - demo\n" + book, encoding="utf-8")
    (target / "topics" / "demo" / "topic.yaml").write_text(
        "title: Demo Topic\nsummary: A tiny topic.\nblocks:\n  - kind: tips\n    id: tips\n"
        "    title: Tips\n    items:\n      - Read the question twice\n      - Sleep well\n",
        encoding="utf-8")
    return target


@pytest.mark.parametrize("book, message", [
    ("book:\n  titel: A Book\n",
     "site.yaml:8:3: error: unknown key 'titel' in book (hint: did you mean 'title'?)"),
    ("book:\n",
     "site.yaml:7:6: error: book is empty, expected a mapping of keys (hint: write 'book: {}' "
     "for a book under the site's title, or give it a 'title:' and a 'subtitle:')"),
    ("book:\n  title: [A, Book]\n", "site.yaml:8:10: error: book title must be a single value, "
                                    "got a list (hint: write one value here, not a list)"),
])
def test_a_mistake_in_the_book_settings_is_a_located_error(tmp_path, book, message):
    content = tiny_guide(tmp_path / "content", book)
    with pytest.raises(BuildFailed) as failure:
        check(BuildConfig(content_dir=content))
    assert [str(e) for e in failure.value.errors] == [str(content / message)]


def test_a_book_title_defaults_to_the_sites(tmp_path):
    site = check(BuildConfig(content_dir=tiny_guide(tmp_path / "content")))
    assert (site.book.title, site.book.subtitle) == ("Tiny Guide", "")


def test_what_weasyprint_cannot_do_stops_the_build_saying_what(tmp_path):
    content = tiny_guide(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    with (templates / "book.css").open("a", encoding="utf-8") as css:
        css.write(".cover { text-shadow-color: red; }\n")
    with pytest.raises(SetupProblem) as failure:
        build(BuildConfig(content, templates, tmp_path / "out"))
    message = str(failure.value)
    assert "the book (guide-a4.pdf) cannot be laid out" in message
    assert "WeasyPrint says" in message and "text-shadow-color" in message
    assert not (tmp_path / "out").exists()


# The shipped guide ----------------------------------------------------------------------

def test_the_shipped_book_has_every_topic_and_its_answers(built):
    assert site_yaml().get("book") is not None
    for paper in PAPERS:
        path = built / f"guide-{paper}.pdf"
        assert [(level, title) for level, title, _ in outline(path)] == expected_outline(CONTENT)
        (key_page,) = [page for _, title, page in outline(path) if title == "Answer key"]
        key = body_text(path, key_page, page_count(path))
        for slug in site_yaml()["topics"]:
            assert in_order(answer_entries(CONTENT, slug), key) == [], (paper, slug)
