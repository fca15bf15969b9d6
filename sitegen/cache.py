"""Build results kept between runs, keyed by a hash of everything they are made from.

A key covers the inputs of a result and the generator that made it (sitegen's own source
and the versions of the libraries that shape its bytes), so a change to either gives a new
key and the old entry is simply never read again. The folder is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sys
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from .errors import FolderNotOurs, SetupProblem
from .output import WRITERS, write_file

DEFAULT_FOLDER = Path(".sitegen-cache")
# Libraries whose version can change the bytes of a page, a diagram or a card.
SHAPING_PACKAGES = ("jinja2", "markdown_it", "mdit_py_plugins", "markupsafe", "yaml", "lxml",
                    "graphviz", "weasyprint", "pydyf", "segno", "genanki")


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each length-prefixed so that ("ab", "c") != ("a", "bc")."""
    chunks = []
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        chunks += (len(data).to_bytes(8, "little"), data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()  # one call: builds take thousands


def signed(data: bytes) -> bytes:
    """data, led by this user's signature: for entries that are published as they are (HTML),
    which the cache, data anyone may have written (a CI cache restored from another run),
    must not be trusted with."""
    return signature(data) + data


def verified(entry: bytes | None) -> bytes | None:
    """An entry's data if this user's key signed it (see signed), else None."""
    if entry is None or len(entry) < 32:
        return None
    # A view, not a copy, is signed again: a big guide's study pages are megabytes.
    if not hmac.compare_digest(entry[:32], signature(memoryview(entry)[32:])):
        return None
    return entry[32:]


def signature(data: bytes | memoryview) -> bytes:
    """This user's signature of data (HMAC-SHA256 with the key of templating.signing_key)."""
    from .templating import signing_key

    return hmac.digest(signing_key(), data, hashlib.sha256)


@lru_cache(maxsize=None)
def generator_fingerprint() -> str:
    """sitegen's source, Python's version and the shaping libraries' installed files.

    A library is told apart by where its __init__ file is and its size and date, which an
    upgrade changes; that needs no import (importlib.metadata alone takes 40 ms to load).
    """
    package = Path(__file__).parent
    parts = [sys.version]
    # The block kinds (a subpackage) and the interface strings, on every page, are part
    # of the generator too.
    sources = sorted(package.rglob("*.py")) + sorted(package.glob("locales/*.yaml"))
    for source in sources:
        parts += [source.relative_to(package).as_posix(), source.read_bytes()]
    for name in SHAPING_PACKAGES:
        spec = find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            stat = os.stat(origin)
            parts += [name, f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"]
        except OSError:
            parts += [name, "absent"]
    return digest(*parts)


# Entries the last build of a session used, of the kinds read by the thousand on every
# build of a big guide: a process that builds again and again (sitegen serve) reads them
# from memory instead of from a file each (see RememberedEntries).
REMEMBERED_KINDS = frozenset({"diagrams", "search", "notes", "flashcards", "practice", "study",
                              "markdown"})
# Kinds held for one build only. A page renders in milliseconds, and output/ keeps its file
# until its key changes; keeping pages too doubled what a new guide writes (55 MB at a
# thousand topics), on disks where writing is most of a clean build's time.
UNKEPT_KINDS = frozenset({"page"})


class RememberedEntries:
    """The entries of the REMEMBERED_KINDS that the last successful build of a session
    (session.BuildSession) used, with the cache folder they belong to."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.entries: dict[tuple[str, str], bytes] = {}

    def of(self, folder: Path | None) -> dict[tuple[str, str], bytes]:
        """The entries remembered from the cache in folder; none from another folder's."""
        return self.entries if folder is not None and folder == self.folder else {}

    def keep(self, folder: Path, entries: dict[tuple[str, str], bytes]) -> None:
        self.folder, self.entries = folder, entries


class Cache:
    """Bytes by kind and key, in a folder; with no folder, in memory for one build."""

    def __init__(self, folder: Path | None, generation: str = "",
                 remembered: RememberedEntries | None = None) -> None:
        """generation: the generator fingerprint every key includes. A folder filled by
        another generation holds nothing this one can read, so it is emptied first; without
        this, every upgrade or edit of sitegen would leave a full set of dead entries.
        remembered: the entries of the session's last build, read before the folder's."""
        self.folder = folder
        if folder is not None and generation:
            try:
                _start_generation(folder, generation)
            except OSError as problem:
                raise CacheProblem(f"cannot use {folder}/ as the cache: "
                                   f"{problem.strerror or problem}") from None
        self.memory: dict[tuple[str, str], bytes] = {}
        self.fresh: set[tuple[str, str]] = set()
        """Entries put by this build: reading them back is not a hit from an earlier build."""
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self.used: dict[tuple[str, str], bytes] = {}
        """Entries of the remembered kinds this build read or made (when remembered is given:
        holding them costs a big guide's build tens of megabytes)."""
        self.recent = remembered.of(folder) if remembered is not None else {}
        self._remembered = remembered
        self._writing: dict[tuple[str, str], bytes] = {}
        """Entries put and not yet written, readable meanwhile: they are written by threads
        while the build goes on (a new guide of a thousand topics makes 6000 of them)."""
        self._writes: list[Future] = []
        self._writer: ThreadPoolExecutor | None = None

    def remember(self) -> None:
        """Keeps what this (successful) build used for the session's next build."""
        if self.folder is not None and self._remembered is not None:
            self._remembered.keep(self.folder, self.used)

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
        if data is not None and kind in REMEMBERED_KINDS and self._remembered is not None:
            self.used[(kind, key)] = data
        return data

    def forget(self, kind: str, key: str) -> None:
        """Lets go of an entry of the UNKEPT_KINDS, which are kept in memory for one build
        only, once nothing will read it again."""
        if kind in UNKEPT_KINDS or self.folder is None:
            self.memory.pop((kind, key), None)

    def count_hits(self, kind: str, count: int) -> None:
        """Counts entries of kind found another way (inside an entry that holds many)."""
        if count:
            self.hits[kind] += count

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.fresh.add((kind, key))
        if kind in REMEMBERED_KINDS and self._remembered is not None:
            self.used[(kind, key)] = data
        if self.folder is None or kind in UNKEPT_KINDS:
            self.memory[(kind, key)] = data
            return
        self._writing[(kind, key)] = data
        if self._writer is None:
            self._writer = ThreadPoolExecutor(WRITERS, thread_name_prefix="sitegen-cache")
        self._writes.append(self._writer.submit(self._write, kind, key, data))

    def _write(self, kind: str, key: str, data: bytes) -> None:
        write_file(self._path(kind, key), zlib.crc32(data).to_bytes(4, "little") + data,
                   mode=0o600, folder_mode=0o700)
        self._writing.pop((kind, key), None)

    def settle(self) -> None:
        """Waits for the entries put after flush (by outputs made while output/ is written);
        the site is then in place, and an entry that could not be written is only made again
        by the next build."""
        try:
            self.flush()
        except CacheProblem:
            pass

    def flush(self) -> None:
        """Waits until every entry put is written; raises the first error."""
        writes, self._writes = self._writes, []
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        for write in writes:
            try:
                write.result()
            except OSError as problem:  # a full disk, say: before output/ is touched
                raise CacheProblem(f"cannot write the cache in {self.folder}/: "
                                   f"{problem.strerror or problem} (it is safe to delete, or "
                                   "build with --no-cache)") from None


def _checked(stored: bytes) -> bytes | None:
    """An entry's bytes, or None when they are not what was written: a crash can leave a
    file renamed into place before its bytes reached the disk, or a disk can damage it.
    Each file starts with the CRC-32 of its bytes."""
    data = stored[4:]
    if len(stored) < 4 or zlib.crc32(data) != int.from_bytes(stored[:4], "little"):
        return None
    return data


GENERATION_FILE = "generation"
KINDS = ("topic", "diagrams", "svg", "page", "search", "card", "notes", "deck", "book",
         "preview", "jinja", "flashcards", "practice", "study", "markdown")
"""The folders a cache holds, one per kind of result (jinja: compiled templates; flashcards
and practice: each topic's section of the study pages; study: the sections each study page
was last made of, together; markdown: what prose.py found in a prose text and its HTML)."""
TAG_FILE = "CACHEDIR.TAG"
TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
       b"# This file is a cache directory tag created by sitegen.\n"
       b"# For information about cache directory tags see https://bford.info/cachedir/\n")
"""The Cache Directory Tagging standard's file, which backup tools also read to skip the folder:
the one proof that sitegen made a folder, and so may empty it."""
_ENTRY = re.compile(r"[0-9a-f]{64}|(__jinja2_)?[0-9a-f]{40}\.cache|\.sitegen-[a-z0-9_]+")
"""The names of the files a cache holds (an entry, a compiled template, one being written)."""
_SHARD = re.compile(r"[0-9a-f]{2}")


class CacheProblem(SetupProblem):
    """The cache folder cannot be used: not sitegen's, or not writable."""


def _is_ours(folder: Path) -> bool:
    try:
        with open(folder / TAG_FILE, "rb") as tag:
            return tag.read(len(TAG) + 1) == TAG
    except OSError:
        return False


def _is_older_cache(folder: Path) -> bool:
    """Whether folder is the cache of a sitegen that did not tag it yet: a generation file
    holding a fingerprint, and nothing but folders of the kinds beside it. Emptying it removes
    only files named as entries (see _empty), so adopting it risks nothing."""
    try:
        generation = (folder / GENERATION_FILE).read_text(encoding="ascii")
        names = os.listdir(folder)
    except (OSError, UnicodeDecodeError):
        return False
    return (re.fullmatch(r"[0-9a-f]{64}", generation) is not None
            and all(name in KINDS or name == GENERATION_FILE for name in names))


def _start_generation(folder: Path, generation: str) -> None:
    """Makes the cache folder, or checks that it is one sitegen made, and empties one filled
    by another generation. A folder that is not tagged as sitegen's cache is refused, never
    emptied (--cache may have been given the project folder by mistake), unless it is empty."""
    marker = folder / GENERATION_FILE
    if _is_ours(folder) or _is_older_cache(folder):
        try:
            if marker.read_text(encoding="utf-8") == generation:
                return
        except OSError:
            pass
        _empty(folder)
    elif folder.is_dir() and any(folder.iterdir()):
        raise FolderNotOurs(
            f"{folder}/ is not a sitegen cache folder (it has no {TAG_FILE} made by sitegen); "
            "choose another --cache folder, or, if it is the cache of an older sitegen, "
            "delete it")
    folder.mkdir(parents=True, exist_ok=True)
    if not _is_ours(folder):
        write_file(folder / TAG_FILE, TAG, mode=0o600, folder_mode=0o700)
    os.chmod(folder, 0o700)  # private whatever the umask: entries are read back as they are
    write_file(marker, generation.encode("utf-8"), mode=0o600)


def _empty(folder: Path) -> None:
    """Removes the entries of every kind, and only files named as sitegen names them: whatever
    else someone put in the folder stays."""
    for kind in KINDS:
        top = folder / kind
        if top.is_symlink() or not top.is_dir():
            continue
        for entry in list(top.iterdir()):
            if entry.is_symlink():
                continue
            if entry.is_dir() and _SHARD.fullmatch(entry.name):
                for file in list(entry.iterdir()):
                    if _ENTRY.fullmatch(file.name) and file.is_file() and not file.is_symlink():
                        file.unlink()
                _remove_if_empty(entry)
            elif _ENTRY.fullmatch(entry.name) and entry.is_file():
                entry.unlink()
        _remove_if_empty(top)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
