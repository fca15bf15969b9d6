"""The myths kind: misconceptions set against the reality, with a myth-or-reality self-test.

Each misconception is a flashcard, myth -> reality, named by its `id:` if written, else by its
position in the block: never by its wording, so a reworded one keeps its review history.
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
class Myth(_Model):
    """A misconception and the reality."""

    myth: str
    """What people wrongly believe."""
    reality: str
    """What is actually true."""
    id: str = ""
    """Names the misconception for good (its flashcard's history): the `id:` written, else
    its 1-based position in the block."""


@sealed
@frozen(kw_only=True)
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
    read = []
    for node in f.sequence(get(block, "items"), "items"):
        item = f.mapping(node, "misconception", MYTH.required, MYTH.optional)
        read.append((node, get(item, "id"), f.inline(get(item, "myth"), "myth"),
                     f.inline(get(item, "reality"), "reality")))
    ids = item_ids([(id_node, node, str(n)) for n, (node, id_node, _, _) in enumerate(read, 1)],
                   f, "misconception id")
    items = tuple(Myth(myth, reality, item_id) for (_, _, myth, reality), item_id in zip(read, ids))
    return {"caption": f.inline(get(block, "caption"), "caption"), "items": items}


def flashcards(topic: Topic, block: Myths) -> tuple[Note, ...]:
    """myth -> reality, for each misconception."""
    return tuple(Note(topic.slug, block.id, item.id, "myth", item.myth, item.reality)
                 for item in block.items)


MYTH = Shape("misconception", (
    Key("id", ID, "Names its flashcard for good, so that its review history is kept when "
        "misconceptions are reordered (default: its position in the block; rewording never "
        "loses it)."),
    Key("myth", TEXT, "What people wrongly believe; it must read on its own.", required=True),
    Key("reality", TEXT, "What is true instead; it must read on its own.", required=True),
), "A misconception and the reality.")

KIND = Kind("myths", Myths, parse, flashcards=flashcards, keys=(
    Key("caption", TEXT, "What the table of misconceptions shows.", required=True),
    Key("items", ListOf(MYTH), "The misconceptions, in order.", required=True),
), summary="Misconceptions and the reality, as a table and a myth-or-reality self-test.",
    notes="The self-test shuffles the statements one at a time, so write each myth and "
          "each reality so that it reads on its own. Printable. Each misconception is a "
          "flashcard of the study deck, myth -> reality.",
    example="""\
- kind: myths
  id: misconceptions
  title: Common Misconceptions
  caption: Common misconceptions and the reality
  items:
    - myth: AWS is responsible for securing everything in the cloud.
      reality: AWS secures the cloud itself; the customer secures what they put in it.
""")
