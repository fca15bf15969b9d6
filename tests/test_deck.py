"""The Anki deck, read back with Anki's own library (`anki`), which imports it as the Anki
app does: every note equals the data, the bytes are the same for the same content, and a
newer build updates notes in place, keeping their cards and so their review history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest

from conftest import FIXTURE, ROOT, TEMPLATES
from content_checks import (anki_notes, check_deck, deck_path, deck_settings,
                            expected_deck_notes, topics_of)
from sitegen.pipeline import BuildConfig, build

EARLIER, LATER = 1_700_000_000, 1_700_086_400
SITE = """\
title: Cloud Certification Study Guide
description: A fixture guide for the deck's tests.
author: sitegen tests
language: {language}
topics:
  - layered
  - second
deck:
  name: Cloud Practice
"""


@pytest.fixture
def guide(tmp_path) -> Path:
    """The fixture guide and a second topic made from it, with a deck and no cards (the
    cards' layout is not what these tests are about)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    shutil.copytree(content / "topics" / "layered", content / "topics" / "second")
    edit(content / "topics" / "second" / "topic.yaml",
         "short_title: AWS Shared Responsibility Model", "short_title: A Second Topic")
    (content / "site.yaml").write_text(SITE.format(language="en"), encoding="utf-8")
    return content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def built(content: Path, out: Path, monkeypatch, epoch: int | None = EARLIER,
          cache: Path | None = None) -> Path:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    return out


def test_every_note_equals_the_data(guide, tmp_path, monkeypatch):
    out = built(guide, tmp_path / "out", monkeypatch)
    assert deck_path(out, guide).name == "cloud-practice.apkg"
    notes = anki_notes(deck_path(out, guide))
    expected = {guid: view for slug in topics_of(guide)
                for guid, view in expected_deck_notes(guide, slug).items()}
    assert len(notes) == len(expected) == 2 * (8 + 5 + 4 + 2)  # terms, myths, scenarios, questions
    for slug in topics_of(guide):
        check_deck(out, guide, slug)
    assert {deck for note in notes for deck in note["decks"]} == {
        "Cloud Practice::AWS Shared Responsibility Model", "Cloud Practice::A Second Topic"}
    # One card per note; a question's own tags are filed as set::value.
    assert all(len(note["cards"]) == 1 for note in notes)
    tagged = {tag for note in notes for tag in note["tags"]}
    assert {"domain::security", "domain::concepts", "topic::layered", "topic::second"} <= tagged


def test_two_builds_give_the_same_bytes(guide, tmp_path, monkeypatch):
    first = deck_path(built(guide, tmp_path / "a", monkeypatch), guide).read_bytes()
    again = deck_path(built(guide, tmp_path / "b", monkeypatch), guide).read_bytes()
    assert first == again
    # Through the cache too, and without SOURCE_DATE_EPOCH (a fixed time then).
    cache = tmp_path / "cache"
    cached = deck_path(built(guide, tmp_path / "c", monkeypatch, cache=cache), guide).read_bytes()
    shutil.rmtree(tmp_path / "c")
    assert deck_path(built(guide, tmp_path / "c", monkeypatch, cache=cache), guide).read_bytes() \
        == cached == first
    plain = deck_path(built(guide, tmp_path / "d", monkeypatch, epoch=None), guide).read_bytes()
    assert plain == deck_path(built(guide, tmp_path / "e", monkeypatch, epoch=None), guide).read_bytes()
    assert plain != first  # the epoch is in it: the notes' times
    with zipfile.ZipFile(deck_path(tmp_path / "a", guide)) as archive:
        assert [(i.filename, i.date_time) for i in archive.infolist()] == [
            ("collection.anki2", (1980, 1, 1, 0, 0, 0)), ("media", (1980, 1, 1, 0, 0, 0))]
        database = archive.read("collection.anki2")
    # Nothing of the machine: no folder's or temporary file's name.
    assert str(tmp_path).encode() not in database and b"/tmp" not in database


def by_guid(notes: list[dict]) -> dict[str, dict]:
    return {note["guid"]: note for note in notes}


def test_a_newer_build_updates_a_reworded_note_in_place(guide, tmp_path, monkeypatch):
    collection = tmp_path / "collection.anki2"
    first = by_guid(anki_notes(deck_path(built(guide, tmp_path / "v1", monkeypatch), guide),
                               collection))
    topic = guide / "topics" / "layered" / "topic.yaml"
    edit(topic, "definition: No need to manage physical infrastructure",
         "definition: No data centers to run")
    (reworded,) = [guid for guid, view in expected_deck_notes(guide, "layered").items()
                   if view.get("back") == "No data centers to run"]
    # The same time: Anki's importer keeps the note it has (it updates only newer ones).
    same_time = by_guid(anki_notes(deck_path(built(guide, tmp_path / "v2", monkeypatch), guide),
                                   collection))
    assert "No data centers" not in same_time[reworded]["fields"]["Back"]
    # A later time, as the next commit has: the note is updated, its card kept.
    later = by_guid(anki_notes(deck_path(built(guide, tmp_path / "v3", monkeypatch, epoch=LATER),
                                         guide), collection))
    assert later.keys() == first.keys()
    assert later[reworded]["fields"]["Back"] == "No data centers to run"
    assert [later[g]["fields"] for g in later if g != reworded] == \
        [first[g]["fields"] for g in first if g != reworded]
    for guid in first:  # the same note and card ids: nothing studied is lost
        assert (later[guid]["id"], later[guid]["cards"]) == (first[guid]["id"], first[guid]["cards"])
    for slug in topics_of(guide):
        check_deck(tmp_path / "v3", guide, slug)


def test_hostile_text_is_escaped_in_every_field(guide, tmp_path, monkeypatch):
    topic = guide / "topics" / "layered" / "topic.yaml"
    hostile = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>"
    # A JSON string is a YAML double-quoted one.
    edit(topic, "term: Reduced Burden", f"term: {json.dumps(hostile)}")
    option = json.dumps('<b>bold</b> & "quoted"')
    edit(topic, "          - The customer\n", f"          - {option}\n")
    edit(topic, "explanation: Data encryption is customer responsibility\n        tags",
         f"explanation: {json.dumps('</div><script>x()</script>')}\n        tags")
    out = built(guide, tmp_path / "out", monkeypatch)
    notes = anki_notes(deck_path(out, guide))
    fields = [value for note in notes for value in note["fields"].values()]
    joined = "".join(fields)
    assert "<script" not in joined and "<img" not in joined and "<b>" not in joined
    assert "&lt;script&gt;" in joined and "&lt;b&gt;bold&lt;/b&gt;" in joined
    for value in fields:  # each field is whole HTML: nothing closes what holds it
        assert value.count("<div") == value.count("</div>") == 0
    for slug in topics_of(guide):
        check_deck(out, guide, slug)  # and the text a learner sees is the text as written


def test_the_index_and_each_topic_page_link_the_deck(guide, tmp_path, monkeypatch):
    out = built(guide, tmp_path / "out", monkeypatch)
    deck = deck_path(out, guide)
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    (link,) = index.xpath("//a[contains(@href, '.apkg')]")
    assert link.get("href") == "decks/cloud-practice.apkg" and link.get("download") is not None
    assert (out / link.get("href")).resolve() == deck.resolve()
    size = link.getparent().xpath(".//span[@class='meta']")[0].text_content()
    assert size == f"(.apkg file, {-(-deck.stat().st_size // 1024)} KB)"
    for slug in topics_of(guide):
        page = lxml.html.fromstring((out / "topics" / f"{slug}.html").read_bytes())
        (link,) = page.xpath("//a[contains(@href, '.apkg')]")
        assert link.get("href") == "../decks/cloud-practice.apkg" and link.get("download") is not None


def test_a_guide_without_a_deck_has_no_deck_and_no_link(layered_built):
    assert deck_settings(FIXTURE) is None
    assert not (layered_built / "decks").exists()
    for page in (layered_built / "index.html", layered_built / "topics" / "layered.html"):
        assert b".apkg" not in page.read_bytes()


def test_a_spanish_guide_links_its_deck_in_spanish(guide, tmp_path, monkeypatch):
    (guide / "site.yaml").write_text(SITE.format(language="es"), encoding="utf-8")
    out = built(guide, tmp_path / "out", monkeypatch)
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    (link,) = index.xpath("//a[contains(@href, '.apkg')]")
    assert " ".join(link.getparent().text_content().split()).startswith(
        "Mazo de Anki (archivo .apkg, ")
    assert "Anki deck" not in index.text_content()
    notes = anki_notes(deck_path(out, guide))
    myths = [n for n in notes if "sg-label" in n["fields"].get("Front", "")]
    assert myths and all("Idea errónea" in n["fields"]["Front"] for n in myths)
    assert any("(Elige DOS.)" in n["fields"].get("Question", "") for n in notes)
    assert not any("Misconception" in n["fields"].get("Front", "") or "(Choose" in
                   n["fields"].get("Question", "") for n in notes)


def test_after_one_topic_is_edited_only_its_rows_are_made_again(guide, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EARLIER))
    first = build(BuildConfig(guide, TEMPLATES, tmp_path / "out", cache_dir=cache, jobs=1))
    assert first.rendered.get("notes") == 2
    edit(guide / "topics" / "second" / "topic.yaml", "term: Reduced Burden", "term: Less to Run")
    second = build(BuildConfig(guide, TEMPLATES, tmp_path / "out", cache_dir=cache, jobs=1))
    assert second.rendered.get("notes") == 1 and second.cached.get("notes") == 1
    assert "decks/cloud-practice.apkg" in second.written
    for slug in topics_of(guide):
        check_deck(tmp_path / "out", guide, slug)


