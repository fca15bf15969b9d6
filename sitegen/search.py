"""The search index: the text of every section of every topic page, for the browser to search.

The text is taken from the rendered pages, so search finds exactly what a reader sees and a
new block kind is searchable without any change here. The index is a script rather than a
JSON file because browsers refuse fetch() on pages opened from a local folder (file://),
while a <script> loads there as it does on GitHub Pages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import model as m

# Elements whose text is not reading matter: drawings (their labels repeat the tables and
# have a text version), navigation, and the interactive self-test controls. Elements hidden
# from screen readers (decorative icons) are skipped too.
SKIPPED_ELEMENTS = {"svg", "nav", "script", "style", "button", "template", "summary"}
SKIPPED_CLASSES = {"anchor", "open-diagram"}
# Elements whose text stands on its own: a boundary between them reads as a separator in a
# snippet, so that table cells and list items do not run together.
SEPARATED_ELEMENTS = {"p", "li", "td", "th", "dt", "dd", "caption", "figcaption", "h3", "h4",
                      "blockquote", "pre"}
BOUNDARY = "\u2029"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


@dataclass
class _Section:
    anchor: str
    heading: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _SectionText(HTMLParser):
    """Collects the heading and text of each <section id=...> of a topic page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[_Section] = []
        self._open: list[str] = []  # open elements, innermost last
        self._skip_depth = 0
        self._section_depth = 0
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        self._open.append(tag)
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if self._skip_depth or tag in SKIPPED_ELEMENTS or "hidden" in attributes \
                or attributes.get("aria-hidden") == "true" or classes & SKIPPED_CLASSES:
            self._skip_depth += 1
        elif tag == "section" and attributes.get("id") and not self._section_depth:
            self.sections.append(_Section(attributes["id"]))
            self._section_depth = len(self._open)
        elif tag == "h2" and self._section_depth:
            self._in_heading = True
        elif tag in SEPARATED_ELEMENTS and self._section_depth:
            self.sections[-1].text.append(BOUNDARY)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or tag not in self._open:
            return
        while self._open:
            closed = self._open.pop()
            if self._skip_depth:
                self._skip_depth -= 1
            elif closed == "h2":
                self._in_heading = False
            elif closed == "section" and len(self._open) + 1 == self._section_depth:
                self._section_depth = 0
            if closed == tag:
                break

    def handle_data(self, data):
        if self._skip_depth or not self._section_depth:
            return
        target = self.sections[-1].heading if self._in_heading else self.sections[-1].text
        target.append(data)


def _words(parts: list[str]) -> str:
    pieces = [re.sub(r"\s+", " ", piece).strip() for piece in "".join(parts).split(BOUNDARY)]
    text = ""
    for piece in filter(None, pieces):
        if text:
            text += " " if text[-1] in ".!?:;…" else " · "
        text += piece
    return text


def page_sections(page_html: bytes) -> list[tuple[str, str, str]]:
    """(anchor, heading, text) of each section of a rendered topic page, in page order."""
    parser = _SectionText()
    parser.feed(page_html.decode("utf-8"))
    parser.close()
    return [(s.anchor, _words(s.heading), _words(s.text)) for s in parser.sections]


def search_documents(site: m.Site, pages: dict[str, bytes],
                     page_paths: dict[str, str]) -> list[dict[str, str | int]]:
    """One document per topic (its title and summary), then one per section, in reading order."""
    documents: list[dict[str, str | int]] = []
    for topic in site.topics:
        documents.append({"id": len(documents), "topic": topic.short_title,
                          "title": topic.title, "url": page_paths[topic.slug],
                          "text": topic.summary})
        for anchor, heading, text in page_sections(pages[topic.slug]):
            documents.append({"id": len(documents), "topic": topic.short_title,
                              "title": heading, "url": f"{page_paths[topic.slug]}#{anchor}",
                              "text": text})
    return documents


def search_index_script(site: m.Site, pages: dict[str, bytes],
                        page_paths: dict[str, str]) -> bytes:
    documents = json.dumps(search_documents(site, pages, page_paths), ensure_ascii=False,
                           separators=(",", ":"))
    # "</" cannot end the script early even if a text contains "</script>".
    documents = documents.replace("</", "<\\/")
    return f"window.sitegenSearchDocuments = {documents};\n".encode("utf-8")
