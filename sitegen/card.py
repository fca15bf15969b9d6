"""The printable quick-reference card: HTML laid out by WeasyPrint, checked to fit one page."""

from __future__ import annotations

import mimetypes
import multiprocessing
import os
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import model as m
from .cache import Cache, digest, generator_fingerprint
from .errors import BuildFailed, ContentError, MissingTool, SetupProblem
from .sources import Templates
from .templating import make_environment
from .stopping import starting_workers
from .workers import start_fork_server, start_worker

MIN_FONT_PT = 7.0
CARD_FONT = "DejaVu Sans"
PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72
ENDLESS_MM = 5000
"""Height of the sheet the columns are measured on when the card does not fit."""
LAYOUT_BUDGET = 24_000
"""Characters of text the columns of a card share before the overflow check cuts them
down: twice what the shipped card, which fills its page, holds. Overflows of up to about
a page are measured whole; cutting longer ones down keeps the check to seconds."""
ELEMENT_WEIGHT = 40
"""How many characters an element (a tip, a table cell) counts for in that budget: each
takes at least a line."""

# fontTools stamps each font it rewrites (WeasyPrint rewrites the emoji font) with the current
# time unless SOURCE_DATE_EPOCH fixes one: without it, the same card differs by the second.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


@dataclass(frozen=True)
class Paper:
    """A paper size the card is printed on."""

    name: str
    """Name people know it by."""
    slug: str
    """File-name part."""
    css_size: str
    """Value for CSS @page size."""
    width_mm: float
    """Sheet width in landscape."""
    height_mm: float
    """Sheet height in landscape."""
    description: str
    """Dimensions, for link labels."""


PAPER_SIZES = (
    Paper("A4", "a4", "297mm 210mm", 297, 210, "297 × 210 mm"),
    Paper("US Letter", "letter", "11in 8.5in", 279.4, 215.9, "11 × 8.5 in"),
)


def card_path(card: m.Card, paper: Paper) -> str:
    """Where the card's PDF goes, from the site root."""
    return f"cards/{card.topic.slug}-{paper.slug}.pdf"


def check_card_font() -> None:
    """The card is set in DejaVu Sans; without it the layout (and the fit check) would differ."""
    if shutil.which("fc-list") is None:
        raise MissingTool("fontconfig is not installed (Debian packages: fontconfig fonts-dejavu-core)")
    found = subprocess.run(["fc-list", CARD_FONT, "family"], capture_output=True, text=True).stdout
    if CARD_FONT not in found:
        raise MissingTool(f"the font {CARD_FONT} is not installed (Debian package: fonts-dejavu-core)")


def card_html(card: m.Card, paper: Paper, site: m.Site, env) -> str:
    css = env.get_template("card.css").render(paper=paper, font=CARD_FONT)
    return env.get_template("card.html").render(card=card, paper=paper, site=site, css=css,
                                                topic=card.topic)


def render_card(card: m.Card, paper: Paper, site: m.Site, env, html: str | None = None) -> bytes:
    """The card as a one-page PDF, or BuildFailed naming what overflows and by how much.
    html: the card's HTML, when already rendered (it is what the card is cached by)."""
    if html is None:
        html = card_html(card, paper, site, env)
    templates = env.loader.templates  # templating.make_environment's: the bytes the build read
    budget = LAYOUT_BUDGET // len(card.columns)
    if _capped(html, budget) is not None:
        # Laying out a card is slow, and pages past the first slower still (minutes for a
        # few thousand tips): a card with much more text than one page holds is measured
        # cut down first. It is laid out whole only when even the cut-down card fits.
        tall = _layout(_capped(card_html(card, _endless(paper), site, env), budget), templates)
        problems = _legibility_problems(tall) + _overflow(card, paper, tall, cut=True)
        if problems:
            _refuse(card, paper, problems)
    document = _layout(html, templates)
    problems = _legibility_problems(document)
    if len(document.pages) != 1:
        tall = _layout(card_html(card, _endless(paper), site, env), templates)
        problems += _overflow(card, paper, tall) or [
            ("the card does not fit on one page", "shorten the card's blocks")]
    if problems:
        _refuse(card, paper, problems)
    return document.write_pdf()


