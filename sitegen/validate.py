"""Checking raw content against the schema and turning it into the frozen model."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace as dataclass_replace

from . import i18n, model as m
from .errors import BuildFailed
from .exam import TASK_IDS, TASKS_KEY_TEXT, ExamScope, coverage, exam_warnings, read_exam
from .fields import Fields, get, invisible_character, shown
from .kinds import KINDS, RETIRED, TopicScope
from .inline import plain_text
from .kinds.base import BLOCK_KEYS, optional_inline, optional_text
from .load import Mapping, Node, RawContent, RawTopic, Scalar, Sequence
from .shapes import (ID, TEXT, TEXT_LIST, Block, Choice, Count, Key, ListOf, OneOf, Pattern,
                     Reference, Shape)
from .styles import PALETTE, STYLES

LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
SOURCE_URL = re.compile(r"^https?://[^\s/]+\S*$")
RESERVED_IDS = frozenset({"main", "sources"})
"""Element ids the page templates use; block ids become element ids too."""
COMMON_REQUIRED = tuple(key.name for key in BLOCK_KEYS if key.required)
COMMON_OPTIONAL = tuple(key.name for key in BLOCK_KEYS if not key.required)
RETIRED_TOPIC_KEYS = {
    "parties": "declare them as a choice set under 'sets:' (e.g. id: owner), and name it "
               "where blocks use it",
    "service_models": "declare them as a choice set under 'sets:' (e.g. id: service_model)",
}

# The shapes of site.yaml, sets.yaml and topic.yaml: the keys the functions below read,
# which `sitegen schema` and `sitegen reference` write out (see shapes.py).
VALUE = Shape("value", (
    Key("id", ID, "How cells, answers and tags name the value; quote one YAML reads as "
        "something else, e.g. id: \"yes\".", required=True),
    Key("label", TEXT, "What the reader sees.", required=True),
    Key("text", TEXT, "A short text: a tagline, an example service."),
    Key("keyword", TEXT, "The word of `text` printed in bold on a card."),
    Key("style", Choice(tuple(STYLES), "style name"), "Its colour and pattern, one of the "
        "palette's (default: the next one no value of the set chose)."),
), "A value of a choice set.")
CHOICE_SET = Shape("choice set", (
    Key("id", ID, "How blocks name the set.", required=True),
    Key("name", TEXT, "What one value is, e.g. Owner; the default scenario prompt "
        "\"Which owner?\".", required=True),
    Key("values", ListOf(VALUE), "The values, in order.", required=True),
), "A named list of labelled values that blocks refer to by id.")
SETS_FILE = Shape("sets.yaml", (
    Key("sets", ListOf(CHOICE_SET), "Choice sets every topic may use.", required=True),
), "Choice sets shared by every topic.")
SOURCE = Shape("source", (
    Key("title", TEXT, "The document's title.", required=True),
    Key("url", Pattern(SOURCE_URL.pattern, "http(s) address"), "Its address, http or "
        "https.", required=True),
), "A document the topic is based on.")
TOPIC = Shape("topic.yaml", (
    Key("title", TEXT, "The topic's title.", required=True),
    Key("short_title", TEXT, "A shorter title, for navigation and cards (default: the "
        "title)."),
    Key("icon", TEXT, "An emoji shown with the title."),
    Key("summary", TEXT, "One or two sentences on what the topic covers.", required=True),
    Key("sources", ListOf(SOURCE), "The documents the topic is based on, listed at the end "
        "of its page."),
    Key("sets", ListOf(CHOICE_SET), "The topic's own choice sets (ids other than the "
        "shared ones of sets.yaml)."),
    Key("tasks", TASK_IDS, TASKS_KEY_TEXT.format(what="the topic")),
    Key("blocks", ListOf(Block(tuple(kind.shape for kind in KINDS.values()))),
        "The page: its blocks, in order.", required=True),
), "One topic: its page and what its card may print.", retired=RETIRED_TOPIC_KEYS)
CARD_WIDTH = re.compile(r"^(\d{1,2}(?:\.\d+)?)\s*%$")
MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH = 10, 90
"""Percent of the columns' width a column may be set to."""
CARD_PICK = Shape("picked block", (
    Key("block", Reference("a printable block of the topic"), "The block.", required=True),
    Key("items", ListOf(OneOf((Count(1, 10_000), TEXT))), "The items to print: each a 1-based "
        "position (counted across groups), a question's id, or a table row's heading.",
        required=True),
), "Some items of a block, in place of its id.")
CARD_BLOCKS = ListOf(OneOf((Reference("a printable block of the topic"), CARD_PICK)))
CARD_COLUMN = Shape("card column", (
    Key("blocks", CARD_BLOCKS, "The column's blocks, top to bottom.", required=True),
    Key("width", Pattern(r"^(?:[1-8][0-9](?:\.[0-9]+)?|90(?:\.0+)?)\s*%$", "percentage, 10% to 90%"),
        f"The column's share of the "
        f"columns' width, {MIN_COLUMN_WIDTH}% to {MAX_COLUMN_WIDTH}%; the build sizes columns "
        "without one."),
), "A column with a width of its own, in place of the plain list.")
CARD = Shape("card", (
    Key("topic", Reference("a topic of `topics`"), "The topic the card is of (one card "
        "per topic).", required=True),
    Key("title", TEXT, "The card's title.", required=True),
    Key("subtitle", TEXT, "A line under the title."),
    Key("remember", Reference("a choice set of the topic"), "A set whose values the card's "
        "header lists with their text, keyword in bold."),
    Key("columns", ListOf(OneOf((CARD_BLOCKS, CARD_COLUMN))),
        "The card's columns, left to right: each a list of block ids (or blocks with some "
        "items), top to bottom, or a column with its width.", required=True),
    Key("top", CARD_BLOCKS, "Blocks printed across all columns, under the header."),
    Key("bottom", CARD_BLOCKS, "Blocks printed across all columns, under the columns."),
    Key("notes", OneOf((TEXT, TEXT_LIST)), "Notes printed on the card only, at the foot of its "
        "last column: a text or a list."),
), "A printable one-page quick-reference card of a topic, on A4 and US Letter. The build "
   "finds, for each paper, the largest type size from 8 pt down to 7 pt and the column widths "
   "at which it fits one page.")
