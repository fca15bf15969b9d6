"""What every block kind module builds on: the Kind record and what a parser may refer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..records import frozen
from ..exam import ExamScope
from ..load import Mapping, Node, TextFile
from ..fields import Fields, get
from ..shapes import ID, TEXT, Choice, Key, Shape, optional_keys, required_keys

if TYPE_CHECKING:
    from .. import model as m
    from ..notes import Note


@dataclass
class TopicScope:
    """What a block parser may refer to while reading one topic."""

    fields: Fields
    """Where errors go."""
    slug: str
    """The topic's folder name."""
    sets: dict[str, m.ChoiceSet | None]
    """Choice sets the topic may use (shared and its own), by id; None for a set with a
    mistake, which was reported: what names it is then not reported again."""
    texts: dict[str, TextFile | None]
    """The topic folder's Markdown files, by name (None: unreadable, already reported)."""
    exam: ExamScope = field(default_factory=lambda: ExamScope("exam.yaml"))
    """The exam blueprint that `tasks:` and domain tags are checked against."""

    def tasks(self, node: Node | None, what: str, domain: m.Choice | None = None) -> tuple[str, ...]:
        """The ids of the exam's tasks a `tasks:` list names; () when the key is absent.
        domain: the domain the item is tagged with, which its tasks must be of."""
        return self.exam.tasks(node, what, self.fields, domain)

    def choice_set(self, node: Node | None, what: str) -> m.ChoiceSet | None:
        """A text naming one of the sets in scope."""
        return self.fields.reference(node, what, self.sets, "choice set")

    def optional_choice(self, block: Mapping, node: Node | None, what: str,
                        choice_set: m.ChoiceSet | None) -> m.Choice | None:
        """An optional value (of a group, a section) of the set the block's `set` names."""
        if node is None:
            return None
        if get(block, "set") is None:
            self.fields.error(node, f"{what} needs the block's 'set'",
                              "add 'set: <id of a choice set>' to the block")
            return None
        return self.choice(node, what, choice_set)

    def choice(self, node: Node | None, what: str, choice_set: m.ChoiceSet | None) -> m.Choice | None:
        """A text naming one value of choice_set (nothing when the set is unusable)."""
        if choice_set is None:
            return None
        return self.fields.choice(node, what, choice_set)


@frozen
class ExamQuestion:
    """A multiple-choice question as a topic page's structured data states it (schema.org's
    Quiz, for search engines): plain text, no Markdown."""

    text: str
    """The question."""
    options: tuple[str, ...]
    """Its options, in the order shown."""
    right: tuple[int, ...]
    """The positions (0-based) of the right options."""
    explanation: str
    """Why the answer is right; "" when none."""


@frozen
class Kind:
    """One kind of block: its model, the keys it reads and how, and what it draws.

    Its page template is templates/blocks/<name>.html; a printable kind also has
    templates/card_blocks/<name>.html."""

    name: str
    """What authors write as `kind:`."""
    model: type[m.Block]
    """The block's model class."""
    parse: Callable[[Mapping, TopicScope], dict]
    """Reads the kind's own keys; returns the model's kind-specific fields."""
    keys: tuple[Key, ...] = ()
    """The kind's own keys beyond kind, id, title and icon (BLOCK_KEYS): what the parser
    reads, the schema offers and the README lists."""
    summary: str = ""
    """One line on what the kind is for (the README's content reference)."""
    example: str = ""
    """A block of the kind as YAML, a list item with comments: shown in the README and
    written into the starter topic (`sitegen new topic`), which builds as written. It may
    name the starter's sets (sitegen/starter.py) and the table `responsibility-matrix`."""
    example_files: tuple[tuple[str, str], ...] = ()
    """Files the example needs beside topic.yaml, as (name, text)."""
    notes: str = ""
    """Rules beyond the keys, for the README's content reference."""
    one_of: tuple[str, ...] = ()
    """Optional keys of which a block has exactly one (a table's rows or groups)."""
    link: Callable[[m.Block, dict[str, m.Block | None], Mapping, Fields], None] | None = None
    """Checks references to other blocks of the topic, once all are read (given the blocks
    by id, None for one whose mistakes were reported)."""
    draw: Callable[[m.Topic, m.Block], str] | None = None
    """The block's diagram as DOT source, for a kind drawn as a diagram."""
    flashcards: Callable[[m.Topic, m.Block], tuple[Note, ...]] | None = None
    """The block's study notes (sitegen/notes.py), in page order, for a kind whose items
    are prompts with answers; None for a kind that gives none."""
    exam_questions: Callable[[m.Block], tuple[ExamQuestion, ...]] | None = None
    """The block's multiple-choice questions, for a kind that asks some: the topic page
    states them as structured data (sitegen/metadata.py)."""

    @property
    def shape(self) -> Shape:
        """The block as a mapping: the keys every block has, then the kind's own."""
        kind = Key("kind", Choice((self.name,), "kind"), "What kind of block this is.",
                   required=True)
        return Shape(f"{self.name} block", (kind, *BLOCK_KEYS[1:], *self.keys), self.summary,
                     one_of=self.one_of)

    @property
    def required(self) -> tuple[str, ...]:
        """Keys beyond kind, id and title that a block must have."""
        return required_keys(self.keys)

    @property
    def optional(self) -> tuple[str, ...]:
        """Keys beyond icon that a block may have."""
        return optional_keys(self.keys)


BLOCK_KEYS = (
    Key("kind", TEXT, "What kind of block this is.", required=True),
    Key("id", ID, "The block's anchor on the page, and how cards and diagrams name it: "
        "lowercase letters, digits, '-' and '_'.", required=True),
    Key("title", TEXT, "The block's heading.", required=True),
    Key("icon", TEXT, "An emoji shown before the heading."),
)
"""Keys every block has, whatever its kind."""


def optional_text(mapping: Mapping | None, key: str, f: Fields, what: str = "") -> str:
    """Text under an optional key; "" when absent or unusable. what: its name in messages."""
    node = get(mapping, key)
    return (f.text(node, what or key) or "") if node is not None else ""


def item_ids(items: list[tuple[Node | None, Node, str]], f: Fields, what: str) -> list[str]:
    """The ids of a block's items that have no id of their own in the text: each the
    written `id:`, else the item's 1-based position. items: (its id node or None, the item's
    node, its position as text) for each item, in order. Reports ids used twice."""
    ids = []
    for id_node, item_node, position in items:
        written = f.identifier(id_node, what) if id_node is not None else None
        ids.append((id_node or item_node, written or position))
    f.unique(ids, what)
    return [item_id for _, item_id in ids]


def optional_inline(mapping: Mapping | None, key: str, f: Fields, what: str = "") -> str:
    """Text a reader sees, as inline Markdown, under an optional key; "" when absent or
    unusable. what: its name in messages."""
    node = get(mapping, key)
    return (f.inline(node, what or key) or "") if node is not None else ""
