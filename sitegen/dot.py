"""Graphviz DOT source text, written line by line in the graphviz package's layout.

graphviz.Digraph passes every name and attribute through layers of argument checks and
quoting calls: about 0.6 ms a diagram, half of what Graphviz's library then takes to lay
it out, which a guide of a thousand topics pays two thousand times. This writer makes the
same text directly. Content text reaches it already made literal by graphviz.escape
(label below); only labels wrapped in Html are written unquoted.
"""

from __future__ import annotations

import html
import re
import textwrap
from contextlib import contextmanager
from typing import Iterable, Iterator

from .inline import plain_text

# A DOT ID that needs no quotes: a name or a number (https://graphviz.org/doc/info/lang.html).
_PLAIN_ID = re.compile(r"(?:[a-zA-Z_][a-zA-Z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))\Z")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}
# A quote, escaped or not, with any pairs of backslashes before it: written as one escaped
# quote after the pairs, so a quote in the text can never end the quoted string.
_QUOTE = re.compile(r'(?P<pairs>(?:\\{2})*)\\?"')


class Html(str):
    """An HTML-like label (<...>) built by sitegen from escaped parts: written as it is."""


def quote(value: str) -> str:
    """value as a DOT ID: as it is when DOT reads it as one word or number, or an Html
    label; otherwise double-quoted."""
    if "\0" in value:  # Graphviz stops reading a string there: the rest would be DOT
        raise ValueError(f"a NUL character cannot be written in DOT: {value!r}")
    if isinstance(value, Html) or (_PLAIN_ID.match(value) and value.lower() not in _KEYWORDS):
        return value
    if '"' not in value:
        return f'"{value}"'
    return '"' + _QUOTE.sub(r'\g<pairs>\\"', value) + '"'


def _attributes(attributes: dict[str, str], label: str | None = None) -> str:
    """name=value pairs, label first, the rest by name (the package's order). The names
    are sitegen's own, all plain words."""
    pairs = [f"label={quote(label)}"] if label is not None else []
    pairs += [f"{name}={quote(attributes[name])}" for name in sorted(attributes)]
    return " ".join(pairs)


class Digraph:
    """A directed graph's DOT source."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._head = f"digraph {quote(name)} {{\n"
        self._body: list[str] = []

    def attr(self, kind: str | None = None, **attributes: str) -> None:
        """Attributes of the graph, or with kind ("node", "edge") defaults for those."""
        if kind is None:
            self._body.append(f"\t{_attributes(attributes)}\n")
        else:
            self._body.append(f"\t{kind} [{_attributes(attributes)}]\n")

    def node(self, name: str, label: str | None = None, **attributes: str) -> None:
        listed = _attributes(attributes, label)
        self._body.append(f"\t{quote(name)} [{listed}]\n" if listed else f"\t{quote(name)}\n")

    def edge(self, tail: str, head: str) -> None:
        self._body.append(f"\t{quote(tail)} -> {quote(head)}\n")

    def edges(self, pairs: Iterable[tuple[str, str]]) -> None:
        for tail, head in pairs:
            self.edge(tail, head)

    @contextmanager
    def subgraph(self, name: str) -> Iterator[Digraph]:
        """A subgraph (a cluster when its name starts with "cluster"), added when done."""
        inner = Digraph(name)
        inner._head = f"subgraph {quote(name)} {{\n"
        yield inner
        self._body += ["\t" + line for line in inner._lines()]

    def _lines(self) -> list[str]:
        return [self._head, *self._body, "}\n"]

    @property
    def source(self) -> str:
        return "".join(self._lines())


FONT = "DejaVu Sans"

# Characters XML 1.0 cannot hold, which Graphviz copies into the SVG as they are. The loader
# refuses them in content; a model made otherwise must still give a well-formed drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(text: str) -> str:
    """Content text on one line as a reader sees it (inline Markdown without its markup),
    any character XML cannot hold shown as U+FFFD."""
    return " ".join(_NOT_XML.sub("\ufffd", plain_text(text)).split())


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


def html_text(text: str) -> str:
    """Content text made literal inside a Graphviz HTML-like label.

    Graphviz expands escapes such as \\N (node name) even inside HTML-like labels, after
    decoding entities; a doubled backslash is what it reads back as one literal backslash.
    """
    return html.escape(_text(text), quote=True).replace("\\", "\\\\")


def new_graph(name: str) -> Digraph:
    """A graph in sitegen's drawing style; name also prefixes every id in its SVG."""
    graph = Digraph(name)
    # The graph id prefixes every generated SVG id, so two inline diagrams never clash.
    graph.attr(id=name, fontname=FONT, bgcolor="transparent", newrank="true",
               nodesep="0.15", ranksep="0.25", margin="0")
    graph.attr("node", shape="box", style="filled", fontname=FONT, fontsize="12",
               margin="0.12,0.06", height="0.4")
    graph.attr("edge", style="invis")
    return graph