DECK = Shape("deck", (
    Key("name", TEXT, "The deck's name in Anki, the parent of one subdeck per topic "
        "(default: the site's title); the file is named after it."),
    Key("id", ID, "What names the deck's notes in Anki for good (default: the name as a "
        "file name, e.g. my-study-guide). Set it to that before renaming a deck people "
        "study: a note keeps its review history only while its deck id stays the same."),
), "An Anki deck of the guide's flashcards (definitions, misconceptions, questions and "
   "scenarios), built as decks/<name>.apkg; `deck: {}` for the defaults.")

BOOK = Shape("book", (
    Key("title", TEXT, "The book's title, on its cover and as the PDF's title (default: the "
        "site's title)."),
    Key("subtitle", TEXT, "A line under the title on the cover."),
), "The whole guide as a printable book: with this key the build also makes "
   "output/guide-a4.pdf and output/guide-letter.pdf (a cover, the contents with page numbers, "
   "every topic, and an answer key). Write `book: {}` for the site's title.")
SITE = Shape("site.yaml", (
    Key("title", TEXT, "The site's title.", required=True),
    Key("description", TEXT, "One sentence on the site, for search engines and links.",
        required=True),
    Key("author", TEXT, "Who wrote it.", required=True),
    Key("language", Pattern(LANGUAGE_TAG.pattern, "language tag"), "The content's language, "
        "a tag such as en or en-GB.", required=True),
    Key("topics", ListOf(ID), "The topics, in order: each the name of a folder under "
        "topics/. Every folder there must be listed.", required=True),
    Key("cards", ListOf(CARD), "The quick-reference cards."),
    Key("deck", DECK, "Build an Anki deck of the guide's flashcards."),
    Key("book", BOOK, "The whole guide as one printable book, on A4 and US Letter."),
), "The site's settings, topic order, cards, deck and book.")


