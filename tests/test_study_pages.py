"""The study pages, parsed with a real HTML parser: every note on flashcards.html and every
question on practice.html equals the data, read from the YAML with plain PyYAML (see
source_data.py); content is inert text; the pages are the same bytes build after build, and
one edited topic renders only its own sections of them again."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from sitegen.pipeline import BuildConfig, build
from content_checks import deck_path
from source_data import (CONTENT, answers_of, choice_sets, question_options, shared_sets, site_yaml,
                         topic_yaml)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FIXTURE = ROOT / "tests" / "fixtures" / "layered"
SLUGS = site_yaml()["topics"]


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def one(element, xpath: str):
    found = element.xpath(xpath)
    assert len(found) <= 1, xpath
    return found[0] if found else None


def words(value: str) -> str:
    return " ".join(value.split())


# What the YAML says -----------------------------------------------------------------------

def expected_notes(slug: str, content: Path = CONTENT) -> list[dict]:
    """The flashcards of a topic, as the README describes them, from its YAML as shown."""
    topic = topic_yaml(slug, content)
    sets = choice_sets(topic, content)
    notes = []

    def note(block, item_id, front, back, extra="", options=(), choose=1):
        notes.append({"parts": (slug, block["id"], item_id), "front": words(front),
                      "back": words(back), "extra": words(extra),
                      "options": [words(o) for o in options], "choose": choose})

    for block in topic["blocks"]:
        if block["kind"] == "definitions":
            items = [item for group in block["groups"] for item in group["items"]]
            for n, item in enumerate(items, 1):
                note(block, item.get("id", str(n)), item["term"], item["definition"])
        elif block["kind"] == "myths":
            for n, item in enumerate(block["items"], 1):
                note(block, item.get("id", str(n)), item["myth"], item["reality"])
        elif block["kind"] == "scenarios":
            for n, item in enumerate(block["items"], 1):
                label = sets[block["answers"]]["values"][item["answer"]]["label"]
                note(block, item.get("id", str(n)), item["question"], label, item["explanation"])
        elif block["kind"] == "questions":
            for n, item in enumerate(block["items"], 1):
                options = question_options(item)
                right = answers_of(item)
                back = " · ".join(f"{'ABCDEF'[i]}. {text_}" for i, (option_id, text_, _)
                                  in enumerate(options) if option_id in right)
                note(block, item.get("id", f"q{n}"), item["question"], back, item["explanation"],
                     [text_ for _, text_, _ in options], len(right))
    return notes


def read_as_written(path: Path):
    """A YAML file with every scalar as the text written (task ids such as 1.10 stay so)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def blueprint(content: Path = CONTENT) -> dict:
    """What practice exams are drawn by, as the README says: the exam's domains and weights
    (exam.yaml), or without an exam, the values of the shared set that tags the most
    questions (the first on a tie), each of the same weight."""
    sets = {s["id"]: s for s in shared_sets(content)}
    if (content / "exam.yaml").exists():
        exam = read_as_written(content / "exam.yaml")["exam"]
        labels = {v["id"]: v["label"] for v in sets[exam["domains_set"]]["values"]}
        return {"set": exam["domains_set"], "title": exam["title"],
                "minutes": int(exam["minutes"]), "questions": int(exam["questions"]),
                "domains": [(d["domain"], labels[d["domain"]], int(d["weight"]))
                            for d in exam["domains"]],
                "tasks": {task["id"]: d["domain"] for d in exam["domains"]
                          for task in d.get("tasks", [])}}
    counts = dict.fromkeys(sets, 0)
    for slug in site_yaml(content)["topics"]:
        for block in topic_yaml(slug, content)["blocks"]:
            if block["kind"] == "questions":
                for item in block["items"]:
                    for set_id in item.get("tags", {}):
                        if set_id in counts:
                            counts[set_id] += 1
    best = max(counts, key=lambda name: counts[name], default=None)
    if best is None or not counts[best]:
        return {"set": None, "title": "", "minutes": 0, "questions": 0, "domains": [], "tasks": {}}
    return {"set": best, "title": "", "minutes": 0, "questions": 0, "tasks": {},
            "domains": [(v["id"], v["label"], 1) for v in sets[best]["values"]]}


