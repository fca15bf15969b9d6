"""Reading content/ from disk: UTF-8 text, and YAML with the source position of every node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError
from .sources import SITE_FILE, TOPIC_FILE, TOPICS_DIR, prose_files, topic_names

ALIAS_TAG = "!sitegen/alias"
"""Tag of the placeholder that stands where an alias was (aliases are refused)."""


@dataclass(frozen=True)
class Node:
    """A YAML value with where it was written."""

    path: str
    """File the value comes from."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""


@dataclass(frozen=True)
class Scalar(Node):
    """A YAML scalar, kept as the text the author wrote."""

    text: str
    """The scalar's text, never converted to a number, boolean or date."""
    implicit_type: str
    """What YAML 1.1 would have made of it: "str", "bool", "int", "float", "null", "timestamp";
    "alias" for an alias, already reported as an error."""


@dataclass(frozen=True)
class Mapping(Node):
    """A YAML mapping; keys are plain text."""

    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    """Key text -> (key node, value node), in source order."""


@dataclass(frozen=True)
class Sequence(Node):
    """A YAML sequence."""

    items: tuple[Node, ...] = ()
    """The items, in order."""


@dataclass(frozen=True)
class TextFile:
    """A decoded text file."""

    path: str
    """Where it was read from."""
    text: str
    """Its contents."""


@dataclass(frozen=True)
class RawTopic:
    """One topic folder as read from disk."""

    slug: str
    """Folder name."""
    yaml: Node | None
    """Parsed topic.yaml, or None if it is missing or unreadable."""
    yaml_path: str
    """Path of topic.yaml."""
    texts: dict[str, TextFile | None]
    """Markdown files in the folder, by file name; None for one that could not be read."""


@dataclass(frozen=True)
class RawContent:
    """Everything under content/, read but not yet checked."""

    site: Node | None
    """Parsed site.yaml, or None when missing or unreadable."""
    site_path: str
    """Path of site.yaml."""
    topics: dict[str, RawTopic]
    """Topic folders by slug, sorted."""
    errors: tuple[ContentError, ...]
    """Problems met while reading (encoding, YAML syntax, duplicate keys, anchors)."""


def load_content(content_dir: Path, known: frozenset[str] = frozenset(),
                 names: list[str] | None = None,
                 sources: dict[str, list[tuple[str, bytes]]] | None = None,
                 site_yaml: bytes | None = None) -> RawContent:
    """Read site.yaml and every topic folder; never raises for a content mistake.

    Topics named in known are already validated from the same files (see the cache), so
    their files are not read again. names: the topic folders, when already listed.
    sources: files already read, by topic (see load_topic); site_yaml: site.yaml's bytes,
    when already read.
    """
    errors: list[ContentError] = []
    site_path = content_dir / SITE_FILE
    has_site = bool(site_yaml) or site_path.is_file()
    # The bytes hashed, even none: the file may have been written since.
    site = _load_yaml(site_path, errors, site_yaml) if has_site else None
    if not has_site:
        errors.append(ContentError(str(site_path), 0, 0, "site.yaml is missing",
                                   "every content folder needs a site.yaml with the site title and topic list"))
    topics = {}
    topics_dir = content_dir / TOPICS_DIR
    for name in topic_names(content_dir) if names is None else names:
        if name in known:
            topics[name] = RawTopic(name, None, f"{topics_dir}/{name}/{TOPIC_FILE}", {})
        else:
            topics[name] = load_topic(topics_dir / name, errors, (sources or {}).get(name))
    return RawContent(site, str(site_path), topics, tuple(errors))


def load_topic(folder: Path, errors: list[ContentError],
               sources: list[tuple[str, bytes]] | None = None) -> RawTopic:
    """Read one topic folder; problems are added to errors.

    sources: the folder's files as sources.topic_sources read them. A build that hashed
    those bytes parses them rather than the files, which the author may have saved again
    since: the model must be of the bytes its cache key names.
    """
    topic_path = folder / TOPIC_FILE
    given = dict(sources) if sources else None
    if given is None and not topic_path.is_file():
        errors.append(ContentError(str(topic_path), 0, 0, "topic.yaml is missing",
                                   "each topic folder needs a topic.yaml"))
    if given is None:
        texts = {md.name: _read_text(md, errors) for md in prose_files(folder)}
    else:
        texts = {name: _read_text(folder / name, errors, data)
                 for name, data in given.items() if name != TOPIC_FILE}
    texts = {name: text if text is None or _refuse_controls(str(folder / name), text, errors)
             else None for name, text in texts.items()}
    has_yaml = given is not None or topic_path.is_file()
    return RawTopic(
        slug=folder.name,
        yaml=_load_yaml(topic_path, errors, given and given[TOPIC_FILE]) if has_yaml else None,
        yaml_path=str(topic_path),
        texts={name: TextFile(str(folder / name), text) if text is not None else None
               for name, text in texts.items()},
    )


