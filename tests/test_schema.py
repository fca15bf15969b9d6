"""The JSON Schemas editors validate with (`sitegen schema`): valid schemas, committed as the
command writes them, accepting the shipped content, flagging the mistakes they can see, and
naming exactly the keys the parsers read, mapping by mapping."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from sitegen.cli import main
from sitegen.fields import Fields
from sitegen.load import Mapping, Node, Sequence, load_content
from sitegen.pipeline import BuildConfig, check
from sitegen.schema import FILES, schema_of, schema_texts
from sitegen.starter import new_topic

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
INVALID = ROOT / "tests" / "invalid"
FIXTURE = ROOT / "tests" / "fixtures" / "layered"


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server set to YAML 1.1 reads it (the version sitegen
    reads): `no` is a yes/no value and `1.10` a number; a date stays text, as JSON has
    no dates."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def stem(path: Path) -> str:
    return {"site.yaml": "site", "sets.yaml": "sets", "exam.yaml": "exam"}.get(path.name, "topic")


def yaml_files(content: Path) -> list[Path]:
    found = [content / "site.yaml", content / "sets.yaml", content / "exam.yaml",
             *sorted(content.glob("topics/*/topic.yaml"))]
    return [path for path in found if path.is_file()]


def schema_errors(path: Path) -> list[jsonschema.ValidationError]:
    validator = jsonschema.Draft202012Validator(schema_of(FILES[stem(path)]))
    return list(validator.iter_errors(yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)))


SHIPPED = [*yaml_files(ROOT / "content"), *yaml_files(FIXTURE),
           *yaml_files(ROOT / "tests" / "fixtures" / "exam")]


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_each_schema_is_a_valid_schema_of_2020_12_and_of_draft_7(name):
    schema = json.loads(schema_texts()[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    # Editors' language server implements draft 7: the schemas keep to what both mean alike.
    jsonschema.Draft7Validator.check_schema(schema)


def test_the_committed_schemas_are_what_sitegen_schema_writes(tmp_path, capsys):
    assert main(["schema", "--output", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'out'}/: ")
    written = {path.name: path.read_text(encoding="utf-8") for path in (tmp_path / "out").iterdir()}
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.iterdir()}
    assert written == schema_texts()
    assert committed == written, "schemas/ is out of date: run `sitegen schema`"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_content_validates_against_its_schema(path):
    assert [f"{list(e.absolute_path)}: {e.message}" for e in schema_errors(path)] == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_content_names_its_schema_on_its_first_line(path):
    """The modeline the YAML language server reads; a relative path is taken from the file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    target = os.path.relpath(SCHEMAS / f"{stem(path)}.schema.json", path.parent)
    assert first == f"# yaml-language-server: $schema={target}"
    assert (path.parent / target).resolve().is_file()


def test_a_yes_where_text_is_expected_is_flagged_and_a_quoted_one_is_not(tmp_path):
    topic = tmp_path / "topics" / "t" / "topic.yaml"
    topic.parent.mkdir(parents=True)
    block = "blocks: [{kind: tips, id: t, title: T, items: [%s]}]\n"
    topic.write_text("title: T\nsummary: S\n" + block % "yes", encoding="utf-8")
    (error,) = schema_errors(topic)
    assert list(error.absolute_path) == ["blocks", 0, "items", 0] and "string" in error.message
    topic.write_text("title: T\nsummary: S\n" + block % '"yes"', encoding="utf-8")
    assert schema_errors(topic) == []