def _layout(html: str, templates: Templates):
    """The card laid out; CardResourceRefused if it asked for anything but a static file."""
    from weasyprint import HTML  # imported here: it is slow to load and only cards need it

    resources = _Resources(templates)
    document = HTML(string=html, base_url=resources.base_url,
                    url_fetcher=resources.fetcher()).render()
    if resources.refused:
        raise CardResourceRefused(
            f"the card templates ask for {resources.refused[0]} but a card may use only the "
            f"templates' static files (hint: put the file in {templates.folder}/static/ and "
            f"name it static/<file name>)")
    return document


def _refuse(card: m.Card, paper: Paper, problems: list[tuple[str, str]]) -> None:
    path, line, col = card.declared_at
    raise BuildFailed([ContentError(path, line, col, f"card '{card.title}' on {paper.name}: {p}",
                                    hint) for p, hint in problems])


class CardResourceRefused(SetupProblem):
    """The card templates name a file or URL that is not one of the templates' static files."""


class _Resources:
    """What WeasyPrint may read while it lays out a card: the templates' static files, from
    the bytes the build read (which the card's cache key covers), never from the disk or
    the network. Any other URL is noted and refused."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates
        self.base_url = templates.folder.resolve().as_uri() + "/"
        """What relative URLs in the card are read against: the templates folder."""
        self.refused: list[str] = []

    def read(self, url: str) -> tuple[bytes, str]:
        """A static file's bytes and type, by its URL; ValueError for any other URL."""
        if url.startswith(self.base_url):
            name = unquote(urlsplit(url.removeprefix(self.base_url)).path)
            if name.startswith("static/") and name in self.templates.files:
                return (self.templates.files[name],
                        mimetypes.guess_type(name)[0] or "application/octet-stream")
        self.refused.append(url)
        # WeasyPrint reports a resource it cannot have as a warning and goes on without it;
        # _layout then refuses the card.
        raise ValueError(f"not one of the templates' static files: {url}")

    def fetcher(self):
        """self.read in the form the installed WeasyPrint calls."""
        try:
            return _fetcher_class()(self)
        except ImportError:  # before WeasyPrint 70: a function that gives a dict
            def fetch(url: str, *args, **kwargs) -> dict:
                body, mime_type = self.read(url)
                return {"string": body, "mime_type": mime_type, "redirected_url": url}
            return fetch


