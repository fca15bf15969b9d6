"""Reading content/ from disk: UTF-8 text, and YAML with the source position of every node."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import field
from pathlib import Path
from typing import NamedTuple

import yaml

from .records import frozen
from .errors import ContentError, excerpt
from .sources import (EXAM_FILE, SETS_FILE, SITE_FILE, TOPIC_FILE, TOPICS_DIR, RefusedFile, prose_files, read_file,
                      topic_names)


MAX_DEPTH = 100
"""How deep lists and mappings may nest in a YAML file (the shipped content nests six deep).
Deeper nesting is refused where it passes the limit, as soon as the parser gets there: the
pure-Python parser's work grows with the square of the depth (100,000 levels of [ took
minutes), and libyaml stops at 1000."""

MAX_VALUES = 100_000
"""How many values (texts, lists and mappings) a YAML file may hold: half as many again as
a topic.yaml of MAX_FILE_BYTES written as the shipped one is, so that only a degenerate
file ("[a,a,a,...]") meets it first; its nodes then take a few tens of MB, not hundreds."""


@frozen
class Node:
    """A YAML value with where it was written."""

    path: str
    """File the value comes from."""
    line: int
    """1-based line."""
    col: int
    """1-based column."""


@frozen
class Scalar(Node):
    """A YAML scalar, kept as the text the author wrote."""

    text: str
    """The scalar's text, never converted to a number, boolean or date."""
    implicit_type: str
    """What YAML 1.1 would have made of it: "str", "bool", "int", "float", "null", "timestamp";
    "alias" for an alias, already reported as an error."""


@frozen
class Mapping(Node):
    """A YAML mapping; keys are plain text."""

    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    """Key text -> (key node, value node), in source order."""


@frozen
class Sequence(Node):
    """A YAML sequence."""

    items: tuple[Node, ...] = ()
    """The items, in order."""


@frozen
class TextFile:
    """A decoded text file."""

    path: str
    """Where it was read from."""
    text: str
    """Its contents."""


@frozen
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


@frozen
class RawContent:
    """Everything under content/, read but not yet checked."""

    site: Node | None
    """Parsed site.yaml, or None when missing or unreadable."""
    site_path: str
    """Path of site.yaml."""
    topics: dict[str, RawTopic]
    """Topic folders by slug, sorted."""
    sets: Node | None
    """Parsed sets.yaml, the choice sets every topic may use; None when there is none."""
    errors: tuple[ContentError, ...]
    """Problems met while reading (encoding, YAML syntax, duplicate keys, anchors)."""
    exam: Node | None = None
    """Parsed exam.yaml, the exam blueprint; None when there is none (or it is unreadable)."""
    exam_path: str = EXAM_FILE
    """Path of exam.yaml, there or not: messages about task ids name it."""


def load_content(content_dir: Path, known: frozenset[str] = frozenset(),
                 names: list[str] | None = None,
                 sources: dict[str, list[tuple[str, bytes]]] | None = None,
                 site_yaml: bytes | None = None, sets_yaml: bytes | None = None,
                 exam_yaml: bytes | None = None) -> RawContent:
    """Read site.yaml and every topic folder; never raises for a content mistake.

    Topics named in known are already validated from the same files (see the cache), so
    their files are not read again. names: the topic folders, when already listed.
    sources: files already read, by topic (see load_topic); site_yaml, sets_yaml and
    exam_yaml: those files' bytes, when already read.
    """
    errors: list[ContentError] = []
    site_path = content_dir / SITE_FILE
    has_site = bool(site_yaml) or os.path.lexists(site_path)
    # The bytes hashed, even none: the file may have been written since.
    site = _load_yaml(site_path, errors, site_yaml) if has_site else None
    if not has_site:
        errors.append(ContentError(str(site_path), 0, 0, "site.yaml is missing",
                                   "every content folder needs a site.yaml with the site title and topic list"))
    sets = load_sets(content_dir, errors, sets_yaml)
    topics = {}
    topics_dir = content_dir / TOPICS_DIR
    for name in topic_names(content_dir) if names is None else names:
        if name in known:
            topics[name] = RawTopic(name, None, f"{topics_dir}/{name}/{TOPIC_FILE}", {})
        else:
            topics[name] = load_topic(topics_dir / name, errors, (sources or {}).get(name))
    exam = load_exam(content_dir, errors, exam_yaml)
    return RawContent(site, str(site_path), topics, sets, tuple(errors), exam,
                      str(content_dir / EXAM_FILE))


