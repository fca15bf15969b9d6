"""Markdown to HTML: the one MarkdownIt instance, and the only place that marks HTML as safe."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup


@lru_cache(maxsize=1)
def _markdown():
    """CommonMark with raw HTML off: tags in content are shown as text. markdown-it's own
    validateLink refuses javascript:, vbscript:, file: and non-image data: URLs.

    Made on first use: a rebuild that renders no prose does not load markdown-it (50 ms).
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# Prose sits under a block heading (h2), so its own headings start at h3.
_HEADING_SHIFT = 2


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + _HEADING_SHIFT, 6)
            token.tag = f"h{level}"


def images_in(markdown: str) -> list[tuple[int, str]]:
    """(line, target) of every image in the Markdown, for validation."""
    found = []
    for block in _markdown().parse(markdown):
        for token in block.children or ():
            if token.type == "image":
                found.append((block.map[0] + 1 if block.map else 0, token.attrGet("src") or ""))
    return found


def to_html(markdown: str) -> Markup:
    """Render author Markdown to safe HTML."""
    tokens = _markdown().parse(markdown)
    _shift_headings(tokens)
    return Markup(_markdown().renderer.render(tokens, _markdown().options, {}))