@lru_cache(maxsize=1)
def _fetcher_class():
    """_Resources behind WeasyPrint 70's fetcher interface, weasyprint.urls.URLFetcher (a
    plain function, as earlier versions take, fails there with AttributeError)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def __init__(self, resources: _Resources) -> None:
            super().__init__()
            self.resources = resources

        def fetch(self, url, headers=None):  # all it reads: never through urllib
            body, mime_type = self.resources.read(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return Fetcher


def _boxes_in_place(box, right_edge: float, block_id: str = ""):
    """Every layout box with the right edge it must stay within and the card block it is in.

    The edge is the page's, then the column's once inside one: a table too wide for its
    column would otherwise print over its neighbour.
    """
    element = getattr(box, "element", None)
    element_id = element.get("id", "") if element is not None else ""
    if element_id.startswith("block-"):
        block_id = element_id.removeprefix("block-")
    elif element_id.startswith("sheet-column-"):
        right_edge = box.content_box_x() + box.width
    yield box, right_edge, block_id
    for child in getattr(box, "children", ()):
        yield from _boxes_in_place(child, right_edge, block_id)


def _legibility_problems(document) -> list[tuple[str, str]]:
    """Text below the minimum size, characters no installed font can print, or text and
    tables reaching past their column or page."""
    from weasyprint.formatting_structure.boxes import TableBox, TextBox

    small: dict[str, float] = {}
    beyond: dict[str, float] = {}
    missing: dict[str, str] = {}
    for page in document.pages:
        page_box = page._page_box
        page_edge = page_box.content_box_x() + page_box.width
        for box, right_edge, block_id in _boxes_in_place(page_box, page_edge):
            if isinstance(box, TextBox) and box.text.strip():
                size = box.style["font_size"] / PX_PER_PT
                if size < MIN_FONT_PT - 0.01:
                    small[block_id] = min(size, small.get(block_id, size))
                if not box.text.isascii() and _unknown_glyphs(box):
                    missing[block_id] = missing.get(block_id, "") + box.text
            elif not isinstance(box, TableBox):
                continue
            overhang = box.border_box_x() + box.border_width() - right_edge
            if overhang > 0.5:
                beyond[block_id] = max(overhang, beyond.get(block_id, 0))
    problems = []
    for block_id, size in sorted(small.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        problems.append((f"text in {where} is set at {size:.1f} pt, below the "
                         f"{MIN_FONT_PT:g} pt legible minimum", "raise the font sizes in templates/card.css"))
    for block_id, text in sorted(missing.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        characters = "".join(_without_font(text)) or text.strip()[:40]
        problems.append((f"text in {where} has characters no installed font can print, "
                         f"which would print as empty boxes: {characters}",
                         "install a font that has them (Chinese, Japanese and Korean: Debian "
                         "package fonts-noto-cjk), or leave them off the card"))
    for block_id, overhang in sorted(beyond.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        problems.append((f"{where} is {overhang / PX_PER_MM:.1f} mm too wide for its column or page",
                         "shorten its longest word or line, give it a column of its own, or use "
                         "fewer columns"))
    return problems


@lru_cache(maxsize=1)  # a library handle, the same for the whole process
def _pango():
    """Pango's library through ctypes, for the one call WeasyPrint's bindings do not declare."""
    import ctypes.util

    pango = ctypes.CDLL(ctypes.util.find_library("pango-1.0"))  # WeasyPrint's, loaded
    pango.pango_layout_get_unknown_glyphs_count.argtypes = [ctypes.c_void_p]
    pango.pango_layout_get_unknown_glyphs_count.restype = ctypes.c_int
    return pango


def _unknown_glyphs(box) -> int:
    """How many characters of a laid-out text box Pango found no glyph for in any font:
    it draws each as an empty box. The box's layout is made again to ask, as drawing does."""
    from weasyprint.text.ffi import ffi

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        return _pango().pango_layout_get_unknown_glyphs_count(
            int(ffi.cast("uintptr_t", layout.layout)))
    finally:
        layout.deactivate()


def _without_font(text: str) -> list[str]:
    """The characters of text that no installed font has, as fontconfig says."""
    found = []
    for character in dict.fromkeys(text):
        if character.isascii() or character.isspace():
            continue
        fonts = subprocess.run(["fc-list", f":charset={ord(character):x}", "family"],
                               capture_output=True, text=True).stdout
        if not fonts.strip():
            found.append(character)
    return found


def _endless(paper: Paper) -> Paper:
    """The paper as wide, and so long that the columns can be measured against the real one."""
    return replace(paper, css_size=f"{paper.width_mm}mm {ENDLESS_MM}mm")


def _capped(html: str, budget: int) -> str | None:
    """The card's HTML with its heading and each column cut off after `budget` characters
    of text (an element counts as ELEMENT_WEIGHT of them), or None when none is that long.

    A cut-down column is as long as the start of the real one, so when it overflows the
    real column overflows by at least as much.
    """
    import lxml.html

    root = lxml.html.document_fromstring(html)
    cut = False
    for column in root.xpath('//*[@id="sheet-header" or starts-with(@id, "sheet-column-")]'):
        left = budget
        for element in column.iter():
            left -= ELEMENT_WEIGHT + len(element.text or "") + len(element.tail or "")
            if left < 0:
                _cut_after(element, column, len(element.text or "") + left)
                cut = True
                break
    if not cut:
        return None
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode")


