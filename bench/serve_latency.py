#!/usr/bin/env python3
"""Save-to-reload benchmark (not a test): how soon after a save an open page shows it.

    .venv/bin/python bench/serve_latency.py --topics 1000 --saves 10 [--json FILE]

Writes a synthetic guide (bench/synthetic.py), starts the preview server of `sitegen serve`
in this process, and listens to its live-reload stream as an open page does. Then it saves an
edit of one topic, again and again, and measures from each save to the reload event, and to
the edited page fetched in full as the reloading browser would. Medians are printed; the
first save after start-up is reported apart (the server's memory of the guide is then cold).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import http.client
import json
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from sitegen.pipeline import BuildConfig  # noqa: E402
from sitegen.serve import Server  # noqa: E402
from sitegen.serve_livereload import EVENTS_PATH  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETTLE_SECONDS = 0.3
"""Pause between saves, longer than the server's wait for a burst of saves to settle."""


def listen(port: int, events: queue.Queue) -> None:
    """Puts the time of each reload event of the stream into events."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", EVENTS_PATH)
    response = connection.getresponse()
    while line := response.fp.readline():
        if line.startswith(b"event: reload"):
            events.put(time.perf_counter())


def fetch(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/" + path)
    body = connection.getresponse().read()
    connection.close()
    return body


def measure(folder: Path, topics: int, saves: int) -> dict:
    synthetic.generate(folder, topics)
    config = BuildConfig(folder / "content", ROOT / "templates", folder / "output",
                         cache_dir=folder / ".sitegen-cache")
    server = Server(config).start()
    try:
        if not server.wait_for_build(timeout=600).ok:
            raise SystemExit("the first build failed")
        events: queue.Queue = queue.Queue()
        threading.Thread(target=listen, args=(server.port, events), daemon=True).start()
        events.get(timeout=10)  # the stream's first event: the build the page shows
        page = f"topics/{synthetic.topic(topics // 2, 1)['_slug']}.html"
        to_event, to_page = [], []
        for revision in range(1, saves + 2):
            time.sleep(SETTLE_SECONDS)
            saved = time.perf_counter()
            synthetic.edit(folder, topics, "sitegen", 1000 + revision)
            reloaded = events.get(timeout=60)
            body = fetch(server.port, page)
            fetched = time.perf_counter()
            if f"revision {1000 + revision}".encode() not in body:
                raise SystemExit(f"the reloaded {page} does not show the edit")
            to_event.append((reloaded - saved) * 1000)
            to_page.append((fetched - saved) * 1000)
    finally:
        server.stop()
    return {"topics": topics, "saves": saves, "first_save_ms": round(to_page[0], 1),
            "to_reload_event_ms": [round(t, 1) for t in to_event[1:]],
            "to_page_ms": [round(t, 1) for t in to_page[1:]],
            "median_to_reload_event_ms": round(statistics.median(to_event[1:]), 1),
            "median_to_page_ms": round(statistics.median(to_page[1:]), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    # The server says what each build did; only the figures are of interest here.
    with tempfile.TemporaryDirectory(prefix="sitegen-serve-bench-") as scratch, \
            contextlib.redirect_stdout(io.StringIO()):
        result = measure(Path(scratch), args.topics, args.saves)
    print(f"N = {result['topics']} topics, {result['saves']} saves: save to reload event "
          f"{result['median_to_reload_event_ms']:.0f} ms, to the reloaded page "
          f"{result['median_to_page_ms']:.0f} ms (medians; first save "
          f"{result['first_save_ms']:.0f} ms)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
