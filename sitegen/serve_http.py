"""The HTTP side of `sitegen serve`: output/ as GitHub Pages serves it, plus live-reload events."""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import secrets
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .records import frozen
from .output import MARKER
from .serve_livereload import EVENTS_PATH, SCRIPT, SCRIPT_PATH

KEEPALIVE_SECONDS = 15
"""How often an idle event stream sends a comment, so a page that went away is noticed."""
REQUEST_TIMEOUT_SECONDS = 10
"""How long a connection may wait between two reads of its request (and between requests):
a client that stops halfway through is dropped, and its place freed."""
MAX_CONNECTIONS = 64
"""Connections served at once; more are answered 503 at once rather than queued behind slow
ones. Every open page holds one for its event stream, and a browser opens about six more
per server while loading."""

NO_BUILD_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark">
<title>sitegen serve: no build yet</title></head>
<body><p>No build has succeeded yet. This page reloads by itself when one does.</p></body></html>
"""


@frozen
class LiveSnapshot:
    """What the open pages should show, as of one moment."""

    version: int
    """Increases whenever build_id or errors change."""
    build_id: str
    """Names the contents of output/: changes whenever a good build changed them."""
    errors: tuple[str, ...]
    """The error lines of the last build when it failed; empty when it succeeded."""


class LiveState:
    """The last build's outcome, published by the builder and awaited by every event stream."""

    def __init__(self) -> None:
        # New with every server run, so that pages left open across a restart reload.
        self._run = secrets.token_hex(4)
        self._builds = 0
        self._changed = threading.Condition()
        self._snapshot = LiveSnapshot(0, f"{self._run}-0", ())
        self._closed = False

    @property
    def current(self) -> LiveSnapshot:
        with self._changed:
            return self._snapshot

    def publish_success(self, output_changed: bool) -> None:
        with self._changed:
            # A good build after a failed one is news even when output/ came out the same:
            # the pages must drop their error overlay.
            if output_changed or self._snapshot.errors:
                self._builds += 1
                self._set(f"{self._run}-{self._builds}", ())

    def publish_failure(self, errors: tuple[str, ...]) -> None:
        with self._changed:
            if errors != self._snapshot.errors:
                self._set(self._snapshot.build_id, errors)

    def _set(self, build_id: str, errors: tuple[str, ...]) -> None:
        self._snapshot = LiveSnapshot(self._snapshot.version + 1, build_id, errors)
        self._changed.notify_all()

    def wait(self, seen_version: int, timeout: float) -> LiveSnapshot | None:
        """The snapshot once it is newer than seen_version (or after timeout); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._snapshot.version != seen_version,
                                   timeout)
            return None if self._closed else self._snapshot

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


class PreviewHTTPServer(ThreadingHTTPServer):
    """Serves a build folder at / and under the site's base path, with live reload."""

    # An event stream stays open as long as its page: it must not keep the process alive.
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_dir: Path, base_path: str,
                 state: LiveState, request_timeout: float = REQUEST_TIMEOUT_SECONDS,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6  # before the socket is made, in __init__
        super().__init__(address, _Handler)
        self.site_dir = site_dir
        self.base_path = base_path
        self.state = state
        self.request_timeout = request_timeout
        self.host_names = {"localhost", url_host(address[0]).lower()}
        self._places = threading.BoundedSemaphore(max_connections)

    def process_request(self, request, client_address) -> None:
        if not self._places.acquire(blocking=False):
            try:
                request.sendall(TOO_MANY_CONNECTIONS)  # a few bytes: the new socket takes them
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # in a thread of its own
        except BaseException:
            self._places.release()  # no thread could be started for it
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._places.release()

    def handle_error(self, request, client_address) -> None:
        # A browser that stops loading (a reload, a closed tab) cuts its connection: that is
        # no fault worth a traceback in the terminal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def is_own_name(self, host: str) -> bool:
        """Whether a Host header names this server: localhost, an IP address, or the --host
        given; its port is not checked, as a forwarded port changes it. Any other name may
        be a site that pointed its own name at this machine (DNS rebinding) to read the
        preview from the browser."""
        name, colon, port = host.rpartition(":")
        if not (colon and port.isdigit() and (name.endswith("]") or not name.startswith("["))):
            name = host  # no port, as in "localhost" or "[::1]"
        name = name.lower()
        if name in self.host_names:
            return True
        bracketed = name.startswith("[") and name.endswith("]")
        try:
            address = ipaddress.ip_address(name[1:-1] if bracketed else name)
        except ValueError:
            return False
        return address.version == (6 if bracketed else 4)


TOO_MANY_CONNECTIONS = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; "
                        b"charset=utf-8\r\nConnection: close\r\n\r\n"
                        b"sitegen serve: too many connections at once; try again\n")


