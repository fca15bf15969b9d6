"""The README's content reference is the registry's: generated, and checked to be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.kinds import KINDS
from sitegen.reference import END, START, WRITE_COMMAND, readme_with_reference, reference
from sitegen.validate import CARD, SITE, TOPIC

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_the_readme_reference_is_what_the_registry_generates():
    readme = README.read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1
    assert readme_with_reference(readme) == readme, f"README's reference is out of date: run `{WRITE_COMMAND}`"


def test_the_reference_names_every_key_of_every_file_and_kind():
    text = reference()
    for shape in (SITE, CARD, TOPIC):
        for key in shape.keys:
            assert f"| `{key.name}` |" in text
    for name, kind in KINDS.items():
        assert f"#### `{name}`" in text and kind.summary in text


def test_reference_prints_and_write_replaces_only_the_region(tmp_path, capsys):
    assert main(["reference"]) == 0
    assert capsys.readouterr().out == reference()
    stale = tmp_path / "README.md"
    stale.write_text(f"# Title\n\nbefore\n\n{START}\nold text\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["reference", "--write", str(stale)]) == 0
    assert capsys.readouterr().out.strip() == f"{stale}: reference updated"
    assert stale.read_text(encoding="utf-8") == (
        f"# Title\n\nbefore\n\n{START}\n{reference()}{END}\n\nafter\n")
    assert main(["reference", "--write", str(stale)]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_a_readme_without_the_markers_is_refused(tmp_path, capsys):
    plain = tmp_path / "README.md"
    plain.write_text("# Title\n", encoding="utf-8")
    assert main(["reference", "--write", str(plain)]) == 2
    assert "no reference region" in capsys.readouterr().err
    assert plain.read_text(encoding="utf-8") == "# Title\n"
