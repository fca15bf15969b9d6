"""The shapes of content: every mapping's keys, their types and what they mean.

One declaration serves three readers: the parsers (validate.py and sitegen/kinds/) take
the required and optional keys of each mapping from it, `sitegen schema` writes it as a
JSON Schema for editors, and `sitegen reference` writes it as the README's reference. So
the build, the editor and the docs cannot disagree about which keys exist.

Types are what an author writes in YAML. Every scalar is text unless said otherwise:
`no`, `3` or `2024-01-01` written without quotes are not text to sitegen (YAML reads
them as a yes/no value, a number, a date), and the schema asks for a string there too.
"""

from __future__ import annotations

from dataclasses import field

from .records import frozen
from .fields import ID_PATTERN


class Type:
    """What a key's value is: its JSON Schema and its name in the README."""

    words = ""
    """The type as the README names it, e.g. "list of text"."""

    def schema(self) -> dict:
        raise NotImplementedError

    def children(self) -> tuple[Type, ...]:
        """The types this one is made of."""
        return ()


@frozen
class Text(Type):
    """Text that is not empty."""

    words: str = "text"

    def schema(self) -> dict:
        return {"type": "string", "pattern": r"\S"}


@frozen
class Identifier(Type):
    """An id: lowercase letters and digits, single '-' or '_' between them."""

    words: str = "id"

    def schema(self) -> dict:
        return {"type": "string", "pattern": ID_PATTERN.pattern}


@frozen
class Pattern(Type):
    """Text of a given form, e.g. an http address."""

    pattern: str
    words: str

    def schema(self) -> dict:
        return {"type": "string", "pattern": self.pattern}


@frozen
class Reference(Type):
    """Text naming something declared elsewhere (a set, a value, a block, a topic).

    What it may name depends on the content, so the schema only asks for an id: the build
    checks the name, with a did-you-mean."""

    what: str
    """What it names, e.g. "a choice set"."""

    @property
    def words(self) -> str:
        return f"id of {self.what}"

    def schema(self) -> dict:
        # Whatever it names is an id, so it has an id's form.
        return {"type": "string", "pattern": ID_PATTERN.pattern}


@frozen
class Choice(Type):
    """One of a fixed list of names (kinds, palette styles)."""

    names: tuple[str, ...]
    words: str

    def schema(self) -> dict:
        return {"type": "string", "enum": list(self.names)}


@frozen
class Flag(Type):
    words: str = "true or false"

    def schema(self) -> dict:
        return {"type": "boolean"}


@frozen
class Count(Type):
    """A whole number, written without quotes."""

    minimum: int
    maximum: int

    @property
    def words(self) -> str:
        return f"number, {self.minimum} to {self.maximum}"

    def schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@frozen
class ListOf(Type):
    """A list; never empty."""

    item: Type
    max_items: int | None = None
    min_items: int = 1

    @property
    def words(self) -> str:
        size = f"{self.min_items} to {self.max_items} " if self.max_items else ""
        if isinstance(self.item, OneOf):
            return f"list of {size}" + " or ".join(_plural(c.words) for c in self.item.choices)
        return f"list of {size}{_plural(self.item.words)}"

    def schema(self) -> dict:
        schema = {"type": "array", "minItems": self.min_items, "items": self.item.schema()}
        if self.max_items:
            schema["maxItems"] = self.max_items
        return schema

    def children(self) -> tuple[Type, ...]:
        return (self.item,)


@frozen
class MapOf(Type):
    """A mapping whose keys the content names (a row's column ids, a question's set ids)."""

    key: str
    """What its keys are, e.g. "column id"."""
    value: Type
    words: str

    def schema(self) -> dict:
        return {"type": "object", "minProperties": 1,
                "propertyNames": {"pattern": r"\S"}, "additionalProperties": self.value.schema()}

    def children(self) -> tuple[Type, ...]:
        return (self.value,)


@frozen
class OneOf(Type):
    """Either of two or more ways to write the value."""

    choices: tuple[Type, ...]

    @property
    def words(self) -> str:
        return " or ".join(choice.words for choice in self.choices)

    def schema(self) -> dict:
        return {"oneOf": [choice.schema() for choice in self.choices]}

    def children(self) -> tuple[Type, ...]:
        return self.choices


