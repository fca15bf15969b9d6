"""Study notes: every note equals the data, read from the YAML with plain PyYAML, and is
named by its topic, block and item id, never by its wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.notes import Note, site_notes, topic_notes
from sitegen.pipeline import BuildConfig, check
from source_data import CONTENT, answers_of, question_options, read_yaml, site_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "layered"


def set_labels(content: Path, topic: dict) -> dict[str, dict[str, str]]:
    """Each set's value labels as written, by set id then value id."""
    sets_file = content / "sets.yaml"
    declared = (read_yaml(sets_file)["sets"] if sets_file.exists() else []) + topic.get("sets", [])
    return {s["id"]: {v["id"]: v["label"] for v in s["values"]} for s in declared}


def expected_notes(content: Path, slug: str) -> list[tuple]:
    """The notes of a topic as the README describes them, from its YAML as written."""
    topic = read_yaml(content / "topics" / slug / "topic.yaml")
    labels = set_labels(content, topic)
    notes = []
    for block in topic["blocks"]:
        kind, block_id = block["kind"], block["id"]
        if kind == "definitions":
            items = [item for group in block["groups"] for item in group["items"]]
            notes += [(slug, block_id, item.get("id", str(n)), "definition", item["term"],
                       item["definition"], "", (), (), ()) for n, item in enumerate(items, 1)]
        elif kind == "myths":
            notes += [(slug, block_id, item.get("id", str(n)), "myth", item["myth"],
                       item["reality"], "", (), (), ()) for n, item in enumerate(block["items"], 1)]
        elif kind == "scenarios":
            notes += [(slug, block_id, item.get("id", str(n)), "scenario", item["question"],
                       labels[block["answers"]][item["answer"]], item["explanation"], (),
                       tuple(f"task:{task}" for task in item.get("tasks", [])), ())
                      for n, item in enumerate(block["items"], 1)]
        elif kind == "questions":
            for n, item in enumerate(block["items"], 1):
                options = question_options(item)
                right = tuple(i for i, (option_id, _, _) in enumerate(options)
                              if option_id in answers_of(item))
                back = " · ".join(f"{'ABCDEF'[i]}. {options[i][1]}" for i in right)
                tags = (*(f"{set_id}:{value}" for set_id, value in item.get("tags", {}).items()),
                        *(f"task:{task}" for task in item.get("tasks", [])))
                notes.append((slug, block_id, item.get("id", f"q{n}"), "question", item["question"],
                              back, item["explanation"], tuple(t for _, t, _ in options), tags, right))
    return notes


def as_tuple(note: Note) -> tuple:
    return (note.topic, note.block, note.item, note.kind, str(note.front), str(note.back),
            str(note.extra), tuple(map(str, note.options)), note.tags, note.answers)


GUIDES = {"content": CONTENT, "layered": FIXTURE}


@pytest.mark.parametrize("guide", GUIDES)
def test_every_note_equals_the_data(guide):
    content = GUIDES[guide]
    site = check(BuildConfig(content_dir=content))
    assert [t.slug for t in site.topics] == site_yaml(content)["topics"]
    for topic in site.topics:
        assert [as_tuple(n) for n in topic_notes(topic)] == expected_notes(content, topic.slug)
    assert site_notes(site) == tuple(n for t in site.topics for n in topic_notes(t))


def test_the_fixture_gives_a_note_of_every_kind_that_makes_them(layered_site):
    kinds = {note.kind for note in site_notes(layered_site)}
    assert kinds == {"definition", "myth", "scenario", "question"}
    blocks = {note.block for note in site_notes(layered_site)}
    assert "exam-tips" not in blocks and "key-takeaways" not in blocks  # no prompt, no card


@pytest.mark.parametrize("guide", GUIDES)
def test_no_two_notes_share_a_name(guide):
    notes = site_notes(check(BuildConfig(content_dir=GUIDES[guide])))
    assert len({note.guid_parts for note in notes}) == len(notes) > 0


def notes_of(content: Path) -> dict[tuple[str, str, str], Note]:
    return {note.guid_parts: note for note in site_notes(check(BuildConfig(content_dir=content)))}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_reworded_item_keeps_its_name(content_copy):
    topic = content_copy / "topics" / "layered" / "topic.yaml"
    before = notes_of(content_copy)
    edit(topic, "term: Reduced Burden", "term: Less to Run")
    edit(topic, "reality: Customer must patch guest OS and applications",
         "reality: The customer patches the guest OS and its applications")
    edit(topic, "question: A physical hard drive fails in AWS data center. Who handles it?",
         "question: A disk fails in an AWS data center. Who replaces it?")
    after = notes_of(content_copy)
    assert after.keys() == before.keys()
    changed = {parts for parts in after if after[parts] != before[parts]}
    assert changed == {("layered", "why-it-matters", "1"), ("layered", "misconceptions", "2"),
                       ("layered", "exam-scenarios", "2")}
    assert after[("layered", "why-it-matters", "1")].front == "Less to Run"


def test_an_explicit_id_follows_its_item_when_items_are_reordered(content_copy):
    topic = content_copy / "topics" / "layered" / "topic.yaml"
    edit(topic, "          - term: Reduced Burden\n",
         "          - id: reduced-burden\n            term: Reduced Burden\n")
    named = notes_of(content_copy)[("layered", "why-it-matters", "reduced-burden")]
    # The first two terms change places: the named one keeps its id, the other takes the
    # position it now has.
    edit(topic, "          - id: reduced-burden\n            term: Reduced Burden\n"
                "            definition: No need to manage physical infrastructure\n"
                "          - term: Clear Accountability\n"
                "            definition: Know exactly what you're responsible for\n",
         "          - term: Clear Accountability\n"
         "            definition: Know exactly what you're responsible for\n"
         "          - id: reduced-burden\n            term: Reduced Burden\n"
         "            definition: No need to manage physical infrastructure\n")
    after = notes_of(content_copy)
    assert after[("layered", "why-it-matters", "reduced-burden")] == named
    assert after[("layered", "why-it-matters", "1")].front == "Clear Accountability"
