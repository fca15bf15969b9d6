"""The content checks: every output of a topic equals its data, whatever content/ holds.

Each check takes the built output folder, the content folder it was built from and one
topic (or card), reads the data with plain PyYAML (source_data), and compares it with the
HTML, SVG, PDF text and search index as a reader gets them. They know the block kinds, not
any topic: an author who adds a topic or edits a cell keeps them green, and a wrong table
turns them red (tests/test_content_checks.py proves both on a copy of the content).
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html

from source_data import (read_yaml, answers_of, blocks_of_kind, cell_text, choice_sets, displayed_texts,
                         question_options, row_header, site_yaml, table_columns, table_groups,
                         topic_yaml)

SVG = "{http://www.w3.org/2000/svg}"
PAPERS = ("a4", "letter")


def text(element) -> str:
    return " ".join(element.text_content().split())


def words(value: str) -> str:
    return " ".join(str(value).split())


def topic_page(built: Path, slug: str):
    return lxml.html.fromstring((built / "topics" / f"{slug}.html").read_bytes())


def section(page, block_id: str):
    (found,) = page.xpath(f'//section[@id="{block_id}"]')
    return found


def table_rows(table) -> list[list[str]]:
    return [[text(cell) for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]


def letter(index: int) -> str:
    return chr(ord("A") + index)


# Pages ---------------------------------------------------------------------------------

def check_every_text_reaches_the_page(built: Path, content: Path, slug: str) -> None:
    topic = topic_yaml(slug, content)
    page_text = text(topic_page(built, slug))
    missing = [t for t in displayed_texts(topic, sets=choice_sets(topic, content))
               if t not in page_text]
    assert missing == [], (slug, missing)


def prose_text(markdown: str) -> str:
    """The text of a prose file as a reader sees it, read with markdown-it directly:
    CommonMark with GitHub's tables and strikethrough, footnotes and definition lists. The
    markers of callouts (`> [!NOTE]`, `::: tip` ... `:::`) are not text."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    markdown = re.sub(r"^((?:[ \t]*>)+[ \t]*)\[![^\]\s]+\][ \t]*", r"\1", markdown, flags=re.M)
    markdown = re.sub(r"^[ \t>]*:{3,}.*$", "", markdown, flags=re.M)
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin)
    return text(lxml.html.fromstring(f"<div>{md.render(markdown)}</div>"))


def check_prose(built: Path, content: Path, slug: str) -> None:
    """Each prose block shows the text of its Markdown file, and each callout its label."""
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic_yaml(slug, content), "prose"):
        markdown = (content / "topics" / slug / block["file"]).read_text(encoding="utf-8")
        shown = section(page, block["id"]).xpath('.//div[@class="prose"]')[0]
        callouts = shown.xpath(".//aside[contains(concat(' ', @class, ' '), ' callout ')]")
        for callout in callouts:
            (label,) = callout.xpath("./p[@class='callout-label']")
            assert text(label), slug
            label.drop_tree()
        assert text(shown) == prose_text(markdown), slug


def check_tables(built: Path, content: Path, slug: str) -> None:
    """Every table, cell by cell: headings, group rows, each row's cells in column order
    (a set's value shown by its label, in its style), the caption and the legend."""
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic, "table"):
        columns = table_columns(block, sets)
        head = row_header(block, sets)
        (table,) = section(page, block["id"]).xpath(".//table")
        expected = [[c["heading"] for c in columns]]
        for name, rows in table_groups(block):
            expected += [[name]] if name else []
            expected += [[cell_text(row[c["id"]], c, sets) for c in columns] for row in rows]
        assert table_rows(table) == expected, (slug, block["id"])
        assert text(table.xpath("./caption")[0]) == words(block["caption"])
        assert all(th.get("scope") == "col" for th in table.xpath("./thead//th"))
        body_rows = [tr for tr in table.xpath("./tbody/tr") if "group-row" not in (tr.get("class") or "")]
        position = [c["id"] for c in columns].index(head)
        for tr, row in zip(body_rows, (r for _, rows in table_groups(block) for r in rows)):
            cells = tr.xpath("./th|./td")
            assert [cell.tag for cell in cells] == ["th" if i == position else "td"
                                                    for i in range(len(columns))]
            assert cells[position].get("scope") == "row"
            for cell, column in zip(cells, columns):
                if column["set"]:
                    style = sets[column["set"]]["values"][row[column["id"]]]["style"]
                    assert f"choice-{style}" in cell.get("class").split(), (slug, block["id"])
        legend = " ".join(text(p) for p in section(page, block["id"]).xpath('.//p[@class="legend"]'))
        for set_id in dict.fromkeys(c["set"] for c in columns if c["set"]):
            for value in sets[set_id]["values"].values():
                assert value["label"] in legend and value.get("text", "") in legend


