"""The layers kind: a stacked diagram, one layer per value of a choice set, split by a line."""

from __future__ import annotations


from ..records import frozen
from ..dot import Html, html_text, label, new_graph
from ..inline import plain_text
from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, Topic, _Model, sealed
from ..styles import style_named
from ..shapes import TEXT, TEXT_LIST, Key, ListOf, Reference, Shape
from .base import Kind, TopicScope

PARTS_PER_ROW = 4


@sealed
@frozen
class PartGroup(_Model):
    """A named group of parts inside a layer, e.g. Physical Security."""

    name: str
    """Group name."""
    parts: tuple[str, ...]
    """What the group is made of, e.g. Hardware, Facilities."""


@sealed
@frozen
class Layer(_Model):
    """One layer of the stack, standing for one value of the block's set."""

    value: Choice
    """The value the layer stands for; its text is the layer's tagline."""
    heading: str
    """The layer's heading, drawn in capitals."""
    parts: tuple[str, ...]
    """Loose parts of the layer."""
    groups: tuple[PartGroup, ...]
    """Grouped parts of the layer."""


@sealed
@frozen(kw_only=True)
class Layers(Block):
    """Layers stacked top to bottom, separated by a labelled boundary, drawn as a diagram."""

    kind = "layers"
    caption: str
    """Diagram caption."""
    boundary: str
    """Label of the line between the layers."""
    layers: tuple[Layer, ...]
    """Layers from top to bottom."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    choice_set = scope.choice_set(get(block, "set"), "layers set")
    layers = []
    for node in f.sequence(get(block, "layers"), "layers"):
        layer = f.mapping(node, "layer", LAYER.required, LAYER.optional)
        groups = []
        if get(layer, "groups") is not None:
            for group_node in f.sequence(get(layer, "groups"), "groups"):
                group = f.mapping(group_node, "group", PART_GROUP.required, PART_GROUP.optional)
                groups.append(PartGroup(f.inline(get(group, "name"), "group name"),
                                        f.inlines(get(group, "parts"), "parts")))
        layers.append((get(layer, "value"), Layer(
            value=scope.choice(get(layer, "value"), "layer value", choice_set),
            heading=f.inline(get(layer, "heading"), "layer heading"),
            parts=f.inlines(get(layer, "parts"), "parts"),
            groups=tuple(groups),
        )))
    f.unique([(node, layer.value.id) for node, layer in layers if layer.value], "layer value")
    return {"caption": f.inline(get(block, "caption"), "caption"),
            "boundary": f.inline(get(block, "boundary"), "boundary"),
            "layers": tuple(layer for _, layer in layers)}


def _cells(parts: tuple[str, ...], columns: int, fill: str, line: str) -> str:
    """Table rows of part cells; the last part of a short row stretches to the edge."""
    rows = []
    for start in range(0, len(parts), columns):
        row = parts[start:start + columns]
        cells = []
        for i, part in enumerate(row):
            span = columns - len(row) + 1 if i == len(row) - 1 else 1
            cells.append(f'<TD COLSPAN="{span}" BGCOLOR="{fill}" COLOR="{line}">{html_text(part)}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return "".join(rows)


def _layer_label(layer: Layer) -> str:
    """One layer as an HTML-like table: heading, tagline, part cells, then each group."""
    style = style_named(layer.value.style)
    fill, line = style.fill, style.line
    columns = max(1, min(len(layer.parts), PARTS_PER_ROW))
    rows = [f'<TR><TD COLSPAN="{columns}" BORDER="0"><B>{html_text(plain_text(layer.heading).upper())}</B></TD></TR>']
    if layer.value.text:
        rows.append(f'<TR><TD COLSPAN="{columns}" BORDER="0"><I>“{html_text(layer.value.text)}”</I></TD></TR>')
    rows.append(_cells(layer.parts, columns, fill, line))
    for group in layer.groups:
        group_columns = max(1, min(len(group.parts), PARTS_PER_ROW + 1))
        inner = (f'<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="4">'
                 f'<TR><TD COLSPAN="{group_columns}"><B>{html_text(group.name)}</B></TD></TR>'
                 + _cells(group.parts, group_columns, fill, line).replace("<TD ", '<TD BORDER="1" ')
                 + "</TABLE>")
        rows.append(f'<TR><TD COLSPAN="{columns}" COLOR="{line}" STYLE="{style.dot_style}">{inner}</TD></TR>')
    return Html(f'<<TABLE BORDER="2" STYLE="rounded,{style.dot_style}" COLOR="{line}" BGCOLOR="white" CELLBORDER="1" '
                f'CELLSPACING="6" CELLPADDING="6">{"".join(rows)}</TABLE>>')


def draw(topic: Topic, block: Layers) -> str:
    """Each layer with its parts and groups, top to bottom, split by the boundary."""
    graph = new_graph(f"{topic.slug}-{block.id}")
    previous = None
    for index, layer in enumerate(block.layers):
        name = f"layer{index}"
        graph.node(name, _layer_label(layer), shape="plain",
                   style="", **{"class": f"layer choice-{layer.value.style}"})
        if previous:
            graph.edge(previous, name)
        previous = name
        if index < len(block.layers) - 1:
            boundary = f"boundary{index}"
            graph.node(boundary, label(f"══════  {plain_text(block.boundary).upper()}  ══════"), shape="plain",
                       style="", fontsize="14", **{"class": "boundary"})
            graph.edge(previous, boundary)
            previous = boundary
    return graph.source


PART_GROUP = Shape("part group", (
    Key("name", TEXT, "The group's name.", required=True),
    Key("parts", TEXT_LIST, "What the group is made of.", required=True),
), "A named group of parts inside a layer.")
LAYER = Shape("layer", (
    Key("value", Reference("a value of the block's `set`"), "The value the layer stands "
        "for; its text is the layer's tagline.", required=True),
    Key("heading", TEXT, "The layer's heading, drawn in capitals.", required=True),
    Key("parts", TEXT_LIST, "The layer's parts.", required=True),
    Key("groups", ListOf(PART_GROUP), "Named groups of more parts."),
), "One layer of the stack.")

KIND = Kind("layers", Layers, parse, keys=(
    Key("set", Reference("a choice set"), "The set the layers stand for values of.",
        required=True),
    Key("caption", TEXT, "What the diagram shows.", required=True),
    Key("boundary", TEXT, "The label of the line drawn between the layers.", required=True),
    Key("layers", ListOf(LAYER), "The layers, top to bottom.", required=True),
), draw=draw,
    summary="Layers stacked top to bottom, one per value of `set`, split by a boundary line; drawn as a diagram.",
    notes="The page also shows the diagram as text.",
    example="""\
- kind: layers
  id: core-concept
  title: The Core Concept
  set: owner
  caption: The shared responsibility model
  boundary: Responsibility Boundary     # the line drawn between the layers
  layers:                    # top to bottom, one value of the set each
    - value: customer        # the value's text is the layer's tagline
      heading: Customer Responsibility
      parts: [Customer Data, Applications, Operating System]
    - value: aws
      heading: AWS Responsibility
      parts: [Compute, Storage, Networking]
      groups:                # optional
        - name: Physical Security
          parts: [Hardware, Facilities]
""")