@frozen
class Key:
    """One key of a mapping."""

    name: str
    type: Type
    description: str
    """What it is, one or two sentences: the schema's description and the README's."""
    required: bool = False


def required_keys(keys: tuple[Key, ...]) -> tuple[str, ...]:
    """The names of the keys a mapping must have, in order."""
    return tuple(key.name for key in keys if key.required)


def optional_keys(keys: tuple[Key, ...]) -> tuple[str, ...]:
    """The names of the keys a mapping may have, in order."""
    return tuple(key.name for key in keys if not key.required)


@frozen
class Shape(Type):
    """A mapping of declared keys; any other key is a mistake."""

    name: str
    """Its name in the schema's definitions and the README, e.g. "column"."""
    keys: tuple[Key, ...]
    description: str = ""
    retired: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Keys of earlier versions, with what to write instead."""
    one_of: tuple[str, ...] = ()
    """Optional keys of which the mapping has exactly one (a table's rows or groups)."""

    @property
    def words(self) -> str:
        return self.name

    @property
    def required(self) -> tuple[str, ...]:
        return required_keys(self.keys)

    @property
    def optional(self) -> tuple[str, ...]:
        return optional_keys(self.keys)

    def schema(self) -> dict:
        return {"$ref": f"#/$defs/{definition_name(self.name)}"}

    def definition(self) -> dict:
        """The shape itself, for the schema's definitions."""
        schema = {"type": "object"}
        if self.description:
            schema["description"] = self.description
        schema["properties"] = {key.name: _described(key) for key in self.keys}
        if self.required:
            schema["required"] = list(self.required)
        schema["additionalProperties"] = False
        if self.one_of:
            schema["oneOf"] = [{"required": [name]} for name in self.one_of]
        return schema

    def children(self) -> tuple[Type, ...]:
        return tuple(key.type for key in self.keys)


def definition_name(name: str) -> str:
    """A shape's name as a key of the schema's definitions: "row group" -> "row-group"."""
    return name.replace(" ", "-")


def _described(key: Key) -> dict:
    """A key's schema with its description; a shape's reference is wrapped, since editors
    of JSON Schema draft 7 ignore what stands beside a `$ref`."""
    schema = key.type.schema()
    if "$ref" in schema:
        schema = {"allOf": [schema]}
    return {"description": key.description, **schema}


def _plural(words: str) -> str:
    """ "id of a set" -> "ids of a set", "row group" -> "row groups"; text stays text."""
    names = words.split(" ")
    if names[0] == "list":
        return "lists" + words[len("list"):]
    if names[0] in ("text", "true"):
        return words
    at = 0 if ("of" in names or "per" in names) else len(names) - 1
    noun = names[at]
    names[at] = noun[:-1] + "ies" if noun.endswith("y") and not noun.endswith("ey") else noun + "s"
    return " ".join(names)


TEXT = Text()
ID = Identifier()
FLAG = Flag()
TEXT_LIST = ListOf(TEXT)


@frozen
class Block(Type):
    """A block of a topic: a mapping whose `kind` says which shape it has."""

    kinds: tuple[Shape, ...]
    """Each kind's shape, its `kind` key a Choice of the kind's one name."""
    name: str = "block"
    words: str = "block"

    def schema(self) -> dict:
        return {"$ref": "#/$defs/block"}

    def definition(self) -> dict:
        """`kind` first; then, by an if/then per kind, the keys of that kind, so that an
        editor completes them and a validator names the one key that is wrong."""
        names = [_kind_name(shape) for shape in self.kinds]
        return {
            "type": "object",
            "description": "A block of the page; `kind` says which keys it has.",
            "properties": {"kind": {"description": "What kind of block this is.",
                                    "enum": names}},
            "required": ["kind"],
            "allOf": [{"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                       "then": shape.schema()} for name, shape in zip(names, self.kinds)],
        }

    def children(self) -> tuple[Type, ...]:
        return self.kinds


def _kind_name(shape: Shape) -> str:
    (kind,) = (key for key in shape.keys if key.name == "kind")
    (name,) = kind.type.names
    return name
