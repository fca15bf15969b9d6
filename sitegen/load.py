"""Reading content/ from disk: UTF-8 text, and YAML with the source position of every node."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError

SITE_FILE = "site.yaml"
TOPICS_DIR = "topics"
TOPIC_FILE = "topic.yaml"


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
    """What YAML 1.1 would have made of it: "str", "bool", "int", "float", "null", "timestamp"."""


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
    texts: dict[str, TextFile]
    """Markdown files in the folder, by file name."""


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


def load_content(content_dir: Path) -> RawContent:
    """Read site.yaml and every topic folder; never raises for a content mistake."""
    errors: list[ContentError] = []
    site_path = content_dir / SITE_FILE
    site = _load_yaml(site_path, errors) if site_path.is_file() else None
    if not site_path.is_file():
        errors.append(ContentError(str(site_path), 0, 0, "site.yaml is missing",
                                   "every content folder needs a site.yaml with the site title and topic list"))
    topics = {}
    topics_dir = content_dir / TOPICS_DIR
    for folder in sorted(p for p in topics_dir.glob("*") if p.is_dir()):
        topic_path = folder / TOPIC_FILE
        texts = {}
        for md in sorted(folder.glob("*.md")):
            text = _read_text(md, errors)
            if text is not None:
                texts[md.name] = TextFile(str(md), text)
        topics[folder.name] = RawTopic(
            slug=folder.name,
            yaml=_load_yaml(topic_path, errors) if topic_path.is_file() else None,
            yaml_path=str(topic_path),
            texts=texts,
        )
    return RawContent(site, str(site_path), topics, tuple(errors))


def _read_text(path: Path, errors: list[ContentError]) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        errors.append(ContentError(
            str(path), line, col,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} cannot start or continue a character)",
            "save the file as UTF-8; content files must be UTF-8"))
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
                self.get_event()
                return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def _load_yaml(path: Path, errors: list[ContentError]) -> Node | None:
    text = _read_text(path, errors)
    if text is None:
        return None
    loader = _MarkingLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        errors.append(ContentError(str(path), line, col, f"YAML syntax error: {problem}",
                                   "check indentation, colons and quotes around this point"))
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error for control characters
        errors.append(ContentError(str(path), 0, 0, f"YAML error: {exc}"))
        return None
    finally:
        loader.dispose()
    for mark in loader.anchor_marks:
        errors.append(ContentError(str(path), mark.line + 1, mark.column + 1,
                                   "YAML anchors and aliases (& and *) are not allowed",
                                   "write the value out in full so each place can be read on its own"))
    if root is None:
        return Scalar(str(path), 1, 1, text="", implicit_type="null")
    return _convert(root, str(path), errors)


_IMPLICIT_TYPES = {
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
