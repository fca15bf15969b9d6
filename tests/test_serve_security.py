"""`sitegen serve` answers only what it should: files inside output/ that are not hidden,
same-site redirects, its own Host names, relative paths in the overlay, and bounded slow
clients; it warns when reachable from the network and hints at the right option."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import socket
import time

import pytest

import sitegen.serve
from sitegen.output import MARKER
from sitegen.pipeline import BuildConfig
from sitegen.reporting import EXIT_ENVIRONMENT
from sitegen.serve import Server, run_serve
from sitegen.serve_livereload import EVENTS_PATH
from test_serve import (BASE_URL, FIRST_ANSWER, TEMPLATES, TIMEOUT, TOPIC, TOPIC_YAML,
                        EventStream, build_id, edit, fetch)

SECRET = b"the secret outside output/"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache for the module's servers: only the first lays out the cards."""
    return tmp_path_factory.mktemp("serve-cache")


@pytest.fixture
def serve(content_copy, tmp_path, shared_cache):
    """Starts servers on the content copy (stopped after the test), each after its first good
    build; keyword arguments go to Server."""
    running = []

    def start(**options) -> Server:
        config = BuildConfig(content_dir=content_copy, templates_dir=TEMPLATES,
                             output_dir=tmp_path / "output", base_url=BASE_URL,
                             cache_dir=shared_cache)
        server = Server(config, **options)
        running.append(server)
        assert server.start().wait_for_build(timeout=TIMEOUT).ok
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def server(serve):
    return serve()


