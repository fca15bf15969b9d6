"""`sitegen serve`: build, serve output/ locally, rebuild on every save, reload the open pages.

One thread watches content/ and templates/ and builds in this process (the libraries stay
imported and the cache warm, so a rebuild redoes only what the save touched); the HTTP
server answers in threads of its own. A failed build leaves output/ as it was, so the last
good build keeps being served while the pages show the errors over it.
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import os
import re
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from .records import frozen
from .output import MARKER
from .stopping import stop_as_ctrl_c
from .pipeline import BuildConfig, BuildReport, build
from .reporting import EXIT_ENVIRONMENT, describe, error_count_line, error_lines, print_warnings
from .session import BuildSession
from .sources import EDITOR_TEMP_FILE

QUIET_MS = 10
"""A burst of saves is built once, when no file has changed for this long. Editors write a
save (a temporary file, a rename, a backup) within a few milliseconds; this wait is part of
every reload, so it is kept short."""
WATCHER_TICK_MS = 200
"""How often the watcher returns when nothing changes; its first return means it is running."""


@frozen
class BuildResult:
    """The outcome of one build made by the server."""

    number: int
    """1 for the server's first build, then counting up."""
    report: BuildReport | None
    """What a good build made; None when it failed."""
    errors: tuple[str, ...]
    """The error lines of a failed build, as `sitegen build` prints them; empty when good."""

    @property
    def ok(self) -> bool:
        return self.report is not None


