"""The whole guide as one book: a cover, the contents with page numbers, every topic with
every block, and an answer key, laid out by WeasyPrint as tagged PDF/UA-1 on A4 and Letter.

Made when site.yaml has `book:`. The PDFs are kept in the cache under a key of everything
they show (each topic's key, the site's fields, the templates, the diagrams, the paper), so
a build that changes none of it neither renders nor lays out the book; one that does lays
it out in worker processes while the pages and cards are made (see BookLayout).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup

from .records import frozen
from . import model as m
from .cache import Cache, digest, generator_fingerprint
from .card import (CARD_FONT, PX_PER_MM, Paper, _fetcher_class, _unknown_glyphs, _without_font,
                   check_card_font)
from .diagrams import RenderedDiagram, diagram_path
from .errors import BuildFailed, ContentError, SetupProblem
from .output import Product
from .sources import TOPICS_DIR, TOPIC_FILE, Templates
from .stopping import starting_workers
from .templating import make_environment
from .workers import start_fork_server, start_worker

# Portrait, unlike the cards: a book is read page after page.
BOOK_PAPERS = (
    Paper("A4", "a4", "210mm 297mm", 210, 297),
    Paper("US Letter", "letter", "8.5in 11in", 215.9, 279.4),
)
BOOK_FONT = CARD_FONT
RESOURCE_BASE = "file:///sitegen-book/"
"""What the diagrams are addressed by in the book's HTML. The book's fetcher answers these
addresses from the build's own SVGs and no other: nothing is read from the disk or the
network."""
ANSWER_TEMPLATES = "book_answers/"
"""templates/book_answers/<kind>.html: the answers of a kind that asks questions, for the
book's answer key. A kind without one has no answers to give."""


def book_path(paper: Paper) -> str:
    """Where the book's PDF goes, from the site root."""
    return f"guide-{paper.slug}.pdf"


class BookProblem(SetupProblem):
    """WeasyPrint could not lay out the book as its templates ask (an unknown CSS property,
    an image it may not read, a link to nowhere): the build stops rather than print less."""


@frozen
class BookDiagram:
    """A drawn diagram as the book shows it."""

    src: str
    """Its address in the book's HTML (see RESOURCE_BASE)."""


@frozen
class Chapter:
    """One topic as the book prints it."""

    topic: m.Topic
    html: Markup
    """The chapter: its heading, summary and every block, ids made the book's own."""
    answers: Markup
    """Its part of the answer key; empty for a topic that asks nothing."""


def book_key(site: m.Site, paper: Paper, templates: Templates, topic_keys: dict[str, str],
             diagrams: dict[tuple[str, str], RenderedDiagram], site_url: str) -> str:
    """A key of everything the book shows: the site's fields and book settings, each topic
    in order by its key (its files), the diagrams' keys, the templates, the paper and the
    address, and the generator (sitegen, WeasyPrint and the other libraries)."""
    return digest(generator_fingerprint(), templates.fingerprint, paper.slug, site_url,
                  repr((site.title, site.description, site.author, site.language, site.book)),
                  *[part for topic in site.topics
                    for part in (topic.slug, topic_keys.get(topic.slug) or repr(topic))],
                  *sorted(f"{slug} {block_id} {diagram.key}"
                          for (slug, block_id), diagram in diagrams.items()))


# Rendering ------------------------------------------------------------------------------

def render_book_html(site: m.Site, diagrams: dict[tuple[str, str], RenderedDiagram],
                     templates: Templates, env, site_url: str = "") -> BookDocument:
    """The book's HTML (without its paper's stylesheet) and the files it shows."""
    chapters, resources = [], {}
    answer_kinds = {name.removeprefix(ANSWER_TEMPLATES).removesuffix(".html")
                    for name in templates.files if name.startswith(ANSWER_TEMPLATES)}
    block_templates = {}
    for topic in site.topics:
        for block in topic.blocks:
            own = f"book_blocks/{block.kind}.html"
            block_templates[block.kind] = own if own in templates.files else f"blocks/{block.kind}.html"
    for topic in site.topics:
        placed = {}
        for block in topic.blocks:
            diagram = diagrams.get((topic.slug, block.id))
            if diagram is not None:
                src = RESOURCE_BASE + diagram_path(diagram)
                placed[block.id] = BookDiagram(src)
                resources[src] = diagram
        answered = [block for block in topic.blocks if block.kind in answer_kinds]
        context = dict(site=site, topic=topic, root="", diagrams=placed,
                       block_templates=block_templates, answered=answered)
        chapter = env.get_template("book_chapter.html").render(**context)
        answers = env.get_template("book_answers.html").render(**context) if answered else ""
        chapter, answers = _own_ids(topic.slug, (chapter, answers), site_url)
        chapters.append(Chapter(topic, Markup(chapter), Markup(answers)))
    return BookDocument(site, tuple(chapters), resources, site_url)