def load_sets(content_dir: Path, errors: list[ContentError],
              sets_yaml: bytes | None = None) -> Node | None:
    """sets.yaml parsed (from sets_yaml, its bytes, when already read); None without one."""
    sets_path = content_dir / SETS_FILE
    if sets_yaml is None and not os.path.lexists(sets_path):
        return None
    return _load_yaml(sets_path, errors, sets_yaml)


def load_exam(content_dir: Path, errors: list[ContentError],
              exam_yaml: bytes | None = None) -> Node | None:
    """exam.yaml parsed (from exam_yaml, its bytes, when already read); None without one."""
    exam_path = content_dir / EXAM_FILE
    if exam_yaml is None and not os.path.lexists(exam_path):
        return None
    return _load_yaml(exam_path, errors, exam_yaml)


def load_topic(folder: Path, errors: list[ContentError],
               sources: list[tuple[str, bytes]] | None = None) -> RawTopic:
    """Read one topic folder; problems are added to errors.

    sources: the folder's files as sources.topic_sources read them. A build that hashed
    those bytes parses them rather than the files, which the author may have saved again
    since: the model must be of the bytes its cache key names.
    """
    topic_path = folder / TOPIC_FILE
    nothing = RawTopic(folder.name, None, str(topic_path), {})
    if _is_link(folder, errors):
        return nothing
    given = dict(sources) if sources else None
    if given is None:
        try:
            os.listdir(folder)
        except OSError as exc:
            errors.append(ContentError(str(folder), 0, 0,
                                       f"cannot read the folder: {exc.strerror}",
                                       "check that it is a folder you can read"))
            return nothing
        if not os.path.lexists(topic_path):
            errors.append(ContentError(str(topic_path), 0, 0, "topic.yaml is missing",
                                       "each topic folder needs a topic.yaml"))
    if given is None:
        texts = {md.name: _read_text(md, errors) for md in prose_files(folder)}
    else:
        texts = {name: _read_text(folder / name, errors, data)
                 for name, data in given.items() if name != TOPIC_FILE}
    texts = {name: text if text is None or _refuse_controls(str(folder / name), text, errors)
             else None for name, text in texts.items()}
    has_yaml = given is not None or os.path.lexists(topic_path)
    return RawTopic(
        slug=folder.name,
        yaml=_load_yaml(topic_path, errors, given and given[TOPIC_FILE]) if has_yaml else None,
        yaml_path=str(topic_path),
        texts={name: TextFile(str(folder / name), text) if text is not None else None
               for name, text in texts.items()},
    )


def _is_link(path: Path, errors: list[ContentError]) -> bool:
    """Whether path is a symbolic link, which is reported: a link could publish any file of
    the machine that builds the site (a contributor's link to a secret, on a CI runner)."""
    if not os.path.islink(path):
        return False
    errors.append(ContentError(str(path), 0, 0, "symbolic links are not read",
                               "put the file itself here; content is read only from files "
                               "that are really in the content folder"))
    return True