class Server:
    """Builds, serves and watches until stop(); start() runs it all in background threads."""

    def __init__(self, config: BuildConfig, host: str = "127.0.0.1", port: int = 0,
                 **limits: float) -> None:
        """limits: request_timeout and max_connections of PreviewHTTPServer, if not its own."""
        # Imported here, like watchfiles below: the CLI imports this module for every verb.
        from .serve_http import LiveState, PreviewHTTPServer

        self.config = config
        self.session = BuildSession()
        """What every build of this server keeps for the next; closed by stop()."""
        self._state = LiveState()
        # Binding here, not in start(), so that a port in use is reported before anything runs.
        self._http = PreviewHTTPServer((host, port), config.output_dir, config.base_path,
                                       self._state, **limits)
        self._stopping = threading.Event()
        self._built = threading.Condition()
        self._latest: BuildResult | None = None
        self._threads = [threading.Thread(target=self._http.serve_forever, args=(0.1,),
                                          name="sitegen-http", daemon=True),
                         threading.Thread(target=self._watch_and_build, name="sitegen-watch",
                                          daemon=True)]

    @property
    def port(self) -> int:
        return self._http.server_address[1]

    @property
    def urls(self) -> list[str]:
        """The addresses the site answers at: / and, with a base URL, its path as on Pages."""
        from .serve_http import url_host

        root = f"http://{url_host(self._http.server_address[0])}:{self.port}/"
        base = self.config.base_path.lstrip("/")
        return [root, root + base] if base else [root]

    def start(self) -> Server:
        """Starts the card workers (from the main thread: see _start_card_workers_deaf_to_ctrl_c),
        then watching, building and serving."""
        _start_card_workers_deaf_to_ctrl_c(self.session, self.config)
        for thread in self._threads:
            thread.start()
        return self

    def wait_for_build(self, after: int = 0, timeout: float | None = None) -> BuildResult:
        """The first build numbered above `after` (0: the first build); TimeoutError if none."""
        with self._built:
            if not self._built.wait_for(lambda: self._latest is not None
                                        and self._latest.number > after, timeout):
                raise TimeoutError(f"no build after build {after} within {timeout} s")
            assert self._latest is not None
            return self._latest

    @property
    def latest(self) -> BuildResult | None:
        with self._built:
            return self._latest

    def stop(self) -> None:
        """Stops watching (after the build under way, if any) and serving; open pages'
        event streams end, and their pages reconnect once a server runs again."""
        self._stopping.set()
        self._state.close()
        if self._threads[0].is_alive():
            self._http.shutdown()
        self._http.server_close()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        self.session.close()

    def _watch_and_build(self) -> None:
        from watchfiles import watch

        config = self.config
        folders = [config.content_dir.absolute(), config.templates_dir.absolute()]
        first = True
        try:
            while not self._stopping.is_set():
                with _HeldFolders(folders) as held:
                    if held.missing:  # a watched folder is gone: say so, and wait for it
                        self._rebuild(initial=first)
                        first = False
                        while not held.replaced() and not self._stopping.wait(
                                WATCHER_TICK_MS / 1000):
                            pass
                        continue
                    # The first build of a watch waits for the watcher's first return, so that
                    # a save made while it runs is already seen and leads to another build.
                    starting = True
                    for changes in watch(*folders, stop_event=self._stopping,
                                         watch_filter=lambda _, path: is_source_change(path,
                                                                                       config),
                                         step=QUIET_MS, rust_timeout=WATCHER_TICK_MS,
                                         yield_on_timeout=True):
                        if starting or changes:
                            self._rebuild(initial=first)
                            first = starting = False
                        if held.replaced():
                            # Deleted and made again (a copy, a checkout): the watcher still
                            # watches the old folder, so a new one is started.
                            break
        except Exception as problem:  # noqa: BLE001 e.g. inotify's limit on watched folders
            self._record(None, (f"sitegen: error: cannot watch for changes any more: {problem} "
                                "(hint: restart sitegen serve)",), 0.0, first)

    def _rebuild(self, initial: bool) -> None:
        started = time.perf_counter()
        report, failure = None, None
        try:
            report = build(self.config, self.session)
        except KeyboardInterrupt:
            return  # from a card's worker process: Ctrl-C reached it, and is stopping us too
        except Exception as problem:  # noqa: BLE001 (the server outlives any failed build)
            failure = problem
        # Ctrl-C also reaches the build's subprocesses (dot, card workers): a build cut short
        # by it has nothing to report.
        if not self._stopping.is_set():
            errors = failure_lines(failure) if failure else ()
            self._record(report, errors, time.perf_counter() - started, initial)

    def _record(self, report: BuildReport | None, errors: tuple[str, ...], seconds: float,
                initial: bool) -> None:
        """Tells the terminal, the open pages and wait_for_build() how a build went."""
        if report is not None:
            self._state.publish_success(output_changed=not report.unchanged)
            print_warnings(report.warnings)
            print(f"{'built' if initial else 'rebuilt'} in {seconds:.2f} s ({describe(report)})",
                  flush=True)
        else:
            self._state.publish_failure(tuple(self._for_pages(line) for line in errors))
            for line in errors:
                print(line, file=sys.stderr)
            kept = ("still serving the last good build"
                    if (self.config.output_dir / MARKER).is_file()
                    else "nothing to serve until a build succeeds")
            print(error_count_line(len(errors), kept), file=sys.stderr, flush=True)
        with self._built:
            number = self._latest.number + 1 if self._latest else 1
            self._latest = BuildResult(number, report, errors)
            self._built.notify_all()

    def _for_pages(self, line: str) -> str:
        """An error line with the absolute paths of the project's folders, and of any other
        folder the build uses, written relative to the current folder (the project): the
        pages may be seen by others than the terminal is, and the paths of this machine
        are none of theirs."""
        config = self.config
        folders = [Path.cwd(), Path.home(), config.content_dir, config.templates_dir,
                   config.output_dir] + ([config.cache_dir] if config.cache_dir else [])
        roots = {str(form) for folder in folders for form in (folder.absolute(), folder.resolve())}
        for root in sorted(roots - {"/"}, key=len, reverse=True):  # the longest first
            relative = os.path.relpath(root)
            # A whole path's start only: not /x/srv/... for /srv, nor /srv-2 for /srv.
            line = re.sub(rf"(?<![\w.~/-]){re.escape(root)}(?:(/)|(?![\w.~-]))",
                          lambda found: (("" if relative == "." else relative + "/")
                                         if found[1] else relative), line)
        return line


