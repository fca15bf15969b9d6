"""Checking raw content against the schema and turning it into the frozen model."""

from __future__ import annotations

import difflib
import re

from . import i18n, model as m
from .errors import BuildFailed
from .fields import Fields, get, invisible_character, shown
from .kinds import KINDS, RETIRED, TopicScope
from .inline import plain_text
from .kinds.base import BLOCK_KEYS, optional_inline, optional_text
from .load import Mapping, Node, RawContent, RawTopic, Scalar, Sequence
from .shapes import (ID, TEXT, Block, Choice, Key, ListOf, Pattern, Reference, Shape)
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
    Key("blocks", ListOf(Block(tuple(kind.shape for kind in KINDS.values()))),
        "The page: its blocks, in order.", required=True),
), "One topic: its page and what its card may print.", retired=RETIRED_TOPIC_KEYS)
CARD = Shape("card", (
    Key("topic", Reference("a topic of `topics`"), "The topic the card is of (one card "
        "per topic).", required=True),
    Key("title", TEXT, "The card's title.", required=True),
    Key("subtitle", TEXT, "A line under the title."),
    Key("remember", Reference("a choice set of the topic"), "A set whose values the card's "
        "header lists with their text, keyword in bold."),
    Key("columns", ListOf(ListOf(Reference("a printable block of the topic"))),
        "The card's columns, left to right: each a list of block ids, top to bottom.",
        required=True),
), "A printable one-page quick-reference card of a topic, on A4 and US Letter.")
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
), "The site's settings, topic order and cards.")


def validate(raw: RawContent, known: dict[str, m.Topic] | None = None) -> m.Site:
    """Check everything, report every mistake at once, and return the model.

    known: topics validated before from the very same files, used as they are.
    """
    f = Fields(list(raw.errors))
    site = f.mapping(raw.site, "site.yaml", SITE.required, SITE.optional)
    shared = shared_sets(raw.sets, f)
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
    topics, reported = _topics(site, raw, f, known or {}, shared)
    card_nodes = f.sequence(get(site, "cards"), "cards") if get(site, "cards") else ()
    # Cards name topics and blocks; if the topic list itself is unusable, that is the error.
    listed = isinstance(get(site, "topics"), Sequence)
    cards = tuple(_card(node, topics, reported, f) for node in card_nodes if listed)
    # Card files are named after their topic, so a second card would overwrite the first.
    f.unique([(get(node, "topic"), card.topic.slug) for node, card in zip(card_nodes, cards)
              if card.topic], "card topic")
    result = m.Site(
        title=f.text(get(site, "title"), "site title"),
        description=f.text(get(site, "description"), "site description"),
        author=f.text(get(site, "author"), "site author"),
        language=language,
        sets=tuple(shared.values()),
        topics=tuple(topics.values()),
        cards=cards,
    )
    if f.errors:
        raise BuildFailed(f.errors)
    return result


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


def validate_topic(raw: RawTopic, shared: dict[str, m.ChoiceSet]) -> m.Topic | None:
    """One topic on its own (for a worker process), or None if it has any mistake.

    A topic with mistakes is validated again with the whole content, which reports them
    in context; one without can be used as it is.
    """
    f = Fields([])
    topic, unusable = _topic(raw, f, shared)
    return None if f.errors or unusable else topic


def _topics(site: Mapping | None, raw: RawContent, f: Fields, known: dict[str, m.Topic],
            shared: dict[str, m.ChoiceSet]) -> tuple[dict[str, m.Topic], Reported]:
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
            topics[slug], reported[slug] = _topic(raw.topics[slug], f, shared)
    listed = {slug for _, slug in slugs}
    if isinstance(get(site, "topics"), Sequence) and len(slugs) == len(names):
        for slug in raw.topics:
            if slug not in listed:
                f.error(get(site, "topics"), f"folder topics/{slug}/ is not listed under topics",
                        f"add '- {slug}' to publish it, or move the folder out of content/")
    return topics, reported


def _topic(raw: RawTopic, f: Fields,
           shared: dict[str, m.ChoiceSet]) -> tuple[m.Topic, set[str] | None]:
    """The topic, and the ids of its blocks already reported as broken (None: all of them)."""
    what = f"topic '{raw.slug}'"
    topic = f.mapping(raw.yaml, what, TOPIC.required, TOPIC.optional, TOPIC.retired)
    own = choice_sets(get(topic, "sets"), f, shared) if get(topic, "sets") is not None else {}
    sets = {**shared, **own}  # None for a set with a mistake, already reported
    scope = TopicScope(f, raw.slug, sets, raw.texts)
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
    columns, used = [], []
    for column_node in f.sequence(get(card, "columns"), "card columns"):
        column = []
        for id_node in f.sequence(column_node, "card column"):
            block_id = f.identifier(id_node, "card block")
            if topic is None or block_id is None:
                continue
            block = next((b for b in topic.blocks if b.id == block_id), None)
            if block is None and block_id in (reported.get(topic.slug) or ()):
                continue  # the block's own error says what is wrong with it
            if block is None:
                f.error(id_node, f"card block '{block_id}' is not a block of topic '{topic.slug}'",
                        "printable blocks: " + ", ".join(b.id for b in topic.blocks if b.printable and b.id))
            elif not block.printable:
                f.error(id_node, f"card block '{block_id}' is a {block.kind} block, "
                        "which has no printed form",
                        "printable kinds: " + ", ".join(k for k, v in KINDS.items()
                                                         if v.model.printable))
            else:
                column.append(block)
                used.append((id_node, block_id))
        columns.append(tuple(column))
    f.unique(used, "card block")
    remember = None
    if get(card, "remember") is not None and topic is not None:
        remember = f.reference(get(card, "remember"), "card remember",
                               {s.id: s for s in topic.sets}, "choice set")
    return m.Card(topic=topic, title=f.text(get(card, "title"), "card title"),
                  subtitle=optional_text(card, "subtitle", f), remember=remember,
                  columns=tuple(columns),
                  declared_at=(node.path, node.line, node.col))
