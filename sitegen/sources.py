"""Where content lives on disk: which files make up the site and each topic.

Kept apart from load.py (which parses them) so that a build can hash its inputs, to see
whether anything changed, without loading the YAML parser.
"""

from __future__ import annotations

import os
from pathlib import Path

SITE_FILE = "site.yaml"
TOPICS_DIR = "topics"
TOPIC_FILE = "topic.yaml"


# os.scandir rather than Path.glob: deciding that nothing changed reads a thousand folders,
# and pathlib's overhead was a third of that time.

def _entries(folder: Path, suffix: str = ""):
    """Visible entries of a folder whose name ends with suffix, sorted by name."""
    try:
        with os.scandir(folder) as found:
            entries = [e for e in found if not e.name.startswith(".") and e.name.endswith(suffix)]
    except OSError:
        return []
    return sorted(entries, key=lambda entry: entry.name)


def topic_folders(content_dir: Path) -> list[Path]:
    """The topic folders; hidden ones (.git, editor settings) are not topics."""
    topics_dir = content_dir / TOPICS_DIR
    return [topics_dir / e.name for e in _entries(topics_dir) if e.is_dir()]


def prose_files(folder: Path) -> list[Path]:
    """A topic's Markdown files; editors leave hidden lock files such as .#overview.md."""
    return [folder / e.name for e in _entries(folder, ".md") if e.is_file()]


def topic_sources(folder: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file a topic is read from, or [] if one cannot be read."""
    base = str(folder)
    names = [TOPIC_FILE] + [e.name for e in _entries(folder, ".md") if e.is_file()]
    try:
        sources = []
        for name in names:
            with open(os.path.join(base, name), "rb") as file:
                sources.append((name, file.read()))
        return sources
    except OSError:
        return []


def topic_signature(folder: Path) -> list:
    """[name, size, modification time] of each file a topic is read from; [] if one is missing."""
    names = [TOPIC_FILE] + [e.name for e in _entries(folder, ".md") if e.is_file()]
    signature = []
    for name in names:
        try:
            stat = os.stat(os.path.join(folder, name))
        except OSError:
            return []
        signature.append([name, stat.st_size, stat.st_mtime_ns])
    return signature
