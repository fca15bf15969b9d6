"""The definitions kind: groups of terms and what they mean.

Each term is a flashcard, term -> definition. A term has no id in the text unless the author
writes one: the note is named by its `id:`, else by its position in the block (counted
across groups), never by its wording, so rewording a term or its definition keeps a learner's
review history; an explicit id keeps it too when terms are reordered.
"""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, Topic, _Model, sealed
from ..notes import Note
from ..shapes import ID, TEXT, Key, ListOf, Shape
from .base import Kind, TopicScope, item_ids


@sealed
@frozen
class Definition(_Model):
    """A term and what it means."""

    term: str
    """The term."""
    definition: str
    """Its meaning."""
    id: str = ""
    """Names the term for good (its flashcard's history): the `id:` written, else its
    1-based position in the block, counted across groups."""


@sealed
@frozen
class DefinitionGroup(_Model):
    """A titled list of terms."""

    title: str
    """Group title; "" for a group without one (a block of a single group, say)."""
    items: tuple[Definition, ...]
    """Terms, in order."""


@sealed
@frozen(kw_only=True)
class Definitions(Block):
    """Groups of term/definition pairs."""

    kind = "definitions"
    printable = True
    groups: tuple[DefinitionGroup, ...]
    """The groups, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    read = []
    for node in f.sequence(get(block, "groups"), "groups"):
        group = f.mapping(node, "definition group", GROUP.required, GROUP.optional)
        items = []
        for item_node in f.sequence(get(group, "items"), "items"):
            item = f.mapping(item_node, "definition", DEFINITION.required, DEFINITION.optional)
            items.append((item_node, get(item, "id"), f.inline(get(item, "term"), "term"),
                          f.inline(get(item, "definition"), "definition")))
        title = f.inline(get(group, "title"), "group title") if get(group, "title") else ""
        read.append((title, items))
    every = [item for _, items in read for item in items]
    ids = iter(item_ids([(id_node, node, str(n)) for n, (node, id_node, _, _) in enumerate(every, 1)],
                        f, "definition id"))
    groups = tuple(DefinitionGroup(title, tuple(Definition(term, definition, next(ids))
                                                for _, _, term, definition in items))
                   for title, items in read)
    return {"groups": groups}


def flashcards(topic: Topic, block: Definitions) -> tuple[Note, ...]:
    """term -> definition, for each term."""
    return tuple(Note(topic.slug, block.id, item.id, "definition", item.term, item.definition)
                 for group in block.groups for item in group.items)


DEFINITION = Shape("definition", (
    Key("id", ID, "Names the term's flashcard for good, so that its review history is kept "
        "when terms are reordered (default: its position in the block, counted across "
        "groups; rewording never loses it)."),
    Key("term", TEXT, "The term.", required=True),
    Key("definition", TEXT, "What it means.", required=True),
), "A term and what it means.")
GROUP = Shape("definition group", (
    Key("title", TEXT, "The group's title (none for a block of one group, say)."),
    Key("items", ListOf(DEFINITION), "The terms, in order.", required=True),
), "A group of terms.")

KIND = Kind("definitions", Definitions, parse, flashcards=flashcards, keys=(
    Key("groups", ListOf(GROUP), "The groups, in order.", required=True),
), summary="Groups of terms, each with its definition; a group may have a title.",
    notes="Printable. Each term is a flashcard of the study deck, term -> definition.",
    example="""\
- kind: definitions
  id: key-terms
  title: Key Terms
  groups:
    - title: Service models    # optional
      items:
        - term: IaaS
          definition: Infrastructure as a Service; you manage the OS and up.
        - term: SaaS
          definition: Software as a Service; you manage your data and access.
""")
