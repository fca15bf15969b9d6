"""Stopping a build or server: Ctrl-C, `kill` and a closed terminal all stop it the same way.

Kept apart, and light, because the command line installs the handler before every build,
including the ones that stop after finding nothing changed.
"""

from __future__ import annotations

from contextlib import contextmanager

# The process's own, as signal handlers are: how many worker start-ups are under way, and
# whether a stop came meanwhile. Nothing of a build is kept in it (see session.BuildSession).
_stopping = {"deferred": 0, "asked": False}


def stop_as_ctrl_c(signum, frame) -> None:
    """Signal handler: stop as Ctrl-C does, by raising KeyboardInterrupt, or as soon as the
    worker processes being started have started (see starting_workers)."""
    if _stopping["deferred"]:
        _stopping["asked"] = True
        return
    raise KeyboardInterrupt


@contextmanager
def starting_workers():
    """Ctrl-C, `kill` and a closed terminal wait while worker processes start: one stopped
    halfway through its start-up prints a traceback and may live on without its build."""
    _stopping["deferred"] += 1
    try:
        yield
    finally:
        _stopping["deferred"] -= 1
    if not _stopping["deferred"] and _stopping["asked"]:
        _stopping["asked"] = False
        raise KeyboardInterrupt
