"""The printable cards: one page, legible, embedded fonts, and every card item in the PDF text."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildConfig, build
from content_checks import pdf_text
from source_data import site_yaml

CARDS = site_yaml()["cards"]
PAPERS = {"a4": (841.89, 595.28), "letter": (792.0, 612.0)}  # landscape, in points
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def card_files(built: Path):
    for card in CARDS:
        for paper in PAPERS:
            yield card, paper, built / "cards" / f'{card["topic"]}-{paper}.pdf'


def test_cards_are_exactly_one_page_of_the_right_size(built):
    for _, paper, path in card_files(built):
        info = run("pdfinfo", str(path))
        assert re.search(r"^Pages:\s+1$", info, re.M), path.name
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (width, height) == pytest.approx(PAPERS[paper], abs=0.5), path.name


def test_cards_carry_title_and_author_and_embed_their_fonts(built):
    site = site_yaml()
    for card, _, path in card_files(built):
        info = run("pdfinfo", str(path))
        assert re.search(rf"^Title:\s+{re.escape(card['title'])}", info, re.M)
        assert re.search(rf"^Author:\s+{re.escape(site['author'])}$", info, re.M)
        fonts = run("pdffonts", str(path)).splitlines()[2:]
        assert fonts, "no fonts: the text would not be selectable"
        for line in fonts:
            assert line.split()[-5] == "yes", f"font not embedded: {line}"


def test_a_card_that_does_not_fit_names_the_overflowing_block(content_copy, tmp_path):
    topic_file = content_copy / "topics" / "layered" / "topic.yaml"
    extra = "".join(f"      - An extra tip number {i} that makes the column far too long to print\n"
                    for i in range(40))
    text = topic_file.read_text(encoding="utf-8")
    text = text.replace("    items:\n      - Remember the phrase", f"    items:\n{extra}      - Remember the phrase")
    topic_file.write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    messages = [str(e) for e in failure.value.errors]
    assert len(messages) == 2  # A4 and US Letter
    (column,) = [c for c in CARDS[0]["columns"] if "exam-tips" in c]
    number = CARDS[0]["columns"].index(column) + 1
    blocks = ", ".join(column)
    for message, paper in zip(messages, ("A4", "US Letter")):
        assert re.search(rf"site\.yaml:\d+:\d+: error: card '.*' on {paper}: column {number} "
                         rf"\({blocks}\) overflows the page by \d+\.\d mm even at 7 pt in a column 33% "
                         rf"wide; cut off: {blocks} \(hint: ", message), message
    assert not (tmp_path / "out").exists()


def test_text_under_7pt_is_refused(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    css = templates / "card.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.tips li { font-size: 5pt; }\n",
                   encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(Path(__file__).parent / "fixtures" / "layered", templates, tmp_path / "out"))
    messages = [str(e) for e in failure.value.errors]
    assert len(messages) == 2  # A4 and US Letter
    assert all("text in block 'exam-tips' is set at 5.0 pt, below the 7 pt legible minimum" in m
               for m in messages)


def _add_tip(content: Path, *tips: str) -> None:
    """Tips put first in the card's tips block, which is in its last column."""
    topic_file = content / "topics" / "layered" / "topic.yaml"
    text = topic_file.read_text(encoding="utf-8")
    added = "".join(f"      - {tip}\n" for tip in tips)
    topic_file.write_text(text.replace("    items:\n      - Remember the phrase",
                                       f"    items:\n{added}      - Remember the phrase"),
                          encoding="utf-8")


def test_a_long_unbroken_word_wraps_inside_its_column(content_copy, tmp_path):
    _add_tip(content_copy, "x" * 90)
    build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    assert "x" * 20 in pdf_text(tmp_path / "out" / "cards" / "layered-a4.pdf")


def test_characters_no_font_can_print_are_refused_not_printed_as_boxes(content_copy, tmp_path):
    # U+0378 is unassigned: no font anywhere has a glyph for it. Greek and Arabic, which
    # DejaVu Sans has, and emoji, which the colour emoji font has, print.
    _add_tip(content_copy, "Greek Ελληνικά, Arabic مرحبا, emoji 🛡️ and \u0378 unknown")
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content_copy, TEMPLATES, tmp_path / "out"))
    messages = [str(e) for e in failure.value.errors]
    assert len(messages) == 2  # A4 and US Letter
    assert all("text in block 'exam-tips' has characters no installed font can print, which "
               "would print as empty boxes: \u0378 (hint: install a font" in m for m in messages)


