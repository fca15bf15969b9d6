"""`sitegen serve`: pages served as on GitHub Pages with the live-reload script, rebuilds on
save, reload and error events, the last good build kept through failures, and a clean stop."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from processes import session_processes
from sitegen.pipeline import BuildConfig
from sitegen.serve import Server, is_source_change
from sitegen.serve_livereload import EVENTS_PATH, SCRIPT, SCRIPT_PATH

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TOPIC = "topics/layered.html"
TOPIC_YAML = Path("topics/layered/topic.yaml")
BASE_URL = "https://user.github.io/REPO/"
SUMMARY = "Who secures what on AWS"
FIRST_ANSWER = "answer: customer"
# Generous: a build lays out two PDF cards, and the machine may be busy with other tests.
TIMEOUT = 120


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def build_id(html: bytes) -> str:
    """The build a served page says it shows, from its live-reload script tag."""
    scripts = lxml.html.fromstring(html).xpath(f'//script[@src="{SCRIPT_PATH}"]')
    assert len(scripts) == 1, "exactly one live-reload script"
    return scripts[0].get("data-build")


class EventStream:
    """A page's view of /__sitegen/events: reads one Server-Sent Event at a time."""

    def __init__(self, server: Server, build: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        self.connection.request("GET", f"{EVENTS_PATH}?build={build}")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.headers["Content-Type"] == "text/event-stream"

    def next_event(self) -> tuple[str, str]:
        """(event, data) of the next event; comments and the retry field are skipped."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode("utf-8")
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if not line and "event" in fields:
                return fields["event"], fields.get("data", "")
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value

    def close(self) -> None:
        self.connection.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def start(content: Path, tmp_path: Path, templates: Path = TEMPLATES) -> Server:
    config = BuildConfig(content_dir=content, templates_dir=templates,
                         output_dir=tmp_path / "output", base_url=BASE_URL,
                         cache_dir=tmp_path / "cache")
    return Server(config, port=0).start()


@pytest.fixture
def server(content_copy, tmp_path):
    """A server on a private copy of the content, after its first (good) build."""
    running = start(content_copy, tmp_path)
    assert running.wait_for_build(timeout=TIMEOUT).ok
    yield running
    running.stop()


def test_pages_are_served_at_root_and_under_the_base_path_with_the_script(server):
    root, repo = server.urls
    assert repo == root + "REPO/"
    on_disk = (server.config.output_dir / TOPIC).read_bytes()
    builds = set()
    for url in (root + TOPIC, repo + TOPIC, repo + TOPIC.removesuffix(".html"), root, repo,
                root + "REPO"):  # /REPO is redirected to /REPO/, as Pages does
        status, body, content_type = fetch(url)
        assert (status, content_type) == (200, "text/html; charset=utf-8"), url
        builds.add(build_id(body))
        assert body.index(SCRIPT_PATH.encode()) < body.rindex(b"</body>")
    assert len(builds) == 1
    status, body, _ = fetch(repo + TOPIC)
    assert body.replace(re.search(rb'<script src="/__sitegen/[^>]*></script>\n', body)[0], b"") \
        == on_disk
    # The files themselves never get the script; other files are served as they are.
    for page in server.config.output_dir.rglob("*.html"):
        assert b"__sitegen" not in page.read_bytes(), page
    css = server.config.output_dir / "assets" / "site.css"
    assert fetch(repo + "assets/site.css")[1] == css.read_bytes()
    assert fetch(root + SCRIPT_PATH.lstrip("/"))[0] == 200


def test_the_script_spells_the_events_path_and_never_writes_markup():
    assert f'new EventSource("{EVENTS_PATH}?build="' in SCRIPT
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write", SCRIPT)
    assert "textContent" in SCRIPT


@pytest.mark.parametrize("path", ["no/such/page.html", "REPO/no/such/page", "REPO/assets/nope.css",
                                  "../../etc/passwd", "REPO/%2e%2e/%2e%2e/etc/passwd",
                                  "REPO/a%00b", "REPO/" + "a" * 300, "a" * 300 + ".html"])
def test_missing_paths_get_the_404_page_with_status_404(server, path):
    status, body, content_type = fetch(server.urls[0] + path)
    assert (status, content_type) == (404, "text/html; charset=utf-8")
    page = lxml.html.fromstring(body)
    assert page.findtext(".//h1") == "Page not found"
    assert build_id(body)


def test_an_edit_is_rebuilt_and_the_page_told_to_reload(server, content_copy):
    page_url = server.urls[1] + TOPIC
    shown = build_id(fetch(page_url)[1])
    stream = EventStream(server, shown)
    edit(content_copy / TOPIC_YAML, SUMMARY, "Who secures what on AWS, edited live")
    event, new_build = stream.next_event()
    assert event == "reload" and new_build != shown
    body = fetch(page_url)[1]
    assert "Who secures what on AWS, edited live" in lxml.html.fromstring(body).text_content()
    assert build_id(body) == new_build
    stream.close()


@pytest.mark.parametrize("mistake", ["value outside its set", "YAML syntax"])
def test_a_failed_build_shows_its_errors_keeps_the_last_good_build_and_clears_when_fixed(
        server, content_copy, capsys, mistake):
    topic_yaml = content_copy / TOPIC_YAML
    good_yaml = topic_yaml.read_text(encoding="utf-8")
    page_url = server.urls[1] + TOPIC
    good_page = fetch(page_url)[1]
    stream = EventStream(server, build_id(good_page))
    before = server.latest.number
    if mistake == "value outside its set":
        edit(topic_yaml, FIRST_ANSWER, "answer: amazon")
        line = good_yaml[:good_yaml.index(FIRST_ANSWER)].count("\n") + 1
        expected = (f"{topic_yaml}:{line}:17: error: answer of scenario 'Data Breach' names "
                    "'amazon', which is not a value of the set 'owner' (Owner) "
                    "(hint: values of set 'owner': customer, aws)")
    else:
        edit(topic_yaml, FIRST_ANSWER, 'answer: "customer')  # the quote is never closed
        expected = re.compile(rf"{re.escape(str(topic_yaml))}:\d+:\d+: error: YAML syntax error")

    event, data = stream.next_event()
    assert event == "errors"
    result = server.wait_for_build(after=before, timeout=TIMEOUT)
    assert not result.ok and len(result.errors) == 1
    error = result.errors[0]
    assert error == expected if isinstance(expected, str) else expected.match(error)
    # The pages name the file relative to the project folder (the current one).
    assert json.loads(data) == [error.replace(str(topic_yaml), os.path.relpath(topic_yaml))]
    # The terminal says it too, and that the last good build is still being served.
    err = capsys.readouterr().err
    assert f"{error}\n1 error; still serving the last good build\n" in err
    assert fetch(page_url) == (200, good_page, "text/html; charset=utf-8")
    # A page opened now gets the errors at once.
    late_stream = EventStream(server, build_id(good_page))
    assert late_stream.next_event() == ("errors", data)

    topic_yaml.write_text(good_yaml, encoding="utf-8")
    for each in (stream, late_stream):
        event, new_build = each.next_event()
        assert event == "reload" and new_build != build_id(good_page)
        each.close()
    assert server.wait_for_build(after=result.number, timeout=TIMEOUT).ok
    assert build_id(fetch(page_url)[1]) == new_build


def test_error_text_from_the_content_is_sent_as_data_never_as_markup(server, content_copy):
    hostile = '<img src=x onerror="alert(1)"></script><b>'
    page_url = server.urls[0] + TOPIC
    stream = EventStream(server, build_id(fetch(page_url)[1]))
    edit(content_copy / TOPIC_YAML, FIRST_ANSWER, f"answer: '{hostile}'")
    event, data = stream.next_event()
    assert event == "errors"
    # JSON, shown by the script with textContent: the text arrives exactly as written.
    assert f"names '{hostile}', which is not a value of the set 'owner'" in json.loads(data)[0]
    # Errors never reach the served HTML itself.
    assert b"onerror" not in fetch(page_url)[1]
    stream.close()


@pytest.fixture
def templates_server(content_copy, tmp_path):
    """A server on private copies of the content and templates, after its first good build:
    (the server, its templates folder, that build)."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    running = start(content_copy, tmp_path, templates)
    first = running.wait_for_build(timeout=TIMEOUT)
    assert first.ok
    yield running, templates, first
    running.stop()


def test_template_mistakes_are_reported_and_the_server_keeps_going(templates_server, capsys):
    running, templates, first = templates_server
    # The lede: the page's one place of the summary without a filter.
    edit(templates / "topic.html", '"lede">{{ topic.summary }}', '"lede">{{ topic.summary ')
    failed = running.wait_for_build(after=first.number, timeout=TIMEOUT)
    assert not failed.ok
    assert failed.errors[0].startswith("sitegen: error in the templates: ")
    assert "TemplateSyntaxError" in failed.errors[0]
    assert "Traceback" not in capsys.readouterr().err
    assert fetch(running.urls[0] + TOPIC)[0] == 200
    edit(templates / "topic.html", '"lede">{{ topic.summary ', '"lede">{{ topic.summary }}')
    assert running.wait_for_build(after=failed.number, timeout=TIMEOUT).ok


def test_a_folder_deleted_and_made_again_is_watched_again(templates_server):
    running, templates, latest = templates_server
    shutil.rmtree(templates)  # as a checkout or a copy over it does
    latest = running.wait_for_build(after=latest.number, timeout=TIMEOUT)
    assert not latest.ok  # the templates are missing: said, and the server waits
    shutil.copytree(TEMPLATES, templates)
    latest = running.wait_for_build(after=latest.number, timeout=TIMEOUT)
    while not latest.ok:  # builds may have run while the copy was under way
        latest = running.wait_for_build(after=latest.number, timeout=TIMEOUT)
    edit(templates / "topic.html", "{{ topic.summary }}", "{{ topic.summary }} (edited)")
    assert running.wait_for_build(after=latest.number, timeout=TIMEOUT).ok
    assert b"(edited)" in fetch(running.urls[0] + TOPIC)[1]


def test_before_any_good_build_a_page_waits_with_the_errors(content_copy, tmp_path):
    topic_yaml = content_copy / TOPIC_YAML
    edit(topic_yaml, FIRST_ANSWER, "answer: amazon")
    running = start(content_copy, tmp_path)
    try:
        failed = running.wait_for_build(timeout=TIMEOUT)
        assert not failed.ok
        status, body, _ = fetch(running.urls[0] + TOPIC)
        assert status == 503 and b"No build has succeeded yet" in body
        stream = EventStream(running, build_id(body))
        event, data = stream.next_event()
        assert event == "errors"
        assert json.loads(data) == [line.replace(str(topic_yaml), os.path.relpath(topic_yaml))
                                    for line in failed.errors]
        edit(topic_yaml, "answer: amazon", FIRST_ANSWER)
        assert stream.next_event()[0] == "reload"
        stream.close()
        assert fetch(running.urls[0] + TOPIC)[0] == 200
    finally:
        running.stop()


def test_stop_ends_the_event_streams_and_closes_the_port(server):
    stream = EventStream(server, build_id(fetch(server.urls[0])[1]))
    server.stop()
    # The stream ends (the page will reconnect); it had nothing to say but how soon to retry.
    assert stream.response.read() == b"retry: 1000\n\n"
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT).connect()
    server.stop()  # stopping twice is harmless


