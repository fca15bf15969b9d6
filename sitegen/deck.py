"""The Anki deck: every study note of the guide (sitegen/notes.py) in one .apkg file, with a
subdeck per topic, for site.yaml's `deck:`.

What keeps a learner's review history across versions of the deck:
- A note's GUID is made from the deck's id and the note's topic, block and item id
  (Note.guid_parts), never from its text: a reworded note is the same note.
- Anki's importer updates a note it already has only when the incoming note was modified
  later than its own (and a note type likewise). Notes and note types are stamped with
  SOURCE_DATE_EPOCH (`make site` sets it to the last commit's time, so each published
  version is newer than the one before), else with a fixed time: a build without it is the
  same bytes every time, and importing it over an import of itself changes nothing.

The file is the same bytes for the same content: ids come from hashes of stable names, the
timestamps from the epoch, and the zip's entries have fixed names, order and dates.
genanki is imported only when the deck has to be put together.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import escape

from .records import frozen
from . import model as m
from .cache import Cache, digest
from .inline import plain_text
from .notes import Note, option_letter, topic_notes

if TYPE_CHECKING:
    from .output import Product

DECK_FOLDER = "decks"
FIXED_EPOCH = 946_684_800
"""2000-01-01T00:00:00Z: the time of a build without SOURCE_DATE_EPOCH. It is older than
any published build's, so those always update what an import of a local build left."""
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can have; every entry gets it."""


@frozen
class DeckLink:
    """What the pages show of the deck."""

    path: str
    """Path from the site root."""
    kilobytes: int | None
    """Its size, rounded up; None where the pages do not show it (topic pages would then all
    change with every edit that changes the deck)."""


def slug(text: str) -> str:
    """A file name for a title: lowercase ASCII letters and digits joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "deck"


def deck_path(deck: m.DeckSettings) -> str:
    return f"{DECK_FOLDER}/{slug(deck.name)}.apkg"


def deck_epoch() -> int:
    """The time notes and note types are stamped with: SOURCE_DATE_EPOCH, else FIXED_EPOCH.

    0 counts as none: card.py sets SOURCE_DATE_EPOCH=0 when it is not set (for fontTools),
    and Anki's ids are milliseconds since the epoch, which 0 would make 0, 1, 2..."""
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", ""))
    except ValueError:
        return FIXED_EPOCH
    return epoch if epoch > 0 else FIXED_EPOCH


