"""The breakdown kind: sections of areas, each with its points, optionally one per set value."""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, _Model, sealed
from ..shapes import TEXT, TEXT_LIST, Key, ListOf, Reference, Shape
from .base import Kind, TopicScope, optional_inline


@sealed
@frozen
class Area(_Model):
    """One area with its key points."""

    name: str
    """Area name, e.g. "Hardware"."""
    points: tuple[str, ...]
    """What the area covers."""


@sealed
@frozen
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
@frozen(kw_only=True)
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
        section = f.mapping(node, "breakdown section", SECTION.required, SECTION.optional)
        areas = []
        for area_node in f.sequence(get(section, "areas"), "areas"):
            area = f.mapping(area_node, "area", AREA.required, AREA.optional)
            areas.append(Area(f.inline(get(area, "name"), "area name"),
                              f.inlines(get(area, "points"), "points")))
        sections.append(BreakdownSection(
            heading=f.inline(get(section, "heading"), "section heading"),
            value=scope.optional_choice(block, get(section, "value"), "section value", choice_set),
            intro=optional_inline(section, "intro", f),
            areas=tuple(areas),
        ))
    return {"sections": tuple(sections)}


AREA = Shape("area", (
    Key("name", TEXT, "The area's name.", required=True),
    Key("points", TEXT_LIST, "What the area covers.", required=True),
), "One area of a section, with its points.")
SECTION = Shape("breakdown section", (
    Key("heading", TEXT, "The section's heading.", required=True),
    Key("value", Reference("a value of the block's `set`"), "The value the section stands "
        "for: it takes the value's style."),
    Key("intro", TEXT, "A sentence introducing the areas."),
    Key("areas", ListOf(AREA), "The areas, in order.", required=True),
), "A section of the breakdown.")

KIND = Kind("breakdown", Breakdown, parse, keys=(
    Key("set", Reference("a choice set"), "The set the sections' `value` names a value of."),
    Key("sections", ListOf(SECTION), "The sections, in order.", required=True),
), summary="Sections of named areas with their points; a section may stand for a value of `set`.",
    example="""\
- kind: breakdown
  id: detailed-breakdown
  title: Detailed Breakdown
  set: owner                 # optional: lets a section name a value
  sections:
    - heading: AWS Responsibilities
      value: aws             # optional: the section takes the value's style
      intro: "AWS protects the infrastructure that runs every service:"   # optional
      areas:
        - name: Physical Security
          points: [Data center access, Surveillance]
        - name: Hardware
          points: [Servers, Networking equipment]
""")