def check_myths(built: Path, content: Path, slug: str) -> None:
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic_yaml(slug, content), "myths"):
        (table,) = section(page, block["id"]).xpath(".//table")
        expected = [["Misconception", "Reality"]]
        expected += [[words(item["myth"]), words(item["reality"])] for item in block["items"]]
        assert table_rows(table) == expected


def check_lists(built: Path, content: Path, slug: str) -> None:
    topic, page = topic_yaml(slug, content), topic_page(built, slug)
    for kind, selector in (("tips", "ol[@class='tips']"), ("list", "*[@class='statements']")):
        for block in blocks_of_kind(topic, kind):
            items = section(page, block["id"]).xpath(f".//{selector}/li")
            assert len(items) == len(block["items"])
            for number, (li, expected) in enumerate(zip(items, block["items"]), 1):
                shown = text(li)
                assert shown.endswith(words(expected))
                if kind == "tips":
                    assert shown == f"Tip {number} {words(expected)}"
            if kind == "list":
                assert items[0].getparent().tag == ("ol" if block.get("ordered") else "ul")


def check_scenarios(built: Path, content: Path, slug: str) -> None:
    """The answer is hidden until asked, and the self-test offers every value of its set."""
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic, "scenarios"):
        values = sets[block["answers"]]["values"]
        scenarios = section(page, block["id"]).xpath(".//li[contains(@class, 'scenario ')]")
        assert len(scenarios) == len(block["items"])
        for li, item in zip(scenarios, block["items"]):
            assert text(li.xpath(".//*[@class='question']")[0]) == words(item["question"])
            assert [b.get("data-choice") for b in li.xpath(".//button")] == list(values)
            assert [text(b) for b in li.xpath(".//button")] == [v["label"] for v in values.values()]
            (details,) = li.xpath(".//details")
            assert details.get("open") is None  # closed until the learner opens it
            answer = text(details.xpath("./p")[0])
            assert answer == f'{values[item["answer"]]["label"]} — {words(item["explanation"])}'
            assert words(item["explanation"]) not in text(li).replace(text(details), "")


def check_questions(built: Path, content: Path, slug: str) -> None:
    """Every question and option in order, the input type its choose asks for, the answer
    and explanation behind a closed reveal, and nothing of the answer outside it."""
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic_yaml(slug, content), "questions"):
        shown = section(page, block["id"]).xpath(".//li[contains(@class, 'question ')]")
        assert len(shown) == len(block["items"])
        for li, item in zip(shown, block["items"]):
            options = question_options(item)
            answer = answers_of(item)
            legend = text(li.xpath(".//legend")[0])
            assert words(item["question"]) in legend
            if item.get("choose"):
                assert legend.endswith(f'(Choose {["TWO", "THREE", "FOUR", "FIVE"][item["choose"] - 2]}.)')
            labels = li.xpath(".//li[@class='option']/label")
            assert [text(label) for label in labels] == [f"{letter(i)}. {words(t)}"
                                                          for i, (_, t, _) in enumerate(options)]
            inputs = li.xpath(".//li[@class='option']/input")
            assert {i.get("type") for i in inputs} == {"checkbox" if item.get("choose") else "radio"}
            assert [i.get("value") for i in inputs] == [o for o, _, _ in options]
            right = [o for o, _, _ in options if o in answer]
            assert li.get("data-answer") == " ".join(right)
            assert li.get("data-choose") == str(item.get("choose", 1))
            (details,) = li.xpath(".//details")
            assert details.get("open") is None
            letters = ", ".join(letter(i) for i, (o, _, _) in enumerate(options) if o in answer)
            assert text(details.xpath("./p")[0]) == f'{letters} — {words(item["explanation"])}'
            for i, (_, _, note) in enumerate(options):
                if note:
                    assert f"{letter(i)}. {words(note)}" in text(details)
            assert words(item["explanation"]) not in text(li).replace(text(details), "")


