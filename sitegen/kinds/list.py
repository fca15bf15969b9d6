"""The list kind: a plain list of statements."""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, sealed
from ..shapes import FLAG, TEXT_LIST, Key
from .base import Kind, TopicScope


@sealed
@frozen(kw_only=True)
class ItemList(Block):
    """A plain list of statements."""

    kind = "list"
    printable = True
    ordered: bool
    """Whether the items are numbered."""
    items: tuple[str, ...]
    """The statements, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    ordered = get(block, "ordered")
    return {"ordered": bool(f.flag(ordered, "ordered")) if ordered is not None else False,
            "items": f.inlines(get(block, "items"), "items")}


KIND = Kind("list", ItemList, parse, keys=(
    Key("ordered", FLAG, "Number the items (default: false)."),
    Key("items", TEXT_LIST, "The statements, in order.", required=True),
), summary="A list of statements, numbered with `ordered: true`.", notes="Printable.",
    example="""\
- kind: list
  id: key-takeaways
  title: Key Takeaways
  ordered: true              # optional: numbered
  items:
    - AWS secures the infrastructure.
    - The customer secures data, identities and configuration.
""")