# The cases of tests/invalid/, by whether the schema can see their mistake.
SCHEMA_LEVEL = {
    "column-each-over-invalid-value-id": "a value id must have an id's form",
    "diagram-source-retired-matrix": "`matrix` is not a kind",
    "deck-id-invalid": "a deck id must have an id's form",
    "empty-list": "lists have at least one item",
    "exam-minutes-zero": "a count of minutes is from 1",
    "exam-questions-quoted": "a count is a number, not text",
    "exam-url-not-http": "the exam's url starts with http:// or https://",
    "invalid-id": "a block id must have an id's form",
    "book-unknown-key": "the book settings' keys",
    "card-column-width-not-a-percentage": "a width is a percentage",
    "card-column-unknown-key": "a card column's keys",
    "card-item-unknown-key": "a picked block's keys",
    "card-unknown-option-did-you-mean": "a card's keys",
    "id-invisible-character": "a block id must have an id's form",
    "reference-invisible-character": "a reference has an id's form",
    "yaml-comma-in-braces": "the value cut short leaves a key no mapping allows",
    "missing-required-field": "required keys",
    "question-choose-out-of-range": "choose is a number from 2 to 5",
    "question-choose-quoted": "choose is a number, not text",
    "question-mixed-options": "options are all text or all mappings",
    "question-too-few-options": "2 to 6 options",
    "question-too-many-options": "2 to 6 options",
    "retired-comparison-kind": "not a kind",
    "retired-matrix-kind": "not a kind",
    "retired-parties-key": "not a key of topic.yaml",
    "retired-service-models-key": "not a key of topic.yaml",
    "set-value-invalid-id": "a value id must have an id's form",
    "set-value-label-not-text": "a label is text",
    "set-without-name": "required keys",
    "set-without-values": "required keys",
    "sets-yaml-wrong-shape": "sets.yaml's keys",
    "several-errors-at-once": "an unknown key and a yes/no value where text is expected",
    "source-url-not-http": "a source url starts with http:// or https://",
    "table-cell-empty": "a cell is text, not nothing",
    "table-number-in-text-cell": "a cell is text, not a number",
    "table-rows-and-groups": "a table has exactly one of rows and groups",
    "table-without-rows": "a table has exactly one of rows and groups",
    "unknown-block-kind": "kinds are an enum",
    "unknown-key-did-you-mean": "no other keys",
    "unknown-top-level-key": "no other keys",
    "value-style-not-in-palette": "styles are an enum of the palette",
    "value-text-number": "a value's text is text",
    "wrong-type-list-expected": "a list, not text",
    "wrong-type-text-expected": "text, not a mapping",
    "yaml-boolean-not-text": "text, not a yes/no value",
    "yaml-number-not-text": "text, not a number",
}
"""Each case's mistake is in the shape of a file, which the schema describes."""

BEYOND_SCHEMA = {
    # What a name refers to is declared by the content itself, so a static schema cannot
    # know it (which sets, values, blocks, columns and topics exist).
    **dict.fromkeys([
        "card-block-not-printable", "card-block-unknown", "card-remember-names-no-set",
        "card-block-did-you-mean", "card-item-out-of-range",
        "column-each-names-no-set", "column-type-names-no-set", "dangling-diagram-source",
        "diagram-source-column-type-typo", "diagram-source-not-a-table",
        "diagram-source-without-set-columns", "question-answer-not-an-option",
        "question-tag-unknown-set", "question-tag-unknown-value", "row-header-names-no-column",
        "row-header-typed-by-set", "scenario-answer-not-in-set", "scenarios-unknown-set",
        "table-cell-did-you-mean", "table-cell-not-in-set", "table-row-missing-column",
        "table-row-unknown-column", "topic-set-reuses-shared-id", "exam-domain-not-in-set",
        "exam-domains-set-unknown", "exam-task-unknown-did-you-mean",
        "exam-question-tagged-domain-not-in-exam"],
        "a reference to what the content declares"),
    # Uniqueness and rules across keys or items, which sitegen words better.
    **dict.fromkeys([
        "duplicate-block-id", "duplicate-card-topic", "duplicate-column-id", "duplicate-definition-id",
        "duplicate-question-id", "duplicate-set-id", "duplicate-value-id",
        "question-duplicate-option-ids", "question-duplicate-options",
        "two-values-same-style", "reserved-block-id", "card-column-widths-too-wide",
        "exam-duplicate-task-id", "exam-weights-not-100", "exam-domain-without-entry",
        "exam-task-of-another-domain"],
        "a rule across items"),
    **dict.fromkeys([
        "keyword-not-in-text", "keyword-without-text", "question-choose-count-differs",
        "question-choose-every-option", "question-single-answer-lists-two",
        "question-says-choose-itself"], "a rule across keys or within a text"),
    # Files and folders, not the keys of one file.
    **dict.fromkeys([
        "empty-prose-file", "image-in-prose", "missing-prose-file", "prose-control-character",
        "prose-callout-not-closed", "prose-callout-unknown-type", "prose-footnote-without-footnote",
        "prose-link-scheme-refused", "prose-table-without-delimiter-row",
        "prose-file-not-utf8", "site-yaml-missing", "topic-folder-missing", "topic-not-listed",
        "exam-tasks-without-exam-file"],
        "about files and folders"),
    # YAML itself, which an editor's YAML parser reports or reads differently.
    "duplicate-yaml-key": "a YAML matter: the editor's parser reports it",
    "yaml-anchor-alias": "a YAML matter: aliases are expanded before validation",
    "yaml-date-not-text": "JSON has no dates: an editor validates a date as text",
    "yaml-escaped-control-character": "an escaped character is still a string",
    "language-without-catalogue": "a well-formed tag; which catalogues exist is sitegen's",
    # Markdown inside a text: the text is a string all the same.
    **dict.fromkeys(["inline-image-in-text", "inline-link-scheme-in-cell"],
                    "Markdown inside a text"),
}
"""Each case's file has the right shape: the schema accepts it and the build refuses it."""