def validate(raw: RawContent, known: dict[str, m.Topic] | None = None) -> m.Site:
    """Check everything, report every mistake at once, and return the model.

    known: topics validated before from the very same files, used as they are.
    """
    f = Fields(list(raw.errors))
    site = f.mapping(raw.site, "site.yaml", SITE.required, SITE.optional)
    shared = shared_sets(raw.sets, f)
    exam = read_exam(raw.exam, raw.exam_path, shared, f)
    language = f.text(get(site, "language"), "language")
    if language and not LANGUAGE_TAG.match(language):
        f.error(get(site, "language"), f"language '{language}' is not a language tag",
                "use a tag such as 'en' or 'en-GB'")
    elif language and i18n.catalogue_tag(language) is None:
        # The interface would be in another language than the content and its lang attribute
        # says, which screen readers would then mispronounce: refused rather than mixed.
        languages = ", ".join(f"{tag} ({i18n.load_catalogue(tag).name})" for tag in i18n.available())
        f.error(get(site, "language"), f"sitegen has no interface strings in language '{language}'",
                f"languages with a catalogue: {languages}; a region may follow, as in 'es-MX'; "
                f"for another, add sitegen/locales/<language>.yaml, a translated copy of en.yaml")
    topics, reported = _topics(site, raw, f, known or {}, shared, exam.scope)
    card_nodes = f.sequence(get(site, "cards"), "cards") if get(site, "cards") else ()
    # Cards name topics and blocks; if the topic list itself is unusable, that is the error.
    listed = isinstance(get(site, "topics"), Sequence)
    cards = tuple(_card(node, topics, reported, f) for node in card_nodes if listed)
    # Card files are named after their topic, so a second card would overwrite the first.
    f.unique([(get(node, "topic"), card.topic.slug) for node, card in zip(card_nodes, cards)
              if card.topic], "card topic")
    title = f.text(get(site, "title"), "site title")
    result = m.Site(
        title=title,
        description=f.text(get(site, "description"), "site description"),
        author=f.text(get(site, "author"), "site author"),
        language=language,
        sets=tuple(shared.values()),
        topics=tuple(topics.values()),
        cards=cards,
        deck=_deck(get(site, "deck"), title, f),
        exam=exam.scope.exam,
        book=_book(get(site, "book"), title, f),
    )
    if f.errors:
        raise BuildFailed(f.errors)
    if result.exam is not None:
        result = dataclass_replace(result, warnings=exam_warnings(
            exam, coverage(result.exam, result.topics)))
    return result


def _deck(node: Node | None, site_title: str | None, f: Fields) -> m.DeckSettings | None:
    """The deck settings, or None when site.yaml asks for no deck."""
    if node is None:
        return None
    from .deck import slug

    deck = f.mapping(node, "deck", DECK.required, DECK.optional)
    name = optional_text(deck, "name", f, "deck name") or site_title or ""
    id_node = get(deck, "id")
    deck_id = f.identifier(id_node, "deck id") if id_node is not None else slug(name)
    return m.DeckSettings(name, deck_id or "")


def _book(node: Node | None, site_title: str | None, f: Fields) -> m.BookSettings | None:
    """The book's settings, or None when site.yaml does not ask for a book."""
    if node is None:
        return None
    if isinstance(node, Scalar) and node.implicit_type == "null" and not node.text:
        f.error(node, "book is empty, expected a mapping of keys",
                "write 'book: {}' for a book under the site's title, or give it a "
                "'title:' and a 'subtitle:'")
        return None
    book = f.mapping(node, "book", BOOK.required, BOOK.optional)
    if book is None:
        return None
    title = f.text(get(book, "title"), "book title") if get(book, "title") is not None else None
    return m.BookSettings(title=title or site_title or "",
                          subtitle=optional_text(book, "subtitle", f, "book subtitle"))


# What was already reported as broken, so that references to it are not reported again:
# per topic name, the ids of blocks dropped for their own errors, or None for a whole topic.
Reported = dict[str, "set[str] | None"]


