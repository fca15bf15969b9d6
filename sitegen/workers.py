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
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from .sources import Templates
from .stopping import starting_workers

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_MINIMUM = 24


def start_fork_server() -> None:
    """Starts multiprocessing's fork server, which worker processes are forked from, with
    Ctrl-C ignored: Ctrl-C reaches every process of the terminal's group, and a fork server
    that took it while starting up would crash, and the build with it. Python keeps SIGINT
    ignored in a child started while it is ignored (see the signal module's docs), and the
    fork server hands its own setting on to each worker. From the main thread only (signal
    handlers are set there); elsewhere it was started already (sitegen serve) or is not."""
    import multiprocessing.forkserver
    import threading

    if threading.current_thread() is not threading.main_thread():
        multiprocessing.forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def start_worker() -> None:
    """Set-up of a worker process for one build.

    A worker lives for one batch and makes few reference cycles: Python's cycle collector
    walking its modules and templates again and again cost a tenth of its time. And Ctrl-C
    reaches every process of the terminal's group: the build process answers it and stops
    its workers, which would otherwise each print a KeyboardInterrupt traceback."""
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def spread(function: Callable[[Item], Result], items: list[Item], jobs: int,
           here_if_killed: bool = True) -> list[Result]:
    """function over items, in up to `jobs` processes when there are enough items.

    If the kernel kills a worker (out of memory, say), the work is done in this process,
    unless here_if_killed is False: then BrokenProcessPool is raised, for work that may
    itself have crashed the worker."""
    return list(spread_each(function, items, jobs, here_if_killed))


def spread_each(function: Callable[[Item], Result], items: list[Item], jobs: int,
                here_if_killed: bool = True) -> Iterator[Result]:
    """spread's results one by one, in the items' order, as the workers hand them back: a
    caller that keeps each result somewhere else (the cache, a file) never holds them all.
    A new guide's thousand pages, their shares of the search index and their prose are a
    hundred megabytes."""
    if jobs < 2 or len(items) < PARALLEL_MINIMUM:
        yield from (function(item) for item in items)
        return
    with starting_workers():
        start_fork_server()
    context = multiprocessing.get_context("forkserver")
    chunk = max(1, len(items) // (jobs * 4))
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                 initializer=start_worker) as pool:
            try:
                with starting_workers():  # they start as the first batches are handed out
                    results = pool.map(function, items, chunksize=chunk)
                for result in results:
                    done += 1
                    yield result
            except BaseException:  # Ctrl-C, say: the batches not started are not started
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except BrokenProcessPool:
        if not here_if_killed:
            raise
        yield from (function(item) for item in items[done:])


def validated_topic(job: tuple[Path, list[tuple[str, bytes]], dict, object]
                    ) -> tuple[bytes | None, dict[str, str]]:
    """A topic folder validated on its own from its files' bytes (see load.load_topic), the
    shared choice sets and the exam blueprint (exam.ExamScope): the pickled model, or None on
    any mistake; and what checking its prose gave, for the cache (prose.collected)."""
    from .load import load_topic
    from .model import topic_to_bytes
    from .prose import collected
    from .validate import validate_topic

    folder, sources, shared, exam = job
    errors: list = []
    with collected() as prose:
        raw = load_topic(folder, errors, sources)
        topic = None if errors else validate_topic(raw, shared, exam)
    return (topic_to_bytes(topic) if topic is not None else None), prose


def topic_page(templates: Templates, compiled: Path | None, job: tuple[dict, str, object]
               ) -> tuple[bytes, bytes, dict[str, str], dict[str, bytes]]:
    """A topic page rendered from its context, its share of the search index, what
    rendering its prose gave, for the cache (prose.collected), and the topic's sections of
    the study pages its job asks for (study.SectionJob; study.make_sections). compiled: the
    cache's folder of compiled templates (Cache.compiled_templates), so that the build after
    a new guide's finds the topic page's templates compiled, as the build process never
    compiled them."""
    from .prose import collected
    from .search import topic_share
    from .study import make_sections
    from .templating import make_environment  # made once per worker, not for each page

    context, page_path, sections = job
    with collected() as prose:
        html = make_environment(templates, compiled).get_template("topic.html").render(**context)
        made = (make_sections(context["site"], templates, compiled, sections, context["topic"])
                if sections is not None else {})
    html = html.encode("utf-8")
    drawings = [placed.markup.encode("utf-8") for placed in context["diagrams"].values()]
    return html, topic_share(context["topic"], html, page_path, drawings), prose, made
