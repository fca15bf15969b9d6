"""Writing the build into output/: one whole build at a time, and only what changed.

output/ is never changed file by file. Each build assembles the new tree in a spare folder
beside it and then swaps the two folders in one step (Linux renameat2 with RENAME_EXCHANGE),
so that whatever stops a build (a kill, a full disk, a crash, a power cut) output/ is
afterwards exactly the previous site or exactly the new one. The spare is the previous
build: a file that did not change is a hard link to the one in output/, so assembling the
next tree costs links for the few files that changed since, and bytes only for the files
whose bytes change.

Bookkeeping stays out of the published folder: output/ carries only a marker with a fixed
text, and the record of the last build (every file's key, size and time, and the inputs'
stamps) is kept beside it in `.<output>.sitegen/`, with the spare.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from stat import S_ISDIR
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from .records import frozen
from .errors import FolderNotOurs, SetupProblem

WRITERS = 4
"""Threads writing files at once. Creating a file is mostly the kernel's work, which threads
do side by side: on this project's 2-core machines, 3000 files took 2.7 s one at a time and
1.0 s four at a time."""

MARKER = ".sitegen-output"
"""File that marks a folder as sitegen's to replace; its text says nothing about the content."""
MARKER_TEXT = b"This folder is made by sitegen; each build replaces it whole.\n"
RECORD_FORMAT = 2
FOLDER_MODE = 0o755
"""Output folders and files are readable by a web server and writable by the owner only,
whatever the umask."""
FILE_MODE = 0o644


class OutputProblem(SetupProblem):
    """The output folder cannot be written: a full disk, no permission, a dangling link."""


@frozen
class Product:
    """An output file to be: the key of everything it is made from, and how to make it."""

    key: str
    make: Callable[[], bytes]
    written: Callable[[], None] | None = None
    """Called once its file is written: a product that kept its bytes for a second reader
    (a page, which the search index may read too) lets them go."""


def ready(data: bytes) -> Product:
    """A product whose bytes are already at hand, keyed by them."""
    return Product(hashlib.sha256(data).hexdigest(), lambda: data)


@dataclass
class WriteReport:
    """What writing changed in output/."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    made: list[str] = field(default_factory=list)
    """Products whose bytes had to be produced (their key was new)."""


@frozen
class Places:
    """The folders of one output: the published one and sitegen's own folder beside it."""

    out: Path
    """The published folder (a symbolic link to a folder is followed)."""

    @property
    def state(self) -> Path:
        """`.<name>.sitegen/` beside it: the record, the spare, nothing published."""
        return self.out.parent / f".{self.out.name}.sitegen"

    @property
    def record(self) -> Path:
        return self.state / "record.json"

    @property
    def spare(self) -> Path:
        """The previous build, reassembled into the next one and swapped in."""
        return self.state / "previous"

    @property
    def swap(self) -> Path:
        """Where the previous output waits during a swap done with two renames (no
        RENAME_EXCHANGE on this file system)."""
        return self.state / "swap"


def places(out_dir: Path) -> Places:
    """Where an output folder and its state are. --output naming a link to a folder means that
    folder; a link to nothing would be replaced by the build, so it is refused."""
    out = Path(os.path.abspath(out_dir))
    if os.path.islink(out):
        target = Path(os.path.realpath(out))
        if not target.is_dir():
            raise OutputProblem(f"{out_dir} is a symbolic link to {target}, which is not a "
                                "folder; make that folder or choose another --output")
        out = target
    return Places(out)


@contextmanager
def _locked(folder: Path):
    # One build at a time per parent folder; flock on the folder itself leaves no lock file.
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def _said_in_one_line(out_dir: Path) -> Iterator[None]:
    """A full disk, a folder without write permission and the like, as a one-line error."""
    try:
        yield
    except SetupProblem:
        raise
    except OSError as problem:
        where = problem.filename or out_dir
        raise OutputProblem(f"cannot write the output to {where}: "
                            f"{problem.strerror or problem}; {out_dir}/ was left as it was"
                            ) from None


def _check_relative(path: str) -> None:
    # Plain string checks: a build of a big guide checks thousands of paths.
    if not path or path.startswith("/") or ".." in path.split("/") or path == MARKER:
        raise ValueError(f"output path escapes the output folder: {path!r}")