def shared_sets(node: Node | None, f: Fields) -> dict[str, m.ChoiceSet | None]:
    """The choice sets of sets.yaml (none when it is absent), by id; None for a set with a
    mistake, which was reported: what names it is not reported again."""
    if node is None:
        return {}
    sets_file = f.mapping(node, "sets.yaml", SETS_FILE.required, SETS_FILE.optional)
    return choice_sets(get(sets_file, "sets"), f, {}) if sets_file else {}


def validate_topic(raw: RawTopic, shared: dict[str, m.ChoiceSet],
                   exam: ExamScope | None = None) -> m.Topic | None:
    """One topic on its own (for a worker process), or None if it has any mistake.

    A topic with mistakes is validated again with the whole content, which reports them
    in context; one without can be used as it is. exam: the blueprint its tasks are
    checked against.
    """
    f = Fields([])
    topic, unusable = _topic(raw, f, shared, exam)
    return None if f.errors or unusable else topic


def _topics(site: Mapping | None, raw: RawContent, f: Fields, known: dict[str, m.Topic],
            shared: dict[str, m.ChoiceSet],
            exam: ExamScope) -> tuple[dict[str, m.Topic], Reported]:
    """The listed topics (every folder when site.yaml could not be read)."""
    if raw.site is None:
        names = [(None, slug) for slug in raw.topics]
    else:
        names = [(node, f.identifier(node, "topic name"))
                 for node in f.sequence(get(site, "topics"), "topics")]
    reported: Reported = {node.text: None for node, slug in names
                          if slug is None and isinstance(node, Scalar)}
    slugs = [(node, slug) for node, slug in names if slug]
    f.unique(slugs, "topic")
    topics = {}
    for node, slug in slugs:
        if slug not in raw.topics:
            f.error(node, f"topic '{slug}' has no folder topics/{slug}/",
                    "create the folder with a topic.yaml, or fix the name")
            reported[slug] = None
        elif slug in known:
            topics[slug], reported[slug] = known[slug], set()  # it had no errors
        elif slug not in topics:
            topics[slug], reported[slug] = _topic(raw.topics[slug], f, shared, exam)
    listed = {slug for _, slug in slugs}
    if isinstance(get(site, "topics"), Sequence) and len(slugs) == len(names):
        for slug in raw.topics:
            if slug not in listed:
                f.error(get(site, "topics"), f"folder topics/{slug}/ is not listed under topics",
                        f"add '- {slug}' to publish it, or move the folder out of content/")
    return topics, reported


def _topic(raw: RawTopic, f: Fields, shared: dict[str, m.ChoiceSet],
           exam: ExamScope | None = None) -> tuple[m.Topic, set[str] | None]:
    """The topic, and the ids of its blocks already reported as broken (None: all of them)."""
    what = f"topic '{raw.slug}'"
    topic = f.mapping(raw.yaml, what, TOPIC.required, TOPIC.optional, TOPIC.retired)
    own = choice_sets(get(topic, "sets"), f, shared) if get(topic, "sets") is not None else {}
    sets = {**shared, **own}  # None for a set with a mistake, already reported
    scope = TopicScope(f, raw.slug, sets, raw.texts, exam or ExamScope("exam.yaml"))
    block_nodes = f.sequence(get(topic, "blocks"), "blocks")
    blocks, clean = [], []
    for node in block_nodes:
        before = len(f.errors)
        blocks.append(_block(node, scope))
        clean.append(len(f.errors) == before)
    f.unique([(get(node, "id"), b.id) for node, b in zip(block_nodes, blocks) if b and b.id],
             "block id")
    for node, block in zip(block_nodes, blocks):
        if block and block.id in RESERVED_IDS:
            f.error(get(node, "id"), f"block id '{block.id}' is used by the page itself",
                    "choose another id")
    title = f.text(get(topic, "title"), "topic title")
    written_ids = set()
    for node in block_nodes:
        id_node = get(node, "id") if isinstance(node, Mapping) else None
        if isinstance(id_node, Scalar):
            written_ids.add(id_node.text)
    # Blocks by id for references between them; None for one whose mistakes were reported,
    # so that what refers to it is not reported too.
    by_id: dict[str, m.Block | None] = dict.fromkeys(written_ids)
    by_id.update((b.id, b if ok else None) for b, ok in zip(blocks, clean) if b and b.id)
    for node, block in zip(block_nodes, blocks):
        link = KINDS[block.kind].link if block else None
        if link:
            link(block, by_id, node, f)
    unusable = written_ids - {b.id for b in blocks if b}
    if not isinstance(get(topic, "blocks"), Sequence):
        unusable = None  # unreadable file or no block list: every block reference would fail
    return m.Topic(
        slug=raw.slug,
        title=title,
        short_title=optional_text(topic, "short_title", f) or title,
        icon=optional_text(topic, "icon", f),
        summary=f.text(get(topic, "summary"), "topic summary"),
        sources=_sources(get(topic, "sources"), f),
        sets=tuple(s for s in sets.values() if s),
        blocks=tuple(b for b in blocks if b),
        tasks=scope.tasks(get(topic, "tasks"), "the topic's tasks"),
    ), unusable