def _read_text(path: Path, errors: list[ContentError], data: bytes | None = None) -> str | None:
    """The file's text (data: its bytes, when already read); None after adding an error."""
    if _is_link(path, errors):
        return None
    try:
        if data is None:
            data = read_file(path)
    except RefusedFile as exc:
        errors.append(ContentError(str(path), 0, 0, exc.message, exc.hint))
        return None
    except OSError as exc:
        errors.append(ContentError(str(path), 0, 0, f"cannot read the file: {exc.strerror}",
                                   "check that it is a readable file"))
        return None
    # Text saved as UTF-16 or UTF-32 (Windows Notepad's "Unicode") starts with a byte order
    # mark, which is not UTF-8, or has NUL bytes between its letters, which is.
    wide = _wide_encoding(data) if b"\x00" in data[:4] else None
    if wide is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            wide = _wide_encoding(data, not_utf8=True)
            if wide is None:
                errors.append(_not_utf8(path, data, exc))
                return None
    if wide is not None:
        errors.append(ContentError(
            str(path), 0, 0, f"the file is {wide} encoded; save it as UTF-8",
            "choose UTF-8 as the encoding when you save it"
            + (" (Windows Notepad calls UTF-16 'Unicode')" if wide == "UTF-16" else "")))
        return None
    text = text.removeprefix("\ufeff")
    # Windows line endings (and git's autocrlf) are line endings, not stray characters.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


