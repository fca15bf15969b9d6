"""Checking raw content against the schema and turning it into the frozen model."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Callable

from . import model as m
from .errors import BuildFailed, ContentError
from .fields import Fields, get, plural
from .load import Mapping, Node, RawContent, RawTopic, Scalar, Sequence, TextFile
from .prose import images_in

LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
PROSE_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*\.md$")


@dataclass
class TopicScope:
    """What a block parser may refer to while reading one topic."""

    fields: Fields
    slug: str
    parties: dict[str, m.Party]
    service_models: dict[str, m.ServiceModel]
    texts: dict[str, TextFile | None]


@dataclass(frozen=True)
class BlockKind:
    """How to read one kind of block: its keys beyond the common ones, and its parser."""

    model: type[m.Block]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[Mapping, TopicScope], dict]


MAX_PARTIES = 3
RESERVED_IDS = frozenset({"main"})
"""Element ids the page templates use; block ids become element ids too."""
COMMON_REQUIRED = ("kind", "id", "title")
COMMON_OPTIONAL = ("icon",)


def validate(raw: RawContent, known: dict[str, m.Topic] | None = None) -> m.Site:
    """Check everything, report every mistake at once, and return the model.

    known: topics validated before from the very same files, used as they are.
    """
    f = Fields(list(raw.errors))
    site = f.mapping(raw.site, "site.yaml", ("title", "description", "author", "language", "topics"),
                     ("cards",))
    language = f.text(get(site, "language"), "language")
    if language and not LANGUAGE_TAG.match(language):
        f.error(get(site, "language"), f"language '{language}' is not a language tag",
                "use a tag such as 'en' or 'en-GB'")
    topics, reported = _topics(site, raw, f, known or {})
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
        topics=tuple(topics.values()),
        cards=cards,
    )
    if f.errors:
        raise BuildFailed(f.errors)
    return result


# What was already reported as broken, so that references to it are not reported again:
# per topic name, the ids of blocks dropped for their own errors, or None for a whole topic.
Reported = dict[str, "set[str] | None"]


def validate_topic(raw: RawTopic) -> m.Topic | None:
    """One topic on its own (for a worker process), or None if it has any mistake.

    A topic with mistakes is validated again with the whole content, which reports them
    in context; one without can be used as it is.
    """
    f = Fields([])
    topic, unusable = _topic(raw, f)
    return None if f.errors or unusable else topic


def _topics(site: Mapping | None, raw: RawContent, f: Fields,
            known: dict[str, m.Topic]) -> tuple[dict[str, m.Topic], Reported]:
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
            topics[slug], reported[slug] = _topic(raw.topics[slug], f)
    listed = {slug for _, slug in slugs}
    if isinstance(get(site, "topics"), Sequence) and len(slugs) == len(names):
        for slug in raw.topics:
            if slug not in listed:
                f.error(get(site, "topics"), f"folder topics/{slug}/ is not listed under topics",
                        f"add '- {slug}' to publish it, or move the folder out of content/")
    return topics, reported


def _topic(raw: RawTopic, f: Fields) -> tuple[m.Topic, set[str] | None]:
    """The topic, and the ids of its blocks already reported as broken (None: all of them)."""
    what = f"topic '{raw.slug}'"
    topic = f.mapping(raw.yaml, what, ("title", "summary", "parties", "blocks"),
                      ("short_title", "icon", "service_models"))
    parties = _declared(get(topic, "parties"), "parties", "party", f, _party)
    parties = {pid: replace(party, index=i) for i, (pid, party) in enumerate(parties.items(), 1)}
    if len(parties) > MAX_PARTIES:
        f.error(get(topic, "parties").items[MAX_PARTIES], f"{len(parties)} parties declared; at most "
                f"{MAX_PARTIES} can be told apart", "the diagrams, tables and card have three party styles")
    service_models = (_declared(get(topic, "service_models"), "service_models", "service model", f,
                                _service_model)
                      if get(topic, "service_models") else {})
    scope = TopicScope(f, raw.slug, parties, service_models, raw.texts)
    block_nodes = f.sequence(get(topic, "blocks"), "blocks")
    blocks = [_block(node, scope) for node in block_nodes]
    f.unique([(get(node, "id"), b.id) for node, b in zip(block_nodes, blocks) if b and b.id],
             "block id")
    for node, block in zip(block_nodes, blocks):
        if block and block.id in RESERVED_IDS:
            f.error(get(node, "id"), f"block id '{block.id}' is used by the page itself",
                    "choose another id")
    by_id = {b.id: b for b in blocks if b}
    for node, block in zip(block_nodes, blocks):
        if isinstance(block, m.Diagram) and block.source:
            source = by_id.get(block.source)
            if not isinstance(source, m.Matrix):
                problem = ("names no block in this topic" if source is None
                           else f"names a {source.kind} block")
                matrices = [b.id for b in blocks if isinstance(b, m.Matrix) and b.id]
                f.error(get(node, "source"), f"diagram source '{block.source}' {problem}; "
                        "expected the id of a matrix block",
                        "matrix blocks here: " + (", ".join(matrices) or "none"))
    title = f.text(get(topic, "title"), "topic title")
    written_ids = set()
    for node in block_nodes:
        id_node = get(node, "id") if isinstance(node, Mapping) else None
        if isinstance(id_node, Scalar):
            written_ids.add(id_node.text)
    unusable = written_ids - {b.id for b in blocks if b}
    if not isinstance(get(topic, "blocks"), Sequence):
        unusable = None  # unreadable file or no block list: every block reference would fail
    return m.Topic(
        slug=raw.slug,
        title=title,
        short_title=_optional_text(topic, "short_title", f) or title,
        icon=_optional_text(topic, "icon", f),
        summary=f.text(get(topic, "summary"), "topic summary"),
        parties=tuple(parties.values()),
        service_models=tuple(service_models.values()),
        blocks=tuple(b for b in blocks if b),
    ), unusable


def _declared(node: Node | None, what: str, singular: str, f: Fields, parse) -> dict:
    """A list of declarations, each with a unique id, keyed by that id."""
    items = [(item, parse(item, f)) for item in f.sequence(node, what)]
    f.unique([(get(item, "id"), decl.id) for item, decl in items if decl.id], f"{singular} id")
    return {decl.id: decl for _, decl in items if decl.id}


def _party(node: Node, f: Fields) -> m.Party:
    party = f.mapping(node, "party", ("id", "name", "responsibility", "tagline", "keyword"))
    tagline = f.text(get(party, "tagline"), "party tagline")
    keyword = f.text(get(party, "keyword"), "party keyword")
    if tagline and keyword and keyword not in tagline:
        f.error(get(party, "keyword"), f"party keyword '{keyword}' does not occur in the tagline "
                f"'{tagline}'", "the keyword is the word of the tagline to remember, e.g. IN")
    return m.Party(
        id=f.identifier(get(party, "id"), "party id"),
        name=f.text(get(party, "name"), "party name"),
        responsibility=f.text(get(party, "responsibility"), "party responsibility"),
        tagline=tagline,
        keyword=keyword,
        index=0,  # set once all parties are read
    )


def _service_model(node: Node, f: Fields) -> m.ServiceModel:
    model = f.mapping(node, "service model", ("id", "name", "example"))
    return m.ServiceModel(
        id=f.identifier(get(model, "id"), "service model id"),
        name=f.text(get(model, "name"), "service model name"),
        example=f.text(get(model, "example"), "service model example"),
    )


def _optional_text(mapping: Mapping | None, key: str, f: Fields) -> str:
    node = get(mapping, key)
    return (f.text(node, key) or "") if node is not None else ""


def _block(node: Node, scope: TopicScope) -> m.Block | None:
    f = scope.fields
    if not isinstance(node, Mapping):
        f.mapping(node, "block", COMMON_REQUIRED)
        return None
    kind_node = get(node, "kind")
    if kind_node is None:
        f.error(node, "block is missing the required key 'kind'",
                "kinds: " + ", ".join(BLOCK_KINDS))
        return None
    name = f.text(kind_node, "block kind")
    if name is None:
        return None
    kind = BLOCK_KINDS.get(name)
    if kind is None:
        close = difflib.get_close_matches(name, list(BLOCK_KINDS), n=1, cutoff=0.6)
        f.error(kind_node, f"unknown block kind '{name}'",
                f"did you mean '{close[0]}'?" if close else "block kinds: " + ", ".join(BLOCK_KINDS))
        return None
    block = f.mapping(node, f"{kind_node.text} block", COMMON_REQUIRED + kind.required,
                      COMMON_OPTIONAL + kind.optional)
    return kind.model(
        id=f.identifier(get(block, "id"), "block id"),
        title=f.text(get(block, "title"), "block title"),
        icon=_optional_text(block, "icon", f),
        **kind.parse(block, scope),
    )


# Block parsers: each reads the keys its kind declares in BLOCK_KINDS and returns the
# kind-specific fields of the model. Errors go to scope.fields; the build fails afterwards.

def _parse_prose(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    name = f.text(get(block, "file"), "prose file")
    if name is not None and not PROSE_FILE.match(name):
        f.error(get(block, "file"), f"prose file '{name}' must be a .md file name in the topic folder",
                "no folders or '..'; for example overview.md")
        name = None
    elif name in scope.texts and scope.texts[name] is None:
        name = None  # the file exists but could not be read; that was reported
    elif name is not None and name not in scope.texts:
        f.error(get(block, "file"), f"prose file '{name}' not found in topics/{scope.slug}/",
                "files there: " + (", ".join(scope.texts) or "none"))
        name = None
    text = scope.texts.get(name)
    if text is not None:
        _check_prose(text, f)
    return {"markdown": text.text if text else ""}


def _check_prose(text: TextFile, f: Fields) -> None:
    """Prose the site cannot show as written: an empty file, or images (nothing copies them)."""
    if not text.text.strip():
        f.errors.append(ContentError(text.path, 0, 0, "prose file is empty",
                                     "write the text, or remove the prose block"))
    for line, target in images_in(text.text):
        f.errors.append(ContentError(text.path, line, 1, f"image '{target}' in prose: images are "
                                     "not supported", "describe it in words, or draw it as a diagram block"))


def _parse_layers(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    layers = []
    for node in f.sequence(get(block, "layers"), "layers"):
        layer = f.mapping(node, "layer", ("party", "parts"), ("groups",))
        groups = []
        if get(layer, "groups") is not None:
            for group_node in f.sequence(get(layer, "groups"), "groups"):
                group = f.mapping(group_node, "group", ("name", "parts"))
                groups.append(m.PartGroup(f.text(get(group, "name"), "group name"),
                                          f.texts(get(group, "parts"), "parts")))
        layers.append((get(layer, "party"), m.Layer(
            party=f.reference(get(layer, "party"), "layer party", scope.parties, "party"),
            parts=f.texts(get(layer, "parts"), "parts"),
            groups=tuple(groups),
        )))
    f.unique([(node, layer.party.id) for node, layer in layers if layer.party], "layer party")
    return {"caption": f.text(get(block, "caption"), "caption"),
            "boundary": f.text(get(block, "boundary"), "boundary"),
            "layers": tuple(layer for _, layer in layers)}


def _per_key(node: Node | None, what: str, keys: dict, kind: str, f: Fields,
             check_keys: bool = True) -> dict[str, Node]:
    """A mapping with one entry per declared key (a value per party or per service model)."""
    if not f.expect(node, Mapping, what) or not keys:
        return {}  # with nothing declared, the missing declaration is the one error to report
    if not check_keys:
        return {key: get(node, key) for key in keys if get(node, key) is not None}
    suggested = set()
    for key, (key_node, _) in node.entries.items():
        if key not in keys:
            close = difflib.get_close_matches(key, [k for k in keys if k not in node.entries],
                                              n=1, cutoff=0.6)
            f.error(key_node, f"'{key}' in {what} is not a declared {kind}",
                    f"did you mean '{close[0]}'?" if close
                    else f"declared {plural(kind)}: " + ", ".join(keys))
            suggested.update(close)
    for key in keys:
        if key not in node.entries and key not in suggested:
            f.error(node, f"{what} has no entry for {kind} '{key}'",
                    f"add '{key}: ...'; every declared {kind} needs one")
    return {key: get(node, key) for key in keys if get(node, key) is not None}


def _parse_comparison(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    party_nodes = f.sequence(get(block, "parties"), "compared parties")
    parties = [f.reference(node, "compared party", scope.parties, "party") for node in party_nodes]
    f.unique([(node, p.id) for node, p in zip(party_nodes, parties) if p], "compared party")
    compared = {p.id: p for p in parties if p}
    # With a compared party already reported, the rows' keys cannot be judged: only read them.
    keys_known = all(parties)
    rows = []
    aspects = []
    for node in f.sequence(get(block, "rows"), "rows"):
        row = f.mapping(node, "comparison row", ("aspect", "values"))
        aspect = f.text(get(row, "aspect"), "aspect")
        values = _per_key(get(row, "values"), f"values of '{aspect}'", compared, "party",
                          f, check_keys=keys_known)
        rows.append(m.ComparisonRow(aspect, tuple(
            f.text(values.get(pid), f"value for {pid}") for pid in compared)))
        aspects.append((get(row, "aspect"), aspect))
    f.unique([(n, a) for n, a in aspects if a], "aspect")
    return {"caption": f.text(get(block, "caption"), "caption"),
            "heading": f.text(get(block, "heading"), "heading"),
            "parties": tuple(compared.values()), "rows": tuple(rows)}


def _parse_breakdown(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    sections = []
    for node in f.sequence(get(block, "sections"), "sections"):
        section = f.mapping(node, "breakdown section", ("party", "intro", "areas"))
        areas = []
        for area_node in f.sequence(get(section, "areas"), "areas"):
            area = f.mapping(area_node, "area", ("name", "points"))
            areas.append(m.Area(f.text(get(area, "name"), "area name"),
                                f.texts(get(area, "points"), "points")))
        sections.append(m.BreakdownSection(
            party=f.reference(get(section, "party"), "section party", scope.parties, "party"),
            intro=f.text(get(section, "intro"), "intro"),
            areas=tuple(areas),
        ))
    return {"sections": tuple(sections)}


def _parse_matrix(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    if not scope.service_models:
        f.error(block, "a matrix needs service models, but the topic declares none",
                "add service_models (id, name, example) to topic.yaml")
    groups, components = [], []
    for node in f.sequence(get(block, "groups"), "matrix groups"):
        group = f.mapping(node, "matrix group", ("name", "rows"))
        rows = []
        for row_node in f.sequence(get(group, "rows"), "matrix rows"):
            row = f.mapping(row_node, "matrix row", ("component", "owners"))
            component = f.text(get(row, "component"), "component")
            cells = _per_key(get(row, "owners"), f"owners of '{component}'",
                             scope.service_models, "service model", f)
            owners = tuple(f.reference(cells.get(sid), f"owner of '{component}' under {sm.name}",
                                       scope.parties, "party")
                           for sid, sm in scope.service_models.items())
            rows.append(m.MatrixRow(component, owners))
            components.append((get(row, "component"), component))
        groups.append(m.MatrixGroup(f.text(get(group, "name"), "group name"), tuple(rows)))
    f.unique([(n, c) for n, c in components if c], "component")
    return {"caption": f.text(get(block, "caption"), "caption"),
            "heading": f.text(get(block, "heading"), "heading"),
            "service_models": tuple(scope.service_models.values()), "groups": tuple(groups)}


def _parse_diagram(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    return {"source": f.identifier(get(block, "source"), "diagram source"),
            "caption": f.text(get(block, "caption"), "caption")}


def _parse_definitions(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    groups = []
    for node in f.sequence(get(block, "groups"), "groups"):
        group = f.mapping(node, "definition group", ("title", "items"))
        items = []
        for item_node in f.sequence(get(group, "items"), "items"):
            item = f.mapping(item_node, "definition", ("term", "definition"))
            items.append(m.Definition(f.text(get(item, "term"), "term"),
                                      f.text(get(item, "definition"), "definition")))
        groups.append(m.DefinitionGroup(f.text(get(group, "title"), "group title"), tuple(items)))
    return {"groups": tuple(groups)}


def _parse_myths(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    items = []
    for node in f.sequence(get(block, "items"), "items"):
        item = f.mapping(node, "misconception", ("myth", "reality"))
        items.append(m.Myth(f.text(get(item, "myth"), "myth"), f.text(get(item, "reality"), "reality")))
    return {"caption": f.text(get(block, "caption"), "caption"), "items": tuple(items)}


def _parse_scenarios(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    items = []
    for node in f.sequence(get(block, "items"), "scenarios"):
        item = f.mapping(node, "scenario", ("title", "question", "answer", "explanation"))
        items.append(m.Scenario(
            title=f.text(get(item, "title"), "scenario title"),
            question=f.text(get(item, "question"), "question"),
            answer=f.reference(get(item, "answer"), "answer", scope.parties, "party"),
            explanation=f.text(get(item, "explanation"), "explanation"),
        ))
    return {"items": tuple(items)}


def _parse_tips(block: Mapping, scope: TopicScope) -> dict:
    return {"items": scope.fields.texts(get(block, "items"), "tips")}


def _parse_list(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    ordered = get(block, "ordered")
    return {"ordered": bool(f.flag(ordered, "ordered")) if ordered is not None else False,
            "items": f.texts(get(block, "items"), "items")}


def _parse_quick_reference(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    groups = []
    for node in f.sequence(get(block, "groups"), "groups"):
        group = f.mapping(node, "quick-reference group", ("title", "items"), ("party",))
        party = get(group, "party")
        groups.append(m.QuickGroup(
            title=f.text(get(group, "title"), "group title"),
            party=f.reference(party, "group party", scope.parties, "party") if party else None,
            items=f.texts(get(group, "items"), "items"),
        ))
    return {"groups": tuple(groups), "caption": _optional_text(block, "caption", f)}


BLOCK_KINDS: dict[str, BlockKind] = {
    "prose": BlockKind(m.Prose, ("file",), (), _parse_prose),
    "layers": BlockKind(m.Layers, ("caption", "boundary", "layers"), (), _parse_layers),
    "comparison": BlockKind(m.Comparison, ("caption", "heading", "parties", "rows"), (),
                            _parse_comparison),
    "breakdown": BlockKind(m.Breakdown, ("sections",), (), _parse_breakdown),
    "matrix": BlockKind(m.Matrix, ("caption", "heading", "groups"), (), _parse_matrix),
    "diagram": BlockKind(m.Diagram, ("source", "caption"), (), _parse_diagram),
    "definitions": BlockKind(m.Definitions, ("groups",), (), _parse_definitions),
    "myths": BlockKind(m.Myths, ("caption", "items"), (), _parse_myths),
    "scenarios": BlockKind(m.Scenarios, ("items",), (), _parse_scenarios),
    "tips": BlockKind(m.Tips, ("items",), (), _parse_tips),
    "list": BlockKind(m.ItemList, ("items",), ("ordered",), _parse_list),
    "quick_reference": BlockKind(m.QuickReference, ("groups",), ("caption",),
                                 _parse_quick_reference),
}


def _card(node: Node, topics: dict[str, m.Topic], reported: Reported, f: Fields) -> m.Card:
    card = f.mapping(node, "card", ("topic", "title", "columns"), ("subtitle",))
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
                        "printable kinds: " + ", ".join(k for k, v in BLOCK_KINDS.items()
                                                         if v.model.printable))
            else:
                column.append(block)
                used.append((id_node, block_id))
        columns.append(tuple(column))
    f.unique(used, "card block")
    return m.Card(topic=topic, title=f.text(get(card, "title"), "card title"),
                  subtitle=_optional_text(card, "subtitle", f), columns=tuple(columns),
                  declared_at=(node.path, node.line, node.col))
