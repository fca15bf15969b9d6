"""The tips kind: numbered exam tips.

Tips give no flashcards: a tip is one statement, with no prompt to answer. A card made of it
would show the whole tip on the front (nothing to recall), or cut it at a colon into a
question the author never wrote. What a tip teaches is better asked as a question, a
definition or a scenario, which do make cards.
"""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, sealed
from ..shapes import TEXT_LIST, Key
from .base import Kind, TopicScope


@sealed
@frozen(kw_only=True)
class Tips(Block):
    """Numbered exam tips."""

    kind = "tips"
    printable = True
    items: tuple[str, ...]
    """The tips, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    return {"items": scope.fields.inlines(get(block, "items"), "tips")}


KIND = Kind("tips", Tips, parse, keys=(
    Key("items", TEXT_LIST, "The tips, in order.", required=True),
), summary="Numbered tips.", notes="Printable.",
    example="""\
- kind: tips
  id: exam-tips
  title: Exam Tips
  items:
    - '"Security OF the cloud" is AWS; "security IN the cloud" is the customer.'
    - The more the service manages, the less the customer secures.
""")