def check_breakdown_and_quick_reference(built: Path, content: Path, slug: str) -> None:
    topic, page = topic_yaml(slug, content), topic_page(built, slug)
    for block in blocks_of_kind(topic, "breakdown"):
        sections = section(page, block["id"]).xpath(".//section")
        assert [text(s.xpath("./h3")[0]) for s in sections] == \
            [words(s["heading"]) for s in block["sections"]]
        for shown, source in zip(sections, block["sections"]):
            areas = shown.xpath(".//ol[@class='areas']/li")
            assert [text(a.xpath("./strong")[0]) for a in areas] == [words(a["name"]) for a in source["areas"]]
            assert [[text(p) for p in a.xpath("./ul/li")] for a in areas] == \
                [[words(p) for p in a["points"]] for a in source["areas"]]
    for block in blocks_of_kind(topic, "quick_reference"):
        groups = section(page, block["id"]).xpath(".//section")
        assert [text(g.xpath("./h3")[0]) for g in groups] == [words(g["title"]) for g in block["groups"]]
        assert [[text(li) for li in g.xpath(".//li")] for g in groups] == \
            [[words(i) for i in g["items"]] for g in block["groups"]]


def check_sections_and_sources(built: Path, content: Path, slug: str) -> None:
    """Each block is a section with an anchored heading and a contents entry; the topic's
    sources are listed last, linking to their addresses."""
    topic, page = topic_yaml(slug, content), topic_page(built, slug)
    blocks = topic["blocks"]
    anchors = [f'#{b["id"]}' for b in blocks] + (["#sources"] if topic.get("sources") else [])
    contents = page.xpath("//nav[@aria-label='On this page']")
    assert len(contents) == 2  # the sidebar and the folded list for narrow screens
    for toc in contents:
        assert toc.xpath(".//ol/li/a/@href") == anchors
    for block in blocks:
        heading = section(page, block["id"]).xpath("./h2")[0]
        assert heading.xpath("./a[@class='anchor']/@href") == [f'#{block["id"]}']
    links = page.xpath("//section[@id='sources']//li/a")
    assert [(text(a), a.get("href")) for a in links] == [
        (words(s["title"]), s["url"]) for s in topic.get("sources", [])]


# Diagrams ------------------------------------------------------------------------------

def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


def diagram_file(built: Path, slug: str, block_id: str) -> Path:
    (path,) = (built / "diagrams").glob(f"{slug}-{block_id}-*.svg")
    return path


def check_layer_diagrams(built: Path, content: Path, slug: str) -> None:
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    for block in blocks_of_kind(topic, "layers"):
        texts = svg_texts(diagram_file(built, slug, block["id"]).read_bytes())
        expected = []
        for layer in block["layers"]:
            value = sets[block["set"]]["values"][layer["value"]]
            expected += [words(layer["heading"]).upper(), *map(words, layer["parts"])]
            expected += [f'“{words(value["text"])}”'] if value.get("text") else []
            for group in layer.get("groups", []):
                expected += [words(group["name"]), *map(words, group["parts"])]
        assert sorted(t for t in texts if "═" not in t) == sorted(expected)
        assert any(words(block["boundary"]).upper() in t for t in texts)


