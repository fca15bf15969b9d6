"""The diagram kind: a table's set-typed columns drawn side by side, rows in runs of a value.

Drawn from the table's own model, so the drawing and the table cannot disagree. For a
table of components by service model whose cells name an owner, it shows where the line
between the owners falls in each column.
"""

from __future__ import annotations


from ..records import frozen
from ..dot import label, new_graph
from ..fields import Fields, get
from ..inline import plain_text
from ..load import Mapping
from ..model import Block, Topic, sealed
from ..styles import style_named
from ..shapes import TEXT, Key, Reference
from .base import Kind, TopicScope
from .table import Table

LABEL_WRAP = 24
"""Characters per line of a row's box."""


@sealed
@frozen(kw_only=True)
class Diagram(Block):
    """A diagram drawn from a table block's set-typed columns."""

    kind = "diagram"
    source: str
    """Id of the table block the diagram is drawn from."""
    caption: str
    """What the diagram shows."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    return {"source": f.identifier(get(block, "source"), "diagram source"),
            "caption": f.inline(get(block, "caption"), "caption")}


def link(block: Diagram, blocks: dict[str, Block], node: Mapping, f: Fields) -> None:
    """The source must be a table with a column typed by a choice set."""
    if not block.source or (block.source in blocks and blocks[block.source] is None):
        return  # no source, or one whose own mistakes were reported
    source = blocks.get(block.source)
    tables = [b.id for b in blocks.values() if isinstance(b, Table) and b.choice_columns]
    hint = "tables with a set-typed column here: " + (", ".join(tables) or "none")
    if not isinstance(source, Table):
        problem = ("names no block in this topic" if source is None
                   else f"names a {source.kind} block")
        f.error(get(node, "source"), f"diagram source '{block.source}' {problem}; "
                "expected the id of a table block", hint)
    elif not source.choice_columns:
        f.error(get(node, "source"), f"diagram source '{block.source}' has no column typed by "
                "a choice set, so there is nothing to draw", hint)


def draw(topic: Topic, block: Diagram) -> str:
    """One column per set-typed column of the table, its rows grouped into runs of a value."""
    table = topic.block(block.source)
    graph = new_graph(f"{topic.slug}-{block.id}")
    heads = table.heads()
    # Every box as wide as the longest row heading line, so the columns line up.
    longest = min(max((len(plain_text(head)) for head in heads), default=0), LABEL_WRAP)
    graph.attr(nodesep="0.5", ranksep="0.12")
    graph.attr("node", width=f"{max(2.1, 0.1 * longest + 0.4):.2f}")
    stacking = []  # invisible edges keep each column in row order; added after the clusters
    for c, (index, column) in enumerate(table.choice_columns):
        with graph.subgraph(name=f"cluster_c{c}") as drawn:
            # Clusters inherit the graph's id unless given their own.
            drawn.attr(id=f"{graph.name}-c{c}", label=label(column.heading), fontsize="14",
                       style="rounded", color="#475569", penwidth="1.5", margin="10")
            drawn.attr(**{"class": "column"})
            previous = None
            for s, (value, rows) in enumerate(table.runs(index)):
                style = style_named(value.style)
                with drawn.subgraph(name=f"cluster_c{c}r{s}") as run:
                    # The run is filled with the value's colour so it reads as one band;
                    # its label and border pattern name the value without colour.
                    run.attr(id=f"{graph.name}-c{c}r{s}", label=label(value.label),
                             style=f"filled,{style.dot_style}", fillcolor=style.fill, margin="6",
                             color=style.line, fontsize="12", penwidth="1.5")
                    run.attr(**{"class": f"run choice-{value.style}"})
                    for row_index, head in rows:
                        name = f"c{c}row{row_index}"
                        run.node(name, label(head, LABEL_WRAP), fillcolor="white",
                                 id=f"{graph.name}-{name}",
                                 color=style.line, **{"class": f"part choice-{value.style}"})
                        if previous:
                            stacking.append((previous, name))
                        previous = name
    graph.edges(stacking)
    return graph.source


KIND = Kind("diagram", Diagram, parse, keys=(
    Key("source", Reference("a table block of the topic"), "The table to draw: it needs a "
        "column typed by a choice set.", required=True),
    Key("caption", TEXT, "What the diagram shows.", required=True),
), link=link, draw=draw,
    summary="A table's set-typed columns drawn side by side, each row placed in the run of its value (`source`: the table's id).",
    notes="Each set-typed column is drawn side by side, each row's heading in the run of "
          "rows sharing its value, so the drawing and the table cannot disagree (e.g. where "
          "the responsibility boundary falls for each service model). The page also shows "
          "it as text.",
    example="""\
- kind: diagram
  id: boundary-shift
  title: How the Boundary Moves
  source: responsibility-matrix   # a table block with set-typed columns
  caption: Where the responsibility boundary falls, column by column
""")
