"""JSON Schemas of site.yaml, sets.yaml, exam.yaml and topic.yaml, written from the shapes the
parsers read.

The schemas declare JSON Schema 2020-12 and use only keywords that mean the same in draft 7,
which the YAML editors' language server implements: `$defs` are reached by plain `$ref`
pointers, a `$ref` stands alone, and kinds are told apart by if/then. What depends on the
content (which sets, values and blocks exist) is left to `sitegen check`, which names it
with a did-you-mean; a choice set's values are declared per topic, so no static enum can
list them.
"""

from __future__ import annotations

import json
from pathlib import Path

from .exam import EXAM_FILE
from .shapes import Block, Shape, Type, definition_name
from .validate import SETS_FILE, SITE, TOPIC

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_FOLDER = Path("schemas")
FILES: dict[str, Shape] = {"site": SITE, "sets": SETS_FILE, "exam": EXAM_FILE, "topic": TOPIC}
"""Each schema file's stem (schemas/<stem>.schema.json) and the file shape it describes."""


def schema_file_name(stem: str) -> str:
    return f"{stem}.schema.json"


def schema_of(shape: Shape) -> dict:
    """The schema of one file: the shape itself, and every shape it is made of in $defs."""
    found: dict[str, Shape | Block] = {}
    for child in shape.children():
        _collect(child, found)
    found.pop(shape.name, None)
    return {
        "$schema": DIALECT,
        "title": f"sitegen {shape.name}",
        **shape.definition(),
        "$defs": {definition_name(name): named.definition() for name, named in found.items()},
    }


def _collect(type_: Type, found: dict[str, Shape | Block]) -> None:
    if isinstance(type_, (Shape, Block)):
        if type_.name in found:
            # Two different shapes under one name would make one $ref mean both.
            assert found[type_.name] == type_, f"two shapes are named {type_.name!r}"
            return
        found[type_.name] = type_
    for child in type_.children():
        _collect(child, found)


def schema_texts() -> dict[str, str]:
    """Each schema file's name and its text, as `sitegen schema` writes them."""
    return {schema_file_name(stem): json.dumps(schema_of(shape), indent=2, ensure_ascii=False) + "\n"
            for stem, shape in FILES.items()}


def write_schemas(folder: Path) -> list[Path]:
    """Writes the schema files into folder (made if missing); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

