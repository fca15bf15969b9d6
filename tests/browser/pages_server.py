"""A local stand-in for GitHub Pages: serves a built site under /REPO/, 404.html for misses."""

from __future__ import annotations

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_PATH = "/REPO/"


class PagesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site_dir: Path | None = None
        self.requests: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{REPO_PATH}"

    def start(self) -> "PagesServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((path, status))


class _Handler(BaseHTTPRequestHandler):
    server: PagesServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        status, body, content_type = self._resolve(unquote(urlsplit(self.path).path))
        self.server.record(self.path, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _resolve(self, path: str) -> tuple[int, bytes, str]:
        site = self.server.site_dir
        assert site is not None, "the site was not built before it was requested"
        if path == REPO_PATH.rstrip("/"):
            path = REPO_PATH
        if path.startswith(REPO_PATH):
            relative = path[len(REPO_PATH):]
            candidate = (site / relative).resolve()
            if candidate.is_dir():
                candidate = candidate / "index.html"
            elif not candidate.exists() and not candidate.suffix:
                candidate = candidate.with_suffix(".html")  # Pages serves /a/b for /a/b.html
            if candidate.is_file() and candidate.is_relative_to(site.resolve()):
                content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                if content_type.startswith("text/") or content_type.endswith(("javascript", "xml")):
                    content_type += "; charset=utf-8"
                return 200, candidate.read_bytes(), content_type
        return 404, (site / "404.html").read_bytes(), "text/html; charset=utf-8"

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass
