"""Messages reach terminals and CI logs: nothing from content or a file name may act on them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.errors import ContentError, printable

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FORGED = "x\033[1A\033[2Kall good"
"""A name that, printed raw, moves up a line and blanks it: a forged log line."""

# What no line sitegen prints may hold (a line feed only ends a line).
ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("text, shown", [
    ("plain text, ünïcödé and 🛡️", "plain text, ünïcödé and 🛡️"),
    (FORGED, "x\\033[1A\\033[2Kall good"),
    ("a\tb\nc\rd\x00e\x7f", "a\\tb\\nc\\rd\\000e\\177"),
    ("\x9b2J", "\\302\\2332J"),
    ("\u202egnp.exe", "\\342\\200\\256gnp.exe"),
    ("a\u2066b\u2028c", "a\\342\\201\\246b\\342\\200\\250c"),
    ("undecodable \udc9b byte", "undecodable \\233 byte"),
])
def test_characters_a_terminal_acts_on_are_written_as_git_writes_them(text, shown):
    assert printable(text) == shown


def test_a_file_name_that_needs_escapes_is_quoted_as_a_whole_as_git_quotes_it():
    error = ContentError(f'content/{FORGED}\\"/topic.yaml', 3, 1, "bad", "fix")
    assert str(error) == ('"content/x\\033[1A\\033[2Kall good\\\\\\"/topic.yaml":3:1: '
                          "error: bad (hint: fix)")
    plain = 'content/a\\b"c.yaml'  # nothing to escape: shown as it is
    assert str(ContentError(plain, 0, 0, "bad")) == f"{plain}: error: bad"


def test_a_folder_name_with_terminal_escapes_is_printed_escaped(content_copy, capsys):
    (content_copy / "topics" / FORGED).mkdir()
    assert main(["check", "--content", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert not ACTING.search(err)
    assert (f'"{content_copy}/topics/x\\033[1A\\033[2Kall good/topic.yaml": error: '
            "topic.yaml is missing") in err
    assert "folder topics/x\\033[1A\\033[2Kall good/ is not listed" in err


def test_a_yaml_key_that_reverses_the_line_is_printed_escaped(content_copy, capsys):
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\"\u202etitle\\e[2K\": x\n",
                    encoding="utf-8")
    assert main(["check", "--content", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert not ACTING.search(err)
    assert "unknown key '\\342\\200\\256title\\033[2K'" in err


def test_a_setup_problem_naming_a_folder_is_printed_escaped(tmp_path, capsys):
    output = tmp_path / FORGED
    output.mkdir()
    (output / "notes.txt").write_text("not made by sitegen\n", encoding="utf-8")
    assert main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(TEMPLATES),
                 "--output", str(output)]) == 3
    err = capsys.readouterr().err
    assert not ACTING.search(err)
    assert f"sitegen: error: {tmp_path}/x\\033[1A\\033[2Kall good/ exists" in err