@pytest.mark.parametrize("name,rebuilds", [
    ("topic.yaml", True), ("overview.md", True), (".#topic.yaml", False), ("topic.yaml~", False),
    (".topic.yaml.swp", False), (".topic.yaml.swx", False), ("4913", False),
])
def test_editor_temporary_files_do_not_rebuild(tmp_path, name, rebuilds):
    config = BuildConfig(content_dir=tmp_path / "content", output_dir=tmp_path / "output")
    assert is_source_change(str(tmp_path / "content" / "topics" / "x" / name), config) is rebuilds


def test_changes_in_the_output_and_cache_folders_do_not_rebuild(tmp_path):
    # Both inside the content folder, the worst case.
    config = BuildConfig(content_dir=tmp_path, output_dir=tmp_path / "output",
                         cache_dir=tmp_path / "cache")
    assert not is_source_change(str(tmp_path / "output" / "index.html"), config)
    assert not is_source_change(str(tmp_path / "cache" / "page" / "ab" / "abcd"), config)
    assert is_source_change(str(tmp_path / "output-notes.md"), config)


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm", "sighup"])
def test_ctrl_c_or_a_kill_stops_the_server_and_its_workers_cleanly(content_copy, tmp_path, stop):
    script = ("from pathlib import Path\n"
              "from sitegen.pipeline import BuildConfig\n"
              "from sitegen.serve import run_serve\n"
              "if __name__ == '__main__':\n"
              f"    config = BuildConfig(content_dir=Path({str(content_copy)!r}),\n"
              f"                         templates_dir=Path({str(TEMPLATES)!r}),\n"
              f"                         output_dir=Path({str(tmp_path / 'output')!r}))\n"
              "    raise SystemExit(run_serve(config, '127.0.0.1', 0))\n")
    (tmp_path / "serve_main.py").write_text(script, encoding="utf-8")
    # Its own process group, which the Ctrl-C is sent to, as a terminal does.
    process = subprocess.Popen([sys.executable, str(tmp_path / "serve_main.py")], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        assert lines.get(timeout=TIMEOUT).startswith("built in ")
        serving = lines.get(timeout=TIMEOUT)
        url = re.search(r"at (http://127\.0\.0\.1:\d+/);", serving)[1]
        assert fetch(url)[0] == 200
        if stop == "ctrl-c":  # to the whole group, as a terminal does
            os.killpg(process.pid, signal.SIGINT)
        else:  # to the server alone, as `kill` or a closed terminal does
            process.send_signal(signal.SIGTERM if stop == "sigterm" else signal.SIGHUP)
        assert process.wait(timeout=TIMEOUT) == 0
        deadline = time.monotonic() + TIMEOUT
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session_processes(process.pid) == []  # no card worker or fork server left
    finally:
        if process.poll() is None:
            process.kill()
        for pid in session_processes(process.pid):
            os.kill(pid, signal.SIGKILL)
    assert lines.get(timeout=TIMEOUT) == "stopped\n"
    assert "Traceback" not in process.stderr.read()