def check_table_diagrams(built: Path, content: Path, slug: str) -> None:
    """Each row's box sits in its column, in the run of its value, in that value's style."""
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    for block in blocks_of_kind(topic, "diagram"):
        table = next(b for b in topic["blocks"] if b["id"] == block["source"])
        rows = [row for _, group in table_groups(table) for row in group]
        head = row_header(table, sets)
        typed = [c for c in table_columns(table, sets) if c["set"]]
        root = ET.fromstring(diagram_file(built, slug, block["id"]).read_bytes())
        nodes, runs = {}, {}
        for g in root.iter(f"{SVG}g"):
            classes = (g.get("class") or "").split()
            name = g.get("id").rsplit("-", 1)[1]
            lines = " ".join(" ".join(t.text for t in g.iter(f"{SVG}text")).split())
            if "part" in classes:  # long names wrap onto lines
                nodes[name] = (g.get("class"), lines)
            elif "run" in classes:
                runs[name] = lines
        expected, expected_runs = {}, {}
        for c, column in enumerate(typed):
            previous, run = None, -1
            for r, row in enumerate(rows):
                value = sets[column["set"]]["values"][row[column["id"]]]
                if row[column["id"]] != previous:
                    previous, run = row[column["id"]], run + 1
                    expected_runs[f"c{c}r{run}"] = value["label"]
                expected[f"c{c}row{r}"] = (f"node part choice-{value['style']}", words(row[head]))
        assert nodes == expected, slug
        assert runs == expected_runs, slug
        texts = svg_texts(ET.tostring(root))
        assert all(column["heading"] in texts for column in typed)


# Search index --------------------------------------------------------------------------

def search_documents(built: Path) -> list[dict]:
    """Every document of the index, from the parts search-index.js lists, in their order."""
    listing = (built / "assets" / "search-index.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.sitegenSearchParts = (\[.*?\]);\n"
                         r"window\.sitegenSearchDocuments = \[\];\n", listing)
    assert match, listing[:200]
    found = []
    for number, part in enumerate(json.loads(match.group(1))):
        script = (built / part).read_text(encoding="utf-8")
        prefix = f"window.sitegenSearchDocuments[{number}] = "
        assert script.startswith(prefix) and script.endswith(";\n")
        found += json.loads(script[len(prefix):-2])
    return found


def check_search_index(built: Path, content: Path, slug: str) -> None:
    """The topic and each of its sections is a document, holding every text shown there."""
    topic = topic_yaml(slug, content)
    docs = [d for d in search_documents(built) if d["url"].partition("#")[0] == f"topics/{slug}.html"]
    short = topic.get("short_title") or topic["title"]
    expected = [(short, f"topics/{slug}.html", topic["title"])]
    expected += [(short, f"topics/{slug}.html#{b['id']}", b["title"]) for b in topic["blocks"]]
    expected += [(short, f"topics/{slug}.html#sources", "Sources")] if topic.get("sources") else []
    nfc = [(unicodedata.normalize("NFC", a), b, unicodedata.normalize("NFC", c)) for a, b, c in expected]
    assert [(d["topic"], d["url"], d["title"]) for d in docs] == nfc
    flat = " ".join(" ".join(d["topic"] + " " + d["title"] + " " + d["text"] for d in docs).split())
    # The index holds text in composed form, whichever form the content is written in.
    shown = [unicodedata.normalize("NFC", t)
             for t in displayed_texts(topic, sets=choice_sets(topic, content)) if re.search(r"\w", t)]
    assert [t for t in shown if t not in flat] == []  # icons are decoration, not words


# Cards ---------------------------------------------------------------------------------

def pdf_text(path: Path) -> str:
    # -raw keeps the order WeasyPrint drew the text in: cell by cell, so wrapped cells stay whole.
    found = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    return " ".join(found.split())


