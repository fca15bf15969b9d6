"""The block kinds: one module each (its model, parser and drawing), registered here.

A kind's page template is templates/blocks/<kind>.html and, for a printable kind, its card
template templates/card_blocks/<kind>.html. Adding a kind is its module, one line below,
its templates, its CSS and its tests: nothing in the pipeline, pages, card, search or CLI.
"""

from __future__ import annotations

from . import (breakdown, definitions, diagram, layers, list as list_kind, myths, prose,
               questions, quick_reference, scenarios, table, tips)
from .base import Kind, TopicScope

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    prose.KIND,
    table.KIND,
    questions.KIND,
    scenarios.KIND,
    definitions.KIND,
    myths.KIND,
    tips.KIND,
    list_kind.KIND,
    quick_reference.KIND,
    breakdown.KIND,
    layers.KIND,
    diagram.KIND,
)}

RETIRED: dict[str, str] = {
    "matrix": "matrix blocks are now table blocks: columns typed by a choice set, e.g. "
              "{each: service_model, type: owner}",
    "comparison": "comparison blocks are now table blocks with a text column per compared value",
}
"""Kinds of earlier versions, with what to write instead."""

__all__ = ["KINDS", "RETIRED", "Kind", "TopicScope"]