def test_text_past_the_right_edge_is_refused(content_copy, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    css = templates / "card.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.tips li { white-space: nowrap; }\n",
                   encoding="utf-8")
    _add_tip(content_copy, "A tip long enough that on one unwrapped line it cannot fit in the column "
                           "nor on the page at all, however wide the column is set")
    with pytest.raises(BuildFailed) as failure:
        build(BuildConfig(content_copy, templates, tmp_path / "out"))
    assert all(re.search(r"block 'exam-tips' is \d+\.\d mm too wide for its column or page", str(e))
               for e in failure.value.errors)


def test_a_card_has_the_same_bytes_whenever_it_is_made(site, monkeypatch):
    # WeasyPrint rewrites the emoji font with fontTools, which stamps it with the clock.
    from fontTools.misc import timeTools
    from sitegen.card import PAPER_SIZES, render_card
    from sitegen.templating import make_environment

    card, paper, env = site.cards[0], PAPER_SIZES[0], make_environment(TEMPLATES)
    made = []
    for clock in (1_600_000_000.0, 1_700_000_000.0):
        monkeypatch.setattr(timeTools.time, "time", lambda clock=clock: clock)
        made.append(render_card(card, paper, site, env))
    assert made[0] == made[1]


def test_the_cards_are_laid_out_here_when_a_card_worker_is_killed(site):
    """Out of memory, the kernel kills a process: the build goes on without it."""
    from sitegen.card import CardLayout, render_cards

    layout = CardLayout(site, TEMPLATES, None, processes=2)
    try:
        for process in list(layout._pool._processes.values()):
            process.kill()  # long before a worker has loaded WeasyPrint
        assert layout.result() == render_cards(site, TEMPLATES)
    finally:
        layout.close()


def test_kept_card_workers_serve_one_build_after_another(site):
    """sitegen serve keeps its card workers, WeasyPrint loaded, for every build."""
    from sitegen.card import CardLayout, render_cards
    from sitegen.session import BuildSession

    session = BuildSession()
    session.keep_card_workers(2)
    try:
        workers = session.card_workers
        kept = workers.pool
        expected = render_cards(site, TEMPLATES, jobs=1)
        for _ in range(2):
            layout = CardLayout(site, TEMPLATES, None, processes=2, kept=workers)
            try:
                assert layout._pool is kept
                assert layout.result() == expected
            finally:
                layout.close()
        assert workers.pool is kept and not kept._shutdown_thread
    finally:
        session.close()
    assert session.card_workers is None and workers.pool is None


def test_a_killed_kept_card_worker_is_replaced_for_the_next_build(site):
    from sitegen.card import CardLayout, render_cards
    from sitegen.session import BuildSession

    with BuildSession() as session:
        session.keep_card_workers(2)
        workers = session.card_workers
        kept = workers.pool
        layout = CardLayout(site, TEMPLATES, None, processes=2, kept=workers)
        try:
            for process in list(kept._processes.values()):
                process.kill()
            assert layout.result() == render_cards(site, TEMPLATES)
        finally:
            layout.close()
        assert workers.pool not in (None, kept)
        assert (CardLayout(site, TEMPLATES, None, processes=2, kept=workers).result()
                == render_cards(site, TEMPLATES))


def test_kept_card_workers_killed_while_idle_are_replaced_before_the_next_cards(site):
    """serve keeps its card workers between saves; the kernel may kill one while it waits."""
    from concurrent.futures.process import BrokenProcessPool

    from sitegen.card import CardLayout, render_cards
    from sitegen.session import BuildSession

    with BuildSession() as session:
        session.keep_card_workers(2)
        workers = session.card_workers
        kept = workers.pool
        kept.submit(int).result(timeout=60)  # started
        for process in list(kept._processes.values()):
            process.kill()
        try:  # wait until the pool knows
            assert isinstance(kept.submit(int).exception(timeout=60), BrokenProcessPool)
        except BrokenProcessPool:
            pass
        layout = CardLayout(site, TEMPLATES, None, processes=2, kept=workers)
        try:
            assert layout.result() == render_cards(site, TEMPLATES)
        finally:
            layout.close()
        assert workers.pool not in (None, kept)


def _build_in_a_process(content: Path, out: Path, timeout: float = 180,
                        templates: Path = TEMPLATES) -> subprocess.CompletedProcess:
    """`build.py` run as an author runs it, stopped (with its workers) if it takes longer
    than timeout seconds: far longer than it takes, so only a build that hangs fails."""
    command = [sys.executable, str(TEMPLATES.parent / "build.py"), "--content", str(content),
               "--templates", str(templates), "--output", str(out), "--no-cache"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"the build was still running after {timeout} s")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


