"""Writing output/: byte-identical rebuilds, and a failed build leaves output/ as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed, FolderNotOurs
from sitegen.output import MARKER, write_tree
from sitegen.pipeline import BuildConfig, build

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_content_are_byte_identical(layered_built, content_copy, tmp_path):
    built = layered_built
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
    topic = content_copy / "topics" / "layered" / "topic.yaml"
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


def test_files_are_written_as_they_are_made_and_a_failure_gives_them_back(tmp_path):
    """Each file goes into the spare tree as soon as it is made, and the product is told, so
    that its bytes can be let go; a file that cannot be made leaves output/ as it was, and
    what was written before it is removed from the spare again."""
    from sitegen.output import Product, places

    out = tmp_path / "out"
    write_tree({"a.html": b"A", "deep/b.svg": b"B"}, out)
    before = snapshot(out)
    spare = places(out).spare
    seen_in_spare: list = []
    told: list = []

    def then_b() -> bytes:  # made after a.html, which was handed to writing by then
        seen_in_spare.append(list(told))
        return b"B2"

    products = {"a.html": Product("a2", lambda: b"A2", lambda: told.append("a.html")),
                "deep/b.svg": Product("b2", then_b, lambda: told.append("deep/b.svg"))}
    report = write_tree(products, out)
    assert seen_in_spare == [["a.html"]] and told == ["a.html", "deep/b.svg"]
    assert report.written == ["a.html", "deep/b.svg"]
    assert (out / "a.html").read_bytes() == b"A2"
    after = snapshot(out)

    def fails() -> bytes:
        raise RuntimeError("a layout error")
    with pytest.raises(RuntimeError):
        write_tree({"a.html": ready_product("a3", b"A3"), "deep/b.svg": Product("b3", fails)},
                   out)
    assert snapshot(out) == after != before
    assert not (spare / "a.html").exists()  # given back; the next build repairs the spare
    write_tree({"a.html": b"A", "deep/b.svg": b"B"}, out)
    assert {path: data for path, (data, _) in snapshot(out).items()} == {
        path: data for path, (data, _) in before.items()}


def ready_product(key: str, data: bytes):
    from sitegen.output import Product

    return Product(key, lambda: data)


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


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_unchanged_files_are_neither_rewritten_nor_copied(content_copy, tmp_path):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    before = {path: os.stat(out / path).st_ino for path in tree(out)}
    overview = content_copy / "topics" / "layered" / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\nOne more line.\n",
                        encoding="utf-8")
    report = build(BuildConfig(content_copy, TEMPLATES, out))
    assert "topics/layered.html" in report.written
    after = {path: os.stat(out / path).st_ino for path in tree(out)}
    assert after.keys() == before.keys()
    del after[MARKER]  # each of the two folders that take turns has its own
    for path, inode in after.items():  # the very same files, not copies
        assert (inode == before[path]) == (path not in report.written), path


def test_output_holds_no_bookkeeping(built, site):
    marker = (built / MARKER).read_text(encoding="utf-8")
    assert marker == "This folder is made by sitegen; each build replaces it whole.\n"
    names = ["topic.yaml", "overview.md", "site.yaml"]
    for path, data in tree(built).items():
        for name in names:
            assert name.encode() not in data, (path, name)


def test_an_output_link_to_a_folder_is_built_through(content_copy, tmp_path):
    real = tmp_path / "elsewhere" / "site"
    real.mkdir(parents=True)
    link = tmp_path / "output"
    link.symlink_to(real)
    build(BuildConfig(content_copy, TEMPLATES, link))
    build(BuildConfig(content_copy, TEMPLATES, link, base_url="https://u.example/r/"))
    assert link.is_symlink() and (real / "index.html").is_file()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--templates",
                           str(TEMPLATES), "--no-cache", *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_a_dangling_output_link_is_a_one_line_error(content_copy, tmp_path):
    link = tmp_path / "output"
    link.symlink_to(tmp_path / "nowhere")
    done = run_cli("--content", str(content_copy), "--output", str(link))
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "is a symbolic link to" in done.stderr
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_what_stopped_builds_left_is_removed_and_nothing_else(content_copy, tmp_path):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    state = tmp_path / ".output.sitegen"
    stopped = state / "swap"  # as a build stopped between the two renames of a swap leaves
    stopped.mkdir()
    (stopped / MARKER).write_text("This folder is made by sitegen; each build replaces it "
                                  "whole.\n", encoding="utf-8")
    (state / ".sitegen-k2j4m1").write_text("{", encoding="utf-8")
    # Named as the first builds of sitegen before 2 named their staging folders, but nothing
    # proves it sitegen's: kept.
    mine = tmp_path / ".output.new-20240101"
    (mine / "assets").mkdir(parents=True)
    (mine / "index.html").write_text("my notes", encoding="utf-8")
    topic = content_copy / "site.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Cloud Certification", "Cloud"),
                     encoding="utf-8")
    build(BuildConfig(content_copy, TEMPLATES, out))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".output.new-20240101", ".output.sitegen", "content", "output"]
    assert (mine / "index.html").read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in state.iterdir()) == [MARKER, "previous", "record.json"]


def build_twice_with_another_title(content: Path, out: Path) -> dict[str, bytes]:
    """Builds, changes the site's title (so every page changes), builds again; returns the
    first build's files."""
    build(BuildConfig(content, TEMPLATES, out))
    first = tree(out)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "Cloud Certification", "Cloud"), encoding="utf-8")
    build(BuildConfig(content, TEMPLATES, out))
    return first