def expected_card_texts(card: dict, content: Path) -> list[str]:
    """What each printed block must show, read from the YAML."""
    topic = topic_yaml(card["topic"], content)
    sets = choice_sets(topic, content)
    blocks = {b["id"]: b for b in topic["blocks"]}
    texts = [card["title"]]
    if card.get("remember"):
        texts += [v["label"] + (f' = {v["text"]}' if v.get("text") else "")
                  for v in sets[card["remember"]]["values"].values()]
    for block_id, items in card_entries(card):
        block = picked(blocks[block_id], items, topic) if items else blocks[block_id]
        kind = block["kind"]
        # A quick reference is headed by its own name when it has one; headings are set in
        # capitals by the card's CSS.
        heading = block.get("caption") if kind == "quick_reference" else None
        texts.append((heading or block["title"]).upper())
        if kind == "quick_reference":
            for group in block["groups"]:
                texts += [group["title"], *group["items"]]
        elif kind == "table":
            columns = table_columns(block, sets)
            texts.append(" ".join(c["heading"] for c in columns))
            for name, rows in table_groups(block):
                texts += [name] if name else []
                texts += [" ".join(cell_text(row[c["id"]], c, sets) for c in columns) for row in rows]
        elif kind == "scenarios":
            values = sets[block["answers"]]["values"]
            texts += [f'{s["question"]} → {values[s["answer"]]["label"]}: {s["explanation"]}'
                      for s in block["items"]]
        elif kind == "questions":
            keys = []
            for number, item in enumerate(block["items"], 1):
                options = question_options(item)
                how_many = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
                choose = f' (Choose {how_many[item["choose"]]}.)' if item.get("choose") else ""
                texts.append(item["question"] + choose)
                texts += [f"{letter(i)} {t}" for i, (_, t, _) in enumerate(options)]
                keys.append(f"{number} " + "".join(letter(i) for i, (o, _, _) in enumerate(options)
                                                   if o in answers_of(item)))
            texts.append("Answers: " + " · ".join(keys))
        elif kind == "myths":
            texts += [f'{m["myth"]}” → {m["reality"]}' for m in block["items"]]
        elif kind in ("tips", "list"):
            texts += block["items"]
        elif kind == "definitions":
            texts += [f'{i["term"]}: {i["definition"]}' for g in block["groups"] for i in g["items"]]
        else:
            raise AssertionError(f"no expectation written for printed {kind} blocks")
    notes = card.get("notes") or []
    texts += [notes] if isinstance(notes, str) else notes
    return [words(t) for t in texts]


def card_entries(card: dict) -> list[tuple[str, list | None]]:
    """Each block a card prints, in reading order, with the items it picks (None: all)."""
    columns = [c["blocks"] if isinstance(c, dict) else c for c in card["columns"]]
    entries = [*card.get("top", []), *(e for column in columns for e in column),
               *card.get("bottom", [])]
    return [(e["block"], e.get("items")) if isinstance(e, dict) else (e, None) for e in entries]


def picked(block: dict, items: list, topic: dict) -> dict:
    """The block with only the items a card picks: by 1-based position, or by id (a
    question's) or heading (a table row's)."""
    def name_of(item) -> set:
        names = {item["id"]} if isinstance(item, dict) and "id" in item else set()
        if block["kind"] == "table":
            header = block.get("row_header") or next(
                (c["id"] for c in block["columns"] if "id" in c), None)
            if isinstance(item, dict) and header in item:
                names.add(item[header])
        return names

    wanted = {str(i) for i in items}
    if "items" in block:
        kept = [it for n, it in enumerate(block["items"], 1) if str(n) in wanted or name_of(it) & wanted]
        return {**block, "items": kept}
    field = "rows"
    if "rows" in block:
        kept = [r for n, r in enumerate(block["rows"], 1) if str(n) in wanted or name_of(r) & wanted]
        return {**block, "rows": kept}
    groups, number = [], 0
    for group in block["groups"]:
        field = "items" if "items" in group else "rows"
        kept = []
        for item in group[field]:
            number += 1
            if str(number) in wanted or name_of(item) & wanted:
                kept.append(item)
        if kept:
            groups.append({**group, field: kept})
    return {**block, "groups": groups}