def question_domain(plan: dict, topic_tasks: list, item: dict, written: dict) -> str:
    """The domain a question counts toward: its tag of the domains' set, else the domain of
    its first task the exam has, else of its topic's; "" for none. written: the question as
    written (its task ids)."""
    known = {domain_id for domain_id, _, _ in plan["domains"]}
    domain = item.get("tags", {}).get(plan["set"], "") if plan["set"] else ""
    if not domain:
        for task in [*written.get("tasks", []), *topic_tasks]:
            if task in plan["tasks"]:
                domain = plan["tasks"][task]
                break
    return domain if domain in known else ""


def expected_questions(slug: str, content: Path = CONTENT) -> list[dict]:
    topic = topic_yaml(slug, content)
    written = read_as_written(content / "topics" / slug / "topic.yaml")
    plan = blueprint(content)
    questions = []
    for block, written_block in zip(topic["blocks"], written["blocks"]):
        if block["kind"] != "questions":
            continue
        for n, (item, written_item) in enumerate(zip(block["items"], written_block["items"]), 1):
            options = question_options(item)
            questions.append({
                "parts": (slug, block["id"], item.get("id", f"q{n}")),
                "question": words(item["question"]),
                "options": [(option_id, words(option_text), words(note))
                            for option_id, option_text, note in options],
                "answer": " ".join(o for o, _, _ in options if o in answers_of(item)),
                "choose": str(len(answers_of(item))),
                "domain": question_domain(plan, written.get("tasks", []), item, written_item),
                "explanation": words(item["explanation"]),
                "reread": f"topics/{slug}.html#{block['id']}",
                "block_title": words(block["title"]),
            })
    return questions


# What the pages say -------------------------------------------------------------------------

