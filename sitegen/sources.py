"""Where content and templates live on disk: which files make up the site and each topic.

Kept apart from load.py (which parses them) so that a build can hash its inputs, to see
whether anything changed, without loading the YAML parser.
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path

from .records import frozen
from .errors import UnreadableTemplates

# Files editors write beside the real one: Emacs lock files (.#name) and backups (name~),
# Vim swap files (.name.swp, .swo, .swx, ...) and the file Vim writes to test a folder (4913).
EDITOR_TEMP_FILE = re.compile(r"^\.#|~$|^\..*\.sw[a-z]$|^4913$")

SITE_FILE = "site.yaml"
SETS_FILE = "sets.yaml"
"""Choice sets every topic may use (optional)."""
EXAM_FILE = "exam.yaml"
"""The exam blueprint: its domains, their weights and tasks (optional)."""
TOPICS_DIR = "topics"
TOPIC_FILE = "topic.yaml"

MAX_FILE_BYTES = 1_000_000
"""The largest content file read (site.yaml, a topic.yaml, a Markdown file): 1 MB, a hundred
times the shipped topic.yaml. A larger one is refused before it is read, so that memory
stays in proportion (the nodes of a YAML file take some thirty times its size) and even a
syntax error at its end is worded within seconds by the pure-Python YAML parser."""


class RefusedFile(OSError):
    """A content path that is not read: it is not a regular file, or it is too large."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