NOT_YAML = {
    "not-utf8": "not UTF-8 text", "sets-yaml-syntax-error": "not YAML",
    "yaml-control-character": "not YAML", "yaml-error-in-carded-topic": "not YAML",
    "yaml-line-separator": "refused before YAML is read",
    "yaml-nesting-too-deep": "past the loader's depth limit",
    "yaml-quote-not-closed-mid-file": "not YAML", "yaml-second-document": "not one YAML document",
    "yaml-syntax-error": "not YAML",
    "yaml-comma-in-braces-syntax-error": "not YAML", "yaml-comment-hides-bracket": "not YAML",
    "yaml-file-utf16": "not UTF-8 text", "prose-file-utf16": "not UTF-8 text",
}
"""Each case's file is not YAML a schema applies to."""

CASES = sorted(path.name for path in INVALID.iterdir() if path.is_dir())


def test_every_invalid_case_is_in_exactly_one_list():
    listed = [*SCHEMA_LEVEL, *BEYOND_SCHEMA, *NOT_YAML]
    assert sorted(listed) == CASES  # also fails on a listed case that does not exist


def files_named_in(case: Path) -> set[Path]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return {case / line.split(":")[0] for line in lines if line.split(":")[0].endswith(".yaml")}


@pytest.mark.parametrize("name", SCHEMA_LEVEL)
def test_schema_level_mistakes_are_flagged_in_the_files_the_build_names(name):
    case = INVALID / name
    assert case.is_dir(), f"no case tests/invalid/{name}/"
    flagged = {path for path in yaml_files(case / "content") if schema_errors(path)}
    assert flagged and flagged == files_named_in(case)


@pytest.mark.parametrize("name", BEYOND_SCHEMA)
def test_mistakes_beyond_the_schema_pass_it(name):
    for path in yaml_files(INVALID / name / "content"):
        assert schema_errors(path) == [], path


# The parsers and the schema -----------------------------------------------------------

def recorded_mappings(content: Path, monkeypatch) -> list[tuple[Node, str, tuple, tuple]]:
    """Every mapping the parsers read while checking content, with the keys they allowed."""
    calls = []
    read = Fields.mapping

    def recording(self, node, what, required, optional=(), retired=None):
        calls.append((node, what, tuple(required), tuple(optional)))
        return read(self, node, what, required, optional, retired)

    with monkeypatch.context() as patch:
        patch.setattr(Fields, "mapping", recording)
        check(BuildConfig(content_dir=content))
    return calls


def node_paths(node: Node, path: tuple = ()) -> dict[tuple, tuple]:
    """Each node's place (file, line, column, type) -> its path in the document."""
    found = {(node.path, node.line, node.col, type(node).__name__): path}
    if isinstance(node, Mapping):
        for key, (_, value) in node.entries.items():
            found.update(node_paths(value, path + (key,)))
    elif isinstance(node, Sequence):
        for index, item in enumerate(node.items):
            found.update(node_paths(item, path + (index,)))
    return found