def test_a_planted_cache_entry_does_not_reach_the_deck(guide, tmp_path, monkeypatch):
    """The rows are published as HTML: an entry this user's builds did not sign is made
    again, whatever it holds."""
    cache = tmp_path / "cache"
    out = built(guide, tmp_path / "out", monkeypatch, cache=cache)
    entries = [p for p in (cache / "notes").rglob("*") if p.is_file()]
    assert len(entries) == 2
    import zlib

    for entry in entries:
        stored = entry.read_bytes()[4:]
        planted = stored[:32] + stored[32:].replace(b"Reduced Burden", b"<script>x()</script>")
        entry.write_bytes(zlib.crc32(planted).to_bytes(4, "little") + planted)
    for entry in (cache / "deck").rglob("*"):
        if entry.is_file():
            entry.unlink()  # so that the deck is put together again from the rows
    shutil.rmtree(out)
    out = built(guide, out, monkeypatch, cache=cache)
    assert b"script" not in zipfile.ZipFile(deck_path(out, guide)).read("collection.anki2")
    for slug in topics_of(guide):
        check_deck(out, guide, slug)


BUILD_AND_REPORT = """\
import sys
from pathlib import Path
from sitegen.pipeline import BuildConfig, build
report = build(BuildConfig(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]),
                           cache_dir=Path(sys.argv[4]), jobs=1))
print("genanki" in sys.modules, report.reasons)
"""