def read_manifest(out_dir: Path) -> dict:
    """The record of the build now in out_dir, or an empty one: a record made for another
    tree (a build stopped between the swap and writing its record) is no record."""
    try:
        where = places(out_dir)
        record = json.loads(where.record.read_text(encoding="utf-8"))
        tree = os.stat(where.out).st_ino
    except (OSError, ValueError, SetupProblem):
        return {"files": {}}
    if (not isinstance(record, dict) or record.get("format") != RECORD_FORMAT
            or record.get("tree") != tree):
        return {"files": {}}
    return record


def _stat_matches(path: Path | str, entry: list) -> os.stat_result | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat if [stat.st_size, stat.st_mtime_ns] == entry[2:4] else None


def is_current(out_dir: Path, build_key: str, manifest: dict | None = None) -> bool:
    """Whether output/ holds, untouched, exactly what a build with this key made
    (manifest: its record, when already read)."""
    manifest = read_manifest(out_dir) if manifest is None else manifest
    if manifest.get("build") != build_key:
        return False
    out = places(out_dir).out
    files = folders = 0
    for _, dirs, names in os.walk(out):  # links to folders are in dirs, and never followed
        files, folders = files + len(names), folders + len(dirs)
    base = str(out)
    return (files, folders) == (len(manifest["files"]) + 1, manifest.get("folders")) and all(
        _stat_matches(os.path.join(base, path), entry) for path, entry in manifest["files"].items())


def record_summary(out_dir: Path, build_key: str, summary: dict) -> None:
    """Replaces the summary in the record of an output still current for build_key."""
    where = places(out_dir)
    with _locked(where.out.parent):
        manifest = read_manifest(out_dir)
        if manifest.get("build") != build_key:  # another build came in between
            return
        manifest["summary"] = summary
        _write_record(where, manifest)


def _write_record(where: Places, record: dict) -> None:
    write_file(where.record, json.dumps(record, separators=(",", ":"),
                                        sort_keys=True).encode("utf-8"), mode=0o600)


def write_tree(outputs: dict[str, bytes | Product], out_dir: Path, build_key: str = "",
               summary: dict | None = None) -> WriteReport:
    """Make out_dir hold exactly outputs (and the marker), in one swap; only changed files are
    written."""
    products = {path: value if isinstance(value, Product) else ready(value)
                for path, value in outputs.items()}
    for path in products:
        _check_relative(path)
    where = places(out_dir)
    with _said_in_one_line(out_dir):
        where.out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(where.out.parent):
        with _said_in_one_line(out_dir):
            _claim(where)
        return _replace(products, where, build_key, summary, out_dir)


def _is_ours(folder: Path) -> bool:
    try:
        with open(folder / MARKER, "rb") as marker:
            text = marker.read()
    except OSError:
        return False
    if text == MARKER_TEXT:
        return True
    try:  # the marker of sitegen before 2: the record itself, kept in output/
        legacy = json.loads(text)
    except ValueError:
        return False
    return isinstance(legacy, dict) and legacy.get("format") == 1 and "files" in legacy


def _claim(where: Places) -> None:
    """Checks that the output and state folders are sitegen's, and puts right what a stopped
    build left: a swap done halfway is finished or undone, and nothing else is kept but the
    spare, which the build repairs file by file."""
    if where.out.exists() and not where.out.is_dir():
        raise OutputProblem(f"{where.out} is a file, not a folder; choose another --output")
    if where.out.is_dir() and not _is_ours(where.out) and any(where.out.iterdir()):
        raise FolderNotOurs(f"{where.out}/ exists and was not made by sitegen; move it away "
                            "or choose another --output folder")
    if os.path.lexists(where.state) and not (where.state.is_dir() and _is_ours(where.state)):
        raise FolderNotOurs(f"{where.state} exists and was not made by sitegen; move it away "
                            "or choose another --output folder")
    _make_folder(where.state, 0o700)
    if not _is_ours(where.state):
        _write_straight(str(where.state / MARKER), MARKER_TEXT)
    # Everything below the state folder is sitegen's: it made the folder, as its marker says.
    if _is_folder(where.swap):  # stopped between the two renames of a swap (see _swap_in)
        if not where.out.exists():
            os.rename(where.swap, where.out)  # back to the previous site
        elif not os.path.lexists(where.spare):
            os.rename(where.swap, where.spare)  # the new site is in place: finish the swap
    for entry in where.state.iterdir():
        if entry.name not in (MARKER, "record.json", where.spare.name):
            _remove(str(entry))  # whatever else a stopped build left
    if os.path.lexists(where.spare) and not _is_folder(where.spare):
        os.unlink(where.spare)


