"""The quick_reference kind: short groups of items, each optionally marked by a set's value."""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, _Model, sealed
from ..shapes import TEXT, TEXT_LIST, Key, ListOf, Reference, Shape
from .base import Kind, TopicScope, optional_inline


@sealed
@frozen
class QuickGroup(_Model):
    """One group of the quick reference."""

    title: str
    """Group title, e.g. "Always AWS"."""
    value: Choice | None
    """The value the group stands for (its style), or None for a neutral group."""
    items: tuple[str, ...]
    """The items, in order."""


@sealed
@frozen(kw_only=True)
class QuickReference(Block):
    """Short groups of items to take in at a glance."""

    kind = "quick_reference"
    printable = True
    groups: tuple[QuickGroup, ...]
    """The groups, in order."""
    caption: str = ""
    """Optional name of the reference; the card's heading for this block when given."""

    @property
    def card_heading(self) -> str:
        return self.caption or self.title


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    choice_set = scope.choice_set(get(block, "set"), "quick-reference set") if get(block, "set") else None
    groups = []
    for node in f.sequence(get(block, "groups"), "groups"):
        group = f.mapping(node, "quick-reference group", GROUP.required, GROUP.optional)
        groups.append(QuickGroup(
            title=f.inline(get(group, "title"), "group title"),
            value=scope.optional_choice(block, get(group, "value"), "group value", choice_set),
            items=f.inlines(get(group, "items"), "items"),
        ))
    return {"groups": tuple(groups), "caption": optional_inline(block, "caption", f)}


GROUP = Shape("quick-reference group", (
    Key("title", TEXT, "The group's title.", required=True),
    Key("value", Reference("a value of the block's `set`"), "The value the group stands "
        "for: it takes the value's style."),
    Key("items", TEXT_LIST, "The items, in order.", required=True),
), "A short group of items.")

KIND = Kind("quick_reference", QuickReference, parse, keys=(
    Key("caption", TEXT, "The card's heading for the block (default: its title)."),
    Key("set", Reference("a choice set"), "The set the groups' `value` names a value of."),
    Key("groups", ListOf(GROUP), "The groups, in order.", required=True),
), summary="Short titled groups of items; a group may stand for a value of the block's `set`.",
    notes="Printable.",
    example="""\
- kind: quick_reference
  id: quick-reference
  title: Quick Reference
  caption: Who does what     # optional: the card's heading for the block
  set: owner                 # optional: lets a group name a value
  groups:
    - title: Always the customer
      value: customer        # optional: the group takes the value's style
      items: [Your data, IAM users and policies, Security group rules]
    - title: Always AWS
      value: aws
      items: [Data centers, Hardware, Hypervisor]
""")
