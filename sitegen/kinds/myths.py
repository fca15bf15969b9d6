"""The myths kind: misconceptions set against the reality, with a myth-or-reality self-test."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, _Model, sealed
from ..shapes import TEXT, Key, ListOf, Shape
from .base import Kind, TopicScope


@sealed
@dataclass(frozen=True)
class Myth(_Model):
    """A misconception and the reality."""

    myth: str
    """What people wrongly believe."""
    reality: str
    """What is actually true."""


@sealed
@dataclass(frozen=True, kw_only=True)
class Myths(Block):
    """Misconceptions set against the reality."""

    kind = "myths"
    printable = True
    interactive = True
    caption: str
    """Table caption."""
    items: tuple[Myth, ...]
    """The misconceptions, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    items = []
    for node in f.sequence(get(block, "items"), "items"):
        item = f.mapping(node, "misconception", MYTH.required, MYTH.optional)
        items.append(Myth(f.inline(get(item, "myth"), "myth"), f.inline(get(item, "reality"), "reality")))
    return {"caption": f.inline(get(block, "caption"), "caption"), "items": tuple(items)}


MYTH = Shape("misconception", (
    Key("myth", TEXT, "What people wrongly believe; it must read on its own.", required=True),
    Key("reality", TEXT, "What is true instead; it must read on its own.", required=True),
), "A misconception and the reality.")

KIND = Kind("myths", Myths, parse, keys=(
    Key("caption", TEXT, "What the table of misconceptions shows.", required=True),
    Key("items", ListOf(MYTH), "The misconceptions, in order.", required=True),
), summary="Misconceptions and the reality, as a table and a myth-or-reality self-test.",
    notes="The self-test shuffles the statements one at a time, so write each myth and "
          "each reality so that it reads on its own. Printable.",
    example="""\
- kind: myths
  id: misconceptions
  title: Common Misconceptions
  caption: Common misconceptions and the reality
  items:
    - myth: AWS is responsible for securing everything in the cloud.
      reality: AWS secures the cloud itself; the customer secures what they put in it.
""")
