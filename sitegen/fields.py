"""Reading typed fields out of located YAML nodes, collecting an error for each mistake."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping as TypingMapping, TypeVar

from .errors import ContentError, excerpt, printable
from .inline import Inline, inline_text
from .load import Mapping, Node, Scalar, Sequence

T = TypeVar("T")

_NODE_NAMES = {Scalar: "a single value", Mapping: "a mapping of keys", Sequence: "a list"}
_TYPE_NAMES = {"bool": "a yes/no value", "int": "a number", "float": "a number",
               "null": "nothing", "timestamp": "a date"}
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass
class Fields:
    """Collects errors while reading content; each read returns None when the value is unusable."""

    errors: list[ContentError] = field(default_factory=list)

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.errors.append(ContentError(node.path, node.line, node.col, message, hint))

    def mapping(self, node: Node | None, what: str, required: tuple[str, ...],
                optional: tuple[str, ...] = (),
                retired: TypingMapping[str, str] | None = None) -> Mapping | None:
        """A mapping whose keys are exactly the required ones plus any of the optional ones.

        retired: keys of earlier versions, with what to write instead (the hint)."""
        if not self.expect(node, Mapping, what):
            return None
        allowed = required + optional
        suggested = set()
        for key, (key_node, _) in node.entries.items():
            if key not in allowed:
                invisible = invisible_character(key)
                if invisible:
                    self.error(key_node, f"unknown key '{shown(key)}' in {what}: it has "
                               f"{invisible}",
                               _delete(invisible, "key"))
                    suggested.add(without_invisible(key))
                    continue
                unused = [k for k in allowed if k not in node.entries]
                close = difflib.get_close_matches(key, unused, n=1, cutoff=0.6)
                hint = (f"did you mean '{close[0]}'?" if close
                        else (retired or {}).get(key) or "allowed keys: " + ", ".join(allowed))
                self.error(key_node, f"unknown key '{key}' in {what}", hint)
                suggested.update(close)
        for key in required:
            # A misspelt key already reported with a did-you-mean is not also "missing".
            if key not in node.entries and key not in suggested:
                self.error(node, f"{what} is missing the required key '{key}'")
        return node

    def sequence(self, node: Node | None, what: str) -> tuple[Node, ...]:
        """The items of a non-empty list."""
        if not self.expect(node, Sequence, what):
            return ()
        if not node.items:
            self.error(node, f"{what} is an empty list", "add at least one item")
        return node.items

    def text(self, node: Node | None, what: str) -> str | None:
        """Non-empty text; YAML's implicit booleans, numbers, dates and nulls are refused."""
        if not self.expect(node, Scalar, what):
            return None
        if node.implicit_type != "str":
            if node.implicit_type == "null" and not node.text:
                self.error(node, f"{what} is empty, expected text")
            else:
                self.error(node, f"{what} must be text, but YAML reads '{node.text}' as "
                                 f"{_TYPE_NAMES[node.implicit_type]}",
                           f"put it in quotes: \"{node.text}\"")
            return None
        if not node.text.strip():
            self.error(node, f"{what} is empty, expected text")
            return None
        return node.text.strip()

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        """A non-empty list of texts (unusable items are left out after their error)."""
        values = (self.text(item, f"item {i} of {what}")
                  for i, item in enumerate(self.sequence(node, what), 1))
        return tuple(v for v in values if v is not None)

    def inline(self, node: Node | None, what: str) -> Inline | str | None:
        """Text a reader sees, as inline Markdown (read as text() reads it); an image or a
        link to a refused scheme in it is reported at the text."""
        value = self.text(node, what)
        if value is None:
            return None
        value = inline_text(value)  # a plain str when it has no Markdown
        for message, hint in value.problems() if isinstance(value, Inline) else ():
            self.error(node, f"{what}: {message}", hint)
        return value

    def inlines(self, node: Node | None, what: str) -> tuple[Inline | str, ...]:
        """A non-empty list of texts a reader sees, as inline Markdown (see inline())."""
        values = (self.inline(item, f"item {i} of {what}")
                  for i, item in enumerate(self.sequence(node, what), 1))
        return tuple(v for v in values if v is not None)

    def flag(self, node: Node | None, what: str) -> bool | None:
        """A boolean written as true or false."""
        if not self.expect(node, Scalar, what):
            return None
        if node.implicit_type != "bool" or node.text not in ("true", "false"):
            quoted = node.implicit_type == "str" and node.text in ("true", "false")
            self.error(node, f"{what} must be true or false, got '{node.text}'"
                       + (" in quotes, which makes it text" if quoted else ""),
                       "write true or false without quotes")
            return None
        return node.text == "true"

    def identifier(self, node: Node | None, what: str) -> str | None:
        """Lowercase letters, digits, '-' and '_': safe in URLs, anchors and file names."""
        value = self.text(node, what)
        if value is not None and not ID_PATTERN.match(value):
            invisible = invisible_character(value)
            if invisible:
                self.error(node, f"{what} '{shown(value)}' has {invisible}",
                           _delete(invisible, "id"))
            else:
                self.error(node, f"{what} '{shown(value)}' is not a valid id",
                           "use lowercase letters, digits and single '-' or '_' between them")
            return None
        return value

    def reference(self, node: Node | None, what: str, choices: TypingMapping[str, T],
                  kind: str) -> T | None:
        """A text naming one of the declared choices (a choice set, a topic, a column)."""
        if not self.expect(node, Scalar, what):
            return None
        value = node.text.strip()  # taken as written: an id such as `no` is still an id
        if not value:
            self.error(node, f"{what} is empty, expected one of the declared {plural(kind)}",
                       ", ".join(choices))
            return None
        if value in choices:
            return choices[value]
        seen = without_invisible(value)  # what the author sees, for a did-you-mean
        same_but_case = [c for c in choices if c.casefold() == seen.casefold()]
        close = same_but_case or difflib.get_close_matches(seen, list(choices), n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close else
                f"declared {plural(kind)}: " + (", ".join(choices) or "none"))
        if not self.invisible_in_name(node, what, value, choices, hint):
            self.error(node, f"{what} names '{shown(value)}', which is not a declared {kind}",
                       hint)
        return None

    def choice(self, node: Node | None, what: str, choice_set) -> object | None:
        """A text naming one value of a choice set: the value (a model.Choice), or None."""
        if not self.expect(node, Scalar, what):
            return None
        value = node.text.strip()
        named = f"the set '{choice_set.id}'" + (f" ({choice_set.name})" if choice_set.name else "")
        values = [v for v in choice_set.values if v.id]  # one without an id was reported
        ids = [v.id for v in values]
        if not value:
            self.error(node, f"{what} is empty, expected a value of {named}",
                       f"values of set '{choice_set.id}': " + ", ".join(ids))
            return None
        if value in ids:
            return values[ids.index(value)]
        labels = {v.label.casefold(): v.id for v in values if v.label}
        seen = without_invisible(value)  # what the author sees, for a did-you-mean
        close = ([c for c in ids if c.casefold() == seen.casefold()]
                 or ([labels[seen.casefold()]] if seen.casefold() in labels else [])
                 or difflib.get_close_matches(seen, ids, n=1, cutoff=0.6))
        hint = (f"did you mean '{close[0]}'?" if close else
                f"values of set '{choice_set.id}': " + ", ".join(ids))
        if not self.invisible_in_name(node, what, value, ids, hint):
            self.error(node, f"{what} names '{shown(value)}', which is not a value of {named}",
                       hint)
        return None

    def invisible_in_name(self, node: Node, what: str, value: str, names, hint: str) -> bool:
        """Whether value, which is none of names, holds an invisible character, which is
        then reported: a did-you-mean would show the same name twice. hint: what to say
        when the name is still unknown without it."""
        invisible = invisible_character(value)
        if invisible is None:
            return False
        self.error(node, f"{what} names '{shown(value)}', which has {invisible}",
                   _delete(invisible, "id")
                   + ("" if without_invisible(value) in names else f"; {hint}"))
        return True

    def unique(self, nodes_and_values: list[tuple[Node, str]], what: str) -> None:
        """Reports every value that appears more than once."""
        seen: dict[str, Node] = {}
        for node, value in nodes_and_values:
            if value in seen:
                self.error(node, f"duplicate {what} '{value}'",
                           f"already used on line {seen[value].line}; each {what} must be unique")
            else:
                seen[value] = node

    def expect(self, node: Node | None, node_type: type, what: str) -> bool:
        if node is None or is_alias(node):
            return False  # already reported: a missing key by mapping(), an alias by the loader
        if isinstance(node, node_type):
            return True
        got = _NODE_NAMES[type(node)]
        if isinstance(node, Scalar) and node.implicit_type == "null" and not node.text:
            got = "nothing"
        if node_type is Scalar:
            hint = ("text containing ': ' must be put in quotes" if isinstance(node, Mapping)
                    else "write one value here, not a list")
        elif node_type is Sequence:
            hint = "write each item on a line of its own, starting with '- '"
        else:
            hint = "write its keys on lines of their own, as 'key: value', indented under it"
        self.error(node, f"{what} must be {_NODE_NAMES[node_type]}, got {got}", hint)
        return False