def choice_sets(node: Node | None, f: Fields,
                shared: dict[str, m.ChoiceSet | None]) -> dict[str, m.ChoiceSet | None]:
    """A list of choice sets, by id; an id of a shared set may not be declared again.

    A set without a usable value is None: its mistakes were reported, and what names it is
    not reported again. A value without a usable id is left out of its set."""
    found = []
    for item in f.sequence(node, "sets"):
        declared = f.mapping(item, "choice set", CHOICE_SET.required, CHOICE_SET.optional)
        set_id = f.identifier(get(declared, "id"), "set id")
        if set_id in shared:
            f.error(get(declared, "id"), f"set '{set_id}' is already declared in sets.yaml",
                    "use the shared set, or give this one another id")
            set_id = None
        values = tuple(v for v in _values(get(declared, "values"), f) if v.id)
        choice_set = m.ChoiceSet(id=set_id, name=f.text(get(declared, "name"), "set name") or "",
                                 values=values)
        found.append((get(declared, "id"), choice_set, bool(values)))
    f.unique([(n, s.id) for n, s, _ in found if s.id], "set id")
    sets: dict[str, m.ChoiceSet | None] = {}
    for _, choice_set, usable in found:
        if choice_set.id and choice_set.id not in sets:
            sets[choice_set.id] = choice_set if usable else None
    return sets


def _values(node: Node | None, f: Fields) -> tuple[m.Choice, ...]:
    """A set's values, each with a style: the one the author chose, or the next one unused."""
    read = []
    for item in f.sequence(node, "values"):
        value = f.mapping(item, "value", VALUE.required, VALUE.optional)
        text = optional_inline(value, "text", f, "value text")
        keyword = optional_text(value, "keyword", f, "value keyword")
        if keyword and not text and get(value, "text") is None:
            f.error(get(value, "keyword"), f"keyword '{keyword}' has nothing to occur in: the "
                    "value has no text", "write the value's text with the keyword in it, e.g. "
                    "text: Security IN the Cloud, or leave out the keyword")
        elif keyword and text and keyword not in plain_text(text):
            f.error(get(value, "keyword"), f"keyword '{keyword}' does not occur in the value's "
                    f"text '{plain_text(text)}'", "the keyword is the word of the text to remember, e.g. IN")
        style = _style(get(value, "style"), f) if get(value, "style") is not None else None
        read.append((get(value, "id"), f.identifier(get(value, "id"), "value id"),
                     f.inline(get(value, "label"), "value label"), text, keyword,
                     style.name if style else None))
    f.unique([(n, value_id) for n, value_id, *_ in read if value_id], "value id")
    chosen: dict[str, str] = {}
    for (_, value_id, *_, style), item in zip(read, node.items if isinstance(node, Sequence) else ()):
        if style and style in chosen:
            f.error(get(item, "style"), f"values '{chosen[style]}' and '{value_id}' have the "
                    f"same style '{style}', so they cannot be told apart",
                    "give each value of a set its own style, or leave styles to the build")
        elif style:
            chosen[style] = value_id
    free = [s.name for s in PALETTE if s.name not in {r[5] for r in read}] or [PALETTE[0].name]
    values, next_free = [], 0
    for _, value_id, label, text, keyword, style in read:
        if style is None:  # the palette's next unused style; past its end, around again
            style, next_free = free[next_free % len(free)], next_free + 1
        values.append(m.Choice(value_id, label, text, keyword, style))
    return tuple(values)