_BYTE_ORDER_MARKS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
                     (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def _wide_encoding(data: bytes, not_utf8: bool = False) -> str | None:
    """"UTF-16" or "UTF-32" when data looks saved so: by its byte order mark, or by the NUL
    bytes in its start: beside each ASCII character (a YAML key, a Markdown heading), or at
    least at its line ends when it is not UTF-8 at all; else None."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    start = data[:400]
    start = start[:len(start) // 4 * 4]
    if not start:
        return None
    nul = [start[offset::4].count(0) for offset in range(4)]
    quarter = len(start) // 4
    if min(nul[2:]) == quarter or min(nul[:2]) == quarter:  # the top bytes of each character
        return "UTF-32"
    even, odd = nul[0] + nul[2], nul[1] + nul[3]
    if not_utf8 and (even == 0) != (odd == 0) or max(even, odd) > quarter:
        return "UTF-16"
    return None


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError) -> ContentError:
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    col = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
    return ContentError(
        str(path), line, col,
        f"file is not valid UTF-8 at byte 0x{data[exc.start]:02x} ({exc.reason})",
        "save the file as UTF-8 (it may have been saved as Windows-1252 or Latin-1)")


# PyYAML's wording for the commonest slips, said the way an author would fix them.
_YAML_PROBLEMS = {
    "expected <block end>, but found": "this line's indentation does not match the lines above it",
    "mapping values are not allowed here": "unexpected ': ' (is this line indented too far, "
                                           "or is it text with ': ' that needs quotes?)",
    "found character '\\t' that cannot start any token": "a tab character; indent with spaces",
    "but found another document": "a second YAML document starts here, and a file holds one "
                                  "(remove this '---' line, or what follows it)",
}


# Characters that are no author's text: C0 controls but tab and line feed, DEL, C1 controls,
# lone surrogates and the two non-characters. YAML escapes ("\0", "\e", "\x01") make
# them; a NUL ends Graphviz's reading of a label, the rest make a drawing invalid XML.
# And the line and paragraph separators, which come with text copied from web pages: no
# editor shows them, YAML counts them as line breaks, and a card prints them as boxes.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]")
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
"""Line breaks to YAML and to no editor: the lines a parser counts must be the editor's."""


def _not_text(path: str, line: int, col: int, character: str, hint: str) -> ContentError:
    return ContentError(path, line, col, f"character U+{ord(character):04X} is not allowed in text",
                        hint)


def _refuse_controls(path: str, text: str, errors: list[ContentError],
                     characters: re.Pattern = _NOT_TEXT) -> bool:
    """Whether text is free of those characters; else the first one is reported."""
    found = characters.search(text)
    if found is None:
        return True
    before = text[:found.start()]
    hint = ("it is an invisible line break, often pasted with copied text: replace it with a "
            "space, or with a real line break" if _YAML_ONLY_BREAKS.match(found.group())
            else "delete it; it is usually an invisible control character")
    errors.append(_not_text(path, before.count("\n") + 1,
                            found.start() - (before.rfind("\n") + 1) + 1, found.group(), hint))
    return False


_UNCLOSED = {
    "while scanning a quoted scalar": "a quoted text starts here but its closing quote is missing",
    "while parsing a flow sequence": "a [ list starts here but its closing ] is missing",
    "while parsing a flow mapping": "a { mapping starts here but its closing } is missing",
}


def _load_yaml(path: Path, errors: list[ContentError], data: bytes | None = None) -> Node | None:
    """The file's one YAML document as nodes; None after reporting a syntax error, which is
    then the file's only mistake reported (what follows it may be read wrongly)."""
    text = _read_text(path, errors, data)
    if text is None:
        return None
    if not _refuse_controls(str(path), text, errors, _YAML_ONLY_BREAKS):
        text = _YAML_ONLY_BREAKS.sub(" ", text)  # reported: the rest is read on the right lines
    try:
        root, found = _parse(text, str(path))
    except _OverLimit as over:
        errors.append(ContentError(str(path), *over.args))
        return None
    except _CommaInBraces as cut:
        errors.append(cut.error)
        return None
    except yaml.MarkedYAMLError as exc:
        errors.append(_syntax_error(path, exc, text))
        return None
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec forbids
        before = text[: exc.position]
        errors.append(ContentError(str(path), before.count("\n") + 1,
                                   exc.position - (before.rfind("\n") + 1) + 1,
                                   f"character U+{exc.character:04X} is not allowed in YAML",
                                   "delete it; it is usually an invisible control character"))
        return None
    errors += found
    return root


def _parse(text: str, path: str) -> tuple[Node, list[ContentError]]:
    """The text's one YAML document as nodes, and the mistakes found in them; a YAMLError
    for a syntax error, in the pure-Python parser's words, or _OverLimit."""
    found: list[ContentError] = []
    if yaml.__with_libyaml__:
        try:  # libyaml reads ten times faster than the pure-Python parser
            return _read_document(yaml.cyaml.CParser(text), path, found, text), found
        except yaml.YAMLError as exc:
            if getattr(exc, "problem", None) == "exceeded maximum nesting depth":
                # libyaml stops at its own limit, 1000 levels, while it looks ahead on the
                # line, before it has passed on the level beyond MAX_DEPTH: read again up to
                # there, to refuse it at the same place as the Python parser does (which
                # would take a second to get there).
                with contextlib.suppress(yaml.YAMLError):
                    _read_document(yaml.cyaml.CParser(text[:exc.problem_mark.index]), path, [],
                                   text)
            # Reported in the pure-Python parser's words, which _YAML_PROBLEMS knows.
            found.clear()
    return _read_document(yaml.SafeLoader(text), path, found, text), found


class _OverLimit(Exception):
    """The first value beyond MAX_DEPTH or MAX_VALUES: its line and column, what is wrong
    and a hint."""


def _too_deep(line: int, col: int) -> _OverLimit:
    return _OverLimit(line, col, f"lists and mappings are nested more than {MAX_DEPTH} levels "
                      "deep here", "write this as a flatter list, or close the [ or { opened "
                      "before it")


def _too_many(line: int, col: int) -> _OverLimit:
    return _OverLimit(line, col, f"the file holds more than {MAX_VALUES:,} values (texts, lists "
                      "and mappings); this is the first beyond them",
                      "split it: a topic this long reads better as several topics")


class _Collection:
    """A mapping or sequence being read: its position, what it holds so far, and where
    mistakes inside it are reported."""

    __slots__ = ("mapping", "line", "col", "items", "entries", "key", "drop_value", "errors",
                 "braces", "plain_value", "last_plain", "cut_key", "comma_error")

    def __init__(self, mapping: bool, line: int, col: int, errors: list[ContentError],
                 braces: bool = False):
        self.mapping, self.line, self.col, self.errors = mapping, line, col, errors
        self.items: list[Node] = []
        self.entries: dict[str, tuple[Scalar, Node]] = {}
        self.key: Scalar | None = None
        """The key just read, whose value comes next (mappings only)."""
        self.drop_value = False
        """Whether the value that comes next belongs to a key already reported as a mistake:
        its own mistakes are not reported, the author rewrites it anyway once the key is fixed."""
        self.braces = braces
        """Whether this is a mapping written in { }, where a comma ends a value (see add_in_braces)."""
        self.plain_value: _PlainValue | None = None
        """The value of the last entry, when it is an unquoted text (mappings in { } only)."""
        self.last_plain: _PlainValue | None = None
        """The last value that is an unquoted text, for a syntax error after it."""
        self.cut_key: tuple[Scalar, int] | None = None
        """An unquoted key read after such a value, and where it ends, while it is not yet
        known whether a ':' and a value follow it."""
        self.comma_error: int | None = None
        """Where in errors the comma in plain_value is reported, once it is."""

    def add(self, node: Node) -> None:
        if not self.mapping:
            self.items.append(node)
        elif self.key is None and not self.drop_value:
            self._add_key(node)
        else:  # _add_value, written out: this is the commonest call of all
            if not self.drop_value:
                self.entries[self.key.text] = (self.key, node)
            self.key, self.drop_value = None, False

    def add_in_braces(self, node: Node, event: yaml.Event, text: str) -> None:
        """add() for a mapping in { }, which also finds values a comma cut short.

        In { }, a comma ends an unquoted value, so `{price: from $5,500/mo}` reads as the
        key `price` with the value `from $5` and a key `500/mo` with no value, and `{a: x,
        y}` gives `y` no value without a word said. A key right after an unquoted value that
        has neither a ':' nor a value is that cut: the two are joined again, as the author
        wrote them, and the comma is reported (once for the value, however many commas)."""
        if self.cut_key is not None:  # node is the value of that key
            key, key_end = self.cut_key
            self.cut_key = None
            if (type(node) is Scalar and not node.text and node.implicit_type == "null"
                    and ":" not in text[key_end:event.start_mark.index]):
                self._join_cut_value(key_end, text)
                return
            self._add_key(key)
        elif self.key is None and not self.drop_value:  # node is a key
            if (self.plain_value is not None and type(event) is yaml.ScalarEvent
                    and not event.style and event.anchor is None and event.tag is None):
                self.cut_key = (node, event.end_mark.index)
            else:
                self._add_key(node)
            return
        key, kept = self.key, not self.drop_value
        self._add_value(node)
        self.comma_error = None
        if kept and type(event) is yaml.ScalarEvent and not event.style and node.text:
            self.plain_value = self.last_plain = _PlainValue(
                event.start_mark.index, event.end_mark.index, node, key)
        else:
            self.plain_value = None

    def _join_cut_value(self, key_end: int, text: str) -> None:
        value = self.plain_value
        written = _LINE_BREAK_IN_VALUE.sub(" ", text[value.start:key_end])
        joined = Scalar(value.node.path, value.node.line, value.node.col, text=written,
                        implicit_type="str")
        self.entries[value.key.text] = (value.key, joined)
        self.plain_value = self.last_plain = _PlainValue(value.start, key_end, joined, value.key)
        error = _comma_in_braces(joined.path, joined.line, joined.col, written)
        if self.comma_error is None:
            self.comma_error = len(self.errors)
            self.errors.append(error)
        else:  # a further comma in the same value: the one error names the value in full
            self.errors[self.comma_error] = error

    def _add_key(self, key: Node) -> None:
        if not isinstance(key, Scalar):
            self.errors.append(ContentError(key.path, key.line, key.col,
                                            "a mapping key must be plain text"))
            self.drop_value = True
        elif key.text in self.entries:
            first = self.entries[key.text][0]
            self.errors.append(ContentError(key.path, key.line, key.col,
                                            f"duplicate key '{key.text}'",
                                            f"it is already set on line {first.line}; keep one"))
            self.drop_value = True
        else:
            self.key = key

    def _add_value(self, node: Node) -> None:
        if not self.drop_value:
            self.entries[self.key.text] = (self.key, node)
        self.key, self.drop_value = None, False

    def node(self, path: str) -> Node:
        if self.mapping:
            return Mapping(path, self.line, self.col, entries=self.entries)
        return Sequence(path, self.line, self.col, items=tuple(self.items))


class _PlainValue(NamedTuple):
    """An unquoted value in { }, with where it starts and ends in the file's text."""

    start: int
    end: int
    node: Scalar
    key: Scalar


_LINE_BREAK_IN_VALUE = re.compile(r"[ \t]*\n\s*")
"""How YAML folds an unquoted text written over several lines: each break is one space."""


def _comma_in_braces(path: str, line: int, col: int, value: str) -> ContentError:
    """The error for an unquoted value in { } that holds a comma."""
    shown = excerpt(value)
    quoted = (f"'{shown}'" if '"' in shown and "'" not in shown
              else '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return ContentError(path, line, col,
                        f"the value '{shown}' has a comma, which ends a value inside {{ }}",
                        f"put the value in quotes: {quoted}")


def _read_document(parser, path: str, errors: list[ContentError], text: str) -> Node:
    """The one YAML document the parser reads (of text), as nodes with their positions.

    Built from the parser's events with a stack rather than by recursion. Nesting deeper
    than MAX_DEPTH, or values beyond MAX_VALUES, raise _OverLimit at the first event past
    the limit, before the parser reads further; a YAMLError from the parser goes to the
    caller, as _CommaInBraces when a comma in an unquoted value in { } is its likely cause.
    """
    open_collections: list[_Collection] = []
    root: Node | None = None
    document = None
    values = 0
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                node = open_collections.pop().node(path)
                parent = open_collections[-1] if open_collections else None
            elif kind in _NODE_EVENTS:
                parent = open_collections[-1] if open_collections else None
                reported = errors if parent is None else [] if parent.drop_value else parent.errors
                mark = event.start_mark
                line, col = mark.line + 1, mark.column + 1
                values += 1
                if values > MAX_VALUES:
                    raise _too_many(line, col)
                if kind is yaml.ScalarEvent and event.anchor is None:  # the commonest by far
                    node = _scalar(event, path, line, col, reported)
                else:
                    if kind is yaml.AliasEvent or event.anchor is not None:
                        # Reported even in a dropped value: each one is a mistake of its own.
                        errors.append(ContentError(
                            path, line, col, "YAML anchors and aliases (& and *) are not allowed",
                            "write the value out in full so each place can be read on its own"))
                    if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                        if len(open_collections) == MAX_DEPTH:
                            raise _too_deep(line, col)
                        open_collections.append(_Collection(
                            kind is yaml.MappingStartEvent, line, col, reported,
                            kind is yaml.MappingStartEvent and event.flow_style))
                        continue
                    node = (Scalar(path, line, col, text="", implicit_type="alias")
                            if kind is yaml.AliasEvent else _scalar(event, path, line, col, reported))
            elif kind is yaml.DocumentStartEvent:
                if document is not None:
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream", document.start_mark,
                        "but found another document", event.start_mark)
                document = event
                continue
            elif kind is yaml.StreamEndEvent:
                break
            else:
                continue  # the stream's start, the document's end
            if parent is None:
                root = node
            elif parent.braces:
                parent.add_in_braces(node, event, text)
            else:
                parent.add(node)
    except yaml.MarkedYAMLError as exc:
        inner = open_collections[-1] if open_collections else None
        if exc.problem_mark is not None:
            value = inner.last_plain if inner is not None and inner.braces else None
            cut = _cut_by_comma(text, value, exc.problem_mark.index, path)
            if cut is not None:
                raise _CommaInBraces(cut) from None
        raise
    finally:
        parser.dispose()
    return Scalar(path, 1, 1, text="", implicit_type="null") if root is None else root


