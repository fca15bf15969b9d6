"""The processes a command under test left running."""

from __future__ import annotations

from pathlib import Path


def session_processes(session: int) -> list[int]:
    """Process ids still running (not zombies) in a session: a command started with
    start_new_session=True, its fork server and its workers."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def parent(pid: int) -> int:
    """The parent's process id; 0 for a process that has ended."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0
