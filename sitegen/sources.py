"""Where content lives on disk: which files make up the site and each topic.

Kept apart from load.py (which parses them) so that a build can hash its inputs, to see
whether anything changed, without loading the YAML parser.
"""

from __future__ import annotations

from pathlib import Path

SITE_FILE = "site.yaml"
TOPICS_DIR = "topics"
TOPIC_FILE = "topic.yaml"


def topic_folders(content_dir: Path) -> list[Path]:
    """The topic folders; hidden ones (.git, editor settings) are not topics."""
    topics_dir = content_dir / TOPICS_DIR
    return sorted(p for p in topics_dir.glob("*") if p.is_dir() and not p.name.startswith("."))


def prose_files(folder: Path) -> list[Path]:
    """A topic's Markdown files; editors leave hidden lock files such as .#overview.md."""
    return sorted(md for md in folder.glob("*.md") if md.is_file() and not md.name.startswith("."))


def topic_sources(folder: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file a topic is read from, or [] if one cannot be read."""
    try:
        return [(path.name, path.read_bytes()) for path in [folder / TOPIC_FILE, *prose_files(folder)]]
    except OSError:
        return []
