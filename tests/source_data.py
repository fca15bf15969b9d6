"""The shipped content read straight from YAML with plain PyYAML, independently of sitegen.

Tests compare generated output against this, so a mistake in sitegen's own loading or
modelling cannot make the output and the expectation agree by accident.
"""

from __future__ import annotations

from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content"


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def site_yaml(content: Path = CONTENT) -> dict:
    return read_yaml(content / "site.yaml")


def topic_yaml(slug: str, content: Path = CONTENT) -> dict:
    return read_yaml(content / "topics" / slug / "topic.yaml")


def blocks_of_kind(topic: dict, kind: str) -> list[dict]:
    return [block for block in topic["blocks"] if block["kind"] == kind]


def party_names(topic: dict) -> dict[str, str]:
    return {party["id"]: party["name"] for party in topic["parties"]}


def party_numbers(topic: dict) -> dict[str, int]:
    """Declaration order, 1-based: the party-N class and colour a party gets."""
    return {party["id"]: i for i, party in enumerate(topic["parties"], 1)}


# Keys whose values are identifiers or references, not text a reader sees as written.
NOT_DISPLAYED = {"kind", "id", "file", "source", "party", "parties", "answer", "owners", "ordered"}


def displayed_texts(node, key: str = "") -> list[str]:
    """Every text in a topic.yaml that must appear on the page as written."""
    if key in NOT_DISPLAYED:
        return []
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in displayed_texts(v, k)]
    if isinstance(node, list):
        return [t for item in node for t in displayed_texts(item, key)]
    return [" ".join(str(node).split())]