def test_a_swap_made_with_two_renames_leaves_nothing_behind(content_copy, tmp_path,
                                                            monkeypatch):
    from sitegen import output

    monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    out = tmp_path / "output"
    first = build_twice_with_another_title(content_copy, out)
    assert tree(out) != first
    assert sorted(p.name for p in (tmp_path / ".output.sitegen").iterdir()) == [
        MARKER, "previous", "record.json"]


def test_a_build_stopped_between_the_two_renames_of_a_swap_is_put_right(
        content_copy, tmp_path, monkeypatch):
    from sitegen import output

    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    first = tree(out)
    monkeypatch.setattr(output, "_exchange", lambda one, other: False)
    renames, rename = [], os.rename

    def stopped_after_one(source, target):
        if renames:
            raise KeyboardInterrupt  # stopped, as a kill would stop it, after one rename
        renames.append(target)
        rename(source, target)

    monkeypatch.setattr(output.os, "rename", stopped_after_one)
    site_yaml = content_copy / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "Cloud Certification", "Cloud"), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(BuildConfig(content_copy, TEMPLATES, out))
    assert not out.exists()  # the moment a power cut could also catch
    monkeypatch.undo()
    output._claim(output.places(out))  # what the next build does first
    assert tree(out) == first
    build(BuildConfig(content_copy, TEMPLATES, out))
    assert tree(out) != first and "Cloud Study Guide" in (out / "index.html").read_text("utf-8")


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=700k")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_is_a_one_line_error_and_the_output_stays_whole(content_copy, small_disk):
    out = small_disk / "output"
    assert run_cli("--content", str(content_copy), "--output", str(out)).returncode == 0
    before = tree(out)
    overview = content_copy / "topics" / "layered" / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n\n" + "A long page. " * 20000,
                        encoding="utf-8")
    done = run_cli("--content", str(content_copy), "--output", str(out))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "No space left on device" in done.stderr
    assert tree(out) == before
    overview.write_text(overview.read_text(encoding="utf-8")[:-13 * 20000], encoding="utf-8")
    assert run_cli("--content", str(content_copy), "--output", str(out)).returncode == 0


def test_a_read_only_output_is_a_one_line_error(content_copy, tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=1m,ro")
    try:
        done = run_cli("--content", str(content_copy), "--output", str(disk / "output"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "Read-only file system" in done.stderr


def test_a_file_system_without_hard_links_gets_copies(content_copy, tmp_path, monkeypatch):
    import errno

    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted", source)

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "output"
    first = build_twice_with_another_title(content_copy, out)
    assert tree(out) != first and (out / "index.html").is_file()
    assert tree(tmp_path / ".output.sitegen" / "previous") == first


@pytest.mark.parametrize("spoil", ["a link to a folder elsewhere", "a folder where a file goes",
                                   "a file where a folder goes", "no marker"])
def test_whatever_is_in_the_spare_a_build_makes_the_whole_site(content_copy, tmp_path, spoil):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    spare = tmp_path / ".output.sitegen" / "previous"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if spoil == "a link to a folder elsewhere":
        shutil.rmtree(spare / "topics")
        (spare / "topics").symlink_to(elsewhere)
    elif spoil == "a folder where a file goes":
        (spare / "index.html").unlink()
        (spare / "index.html").mkdir()
    elif spoil == "a file where a folder goes":
        shutil.rmtree(spare / "topics")
        (spare / "topics").write_text("x", encoding="utf-8")
    else:
        (spare / MARKER).unlink()
    overview = content_copy / "topics" / "layered" / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\nOne more line.\n",
                        encoding="utf-8")
    build(BuildConfig(content_copy, TEMPLATES, out))
    build(BuildConfig(content_copy, TEMPLATES, tmp_path / "clean"))
    assert tree(out) == tree(tmp_path / "clean")
    assert list(elsewhere.iterdir()) == []  # nothing written through the link


@pytest.mark.parametrize("added", ["a link to a folder", "an empty folder"])
def test_a_folder_or_link_added_to_output_by_hand_is_removed_by_the_next_build(
        content_copy, tmp_path, added):
    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    if added == "a link to a folder":
        (out / "rootfs").symlink_to("/")
    else:
        (out / "empty").mkdir()
    report = build(BuildConfig(content_copy, TEMPLATES, out))
    assert report.reasons != ("nothing changed",)
    assert not os.path.lexists(out / "rootfs") and not (out / "empty").exists()


def test_a_record_that_cannot_be_written_says_the_new_site_is_in_place(
        content_copy, tmp_path, monkeypatch):
    import errno

    from sitegen import output
    from sitegen.errors import SetupProblem

    def full(where, record):
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "output"
    build(BuildConfig(content_copy, TEMPLATES, out))
    monkeypatch.setattr(output, "_write_record", full)
    site_yaml = content_copy / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "Cloud Certification", "Cloud"), encoding="utf-8")
    with pytest.raises(SetupProblem, match="the new site is in place"):
        build(BuildConfig(content_copy, TEMPLATES, out))
    assert "Cloud Study Guide" in (out / "index.html").read_text(encoding="utf-8")
    monkeypatch.undo()
    build(BuildConfig(content_copy, TEMPLATES, tmp_path / "clean"))
    build(BuildConfig(content_copy, TEMPLATES, out))
    assert tree(out) == tree(tmp_path / "clean")