def stable_id(*names: str) -> int:
    """An Anki id (deck, note type) for names: the same for the same names, in the range
    genanki recommends for ids chosen by hand, below the millisecond ids Anki makes."""
    number = int.from_bytes(hashlib.sha256("\x1f".join(names).encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + number % (1 << 30)


# The note types -------------------------------------------------------------------------

# Field names are the note types' schema in Anki (its editor shows them), not words of the
# cards: they are the same in every language, so a deck keeps its note types whatever the
# guide's language.
BASIC_FIELDS = ("Front", "Back", "Extra")
CHOICE_FIELDS = ("Question", "Options", "Answer", "Extra")
EXTRA = '{{#Extra}}\n<div class="sg-extra">{{Extra}}</div>\n{{/Extra}}'
BASIC_TEMPLATE = {
    "name": "Card",
    "qfmt": '<div class="sg-front">{{Front}}</div>',
    "afmt": '{{FrontSide}}\n<hr id="answer">\n<div class="sg-back">{{Back}}</div>\n' + EXTRA,
}
CHOICE_TEMPLATE = {
    "name": "Card",
    "qfmt": '<div class="sg-front">{{Question}}</div>\n{{Options}}',
    "afmt": '{{FrontSide}}\n<hr id="answer">\n<div class="sg-back">{{Answer}}</div>\n' + EXTRA,
}
# Anki puts the class nightMode on the card in its night mode (and night_mode in older
# versions): https://docs.ankiweb.net/templates/styling.html#night-mode
CARD_CSS = """\
.card {
  --sg-text: #1f2328; --sg-muted: #4f5863; --sg-line: #c9d1d9; --sg-accent: #0b5cad;
  --sg-soft: #eef3f9; --sg-right: #116329; --sg-code: #f2f4f7;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  font-size: 20px; line-height: 1.45; text-align: left; color: var(--sg-text);
  background: #ffffff;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --sg-text: #e6edf3; --sg-muted: #a9b4bf; --sg-line: #3d444d; --sg-accent: #79b8ff;
  --sg-soft: #1d2733; --sg-right: #7ee2a8; --sg-code: #2d333b;
  background: #1e1e1e;
}
.sg-front, .sg-back, .sg-extra, .sg-options { max-width: 36em; margin: 0 auto; }
.sg-label { margin: 0 0 0.4em; font-size: 0.75em; font-weight: 600; letter-spacing: 0.04em;
  text-transform: uppercase; color: var(--sg-muted); }
.sg-front { font-weight: 600; }
.sg-options { list-style: none; padding: 0; margin-top: 0.8em; }
.sg-options li, .sg-answers li { margin: 0.3em 0; padding: 0.35em 0.6em; border-radius: 6px;
  border: 1px solid var(--sg-line); }
.sg-letter { font-weight: 700; color: var(--sg-accent); margin-right: 0.3em; }
hr#answer { border: 0; border-top: 1px solid var(--sg-line); margin: 1em 0; }
.sg-back { color: var(--sg-right); font-weight: 600; }
.sg-answers { list-style: none; padding: 0; margin: 0; }
.sg-answers li { border-color: var(--sg-right); }
.sg-extra { max-width: 40em; margin-top: 0.8em; padding: 0.6em 0.8em; border-radius: 6px;
  background: var(--sg-soft); font-size: 0.9em; }  /* 40em of 0.9em: the others' 36em */
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em; background: var(--sg-code); padding: 0.05em 0.3em; border-radius: 4px; }
a { color: var(--sg-accent); }
"""


# One note's fields ----------------------------------------------------------------------

def html(text: str) -> str:
    """A text of the model as HTML: an Inline renders its Markdown (escaped), a plain str
    is escaped."""
    return str(escape(text))


def _answers_html(note: Note) -> str:
    return '<ul class="sg-answers">' + "".join(
        f'<li><span class="sg-letter">{option_letter(n)}.</span> {html(note.options[n])}</li>'
        for n in note.answers) + "</ul>"


def note_row(site: m.Site, topic: m.Topic, note: Note, strings) -> dict:
    """A note as the deck stores it: its GUID, note type, fields as HTML and tags (Anki
    shows "a::b" as b under a: topic::<slug>, and each set:value as set::value)."""
    deck = site.deck
    tags = [f"topic::{note.topic}", *(tag.replace(":", "::", 1) for tag in note.tags),
            *exam_tags(site, topic, note)]
    guid = guid_of(deck, note)
    if note.options:
        question = html(note.front)
        if len(note.answers) > 1:
            question += " " + html(strings.text(f"choose_{len(note.answers)}"))
        options = '<ol class="sg-options">' + "".join(
            f'<li><span class="sg-letter">{option_letter(n)}.</span> {html(text)}</li>'
            for n, text in enumerate(note.options)) + "</ol>"
        return {"guid": guid, "model": "choice", "tags": list(dict.fromkeys(tags)),
                "fields": [question, options, _answers_html(note), html(note.extra)]}
    front = html(note.front)
    if note.kind == "myth":  # a misconception reads as a statement: say it is one
        front = f'<p class="sg-label">{html(strings.text("misconception"))}</p>{front}'
    return {"guid": guid, "model": "basic", "tags": list(dict.fromkeys(tags)),
            "fields": [front, html(note.back), html(note.extra)]}


def guid_of(deck: m.DeckSettings, note: Note) -> str:
    from genanki import guid_for  # noqa: PLC0415  only where a deck is made

    return guid_for(deck.id, *note.guid_parts)


def exam_tags(site: m.Site, topic: m.Topic, note: Note) -> tuple[str, ...]:
    """Tags from the exam blueprint: the domain a question counts toward when the question
    names none itself (from its tasks, or its topic's: sitegen.exam.question_domain), as
    <domains set>::<domain>. A question's own domain tag and its tasks are among note.tags
    already. The blueprint is part of every topic's key (content/exam.yaml), so the rows'
    key covers it."""
    exam = site.exam
    if exam is None or note.kind != "question" or not exam.domains_set:
        return ()
    if any(tag.startswith(f"{exam.domains_set}:") for tag in note.tags):
        return ()
    from .exam import question_domain

    block = topic.block(note.block)
    question = next((q for q in getattr(block, "items", ()) if q.id == note.item), None)
    domain = question_domain(site, topic, question) if question is not None else None
    return (f"{exam.domains_set}::{domain.choice.id}",) if domain is not None else ()


# The deck -------------------------------------------------------------------------------

def topic_deck_names(site: m.Site, deck: m.DeckSettings) -> dict[str, str]:
    """Each topic's subdeck, "<deck name>::<short title>" ("::" would nest deeper, so a
    title's own becomes ":"); a short title two topics share is told apart by the slug."""
    def part(text: str) -> str:
        return " ".join(plain_text(text).split()).replace("::", ":")

    titles = [part(topic.short_title) for topic in site.topics]
    counts = Counter(titles)
    root = part(deck.name)
    return {topic.slug: f"{root}::{title}" if counts[title] == 1
            else f"{root}::{title} ({topic.slug})" for topic, title in zip(site.topics, titles)}


def apkg_bytes(site: m.Site, deck: m.DeckSettings, rows: dict[str, list[dict]],
               epoch: int) -> bytes:
    """The .apkg: a collection.anki2 (SQLite) with every topic's rows, zipped."""
    import sqlite3

    import genanki

    models = {
        "basic": genanki.Model(stable_id(deck.id, "basic", *BASIC_FIELDS), f"{deck.name} (Q/A)",
                               fields=[{"name": name} for name in BASIC_FIELDS],
                               templates=[dict(BASIC_TEMPLATE)], css=CARD_CSS),
        "choice": genanki.Model(stable_id(deck.id, "choice", *CHOICE_FIELDS),
                                f"{deck.name} (A/B/C)",
                                fields=[{"name": name} for name in CHOICE_FIELDS],
                                templates=[dict(CHOICE_TEMPLATE)], css=CARD_CSS),
    }
    names = topic_deck_names(site, deck)
    root = genanki.Deck(stable_id(deck.id), " ".join(plain_text(deck.name).split()).replace("::", ":"),
                        description=html(site.description))
    subdecks = {topic.slug: genanki.Deck(stable_id(deck.id, "topic", topic.slug), names[topic.slug],
                                         description=html(topic.summary))
                for topic in site.topics}
    # In memory and serialized: no temporary file, and nothing of the machine in the bytes.
    connection = sqlite3.connect(":memory:")
    try:
        _write_collection(connection.cursor(), site, root, subdecks, models, rows, epoch)
        connection.commit()
        database = connection.serialize()
    finally:
        connection.close()
    return _zipped([("collection.anki2", database), ("media", b"{}")])


def _write_collection(cursor, site: m.Site, root, subdecks: dict, models: dict,
                      rows: dict[str, list[dict]], epoch: int) -> None:
    """genanki's collection (its schema, its col row, its decks' and note types' JSON), with
    the notes and cards written in one pass, as its Package.write_to_db writes them. Its
    own loop reads and rewrites the whole list of decks for every deck, which at a thousand
    topics took twenty seconds; one note at a time cost a tenth of a millisecond more."""
    import itertools

    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
    decks = json.loads(decks_json)
    decks.update({str(d.deck_id): d.to_json() for d in (root, *subdecks.values())})
    note_types = {str(model.model_id): model.to_json(epoch, root.deck_id) for model in models.values()}
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(note_types)))
    # Note and card ids count up from the epoch in milliseconds, as genanki's do; each note
    # has one card (each note type has one template, and a note's prompt is never empty).
    ids = itertools.count(epoch * 1000)
    notes, cards = [], []
    for topic in site.topics:
        deck_id = subdecks[topic.slug].deck_id
        for row in rows[topic.slug]:
            note_id = next(ids)
            notes.append((note_id, row["guid"], models[row["model"]].model_id, epoch, -1,
                          " " + " ".join(row["tags"]) + " ", "\x1f".join(row["fields"]),
                          row["fields"][0], 0, 0, ""))
            cards.append((next(ids), note_id, deck_id, 0, epoch, -1, 0, 0, 0, 0, 0, 0, 0, 0,
                          0, 0, 0, ""))
    cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
    cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)