@frozen
class BookDocument:
    """The book's HTML, to be given its paper's stylesheet."""

    site: m.Site
    chapters: tuple[Chapter, ...]
    resources: dict[str, RenderedDiagram]
    """The diagrams it shows, by their address in it."""
    site_url: str

    def html(self, paper: Paper, env) -> str:
        css = env.get_template("book.css").render(paper=paper, font=BOOK_FONT)
        return env.get_template("book.html").render(
            site=self.site, book=self.site.book, chapters=self.chapters, css=Markup(css),
            site_url=self.site_url, answers=any(c.answers for c in self.chapters))


# Ids are a page's: a book of many topics holds the same block ids (exam-tips) many times.
_ID_LISTS = ("aria-labelledby", "aria-describedby", "aria-controls", "headers", "for")


def _own_ids(slug: str, fragments: tuple[str, ...], site_url: str) -> list[str]:
    """The topic's fragments with every id made the book's own (`<slug>--<id>`), every link
    to one of them following it, and the other links made absolute: a link to another page
    of the site points at its public address (with a base URL) or is left as text, and a
    link to a part of the page that does not exist is left as text too, as a PDF can only
    point at addresses."""
    import lxml.html

    roots = [lxml.html.fragment_fromstring(fragment, create_parent="div") if fragment else None
             for fragment in fragments]
    ids = {element.get("id") for root in roots if root is not None
           for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    page = urljoin(site_url, "topics/") if site_url else ""
    for root in roots:
        if root is None:
            continue
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.get("id"):
                element.set("id", f"{slug}--{element.get('id')}")
            for name in _ID_LISTS:
                if element.get(name):
                    element.set(name, " ".join(f"{slug}--{part}" for part in element.get(name).split()))
            href = element.get("href")
            if element.tag != "a" or href is None:
                continue
            if href.startswith("#"):
                if href[1:] in ids:
                    element.set("href", f"#{slug}--{href[1:]}")
                else:
                    del element.attrib["href"]
            elif not urlsplit(href).scheme:  # relative: a page of the site
                if page:
                    element.set("href", urljoin(page, href))
                else:
                    del element.attrib["href"]
    return [_inner_html(root) if root is not None else "" for root in roots]


def _inner_html(root) -> str:
    import html
    import lxml.html

    text = html.escape(root.text, quote=False) if root.text else ""
    return text + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


# Layout -----------------------------------------------------------------------------------

class _Resources:
    """What WeasyPrint may read while it lays out the book: the diagrams' SVGs, by their
    addresses in its HTML. Any other URL is refused, and the refusal stops the build."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.refused: list[str] = []

    def read(self, url: str) -> tuple[bytes, str]:
        if url in self.files:
            return self.files[url], "image/svg+xml"
        self.refused.append(url)
        raise ValueError(f"not a file of the book: {url}")

    def fetcher(self):
        return _fetcher_class()(self)


class _Collected(logging.Handler):
    """WeasyPrint's warnings and errors while it lays out: each would be something the book
    silently lacks (a style ignored, an image left out, a link to nowhere)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class LaidOut(NamedTuple):
    """One paper's book, laid out in this process or a worker."""

    pdf: bytes
    """The tagged PDF; b"" when there were problems."""
    pages: int
    problems: tuple[str, ...] = ()
    """What WeasyPrint could not do as asked (see _Collected)."""
    unprintable: tuple[tuple[str, str], ...] = ()
    """(topic slug or "", characters) for text no installed font can print."""
    too_wide: tuple[tuple[str, float, str], ...] = ()
    """(topic slug or "", millimetres, the text) for what reaches past the page's edge."""


def lay_out(html: str, files: dict[str, bytes]) -> LaidOut:
    """The book laid out by WeasyPrint and written as PDF/UA-1; what went wrong, if anything."""
    from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it

    collected = _Collected()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collected)
    resources = _Resources(files)
    # Builds and their workers run without the cycle collector (see workers.start_worker),
    # but a book of a thousand pages leaves gigabytes of cycles behind it: collected here,
    # seldom, which costs a few percent of the time.
    collecting, threshold = gc.isenabled(), gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()
    try:
        document = HTML(string=html, base_url=RESOURCE_BASE, url_fetcher=resources.fetcher()).render()
        unprintable, too_wide = _print_problems(document)
        # Tagged PDF/UA-1, as the cards are: headings, lists, tables and figures in a
        # structure tree in reading order, the language from <html lang>, the <title> as
        # the window title, and the bookmarks from the headings.
        pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        logger.removeHandler(collected)
        gc.set_threshold(*threshold)
        if not collecting:
            gc.disable()
    problems = tuple(collected.messages) + tuple(f"a file it may not read: {url}"
                                                  for url in resources.refused)
    if problems or unprintable or too_wide:
        return LaidOut(b"", len(document.pages), problems, unprintable, too_wide)
    return LaidOut(pdf, len(document.pages))