class _CommaInBraces(yaml.YAMLError):
    """A syntax error that a comma in an unquoted value in { } is the likely cause of, as in
    `{text: cheap, "fast" and durable}`. A YAMLError, so that libyaml's error too leads to
    reading again with the pure-Python parser, whose error is the one reported."""

    def __init__(self, error: ContentError):
        super().__init__(error.message)
        self.error = error


_NEXT_KEY = re.compile(r",[ \t]*[^\s,:{}\[\]\"'#][^,:{}\[\]\n]*:[ \t]")
"""Where the value goes on to the next `key: ` in { }."""
_VALUE_AND_COMMA = re.compile(r"[{,][ \t]*[^\s,:{}\[\]\"'#][^,:{}\[\]\n]*:[ \t]+"
                              r"([^\s,{}\[\]\"'#&*!|>%@`][^,{}\[\]\n]*?)[ \t]*,[ \t]*\Z")
"""`key: value, ` in { } right before where the parser stopped."""


def _cut_by_comma(text: str, value: _PlainValue | None, problem: int,
                  path: str) -> ContentError | None:
    """The comma error, when the parser stops on the line of the last unquoted value in { },
    after a comma that follows it with no `key: ` between: what follows the comma was
    meant as more of the value, and cannot start a key (a quote, a @, a `- `).

    value: the last unquoted value in the { } the parser stopped in, when it got so far: a
    character that cannot start a value at all stops it while it still looks ahead for a
    ':' after the value (or even before the { ), which is then found in the text."""
    line_start = text.rfind("\n", 0, problem) + 1
    if value is None or value.end < line_start:
        before = _VALUE_AND_COMMA.search(text, line_start, problem)
        if before is None or text.count("{", line_start, problem) <= text.count(
                "}", line_start, problem):
            return None
        start, line, col = before.start(1), text.count("\n", 0, line_start) + 1, None
    else:
        between = text[value.end:problem]
        if not between.lstrip(" \t").startswith(",") or re.search(r":\s", between):
            return None  # no comma after the value, or a key and its value after the comma
        start, line, col = value.start, value.node.line, value.node.col
    line_end = text.find("\n", problem)
    line_end = len(text) if line_end < 0 else line_end
    stop = text.find("}", problem, line_end)
    stop = line_end if stop < 0 else stop
    next_key = _NEXT_KEY.search(text, problem, stop)
    written = text[start:next_key.start() if next_key else stop].rstrip()
    return _comma_in_braces(path, line, col or start - line_start + 1, written)