def _style(node: Node, f: Fields):
    """A style named by the author: one of the palette's."""
    name = f.text(node, "style")
    if name is None or name in STYLES:
        return STYLES.get(name)
    invisible = invisible_character(name)
    if invisible:
        f.error(node, f"style '{shown(name)}' has {invisible}", "delete it; retype the name")
        return None
    close = difflib.get_close_matches(name, list(STYLES), n=1, cutoff=0.6)
    f.error(node, f"style '{shown(name)}' is not a style of the palette",
            f"did you mean '{close[0]}'?" if close else "styles: " + ", ".join(STYLES))
    return None


def _sources(node: Node | None, f: Fields) -> tuple[m.Source, ...]:
    sources = []
    for item in f.sequence(node, "sources") if node is not None else ():
        source = f.mapping(item, "source", SOURCE.required, SOURCE.optional)
        url = f.text(get(source, "url"), "source url")
        if url is not None and not SOURCE_URL.match(url):
            f.error(get(source, "url"), f"source url '{url}' is not an http or https address",
                    "write the full address, e.g. https://docs.aws.amazon.com/...")
            url = None
        sources.append(m.Source(f.text(get(source, "title"), "source title"), url))
    return tuple(sources)


def _block(node: Node, scope: TopicScope) -> m.Block | None:
    f = scope.fields
    if not isinstance(node, Mapping):
        f.mapping(node, "block", COMMON_REQUIRED)
        return None
    kind_node = get(node, "kind")
    if kind_node is None:
        f.error(node, "block is missing the required key 'kind'",
                "kinds: " + ", ".join(KINDS))
        return None
    name = f.text(kind_node, "block kind")
    if name is None:
        return None
    kind = KINDS.get(name)
    invisible = invisible_character(name) if kind is None else None
    if invisible:
        f.error(kind_node, f"block kind '{shown(name)}' has {invisible}",
                "delete it; retype the kind")
        return None
    if kind is None:
        close = difflib.get_close_matches(name, list(KINDS), n=1, cutoff=0.6)
        f.error(kind_node, f"unknown block kind '{shown(name)}'",
                f"did you mean '{close[0]}'?" if close
                else RETIRED.get(name) or "block kinds: " + ", ".join(KINDS))
        return None
    block = f.mapping(node, f"{kind_node.text} block", COMMON_REQUIRED + kind.required,
                      COMMON_OPTIONAL + kind.optional)
    return kind.model(
        id=f.identifier(get(block, "id"), "block id"),
        title=f.inline(get(block, "title"), "block title"),
        icon=optional_text(block, "icon", f),
        **kind.parse(block, scope),
    )