def _print_problems(document) -> tuple[tuple, tuple]:
    """Text of the laid-out book that would not print as written: characters no installed
    font has (empty boxes), and text reaching past the page's right edge (cut off)."""
    from weasyprint.formatting_structure.boxes import TextBox

    missing: dict[str, str] = {}
    beyond: dict[str, tuple[float, str]] = {}
    for page in document.pages:
        page_box = page._page_box
        edge = page_box.content_box_x() + page_box.width
        for box, slug in _boxes_in_chapters(page_box):
            if not isinstance(box, TextBox) or not box.text.strip():
                continue
            if not box.text.isascii() and _unknown_glyphs(box):
                missing[slug] = missing.get(slug, "") + box.text
            over = box.position_x + box.width - edge
            if over > 0.5 and over > beyond.get(slug, (0.0, ""))[0]:
                beyond[slug] = (over, box.text)
    unprintable = tuple((slug, "".join(_without_font(text)) or text.strip()[:40])
                        for slug, text in sorted(missing.items()))
    too_wide = tuple((slug, round(over / PX_PER_MM, 1), text.strip()[:40])
                     for slug, (over, text) in sorted(beyond.items()))
    return unprintable, too_wide


def _boxes_in_chapters(box, slug: str = ""):
    """Every box of the page's content (not its margins: the running headers), with the
    slug of the topic whose chapter or answers it is in ("" elsewhere)."""
    from weasyprint.formatting_structure.boxes import MarginBox

    if isinstance(box, MarginBox):
        return
    element = getattr(box, "element", None)
    if element is not None and element.get("data-topic"):
        slug = element.get("data-topic")
    yield box, slug
    for child in getattr(box, "children", ()):
        yield from _boxes_in_chapters(child, slug)


def _layout_job(job: tuple[str, dict[str, bytes]]) -> LaidOut:
    """One paper's book, in a worker process."""
    html, files = job
    return lay_out(html, files)


def _refusals(laid_out: LaidOut, paper: Paper, content_dir: Path, templates: Templates) -> Exception:
    """What stops the build when the book could not be printed as written."""
    if laid_out.problems:
        shown = "; ".join(dict.fromkeys(laid_out.problems))
        return BookProblem(f"the book ({book_path(paper)}) cannot be laid out as "
                           f"{templates.folder}/book.html and book.css ask: WeasyPrint says: "
                           f"{shown}")
    errors = []
    for slug, characters in laid_out.unprintable:
        errors.append(ContentError(_topic_file(content_dir, slug), 0, 0,
                                   f"the book on {paper.name}: text has characters no installed "
                                   f"font can print, which would print as empty boxes: "
                                   f"{characters}", "install a font that has them (Chinese, "
                                   "Japanese and Korean: Debian package fonts-noto-cjk)"))
    for slug, millimetres, text in laid_out.too_wide:
        errors.append(ContentError(_topic_file(content_dir, slug), 0, 0,
                                   f"the book on {paper.name}: '{text}' reaches {millimetres:g} "
                                   "mm past the edge of the page",
                                   "put a space or a hyphen in its longest word"))
    return BuildFailed(errors)


def _topic_file(content_dir: Path, slug: str) -> str:
    return str(content_dir / TOPICS_DIR / slug / TOPIC_FILE) if slug else str(content_dir / "site.yaml")


def _is_pdf(data: bytes | None) -> bool:
    return data is not None and data.startswith(b"%PDF-")