FAR_TOO_TALL = {
    "ten thousand tips": [f"Extra tip number {i}, one of far too many to print" for i in range(10_000)],
    "one 100 KB tip": [" ".join(["responsibility"] * 7_000)],
    "one 100 KB word": ["x" * 100_000],
}


@pytest.mark.parametrize("tips", FAR_TOO_TALL.values(), ids=FAR_TOO_TALL.keys())
def test_a_card_far_too_tall_is_refused_soon_naming_its_column(content_copy, tmp_path, tips):
    """Laying out pages of text takes minutes: the check measures only enough of it to tell."""
    _add_tip(content_copy, *tips)
    result = _build_in_a_process(content_copy, tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    (column,) = [c for c in CARDS[0]["columns"] if "exam-tips" in c]
    number, blocks = CARDS[0]["columns"].index(column) + 1, ", ".join(column)
    for paper in ("A4", "US Letter"):
        found = re.search(rf"site\.yaml:\d+:\d+: error: card '.*' on {paper}: column {number} "
                          rf"\({blocks}\) overflows the page by at least (\d+\.\d) mm even at 7 pt "
                          rf"in a column 33% wide; cut off: {blocks} \(hint: ", result.stderr)
        assert found, result.stderr
        assert float(found.group(1)) > 50  # the tips alone, cut down, are pages long
    assert not (tmp_path / "out").exists()


def _card_template_with(tmp_path: Path, markup: str) -> Path:
    """A copy of the templates whose card shows markup under its heading."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    card = templates / "card.html"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("</header>", f"{markup}\n</header>", 1), encoding="utf-8")
    return templates


class _Listener:
    """A web server on the loopback address that records every request made to it."""

    def __init__(self):
        import http.server
        import threading

        requests = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    running = _Listener()
    yield running
    running.close()


OUTSIDE_RESOURCES = {
    "an image from the web": ('<img src="{web}/logo.png">', "{web}/logo.png"),
    "a stylesheet from the disk": ('<link rel="stylesheet" href="file:///etc/hostname">',
                                   "file:///etc/hostname"),
    "a CSS url() beside the templates": ('<p style="background: url(../outside.png)">x</p>',
                                         "file://{parent}/outside.png"),
    "a template, not a static file": ('<img src="card.html">', "file://{templates}/card.html"),
}


@pytest.mark.parametrize("markup, url", OUTSIDE_RESOURCES.values(), ids=OUTSIDE_RESOURCES.keys())
def test_a_card_template_asking_for_a_resource_outside_the_build_is_refused(
        content_copy, tmp_path, listener, markup, url):
    (tmp_path / "outside.png").write_bytes(b"not read")
    templates = _card_template_with(tmp_path, markup.format(web=listener.url))
    url = url.format(web=listener.url, parent=tmp_path.resolve(), templates=templates.resolve())
    result = _build_in_a_process(content_copy, tmp_path / "out", templates=templates)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("sitegen: error: ") and f" {url} " in line, line
    assert listener.requests == []
    assert not (tmp_path / "out").exists()


def _png(width: int, height: int) -> bytes:
    from io import BytesIO

    from PIL import Image  # WeasyPrint's own dependency

    data = BytesIO()
    Image.new("RGB", (width, height), "red").save(data, "PNG")
    return data.getvalue()


def _images(pdf: Path) -> list[tuple[int, int]]:
    """Width and height of each image in the PDF, as pdfimages lists them."""
    lines = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    return [(int(line.split()[3]), int(line.split()[4])) for line in lines]


def test_a_card_shows_a_static_file_of_the_templates_and_is_made_again_when_it_changes(
        tmp_path):
    templates = _card_template_with(tmp_path, '<img src="static/card-logo.png" alt="">')
    logo, content = templates / "static" / "card-logo.png", TEMPLATES.parent / "tests" / "fixtures" / "layered"
    config = BuildConfig(content, templates, tmp_path / "out", cache_dir=tmp_path / "cache")
    logo.write_bytes(_png(3, 2))
    build(config)
    card = tmp_path / "out" / "cards" / "layered-a4.pdf"
    assert (3, 2) in _images(card)
    logo.write_bytes(_png(5, 4))
    build(config)
    assert (5, 4) in _images(card) and (3, 2) not in _images(card)