def test_a_build_that_does_not_change_the_deck_does_not_load_genanki(guide, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    args = [str(guide), str(templates), str(tmp_path / "out"), str(tmp_path / "cache")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": str(EARLIER)}

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", BUILD_AND_REPORT, *args], env=env,
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert run().startswith("True")  # the first build puts the deck together
    assert run() == "False ('nothing changed',)"
    edit(templates / "index.html", "<h1>", "<h1 class=\"title\">")
    assert run() == "False ('templates changed',)"  # pages made again, the deck kept
    edit(guide / "topics" / "second" / "topic.yaml", "term: Reduced Burden", "term: Less to Run")
    assert run().startswith("True")


def test_questions_filed_by_tasks_only_carry_the_domain_the_blueprint_gives(tmp_path, monkeypatch):
    """A guide with an exam blueprint: every note carries its tasks, and a question that
    names no domain is tagged with the domain of its first task, or of its topic's first
    task (check_deck works that out from the YAML)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "exam", content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "deck:\n  name: Exam Practice\n",
                    encoding="utf-8")
    out = built(content, tmp_path / "out", monkeypatch)
    derived = 0
    for slug in topics_of(content):
        check_deck(out, content, slug)
        expected = expected_deck_notes(content, slug).values()
        derived += sum(1 for note in expected if "question" in note
                       and any(tag.startswith("domain::") for tag in note["tags"]))
    assert derived, "the fixture should have questions filed under a domain"
    tags = {tag for note in anki_notes(deck_path(out, content)) for tag in note["tags"]}
    assert any(tag.startswith("task::") for tag in tags), tags
