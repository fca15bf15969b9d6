"""What every block kind module builds on: the Kind record and what a parser may refer to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..load import Mapping, Node, TextFile
from ..fields import Fields, get

if TYPE_CHECKING:
    from .. import model as m


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


@dataclass(frozen=True)
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
    required: tuple[str, ...] = ()
    """Keys beyond kind, id and title that a block must have."""
    optional: tuple[str, ...] = ()
    """Keys beyond icon that a block may have."""
    summary: str = ""
    """One line on what the kind is for (the README's content reference)."""
    link: Callable[[m.Block, dict[str, m.Block | None], Mapping, Fields], None] | None = None
    """Checks references to other blocks of the topic, once all are read (given the blocks
    by id, None for one whose mistakes were reported)."""
    draw: Callable[[m.Topic, m.Block], str] | None = None
    """The block's diagram as DOT source, for a kind drawn as a diagram."""


def optional_text(mapping: Mapping | None, key: str, f: Fields, what: str = "") -> str:
    """Text under an optional key; "" when absent or unusable. what: its name in messages."""
    node = get(mapping, key)
    return (f.text(node, what or key) or "") if node is not None else ""


def optional_inline(mapping: Mapping | None, key: str, f: Fields, what: str = "") -> str:
    """Text a reader sees, as inline Markdown, under an optional key; "" when absent or
    unusable. what: its name in messages."""
    node = get(mapping, key)
    return (f.inline(node, what or key) or "") if node is not None else ""
