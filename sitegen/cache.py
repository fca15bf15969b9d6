"""Build results kept between runs, keyed by a hash of everything they are made from.

A key covers the inputs of a result and the generator that made it (sitegen's own source
and the versions of the libraries that shape its bytes), so a change to either gives a new
key and the old entry is simply never read again. The folder is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from .errors import FolderNotOurs
from .output import WRITERS, write_file

DEFAULT_FOLDER = Path(".sitegen-cache")
# Libraries whose version can change the bytes of a page, a diagram or a card.
SHAPING_PACKAGES = ("jinja2", "markdown_it", "markupsafe", "yaml", "lxml", "graphviz",
                    "weasyprint", "pydyf")


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each length-prefixed so that ("ab", "c") != ("a", "bc")."""
    chunks = []
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        chunks += (len(data).to_bytes(8, "little"), data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()  # one call: builds take thousands


@lru_cache(maxsize=None)
def generator_fingerprint() -> str:
    """sitegen's source, Python's version and the shaping libraries' installed files.

    A library is told apart by where its __init__ file is and its size and date, which an
    upgrade changes; that needs no import (importlib.metadata alone takes 40 ms to load).
    """
    package = Path(__file__).parent
    parts = [sys.version]
    for source in sorted(package.glob("*.py")):
        parts += [source.name, source.read_bytes()]
    for name in SHAPING_PACKAGES:
        spec = find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            stat = os.stat(origin)
            parts += [name, f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"]
        except OSError:
            parts += [name, "absent"]
    return digest(*parts)


# Entries the last build in this process used, of the kinds read by the thousand on every
# build of a big guide: a process that builds again and again (sitegen serve) reads them
# from memory instead of from a file each.
REMEMBERED_KINDS = frozenset({"diagrams", "search"})
# Kinds held for one build only. A page renders in milliseconds, and output/ keeps its file
# until its key changes; keeping pages too doubled what a new guide writes (55 MB at a
# thousand topics), on disks where writing is most of a clean build's time.
UNKEPT_KINDS = frozenset({"page"})
_remembered: tuple[Path | None, dict[tuple[str, str], bytes]] = (None, {})


class Cache:
    """Bytes by kind and key, in a folder; with no folder, in memory for one build."""

    def __init__(self, folder: Path | None, generation: str = "") -> None:
        """generation: the generator fingerprint every key includes. A folder filled by
        another generation holds nothing this one can read, so it is emptied first; without
        this, every upgrade or edit of sitegen would leave a full set of dead entries."""
        self.folder = folder
        if folder is not None and generation:
            _start_generation(folder, generation)
        self.memory: dict[tuple[str, str], bytes] = {}
        self.fresh: set[tuple[str, str]] = set()
        """Entries put by this build: reading them back is not a hit from an earlier build."""
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self.used: dict[tuple[str, str], bytes] = {}
        """Entries of the remembered kinds this build read or made."""
        self.recent = _remembered[1] if folder is not None and _remembered[0] == folder else {}
        self._writing: dict[tuple[str, str], bytes] = {}
        """Entries put and not yet written, readable meanwhile: they are written by threads
        while the build goes on (a new guide of a thousand topics makes 6000 of them)."""
        self._writes: list[Future] = []
        self._writer: ThreadPoolExecutor | None = None

    def remember(self) -> None:
        """Keeps what this (successful) build used for the next build in this process."""
        global _remembered
        if self.folder is not None:
            _remembered = (self.folder, self.used)

    @property
    def compiled_templates(self) -> Path | None:
        """Where Jinja keeps compiled templates, or None when nothing is kept."""
        return self.folder / "jinja" if self.folder is not None else None

    def has(self, kind: str, key: str) -> bool:
        if self.folder is None or kind in UNKEPT_KINDS:
            return (kind, key) in self.memory
        return (kind, key) in self._writing or os.path.isfile(self._path(kind, key))

    def _path(self, kind: str, key: str) -> str:
        assert self.folder is not None
        # Strings, not Paths: a rebuild of a big guide looks up thousands of entries.
        return os.path.join(self.folder, kind, key[:2], key)

    def get(self, kind: str, key: str) -> bytes | None:
        data = (self.memory.get((kind, key)) or self._writing.get((kind, key))
                or self.recent.get((kind, key)))
        if self.folder is not None and data is None and kind not in UNKEPT_KINDS:
            try:
                with open(self._path(kind, key), "rb") as file:
                    data = _checked(file.read())
            except OSError:
                pass
        if (kind, key) not in self.fresh:
            (self.hits if data is not None else self.misses)[kind] += 1
        if data is not None and kind in REMEMBERED_KINDS:
            self.used[(kind, key)] = data
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.fresh.add((kind, key))
        if kind in REMEMBERED_KINDS:
            self.used[(kind, key)] = data
        if self.folder is None or kind in UNKEPT_KINDS:
            self.memory[(kind, key)] = data
            return
        self._writing[(kind, key)] = data
        if self._writer is None:
            self._writer = ThreadPoolExecutor(WRITERS, thread_name_prefix="sitegen-cache")
        self._writes.append(self._writer.submit(self._write, kind, key, data))

    def _write(self, kind: str, key: str, data: bytes) -> None:
        write_file(self._path(kind, key), zlib.crc32(data).to_bytes(4, "little") + data)
        self._writing.pop((kind, key), None)

    def flush(self) -> None:
        """Waits until every entry put is written; raises the first error."""
        writes, self._writes = self._writes, []
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        for write in writes:
            write.result()


def _checked(stored: bytes) -> bytes | None:
    """An entry's bytes, or None when they are not what was written: a crash can leave a
    file renamed into place before its bytes reached the disk, or a disk can damage it.
    Each file starts with the CRC-32 of its bytes."""
    data = stored[4:]
    if len(stored) < 4 or zlib.crc32(data) != int.from_bytes(stored[:4], "little"):
        return None
    return data


GENERATION_FILE = "generation"
KINDS = ("topic", "diagrams", "svg", "page", "search", "card", "jinja")
"""The folders a cache holds, one per kind of result (jinja: compiled templates)."""


def _start_generation(folder: Path, generation: str) -> None:
    """Empties a cache folder filled by another generation; a folder that is not a cache
    (no generation file, and names no cache holds) is refused, never emptied: --cache may
    have been given the project folder by mistake."""
    marker = folder / GENERATION_FILE
    try:
        if marker.read_text(encoding="utf-8") == generation:
            return
    except OSError:
        pass
    if folder.is_dir():
        entries = list(folder.iterdir())
        if not marker.is_file() and any(entry.name not in KINDS for entry in entries):
            raise FolderNotOurs(f"{folder}/ is not a sitegen cache folder; choose another "
                                "--cache folder, or move its files away")
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(generation, encoding="utf-8")
