"""The breakdown kind: sections of areas, each with its points, optionally one per set value."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, _Model, sealed
from .base import Kind, TopicScope, optional_inline


@sealed
@dataclass(frozen=True)
class Area(_Model):
    """One area with its key points."""

    name: str
    """Area name, e.g. "Hardware"."""
    points: tuple[str, ...]
    """What the area covers."""


@sealed
@dataclass(frozen=True)
class BreakdownSection(_Model):
    """One section of the breakdown, area by area."""

    heading: str
    """Section heading."""
    value: Choice | None
    """The value the section stands for (its style), or None."""
    intro: str
    """Optional sentence introducing the areas; "" when none."""
    areas: tuple[Area, ...]
    """The areas, in order."""


@sealed
@dataclass(frozen=True, kw_only=True)
class Breakdown(Block):
    """A detailed breakdown in sections of areas."""

    kind = "breakdown"
    sections: tuple[BreakdownSection, ...]
    """The sections, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    choice_set = scope.choice_set(get(block, "set"), "breakdown set") if get(block, "set") else None
    sections = []
    for node in f.sequence(get(block, "sections"), "sections"):
        section = f.mapping(node, "breakdown section", ("heading", "areas"), ("value", "intro"))
        areas = []
        for area_node in f.sequence(get(section, "areas"), "areas"):
            area = f.mapping(area_node, "area", ("name", "points"))
            areas.append(Area(f.inline(get(area, "name"), "area name"),
                              f.inlines(get(area, "points"), "points")))
        sections.append(BreakdownSection(
            heading=f.inline(get(section, "heading"), "section heading"),
            value=scope.optional_choice(block, get(section, "value"), "section value", choice_set),
            intro=optional_inline(section, "intro", f),
            areas=tuple(areas),
        ))
    return {"sections": tuple(sections)}


KIND = Kind("breakdown", Breakdown, parse, required=("sections",), optional=("set",),
            summary="Sections of named areas with their points; a section may stand for a value of `set`.")