def _read_text(path: Path, errors: list[ContentError], data: bytes | None = None) -> str | None:
    """The file's text (data: its bytes, when already read); None after adding an error."""
    try:
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        errors.append(ContentError(str(path), 0, 0, f"cannot read the file: {exc.strerror}",
                                   "check that it is a readable file"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        errors.append(ContentError(
            str(path), line, col,
            f"file is not valid UTF-8 at byte 0x{data[exc.start]:02x} ({exc.reason})",
            "save the file as UTF-8 (it may have been saved as Windows-1252 or Latin-1)"))
        return None
    return text.removeprefix("\ufeff")


class _MarkingLoader(yaml.SafeLoader):
    """SafeLoader that notes anchors and aliases instead of silently sharing nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self.anchor_marks: list[yaml.Mark] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            self.anchor_marks.append(event.start_mark)
            if isinstance(event, yaml.AliasEvent):
                self.get_event()  # reported; stands in as a value validation will not re-report
                return yaml.ScalarNode(ALIAS_TAG, "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


# PyYAML's wording for the commonest slips, said the way an author would fix them.
_YAML_PROBLEMS = {
    "expected <block end>, but found": "this line's indentation does not match the lines above it",
    "mapping values are not allowed here": "unexpected ': ' (is this line indented too far, "
                                           "or is it text with ': ' that needs quotes?)",
    "found character '\\t' that cannot start any token": "a tab character; indent with spaces",
}


# Characters that are no author's text: C0 controls but tab and line feed, DEL, C1 controls,
# lone surrogates and the two non-characters. YAML escapes ("\0", "\e", "\x01") make
# them; a NUL ends Graphviz's reading of a label, the rest make a drawing invalid XML.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _not_text(path: str, line: int, col: int, character: str, hint: str) -> ContentError:
    return ContentError(path, line, col, f"character U+{ord(character):04X} is not allowed in text",
                        hint)


def _refuse_controls(path: str, text: str, errors: list[ContentError]) -> bool:
    """Whether text is free of _NOT_TEXT; else the first such character is reported."""
    found = _NOT_TEXT.search(text)
    if found is None:
        return True
    before = text[:found.start()]
    errors.append(_not_text(path, before.count("\n") + 1,
                            found.start() - (before.rfind("\n") + 1) + 1, found.group(),
                            "delete it; it is usually an invisible control character"))
    return False


_UNCLOSED = {
    "while scanning a quoted scalar": "a quoted text starts here but its closing quote is missing",
    "while parsing a flow sequence": "a [ list starts here but its closing ] is missing",
    "while parsing a flow mapping": "a { mapping starts here but its closing } is missing",
}


# An anchor (&name) or alias (*name) starts a value: after a line start, space, comma or
# bracket, and right before a name. Text with none can go to libyaml.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s,\[{])[&*]\S", re.M)


def _fast_compose(text: str) -> yaml.Node | None | bool:
    """libyaml's parse (ten times faster), or False where the marking loader is needed.

    That is when the text may hold an anchor or alias, which libyaml resolves silently, and
    when it is invalid: the error is then reported in the pure-Python parser's words.
    """
    if not yaml.__with_libyaml__ or _MAYBE_ANCHOR.search(text):
        return False
    try:
        loader = yaml.CSafeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return False


def _load_yaml(path: Path, errors: list[ContentError], data: bytes | None = None) -> Node | None:
    text = _read_text(path, errors, data)
    if text is None:
        return None
    root = _fast_compose(text)
    if root is not False:
        return _to_model(root, path, [], errors)
    try:
        loader = _MarkingLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        errors.append(_syntax_error(path, exc))
        return None
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec forbids
        before = text[: exc.position]
        errors.append(ContentError(str(path), before.count("\n") + 1,
                                   exc.position - (before.rfind("\n") + 1) + 1,
                                   f"character U+{exc.character:04X} is not allowed in YAML",
                                   "delete it; it is usually an invisible control character"))
        return None
    return _to_model(root, path, loader.anchor_marks, errors)


def _to_model(root: yaml.Node | None, path: Path, anchor_marks: list[yaml.Mark],
              errors: list[ContentError]) -> Node:
    for mark in anchor_marks:
        errors.append(ContentError(str(path), mark.line + 1, mark.column + 1,
                                   "YAML anchors and aliases (& and *) are not allowed",
                                   "write the value out in full so each place can be read on its own"))
    if root is None:
        return Scalar(str(path), 1, 1, text="", implicit_type="null")
    return _convert(root, str(path), errors)


def _syntax_error(path: Path, exc: yaml.MarkedYAMLError) -> ContentError:
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark
    # At the end of the file the problem mark says nothing useful: point where the
    # unfinished thing (a quoted string, a flow list) began instead.
    if exc.context in _UNCLOSED:
        mark, problem = exc.context_mark, _UNCLOSED[exc.context]
    elif exc.context_mark is not None and (mark is None or "end of stream" in problem):
        mark, problem = exc.context_mark, f"{exc.context}: {problem}"
    for pattern, plain in _YAML_PROBLEMS.items():
        if problem.startswith(pattern):
            problem = plain
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return ContentError(str(path), line, col, f"YAML syntax error: {problem}",
                        "check indentation, colons and quotes on this line and the one before")


_IMPLICIT_TYPES = {
    ALIAS_TAG: "alias",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
}


def _convert(node: yaml.Node, path: str, errors: list[ContentError]) -> Node:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        kind = "str" if node.style else _IMPLICIT_TYPES.get(node.tag, "str")
        found = _NOT_TEXT.search(node.value)
        if found is not None:  # written as an escape: the raw character is refused on reading
            errors.append(_not_text(
                path, line, col, found.group(),
                "remove the escape that writes it, such as \\0, \\e or \\x01, from this quoted text"))
        return Scalar(path, line, col, text=node.value, implicit_type=kind)
    if isinstance(node, yaml.SequenceNode):
        return Sequence(path, line, col, items=tuple(_convert(item, path, errors) for item in node.value))
    entries: dict[str, tuple[Scalar, Node]] = {}
    for key_node, value_node in node.value:
        key = _convert(key_node, path, errors)
        if not isinstance(key, Scalar):
            errors.append(ContentError(path, key.line, key.col, "a mapping key must be plain text"))
            continue
        if key.text in entries:
            first = entries[key.text][0]
            errors.append(ContentError(path, key.line, key.col, f"duplicate key '{key.text}'",
                                       f"it is already set on line {first.line}; keep one"))
            continue
        entries[key.text] = (key, _convert(value_node, path, errors))
    return Mapping(path, line, col, entries=entries)
