"""The search index: the text of every section of every topic page, for the browser to search.

The text is taken from the rendered pages, so search finds exactly what a reader sees and a
new block kind is searchable without any change here. The index is a script rather than a
JSON file because browsers refuse fetch() on pages opened from a local folder (file://),
while a <script> loads there as it does on GitHub Pages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable

import lxml.etree

from . import model as m
from .cache import Cache, digest, signed, verified
from .output import Product, ready

# Elements whose text is not reading matter: drawings (their labels repeat the tables and
# have a text version), navigation, and the interactive self-test controls. Elements hidden
# from screen readers (decorative icons) are skipped too.
SKIPPED_ELEMENTS = {"svg", "nav", "script", "style", "button", "template", "summary"}
SKIPPED_CLASSES = {"anchor", "open-diagram", "footnote-backref"}
# Elements whose text stands on its own: a boundary between them reads as a separator in a
# snippet, so that table cells and list items do not run together.
SEPARATED_ELEMENTS = {"p", "li", "td", "th", "dt", "dd", "caption", "figcaption", "h3", "h4",
                      "blockquote", "pre"}
BOUNDARY = "\u2029"


def _skipped(element) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return True
    if element.tag in SKIPPED_ELEMENTS:
        return True
    attributes = element.attrib
    if not attributes:
        return False
    return ("hidden" in attributes or attributes.get("aria-hidden") == "true"
            or not SKIPPED_CLASSES.isdisjoint((attributes.get("class") or "").split()))


def _text(element, parts: list[str]) -> list[str]:
    """The reading text of an element, with a boundary around each separated element."""
    if element.tag in SEPARATED_ELEMENTS:
        parts.append(BOUNDARY)
    parts.append(element.text or "")
    for child in element:
        if not _skipped(child):
            _text(child, parts)
        parts.append(child.tail or "")
    return parts


# Runs of white space other than the boundary, which is white space to a regular expression.
_SPACES = re.compile(r"[^\S\u2029]+")


def _words(parts: list[str]) -> str:
    text = ""
    for piece in _SPACES.sub(" ", "".join(parts)).split(BOUNDARY):
        piece = piece.strip(" ")
        if not piece:
            continue
        if text:
            text += " " if text[-1] in ".!?:;…" else " · "
        text += piece
    return text


# A plain parser: lxml.html's element classes cost more than they give here.
_PARSER = lxml.etree.HTMLParser()


def page_sections(page_html: bytes) -> list[tuple[str, str, str]]:
    """(anchor, heading, text) of each top-level <section id> of a rendered page, in order."""
    page = lxml.etree.fromstring(page_html, _PARSER)
    sections = []
    for section in page.xpath("//section[@id][not(ancestor::section[@id])]"):
        heading, text = [], []
        text.append(section.text or "")
        for child in section:
            if child.tag == "h2":
                _text(child, heading)
            elif not _skipped(child):
                _text(child, text)
            text.append(child.tail or "")
        sections.append((section.get("id"), _words(heading), _words(text)))
    return sections


def topic_documents(topic: m.Topic, page_html: bytes, page_path: str) -> list[dict[str, str]]:
    """One document for the topic (its title and summary), then one per section, in order.

    They carry no ids: the browser numbers them as it loads them, so each topic's share of
    the index can be kept and joined as it is. Text is in Unicode's composed form (NFC), as
    the browser puts queries: "é" typed as e and a combining accent is found either way.
    """
    short_title = unicodedata.normalize("NFC", topic.short_title)
    documents = [{"topic": short_title, "title": unicodedata.normalize("NFC", topic.title),
                  "url": page_path, "text": unicodedata.normalize("NFC", topic.summary)}]
    for anchor, heading, text in page_sections(page_html):
        documents.append({"topic": short_title, "title": unicodedata.normalize("NFC", heading),
                          "url": f"{page_path}#{anchor}",
                          "text": unicodedata.normalize("NFC", text)})
    return documents


def topic_share(topic: m.Topic, page_html: bytes, page_path: str,
                drawings: Iterable[bytes] = ()) -> bytes:
    """A topic's documents as JSON list items, without the brackets, safe inside a <script>.

    drawings: the inline SVG elements the page shows. Search skips drawings, so they are cut
    out before the page is parsed, which then has a third less to read.
    """
    for drawing in drawings:
        page_html = page_html.replace(drawing, b"")
    documents = topic_documents(topic, page_html, page_path)
    text = json.dumps(documents, ensure_ascii=False, separators=(",", ":"))[1:-1]
    # "</" cannot end the script early even if a text contains "</script>".
    return text.replace("</", "<\\/").encode("utf-8")


def keep_share(cache: Cache, key: str, share: bytes) -> None:
    """Keeps a topic's share of the index, signed: it is published as it is, and a cache may
    hold bytes someone else wrote (see kept_share)."""
    cache.put("search", key, signed(share))


def kept_share(cache: Cache, key: str) -> bytes | None:
    """The share keep_share kept under key, if this user's key signed it: checking a
    signature costs a fiftieth of parsing the share's JSON again, which every edit did for
    the other topics of its part of the index."""
    return verified(cache.get("search", key))


def share_key(topic: m.Topic, page_key: str, page_path: str) -> str:
    """Key of a topic's share of the index: its page, and what its first document says."""
    return digest("search", page_key, topic.short_title, topic.title, topic.summary, page_path)


SHARD_TOPICS = 50
"""Topics per part of the index: an edit rewrites its topic's part, not the whole index."""
INDEX_PATH = "assets/search-index.js"


def shard_path(number: int) -> str:
    return f"assets/search-index/{number}.js"


def search_index_products(site: m.Site, pages: dict[str, Product], page_paths: dict[str, str],
                          cache: Cache) -> dict[str, Product]:
    """The index in parts of SHARD_TOPICS topics each, and the script that lists the parts.

    Each topic's share of the index is kept by its page's key, so a part is joined anew only
    when one of its topics changed.
    """
    shares = {topic.slug: share_key(topic, pages[topic.slug].key, page_paths[topic.slug])
              for topic in site.topics}

    def part(number: int, topics: tuple[m.Topic, ...]) -> Product:
        def make() -> bytes:
            fragments = []
            for topic in topics:
                fragment = kept_share(cache, shares[topic.slug])
                if fragment is None:
                    fragment = topic_share(topic, pages[topic.slug].make(),
                                           page_paths[topic.slug])
                    keep_share(cache, shares[topic.slug], fragment)
                fragments.append(fragment)
            return (f"window.sitegenSearchDocuments[{number}] = [".encode("utf-8")
                    + b",".join(fragments) + b"];\n")

        return Product(digest(str(number), *[shares[topic.slug] for topic in topics]), make)

    groups = [site.topics[start:start + SHARD_TOPICS]
              for start in range(0, len(site.topics), SHARD_TOPICS)]
    products = {shard_path(number): part(number, topics) for number, topics in enumerate(groups)}
    # The parts load in any order; each fills its own slot, so documents keep the site's order.
    listing = json.dumps(list(products), separators=(",", ":"))
    products[INDEX_PATH] = ready(f"window.sitegenSearchParts = {listing};\n"
                                 f"window.sitegenSearchDocuments = [];\n".encode("utf-8"))
    return products


def produce_search_index(job, made):
    """The search-index producer: the index of the pages the pages producer made."""
    from .pages import topic_page_path, topic_pages_of
    from .pipeline import Produced

    site = job.site
    return Produced(search_index_products(site, topic_pages_of(site, made["pages"].files),
                                          {t.slug: topic_page_path(t) for t in site.topics},
                                          job.cache))