def get(server: Server, path: str, headers: dict[str, str] | None = None,
        host: str | None = None) -> http.client.HTTPResponse:
    """GET exactly path (no redirect followed), with the Host header given (default: the
    server's address) and any other headers; the response is read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host if host is not None else f"127.0.0.1:{server.port}")
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read() if response.headers["Content-Type"] != "text/event-stream" \
        else b""
    connection.close()
    return response


def test_symlinks_out_of_the_output_folder_are_never_followed(server, tmp_path):
    output = server.config.output_dir
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "index.html").write_bytes(b"<html><body>" + SECRET + b"</body></html>")
    (output / "folder").mkdir()
    links = {"leak.html": outside / "secret.txt", "leak.txt": outside / "secret.txt",
             "outside": outside, "folder/index.html": outside / "index.html",
             "topics/inner.html": outside / "secret.txt"}
    for name, target in links.items():
        (output / name).symlink_to(target)
    try:
        for path in ("/leak", "/leak.html", "/leak.txt", "/REPO/leak", "/outside/",
                     "/outside/secret.txt", "/outside", "/folder/", "/REPO/folder/",
                     "/topics/inner", "/REPO/topics/inner.html"):
            response = get(server, path)
            assert response.status == 404, path
            assert SECRET not in response.body, path
        # A link inside the site is served as the file it names.
        (output / "alias.html").symlink_to(output / TOPIC)
        assert get(server, "/alias").status == 200
    finally:
        for name in [*links, "alias.html"]:
            (output / name).unlink(missing_ok=True)
        (output / "folder").rmdir()


@pytest.mark.parametrize("path,location", [
    ("/%2Fevil.example/..%2Fassets", None), ("/%2Fassets", "/assets/"),
    ("/%2F%2Fassets", "/assets/"), ("/REPO/%2Fassets", "/REPO/assets/"),
    ("/%5Cevil.example/..%2Fassets", None), ("/REPO//topics", "/REPO/topics/"),
    ("/REPO", "/REPO/"), ("/%2FREPO", "/REPO/"),
])
def test_redirects_stay_on_this_server(server, path, location):
    response = get(server, path)
    if location is None:
        assert response.status == 404
    else:
        assert (response.status, response.headers["Location"]) == (301, location)


def test_hidden_files_are_not_served(server):
    output = server.config.output_dir
    assert (output / MARKER).is_file() and (output / ".nojekyll").is_file()
    (output / "assets" / ".hidden.css").write_bytes(SECRET)
    (output / "visible.txt").symlink_to(output / MARKER)  # a link to a hidden file, too
    try:
        for path in (f"/{MARKER}", f"/REPO/{MARKER}", "/.nojekyll", "/%2Enojekyll",
                     "/assets/.hidden.css", "/REPO/assets/.hidden.css", "/visible.txt"):
            response = get(server, path)
            assert response.status == 404, path
            assert b"Page not found" in response.body and SECRET not in response.body, path
    finally:
        (output / "assets" / ".hidden.css").unlink()
        (output / "visible.txt").unlink()


@pytest.mark.parametrize("path", ["/", f"/REPO/{TOPIC}", EVENTS_PATH])
def test_only_the_servers_own_host_names_are_answered(server, path):
    port = server.port
    # Names only this machine answers to, however the preview was reached (a forwarded
    # port changes the port, so it is not checked).
    for host in (f"127.0.0.1:{port}", "127.0.0.1", f"localhost:{port}", "LocalHost",
                 f"[::1]:{port}", "[::1]", "localhost:9999", "192.168.1.20:8000"):
        assert get(server, path, host=host).status == 200, host
    # Names a DNS record could point here: a site reading the preview by DNS rebinding.
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}",
                 f"localhost.evil.example:{port}", "", "[::1"):
        response = get(server, path, host=host)
        assert response.status == 403, host
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert b"Host" in response.body


def test_the_event_stream_answers_only_its_own_pages(server):
    port = server.port
    own = {"Origin": f"http://127.0.0.1:{port}"}
    assert get(server, EVENTS_PATH, own).status == 200
    for origin in ("http://evil.example", f"http://localhost:{port}", "null",
                   f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port}.evil.example"):
        response = get(server, EVENTS_PATH, {"Origin": origin})
        assert response.status == 403, origin
        assert b"Origin" in response.body


HALF_SENT = 60
"""Stalled connections opened at once: more than the server takes at once."""


def test_half_sent_requests_are_dropped_and_starve_no_page(serve):
    server = serve(request_timeout=1.0, max_connections=20)
    address = ("127.0.0.1", server.port)
    stalled = []
    try:
        for _ in range(HALF_SENT):
            connection = socket.create_connection(address, timeout=TIMEOUT)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            stalled.append(connection)
        # A page and its event stream get through, at the latest once the stalled
        # connections are dropped.
        deadline = time.monotonic() + TIMEOUT
        while (status := get(server, "/").status) != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status == 200
        while get(server, EVENTS_PATH).status != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        stream = EventStream(server, "an-older-build")
        assert stream.next_event()[0] == "reload"
        stream.close()
        # Every stalled connection is closed by the server: refused at once (too many), or
        # dropped after the timeout; none is answered with a page.
        answers = {connection: b"" for connection in stalled}
        open_ones = list(stalled)
        while open_ones and time.monotonic() < deadline:
            readable, _, _ = select.select(open_ones, [], [], deadline - time.monotonic())
            for connection in readable:
                try:
                    data = connection.recv(4096)
                except ConnectionResetError:
                    data = b""
                answers[connection] += data
                if not data:
                    open_ones.remove(connection)
        assert not open_ones, f"{len(open_ones)} stalled connections still open"
        for answer in answers.values():
            assert answer == b"" or re.match(rb"HTTP/1\.[01] 503 ", answer), answer
    finally:
        for connection in stalled:
            connection.close()


def test_an_ipv6_address_is_served_at_its_url_with_brackets(serve):
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 on this machine's loopback")
    server = serve(host="::1")
    assert server.urls[0] == f"http://[::1]:{server.port}/"
    status, body, _ = fetch(server.urls[0] + TOPIC)
    assert status == 200 and build_id(body)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mybox.lan"])
def test_an_address_other_machines_can_reach_is_warned_about(host):
    warning = sitegen.serve.network_warning(host)
    assert warning.startswith(f"sitegen: warning: --host {host}: ")
    assert "network" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_an_address_of_this_machine_only_is_not_warned_about(host):
    assert sitegen.serve.network_warning(host) == ""


def test_a_port_in_use_is_told_to_pick_another_port(tmp_path, capsys):
    config = BuildConfig(content_dir=tmp_path, output_dir=tmp_path / "output")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert run_serve(config, "127.0.0.1", port) == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}: " in err
    assert "(hint: pass --port" in err


@pytest.mark.parametrize("host,shown", [("192.0.2.1", "192.0.2.1"),  # TEST-NET: not ours
                                        ("fe80::1:2:3:4", "[fe80::1:2:3:4]")])
def test_an_address_not_of_this_machine_is_told_to_pick_another_host(tmp_path, capsys, host,
                                                                     shown):
    config = BuildConfig(content_dir=tmp_path, output_dir=tmp_path / "output")
    assert run_serve(config, host, 0) == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert f"cannot listen on {shown}:0: " in err
    assert "(hint: pass --host" in err and "--port" not in err


def test_the_event_stream_sends_paths_relative_to_the_project_folder(server, content_copy):
    # The content lies outside the current folder and is given by its absolute path.
    topic_yaml = content_copy / TOPIC_YAML
    assert topic_yaml.is_absolute() and not topic_yaml.is_relative_to(os.getcwd())
    good_yaml = topic_yaml.read_text(encoding="utf-8")
    stream = EventStream(server, build_id(fetch(server.urls[0] + TOPIC)[1]))
    before = server.latest.number
    edit(topic_yaml, FIRST_ANSWER, "answer: amazon")
    event, data = stream.next_event()
    assert event == "errors"
    (line,) = json.loads(data)
    assert line.startswith(f"{os.path.relpath(topic_yaml)}:")
    assert "names 'amazon', which is not a value of the set" in line
    assert not re.search(r"(^|[\s'\"(])/", line), "no word of the line starts with /"
    # The terminal says it as given.
    assert str(topic_yaml) in server.wait_for_build(after=before, timeout=TIMEOUT).errors[0]
    topic_yaml.write_text(good_yaml, encoding="utf-8")
    assert stream.next_event()[0] == "reload"
    stream.close()