def check_card(built: Path, content: Path, card: dict) -> None:
    for paper in PAPERS:
        path = built / "cards" / f'{card["topic"]}-{paper}.pdf'
        # A line may break after a hyphen, which the extracted text shows as "- ".
        shown = re.sub(r"-\s+", "-", pdf_text(path))
        missing = [t for t in expected_card_texts(card, content)
                   if re.sub(r"-\s+", "-", t) not in shown]
        assert missing == [], (path.name, missing)


# The Anki deck -------------------------------------------------------------------------

def deck_settings(content: Path) -> dict | None:
    """site.yaml's deck: with its defaults, {"name", "id"}; None for a guide without one."""
    site = site_yaml(content)
    if site.get("deck") is None:
        return None
    name = site["deck"].get("name", site["title"])
    return {"name": name, "id": site["deck"].get("id", file_name(name))}


def file_name(title: str) -> str:
    """A title as the README says files are named: ASCII lowercase letters and digits
    between '-', accents dropped."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "deck"


def deck_path(built: Path, content: Path) -> Path:
    return built / "decks" / f'{file_name(deck_settings(content)["name"])}.apkg'


def anki_notes(apkg: Path, collection: Path | None = None) -> list[dict]:
    """Every note of an .apkg as Anki's own library imports it (into a new collection, or
    into the one at collection, with the importer's default options): its guid, id, card
    ids, fields, tags and the decks of its cards."""
    import tempfile

    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory() as folder:
        col = Collection(str(collection or Path(folder) / "collection.anki2"))
        try:
            col.import_anki_package(ImportAnkiPackageRequest(
                package_path=str(apkg), options=ImportAnkiPackageOptions()))
            found = []
            for note_id in col.find_notes(""):
                note = col.get_note(note_id)
                cards = note.cards()
                found.append({"guid": note.guid, "id": note.id, "cards": [c.id for c in cards],
                              "type": note.note_type()["name"], "fields": dict(note.items()),
                              "tags": sorted(note.tags),
                              "decks": sorted({col.decks.name(c.did) for c in cards})})
        finally:
            col.close()
    return found


def fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def note_view(note: dict) -> dict:
    """What a learner sees of a note: the text of each part of its cards."""
    fields = note["fields"]
    seen = {"tags": note["tags"], "decks": note["decks"], "extra": text(fragment(fields["Extra"]))}
    if "Options" in fields:
        return {**seen, "question": text(fragment(fields["Question"])),
                "options": [text(li) for li in fragment(fields["Options"]).xpath(".//li")],
                "answers": [text(li) for li in fragment(fields["Answer"]).xpath(".//li")]}
    front = fragment(fields["Front"])
    labels = front.xpath("./p[@class='sg-label']")
    for label in labels:
        label.drop_tree()
    return {**seen, "label": " ".join(text(label) for label in labels), "front": text(front),
            "back": text(fragment(fields["Back"]))}


def expected_deck_notes(content: Path, slug: str) -> dict[str, dict]:
    """A topic's notes as the README describes them, read from its YAML, by GUID: made
    with genanki's guid_for from the deck id, topic, block and item id."""
    from genanki import guid_for

    deck = deck_settings(content)
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    titles = [topic_yaml(s, content).get("short_title") or topic_yaml(s, content)["title"]
              for s in topics_of(content)]
    title = topic.get("short_title") or topic["title"]
    subdeck = f'{deck["name"]}::{title}' + (f" ({slug})" if titles.count(title) > 1 else "")
    seen = {"decks": [subdeck]}
    notes = {}
    # The exam blueprint files a question that names no domain under its first task's
    # domain, or its topic's first task's (the README's rule).
    exam_file = content / "exam.yaml"
    exam = read_yaml(exam_file)["exam"] if exam_file.is_file() else None
    domain_of = {task["id"]: domain["domain"] for domain in exam["domains"]
                 for task in domain["tasks"]} if exam else {}

    def domain_tags(item: dict) -> list[str]:
        if exam is None or exam["domains_set"] in item.get("tags", {}):
            return []
        tasks = item.get("tasks", []) or topic.get("tasks", [])
        return [f'{exam["domains_set"]}::{domain_of[tasks[0]]}'] if tasks else []

    def add(block: dict, item_id: str, tags: list[str] = (), **view) -> None:
        guid = guid_for(deck["id"], slug, block["id"], item_id)
        notes[guid] = {**seen, "tags": sorted({f"topic::{slug}", *tags}), **view}

    for block in topic["blocks"]:
        kind = block["kind"]
        if kind == "definitions":
            items = [item for group in block["groups"] for item in group["items"]]
            for n, item in enumerate(items, 1):
                add(block, item.get("id", str(n)), label="", front=words(item["term"]),
                    back=words(item["definition"]), extra="")
        elif kind == "myths":
            for n, item in enumerate(block["items"], 1):
                add(block, item.get("id", str(n)), label="Misconception",
                    front=words(item["myth"]), back=words(item["reality"]), extra="")
        elif kind == "scenarios":
            values = sets[block["answers"]]["values"]
            for n, item in enumerate(block["items"], 1):
                add(block, item.get("id", str(n)), label="", front=words(item["question"]),
                    back=words(values[item["answer"]]["label"]), extra=words(item["explanation"]),
                    tags=[f"task::{task}" for task in item.get("tasks", [])])
        elif kind == "questions":
            for n, item in enumerate(block["items"], 1):
                options = question_options(item)
                how_many = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
                choose = f' (Choose {how_many[item["choose"]]}.)' if item.get("choose") else ""
                shown = [f"{letter(i)}. {words(t)}" for i, (_, t, _) in enumerate(options)]
                add(block, item.get("id", f"q{n}"),
                    tags=[*(f"{s}::{v}" for s, v in item.get("tags", {}).items()),
                          *(f"task::{task}" for task in item.get("tasks", [])),
                          *domain_tags(item)],
                    question=words(item["question"]) + choose, options=shown,
                    answers=[o for o, (option_id, _, _) in zip(shown, options)
                             if option_id in answers_of(item)],
                    extra=words(item["explanation"]))
    return notes