def _zipped(entries: list[tuple[str, bytes]]) -> bytes:
    import zipfile
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine
            info.external_attr = 0o644 << 16
            # The fastest level: a tenth larger than the default, a third of its time
            # (0.14 s against 0.45 s for a deck of a thousand topics).
            archive.writestr(info, data, compresslevel=1)
    return buffer.getvalue()


# The producer ---------------------------------------------------------------------------

ROWS, DECK = "notes", "deck"
"""The cache's kinds: one topic's rows, and the size of the whole .apkg."""


def _signed(key: str, data: bytes) -> bytes:
    from .templating import signing_key  # loaded with the pages anyway

    return hmac.new(signing_key(), key.encode("ascii") + b":" + data, hashlib.sha256).digest()


def _get_signed(cache: Cache, kind: str, key: str) -> bytes | None:
    """An entry this user's builds made: the rows are published in the deck as they are,
    HTML that Anki shows, and a cache may hold what someone else wrote (a CI cache, a
    shared folder), so an entry without this user's signature is made again."""
    stored = cache.get(kind, key)
    if stored is None or len(stored) < 32:
        return None
    signature, data = stored[:32], stored[32:]
    return data if hmac.compare_digest(signature, _signed(key, data)) else None


def _put_signed(cache: Cache, kind: str, key: str, data: bytes) -> None:
    cache.put(kind, key, _signed(key, data) + data)