_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0")
"""Characters that show as nothing beyond the format controls and spaces: the combining
grapheme joiner and the Hangul fillers."""
_INVISIBLE_OR_NOT = re.compile("[^a-z0-9_ -]")
"""Where an invisible character can be: anything an id is not made of (or a space, which shows)."""


def _is_invisible(character: str) -> bool:
    # Format controls (Cf: zero-width space and joiners, soft hyphen, BOM, bidi controls)
    # and spaces other than the space (Zs: no-break space, en space, ideographic space).
    return (unicodedata.category(character) in ("Cf", "Zs", "Zl", "Zp") and character != " "
            or character in _INVISIBLE)


def invisible_character(text: str) -> str | None:
    """The first character of text a reader cannot see, as a message names it: 'an invisible
    character U+200B ZERO WIDTH SPACE at position 5'; None when there is none."""
    found = [(at.start(), at.group()) for at in _INVISIBLE_OR_NOT.finditer(text)
             if _is_invisible(at.group())]
    if not found:
        return None
    position, character = found[0]
    name = unicodedata.name(character, "")
    more = f", and {len(found) - 1} more after it" if len(found) > 1 else ""
    return (f"an invisible character U+{ord(character):04X}{' ' + name if name else ''} at "
            f"position {position + 1}{more}")


def _delete(invisible: str, what: str) -> str:
    them = "them" if invisible.endswith("more after it") else "it"
    return f"delete {them}; retype the {what}"


def without_invisible(text: str) -> str:
    return _INVISIBLE_OR_NOT.sub(lambda found: "" if _is_invisible(found.group())
                                 else found.group(), text)


def shown(text: str) -> str:
    """A name or value from the content as a message quotes it: invisible characters written
    as \\u escapes (\\u200b), but for those printable() writes as git does (the bidi
    controls), and a long one cut short (see excerpt)."""
    if _INVISIBLE_OR_NOT.search(text):
        text = _INVISIBLE_OR_NOT.sub(_escaped, text)
    return excerpt(text)


def _escaped(found: re.Match) -> str:
    character = found.group()
    if _is_invisible(character) and printable(character) == character:
        return f"\\u{ord(character):04x}"
    return character


def plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def is_alias(node: Node) -> bool:
    return isinstance(node, Scalar) and node.implicit_type == "alias"


def get(mapping: Mapping | None, key: str) -> Node | None:
    """The value node under key, or None when the mapping or the key is absent."""
    if mapping is None or key not in mapping.entries:
        return None
    return mapping.entries[key][1]
