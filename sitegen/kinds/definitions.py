"""The definitions kind: groups of terms and what they mean."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, _Model, sealed
from ..shapes import TEXT, Key, ListOf, Shape
from .base import Kind, TopicScope


@sealed
@dataclass(frozen=True)
class Definition(_Model):
    """A term and what it means."""

    term: str
    """The term."""
    definition: str
    """Its meaning."""


@sealed
@dataclass(frozen=True)
class DefinitionGroup(_Model):
    """A titled list of terms."""

    title: str
    """Group title; "" for a group without one (a block of a single group, say)."""
    items: tuple[Definition, ...]
    """Terms, in order."""


@sealed
@dataclass(frozen=True, kw_only=True)
class Definitions(Block):
    """Groups of term/definition pairs."""

    kind = "definitions"
    printable = True
    groups: tuple[DefinitionGroup, ...]
    """The groups, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    groups = []
    for node in f.sequence(get(block, "groups"), "groups"):
        group = f.mapping(node, "definition group", GROUP.required, GROUP.optional)
        items = []
        for item_node in f.sequence(get(group, "items"), "items"):
            item = f.mapping(item_node, "definition", DEFINITION.required, DEFINITION.optional)
            items.append(Definition(f.inline(get(item, "term"), "term"),
                                    f.inline(get(item, "definition"), "definition")))
        title = f.inline(get(group, "title"), "group title") if get(group, "title") else ""
        groups.append(DefinitionGroup(title, tuple(items)))
    return {"groups": tuple(groups)}


DEFINITION = Shape("definition", (
    Key("term", TEXT, "The term.", required=True),
    Key("definition", TEXT, "What it means.", required=True),
), "A term and what it means.")
GROUP = Shape("definition group", (
    Key("title", TEXT, "The group's title (none for a block of one group, say)."),
    Key("items", ListOf(DEFINITION), "The terms, in order.", required=True),
), "A group of terms.")

KIND = Kind("definitions", Definitions, parse, keys=(
    Key("groups", ListOf(GROUP), "The groups, in order.", required=True),
), summary="Groups of terms, each with its definition; a group may have a title.",
    notes="Printable.",
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
