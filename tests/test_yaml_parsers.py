"""libyaml parses most content; the pure-Python loader takes anchors, aliases and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitegen import load
from source_data import CONTENT


def both_parsers(text: str):
    fast = load._fast_compose(text)
    marking = load._MarkingLoader(text)
    try:
        slow = marking.get_single_node()
    finally:
        marking.dispose()
    return fast, slow


@pytest.mark.parametrize("path", sorted(CONTENT.rglob("*.yaml")), ids=lambda p: p.name)
def test_libyaml_reads_the_shipped_content_exactly_as_the_marking_loader(path: Path):
    fast, slow = both_parsers(path.read_text(encoding="utf-8"))
    assert fast is not False, "the shipped content should take the fast path"
    assert load._convert(fast, "f", []) == load._convert(slow, "f", [])


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "- &first item\n", "[*x]\n", "{a: *x}\n"])
def test_text_that_may_hold_anchors_or_aliases_takes_the_marking_loader(text):
    assert load._fast_compose(text) is False


@pytest.mark.parametrize("text", ["a: R&D\n", "a: Network & Firewall\n", "a: 2 * 3\n"])
def test_ampersands_and_stars_inside_text_stay_on_the_fast_path(text):
    assert load._fast_compose(text) is not False


def test_invalid_yaml_is_left_to_the_marking_loader_for_its_wording():
    assert load._fast_compose("a: [1, 2\n") is False
    with pytest.raises(yaml.MarkedYAMLError):
        both_parsers("a: [1, 2\n")