class _HeldFolders:
    """The watched folders, each held open while it is watched. A folder deleted and made
    again is another folder, told apart by its inode; holding the old one open keeps its
    inode from being given to the new one (which a file system may otherwise do at once)."""

    def __init__(self, folders: list[Path]) -> None:
        self._folders = folders
        self._held: list[int | None] = []

    def __enter__(self) -> _HeldFolders:
        for folder in self._folders:
            try:
                self._held.append(os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
            except OSError:
                self._held.append(None)
        return self

    def __exit__(self, *_exc: object) -> None:
        for fd in self._held:
            if fd is not None:
                os.close(fd)

    @property
    def missing(self) -> bool:
        return None in self._held

    def replaced(self) -> bool:
        """Whether any folder is now another one than was held (or is there now, or gone)."""
        for folder, fd in zip(self._folders, self._held):
            try:
                now = os.stat(folder)
            except OSError:
                now = None
            if fd is None or now is None:
                if (fd is None) != (now is None):
                    return True
                continue
            held = os.fstat(fd)
            if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
                return True
        return False


def is_source_change(path: str, config: BuildConfig) -> bool:
    """Whether a changed file can alter the build: not an editor's temporary file, and not in
    the output or cache folder (should either be inside a watched folder)."""
    changed = Path(path)
    if EDITOR_TEMP_FILE.search(changed.name):
        return False
    ours = [config.output_dir, config.cache_dir]
    return not any(changed.is_relative_to(folder.absolute()) for folder in ours if folder)


def failure_lines(problem: Exception) -> tuple[str, ...]:
    """A failed build's error lines, worded as `sitegen build` words them."""
    lines = error_lines(problem)
    if lines is not None:
        return lines
    # A bug in sitegen: the traceback is for whoever fixes it; the page says where to look.
    traceback.print_exception(problem)
    return (f"sitegen: internal error: {type(problem).__name__}: {problem} "
            "(hint: the traceback is in the terminal)",)


def network_warning(host: str) -> str:
    """A warning when --host lets other machines reach the preview, or ""."""
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return ""
    except ValueError:
        pass  # a name: it may stand for any address
    return (f"sitegen: warning: --host {host}: the preview can be reached from the network; "
            "anyone who can reach this machine can read the site and its build errors (the "
            "default, 127.0.0.1, keeps it to this machine)")


def run_serve(config: BuildConfig, host: str, port: int) -> int:
    """Serves until Ctrl-C; returns the exit code."""
    gc.enable()  # off for one-shot commands (cli.entry_point); this process runs for hours
    try:
        server = Server(config, host, port)
    except OSError as problem:
        from .serve_http import url_host

        hint = ("pass --port with another number, or 0 for any free port"
                if problem.errno in (errno.EADDRINUSE, errno.EACCES) else
                "pass --host with an address of this machine, such as 127.0.0.1 or ::1")
        print(f"sitegen: error: cannot listen on {url_host(host)}:{port}: "
              f"{problem.strerror or problem} (hint: {hint})", file=sys.stderr)
        return EXIT_ENVIRONMENT
    if warning := network_warning(host):
        print(warning, file=sys.stderr, flush=True)
    # `kill` and a closed terminal stop it as Ctrl-C does: with them Python would exit at
    # once, leaving the card workers and their fork server running with nobody to end them.
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, stop_as_ctrl_c)
    try:
        server.start()
        server.wait_for_build()
        print(f"serving {config.output_dir}/ at {' and '.join(server.urls)}; rebuilding when "
              f"{config.content_dir}/ or {config.templates_dir}/ change (Ctrl-C to stop)",
              flush=True)
        threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        try:
            server.stop()
        except KeyboardInterrupt:
            pass  # a second Ctrl-C while the last build finishes: leave without waiting
    print("stopped")
    return 0


def _start_card_workers_deaf_to_ctrl_c(session: BuildSession, config: BuildConfig) -> None:
    """Starts the fork server with Ctrl-C ignored (see workers.start_fork_server), then the
    session's card workers kept for every build; they inherit that. Without it, a worker busy
    with a card prints a KeyboardInterrupt traceback, while here the build just finishes and
    the server stops after it."""
    from .workers import start_fork_server

    start_fork_server()
    session.keep_card_workers(config.jobs)