def _cut_after(element, column, keep: int) -> None:
    """Removes from column what follows the first `keep` characters of element's text."""
    element.text = (element.text or "")[:max(0, keep)]
    for child in list(element):
        element.remove(child)
    node = element
    while node is not column:
        node.tail = None
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent


def _overflow(card: m.Card, paper: Paper, tall, cut: bool = False) -> list[tuple[str, str]]:
    """Each column of the card laid out on the endless sheet (tall) that reaches past the
    real page area, with the blocks cut off; cut: the columns were cut down (_capped)."""
    page = tall.pages[0]
    boxes = {box.element.get("id"): box for box in page._page_box.descendants()
             if getattr(box, "element", None) is not None and box.element.get("id")}
    if "sheet-body" not in boxes:  # not even begun on the endless sheet's first page
        return [("the card does not fit on one page", "shorten the card's blocks")]
    body = boxes["sheet-body"]
    # Page-area bottom on the real sheet, measured from where the columns start.
    available = paper.height_mm * PX_PER_MM - page._page_box.margin_bottom - body.position_y
    if available <= 0:
        return [("the card's heading alone is taller than the page",
                 "shorten the card's title and subtitle")]
    # Cut down, or run past the endless sheet: what is measured is the start of a column.
    at_least = "at least " if cut or len(tall.pages) > 1 else ""

    def overshoot(element_id: str) -> float:
        """How far the element's bottom lies below the real page area (negative: inside
        it); one not on the sheet (cut, or past its end) lies below the page."""
        box = boxes.get(element_id)
        if box is None:
            return ENDLESS_MM * PX_PER_MM
        return box.position_y + box.margin_height() - body.position_y - available

    problems = []
    for index, column in enumerate(card.columns, 1):
        over = overshoot(f"sheet-column-{index}")
        if over > 0.5:
            cut_off = [block.id for block in column if overshoot(f"block-{block.id}") > 0]
            problems.append((
                f"column {index} ({', '.join(b.id for b in column)}) overflows the page by "
                f"{at_least}{over / PX_PER_MM:.1f} mm; cut off: {', '.join(cut_off)}",
                "move a block to a shorter column, split it, or leave it off the card"))
    return problems


def _render_job(job: tuple[m.Card, Paper, m.Site, Templates, str]) -> tuple[bytes, list]:
    """One card on one paper, possibly in a worker process: the PDF of the HTML the card is
    keyed by, or the errors found."""
    card, paper, site, templates, html = job
    try:
        return render_card(card, paper, site, make_environment(templates), html), []
    except BuildFailed as failure:
        return b"", failure.errors


def render_cards(site: m.Site, templates: Templates | Path, cache: Cache | None = None,
                 jobs: int = 1) -> dict[str, bytes]:
    """Every card on every paper size, keyed by output path; all failures reported together.
    Cards not in the cache are laid out in up to `jobs` processes at once."""
    layout = CardLayout(site, templates, cache, jobs if jobs > 1 else 0)
    try:
        return layout.result()
    finally:
        layout.close()


class KeptCardWorkers:
    """Card workers that stay between the builds of a process that builds again and again
    (sitegen serve, through its session.BuildSession), WeasyPrint loaded: the two paper sizes
    of an edited card are then laid out at once, without a second of start-up each time."""

    def __init__(self, processes: int) -> None:
        """Starts them, each loading WeasyPrint before its first card."""
        self.processes = processes
        """How many were asked for: a killed one is replaced by as many."""
        self.pool: ProcessPoolExecutor | None = None
        """The workers; None once stopped."""
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("forkserver")
        self.pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=context,
                                        initializer=_load_weasyprint)
        for _ in range(self.processes):  # workers start on demand: one job each starts them all
            self.pool.submit(_load_weasyprint)

    def renew(self) -> None:
        """New workers in place of ones of which one was killed (out of memory, say)."""
        self.stop()
        self._start()

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _load_weasyprint() -> None:
    import weasyprint  # noqa: F401


