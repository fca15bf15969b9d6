"""Writing output/: byte-identical rebuilds, and a failed build leaves output/ as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed, FolderNotOurs
from sitegen.output import MARKER, write_tree
from sitegen.pipeline import BuildConfig, build

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_content_are_byte_identical(built, content_copy, tmp_path):
    again = tmp_path / "again"
    build(BuildConfig(content_copy, TEMPLATES, again))
    # The marker is bookkeeping: it records the files' modification times.
    first = {k: v for k, (v, _) in snapshot(built).items() if k != MARKER}
    second = {k: v for k, (v, _) in snapshot(again).items() if k != MARKER}
    assert first == second


def test_a_failed_build_leaves_the_previous_output_exactly_as_it_was(content_copy, tmp_path):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    before = snapshot(out)
    topic = content_copy / "topics" / "shared-responsibility" / "topic.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("answer: aws", "answer: amazon"),
                     encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(BuildConfig(content_copy, TEMPLATES, out))
    assert snapshot(out) == before
    # Nothing left over: the output, and sitegen's own folder beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.sitegen", "content", "output"]


def test_a_build_failing_while_rendering_leaves_output_untouched(content_copy, tmp_path):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    before = snapshot(out)
    broken = tmp_path / "templates"
    broken.mkdir()
    with pytest.raises(Exception):
        build(BuildConfig(content_copy, broken, out))  # no templates at all
    assert snapshot(out) == before


def test_removed_content_does_not_survive_a_rebuild(content_copy, tmp_path):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    stale = out / "topics" / "old-topic.html"
    stale.write_text("left over", encoding="utf-8")
    build(BuildConfig(content_copy, TEMPLATES, out))
    assert not stale.exists()


def test_a_folder_sitegen_did_not_make_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(FolderNotOurs):
        write_tree({"index.html": b"x"}, out)
    assert (out / "thesis.tex").read_text(encoding="utf-8") == "precious"


def test_write_tree_writes_exactly_the_outputs_and_its_marker(tmp_path):
    out = tmp_path / "out"
    write_tree({"a.html": b"A", "deep/b.svg": b"B"}, out)
    assert snapshot(out).keys() == {"a.html", "deep/b.svg", MARKER}
    assert oct(os.stat(out).st_mode & 0o777) == "0o755"


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", ""])
def test_write_tree_refuses_paths_outside_the_output(tmp_path, path):
    with pytest.raises(ValueError):
        write_tree({path: b"x"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", ["../outside.html", "/etc/passwd", "a/../../b", ""])
def test_a_path_that_leaves_the_output_folder_is_refused(tmp_path, path):
    with pytest.raises(ValueError, match="escapes the output folder"):
        write_tree({"index.html": b"ok", path: b"x"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()