def _topic_rows(site: m.Site, topic: m.Topic, strings, cache: Cache, key: str) -> list[dict]:
    found = _get_signed(cache, ROWS, key)
    if found is not None:
        try:
            return json.loads(found)
        except ValueError:
            pass
    rows = [note_row(site, topic, note, strings) for note in topic_notes(topic)]
    _put_signed(cache, ROWS, key, json.dumps(rows, ensure_ascii=False,
                                             separators=(",", ":")).encode("utf-8"))
    return rows


def deck_product(site: m.Site, cache: Cache, topic_keys: dict[str, str] | None = None,
                 ) -> tuple[str, Product, int]:
    """The deck's path, product and size in bytes.

    Each topic's rows are kept by the topic's key, so after an edit only that topic's are
    made again. The deck's key covers all of them and the epoch; its size is kept by that
    key, so a build whose deck is unchanged (a template edited) neither makes it nor loads
    genanki. topic_keys: each topic's key from its files (without, its whole model)."""
    from .i18n import catalogue
    from .output import Product

    deck = site.deck
    assert deck is not None
    epoch = deck_epoch()
    strings = catalogue(site.language)
    keys = {topic.slug: digest(ROWS, deck.id, site.language,
                               (topic_keys or {}).get(topic.slug) or repr(topic))
            for topic in site.topics}
    key = digest(DECK, deck.id, deck.name, str(epoch), site.description,
                 *[part for slug, topic_key in keys.items() for part in (slug, topic_key)])

    @lru_cache(maxsize=1)
    def make() -> bytes:
        rows = {topic.slug: _topic_rows(site, topic, strings, cache, keys[topic.slug])
                for topic in site.topics}
        return apkg_bytes(site, deck, rows, epoch)

    kept = cache.get(DECK, key)
    if kept is not None and kept.isdigit():
        size = int(kept)
    else:
        size = len(make())
        cache.put(DECK, key, str(size).encode("ascii"))
    return deck_path(deck), Product(key, make), size


def produce_deck(job, made):
    """The deck producer: decks/<name>.apkg when site.yaml asks for a deck; its link for
    the pages."""
    from .pipeline import Produced

    if job.site.deck is None:
        return Produced({}, None)
    path, product, size = deck_product(job.site, job.cache, job.inputs.topics)
    return Produced({path: product}, DeckLink(path, -(-size // 1024)))
