"""`sitegen new topic NAME`: a starter topic with an example of every block kind, listed in site.yaml.

The examples are the kinds' own (Kind.example, also shown in the README), so the starter
shows every kind as it is now and builds as written. site.yaml is edited as text, one line
added to its topic list, so its comments and layout stay as the author wrote them.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from .fields import ID_PATTERN
from .kinds import KINDS
from .load import Mapping, Sequence, load_content
from .reporting import EXIT_CONTENT_ERROR, EXIT_USAGE
from .schema import DEFAULT_FOLDER, schema_file_name
from .styles import STYLES

SCHEMA_LINE = "# yaml-language-server: $schema={}\n"

SETS = """\
sets:                        # optional: the topic's own choice sets, which blocks name by id
  - id: owner                # how blocks name the set
    name: Owner              # what one value is
    values:
      - id: customer         # how cells, answers and tags name the value
        label: Customer      # what the reader sees
        text: Security IN the Cloud   # optional: a tagline
        keyword: IN          # optional: the word of text printed in bold on a card
        style: blue          # optional: {styles}
      - {id: aws, label: AWS, text: Security OF the Cloud, keyword: OF}
  - id: service_model
    name: Service model
    values:
      - {id: iaas, label: IaaS, text: EC2}
      - {id: paas, label: PaaS, text: RDS}
      - {id: saas, label: SaaS, text: S3}
"""
"""The starter's choice sets: the kinds' examples name them."""

class StarterRefused(Exception):
    """Why no topic was written, in one line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


def new_topic(content_dir: Path, name: str) -> tuple[list[Path], Path]:
    """Writes topics/<name>/ and lists it in site.yaml; returns the files written and site.yaml.

    Nothing is written when the name is not an id, the topic exists, or site.yaml has no
    topic list to add it to."""
    if not ID_PATTERN.match(name):
        raise StarterRefused(f"'{name}' is not a valid topic name: use lowercase letters, "
                             "digits and single '-' or '_' between them, e.g. iam-basics")
    folder = content_dir / "topics" / name
    site_path = content_dir / "site.yaml"
    if os.path.lexists(folder):
        raise StarterRefused(f"topic '{name}' already exists: {folder}/")
    raw = load_content(content_dir, names=[])
    site_text = _listed(raw.site, site_path, name)
    folder.mkdir(parents=True)
    written = [folder / "topic.yaml"]
    written[0].write_text(starter_topic(name), encoding="utf-8")
    for kind in KINDS.values():
        for file_name, text in kind.example_files:
            (folder / file_name).write_text(text, encoding="utf-8")
            written.append(folder / file_name)
    site_path.write_text(site_text, encoding="utf-8")
    return written, site_path


def _listed(site, site_path: Path, name: str) -> str:
    """site.yaml's text with name added at the end of its topic list."""
    entry = site.entries.get("topics") if isinstance(site, Mapping) else None
    topics = entry[1] if entry else None
    if not isinstance(topics, Sequence) or not topics.items:
        raise StarterRefused(f"{site_path} has no list of topics to add '{name}' to "
                             "(hint: run `sitegen check` to see what is wrong with it)",
                             EXIT_CONTENT_ERROR)
    if any(getattr(item, "text", None) == name for item in topics.items):
        raise StarterRefused(f"topic '{name}' is already listed in {site_path}")
    text = site_path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    last = topics.items[-1]
    line = lines[last.line - 1]
    if lines[topics.line - 1][topics.col - 1:topics.col] == "[":  # a flow list: [a, b]
        end = line.index(last.text, last.col - 1) + len(last.text)
        end += line[end:end + 1] in ("'", '"')
        lines[last.line - 1] = f"{line[:end]}, {name}{line[end:]}"
    else:  # a line like the last one's, after it: its comment stays where it is
        lines[last.line - 1] = line if line.endswith("\n") else line + "\n"
        lines.insert(last.line, f"{line[:last.col - 1]}{name}\n")
    return "".join(lines)


def starter_topic(name: str) -> str:
    """The starter topic.yaml: every kind's example, each under a comment on what it is for."""
    # The schemas are kept beside content/ (as `sitegen schema` writes them, by default).
    schema = Path("../../..") / DEFAULT_FOLDER / schema_file_name("topic")
    title = " ".join(word.capitalize() for word in name.replace("_", "-").split("-"))
    parts = [
        SCHEMA_LINE.format(schema.as_posix()),
        textwrap.dedent(f"""\
            # A starter topic: one example block of every kind. It builds as written: edit
            # the examples into your topic, and delete the blocks (and sets) you do not need.
            # Every key is listed in the README's content reference; with the line above, an
            # editor with the YAML language server completes keys and flags mistakes as you type.
            title: {title}
            short_title: {title}  # optional: for navigation and cards
            summary: >-
              What this topic covers, in a sentence or two: shown under the title and in search.
            sources:                 # optional: the documents the topic is based on
              - title: Shared Responsibility Model (AWS Compliance)
                url: https://aws.amazon.com/compliance/shared-responsibility-model/
            # tasks: [2.1]           # optional, with a content/exam.yaml: the exam's tasks the
                                     # topic covers (questions and scenarios may name theirs too)

            """),
        SETS.replace("{styles}", " ".join(STYLES)),
        "\nblocks:\n",
    ]
    for kind in KINDS.values():
        comment = textwrap.wrap(f"{kind.name}: {kind.summary}", 86)
        parts.append("\n" + "".join(f"  # {line}\n" for line in comment))
        parts.append(textwrap.indent(kind.example, "  "))
    return "".join(parts)
