"""Diagrams generated from model data as Graphviz DOT, drawn as SVG files named by content."""

from __future__ import annotations

import hashlib
import html
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import field
from functools import partial
from typing import Callable

from .records import frozen
from . import model as m
from .kinds import KINDS
from .cache import Cache, digest, generator_fingerprint
from .output import Product
from .inline import plain_text
from .drawing import (draw_all, draw_with_library, draw_with_program, library_available,
                      fingerprint as graphviz_fingerprint)
from .workers import PARALLEL_MINIMUM, spread

@frozen
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


def _draws(block: m.Block):
    """The function that draws the block's diagram as DOT, or None for a kind not drawn."""
    return KINDS[block.kind].draw


def dot_source(topic: m.Topic, block: m.Block) -> str:
    """The block's diagram as Graphviz DOT."""
    return KINDS[block.kind].draw(topic, block)


def diagram_path(diagram: RenderedDiagram) -> str:
    """Where a diagram's standalone SVG is published."""
    return f"diagrams/{diagram.file_name}"


def diagram_files(diagrams: dict[tuple[str, str], RenderedDiagram]) -> dict[str, Product]:
    """The standalone SVG files, by output path; each is read only when it is written."""
    return {diagram_path(d): Product(d.key, d.source) for d in diagrams.values()}


def produce_diagrams(job, made):
    """The diagrams producer: every diagram of the site (see render_diagrams), and its files."""
    from .pipeline import Produced

    drawn = render_diagrams(job.site, job.cache, job.inputs.topics, job.config.jobs)
    return Produced(diagram_files(drawn), drawn)


def diagram_blocks(site: m.Site):
    """(topic, block) for every block drawn as a diagram."""
    return [(topic, block) for topic in site.topics for block in topic.blocks if _draws(block)]


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
    heading = f"<title>{html.escape(plain_text(title))}</title>\n".encode("utf-8")
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
        blocks = [block for block in topic.blocks if _draws(block)]
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
                 if _draws(block)}))
    return rendered


def _svg_from_cache(cache: Cache, key: str, topic: m.Topic, block: m.Block) -> bytes:
    """A kept diagram's SVG; drawn again if its file was deleted from the cache."""
    svg = cache.get("svg", key)
    if svg is None:
        svg = titled(draw_with_program(dot_source(topic, block)), block.title)
        cache.put("svg", key, svg)
    return svg


def _make_here(pending: list[tuple[m.Topic, m.Block]], tool: str, cache: Cache,
               jobs: int) -> list[RenderedDiagram]:
    """Diagrams made in this process, drawn by `dot` unless the same DOT was drawn before;
    what is drawn goes into the cache."""
    made, to_draw = [], []
    for topic, block in pending:
        dot = dot_source(topic, block)
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
        dot = dot_source(topic, block)
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
