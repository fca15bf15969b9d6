"""The prose kind: free Markdown text kept in a .md file beside topic.yaml."""

from __future__ import annotations

import re

from ..records import frozen
from ..errors import ContentError
from ..fields import Fields, get
from ..load import Mapping, TextFile
from ..model import Block, sealed
from ..shapes import Key, Pattern
from ..prose import problems
from .base import Kind, TopicScope

PROSE_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*\.md$")


@sealed
@frozen(kw_only=True)
class Prose(Block):
    """Free Markdown text kept in a .md file beside topic.yaml."""

    kind = "prose"
    markdown: str
    """The Markdown source (raw HTML in it is shown as text, never interpreted)."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    name = f.text(get(block, "file"), "prose file")
    if name is not None and not PROSE_FILE.match(name):
        f.error(get(block, "file"), f"prose file '{name}' must be a .md file name in the topic folder",
                "no folders or '..'; for example overview.md")
        name = None
    elif name in scope.texts and scope.texts[name] is None:
        name = None  # the file exists but could not be read; that was reported
    elif name is not None and name not in scope.texts:
        f.error(get(block, "file"), f"prose file '{name}' not found in topics/{scope.slug}/",
                "files there: " + (", ".join(scope.texts) or "none"))
        name = None
    text = scope.texts.get(name)
    if text is not None:
        _check(text, f)
    return {"markdown": text.text if text else ""}


def _check(text: TextFile, f: Fields) -> None:
    """Prose the site cannot show as written: an empty file, images (nothing copies them),
    refused links, and Markdown that would show as its literal syntax (prose.problems)."""
    if not text.text.strip():
        f.errors.append(ContentError(text.path, 0, 0, "prose file is empty",
                                     "write the text, or remove the prose block"))
    for problem in problems(text.text):
        f.errors.append(ContentError(text.path, problem.line, problem.col, problem.message,
                                     problem.hint))


KIND = Kind("prose", Prose, parse, keys=(
    Key("file", Pattern(PROSE_FILE.pattern, "file name"), "A Markdown file in the topic "
        "folder, e.g. overview.md.", required=True),
), summary="Markdown text from a .md file in the topic folder: CommonMark with GitHub's "
            "tables and strikethrough, callouts, footnotes and definition lists.",
    notes="Callouts: `> [!NOTE]`, `> [!TIP]`, `> [!WARNING]` or `> [!TRAP]` (an exam trap) on "
          "the first line of a quote, or `::: note` ... `:::`. Footnotes: `[^1]` ... `[^1]: "
          "text`; definition lists: `Term`, then `: definition` on the next line. The prose's "
          "highest heading is shown one level under the block's title, whatever level it is "
          "written at. Raw HTML is shown as text. These are errors, with their line and "
          "column: images, links other than http(s), mailto, relative or `#fragment` ones, a "
          "table without its `| --- |` row, an unknown callout type, an unclosed `:::` and a "
          "footnote that is never written. Not printable.",
    example="""\
- kind: prose
  id: overview
  title: Overview
  file: overview.md          # beside topic.yaml
""", example_files=(("overview.md", """\
Write the topic's introduction here, in Markdown.

- Lists, **bold**, *emphasis*, `code`, ~~strikethrough~~ and [links](https://aws.amazon.com/) work.
- Raw HTML is shown as text, and images are not supported: draw a diagram block instead.

| Term | Meaning |
| --- | --- |
| Region | A geographic area with several Availability Zones |

> [!TIP]
> A callout stands out from the text around it.
"""),))