def _card(node: Node, topics: dict[str, m.Topic], reported: Reported, f: Fields) -> m.Card:
    card = f.mapping(node, "card", CARD.required, CARD.optional)
    topic_node = get(card, "topic")
    name = topic_node.text if isinstance(topic_node, Scalar) else None
    if name in reported and reported[name] is None:
        topic = None  # the topic's own errors say what is wrong
    else:
        topic = f.reference(topic_node, "card topic", topics, "topic")
    used: list[tuple[Node, str]] = []

    def blocks(list_node: Node | None, what: str) -> tuple[m.Block, ...]:
        found = (_card_block(entry, topic, reported, f, used) for entry in f.sequence(list_node, what))
        return tuple(block for block in found if block is not None)

    columns, widths = [], []
    for number, column_node in enumerate(f.sequence(get(card, "columns"), "card columns"), 1):
        what = f"card column {number}"
        if isinstance(column_node, Mapping):
            column = f.mapping(column_node, what, CARD_COLUMN.required, CARD_COLUMN.optional)
            columns.append(blocks(get(column, "blocks"), f"blocks of {what}"))
            widths.append(_column_width(get(column, "width"), what, f))
        else:
            columns.append(blocks(column_node, what))
            widths.append(None)
    _check_widths(get(card, "columns"), widths, f)
    top = blocks(get(card, "top"), "card top") if get(card, "top") is not None else ()
    bottom = blocks(get(card, "bottom"), "card bottom") if get(card, "bottom") is not None else ()
    f.unique(used, "card block")
    remember = None
    if get(card, "remember") is not None and topic is not None:
        remember = f.reference(get(card, "remember"), "card remember",
                               {s.id: s for s in topic.sets}, "choice set")
    return m.Card(topic=topic, title=f.text(get(card, "title"), "card title"),
                  subtitle=optional_text(card, "subtitle", f), remember=remember,
                  columns=tuple(columns),
                  declared_at=(node.path, node.line, node.col),
                  widths=tuple(widths) if any(w is not None for w in widths) else (),
                  top=top, bottom=bottom, notes=_card_notes(get(card, "notes"), f))


def _card_block(entry: Node, topic: m.Topic | None, reported: Reported, f: Fields,
                used: list[tuple[Node, str]]) -> m.Block | None:
    """One block a card prints: its id, or {block: id, items: [...]} for some of its items."""
    items_node = None
    id_node = entry
    if isinstance(entry, Mapping):
        picked = f.mapping(entry, "card block", CARD_PICK.required, CARD_PICK.optional)
        id_node, items_node = get(picked, "block"), get(picked, "items")
    block_id = f.identifier(id_node, "card block")
    if topic is None or block_id is None:
        return None
    block = next((b for b in topic.blocks if b.id == block_id), None)
    if block is None and block_id in (reported.get(topic.slug) or ()):
        return None  # the block's own error says what is wrong with it
    if block is None:
        printable = [b.id for b in topic.blocks if b.printable and b.id]
        close = difflib.get_close_matches(block_id, printable, n=1, cutoff=0.6)
        f.error(id_node, f"card block '{block_id}' is not a block of topic '{topic.slug}'",
                f"did you mean '{close[0]}'?" if close else "printable blocks: " + ", ".join(printable))
        return None
    if not block.printable:
        f.error(id_node, f"card block '{block_id}' is a {block.kind} block, "
                "which has no printed form",
                "printable kinds: " + ", ".join(k for k, v in KINDS.items() if v.model.printable))
        return None
    used.append((id_node, block_id))
    return _picked_items(block, items_node, f) if items_node is not None else block


def _item_slots(block: m.Block) -> list[tuple[str, ...]]:
    """What each item a card may pick of a block is called besides its position: its id
    (a question's), or a table row's heading; the items are the block's `items`, or the
    items or rows of its groups, counted across the groups."""
    heads = block.heads() if callable(getattr(block, "heads", None)) else None
    slots = []
    for item in _items_of(block):
        own_id = getattr(item, "id", None)
        slots.append((own_id,) if isinstance(own_id, str) and own_id else ())
    if heads is not None and len(heads) == len(slots):
        slots = [names + ((head,) if isinstance(head, str) else ()) for names, head in zip(slots, heads)]
    return slots


def _items_of(block: m.Block) -> list:
    if hasattr(block, "items"):
        return list(block.items)
    return [item for group in getattr(block, "groups", ())
            for item in getattr(group, "items", None) or getattr(group, "rows", ())]