_NODE_EVENTS = frozenset({yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent,
                          yaml.SequenceStartEvent})


_IMPLICIT_TYPES = {
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
}
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_ANY_START = _RESOLVERS.get(None, [])
_RESOLVERS_BY_START = {start: resolvers + _ANY_START for start, resolvers in _RESOLVERS.items()
                       if start is not None}
"""PyYAML's safe loader's patterns for plain scalars, by the first character they apply to."""


def _scalar(event: yaml.ScalarEvent, path: str, line: int, col: int,
            errors: list[ContentError]) -> Scalar:
    """A scalar as written, with what YAML 1.1 would have made of it, resolved as PyYAML's
    safe loader resolves it."""
    value = event.value
    found = _NOT_TEXT.search(value)
    if found is not None:  # written as an escape: the raw character is refused on reading
        errors.append(_not_text(
            path, line, col, found.group(),
            "remove the escape that writes it, such as \\0, \\e or \\x01, from this quoted text"))
    if event.style:  # quoted, or a | or > block: text whatever it says
        return Scalar(path, line, col, text=value, implicit_type="str")
    tag = event.tag
    if tag is None or tag == "!":
        tag = "tag:yaml.org,2002:str"
        if event.implicit[0]:
            for candidate, pattern in _RESOLVERS_BY_START.get(value[:1], _ANY_START):
                if pattern.match(value):
                    tag = candidate
                    break
    return Scalar(path, line, col, text=value, implicit_type=_IMPLICIT_TYPES.get(tag, "str"))


