"""Files and folders that cannot be read, or that point elsewhere, are content mistakes:
named with their path, never a traceback, and never published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildConfig, build
from sitegen.sources import Templates

ROOT = Path(__file__).resolve().parent.parent
TOPIC = "topics/layered"
CONTENT_FILES = [f"{TOPIC}/overview.md", f"{TOPIC}/topic.yaml", "site.yaml"]


def build_errors(content: Path, output: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content, ROOT / "templates", output))
    return [str(error) for error in failure.value.errors]


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "elsewhere" / "secret.md"
    path.parent.mkdir()
    path.write_text("root:x:0:0 the machine's secret\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("linked", CONTENT_FILES)
def test_a_symbolic_link_to_a_file_elsewhere_is_refused_not_published(content_copy, tmp_path,
                                                                      secret, linked):
    output = tmp_path / "out"
    build(BuildConfig(content_copy, ROOT / "templates", output))
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    target = content_copy / linked
    target.unlink()
    target.symlink_to(secret)
    errors = build_errors(content_copy, output)
    assert f"{target}: error: symbolic links are not read" in "\n".join(errors)
    assert {path: path.read_bytes() for path in output.rglob("*") if path.is_file()} == before


def test_a_symbolic_link_to_a_folder_elsewhere_is_not_read_as_a_topic(content_copy, tmp_path):
    outside = tmp_path / "outside"
    (content_copy / TOPIC).rename(outside)
    (content_copy / TOPIC).symlink_to(outside)
    assert f"{content_copy / TOPIC}: error: symbolic links are not read" in "\n".join(
        build_errors(content_copy, tmp_path / "out"))


def test_a_symbolic_link_loop_is_a_located_mistake_not_a_traceback(content_copy, tmp_path,
                                                                  capsys):
    loop = content_copy / TOPIC / "loop.md"
    loop.symlink_to(loop)
    build_options = ["--templates", str(ROOT / "templates"), "--output", str(tmp_path / "out")]
    for command in (["check"], ["build", *build_options]):
        assert main([*command, "--content", str(content_copy)]) == 1
        err = capsys.readouterr().err
        assert f"{loop}: error: symbolic links are not read" in err
        assert "Traceback" not in err


def test_a_topic_folder_that_cannot_be_listed_is_named(content_copy, tmp_path, monkeypatch):
    folder = content_copy / TOPIC
    real_listdir = os.listdir

    def listdir(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr("sitegen.sources.topic_sources", lambda folder: [])
    monkeypatch.setattr("sitegen.pipeline.topic_sources", lambda folder: [])
    assert f"{folder}: error: cannot read the folder: Permission denied" in "\n".join(
        build_errors(content_copy, tmp_path / "out"))


def refuse_reading(monkeypatch, unreadable: Path) -> None:
    """Opening that one file fails as for a file without read permission (the tests run as
    root, whom file permissions do not stop)."""
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


def test_a_site_yaml_that_cannot_be_read_is_named_as_such(content_copy, tmp_path, monkeypatch):
    site = content_copy / "site.yaml"
    refuse_reading(monkeypatch, site)
    assert build_errors(content_copy, tmp_path / "out") == [
        f"{site}: error: cannot read the file: Permission denied "
        "(hint: check that it is a readable file)"]


def test_a_template_that_cannot_be_read_is_a_setup_problem(tmp_path, capsys, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    unreadable = templates / "blocks" / "tips.html"
    refuse_reading(monkeypatch, unreadable)
    assert main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(templates),
                 "--output", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err == f"sitegen: error: cannot read {unreadable}: Permission denied\n"


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_build_the_same_site(content_copy, tmp_path, ending):
    build(BuildConfig(content_copy, ROOT / "templates", tmp_path / "unix"))
    for path in [content_copy / "site.yaml", *(content_copy / TOPIC).iterdir()]:
        path.write_bytes(path.read_bytes().replace(b"\n", ending.encode()))
    build(BuildConfig(content_copy, ROOT / "templates", tmp_path / "other"))
    page = f"{TOPIC}.html"
    assert (tmp_path / "other" / page).read_bytes() == (tmp_path / "unix" / page).read_bytes()


def sitegen(*args: str) -> subprocess.CompletedProcess:
    """The command run on its own, given a minute (instead of waiting for ever on a pipe)."""
    return subprocess.run(
        [sys.executable, "-c", "from sitegen.cli import entry_point; entry_point()", *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("verb", ["check", "build"])
@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_named_pipe_where_a_file_is_expected_is_refused_not_waited_on(content_copy, tmp_path,
                                                                        name, verb):
    pipe = content_copy / name
    pipe.unlink()
    os.mkfifo(pipe)
    options = [] if verb == "check" else ["--templates", str(ROOT / "templates"),
                                          "--output", str(tmp_path / "out")]
    result = sitegen(verb, "--content", str(content_copy), *options)
    assert result.returncode == 1
    assert (f"{pipe}: error: is a named pipe, not a file (hint: content is read only from "
            "regular files; put the file itself here)\n") in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_device_where_a_file_is_expected_is_refused(content_copy, tmp_path, name):
    device = content_copy / name
    device.unlink()
    try:
        os.mknod(device, 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 3))  # as /dev/null
    except PermissionError:
        pytest.skip("making a device needs root")
    assert f"{device}: error: is a character device, not a file" in "\n".join(
        build_errors(content_copy, tmp_path / "out"))


@pytest.mark.parametrize("verb", ["check", "build"])
@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_file_over_the_size_limit_is_refused_with_its_size(content_copy, tmp_path, capsys,
                                                             name, verb):
    large = content_copy / name
    # Valid as it is, YAML or Markdown: only its size is wrong.
    large.write_bytes(large.read_bytes() + b"\n" + (b"# " + b"x" * 98 + b"\n") * 15_000)
    options = [] if verb == "check" else ["--templates", str(ROOT / "templates"),
                                          "--output", str(tmp_path / "out")]
    assert main([verb, "--content", str(content_copy), *options]) == 1
    assert (f"{large}: error: the file is 1.6 MB; the limit is 1 MB (hint: split it: a topic "
            "this long reads better as several topics, and a long text as several prose "
            "files)\n") in capsys.readouterr().err


def test_a_file_of_any_size_is_refused_without_being_read(content_copy, tmp_path):
    huge = content_copy / TOPIC / "topic.yaml"
    with open(huge, "r+b") as file:  # a hole: no disk space, but 50 GB to read
        file.truncate(50 * 10**9)
    assert build_errors(content_copy, tmp_path / "out") == [
        f"{huge}: error: the file is 50,000 MB; the limit is 1 MB (hint: split it: a topic this "
        "long reads better as several topics, and a long text as several prose files)"]


@pytest.fixture
def templates(tmp_path) -> Path:
    """A private, editable copy of the templates."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path / "templates"