def _picked_items(block: m.Block, node: Node, f: Fields) -> m.Block:
    """The block with only the items the card names (by 1-based position, or by id)."""
    slots = _item_slots(block)
    if not slots:
        f.error(node, f"card block '{block.id}' has no items to pick", "leave out 'items'")
        return block
    keep: list[tuple[Node, int]] = []
    for item in f.sequence(node, f"items of card block '{block.id}'"):
        if not isinstance(item, Scalar):
            f.expect(item, Scalar, f"item of card block '{block.id}'")
            continue
        text = item.text.strip()
        if text.isdigit():
            position = int(text)
            if not 1 <= position <= len(slots):
                f.error(item, f"card block '{block.id}' has {len(slots)} items, so there is no "
                        f"item {position}", f"number its items from 1 to {len(slots)}")
            else:
                keep.append((item, position - 1))
            continue
        names = {name: index for index, names in enumerate(slots) for name in names}
        if text in names:
            keep.append((item, names[text]))
            continue
        close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.6)
        f.error(item, f"card block '{block.id}' has no item '{text}'",
                f"did you mean '{close[0]}'?" if close else
                (f"name its items by position (1 to {len(slots)})" + (
                    ", or by id: " + ", ".join(names) if names else "")))
    f.unique([(n, str(index + 1)) for n, index in keep], f"item of card block '{block.id}'")
    chosen = {index for _, index in keep}
    if not chosen:
        return block
    return _keep_items(block, chosen)


def _keep_items(block: m.Block, chosen: set[int]) -> m.Block:
    """The block with the items at the chosen positions, in the block's order; groups
    left without any are dropped."""
    if hasattr(block, "items"):
        return dataclass_replace(block, items=tuple(i for n, i in enumerate(block.items) if n in chosen),
                                 numbers=tuple(n + 1 for n in range(len(block.items)) if n in chosen))
    groups, position = [], 0
    for group in block.groups:
        field = "items" if hasattr(group, "items") else "rows"
        kept = []
        for item in getattr(group, field):
            if position in chosen:
                kept.append(item)
            position += 1
        if kept:
            groups.append(dataclass_replace(group, **{field: tuple(kept)}))
    return dataclass_replace(block, groups=tuple(groups))


def _column_width(node: Node | None, what: str, f: Fields) -> float | None:
    """A column's width, written as a percentage of the columns' width, e.g. 40%."""
    if node is None:
        return None
    # 40 without the % sign is a number to YAML: it gets the message of any other width.
    number = isinstance(node, Scalar) and node.implicit_type in ("int", "float")
    text = node.text.strip() if number else f.text(node, f"width of {what}")
    if text is None:
        return None
    found = None if number else CARD_WIDTH.match(text)
    if not found or not MIN_COLUMN_WIDTH <= float(found.group(1)) <= MAX_COLUMN_WIDTH:
        f.error(node, f"width of {what} is '{text}', expected a percentage from "
                f"{MIN_COLUMN_WIDTH}% to {MAX_COLUMN_WIDTH}%",
                "write it as e.g. width: 40% (a share of the width of the columns), or leave "
                "it out to let the build choose")
        return None
    return float(found.group(1)) / 100


def _check_widths(node: Node | None, widths: list[float | None], f: Fields) -> None:
    """The widths set must leave room for the columns without one, or add up to 100%."""
    given = [w for w in widths if w is not None]
    if not given or node is None:
        return
    total = round(sum(given) * 100, 2)
    if len(given) == len(widths) and abs(total - 100) > 0.5:
        f.error(node, f"the card's column widths add up to {total:g}%, not 100%",
                "make them add up to 100%, or leave out the width of a column to let the "
                "build choose it")
    elif len(given) < len(widths) and total > 100 - MIN_COLUMN_WIDTH * (len(widths) - len(given)):
        f.error(node, f"the card's column widths add up to {total:g}%, which leaves too little "
                "for the columns without one",
                f"leave at least {MIN_COLUMN_WIDTH}% for each column without a width")


def _card_notes(node: Node | None, f: Fields) -> tuple[str, ...]:
    """Card-only notes: one text, or a list of them."""
    if node is None:
        return ()
    if isinstance(node, Sequence):
        return f.inlines(node, "card notes")
    note = f.inline(node, "card notes")
    return (note,) if note else ()