def _is_folder(path: Path | str) -> bool:
    """A folder itself, not a link to one."""
    try:
        return S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _remove(path: str) -> None:
    """Removes a file, a link or a whole folder of sitegen's own (never through a link)."""
    if _is_folder(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _replace(products: dict[str, Product], where: Places, build_key: str,
             summary: dict | None, out_dir: Path) -> WriteReport:
    old = read_manifest(where.out)["files"]
    out = str(where.out)
    report = WriteReport()
    files: dict[str, list] = {}
    kept: dict[str, int] = {}
    """Unchanged files, by the inode of the one in output/."""
    # Each file made is written into the spare at once and its bytes let go: a big guide's
    # output is a hundred megabytes, which the build would otherwise hold all at once.
    # output/ itself changes only by the swap at the end, so an error while making a file
    # (a template's, a card's layout) leaves it as it was; what was written into the spare
    # is removed again.
    with _said_in_one_line(out_dir):
        spare = _Spare(where)
    try:
        for path, product in sorted(products.items()):
            entry = old.get(path)
            stat = entry and entry[0] == product.key and _stat_matches(os.path.join(out, path),
                                                                       entry)
            if stat:
                files[path], kept[path] = entry, stat.st_ino
                continue
            data = product.make()
            report.made.append(path)
            digest = hashlib.sha256(data).hexdigest()
            stat = entry and entry[1] == digest and _stat_matches(os.path.join(out, path), entry)
            if stat:  # made again with the same bytes: the file in output/ stays
                files[path], kept[path] = [product.key, *entry[1:]], stat.st_ino
            else:
                files[path] = [product.key, digest]
                report.written.append(path)
                with _said_in_one_line(out_dir):
                    spare.write(path, data)
            del data
            if product.written is not None:
                product.written()
        with _said_in_one_line(out_dir):
            spare.finish()
            report.removed = _put_in_place(where, spare, files, kept, build_key, summary)
    except BaseException:
        spare.give_back()
        raise
    return report


WRITE_AHEAD = 32
"""Files made and handed to the writing threads that may wait in memory at once."""


class _Spare:
    """The spare tree a build assembles: its files as the last tree left them, and the files
    this build writes into it, by WRITERS threads, as they are made."""

    def __init__(self, where: Places) -> None:
        self.path = str(where.spare)
        _make_tree_folder(self.path)
        if not _has_plain_marker(self.path):  # new, or an output of sitegen before 2
            _write_marker(self.path)
        self.found = _inodes(self.path, clear_links=True)
        """The files it held, by path: their inodes."""
        self.written: list[str] = []
        self._folders: set[str] = set()
        self._writes: list = []
        self._writer: ThreadPoolExecutor | None = None
        self._room = threading.BoundedSemaphore(WRITE_AHEAD)
        self.placed = False
        """Whether the tree was swapped into place (it is then output/'s)."""

    def write(self, path: str, data: bytes) -> None:
        """Writes a new file at path (never through what is there: it may be a link to a
        published file)."""
        folder = os.path.dirname(path)
        if folder and folder not in self._folders:
            _make_tree_folder(os.path.join(self.path, folder))  # here: no two threads race
            while folder and folder not in self._folders:
                self._folders.add(folder)
                folder = os.path.dirname(folder)
        target = os.path.join(self.path, path)
        if path in self.found or os.path.lexists(target):  # or a folder, where a file is to be
            _remove(target)
        self.written.append(path)
        if self._writer is None:
            self._writer = ThreadPoolExecutor(WRITERS, thread_name_prefix="sitegen-output")
        self._room.acquire()
        try:
            self._writes.append(self._writer.submit(self._write, target, data))
        except BaseException:
            self._room.release()
            raise

    def _write(self, target: str, data: bytes) -> None:
        try:
            _write_straight(target, data)
        finally:
            self._room.release()

    def finish(self) -> None:
        """Waits for every file to be written; raises the first error."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        writes, self._writes = self._writes, []
        for write in writes:
            write.result()

    def give_back(self) -> None:
        """Removes what this build wrote (a full disk, say, gets its space back), unless the
        tree is in place."""
        if self.placed:
            return
        try:
            self.finish()
        except OSError:
            pass
        for path in self.written:
            try:
                os.unlink(os.path.join(self.path, path))
            except OSError:
                pass
        self.written = []


def _put_in_place(where: Places, tree: _Spare, files: dict[str, list], kept: dict[str, int],
                  build_key: str, summary: dict | None) -> list[str]:
    """Completes the new tree in the spare and swaps it in; returns the paths removed."""
    out, spare = str(where.out), tree.path
    first = not os.path.isdir(out)
    written = tree.written
    folders = _assemble(spare, out, kept, written, tree.found)
    for path in written:
        stat = os.stat(os.path.join(spare, path))
        files[path] += [stat.st_size, stat.st_mtime_ns]
    removed = [] if first else sorted(path for path in _inodes(out) if path not in files)
    _remove_others(spare, set(files), tree.found)
    _sync(spare, list(written))
    inode = os.stat(spare).st_ino  # the folder's inode goes with it into place
    try:
        _swap_in(where)
        tree.placed = True
    except OSError as problem:
        if problem.errno in (errno.EBUSY, errno.EXDEV):
            raise OutputProblem(
                f"cannot replace {out}/: it is a mount point, or on another file system than "
                f"the folder it is in, and sitegen swaps the whole folder; mount the folder "
                f"around it instead, or choose another --output") from None
        raise
    try:
        _write_record(where, {"format": RECORD_FORMAT, "tree": inode, "build": build_key,
                              "folders": folders, "summary": summary or {}, "files": files})
        if first:
            # The next build assembles its tree in a spare that holds this one; making it
            # now, by links, spares that build (often the first edit) a link per file.
            _make_tree_folder(spare)
            _write_marker(spare)
            _assemble(spare, out, {path: 0 for path in files}, [], {})
    except OSError as problem:
        raise OutputProblem(f"the new site is in place in {out}/, but sitegen could not keep "
                            f"its record beside it ({problem.strerror or problem}); the next "
                            "build will write every file again") from None
    return removed


def _has_plain_marker(folder: str) -> bool:
    try:
        with open(os.path.join(folder, MARKER), "rb") as marker:
            return marker.read() == MARKER_TEXT
    except OSError:
        return False


def _write_marker(folder: str) -> None:
    marker = os.path.join(folder, MARKER)
    if os.path.lexists(marker):
        os.unlink(marker)
    _write_straight(marker, MARKER_TEXT)


def _inodes(folder: str, clear_links: bool = False) -> dict[str, int]:
    """Every file below folder but its marker, by relative path: its inode number (which
    os.scandir gives without a stat per file). clear_links (for the spare, which is
    sitegen's own): links and anything else that is not a file or a folder are removed, so
    that nothing is ever written through them."""
    found = {}
    stack = [("", folder)]
    while stack:
        relative, path = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{relative}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{name}/", entry.path))
                elif clear_links and not entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                elif name != MARKER:
                    found[name] = entry.inode()
    return found


def _assemble(spare: str, out: str, kept: dict[str, int], written: list[str],
              in_spare: dict[str, int]) -> int:
    """Completes the new tree in the spare, whose changed files (written) are in it already:
    unchanged files linked to output/'s (unless the spare has that very file already);
    returns how many folders the tree has. A file is never written through: it may be a
    link to a published one."""
    folders: set[str] = set()
    for path in (*kept, *written):
        folder = os.path.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    for folder in sorted(folders):
        _make_tree_folder(os.path.join(spare, folder))

    def link(path: str) -> None:
        target = os.path.join(spare, path)
        if path in in_spare or os.path.lexists(target):  # a folder, where a file is to be
            _remove(target)
        try:
            os.link(os.path.join(out, path), target)
        except OSError as problem:
            if problem.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # A file system without hard links (FAT, some network shares): a copy, with the
            # modification time the record knows the file by.
            shutil.copy2(os.path.join(out, path), target)

    links = [path for path, inode in kept.items() if in_spare.get(path) != inode]
    if len(links) < 8:
        for path in links:
            link(path)
    else:
        with ThreadPoolExecutor(WRITERS) as writers:
            list(writers.map(link, links))
    return len(folders)


def _make_tree_folder(folder: str) -> None:
    """A folder of the spare tree and its parents in it, replacing a file or link in the way
    (the spare is sitegen's own)."""
    if _is_folder(folder):
        return
    if os.path.lexists(folder):
        os.unlink(folder)
    _make_tree_folder(os.path.dirname(folder))
    os.mkdir(folder)
    os.chmod(folder, FOLDER_MODE)  # whatever the umask


def _make_folder(folder: Path, mode: int) -> None:
    """folder and any missing parents below an existing folder, with mode whatever the umask."""
    if folder.is_dir():
        return
    _make_folder(folder.parent, mode)
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not folder.is_dir():
            raise
        return
    os.chmod(folder, mode)


FSYNC_AT_MOST = 64
"""Files a build flushes one by one; past that, the whole file system at once."""


def _sync(folder: str, written: list[str]) -> None:
    """Flushes the files this build wrote to the disk before the swap, so that after a power
    cut the swapped-in folder does not hold files whose bytes never reached it (unchanged
    files were flushed by the build that wrote them). A few files are flushed one by one; a
    big build's with one syncfs, cheaper than thousands of fsyncs, but which also waits for
    whatever else is waiting to be written on that file system."""
    if len(written) > FSYNC_AT_MOST:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if hasattr(_libc(), "syncfs"):
                _libc().syncfs(fd)
            else:
                os.sync()
        finally:
            os.close(fd)
        return
    paths = [os.path.join(folder, path) for path in written]
    for path in paths + sorted({os.path.dirname(path) for path in paths} | {folder}):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@lru_cache(maxsize=None)
def _libc():
    """The C library, for what Python's os module lacks; loaded only when a build writes (a
    build that finds nothing changed ends long before)."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _exchange(first: Path, second: Path) -> bool:
    """Swaps two folders in one step; False when the system cannot (not Linux, an old kernel,
    a file system without it)."""
    import ctypes

    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap_in(where: Places) -> None:
    """The assembled spare becomes output/, and the old output the spare."""
    if not where.out.exists():
        os.rename(where.spare, where.out)
    elif not _exchange(where.spare, where.out):
        # Two renames; a build stopped between them is put right by the next (see _claim).
        os.rename(where.out, where.swap)
        os.rename(where.spare, where.out)
        os.rename(where.swap, where.spare)
    fd = os.open(where.out.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the renames themselves survive a power cut
    finally:
        os.close(fd)


def write_file(target: Path | str, data: bytes, mode: int = FILE_MODE,
               folder_mode: int = FOLDER_MODE) -> None:
    """Writes a file aside, then renames it into place: a reader (a browser, a web server,
    another build) never sees half a file. Missing folders are made with folder_mode."""
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        _make_folder(Path(folder), folder_mode)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".sitegen-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_straight(target: str, data: bytes) -> None:
    # O_EXCL: the name was free (a link to a published file was removed first), so bytes
    # can never go through a link into output/.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with open(fd, "wb") as file:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
        file.write(data)


def _remove_others(folder: str, keep: set[str], found: dict[str, int]) -> None:
    """Deletes every file of the spare the new tree does not hold, then the folders left
    empty."""
    for path in found:
        if path not in keep:
            try:
                os.unlink(os.path.join(folder, path))
            except (FileNotFoundError, IsADirectoryError):
                pass  # replaced by a folder of the new tree, or removed with an old one
    for root, dirs, _ in os.walk(folder, topdown=False):
        for name in dirs:
            try:
                os.rmdir(os.path.join(root, name))  # only succeeds when empty
            except OSError:
                pass
