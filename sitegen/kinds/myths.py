"""The myths kind: misconceptions set against the reality, with a myth-or-reality self-test."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, _Model, sealed
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
        item = f.mapping(node, "misconception", ("myth", "reality"))
        items.append(Myth(f.inline(get(item, "myth"), "myth"), f.inline(get(item, "reality"), "reality")))
    return {"caption": f.inline(get(block, "caption"), "caption"), "items": tuple(items)}


KIND = Kind("myths", Myths, parse, required=("caption", "items"),
            summary="Misconceptions and the reality, as a table and a myth-or-reality self-test.")
