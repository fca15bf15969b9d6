"""What a process keeps from one build to the next: BuildSession."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cache import RememberedEntries

if TYPE_CHECKING:
    from . import model
    from .card import KeptCardWorkers


class BuildSession:
    """What the builds of one process keep for the next: a rebuild then redoes only what
    changed, and starts nothing anew. `sitegen serve` holds one session for all its builds
    and closes it when it stops; a build given none (pipeline.build) has a fresh one, closed
    when it ends, so it keeps nothing. One build at a time."""

    def __init__(self, keeps_entries: bool = True) -> None:
        """keeps_entries: False for a process that builds once (the sitegen command), which
        has no use for the cache entries a build read, and would only hold their memory."""
        self.topics: dict[str, model.Topic] = {}
        """The topic models of the last build, by topic key: a build reuses them instead of
        unpickling a thousand from the cache."""
        self.entries = RememberedEntries() if keeps_entries else None
        """Cache entries the last build used, of the kinds read by the thousand on every
        build (cache.REMEMBERED_KINDS): read from memory instead of from a file each."""
        self.card_workers: KeptCardWorkers | None = None
        """Card workers kept for every build, WeasyPrint loaded; None until
        keep_card_workers() (a build without them starts its own, or none)."""

    def keep_card_workers(self, processes: int) -> None:
        """Starts card workers kept for every build, when there are at least two processes
        to have. From the main thread, with the fork server started deaf to Ctrl-C (see
        serve), so that the workers inherit that."""
        from .card import KeptCardWorkers  # imported here: an unchanged build loads no card code

        if self.card_workers is None and processes >= 2:
            self.card_workers = KeptCardWorkers(processes)

    def close(self) -> None:
        """Stops the kept card workers; what else the session holds is simply dropped."""
        if self.card_workers is not None:
            self.card_workers.stop()
            self.card_workers = None

    def __enter__(self) -> BuildSession:
        return self

    def __exit__(self, *exception) -> None:
        self.close()