# O_NONBLOCK: opening a named pipe would wait for a writer, for ever; O_NOFOLLOW: a symbolic
# link put in the file's place after it was looked at is not followed. Neither changes how a
# regular file reads.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
_NOT_FILES = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
              (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"))


def read_file(path: Path | str, limit: int | None = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, read without waiting on a pipe or a device and without
    following a symbolic link. Raises RefusedFile for anything but a regular file, or one of
    more than limit bytes, and OSError when it cannot be read."""
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        # Asked of the file opened, not of its name, which may have been given to another.
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kinds = [name for test, name in _NOT_FILES if test(info.st_mode)]
            raise RefusedFile(f"is {kinds[0]}, not a file" if kinds else "is not a regular file",
                              "content is read only from regular files; put the file itself here")
        if limit is not None and info.st_size > limit:
            raise _too_large(info.st_size, limit)
        data = _read_up_to(descriptor, info.st_size + 1)  # the byte more sees the end
        if len(data) > info.st_size:  # it grew since: read on, to a byte beyond the limit
            data += _read_up_to(descriptor, None if limit is None else limit + 1 - len(data))
            if limit is not None and len(data) > limit:
                raise _too_large(len(data), limit)
        return data
    finally:
        os.close(descriptor)


def _read_up_to(descriptor: int, count: int | None) -> bytes:
    """The next count bytes of a file, or as many as it has left (all, for None)."""
    parts = []
    while count is None or count > 0:
        part = os.read(descriptor, 1 << 20 if count is None else count)
        if not part:
            break
        parts.append(part)
        count = None if count is None else count - len(part)
    return b"".join(parts)


def _too_large(size: int, limit: int) -> RefusedFile:
    return RefusedFile(f"the file is {_megabytes(size)}; the limit is {_megabytes(limit)}",
                       "split it: a topic this long reads better as several topics, and a "
                       "long text as several prose files")


def _megabytes(size: int) -> str:
    # Rounded up: a file just over the limit is not said to be of the limit's size.
    return f"{math.ceil(size / 100_000) / 10:,.1f}".removesuffix(".0") + " MB"


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


def _is(entry: os.DirEntry, kind: str) -> bool:
    """Whether the entry is a folder ("dir") or anything but a folder ("file"), or a
    symbolic link: links, named pipes and devices are kept for loading to refuse by name.
    False for one that cannot be looked at."""
    try:
        return entry.is_symlink() or entry.is_dir() == (kind == "dir")
    except OSError:
        return False


def topic_names(content_dir: Path) -> list[str]:
    """The names of the topic folders, sorted; hidden ones (.git, editor settings) are not
    topics."""
    return [e.name for e in _entries(content_dir / TOPICS_DIR) if _is(e, "dir")]


def _prose_names(folder: Path | str) -> list[str]:
    """A topic's Markdown files; editors leave hidden lock files such as .#overview.md."""
    return [e.name for e in _entries(folder, ".md") if _is(e, "file")]


def prose_files(folder: Path) -> list[Path]:
    return [folder / name for name in _prose_names(folder)]


def topic_sources(folder: Path | str) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file a topic is read from, or [] if one cannot be read, is
    not a regular file or is too large (loading reports why)."""
    base = str(folder)
    if os.path.islink(base):
        return []
    try:
        return [(name, read_file(os.path.join(base, name)))
                for name in [TOPIC_FILE] + _prose_names(folder)]
    except OSError:
        return []


def _stamp(stat: os.stat_result) -> list[int]:
    # The change time too, which no program can set: tar, rsync -a and cp -p give a file
    # the modification time it had elsewhere, and reproducible archives give every version
    # of it the same one. The inode number tells a file replaced by another apart.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def topic_signature(folder: Path | str, previous: list | None = None) -> list:
    """The folder's own stamp, then [name, size, modification time, change time, inode] of
    each file a topic is read from; [] if one is missing.

    With the signature taken last time: when the folder's stamp is unchanged, no file was
    added, removed or renamed in it since, so only the files listed then are looked at."""
    base = str(folder)
    try:
        folder_stamp = _stamp(os.stat(base))
    except OSError:
        return []
    if previous and previous[0] == folder_stamp:
        names = [entry[0] for entry in previous[1:]]
    else:
        names = [TOPIC_FILE] + _prose_names(folder)
    signature: list = [folder_stamp]
    for name in names:
        try:
            signature.append([name, *_stamp(os.stat(os.path.join(base, name)))])
        except OSError:
            return []
    return signature


SETTLE_NS = 2_000_000_000
"""How long ago a signature's newest time must be for the signature to be trusted later.
File systems stamp times at the kernel's clock tick, not to the nanosecond: a file written
again within the tick it was read in keeps its times, and, at the same size, its signature.
A folder changed that recently is read again at the next build (git's index calls such
entries racy, and does the same)."""


def settled(signature: list, now_ns: int) -> bool:
    """Whether a signature taken at now_ns can stand for its files' contents next time."""
    if not signature:
        return False
    stamps = [signature[0][1:3]] + [entry[2:4] for entry in signature[1:]]
    return max(time for stamp in stamps for time in stamp) < now_ns - SETTLE_NS


@frozen(eq=False)
class Templates:
    """The templates folder as one build read it: every file's bytes and their fingerprint.

    The build renders from these bytes, in every process, and never from the folder again:
    a template saved during a build would otherwise be rendered under the fingerprint of
    the one it replaced, and shown again from the cache after an undo."""

    folder: Path
    """Where the files were read from, as named in error messages."""
    files: dict[str, bytes]
    """Each file's bytes, by path relative to the folder ("blocks/tips.html")."""
    fingerprint: str
    """Hash of every path and its bytes."""

    @classmethod
    def read(cls, folder: Path) -> Templates:
        from .cache import digest

        files = {name: _template_file(folder / name) for name in _template_names(folder)}
        return cls(folder, files, digest(*[part for item in files.items() for part in item]))

    @classmethod
    def of(cls, templates: Templates | Path) -> Templates:
        """The templates as a build read them, or read now from a folder (tests, tools)."""
        return templates if isinstance(templates, Templates) else cls.read(Path(templates))

    def file(self, name: str) -> bytes:
        """One file's bytes; when it is not there, the error a missing template gives."""
        if name not in self.files:
            raise self.missing(name)
        return self.files[name]

    def missing(self, name: str) -> Exception:
        """Jinja's TemplateNotFound, naming where the file was looked for."""
        from jinja2 import TemplateNotFound

        return TemplateNotFound(name, f"{self.folder / name} is missing")


def _template_names(folder: Path, under: str = "") -> list[str]:
    """Paths of the templates folder's files, relative to it, sorted; UnreadableTemplates
    for a symbolic link, which could publish any file of the machine that builds the site."""
    names = []
    try:
        with os.scandir(folder / under) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as problem:
        raise UnreadableTemplates(
            f"cannot read {folder / under}: {problem.strerror or problem}") from None
    for entry in entries:
        # Not an editor's temporary files: Vim rewrites a swap file every few seconds while a
        # template is open, which would otherwise render every page again at each build; and
        # Emacs' lock files are links.
        if EDITOR_TEMP_FILE.search(entry.name):
            continue
        if entry.is_symlink():
            raise UnreadableTemplates(
                f"{entry.path} is a symbolic link; templates are read only from files really "
                "in the templates folder (put the file itself there)")
        if entry.is_dir():
            names += _template_names(folder, f"{under}{entry.name}/")
        else:
            names.append(f"{under}{entry.name}")
    return names


def _template_file(path: Path) -> bytes:
    try:
        return read_file(path, limit=None)
    except RefusedFile as problem:
        raise UnreadableTemplates(f"{path} {problem.message}") from None
    except OSError as problem:
        raise UnreadableTemplates(f"cannot read {path}: {problem.strerror or problem}") from None