def _syntax_error(path: Path, exc: yaml.MarkedYAMLError, text: str) -> ContentError:
    hidden = _hidden_bracket(exc, text)
    if hidden is not None:
        line, col, closing = hidden
        return ContentError(str(path), line, col, "YAML syntax error: ' #' starts a comment, "
                            f"which hides the {closing} after it",
                            "put the text with the '#' in quotes")
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
    runaway = _runaway_quote(text, line) if line else None
    if runaway:
        return ContentError(str(path), *runaway,
                            "YAML syntax error: a quoted text starts here but does not end on "
                            "this line", f"it runs on to line {line}, where the YAML stops "
                            "making sense; close the quote on this line")
    return ContentError(str(path), line, col, f"YAML syntax error: {problem}",
                        "check indentation, colons and quotes on this line and the one before")


_QUOTED_OR_COMMENT = re.compile(r'''"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|(?<=[ \t])#''')


def _hidden_bracket(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str] | None:
    """Line and column of a comment that hides the closing bracket of a [ or { on its line,
    as in `{answer: SOC 2, #1 by far}`, when the syntax error is where the unclosed bracket
    starts or on the next line, and that bracket; None if there is none."""
    if exc.context in _UNCLOSED and exc.context_mark is not None:
        opening = exc.context_mark.index
    elif exc.problem_mark is not None and exc.problem_mark.line > 0:
        line_start = text.rfind("\n", 0, exc.problem_mark.index) + 1
        before = text.rfind("\n", 0, line_start - 1) + 1
        found = re.compile(r"[\[{]").search(text, before, line_start)
        if found is None:
            return None
        opening = found.start()
    else:
        return None
    if opening >= len(text) or text[opening] not in "[{":
        return None
    line_start = text.rfind("\n", 0, opening) + 1
    line_end = text.find("\n", opening)
    line_end = len(text) if line_end < 0 else line_end
    for found in _QUOTED_OR_COMMENT.finditer(text, opening, line_end):
        if found.group() == "#":
            closing = "}]"[text[opening] == "["]
            if closing not in text[found.end():line_end]:
                return None
            return text.count("\n", 0, line_start) + 1, found.start() - line_start + 1, closing
    return None


# A value that starts with a quote: after "- " or after "key: ".
_QUOTED_VALUE = re.compile(r"""^[ \t]*(?:-[ \t]+|[^\s#"'-][^#\n]*?:[ \t]+)(["'])""", re.M)
_QUOTED_REST = {'"': re.compile(r'(?:[^"\\]|\\.)*"', re.S), "'": re.compile(r"(?:[^']|'')*'")}


def _runaway_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """Line and column of the quote that opens a quoted text running from an earlier line on
    to error_line, the likeliest cause of a syntax error there; None if there is none.

    YAML lets a quoted text go on over lines, so a missing closing quote only shows where
    the text meets the next quote, lines later; content here never means that."""
    found = None
    line, counted = 1, 0  # lines counted on from the last value, not from the file's start
    for start in _QUOTED_VALUE.finditer(text):
        line += text.count("\n", counted, start.start())
        counted = start.start()
        if line >= error_line:
            break
        rest = _QUOTED_REST[start.group(1)].match(text, start.end())
        end_line = line + text.count("\n", counted, rest.end()) if rest else error_line
        if line < end_line <= error_line:
            found = (line, start.start(1) - (text.rfind("\n", 0, start.start(1)) + 1) + 1)
    return found
