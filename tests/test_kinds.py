"""The block-kind registry: every kind is complete (templates, docs, an example) and alone in
its module, and nothing outside sitegen/kinds/ names a kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sitegen.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FIXTURE = ROOT / "tests" / "fixtures" / "layered"


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_has_its_templates(name):
    kind = KINDS[name]
    assert (TEMPLATES / "blocks" / f"{name}.html").is_file()
    assert (TEMPLATES / "card_blocks" / f"{name}.html").is_file() == kind.model.printable
    assert kind.model.kind == name
    assert kind.model.__module__ == f"sitegen.kinds.{'list' if name == 'list' else name}"


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_is_documented_in_the_readme(name):
    """In the generated reference, with every key of the kind and its example."""
    from sitegen.reference import END, START

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    region = readme[readme.index(START):readme.index(END)]
    section = re.search(rf"^#### `{name}`\n(.*?)(?=^###)", region, re.M | re.S)
    assert section, f"README has no section for {name}"
    for key in KINDS[name].keys:
        assert f"| `{key.name}` |" in section.group(1), (name, key.name)
    assert KINDS[name].example in section.group(1)


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_has_an_example_that_is_one_block_of_it(name):
    (block,) = yaml.safe_load(KINDS[name].example)
    assert block["kind"] == name


def test_the_fixture_guide_has_an_example_of_every_kind():
    used = set()
    for path in (FIXTURE / "topics").glob("*/topic.yaml"):
        used |= {block["kind"] for block in yaml.safe_load(path.read_text(encoding="utf-8"))["blocks"]}
    assert used == set(KINDS)


def test_no_template_or_module_outside_the_kinds_names_a_kind():
    """Adding a kind touches its module, its templates, its CSS and its tests only. (A key of
    a file may share a kind's name, as the exam's count of `questions` does: Key("...").)"""
    names = "|".join(re.escape(name) for name in KINDS if name not in ("list", "table", "diagram"))
    pattern = re.compile(rf"(?<!Key\()[\"']({names})[\"']")
    shared = [*ROOT.joinpath("sitegen").glob("*.py"), *TEMPLATES.glob("*.html")]
    found = [(path.name, m.group(0)) for path in shared
             for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
