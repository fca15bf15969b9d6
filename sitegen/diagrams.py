"""Diagrams generated from model data as Graphviz DOT, drawn as SVG files named by content."""

from __future__ import annotations

import hashlib
import html
import os
import re
import textwrap
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

from . import model as m
from .dot import Digraph, Html
from .cache import Cache, digest, generator_fingerprint
from .drawing import (draw_all, draw_with_library, draw_with_program, library_available,
                      fingerprint as graphviz_fingerprint)
from .workers import PARALLEL_MINIMUM, spread

FONT = "DejaVu Sans"
PARTS_PER_ROW = 4
LABEL_WRAP = 24
"""Characters per line of a component's box in the boundary diagram."""
# Fixed light colours: the site shows diagrams on a light panel in both colour schemes.
# Each party also gets its own border pattern, so ownership survives greyscale printing.
PARTY_STYLES = (
    {"fill": "#dbeafe", "line": "#1e40af", "style": "dashed"},  # first declared party
    {"fill": "#ffedd5", "line": "#9a3412", "style": "solid"},   # second
    {"fill": "#dcfce7", "line": "#166534", "style": "dotted"},  # any third
)


@dataclass(frozen=True)
class RenderedDiagram:
    """One diagram ready to place on a page; its SVG is read only when something needs it."""

    file_name: str
    """Name under diagrams/, derived from the DOT source's hash."""
    key: str
    """Changes whenever the SVG does (the drawing tool, title and DOT source)."""
    source: Callable[[], bytes] = field(compare=False, repr=False)
    """Gives the standalone SVG file: a rebuild that keeps a diagram never reads it."""

    @property
    def svg(self) -> bytes:
        return self.source()

    def __reduce__(self):
        # Sent to a worker process with its bytes: the source may read a cache.
        return (_with_svg, (self.file_name, self.key, self.svg))


def _with_svg(file_name: str, key: str, svg: bytes) -> RenderedDiagram:
    return RenderedDiagram(file_name, key, partial(bytes, svg))


# Characters XML 1.0 cannot hold, which Graphviz copies into the SVG as they are. The loader
# refuses them in content; a model made otherwise must still give a well-formed drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(text: str) -> str:
    """Content text on one line, any character XML cannot hold shown as U+FFFD."""
    return " ".join(_NOT_XML.sub("\ufffd", text).split())


def label(text: str, wrap: int = 0) -> str:
    """Content text made literal for DOT: no HTML-like labels, no backslash escapes, no
    character references.

    With wrap, long text is broken into lines of about that many characters (a newline
    inside a quoted DOT string is a line break).
    """
    import graphviz  # imported when a diagram is drawn, not on every build

    text = _text(text)
    if wrap:
        text = "\n".join(textwrap.wrap(text, wrap)) or text
    # Graphviz decodes character references (&amp;, &#x1;) in every label, not only in
    # HTML-like ones (https://graphviz.org/doc/info/lang.html, "Character encodings"):
    # "&#xD800;" became invalid UTF-8 in the SVG, "&amp;" an "&". Written as &amp;, an
    # & is decoded back to itself, so a label shows what the author typed, as the
    # page's tables do.
    return graphviz.escape(text).replace("&", "&amp;")


def _party_style(party: m.Party) -> dict:
    return PARTY_STYLES[party.index - 1]  # validation allows no more parties than styles


def _new_graph(name: str) -> Digraph:
    graph = Digraph(name)
    # The graph id prefixes every generated SVG id, so two inline diagrams never clash.
    graph.attr(id=name, fontname=FONT, bgcolor="transparent", newrank="true",
               nodesep="0.15", ranksep="0.25", margin="0")
    graph.attr("node", shape="box", style="filled", fontname=FONT, fontsize="12",
               margin="0.12,0.06", height="0.4")
    graph.attr("edge", style="invis")
    return graph


def _html(text: str) -> str:
    """Content text made literal inside a Graphviz HTML-like label.

    Graphviz expands escapes such as \\N (node name) even inside HTML-like labels, after
    decoding entities; a doubled backslash is what it reads back as one literal backslash.
    """
    return html.escape(_text(text), quote=True).replace("\\", "\\\\")


