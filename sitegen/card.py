"""The printable quick-reference card: HTML laid out by WeasyPrint, checked to fit one page."""

from __future__ import annotations

import mimetypes
import multiprocessing
import os
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .records import frozen
from . import model as m
from .cache import Cache, digest, generator_fingerprint
from .errors import BuildFailed, ContentError, MissingTool, SetupProblem
from .sources import Templates
from .templating import make_environment
from .stopping import starting_workers
from .workers import start_fork_server, start_worker

MIN_FONT_PT = 7.0
DESIGN_PT = 8.0
"""The body text size card.css is written at; every other size scales with it."""
SIZE_STEP_PT = 0.25
"""The sizes a card may settle on: the design size, then down by this much to the floor."""
MAX_LAYOUTS = 8
"""At most this many layouts per card and paper while it is fitted (the design size, the
measurements on the endless sheet, the final page): a card that fits at the design size
with the widths set takes one."""
MIN_COLUMN_SHARE = 0.5
"""A column whose width the fitting chooses keeps at least this share of an equal one."""
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


@frozen
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


PAPER_SIZES = (
    Paper("A4", "a4", "297mm 210mm", 297, 210),
    Paper("US Letter", "letter", "11in 8.5in", 279.4, 215.9),
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


@frozen
class Fit:
    """The type size and column widths a card is laid out at."""

    size_pt: float
    """Body text size; card.css scales every size by size_pt / DESIGN_PT."""
    widths: tuple[float, ...]
    """Each column's share of the columns' width (adding up to 1)."""

    @property
    def scale(self) -> float:
        return self.size_pt / DESIGN_PT

    def describe(self) -> str:
        """E.g. "7.5 pt, columns 40/30/30%"."""
        shares = "/".join(f"{round(w * 100):d}" for w in self.widths)
        return f"{self.size_pt:g} pt, columns {shares}%"


def design_fit(card: m.Card) -> Fit:
    """The design size, with the widths the author set and equal shares of the rest."""
    given = card.widths or (None,) * len(card.columns)
    free = [w for w in given if w is None]
    rest = (1 - sum(w for w in given if w is not None)) / len(free) if free else 0
    widths = [rest if w is None else w for w in given]
    total = sum(widths) or 1
    return Fit(DESIGN_PT, tuple(round(w / total, 4) for w in widths))


def page_url(card: m.Card, site_url: str) -> str:
    """The public address of the card's topic page, or "" without a base URL."""
    return f"{site_url}topics/{card.topic.slug}.html" if site_url else ""


@lru_cache(maxsize=16)
def qr_svg(url: str) -> str:
    """A QR code of url as inline SVG markup: drawn here, from the address alone, so the
    card's fetcher never reads it (it refuses every URL but the templates' static files)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    # svg_inline writes only a <path> of the modules: no text of the URL, nothing to escape.
    return code.svg_inline(scale=1, border=0, omitsize=True, dark="#000")


def card_html(card: m.Card, paper: Paper, site: m.Site, env, fit: Fit | None = None,
              url: str = "") -> str:
    """The card's HTML at a fit (the design size by default); url: its topic's address."""
    fit = fit or design_fit(card)
    scale = fit.scale

    def pt(size: float) -> str:
        return f"{max(MIN_FONT_PT, round(size * scale, 2)):g}pt"

    def mm(length: float) -> str:
        return f"{round(length * scale, 3):g}mm"

    css = env.get_template("card.css").render(paper=paper, font=CARD_FONT, card=card, pt=pt, mm=mm)
    return env.get_template("card.html").render(card=card, paper=paper, site=site, css=css,
                                                topic=card.topic, fit=fit, page_url=url,
                                                qr_svg=qr_svg(url) if url else "")


def render_card(card: m.Card, paper: Paper, site: m.Site, env, html: str | None = None,
                url: str = "") -> bytes:
    """The card as a one-page PDF, or BuildFailed naming what overflows and by how much."""
    return fit_card(card, paper, site, env, html, url).pdf


@frozen
class FittedCard:
    """A card laid out on one page."""

    pdf: bytes
    """The tagged PDF."""
    fit: Fit
    """The size and widths it settled on."""
    layouts: int
    """How many layouts it took."""


def fit_card(card: m.Card, paper: Paper, site: m.Site, env, html: str | None = None,
             url: str = "") -> FittedCard:
    """The card at the largest type size (from DESIGN_PT down to MIN_FONT_PT) and the column
    widths at which it fits one page; BuildFailed naming what overflows, and by how much,
    when nothing fits at the floor. html: the card's HTML at the design size, when already
    rendered (it is what the card is cached by)."""
    design = design_fit(card)
    if html is None:
        html = card_html(card, paper, site, env, design, url)
    templates = env.loader.templates  # templating.make_environment's: the bytes the build read
    search = _FitSearch(card, paper, site, env, templates, url)
    budget = LAYOUT_BUDGET // len(card.columns)
    if _capped(html, budget) is not None:
        # Laying out a card is slow, and pages past the first slower still (minutes for a
        # few thousand tips): a card with much more text than one page holds is measured
        # cut down first, at the floor. It is fitted whole only when the cut-down card could.
        floor = replace(design, size_pt=MIN_FONT_PT)
        tall = search.tall(floor, cut=budget)
        if tall.legibility or not search.could_fit(floor, tall):
            _refuse(card, paper, tall.legibility + _overflow(card, tall, cut=True))
    document = _layout(html, templates)
    search.layouts += 1
    problems = _legibility_problems(document, card)
    if len(document.pages) == 1 and not problems:
        return FittedCard(_write_pdf(document), design, search.layouts)
    if any(not problem.too_wide for problem in problems):  # no size or width can mend these
        _refuse(card, paper, [p for p in problems if not p.too_wide])
    return search.run(design)


def _write_pdf(document) -> bytes:
    # Tagged PDF/UA-1: headings, lists and tables in a structure tree, in the order of the
    # HTML (header, the blocks on top, each column top to bottom, those below, the footer),
    # the language from <html lang> and the <title> shown as the window title.
    return document.write_pdf(pdf_variant="pdf/ua-1")


@frozen
class Measured:
    """A card laid out on the endless sheet, measured against the real page."""

    fit: Fit
    heights: tuple[float, ...]
    """Each column's height (px), from the top of the columns."""
    limit: float
    """How tall the columns may be on the real page (px)."""
    head: float
    """Height above the columns: the header and the blocks on top (px)."""
    foot: float
    """Height of the blocks below the columns (px)."""
    body_width: float
    """Width of the columns together, with the gaps between them (px)."""
    gap: float
    """The gap between two columns (px)."""
    overhang: tuple[float, ...]
    """How far each column's widest block reaches past it (px), 0 for none."""
    legibility: list
    """Problems of text (too small, no glyph) and of width no column can mend."""
    too_wide: list
    """Blocks too wide for their column (Problems)."""
    complete: bool
    """Whether the whole card was laid out on the endless sheet's first page."""
    boxes: dict
    """Layout boxes by element id, for saying what overflows."""
    at_least: bool = False
    """The card was cut down or ran past the endless sheet: what is measured is its start."""

    @property
    def fits(self) -> bool:
        return (self.complete and not self.legibility and not self.too_wide
                and max(self.heights, default=0) <= self.limit + 0.5)


class _FitSearch:
    """Finds the largest size and the widths at which a card fits: it lays the card out on
    the endless sheet, measures each column, and from that predicts the size and widths to
    try next (a column's text keeps about its area when its width changes, and the area
    grows with the square of the size); at most MAX_LAYOUTS layouts, always the same ones
    for the same card."""

    def __init__(self, card, paper, site, env, templates, url) -> None:
        self.card, self.paper, self.site, self.env = card, paper, site, env
        self.templates, self.url = templates, url
        self.layouts = 0
        self.sizes = [round(DESIGN_PT - SIZE_STEP_PT * i, 2)
                      for i in range(int(round((DESIGN_PT - MIN_FONT_PT) / SIZE_STEP_PT)) + 1)]

    def tall(self, fit: Fit, cut: int | None = None) -> Measured:
        html = card_html(self.card, _endless(self.paper), self.site, self.env, fit, self.url)
        if cut is not None:
            html = _capped(html, cut) or html
        self.layouts += 1
        return _measure(self.card, self.paper, fit, _layout(html, self.templates),
                        at_least=cut is not None)

    def predict(self, size: float, measured: Measured) -> tuple[Fit, bool]:
        """The widths for size that even out the columns' heights, as measured, and whether
        the card is then expected to fit."""
        card, k = self.card, size / measured.fit.size_pt
        n = len(card.columns)
        was = measured.body_width - (n - 1) * measured.gap  # the columns' width, measured
        width = measured.body_width - (n - 1) * measured.gap * k  # gaps scale with the size
        given = card.widths or (None,) * n
        need = [h * share * was * k * k for h, share in zip(measured.heights, measured.fit.widths)]
        lower = []
        for share, over in zip(measured.fit.widths, measured.overhang):
            lower.append(max(MIN_COLUMN_SHARE * width / n,
                             (share * was + over) * k + 1.5 * PX_PER_MM if over else 0))
        chosen = [given[i] * width if given[i] is not None else 0.0 for i in range(n)]
        free = [i for i in range(n) if given[i] is None]
        if free:
            shared = _share_out(width - sum(chosen), [need[i] for i in free],
                                [lower[i] for i in free])
            for i, value in zip(free, shared):
                chosen[i] = value
        total = sum(chosen) or 1
        widths = tuple(round(c / total, 4) for c in chosen)
        heights = [need[i] / max(1e-9, widths[i] * width) for i in range(n)]
        limit = measured.limit + (measured.head + measured.foot) * (1 - k)
        wide_enough = all(widths[i] * width + 0.5 >= lower[i]
                          for i in range(n) if measured.overhang[i])
        unmendable = any(p.column is None for p in measured.too_wide)
        return (Fit(size, widths),
                wide_enough and not unmendable and max(heights, default=0) <= 0.985 * limit)

    def could_fit(self, fit: Fit, measured: Measured) -> bool:
        return self.predict(fit.size_pt, measured)[1]

    def run(self, design: Fit) -> FittedCard:
        measured = [self.tall(design)]
        best: Measured | None = None
        failed: set[float] = set()
        tried: set[Fit] = {design}
        attempts: dict[float, int] = {}
        while self.layouts < MAX_LAYOUTS - 1:
            open_sizes = [s for s in self.sizes if s not in failed
                          and (best is None or s > best.fit.size_pt)]
            if not open_sizes:
                break
            predictions = {s: self.predict(s, _nearest(measured, s)) for s in open_sizes}
            hopeful = [s for s in open_sizes if predictions[s][1]]
            size = max(hopeful) if hopeful else min(open_sizes)
            fit = predictions[size][0]
            if fit in tried:
                failed.update(s for s in self.sizes if s >= size)
                continue
            tried.add(fit)
            result = self.tall(fit)
            measured.append(result)
            if result.fits:
                best = result
                continue
            attempts[size] = attempts.get(size, 0) + 1
            if attempts[size] >= 2 or not hopeful and size == MIN_FONT_PT and attempts[size] >= 2:
                failed.update(s for s in self.sizes if s >= size)
        while best is not None:
            document = _layout(card_html(self.card, self.paper, self.site, self.env, best.fit,
                                         self.url), self.templates)
            self.layouts += 1
            if len(document.pages) == 1 and not _legibility_problems(document, self.card):
                return FittedCard(_write_pdf(document), best.fit, self.layouts)
            smaller = [s for s in self.sizes if s < best.fit.size_pt]
            if not smaller or self.layouts >= MAX_LAYOUTS + 2:
                break
            best = replace(best, fit=replace(best.fit, size_pt=smaller[0]))
        # Nothing fits: say what overflows at the floor with the widths the author set (or
        # equal ones): a column squeezed by the search would only add its own complaints.
        floor = replace(design, size_pt=MIN_FONT_PT)
        at_floor = next((r for r in measured if r.fit == floor), None) or self.tall(floor)
        _refuse(self.card, self.paper, at_floor.legibility + at_floor.too_wide
                + _overflow(self.card, at_floor) or [_Problem(
                    "the card does not fit on one page even at "
                    f"{MIN_FONT_PT:g} pt", "shorten the card's blocks")])


def _nearest(measured: list[Measured], size: float) -> Measured:
    """The measurement at the size nearest to size (the latest of equals)."""
    return min(reversed(measured), key=lambda r: abs(r.fit.size_pt - size))


def _overshoot(measured: Measured) -> float:
    return max(measured.heights, default=0) - measured.limit


def _share_out(room: float, need: list[float], lower: list[float]) -> list[float]:
    """Widths adding up to room that make need[i] / width[i] (a column's height) as even as
    they can be, none below lower[i]."""
    if sum(lower) >= room or not any(need):
        total = sum(lower) or 1
        return [room * low / total for low in lower] if any(lower) else [room / len(need)] * len(need)

    def widths(height: float) -> list[float]:
        return [max(low, want / height) for want, low in zip(need, lower)]

    low_h, high_h = 1e-6, max(need) / min(lower) + 1
    for _ in range(80):  # bisection on the common height: deterministic, and quick enough
        middle = (low_h + high_h) / 2
        if sum(widths(middle)) > room:
            low_h = middle
        else:
            high_h = middle
    found = widths(high_h)
    spare = room - sum(found)
    return [w + spare / len(found) for w in found]


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


class _Problem(NamedTuple):
    """Something that keeps a card off its page."""

    message: str
    hint: str
    too_wide: bool = False
    """A block reaching past its column or the page, which a wider column may mend."""
    column: int | None = None
    """For one too wide: the index of its column; None for a block across all of them."""
    amount: float = 0
    """For one too wide: by how much (px)."""


def _refuse(card: m.Card, paper: Paper, problems: list[_Problem]) -> None:
    path, line, col = card.declared_at
    raise BuildFailed([ContentError(path, line, col,
                                    f"card '{card.title}' on {paper.name}: {p.message}", p.hint)
                       for p in problems])


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


def _boxes_in_place(box, right_edge: float, block_id: str = "", cell=None):
    """Every layout box with the right edge it must stay within, the card block it is in
    and the table cell it is in (or None).

    The edge is the page's, then the column's once inside one: a table too wide for its
    column would otherwise print over its neighbour.
    """
    from weasyprint.formatting_structure.boxes import TableCellBox

    element = getattr(box, "element", None)
    element_id = element.get("id", "") if element is not None else ""
    if element_id.startswith("block-"):
        block_id = element_id.removeprefix("block-")
    elif element_id == "sheet-notes":
        block_id = "notes"
    elif element_id.startswith("sheet-column-"):
        right_edge = box.content_box_x() + box.width
    if isinstance(box, TableCellBox):
        cell = box
    yield box, right_edge, block_id, cell
    for child in getattr(box, "children", ()):
        yield from _boxes_in_place(child, right_edge, block_id, cell)


def _text_of(box) -> str:
    from weasyprint.formatting_structure.boxes import TextBox

    return " ".join(" ".join(b.text for b in box.descendants()
                             if isinstance(b, TextBox)).split())


def _legibility_problems(document, card: m.Card | None = None) -> list[_Problem]:
    """Text below the minimum size, characters no installed font can print, or text and
    tables reaching past their column or page (naming the widest word, and its cell)."""
    from weasyprint.formatting_structure.boxes import TableBox, TextBox

    small: dict[str, float] = {}
    beyond: dict[str, float] = {}
    missing: dict[str, str] = {}
    widest: dict[tuple[str, bool], tuple[float, str, object]] = {}  # (block, in a cell): ...
    tables: set[str] = set()  # blocks with a table too wide
    for page in document.pages:
        page_box = page._page_box
        page_edge = page_box.content_box_x() + page_box.width
        for box, right_edge, block_id, cell in _boxes_in_place(page_box, page_edge):
            if isinstance(box, TextBox) and box.text.strip():
                size = box.style["font_size"] / PX_PER_PT
                if size < MIN_FONT_PT - 0.01:
                    small[block_id] = min(size, small.get(block_id, size))
                if not box.text.isascii() and _unknown_glyphs(box):
                    missing[block_id] = missing.get(block_id, "") + box.text
                word = max(box.text.split(), key=len)
                word_width = box.width * len(word) / max(1, len(box.text))
                where = (block_id, cell is not None)  # a table is widened by its cells' words
                if word_width > widest.get(where, (0,))[0]:
                    widest[where] = (word_width, word, cell)
            elif not isinstance(box, TableBox):
                continue
            overhang = box.border_box_x() + box.border_width() - right_edge
            if overhang > 0.5:
                beyond[block_id] = max(overhang, beyond.get(block_id, 0))
                if isinstance(box, TableBox):
                    tables.add(block_id)
    problems = []
    for block_id, size in sorted(small.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        problems.append(_Problem(f"text in {where} is set at {size:.1f} pt, below the "
                                 f"{MIN_FONT_PT:g} pt legible minimum",
                                 "raise the font sizes in templates/card.css"))
    for block_id, text in sorted(missing.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        characters = "".join(_without_font(text)) or text.strip()[:40]
        problems.append(_Problem(f"text in {where} has characters no installed font can print, "
                                 f"which would print as empty boxes: {characters}",
                                 "install a font that has them (Chinese, Japanese and Korean: "
                                 "Debian package fonts-noto-cjk), or leave them off the card"))
    columns = {block.id: index for index, column in enumerate(card.columns if card else ())
               for block in column}
    if card and card.notes:
        columns["notes"] = len(card.columns) - 1
    for block_id, overhang in sorted(beyond.items()):
        where = f"block '{block_id}'" if block_id else "the card"
        what = ""
        found = widest.get((block_id, block_id in tables))
        if found:
            _, word, cell = found
            what = f"; its widest word is '{_short(word)}'"
            if cell is not None:
                what += f", in the cell '{_short(_text_of(cell))}'"
        problems.append(_Problem(
            f"{where} is {overhang / PX_PER_MM:.1f} mm too wide for its column or page{what}",
            "shorten that word (or put a space or hyphen in it), give the block a column of "
            "its own or a wider one (width: 50%), or use fewer columns",
            too_wide=True, column=columns.get(block_id), amount=overhang))
    return problems


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


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


def _measure(card: m.Card, paper: Paper, fit: Fit, tall, at_least: bool = False) -> Measured:
    """The card laid out on the endless sheet (tall), measured against the real page."""
    page = tall.pages[0]
    boxes = {box.element.get("id"): box for box in page._page_box.descendants()
             if getattr(box, "element", None) is not None and box.element.get("id")}
    problems = _legibility_problems(tall, card)
    too_wide = [p for p in problems if p.too_wide]
    n = len(card.columns)
    overhang = [0.0] * n
    for problem in too_wide:
        if problem.column is not None:
            overhang[problem.column] = max(overhang[problem.column], problem.amount)
    body = boxes.get("sheet-body")
    if body is None:  # not even begun on the endless sheet's first page
        return Measured(fit, (ENDLESS_MM * PX_PER_MM,) * n, 0, 0, 0, 1, 0, tuple(overhang),
                        [p for p in problems if not p.too_wide], too_wide, False, boxes, True)
    page_top = page._page_box.content_box_y()
    bottom = boxes.get("sheet-bottom")
    foot = bottom.margin_height() if bottom is not None else 0
    limit = (paper.height_mm * PX_PER_MM - page._page_box.margin_bottom - body.position_y - foot)
    heights = []
    for index in range(1, n + 1):
        column = boxes.get(f"sheet-column-{index}")
        heights.append(ENDLESS_MM * PX_PER_MM if column is None else
                       column.position_y + column.margin_height() - body.position_y)
    columns = [boxes.get(f"sheet-column-{i}") for i in range(1, n + 1)]
    gap = (columns[1].position_x - columns[0].position_x - columns[0].margin_width()
           if n > 1 and columns[0] is not None and columns[1] is not None else 0)
    return Measured(fit, tuple(heights), limit, body.position_y - page_top, foot, body.width, gap,
                    tuple(overhang), [p for p in problems if not p.too_wide], too_wide,
                    len(tall.pages) == 1, boxes, at_least or len(tall.pages) > 1)


def _overflow(card: m.Card, measured: Measured, cut: bool = False) -> list[_Problem]:
    """Each column of the card, as measured on the endless sheet, that reaches past the
    real page area, with the blocks cut off; cut: the columns were cut down (_capped)."""
    boxes = measured.boxes
    if "sheet-body" not in boxes:
        return [_Problem("the card's heading and the blocks across the top do not fit on "
                         "one page", "shorten the card's title, or move blocks from 'top' "
                         "into the columns")]
    body = boxes["sheet-body"]
    if measured.limit <= 0:
        return [_Problem("the card's heading and the blocks across the top and bottom leave "
                         "no room for the columns", "move blocks from 'top' and 'bottom' into "
                         "the columns, or shorten the card's title and subtitle")]
    at_least = "at least " if cut or measured.at_least else ""
    size = f"{measured.fit.size_pt:g} pt"

    def overshoot(element_id: str) -> float:
        """How far the element's bottom lies below the real page area (negative: inside
        it); one not on the sheet (cut, or past its end) lies below the page."""
        box = boxes.get(element_id)
        if box is None:
            return ENDLESS_MM * PX_PER_MM
        return box.position_y + box.margin_height() - body.position_y - measured.limit

    problems = []
    for index, column in enumerate(card.columns, 1):
        over = measured.heights[index - 1] - measured.limit
        if over > 0.5:
            ids = [block.id for block in column] + (["notes"] if card.notes and index == len(card.columns) else [])
            cut_off = [block_id for block_id in ids if overshoot(
                "sheet-notes" if block_id == "notes" and card.notes else f"block-{block_id}") > 0]
            problems.append(_Problem(
                f"column {index} ({', '.join(ids)}) overflows the page by "
                f"{at_least}{over / PX_PER_MM:.1f} mm even at {size} in a column "
                f"{round(measured.fit.widths[index - 1] * 100)}% wide; cut off: {', '.join(cut_off)}",
                "move a block to a shorter column, pick some of its items "
                "({block: id, items: [1, 2]}), or leave it off the card"))
    return problems


def _render_job(job: tuple) -> tuple[bytes, Fit | None, int, list]:
    """One card on one paper, possibly in a worker process: the PDF of the HTML the card is
    keyed by, the fit it settled on and the layouts it took, or the errors found."""
    card, paper, site, templates, html, url = job
    try:
        fitted = fit_card(card, paper, site, make_environment(templates), html, url)
    except BuildFailed as failure:
        return b"", None, 0, failure.errors
    return fitted.pdf, fitted.fit, fitted.layouts, []


def entry_bytes(pdf: bytes, fit: Fit) -> bytes:
    """A card's cache entry: the fit it settled on, "7.5 0.4,0.3,0.3", a newline, the PDF."""
    widths = ",".join(f"{w:g}" for w in fit.widths)
    return f"{fit.size_pt:g} {widths}\n".encode("ascii") + pdf


def entry_from_bytes(data: bytes | None, columns: int) -> tuple[bytes, Fit] | None:
    """The PDF and fit entry_bytes wrote, or None for anything else (the cache is data: a
    damaged or foreign entry is no entry)."""
    if data is None:
        return None
    line, _, pdf = data.partition(b"\n")
    try:
        size, widths = line.decode("ascii").split(" ")
        fit = Fit(float(size), tuple(float(w) for w in widths.split(",")))
    except (UnicodeDecodeError, ValueError):
        return None
    if (not MIN_FONT_PT <= fit.size_pt <= DESIGN_PT or len(fit.widths) != columns
            or not all(0 < w < 1.0001 for w in fit.widths) or not pdf.startswith(b"%PDF-")):
        return None
    return pdf, fit


def render_cards(site: m.Site, templates: Templates | Path, cache: Cache | None = None,
                 jobs: int = 1, site_url: str = "") -> dict[str, bytes]:
    """Every card on every paper size, keyed by output path; all failures reported together.
    Cards not in the cache are laid out in up to `jobs` processes at once."""
    layout = CardLayout(site, templates, cache, jobs if jobs > 1 else 0, site_url=site_url)
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

    A card is keyed by its full HTML at the design size (content, card options, the address
    and QR code of the base URL, templates and styles) and the generator (which covers the
    WeasyPrint version and the fitting), so WeasyPrint is not even loaded when no card
    changed; the size and widths it settled on are kept beside it. With processes=0 the cards that did change are laid out in this process by
    result() (where WeasyPrint may already be loaded); otherwise in up to that many worker
    processes, started here, or in the kept workers when given some.
    """

    def __init__(self, site: m.Site, templates: Templates | Path, cache: Cache | None,
                 processes: int, kept: KeptCardWorkers | None = None,
                 site_url: str = "") -> None:
        self._cache = cache or Cache(None)
        self._kept = kept
        templates = Templates.of(templates)
        env = make_environment(templates, self._cache.compiled_templates)
        self._found: dict[str, bytes] = {}
        self.fits: dict[str, tuple[Fit, int]] = {}
        """The fit each card settled on and the layouts it took (0: from the cache), by path;
        complete once result() has returned."""
        self._to_render: list[tuple[str, str, tuple]] = []  # (path, key, job)
        # A card may show the templates' static files (_Resources): a changed one is a new card.
        static = digest(*[part for name, data in templates.files.items()
                          if name.startswith("static/") for part in (name, data)])
        for card in site.cards:
            # A worker needs only the card's own topic.
            own = replace(site, topics=(card.topic,), cards=(card,))
            for paper in PAPER_SIZES:
                path = card_path(card, paper)
                url = page_url(card, site_url)
                html = card_html(card, paper, site, env, url=url)
                # The HTML holds everything that shapes the PDF but the fitting, which is
                # code (the generator): the content, the card's options, the address.
                key = digest(generator_fingerprint(), paper.slug, html, static, url)
                found = entry_from_bytes(self._cache.get("card", key), len(card.columns))
                if found is not None:
                    self._found[path] = found[0]
                    self.fits[path] = (found[1], 0)
                else:
                    self._to_render.append((path, key, (card, paper, own, templates, html, url)))
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
        for (path, key, _), (pdf, fit, layouts, problems) in zip(self._to_render, results):
            if problems:
                errors.extend(problems)
                continue
            self._cache.put("card", key, entry_bytes(pdf, fit))
            outputs[path] = pdf
            self.fits[path] = (fit, layouts)
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