def applicable(schema: dict, instance, root: dict) -> list[tuple[str, dict]]:
    """The (definition name, schema) pairs that apply to instance: $refs followed, if/then
    taken when the if holds, and the one branch of a oneOf the instance is valid under."""
    if id(root) not in VALIDATORS:
        VALIDATORS[id(root)] = jsonschema.Draft202012Validator(root)
    validator = VALIDATORS[id(root)]

    def valid(sub: dict) -> bool:
        return validator.evolve(schema=sub).is_valid(instance)

    found, pending = [], [("", schema)]
    while pending:
        name, sub = pending.pop()
        if "$ref" in sub:
            ref = sub["$ref"].removeprefix("#/$defs/")
            pending.append((ref, root["$defs"][ref]))
            continue
        found.append((name, sub))
        pending += [(name, part) for part in sub.get("allOf", ())]
        if "if" in sub and valid(sub["if"]):
            pending.append((name, sub["then"]))
        branches = [branch for branch in sub.get("oneOf", ()) if valid(branch)]
        if len(branches) == 1:
            pending.append((name, branches[0]))
    return found


VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}
"""One validator per schema, made once: evolving it keeps the schema's $defs in reach."""


def schema_at(root: dict, document, path: tuple) -> list[tuple[str, dict]]:
    here, instance = applicable(root, document, root), document
    for step in path:
        instance = instance[step]
        for _, sub in here:
            if isinstance(step, str) and step in sub.get("properties", {}):
                inner = sub["properties"][step]
                break
            if isinstance(step, str) and isinstance(sub.get("additionalProperties"), dict):
                inner = sub["additionalProperties"]
                break
            if isinstance(step, int) and "items" in sub:
                inner = sub["items"]
                break
        else:
            raise AssertionError(f"the schema has no place for {path}")
        here = applicable(inner, instance, root)
    return here


def starter_guide(tmp_path: Path) -> Path:
    """The fixture guide with a starter topic added: it uses every shape there is."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    new_topic(content, "starter")
    # A card of the starter topic in every form a card may take.
    with (content / "site.yaml").open("a", encoding="utf-8") as site:
        site.write("""\
  - topic: starter
    title: Starter card
    top: [quick-reference]
    columns:
      - [exam-tips, {block: practice-questions, items: [1]}]
      - width: 40%
        blocks: [{block: responsibility-matrix, items: [1, 2]}]
    bottom: [key-takeaways]
    notes: [A note on the card only.]
""")
    return content


def test_the_parsers_read_exactly_the_keys_the_schema_declares(tmp_path, monkeypatch):
    """Every mapping the parsers read, in the fixture guide, the shipped content and a
    starter topic, is compared with the schema at the same place: the same required keys,
    the same allowed keys. Every shape of the schema must be met at least once."""
    met = set()
    roots = {stem_: schema_of(shape) for stem_, shape in FILES.items()}
    for content in (FIXTURE, ROOT / "content", starter_guide(tmp_path)):
        raw = load_content(content)
        documents = {raw.site_path: raw.site, **{t.yaml_path: t.yaml for t in raw.topics.values()}}
        if raw.sets is not None:
            documents[str(content / "sets.yaml")] = raw.sets
        if raw.exam is not None:
            documents[raw.exam_path] = raw.exam
        places = {}
        for node in documents.values():
            places.update(node_paths(node))
        documents = {path: yaml.load(Path(path).read_text(encoding="utf-8"), Loader=EditorLoader)
                     for path in documents}
        for node, what, required, optional in recorded_mappings(content, monkeypatch):
            root = roots[stem(Path(node.path))]
            document = documents[node.path]
            place = places[(node.path, node.line, node.col, type(node).__name__)]
            schemas = schema_at(root, document, place)
            declared = [(name, sub) for name, sub in schemas if "properties" in sub]
            if not declared:  # a table row: its keys are the table's column ids
                assert what.startswith("row "), (what, place)
                continue
            met.update(name for name, sub in declared)
            allowed = {key for _, sub in declared for key in sub["properties"]}
            needed = {key for _, sub in declared for key in sub.get("required", ())}
            assert (what, needed) == (what, set(required)), place
            assert (what, allowed) == (what, set(required + optional)), place
    every = {name for root in roots.values() for name, sub in root["$defs"].items()
             if "properties" in sub and name != "block"}
    assert every - met == set(), "shapes no content here uses: add them to a kind's example"
    assert "" in met  # the files themselves
