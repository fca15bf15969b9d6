"""Work spread over processes when a build has a lot of it: reading topics, rendering pages.

Python runs one thread at a time, so only processes use a second core. Starting them costs
about a third of a second, so they are used only for batches of at least PARALLEL_MINIMUM
items; a build that changed a few topics stays in one process. Workers are started by a
fork server: forking the build process itself could copy the locks of other threads (the
preview server's, for one).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, TypeVar

from .sources import Templates

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_MINIMUM = 24


def spread(function: Callable[[Item], Result], items: list[Item], jobs: int,
           here_if_killed: bool = True) -> list[Result]:
    """function over items, in up to `jobs` processes when there are enough items.

    If the kernel kills a worker (out of memory, say), the work is done in this process,
    unless here_if_killed is False: then BrokenProcessPool is raised, for work that may
    itself have crashed the worker."""
    if jobs < 2 or len(items) < PARALLEL_MINIMUM:
        return [function(item) for item in items]
    context = multiprocessing.get_context("forkserver")
    chunk = max(1, len(items) // (jobs * 4))
    try:
        # A worker lives for one batch and makes few reference cycles: Python's cycle
        # collector walking its modules and templates again and again cost a tenth of its time.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                 initializer=gc.disable) as pool:
            return list(pool.map(function, items, chunksize=chunk))
    except BrokenProcessPool:
        if not here_if_killed:
            raise
        return [function(item) for item in items]


def validated_topic(job: tuple[Path, list[tuple[str, bytes]]]) -> bytes | None:
    """A topic folder validated on its own from its files' bytes (see load.load_topic):
    the pickled model, or None on any mistake."""
    from .load import load_topic
    from .validate import validate_topic

    folder, sources = job
    errors: list = []
    raw = load_topic(folder, errors, sources)
    topic = None if errors else validate_topic(raw)
    return pickle.dumps(topic, protocol=5) if topic is not None else None


_environments: dict[str, object] = {}
"""This worker's Jinja environment by templates fingerprint: made once, not for each page."""


def _environment(templates: Templates):
    from .templating import make_environment

    if templates.fingerprint not in _environments:
        _environments.clear()
        _environments[templates.fingerprint] = make_environment(templates)
    return _environments[templates.fingerprint]


def topic_page(templates: Templates, job: tuple[dict, str]) -> tuple[bytes, bytes]:
    """A topic page rendered from its context, and its share of the search index."""
    from .search import topic_share

    context, page_path = job
    html = _environment(templates).get_template("topic.html").render(**context).encode("utf-8")
    drawings = [placed.markup.encode("utf-8") for placed in context["diagrams"].values()]
    return html, topic_share(context["topic"], html, page_path, drawings)