class BookLayout:
    """The book on each paper: from output/ as it is, from the cache, or laid out anew, in
    worker processes started at once (the build goes on with the pages and the cards
    meanwhile) or, with one job, in this process when wait() is called."""

    def __init__(self, site: m.Site, diagrams: dict[tuple[str, str], RenderedDiagram],
                 templates: Templates, cache: Cache, topic_keys: dict[str, str],
                 in_output: dict[str, str], site_url: str, content_dir: Path,
                 processes: int) -> None:
        self._site, self._diagrams, self._templates = site, diagrams, templates
        self._cache, self._site_url, self._content_dir = cache, site_url, content_dir
        self.keys = {paper.slug: book_key(site, paper, templates, topic_keys, diagrams, site_url)
                     for paper in BOOK_PAPERS}
        self.made: dict[str, bytes] = {}
        """PDFs laid out by this build, by paper slug."""
        self.pages: dict[str, int] = {}
        """How many pages each book laid out by this build has, by paper slug."""
        self._document: BookDocument | None = None
        self._env = None
        self._to_lay_out = [paper for paper in BOOK_PAPERS
                            if in_output.get(book_path(paper)) != self.keys[paper.slug]
                            and not cache.has("book", self.keys[paper.slug])]
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, object] = {}
        if self._to_lay_out:
            check_card_font()
        if self._to_lay_out and processes > 0:
            jobs = [(paper, self._job(paper)) for paper in self._to_lay_out]
            with starting_workers():
                start_fork_server()
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=min(processes, len(jobs)),
                                             mp_context=context, initializer=start_worker)
            with starting_workers():
                self._futures = {paper.slug: self._pool.submit(_layout_job, job)
                                 for paper, job in jobs}

    def _job(self, paper: Paper) -> tuple[str, dict[str, bytes]]:
        if self._document is None:
            self._env = make_environment(self._templates, self._cache.compiled_templates)
            self._document = render_book_html(self._site, self._diagrams, self._templates,
                                              self._env, self._site_url)
        files = {url: diagram.svg for url, diagram in self._document.resources.items()}
        return self._document.html(paper, self._env), files

    def products(self) -> dict[str, Product]:
        return {book_path(paper): Product(self.keys[paper.slug], partial(self._pdf, paper))
                for paper in BOOK_PAPERS}

    def wait(self) -> None:
        """Collects the books laid out (or lays them out here), keeps them in the cache,
        and raises what stopped one from being printed as written."""
        failures = []
        for paper in self._to_lay_out:
            laid_out = self._laid_out(paper)
            if not laid_out.pdf:
                failures.append(_refusals(laid_out, paper, self._content_dir, self._templates))
                continue
            self.made[paper.slug] = laid_out.pdf
            self.pages[paper.slug] = laid_out.pages
            self._cache.put("book", self.keys[paper.slug], laid_out.pdf)
        self._to_lay_out = []
        for failure in failures:  # a problem of the templates first: it is the whole book's
            if not isinstance(failure, BuildFailed):
                raise failure
        if failures:
            raise BuildFailed([e for failure in failures for e in failure.errors])

    def _laid_out(self, paper: Paper) -> LaidOut:
        future = self._futures.get(paper.slug)
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:  # a worker was killed (out of memory, say): here, then
                pass
        return _layout_job(self._job(paper))

    def _pdf(self, paper: Paper) -> bytes:
        """The book's bytes for write_tree: laid out by this build, or from the cache, or,
        when the cache lost it (deleted, damaged), laid out again here."""
        found = self.made.get(paper.slug) or self._cache.get("book", self.keys[paper.slug])
        if _is_pdf(found):
            return found
        self._to_lay_out = [paper]
        self._futures = {}
        self.wait()
        return self.made[paper.slug]

    def close(self) -> None:
        """Stops the workers; books not yet laid out are dropped (a failed build's)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def produce_book(job, made):
    """The book producer: output/guide-a4.pdf and guide-letter.pdf when site.yaml asks for a
    book, their layout started here and collected before the build writes."""
    from .pipeline import Produced

    if job.site.book is None:
        return Produced({})
    config = job.config
    layout = BookLayout(job.site, made["diagrams"].data, job.inputs.templates, job.cache,
                        job.inputs.topics, job.keys.in_output, config.site_url,
                        config.content_dir, len(BOOK_PAPERS) if config.jobs > 1 else 0)
    return Produced(layout.products(), layout, background=layout)