def _cells(parts: tuple[str, ...], columns: int, fill: str, line: str) -> str:
    """Table rows of part cells; the last part of a short row stretches to the edge."""
    rows = []
    for start in range(0, len(parts), columns):
        row = parts[start:start + columns]
        cells = []
        for i, part in enumerate(row):
            span = columns - len(row) + 1 if i == len(row) - 1 else 1
            cells.append(f'<TD COLSPAN="{span}" BGCOLOR="{fill}" COLOR="{line}">{_html(part)}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return "".join(rows)


def _layer_label(layer: m.Layer, style: dict) -> str:
    """One layer as an HTML-like table: heading, tagline, part cells, then each group."""
    party, fill, line = layer.party, style["fill"], style["line"]
    columns = max(1, min(len(layer.parts), PARTS_PER_ROW))
    rows = [f'<TR><TD COLSPAN="{columns}" BORDER="0"><B>{_html(party.responsibility.upper())}</B></TD></TR>',
            f'<TR><TD COLSPAN="{columns}" BORDER="0"><I>“{_html(party.tagline)}”</I></TD></TR>',
            _cells(layer.parts, columns, fill, line)]
    for group in layer.groups:
        group_columns = max(1, min(len(group.parts), PARTS_PER_ROW + 1))
        inner = (f'<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="4">'
                 f'<TR><TD COLSPAN="{group_columns}"><B>{_html(group.name)}</B></TD></TR>'
                 + _cells(group.parts, group_columns, fill, line).replace("<TD ", '<TD BORDER="1" ')
                 + "</TABLE>")
        rows.append(f'<TR><TD COLSPAN="{columns}" COLOR="{line}" STYLE="{style["style"]}">{inner}</TD></TR>')
    return Html(f'<<TABLE BORDER="2" STYLE="rounded,{style["style"]}" COLOR="{line}" BGCOLOR="white" CELLBORDER="1" '
            f'CELLSPACING="6" CELLPADDING="6">{"".join(rows)}</TABLE>>')


def layers_dot(topic: m.Topic, block: m.Layers) -> str:
    """The layered model: each party's layer with its parts and groups, split by the boundary."""
    graph = _new_graph(f"{topic.slug}-{block.id}")
    previous = None
    for index, layer in enumerate(block.layers):
        name = f"layer{index}"
        graph.node(name, _layer_label(layer, _party_style(layer.party)), shape="plain",
                   style="", **{"class": f"layer party-{layer.party.index}"})
        if previous:
            graph.edge(previous, name)
        previous = name
        if index < len(block.layers) - 1:
            boundary = f"boundary{index}"
            graph.node(boundary, label(f"══════  {block.boundary.upper()}  ══════"), shape="plain",
                       style="", fontsize="14", **{"class": "boundary"})
            graph.edge(previous, boundary)
            previous = boundary
    return graph.source


def boundary_dot(topic: m.Topic, block: m.Diagram) -> str:
    """How the boundary moves: one column per service model, its components grouped by owner."""
    matrix = topic.block(block.source)
    graph = _new_graph(f"{topic.slug}-{block.id}")
    rows = matrix.rows
    # Every box as wide as the longest component line, so the columns line up.
    longest = min(max((len(row.component) for row in rows), default=0), LABEL_WRAP)
    graph.attr(nodesep="0.5", ranksep="0.12")
    graph.attr("node", width=f"{max(2.1, 0.1 * longest + 0.4):.2f}")
    stacking = []  # invisible edges keep each column in row order; added after the clusters
    for c, service_model in enumerate(matrix.service_models):
        with graph.subgraph(name=f"cluster_sm{c}") as column:
            # Clusters inherit the graph's id unless given their own.
            column.attr(id=f"{graph.name}-sm{c}", label=label(service_model.label), fontsize="14",
                        style="rounded", color="#475569", penwidth="1.5", margin="10")
            column.attr(**{"class": "service-model"})
            previous = None
            for s, (owner, segment) in enumerate(_owner_runs(rows, c)):
                style = _party_style(owner)
                with column.subgraph(name=f"cluster_sm{c}s{s}") as run:
                    # The run is filled with the owner's colour so it reads as one band;
                    # its label and border pattern name the owner without colour.
                    run.attr(id=f"{graph.name}-sm{c}s{s}", label=label(f"{owner.name} manages"),
                             style=f'filled,{style["style"]}', fillcolor=style["fill"], margin="6",
                             color=style["line"], fontsize="12", penwidth="1.5")
                    run.attr(**{"class": f"owner party-{owner.index}"})
                    for row_index, row in segment:
                        name = f"sm{c}row{row_index}"
                        run.node(name, label(row.component, LABEL_WRAP), fillcolor="white",
                                 id=f"{graph.name}-{name}",
                                 color=style["line"], **{"class": f"part party-{owner.index}"})
                        if previous:
                            stacking.append((previous, name))
                        previous = name
    graph.edges(stacking)
    return graph.source


def _owner_runs(rows: tuple[m.MatrixRow, ...], column: int):
    """Consecutive rows with the same owner in one column: the boundary sits between runs."""
    runs: list[tuple[m.Party, list]] = []
    for index, row in enumerate(rows):
        owner = row.owners[column]
        if not runs or runs[-1][0] != owner:
            runs.append((owner, []))
        runs[-1][1].append((index, row))
    return runs


DIAGRAM_BUILDERS: dict[str, Callable[[m.Topic, m.Block], str]] = {
    "layers": layers_dot,
    "diagram": boundary_dot,
}


def diagram_blocks(site: m.Site):
    """(topic, block) for every block drawn as a diagram."""
    return [(topic, block) for topic in site.topics for block in topic.blocks
            if block.kind in DIAGRAM_BUILDERS]


_TITLES = re.compile(rb"<title>.*?</title>\n?", re.S)
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>\n?")


def to_svg(dot: str, title: str) -> bytes:
    """One graph drawn by a `dot` process of its own, titled."""
    return titled(draw_with_program(dot), title)


def titled(svg: bytes, title: str) -> bytes:
    """The SVG with one title of its own.

    Graphviz titles every node and cluster with its internal name, which browsers show as a
    tooltip; those are dropped and the drawing gets one title of its own.
    """
    heading = f"<title>{html.escape(title)}</title>\n".encode("utf-8")
    return _SVG_OPEN.sub(lambda match: match.group(0) + heading, _TITLES.sub(b"", svg), count=1)


def _encode(diagrams: dict[str, RenderedDiagram]) -> bytes:
    """A topic's diagrams, one line each: block id, file name, SVG key."""
    return "".join(f"{block_id} {diagram.file_name} {diagram.key}\n"
                   for block_id, diagram in diagrams.items()).encode("utf-8")


def _decode(data: bytes) -> dict[str, tuple[str, str]]:
    """The record _encode wrote; empty when it is damaged, so the diagrams are made again."""
    found = {}
    try:
        for line in data.decode("utf-8").splitlines():
            block_id, file_name, key = line.split(" ")
            found[block_id] = (file_name, key)
    except ValueError:  # not UTF-8, or not three fields a line
        return {}
    return found


_RECORDED = re.compile(r"-[0-9a-f]{12}\.svg [0-9a-f]{64}")


def _is_record_of(entry: tuple[str, str] | None, topic: m.Topic, block: m.Block) -> bool:
    """Whether a kept record names a file this block's diagram could have: it becomes an
    output path, and a cache may hold bytes someone else wrote."""
    if entry is None:
        return False
    file_name, key = entry
    prefix = f"{topic.slug}-{block.id}"
    return (file_name.startswith(prefix)
            and _RECORDED.fullmatch(f"{file_name[len(prefix):]} {key}") is not None)


def render_diagrams(site: m.Site, cache: Cache | None = None,
                    topic_keys: dict[str, str] | None = None,
                    jobs: int = 1) -> dict[tuple[str, str], RenderedDiagram]:
    """Every diagram of the site as SVG, named by the hash of its DOT source.

    With a cache, a diagram is looked up by its topic's files (topic_keys), then by its DOT
    source, so Graphviz runs only for a drawing that really changed. Many diagrams to make
    (a new guide, a new sitegen) are made in `jobs` worker processes, DOT and drawing both.
    """
    cache = cache or Cache(None)
    tool = digest(generator_fingerprint(), graphviz_fingerprint())
    rendered: dict[tuple[str, str], RenderedDiagram] = {}
    records: dict[str, str] = {}  # key of each topic's record of its diagrams, to write
    pending: list[tuple[m.Topic, m.Block]] = []
    for topic in site.topics:
        blocks = [block for block in topic.blocks if block.kind in DIAGRAM_BUILDERS]
        if not blocks:
            continue
        if topic_keys and topic.slug in topic_keys:
            record = digest(tool, topic_keys[topic.slug])
            found = cache.get("diagrams", record)
            known = _decode(found) if found is not None else {}
            if all(_is_record_of(known.get(block.id), topic, block) for block in blocks):
                for block in blocks:
                    file_name, key = known[block.id]
                    rendered[(topic.slug, block.id)] = RenderedDiagram(
                        file_name, key, partial(_svg_from_cache, cache, key, topic, block))
                continue
            records[topic.slug] = record
        pending += [(topic, block) for block in blocks]
    made = None
    if jobs >= 2 and len(pending) >= PARALLEL_MINIMUM and library_available():
        try:
            made = _make_in_workers(pending, tool, jobs)
            for diagram in made:
                cache.put("svg", diagram.key, diagram.svg)
        except BrokenProcessPool:
            pass  # Graphviz's library crashed a worker: the `dot` program says what went wrong
    if made is None:
        made = _make_here(pending, tool, cache, jobs)
    for (topic, block), diagram in zip(pending, made):
        rendered[(topic.slug, block.id)] = diagram
    for topic in site.topics:
        if topic.slug in records:
            cache.put("diagrams", records[topic.slug], _encode(
                {block.id: rendered[(topic.slug, block.id)] for block in topic.blocks
                 if block.kind in DIAGRAM_BUILDERS}))
    return rendered


def _svg_from_cache(cache: Cache, key: str, topic: m.Topic, block: m.Block) -> bytes:
    """A kept diagram's SVG; drawn again if its file was deleted from the cache."""
    svg = cache.get("svg", key)
    if svg is None:
        svg = titled(draw_with_program(DIAGRAM_BUILDERS[block.kind](topic, block)), block.title)
        cache.put("svg", key, svg)
    return svg


def _make_here(pending: list[tuple[m.Topic, m.Block]], tool: str, cache: Cache,
               jobs: int) -> list[RenderedDiagram]:
    """Diagrams made in this process, drawn by `dot` unless the same DOT was drawn before;
    what is drawn goes into the cache."""
    made, to_draw = [], []
    for topic, block in pending:
        dot = DIAGRAM_BUILDERS[block.kind](topic, block)
        key = digest(tool, block.title, dot)
        svg = cache.get("svg", key)
        if svg is None:
            to_draw.append((len(made), dot, block.title))
        made.append(_with_svg(_file_name(topic, block, dot), key, svg or b""))
    drawings = draw_all([dot for _, dot, _ in to_draw], jobs)
    for (index, _, title), drawing in zip(to_draw, drawings):
        svg = titled(drawing, title)
        made[index] = _with_svg(made[index].file_name, made[index].key, svg)
        cache.put("svg", made[index].key, svg)
    return made


def _make_in_workers(pending: list[tuple[m.Topic, m.Block]], tool: str,
                     jobs: int) -> list[RenderedDiagram]:
    # One job per topic, so each topic model is sent to a worker once.
    topics: dict[str, tuple[m.Topic, list[m.Block]]] = {}
    for topic, block in pending:
        topics.setdefault(topic.slug, (topic, []))[1].append(block)
    jobs_list = [(tool, topic, tuple(blocks)) for topic, blocks in topics.values()]
    made = {}
    # A worker killed here may have been crashed by Graphviz itself: not retried in this
    # process, which it would crash too (the caller draws with `dot` instead).
    drawn = spread(topic_diagrams, jobs_list, jobs, here_if_killed=False)
    for (_, topic, blocks), diagrams in zip(jobs_list, drawn):
        made.update(((topic.slug, block.id), diagram) for block, diagram in zip(blocks, diagrams))
    return [made[(topic.slug, block.id)] for topic, block in pending]


def topic_diagrams(job: tuple[str, m.Topic, tuple[m.Block, ...]]) -> list[RenderedDiagram]:
    """A topic's diagrams made in a worker process, drawn by Graphviz's library."""
    tool, topic, blocks = job
    made = []
    for block in blocks:
        dot = DIAGRAM_BUILDERS[block.kind](topic, block)
        made.append(_with_svg(_file_name(topic, block, dot),
                              digest(tool, block.title, dot),
                              titled(draw_with_library(dot), block.title)))
    return made


def _file_name(topic: m.Topic, block: m.Block, dot: str) -> str:
    return f"{topic.slug}-{block.id}-{digest_name(block.title, dot)}.svg"


def digest_name(title: str, dot: str) -> str:
    """The 12 hex digits that name a diagram's file: a changed drawing gets a new address."""
    return hashlib.sha256(f"{title}\n{dot}".encode("utf-8")).hexdigest()[:12]


_PROLOGUE = re.compile(rb"^.*?(?=<svg\b)", re.S)
_COMMENTS = re.compile(rb"<!--.*?-->\s*", re.S)


def inline_svg(svg: bytes) -> str:
    """The SVG element alone, for embedding in HTML (no XML prolog, doctype or comments)."""
    return _COMMENTS.sub(b"", _PROLOGUE.sub(b"", svg, count=1)).decode("utf-8").strip()
