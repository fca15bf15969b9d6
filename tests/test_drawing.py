"""Graphviz by its program and by its library: the same bytes, whatever was drawn before."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from sitegen import drawing
from sitegen.diagrams import diagram_blocks, dot_source, render_diagrams, titled
from sitegen.drawing import draw_with_library, draw_with_program, in_declared_order
from sitegen.workers import PARALLEL_MINIMUM

needs_library = pytest.mark.skipif(not drawing._library_path(),
                                   reason="Graphviz's library (libgvc) is not installed")


@pytest.fixture(scope="module")
def sources(layered_site) -> list[str]:
    """The shipped diagrams and variants of them: other cluster names, longer labels."""
    shipped = [dot_source(topic, block) for topic, block in diagram_blocks(layered_site)]
    variants = []
    for i in range(PARALLEL_MINIMUM // len(shipped) + 2):
        for dot in shipped:
            variants.append(dot.replace("cluster_c", f"cluster_{'v' * i}c")
                            .replace("Data ", "Data" + " and partner" * (i % 3) + " "))
    return variants


@pytest.fixture(scope="module")
def by_program(sources) -> list[bytes]:
    return [draw_with_program(dot) for dot in sources]


@needs_library
def test_many_diagrams_are_made_in_workers_with_the_library_as_the_program_makes_them(
        layered_site, monkeypatch):
    from sitegen import diagrams

    site = layered_site
    topic = site.topics[0]
    copies = [replace(topic, slug=f"{topic.slug}-{i}") for i in range(PARALLEL_MINIMUM // 2 + 1)]
    many = replace(site, topics=tuple(copies))
    spread, used = diagrams.spread, []
    monkeypatch.setattr(diagrams, "spread", lambda function, items, jobs, **options: used.append(
        function.__name__) or spread(function, items, jobs, **options))
    in_workers = render_diagrams(many, jobs=2)
    assert used == ["topic_diagrams"]
    assert in_workers == render_diagrams(many, jobs=1)  # drawn by `dot`, one process each
    assert len(in_workers) == 2 * len(copies)


@needs_library
@pytest.mark.parametrize("seed", [1, 2])
def test_the_library_draws_a_graph_the_same_whatever_it_drew_before(sources, by_program, seed):
    order = list(range(len(sources)))
    random.Random(seed).shuffle(order)
    drawn = {index: draw_with_library(sources[index]) for index in order}
    assert [drawn[index] for index in range(len(sources))] == by_program


def test_few_diagrams_are_drawn_by_the_program_in_this_process(layered_site, monkeypatch):
    site = layered_site
    from sitegen import diagrams

    monkeypatch.setattr(diagrams, "spread", lambda *args: pytest.fail("no workers for two"))
    made = render_diagrams(site, jobs=2)
    assert [diagram.svg for diagram in made.values()] == [
        titled(draw_with_program(dot_source(topic, block)), block.title)
        for topic, block in diagram_blocks(layered_site)]


def test_clusters_are_put_in_the_order_the_source_declares_them():
    dot = "digraph { subgraph cluster_b { x } subgraph cluster_a { subgraph cluster_c { y } } }"
    group = '<g id="{0}" class="cluster">\n<title>{0}</title>\n<path d="M0,0"/>\n</g>\n'
    svg = ('<svg>\n<g id="graph0" class="graph">\n' + group.format("cluster_c")
           + group.format("cluster_a") + group.format("cluster_b")
           + '<g id="node1" class="node">\n<title>x</title>\n</g>\n</g>\n</svg>\n')
    ordered = in_declared_order(svg.encode(), dot).decode()
    positions = [ordered.index(f'<g id="{name}"') for name in ("cluster_b", "cluster_a",
                                                                "cluster_c", "node1")]
    assert positions == sorted(positions)
    assert sorted(ordered.splitlines()) == sorted(svg.splitlines())  # nothing else changed


@pytest.mark.parametrize("draw", [draw_with_program,
                                  pytest.param(draw_with_library, marks=needs_library)])
def test_a_graph_graphviz_cannot_read_is_an_error_with_its_message(draw):
    with pytest.raises(RuntimeError, match="dot failed: .*syntax error"):
        draw("digraph { a -> }")


@needs_library
def test_the_library_is_used_only_when_it_is_the_version_of_dot(monkeypatch):
    import subprocess

    class OtherDot:
        stderr = "dot - graphviz version 99.1.0 (20990101.0000)\n"

    drawing.library_available.cache_clear()
    assert drawing.library_available()
    drawing.library_available.cache_clear()
    monkeypatch.setattr(drawing.subprocess, "run", lambda *args, **kwargs: OtherDot())
    try:
        assert not drawing.library_available()
    finally:
        monkeypatch.setattr(drawing.subprocess, "run", subprocess.run)
        drawing.library_available.cache_clear()


@needs_library
def test_the_graphviz_fingerprint_stamps_the_installed_files_by_path():
    """An upgrade of the libraries or plugins alone must draw anew too: the stamps are of
    the files themselves, not of the names the linker knows them by."""
    import os

    installed = drawing._installed_files()
    names = [os.path.basename(path) for path in installed]
    assert all(os.path.isabs(path) and os.path.isfile(path) for path in installed), installed
    for prefix in ("dot", "libgvc.so", "libcgraph.so", "config"):
        assert any(name.startswith(prefix) for name in names), (prefix, installed)
    stamp = drawing.fingerprint()
    assert all(f"{path}:{os.stat(path).st_size}:" in stamp for path in installed)


def test_a_graphviz_outside_the_system_folders_is_stamped_by_its_files(tmp_path, monkeypatch):
    """Graphviz under /opt or in a Nix store keeps its libraries beside `dot`, not where the
    system's are: those files are stamped too, so upgrading them draws anew."""
    import os

    prefix = tmp_path / "opt" / "graphviz"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib" / "graphviz").mkdir(parents=True)
    program = prefix / "bin" / "dot"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    for name in ("libgvc.so.6", "libcgraph.so.6", "graphviz/config6a"):
        (prefix / "lib" / name).write_bytes(b"v1")
    monkeypatch.setenv("PATH", f"{prefix / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(drawing, "_library_path", lambda: "libgvc.so.6")
    monkeypatch.setattr(drawing, "_cgraph_name", lambda: "libcgraph.so.6")
    drawing._installed_files.cache_clear()
    try:
        installed = drawing._installed_files()
        for name in ("bin/dot", "lib/libgvc.so.6", "lib/libcgraph.so.6", "lib/graphviz/config6a"):
            assert str(prefix / name) in installed, (name, installed)
        before = drawing.fingerprint()
        (prefix / "lib" / "libgvc.so.6").write_bytes(b"v2, a library-only upgrade")
        assert drawing.fingerprint() != before
    finally:
        drawing._installed_files.cache_clear()