CHOOSE = {"TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def shown_notes(page) -> list[dict]:
    notes = []
    for element in page.xpath("//li[@class='note']"):
        prompt = one(element, ".//p[@class='note-prompt']")
        choose = one(prompt, "span[@class='choose']")
        front = text(prompt)
        if choose is not None:
            front = front[: -len(text(choose))].strip()
        notes.append({
            "parts": (element.xpath("ancestor::section[1]")[0].get("data-topic"),
                      element.get("data-block"), element.get("data-item")),
            "front": front,
            "back": text(one(element, ".//p[@class='note-back']")),
            "extra": text(one(element, ".//p[@class='note-extra']")),
            "options": [re.sub(r"^[A-F]\. ", "", text(li))
                        for li in element.xpath(".//ol[@class='note-options']/li")],
            "choose": CHOOSE[re.search(r"[A-Z]{3,}", text(choose)).group()] if choose is not None else 1,
        })
    return notes


def shown_questions(page) -> list[dict]:
    questions = []
    for element in page.xpath("//li[@class='practice-question']"):
        legend = one(element, ".//legend")
        choose = one(legend, "span[@class='choose']")
        question = text(legend)
        if choose is not None:
            question = question[: -len(text(choose))].strip()
        options = []
        for option in element.xpath(".//li[@class='option']"):
            label = re.sub(r"^[A-F]\. ", "", text(one(option, "label")))
            options.append((option.get("data-option"), label,
                            text(one(option, "p[@class='option-note']"))))
        explanation = one(element, ".//div[@class='practice-explanation']")
        reread = one(explanation, ".//p[@class='practice-reread']/a")
        questions.append({
            "parts": (element.get("data-topic"), element.get("data-block"), element.get("data-question")),
            "question": question, "options": options, "answer": element.get("data-answer"),
            "choose": element.get("data-choose"), "domain": element.get("data-domain"),
            "explanation": text(explanation.xpath("p")[1]),
            "reread": reread.get("href"),
            "block_title": re.match(r"Reread “(.*)” in ", text(reread)).group(1),
        })
    return questions


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("study") / "output"
    build(BuildConfig(CONTENT, TEMPLATES, out))
    return out


def test_every_note_of_the_guide_is_on_the_flashcards_page_as_the_data_says(shipped):
    page = parse(shipped / "flashcards.html")
    expected = [note for slug in SLUGS for note in expected_notes(slug)]
    assert expected, "the shipped guide has no notes"
    assert shown_notes(page) == expected
    # One section per topic with notes, named by the address the topic pages link to.
    sections = page.xpath("//section[@class='note-topic']")
    assert [s.get("id") for s in sections] == [f"topic={slug}" for slug in SLUGS
                                               if expected_notes(slug)]
    for section, slug in zip(sections, SLUGS):
        assert text(one(section, "h2")).endswith(topic_yaml(slug)["short_title"])
        assert section.get("data-topic") == slug
    # The topic chooser offers every topic with cards.
    options = page.xpath("//select[@id='review-topic']/option")
    assert [o.get("value") for o in options] == [""] + [s.get("data-topic") for s in sections]
    count = len(expected)
    assert text(one(page, "//p[@class='lede']")).startswith(f"{count} cards ")


def test_every_question_of_the_guide_is_on_the_practice_page_as_the_data_says(shipped):
    page = parse(shipped / "practice.html")
    expected = [q for slug in SLUGS for q in expected_questions(slug)]
    assert expected, "the shipped guide has no practice questions"
    assert shown_questions(page) == expected
    # Hidden until drawn, and every link back to its section resolves.
    assert one(page, "//ol[@class='practice-pool']").get("hidden") is not None
    for question in expected:
        slug, block = question["reread"].split("#")
        assert parse(shipped / slug).xpath(f'//section[@id="{block}"]')


def test_the_practice_page_draws_by_the_domains_and_their_weights(shipped):
    """The table of domains is what the page draws by: each domain's id and weight, and how
    many questions it has; questions in no domain only fill up. With an exam, the page
    suggests the exam's pace."""
    page = parse(shipped / "practice.html")
    plan = blueprint()
    questions = [q for slug in SLUGS for q in expected_questions(slug)]
    rows = page.xpath("//table[contains(@class, 'practice-domains')]/tbody/tr")
    untagged = sum(1 for q in questions if not q["domain"])
    assert [(r.get("data-domain"), r.get("data-weight")) for r in rows] == (
        [(domain_id, str(weight)) for domain_id, _, weight in plan["domains"]]
        + ([("", "0")] if untagged else []))
    total_weight = sum(weight for _, _, weight in plan["domains"])
    for row, (domain_id, label, weight) in zip(rows, plan["domains"]):
        assert text(one(row, "th")) == words(label)
        assert text(row.xpath("td")[0]) == f"{round(100 * weight / total_weight)}%"
        assert text(row.xpath("td")[1]) == str(sum(1 for q in questions if q["domain"] == domain_id))
    main = one(page, "//main")
    size = min(20, len(questions))
    if plan["questions"]:
        assert main.get("data-exam-minutes") == str(plan["minutes"])
        assert main.get("data-exam-questions") == str(plan["questions"])
        assert one(page, "//input[@id='practice-minutes']").get("value") == str(
            -(-size * plan["minutes"] // plan["questions"]))
    else:
        assert main.get("data-exam-minutes") is None
    field = one(page, "//input[@id='practice-size']")
    assert field.get("max") == str(len(questions)) and field.get("value") == str(size)


def test_topic_and_index_pages_link_to_the_study_pages_that_exist(shipped):
    index = parse(shipped / "index.html")
    site = site_yaml(CONTENT)
    study = ["flashcards.html", "practice.html"] + (
        ["exam.html"] if (CONTENT / "exam.yaml").exists() else []) + (
        [deck_path(shipped, CONTENT).relative_to(shipped).as_posix()] if "deck" in site else []) + (
        ["guide-a4.pdf", "guide-letter.pdf"] if "book" in site else [])
    assert index.xpath("//nav[@class='study-links']//a/@href") == study
    flashcards = parse(shipped / "flashcards.html")
    for slug in SLUGS:
        page = parse(shipped / "topics" / f"{slug}.html")
        links = page.xpath("//nav[@class='study-links']//a/@href")
        own = f"../flashcards.html#topic={slug}"
        assert links == ([own] if expected_notes(slug) else []) + [f"../{name}" for name in study]
        if expected_notes(slug):
            assert flashcards.xpath(f'//section[@id="topic={slug}"]')
            assert page.xpath(f'//a[@href="{own}"]')[0].text_content() == "Flashcards for this topic"


def test_each_page_carries_the_strings_of_its_own_scripts_only(shipped):
    def strings(path: Path) -> set[str]:
        (blob,) = parse(path).xpath("//script[@id='sitegen-strings']")
        return set(json.loads(blob.text))

    topic = strings(shipped / "topics" / f"{SLUGS[0]}.html")
    flashcards, practice = strings(shipped / "flashcards.html"), strings(shipped / "practice.html")
    assert not any(key.startswith(("flashcards_", "practice_")) for key in topic)
    assert {k for k in flashcards if k.startswith("flashcards_")} and not any(
        k.startswith("practice_") for k in flashcards)
    assert {k for k in practice if k.startswith("practice_")} and not any(
        k.startswith("flashcards_") for k in practice)
    assert topic <= flashcards and topic <= practice
    for name, script in (("flashcards.html", "flashcards.js"), ("practice.html", "practice.js")):
        sources = parse(shipped / name).xpath("//script/@src")
        assert f"assets/{script}" in sources and (shipped / "assets" / script).is_file()
    assert "assets/vendor/ts-fsrs.umd.js" in parse(shipped / "flashcards.html").xpath("//script/@src")
    vendored = (shipped / "assets" / "vendor" / "ts-fsrs.umd.js").read_text(encoding="utf-8")
    assert vendored.startswith("/*! ts-fsrs 5.4.2 | MIT License")
    assert "MIT License" in (shipped / "assets" / "vendor" / "ts-fsrs.LICENSE.txt").read_text()


# Hostile content ----------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=f()>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-study")
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    path = content / "topics" / "layered" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    for before, after in (("term: Reduced Burden", f'term: "{SCRIPT}"'),
                          ("myth: AWS handles *all* security", f'myth: "{IMG} AWS handles all"'),
                          ("          - The customer\n", f'          - "{SCRIPT} {IMG}"\n')):
        assert before in topic, before
        topic = topic.replace(before, after, 1)
    path.write_text(topic, encoding="utf-8")
    out = root / "output"
    build(BuildConfig(content, TEMPLATES, out))
    return out


@pytest.mark.parametrize("name", ["flashcards.html", "practice.html"])
def test_content_is_text_on_the_study_pages(hostile, name):
    raw = (hostile / name).read_text(encoding="utf-8")
    page = lxml.html.fromstring(raw)
    script = "flashcards.js" if name == "flashcards.html" else "practice.js"
    assert set(page.xpath("//script/@src")) == {"assets/strings.js", "assets/theme.js",
                                                "assets/search.js", f"assets/{script}"} | (
        {"assets/vendor/ts-fsrs.umd.js"} if script == "flashcards.js" else set())
    assert len(page.xpath("//script[not(@src)]")) == 2  # the theme line, the strings (JSON)
    assert page.xpath("//img") == []
    assert [e for e in page.iter() if any(a.startswith("on") for a in e.attrib)] == []
    assert "alert" not in " ".join(s.text or "" for s in page.xpath("//script"))
    assert SCRIPT in page.text_content() or IMG in page.text_content()


def test_hostile_notes_and_options_are_shown_as_written(hostile):
    flashcards = parse(hostile / "flashcards.html")
    assert SCRIPT in [text(p) for p in flashcards.xpath("//p[@class='note-prompt']")]
    assert any(text(p).startswith(IMG) for p in flashcards.xpath("//p[@class='note-prompt']"))
    practice = parse(hostile / "practice.html")
    labels = [text(label) for label in practice.xpath("//li[@class='option']/label")]
    assert any(label.endswith(f"{SCRIPT} {IMG}") for label in labels)


# Determinism and cost -------------------------------------------------------------------------

def test_the_study_pages_are_the_same_bytes_build_after_build(tmp_path, shipped):
    again = tmp_path / "again"
    build(BuildConfig(CONTENT, TEMPLATES, again, cache_dir=tmp_path / "cache"))
    for name in ("flashcards.html", "practice.html"):
        assert (again / name).read_bytes() == (shipped / name).read_bytes(), name
    # And from the cache, the same bytes again.
    (again / "flashcards.html").unlink()
    (again / "practice.html").unlink()
    report = build(BuildConfig(CONTENT, TEMPLATES, again, cache_dir=tmp_path / "cache"))
    assert report.cached.get("flashcards") == report.cached.get("practice") == len(SLUGS)
    assert "flashcards" not in report.rendered and "practice" not in report.rendered
    for name in ("flashcards.html", "practice.html"):
        assert (again / name).read_bytes() == (shipped / name).read_bytes(), name


def guide_of_topics(content: Path, count: int) -> Path:
    """The fixture guide with `count` copies of its topic."""
    shutil.copytree(FIXTURE, content)
    site = content / "site.yaml"
    names = [f"topic-{n:02d}" for n in range(count)]
    for name in names:
        shutil.copytree(content / "topics" / "layered", content / "topics" / name)
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  - layered\n", "".join(f"  - {name}\n" for name in ["layered", *names])), encoding="utf-8")
    return content


def test_one_edited_topic_renders_only_its_own_sections_again(tmp_path):
    content = guide_of_topics(tmp_path / "content", 5)
    out, cache = tmp_path / "output", tmp_path / "cache"
    first = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert first.rendered.get("flashcards") == 6 and first.rendered.get("practice") == 6
    path = content / "topics" / "topic-02" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    assert "A physical hard drive fails" in topic
    path.write_text(topic.replace("A physical hard drive fails", "A physical disk fails", 1),
                    encoding="utf-8")
    second = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert second.rendered.get("flashcards") == 1 and second.rendered.get("practice") == 1
    assert second.cached.get("flashcards") == 5 and second.cached.get("practice") == 5
    assert "A physical disk fails" in (out / "flashcards.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build(BuildConfig(content, TEMPLATES, clean, jobs=1))
    for name in ("flashcards.html", "practice.html"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_a_new_big_guide_has_its_sections_made_in_the_page_workers(tmp_path, monkeypatch):
    """Past PARALLEL_MINIMUM topics, each topic's study sections are made with its page in a
    worker process: the build process makes none, and the pages equal one process's."""
    from sitegen import study
    from sitegen.workers import PARALLEL_MINIMUM

    content = guide_of_topics(tmp_path / "content", PARALLEL_MINIMUM + 1)
    clean = tmp_path / "clean"
    build(BuildConfig(content, TEMPLATES, clean, jobs=1))

    def not_here(*args):
        raise AssertionError("a section was made in the build process")
    monkeypatch.setattr(study, "_flashcards_section", not_here)
    monkeypatch.setattr(study, "_practice_section", not_here)
    out = tmp_path / "output"
    build(BuildConfig(content, TEMPLATES, out, cache_dir=tmp_path / "cache", jobs=2))
    for name in ("flashcards.html", "practice.html"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_a_section_the_cache_did_not_sign_is_made_again_not_published(tmp_path):
    import hashlib
    import zlib

    content = guide_of_topics(tmp_path / "content", 0)
    out, cache = tmp_path / "output", tmp_path / "cache"
    build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    entries = [p for p in (cache / "flashcards").rglob("*") if p.is_file()]
    pages = [p for p in (cache / "study").rglob("*") if p.is_file()]
    assert entries and len(pages) == 2  # each study page's sections, together
    planted = b"\x00" * 32 + b'{"count": 1}\n<script>alert(1)</script>'
    script = b"<script>alert(1)</script>"
    index = b'{"sections": [["layered", "%s", {"count": 1}, %d, "%s"]]}' % (
        entries[0].name.encode(), len(script), hashlib.sha256(script).hexdigest().encode())
    planted_page = b"\x00" * 32 + len(index).to_bytes(8, "little") + index + script
    for entry, text in [*((entry, planted) for entry in entries),
                        *((page, planted_page) for page in pages)]:
        entry.write_bytes(zlib.crc32(text).to_bytes(4, "little") + text)
    (out / "flashcards.html").unlink()
    report = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert report.rendered.get("flashcards") == len(entries)
    assert "alert(1)" not in (out / "flashcards.html").read_text(encoding="utf-8")


def test_kept_sections_whose_bytes_were_changed_are_made_again(tmp_path):
    """The page's kept sections are signed by their index, which holds each one's sha256:
    bytes changed under a valid index are caught when the section is used."""
    import zlib

    content = guide_of_topics(tmp_path / "content", 2)
    out, cache = tmp_path / "output", tmp_path / "cache"
    build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    clean = (out / "flashcards.html").read_bytes()
    (page,) = [p for p in (cache / "study").rglob("*")
               if p.is_file() and b"note-topic" in p.read_bytes()]
    stored = page.read_bytes()[4:]
    assert b"A physical hard drive fails" in stored
    changed = stored.replace(b"A physical hard drive fails", b"<script>alert(1)</script>!!", 1)
    page.write_bytes(zlib.crc32(changed).to_bytes(4, "little") + changed)
    (out / "flashcards.html").unlink()
    build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert (out / "flashcards.html").read_bytes() == clean


def test_an_edit_that_changes_no_section_does_not_make_the_page_again(tmp_path):
    content = guide_of_topics(tmp_path / "content", 2)
    out, cache = tmp_path / "output", tmp_path / "cache"
    build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    path = content / "topics" / "topic-01" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    assert "title: Overview" in topic  # a prose block's title: on the topic page only
    path.write_text(topic.replace("title: Overview", "title: In short", 1), encoding="utf-8")
    report = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert "topics/topic-01.html" in report.written
    assert "flashcards.html" not in report.remade and "practice.html" not in report.remade
