"""Inline Markdown in YAML text: the Inline type, text that renders its Markdown when shown.

Kinds read the texts a reader sees (cells, headings, items, questions, options...) as
Inline; ids, addresses and names of styles stay plain str. Jinja shows an Inline through
its __html__ (emphasis, strong, code, strikethrough and allow-listed links, see prose.py),
and anything that needs text without markup, an attribute, a <title>, a drawing's label,
takes its .plain (the `plain` filter in templates, plain_text() in code).
"""

from __future__ import annotations

import re

from markupsafe import escape

from .model import _Sealed, sealed

# The characters that start inline Markdown (emphasis, code, strikethrough, links, images,
# autolinks, escapes) or a line break: text without any of them is shown as it is, escaped,
# without loading markdown-it, which keeps builds of plain text as fast as before.
_MARKDOWN = re.compile(r"[\\`*_~\[<\n]")


@sealed
class Inline(str, metaclass=_Sealed):
    """The author's text, inline Markdown, exactly as written (equal to that str)."""

    __slots__ = ()

    def __html__(self) -> str:
        if not _MARKDOWN.search(self):
            return escape(str(self))
        from .prose import render_inline

        return render_inline(self).html

    @property
    def plain(self) -> str:
        """The text a reader sees, without its Markdown."""
        if not _MARKDOWN.search(self):
            return str(self)
        from .prose import render_inline

        return render_inline(self).plain

    def problems(self) -> tuple[tuple[str, str], ...]:
        """(message, hint) of each image and refused link in the text."""
        if not _MARKDOWN.search(self):
            return ()
        from .prose import render_inline

        return render_inline(self).problems


def inline_text(text: str) -> str:
    """The text as the model keeps it: an Inline when it has a character Markdown may read,
    else the plain str, which renders the same (escaped) and is cheaper to pickle and show."""
    return Inline(text) if _MARKDOWN.search(text) else text


def plain_text(text):
    """The text a reader sees: an Inline's plain text; anything else as it is."""
    return text.plain if isinstance(text, Inline) else text