@pytest.mark.parametrize("linked", ["static/vendor/minisearch.LICENSE.txt", "blocks"])
def test_a_symbolic_link_in_the_templates_is_a_setup_problem_not_published(templates, tmp_path,
                                                                          capsys, secret, linked):
    link = templates / linked
    if link.is_dir():
        link.rename(tmp_path / "moved")
        link.symlink_to(tmp_path / "moved")
    else:
        link.unlink()
        link.symlink_to(secret)
    assert main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(templates),
                 "--output", str(tmp_path / "out")]) == 3
    assert capsys.readouterr().err == (
        f"sitegen: error: {link} is a symbolic link; templates are read only from files "
        "really in the templates folder (put the file itself there)\n")
    assert not (tmp_path / "out").exists()


def test_a_named_pipe_in_the_templates_is_a_setup_problem(templates, tmp_path, capsys):
    pipe = templates / "static" / "favicon.svg"
    pipe.unlink()
    os.mkfifo(pipe)
    assert main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(templates),
                 "--output", str(tmp_path / "out")]) == 3
    assert capsys.readouterr().err == f"sitegen: error: {pipe} is a named pipe, not a file\n"


def test_an_editors_lock_link_in_the_templates_is_left_out(templates):
    (templates / ".#topic.html").symlink_to("root@host.1234:1700000000")  # as Emacs makes it
    assert Templates.read(templates).files == Templates.read(ROOT / "templates").files


def test_a_file_that_grows_past_the_limit_while_it_is_read_is_refused(tmp_path, monkeypatch):
    from sitegen.sources import MAX_FILE_BYTES, RefusedFile, read_file

    path = tmp_path / "topic.yaml"
    path.write_bytes(b"#" * (2 * MAX_FILE_BYTES))
    real_fstat = os.fstat

    def fstat_before_it_grew(descriptor):  # as if written to between fstat and read
        found = real_fstat(descriptor)
        return os.stat_result((*found[:6], 10, *found[7:10]))

    monkeypatch.setattr(os, "fstat", fstat_before_it_grew)
    with pytest.raises(RefusedFile) as refused:
        read_file(path)
    assert refused.value.message == "the file is 1.1 MB; the limit is 1 MB"


@pytest.mark.parametrize("encoding, said", [
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
    ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"),
])
@pytest.mark.parametrize("name", CONTENT_FILES)
def test_a_file_saved_as_utf16_or_utf32_is_named_so_with_or_without_a_byte_order_mark(
        content_copy, tmp_path, name, encoding, said):
    # encoding "utf-16" and "utf-32" write a byte order mark, the others none.
    path = content_copy / name
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    assert build_errors(content_copy, tmp_path / "out") == [
        f"{path}: error: the file is {said} encoded; save it as UTF-8 (hint: choose UTF-8 as "
        "the encoding when you save it"
        + (" (Windows Notepad calls UTF-16 'Unicode'))" if said == "UTF-16" else ")")]


@pytest.mark.parametrize("text", ["# 見出し\n\n本文です。\n", "Précis: ça coûte 5 €.\n"])
def test_utf16_without_ascii_letters_or_a_byte_order_mark_is_still_named(content_copy, tmp_path,
                                                                        text):
    path = content_copy / TOPIC / "overview.md"
    path.write_bytes(text.encode("utf-16-le"))
    assert build_errors(content_copy, tmp_path / "out") == [
        f"{path}: error: the file is UTF-16 encoded; save it as UTF-8 (hint: choose UTF-8 as "
        "the encoding when you save it (Windows Notepad calls UTF-16 'Unicode'))"]


def test_a_nul_at_the_start_of_a_utf8_file_is_not_taken_for_utf16(content_copy, tmp_path):
    path = content_copy / TOPIC / "overview.md"
    path.write_bytes(b"\x00" + path.read_bytes())
    assert build_errors(content_copy, tmp_path / "out") == [
        f"{path}:1:1: error: character U+0000 is not allowed in text (hint: delete it; it is "
        "usually an invisible control character)"]
