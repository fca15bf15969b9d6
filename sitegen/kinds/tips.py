"""The tips kind: numbered exam tips."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, sealed
from .base import Kind, TopicScope


@sealed
@dataclass(frozen=True, kw_only=True)
class Tips(Block):
    """Numbered exam tips."""

    kind = "tips"
    printable = True
    items: tuple[str, ...]
    """The tips, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    return {"items": scope.fields.inlines(get(block, "items"), "tips")}


KIND = Kind("tips", Tips, parse, required=("items",), summary="Numbered tips.")