class CardLayout:
    """The cards of a build, started as soon as the site is validated and collected when the
    rest of the build is done: laying out a card is independent of the pages and diagrams.

    A card is keyed by its full HTML (content, templates and styles) and the generator
    (which covers the WeasyPrint version), so WeasyPrint is not even loaded when no card
    changed. With processes=0 the cards that did change are laid out in this process by
    result() (where WeasyPrint may already be loaded); otherwise in up to that many worker
    processes, started here, or in the kept workers when given some.
    """

    def __init__(self, site: m.Site, templates: Templates | Path, cache: Cache | None,
                 processes: int, kept: KeptCardWorkers | None = None) -> None:
        self._cache = cache or Cache(None)
        self._kept = kept
        templates = Templates.of(templates)
        env = make_environment(templates, self._cache.compiled_templates)
        self._found: dict[str, bytes] = {}
        self._to_render: list[tuple[str, str, tuple]] = []  # (path, key, job)
        # A card may show the templates' static files (_Resources): a changed one is a new card.
        static = digest(*[part for name, data in templates.files.items()
                          if name.startswith("static/") for part in (name, data)])
        for card in site.cards:
            # A worker needs only the card's own topic.
            own = replace(site, topics=(card.topic,), cards=(card,))
            for paper in PAPER_SIZES:
                path = card_path(card, paper)
                html = card_html(card, paper, site, env)
                key = digest(generator_fingerprint(), paper.slug, html, static)
                found = self._cache.get("card", key)
                if found is not None:
                    self._found[path] = found
                else:
                    self._to_render.append((path, key, (card, paper, own, templates, html)))
        if self._to_render:
            check_card_font()
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list = []
        if self._to_render and processes > 0:
            try:
                self._start(processes)
            except BrokenProcessPool:  # a kept worker was killed while idle
                if kept is not None:
                    kept.renew()
                try:
                    self._start(processes)
                except BrokenProcessPool:  # result() lays the cards out here
                    self._pool, self._futures = None, []

    def _start(self, processes: int) -> None:
        # WeasyPrint is pure Python: only processes lay out cards beside the build.
        if self._kept is not None and self._kept.pool is not None:
            self._pool = self._kept.pool
        else:
            with starting_workers():
                start_fork_server()
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                max_workers=min(processes, len(self._to_render)), mp_context=context,
                initializer=start_worker)
        with starting_workers():
            self._futures = [self._pool.submit(_render_job, job) for _, _, job in self._to_render]

    def result(self) -> dict[str, bytes]:
        """The cards by output path; BuildFailed listing every card that did not fit."""
        if self._pool is not None:
            try:
                results = [future.result() for future in self._futures]
            except BrokenProcessPool:  # a worker was killed (out of memory, say): lay out here
                if self._in_kept_workers():  # new ones for the next build
                    self._kept.renew()
                self._pool = None
                results = [_render_job(job) for _, _, job in self._to_render]
        else:
            results = [_render_job(job) for _, _, job in self._to_render]
        outputs, errors = dict(self._found), []
        for (path, key, _), (pdf, problems) in zip(self._to_render, results):
            if problems:
                errors.extend(problems)
                continue
            self._cache.put("card", key, pdf)
            outputs[path] = pdf
        if errors:
            raise BuildFailed(errors)
        return {path: outputs[path] for path in sorted(outputs)}

    def close(self) -> None:
        """Stops the workers, or leaves the kept ones to the next build; cards not yet
        started are dropped (a failed build's)."""
        if self._in_kept_workers():
            for future in self._futures:
                future.cancel()
        elif self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def _in_kept_workers(self) -> bool:
        return (self._pool is not None and self._kept is not None
                and self._pool is self._kept.pool)


def produce_cards(job, made):
    """The cards producer: the PDFs the build's card layout has been making since the site
    was validated."""
    from .pipeline import Produced

    return Produced(job.card_layout.result())
