"""The shipped content read straight from YAML with plain PyYAML, independently of sitegen.

Tests compare generated output against this, so a mistake in sitegen's own loading or
modelling cannot make the output and the expectation agree by accident. Texts a reader sees
are inline Markdown: topic_yaml() gives them as the reader sees them, read with markdown-it
directly rather than by sitegen's own renderer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "content"


# libyaml, as the build reads YAML: its pure-Python twin refuses a few things libyaml reads,
# such as a '?' inside {...}.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


def site_yaml(content: Path = CONTENT) -> dict:
    return read_yaml(content / "site.yaml")


def topic_yaml(slug: str, content: Path = CONTENT) -> dict:
    """A topic.yaml with every text a reader sees as the reader sees it (shown_text)."""
    topic = read_yaml(content / "topics" / slug / "topic.yaml")
    return {key: value if key in TOPIC_PLAIN else as_shown(value, key)
            for key, value in topic.items()}


@lru_cache(maxsize=1)
def _inline_markdown():
    from markdown_it import MarkdownIt

    # As the README promises: inline Markdown with strikethrough, raw HTML shown as text,
    # and character references such as &amp; shown as typed.
    md = MarkdownIt("commonmark", {"html": False})
    md.enable("strikethrough")
    md.disable("entity")
    return md


def shown_text(text: str) -> str:
    """What a reader sees of a text written as inline Markdown: the words, no markup."""
    (inline,) = _inline_markdown().parseInline(text)
    return "".join(child.content if child.type in ("text", "code_inline")
                   else " " if child.type in ("softbreak", "hardbreak") else ""
                   for child in inline.children)


def as_shown(node, key: str = ""):
    """A YAML value with each text a reader sees replaced by shown_text; ids, references,
    file names and icons as written."""
    if key in RAW_KEYS:
        return node
    if key == "rows" and isinstance(node, list):  # cells keyed by column ids, whatever they are
        return [{k: shown_text(v) if isinstance(v, str) else v for k, v in row.items()}
                if isinstance(row, dict) else row for row in node]
    if isinstance(node, dict):
        return {k: as_shown(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [as_shown(item, key) for item in node]
    return shown_text(node) if isinstance(node, str) else node


def blocks_of_kind(topic: dict, kind: str) -> list[dict]:
    return [block for block in topic["blocks"] if block["kind"] == kind]


PALETTE = ["blue", "orange", "green", "purple", "teal", "rose", "amber", "slate"]
"""The style names in palette order, as the README documents them."""


def shared_sets(content: Path = CONTENT) -> list[dict]:
    path = content / "sets.yaml"
    return as_shown(read_yaml(path)["sets"]) if path.exists() else []


def choice_sets(topic: dict, content: Path = CONTENT) -> dict[str, dict]:
    """Every set a topic may use, by id: {"name", "values": {id: value with its "style"}}.

    A value without a style takes the palette's next style that no value of its set chose,
    in order, as the README says."""
    found = {}
    for declared in shared_sets(content) + topic.get("sets", []):
        chosen = {v["style"] for v in declared["values"] if "style" in v}
        free = [name for name in PALETTE if name not in chosen] or PALETTE[:1]
        values, n = {}, 0
        for value in declared["values"]:
            if "style" not in value:
                value = {**value, "style": free[n % len(free)]}
                n += 1
            values[value["id"]] = value
        found[declared["id"]] = {"name": declared["name"], "values": values}
    return found


def full_label(value: dict) -> str:
    return f'{value["label"]} ({value["text"]})' if value.get("text") else value["label"]


def table_columns(block: dict, sets: dict[str, dict]) -> list[dict]:
    """A table block's columns, `each` expanded: {"id", "heading", "set" (id or None)}."""
    columns = []
    for column in block["columns"]:
        cell_set = column.get("type", "text")
        cell_set = None if cell_set == "text" else cell_set
        if "each" in column:
            heading = full_label if column.get("show_text") else (lambda value: value["label"])
            columns += [{"id": value_id, "heading": heading(value), "set": cell_set}
                        for value_id, value in sets[column["each"]]["values"].items()]
        else:
            columns.append({"id": column["id"], "heading": column["heading"], "set": cell_set})
    return columns


def table_groups(block: dict) -> list[tuple[str, list[dict]]]:
    """(group name, rows) of a table; one group named "" for a table of plain rows."""
    if "rows" in block:
        return [("", block["rows"])]
    return [(group["name"], group["rows"]) for group in block["groups"]]


def row_header(block: dict, sets: dict[str, dict]) -> str:
    """Id of the column whose cells head the rows: row_header, or the first column."""
    return block.get("row_header") or table_columns(block, sets)[0]["id"]


def cell_text(value: str, column: dict, sets: dict[str, dict]) -> str:
    """What a table cell shows: the text, or the label of the value it names."""
    if column["set"]:
        return sets[column["set"]]["values"][value]["label"]
    return " ".join(str(value).split())


def question_options(question: dict) -> list[tuple[str, str, str]]:
    """(id, text, note) of each option, plain text options lettered a, b, c..."""
    return [(chr(ord("a") + i), option, "") if isinstance(option, str)
            else (option["id"], option["text"], option.get("note", ""))
            for i, option in enumerate(question["options"])]


def answers_of(question: dict) -> list[str]:
    answer = question["answer"]
    return answer if isinstance(answer, list) else [answer]


# Keys whose values are identifiers or references, not text a reader sees as written.
NOT_DISPLAYED = {"kind", "id", "file", "source", "value", "set", "answers", "answer", "ordered",
                 "type", "each", "row_header", "choose", "tags", "style", "keyword", "url",
                 "sets", "tasks"}
TABLE_KEYS = {"columns", "rows", "groups"}
RAW_KEYS = (NOT_DISPLAYED - {"sets"}) | {"icon"}
"""Keys whose values are not inline Markdown."""
TOPIC_PLAIN = {"title", "short_title", "summary", "sources", "icon"}
"""A topic's own keys, whose texts are shown as written: only its blocks' and sets' texts
are inline Markdown."""


def displayed_texts(node, key: str = "", sets: dict | None = None) -> list[str]:
    """Every text in a topic.yaml that must appear on the page as written: table cells that
    name a set's value are shown by its label."""
    if key in NOT_DISPLAYED:
        return []
    if isinstance(node, dict):
        if node.get("kind") == "table" and sets is not None:
            columns = table_columns(node, sets)
            texts = [node["title"], node["caption"]] + [c["heading"] for c in columns]
            for name, rows in table_groups(node):
                texts += [name] if name else []
                texts += [cell_text(row[c["id"]], c, sets) for row in rows for c in columns]
            return texts
        return [t for k, v in node.items() for t in displayed_texts(v, k, sets)]
    if isinstance(node, list):
        return [t for item in node for t in displayed_texts(item, key, sets)]
    return [" ".join(str(node).split())]