_IMPORTED: dict[tuple, list[dict]] = {}


def imported_once(apkg: Path) -> list[dict]:
    """anki_notes of a deck, imported once per file version (the checks run per topic)."""
    stat = apkg.stat()
    key = (str(apkg), stat.st_size, stat.st_mtime_ns)
    if key not in _IMPORTED:
        _IMPORTED[key] = anki_notes(apkg)
    return _IMPORTED[key]


def check_deck(built: Path, content: Path, slug: str) -> None:
    """Every note of the topic in the Anki deck, imported as Anki imports it, equals the
    data: its parts' text, its tags, its subdeck; and it has no note the data lacks."""
    if deck_settings(content) is None:
        assert not (built / "decks").exists()
        return
    found = {note["guid"]: note_view(note) for note in imported_once(deck_path(built, content))
             if f"topic::{slug}" in note["tags"]}
    assert found == expected_deck_notes(content, slug), slug


TOPIC_CHECKS = [check_every_text_reaches_the_page, check_prose, check_tables, check_myths,
                check_lists, check_scenarios, check_questions, check_breakdown_and_quick_reference,
                check_sections_and_sources, check_layer_diagrams, check_table_diagrams,
                check_search_index, check_deck]
"""Every check of one topic's outputs."""


def topics_of(content: Path) -> list[str]:
    return site_yaml(content)["topics"]


def cards_of(content: Path) -> list[dict]:
    return site_yaml(content).get("cards", [])
