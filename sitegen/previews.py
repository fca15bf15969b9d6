"""Link-preview images: each topic's first diagram as a 1200×630 PNG, for its page's og:image.

Made only with a base URL, since og:image must be an absolute address. Each image is named
and cached by its diagram's key (the drawing tool, title and DOT source), like the SVGs, so
Graphviz draws only previews whose diagram changed.
"""

from __future__ import annotations

import re
from functools import partial

from .records import frozen
from . import model as m
from .cache import Cache, digest
from .diagrams import RenderedDiagram, dot_source
from .drawing import PREVIEW_SIZE, draw_preview, draw_previews
from .inline import plain_text
from .output import Product

PREVIEWS_DIR = "previews"


@frozen
class Preview:
    """A topic's link-preview image."""

    path: str
    """Path from the site root."""
    title: str
    """What it shows, as plain text: its diagram's title (for og:image:alt)."""


def preview_key(diagram: RenderedDiagram) -> str:
    width, height = PREVIEW_SIZE
    return digest("preview", diagram.key, f"{width}x{height}")


def preview_path(key: str) -> str:
    """Where a preview is published: named by its content's key, so a changed drawing gets
    a new address (link previews are cached by address for days)."""
    return f"{PREVIEWS_DIR}/{key[:20]}.png"


def first_diagrams(site: m.Site, diagrams: dict[tuple[str, str], RenderedDiagram]
                   ) -> list[tuple[m.Topic, m.Block, RenderedDiagram]]:
    """Each topic's first diagram on its page, for the topics that have one."""
    found = []
    for topic in site.topics:
        block = next((b for b in topic.blocks if (topic.slug, b.id) in diagrams), None)
        if block is not None:
            found.append((topic, block, diagrams[(topic.slug, block.id)]))
    return found


_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"')


def svg_size(svg: bytes) -> tuple[float, float]:
    """The drawing's width and height in points, as Graphviz wrote them on its SVG."""
    found = _SIZE.search(svg)
    if found is None:
        raise ValueError("the diagram's SVG does not give its size in points")
    return float(found.group(1)), float(found.group(2))


def produce_previews(job, made):
    """The previews producer: {path: PNG} and, as data, each topic's Preview by slug (none
    without a base URL)."""
    from .pipeline import Produced

    if not job.config.site_url:
        return Produced({}, {})
    cache = job.cache
    files, previews, to_draw = {}, {}, []
    for topic, block, diagram in first_diagrams(job.site, made["diagrams"].data):
        key = preview_key(diagram)
        path = preview_path(key)
        previews[topic.slug] = Preview(path, plain_text(block.title))
        files[path] = Product(key, partial(_preview_png, cache, key, topic, block, diagram))
        if job.keys.in_output.get(path) != key and not cache.has("preview", key):
            to_draw.append((key, topic, block, diagram))
    # Drawn here, a `dot` each, several at once; write_tree then finds them in the cache.
    drawn = draw_previews([(dot_source(topic, block), *svg_size(diagram.svg))
                           for _, topic, block, diagram in to_draw], job.config.jobs)
    for (key, *_), png in zip(to_draw, drawn):
        cache.put("preview", key, png)
    return Produced(files, previews)


def _preview_png(cache: Cache, key: str, topic: m.Topic, block: m.Block,
                 diagram: RenderedDiagram) -> bytes:
    """A preview from the cache, or drawn again (its entry was deleted, or was not one)."""
    png = cache.get("preview", key)
    if png is None or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        png = draw_preview(dot_source(topic, block), *svg_size(diagram.svg))
        cache.put("preview", key, png)
    return png