class _Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer

    def setup(self) -> None:
        # StreamRequestHandler.setup() puts this timeout on the socket: a request that stops
        # coming in, or a connection left idle, is dropped (see handle_one_request).
        self.timeout = self.server.request_timeout
        super().setup()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = unquote(urlsplit(self.path).path)
        refusal = self._refusal(path)
        if refusal:
            self._send(403, refusal.encode("utf-8", "replace"), "text/plain; charset=utf-8")
        elif path == EVENTS_PATH:
            self._stream_events()
        elif path == SCRIPT_PATH:
            self._send(200, SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
        else:
            self._send_site_file(path)

    def _refusal(self, path: str) -> str:
        """Why the request is refused, or "" when it is answered."""
        host = self.headers.get("Host", "")
        if not self.server.is_own_name(host):
            return (f"sitegen serve answers only at its own address (localhost, an IP address "
                    f"or the --host given), not at Host: {host}\n")
        # The events are for the pages served here: a browser names the site of a page that
        # opens a stream from elsewhere (its own pages' streams may leave Origin out).
        origin = self.headers.get("Origin")
        if path == EVENTS_PATH and origin is not None \
                and origin.lower() != f"http://{host}".lower():
            return (f"sitegen serve sends its events only to its own pages, not to Origin: "
                    f"{origin}\n")
        return ""

    def _send_site_file(self, url_path: str) -> None:
        # The build id is read before the file: if a build lands in between, the page is
        # newer than its id says and merely reloads once more.
        build_id = self.server.state.current.build_id
        site = self.server.site_dir.resolve()
        if not (site / MARKER).is_file():
            # No good build yet (or a folder sitegen did not make, which is never served).
            return self._send(503, with_live_reload(NO_BUILD_PAGE, build_id),
                              "text/html; charset=utf-8")
        # Empty segments are dropped (/a//b is /a/b): a redirect made from them can never
        # start with // and so name another site.
        segments = [segment for segment in url_path.split("/") if segment]
        folder = url_path.endswith("/")
        base = [segment for segment in unquote(self.server.base_path).split("/") if segment]
        if base and segments[:len(base)] == base:
            if segments == base and not folder:
                return self._redirect(segments)  # /REPO -> /REPO/, as Pages does
            relative = segments[len(base):]
        else:
            relative = segments
        file = _site_file(site, relative)
        if file is not None and file.is_dir():
            if not folder:
                return self._redirect(segments)  # so that relative links resolve
            file = _real_file(site, file / "index.html")
        status = 200
        if file is None or not file.is_file():
            status, file = 404, _real_file(site, site / "404.html")
        try:
            body = file.read_bytes() if file else None
        except OSError:  # removed by a build since it was looked up
            body = None
        if body is None:  # 404.html deleted (or replaced) by hand
            return self._send(404, b"Not found\n", "text/plain; charset=utf-8")
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            body = with_live_reload(body, build_id)
        if content_type.startswith("text/") or content_type.endswith(("javascript", "xml")):
            content_type += "; charset=utf-8"
        self._send(status, body, content_type)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the new build
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, segments: list[str]) -> None:
        """301 to the folder the segments name, always a path of this server."""
        self.send_response(301)
        self.send_header("Location", quote("/" + "".join(f"{s}/" for s in segments)))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_events(self) -> None:
        """Server-Sent Events: tells the page what differs from the build it shows, until
        the page goes away or the server stops."""
        shown_build = parse_qs(urlsplit(self.path).query).get("build", [""])[0]
        shown_errors: tuple[str, ...] = ()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")  # reconnect quickly after a restart
            version = -1  # so that the current state is sent at once
            while (snapshot := self.server.state.wait(version, KEEPALIVE_SECONDS)) is not None:
                if snapshot.version == version:
                    self.wfile.write(b": keepalive\n\n")
                    continue
                version = snapshot.version
                # A page older than the last good build reloads first, errors or not; the
                # reloaded page then gets the errors on its own stream.
                if snapshot.build_id != shown_build:
                    shown_build, shown_errors = snapshot.build_id, ()
                    self._send_event("reload", snapshot.build_id)
                if snapshot.errors and snapshot.errors != shown_errors:
                    shown_errors = snapshot.errors
                    self._send_event("errors", json.dumps(snapshot.errors))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded

    def _send_event(self, name: str, data: str) -> None:
        # json.dumps output and build ids hold no newline, so one data line carries it all.
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode("utf-8"))

    def log_message(self, format, *args) -> None:
        pass  # one line per build is what the terminal shows, not one per request


def _site_file(site: Path, segments: list[str]) -> Path | None:
    """The file or folder an address names in the site, found as GitHub Pages finds it, as
    its real path; None when there is none, or when it is hidden or outside the site."""
    if any(segment.startswith(".") for segment in segments):  # also . and ..
        return None
    named = site.joinpath(*segments)
    try:
        if segments and not named.exists() and not named.suffix:
            named = named.with_name(named.name + ".html")  # Pages serves /a/b.html at /a/b too
    except (ValueError, OSError):  # a NUL in the address, a name too long for the disk
        return None
    return _real_file(site, named)


def _real_file(site: Path, path: Path) -> Path | None:
    """path with its symbolic links followed, if that is an existing file or folder inside the
    site and not hidden; None otherwise. Checked on the real path after every change of the
    name (.html added, index.html), so a link out of output/ is never followed."""
    try:
        real = path.resolve()
        inside = real.relative_to(site)
        if not real.exists():
            return None
    except (ValueError, OSError, RuntimeError):  # outside, a NUL, too long a name, a link loop
        return None
    return None if any(part.startswith(".") for part in inside.parts) else real


def url_host(host: str) -> str:
    """The host as written in a URL: IPv6 addresses go in brackets."""
    return f"[{host}]" if ":" in host else host


def with_live_reload(html: bytes, build_id: str) -> bytes:
    """The page with the live-reload script before </body> (or at the end if it has none)."""
    # build_id is ours (hex and digits), so it needs no escaping in the attribute.
    tag = f'<script src="{SCRIPT_PATH}" data-build="{build_id}"></script>\n'.encode("ascii")
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]
