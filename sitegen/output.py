"""Writing the build into output/: assembled beside it, then swapped in whole."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

MARKER = ".sitegen-output"
"""File that marks a folder as sitegen's to replace."""


class OutputNotOurs(Exception):
    """The output folder holds files sitegen did not make; it is never replaced."""


@contextmanager
def _locked(folder: Path):
    # One build at a time per parent folder; flock on the folder itself leaves no lock file.
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"output path escapes the output folder: {path!r}")
    return relative


def write_tree(outputs: dict[str, bytes], out_dir: Path) -> None:
    """Make out_dir hold exactly outputs; on any failure the previous out_dir is left as it was."""
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(parent):
        if out_dir.exists() and not (out_dir / MARKER).exists() and any(out_dir.iterdir()):
            raise OutputNotOurs(f"{out_dir}/ exists and was not made by sitegen; move it away or "
                                "choose another --output folder")
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
        try:
            os.chmod(staging, 0o755)
            for path, data in sorted(outputs.items()):
                target = staging / _safe_relative(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (staging / MARKER).write_bytes(b"Built by sitegen; the whole folder is replaced on each build.\n")
            _swap_in(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.absolute().parent))
    os.rmdir(retired)  # only the unique name is wanted; rename needs it free
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(retired, out_dir)
        raise
    shutil.rmtree(retired)
