"""The DOT writer gives the graphviz package's text, and content text stays a literal."""

from __future__ import annotations

import graphviz
import pytest
from graphviz.quoting import quote as package_quote

from sitegen.dot import Digraph, Html, quote

TRICKY = ['plain', 'two words', '"', '\\"', '\\\\"', 'a"b\\"c', '"]; x [label="pwned"]; {',
          '\\N \\G \\L', '<b>not html</b>', 'node', 'EDGE', '-4.2', '.5', '4.', '1e3', '',
          'é and ☁', 'line\nbreak', 'trailing\\']


@pytest.mark.parametrize("text", TRICKY)
def test_escaped_content_is_quoted_as_the_package_quotes_it(text):
    escaped = graphviz.escape(text)
    assert quote(escaped) == package_quote(escaped)


def test_only_labels_marked_as_html_are_written_unquoted():
    assert quote(Html("<<B>x</B>>")) == "<<B>x</B>>"
    assert quote("<<B>x</B>>") == '"<<B>x</B>>"'
    assert quote(graphviz.escape("<<B>x</B>>")) == '"<<B>x</B>>"'


def test_a_graph_reads_as_the_package_writes_it():
    ours, theirs = Digraph("g-1"), graphviz.Digraph("g-1")
    for graph in (ours, theirs):
        graph.attr(id="g-1", fontname="DejaVu Sans", margin="0")
        graph.attr("node", shape="box", fontsize="12")
        graph.node("a", graphviz.escape('say "hi"'), **{"class": "part party-1"})
        graph.node("b", Html("<<I>b</I>>") if graph is ours else "<<I>b</I>>", style="")
        with graph.subgraph(name="cluster_x") as cluster:
            cluster.attr(label=graphviz.escape("X \\ Y"), style="filled,dashed")
            cluster.node("c", graphviz.escape("c"), fillcolor="#ffedd5")
            cluster.edge("a", "c")
        graph.edges([("a", "b"), ("b", "c")])
    assert ours.source == theirs.source


@pytest.mark.parametrize("value", ["a\0] x [label=pwned", Html("<<B>a\0</B>>")])
def test_a_nul_is_never_written_graphviz_would_stop_reading_there(value):
    # Validation refuses control characters in content; this is the last line of defence.
    with pytest.raises(ValueError):
        quote(value)
