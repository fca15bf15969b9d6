"""Markdown to HTML: the MarkdownIt instances for prose files and for inline text in YAML,
what each refuses, and the only place that marks their HTML as safe.

Prose is CommonMark with GitHub's tables and strikethrough, callouts (GitHub's `> [!NOTE]`
alerts, or `::: note` containers), footnotes and definition lists. Inline text (a table
cell, a tip, an option) is CommonMark's inline part: emphasis, strong, code, strikethrough
and links. In both, raw HTML is shown as text, images are refused, and links may only go
to http, https and mailto addresses, to relative addresses and to #fragments.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Iterator

from markupsafe import Markup

from .records import frozen

if TYPE_CHECKING:
    from .cache import Cache

CALLOUT_TYPES = ("note", "tip", "warning", "trap")
"""The callout types authors write (`> [!NOTE]`, `::: note`). The label each shows, and the
name screen readers give a prose table's scrolling frame, are interface strings: the
catalogue's callout_<type> and prose_table, passed in as `labels`."""

ALLOWED_SCHEMES = ("http", "https", "mailto")
"""The schemes a link may name; a link without one is relative (or a #fragment)."""
LINK_HINT = ("link to an http(s):// or mailto: address, a relative address or a #fragment; "
             "or write the address as `code`")

# What a browser reads as the scheme: it drops tabs and line breaks anywhere and leading or
# trailing spaces and control characters (https://url.spec.whatwg.org/#concept-basic-url-parser).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CALLOUT_MARKER = re.compile(r"\[!([^\]\s]*)\][ \t]*\n?")
_CLOSING_FENCE = re.compile(r"[ \t>]*:{3,}[ \t]*")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
# A line a writer meant as a table row: it starts with a pipe and holds another.
_TABLE_ROW = re.compile(r"\s*\|.*\|")
# Prose sits under its block's heading (h2): its highest heading becomes h3.
_TOP_HEADING = 3


@frozen
class Problem:
    """Something Markdown cannot show as the author meant it."""

    line: int
    """1-based line in the Markdown text (of the YAML text's own lines for inline text)."""
    col: int
    """1-based column."""
    message: str
    """What is wrong."""
    hint: str
    """How to write it instead."""


def refused_scheme(url: str) -> str | None:
    """The scheme of a link that may not be followed (javascript:, data:, file:...), or None
    for an allowed one."""
    found = _SCHEME.match(_URL_IGNORED.sub("", url).strip("\x00- "))
    if found and found.group(1).lower() not in ALLOWED_SCHEMES:
        return found.group(1)
    return None


def _every_link(url: str) -> bool:
    """markdown-it would leave a link it refuses as its literal syntax; every link is read
    as a link instead, so that a refused one is reported (and rendered without its target)."""
    return True


# Render rules shared by both instances: they never write a refused target or an image.

def _render_link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if refused_scheme(token.attrGet("href") or ""):
        token.attrs.pop("href", None)
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env):
    return escape(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _render_line_break(self, tokens, idx, options, env):
    return "\n"


def _render_callout_open(self, tokens, idx, options, env):
    kind = tokens[idx].meta["kind"]
    return (f'<aside class="callout callout-{kind}" role="note">\n'
            f'<p class="callout-label">{escape(env["sitegen_labels"]["callout_" + kind])}</p>\n')


def _render_callout_close(self, tokens, idx, options, env):
    return "</aside>\n"


def _render_table_open(self, tokens, idx, options, env):
    # A wide table scrolls inside its own frame, which keyboards can scroll too.
    return (f'<div class="table-scroll prose-table" tabindex="0" role="region" '
            f'aria-label="{escape(env["sitegen_labels"]["prose_table"])}">\n' + self.renderToken(tokens, idx, options, env))


def _render_table_close(self, tokens, idx, options, env):
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _base():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    md.validateLink = _every_link
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


@lru_cache(maxsize=1)
def _prose_markdown():
    """The prose instance. Made on first use: a rebuild that renders no Markdown does not
    load markdown-it (50 ms)."""
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = _base()
    md.enable("table")
    container_plugin(md, "callout", validate=lambda params, markup: bool(params.strip()))
    footnote_plugin(md)
    deflist_plugin(md)
    md.core.ruler.after("block", "callouts", _callouts)
    md.add_render_rule("callout_open", _render_callout_open)
    md.add_render_rule("callout_close", _render_callout_close)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


@lru_cache(maxsize=1)
def _inline_markdown():
    """The instance for inline text. Character references are not decoded, so `&amp;` shows
    as typed, as in every text of the content (README, "Text is literal everywhere"). A line
    break in the text reads as a space, as it did before text was Markdown."""
    md = _base()
    md.disable("entity")
    md.add_render_rule("softbreak", _render_line_break)
    md.add_render_rule("hardbreak", _render_line_break)
    return md


# Prose ---------------------------------------------------------------------------------

def _callouts(state) -> None:
    """Blockquotes opened by `[!TYPE]` and `::: type` containers become callouts; an unknown
    type or a container never closed is a problem (kept in env, read by problems())."""
    tokens = state.tokens
    lines = state.src.split("\n")
    found = state.env.setdefault("sitegen_problems", [])
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "blockquote_open" and _callout_alert(tokens, i, lines, found):
            continue  # the marker's paragraph may have gone: look at token i again
        if token.type == "container_callout_open":
            _callout_container(tokens, i, lines, found)
        i += 1


def _close_of(tokens, i: int, close_type: str) -> int:
    level = tokens[i].level
    return next(j for j in range(i + 1, len(tokens))
                if tokens[j].type == close_type and tokens[j].level == level)


def _make_callout(tokens, i: int, close: int, kind: str) -> None:
    tokens[i].type, tokens[i].tag, tokens[i].meta = "callout_open", "aside", {"kind": kind}
    tokens[close].type, tokens[close].tag = "callout_close", "aside"


def _callout_alert(tokens, i: int, lines: list[str], found: list[Problem]) -> bool:
    """A blockquote whose first paragraph starts `[!TYPE]`; True when the tokens changed."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
        return False
    inline = tokens[i + 2]
    marker = _CALLOUT_MARKER.match(inline.content)
    if not marker:
        return False
    kind = marker.group(1).lower()
    if kind not in CALLOUT_TYPES:
        line, col = _locate(lines, inline.map, "[!")
        found.append(Problem(line, col, f"unknown callout type '[!{marker.group(1)}]'",
                             "callout types: [!NOTE], [!TIP], [!WARNING], and [!TRAP] for an "
                             "exam trap"))
        return False
    _make_callout(tokens, i, _close_of(tokens, i, "blockquote_close"), kind)
    rest = inline.content[marker.end():]
    if rest.strip():
        inline.content = rest
    else:
        del tokens[i + 1:i + 4]  # the paragraph held the marker alone
    return True


def _callout_container(tokens, i: int, lines: list[str], found: list[Problem]) -> None:
    token = tokens[i]
    kind = token.info.split()[0].lower()
    line = token.map[0] + 1
    col = lines[token.map[0]].find(":") + 1
    end = token.map[1]
    if end >= len(lines) or not _CLOSING_FENCE.fullmatch(lines[end]):
        found.append(Problem(line, col, f"callout '::: {token.info.strip()}' is not closed",
                             "end it with a line of ':::' alone"))
    if kind not in CALLOUT_TYPES:
        found.append(Problem(line, col, f"unknown callout type '::: {kind}'",
                             "callout types: " + ", ".join(f"::: {k}" for k in CALLOUT_TYPES)))
        return
    _make_callout(tokens, i, _close_of(tokens, i, "container_callout_close"), kind)


def _locate(lines: list[str], span, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, col) of the nth occurrence of needle (case-insensitive) in the lines of span,
    or the span's first line when it is not there as written."""
    first, last = (span or (0, 1))[0], (span or (0, 1))[1]
    needle = needle.casefold()
    for number in range(first, min(max(last, first + 1), len(lines))):
        start = 0
        while (col := lines[number].casefold().find(needle, start)) >= 0:
            if nth == 0:
                return number + 1, col + 1
            nth, start = nth - 1, col + 1
    return first + 1, 1


def _parse(markdown: str, doc_id: str = ""):
    env: dict = {"docId": doc_id} if doc_id else {}
    tokens = _prose_markdown().parse(markdown, env)
    return tokens, env


def problems(markdown: str) -> list[Problem]:
    """Everything in the prose that would not show as the author meant it: images, links
    the allow-list refuses, text that looks like a table but is not one, callouts of an
    unknown type or never closed, footnote references without a footnote."""
    memo = _MEMO.get()
    if memo is None:
        return _problems(markdown)
    from .cache import digest

    key = digest("problems", markdown)
    kept = memo.read(key)
    if kept is not None:
        try:
            return [Problem(*problem) for problem in json.loads(kept)]
        except (ValueError, TypeError):
            pass
    found = _problems(markdown)
    memo.keep(key, json.dumps([[p.line, p.col, p.message, p.hint] for p in found]))
    return found


def _problems(markdown: str) -> list[Problem]:
    tokens, env = _parse(markdown)
    lines = markdown.split("\n")
    found = list(env.get("sitegen_problems", []))
    for i, token in enumerate(tokens):
        if token.type != "inline" or token.children is None:
            continue
        # Images, links and footnote references start with "[", "![" or "<".
        if "[" in token.content or "<" in token.content:
            found += _inline_problems(token, lines)
        if "|" in token.content and tokens[i - 1].type == "paragraph_open":
            found += _table_problems(token, lines)
    return sorted(found, key=lambda p: (p.line, p.col))


def _inline_problems(token, lines: list[str]) -> list[Problem]:
    found, seen = [], {}

    def where(needle: str) -> tuple[int, int]:
        seen[needle.casefold()] = seen.get(needle.casefold(), -1) + 1
        return _locate(lines, token.map, needle, seen[needle.casefold()])

    text = "".join(child.content if child.type == "text" else "\0" for child in token.children)
    for child in token.children:
        if child.type == "image":
            line, col = where("![")
            found.append(Problem(line, col, f"image '{child.attrGet('src')}' in prose: images "
                                 "are not supported", "describe it in words, or draw it as a diagram block"))
        elif child.type == "link_open":
            href = child.attrGet("href") or ""
            scheme = refused_scheme(href)
            if scheme:
                line, col = where(scheme + ":")
                found.append(Problem(line, col, f"link to '{href}' in prose: only http, https "
                                     "and mailto links, relative links and #fragments are allowed",
                                     LINK_HINT))
    for reference in _FOOTNOTE_REF.finditer(text):
        line, col = where(reference.group(0))
        label = reference.group(1)
        found.append(Problem(line, col, f"footnote [^{label}] is referred to but never written",
                             f"write it on a line of its own: [^{label}]: the note"))
    return found


def _table_problems(token, lines: list[str]) -> list[Problem]:
    """A paragraph with a line like `| a | b |`: a table without its delimiter row, or
    with one whose cells do not match the header's, which Markdown shows as text."""
    for offset, line in enumerate(token.content.split("\n")):
        if _TABLE_ROW.match(line):
            number, col = _locate(lines, (token.map[0] + offset, token.map[1]), "|")
            return [Problem(number, col, "this looks like a table, but Markdown reads it as "
                            "text: a table needs a delimiter row under its header row",
                            "write the header row, then a row such as | --- | --- | with as "
                            "many cells as the header, then the rows; or write \\| for a "
                            "pipe that is only text")]
    return []


def _shift_headings(tokens) -> None:
    """The prose's highest heading becomes h3, whatever level it was written at; the others
    keep their depth below it, down to h6."""
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = _TOP_HEADING - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"


def _align_by_class(tokens) -> None:
    """A column's alignment as a class rather than a style attribute."""
    for token in tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style") or ""
            if style.startswith("text-align:"):
                token.attrs.pop("style")
                token.attrSet("class", "align-" + style.partition(":")[2])


def to_html(markdown: str, doc_id: str = "", labels: dict[str, str] | None = None) -> Markup:
    """Render author Markdown to safe HTML. doc_id (the block's id) keeps its footnotes'
    anchors apart from another block's on the same page; labels: the interface strings
    callout_<type> and prose_table in the site's language (default: English)."""
    if labels is None:
        from .i18n import catalogue

        labels = catalogue("en").sections["pages"]
    memo = _MEMO.get()
    if memo is None:
        return _to_html(markdown, doc_id, labels)
    from .cache import digest

    key = digest("html", markdown, doc_id, json.dumps(labels, sort_keys=True))
    kept = memo.read(key)
    if kept is not None:
        return Markup(kept)
    html = _to_html(markdown, doc_id, labels)
    memo.keep(key, str(html))
    return html


def _to_html(markdown: str, doc_id: str, labels: dict[str, str]) -> Markup:
    tokens, env = _parse(markdown, doc_id)
    env["sitegen_labels"] = labels
    _shift_headings(tokens)
    _align_by_class(tokens)
    md = _prose_markdown()
    return Markup(md.renderer.render(tokens, md.options, env))


# Results kept between builds -------------------------------------------------------------

CACHE_KIND = "markdown"
"""The cache's kind for what markdown-it made of a prose text."""


class _Memo:
    """What problems() and to_html() made of each prose text, kept in the cache (kind
    "markdown"), signed, since the HTML is published as it is (see cache.signed)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def read(self, key: str) -> str | None:
        from .cache import verified

        data = verified(self.cache.get(CACHE_KIND, key))
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None

    def keep(self, key: str, text: str) -> None:
        from .cache import signed

        self.cache.put(CACHE_KIND, key, signed(text.encode("utf-8")))


class _Collected(_Memo):
    """A worker process's: what it made, handed back to the build (see collected)."""

    def __init__(self) -> None:
        self.made: dict[str, str] = {}

    def read(self, key: str) -> str | None:
        return self.made.get(key)

    def keep(self, key: str, text: str) -> None:
        self.made[key] = text


_MEMO: ContextVar[_Memo | None] = ContextVar("sitegen_prose_memo", default=None)


@contextmanager
def collected() -> Iterator[dict[str, str]]:
    """In a worker process (which has no cache): what the work within it made of prose, to
    hand back to the build, which keeps it (keep_made), so that a new guide's first edit
    finds it too. Where the build's memo is already in use (the work was done in the build's
    own process), nothing is collected: it went to the cache directly."""
    if _MEMO.get() is not None:
        yield {}
        return
    memo = _Collected()
    token = _MEMO.set(memo)
    try:
        yield memo.made
    finally:
        _MEMO.reset(token)


def keep_made(cache: Cache, made: dict[str, str]) -> None:
    """Keeps in the cache what a worker made of prose (see collected)."""
    memo = _Memo(cache)
    for key, text in made.items():
        memo.keep(key, text)


@contextmanager
def kept_in(cache: Cache) -> Iterator[None]:
    """Within it, prose is checked and rendered from the cache when it was before. After an
    edit to a topic's YAML, its prose files are as they were: rendering them again would
    load markdown-it, a tenth of such a rebuild. (Worker processes do without.)"""
    token = _MEMO.set(_Memo(cache))
    try:
        yield
    finally:
        _MEMO.reset(token)


# Inline text ---------------------------------------------------------------------------

@frozen
class RenderedInline:
    """Inline Markdown as HTML and as the text a reader sees."""

    html: str
    """The HTML, escaped."""
    plain: str
    """The text without its Markdown: what the page shows, for attributes and drawings."""
    problems: tuple[tuple[str, str], ...]
    """(message, hint) of every image and refused link in it."""


@lru_cache(maxsize=8192)
def render_inline(text: str) -> RenderedInline:
    """Inline Markdown rendered (see _inline_markdown); kept for the texts a build shows
    more than once (on the page, the card, in a drawing)."""
    md = _inline_markdown()
    tokens = md.parseInline(text, {})
    children = tokens[0].children if tokens else []
    plain, found = [], []
    for child in children:
        if child.type in ("text", "code_inline"):
            plain.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            plain.append("\n")
        elif child.type == "image":
            plain.append(md.renderer.renderInlineAsText(child.children or [], md.options, {}))
            found.append((f"image '{child.attrGet('src')}' in text: images are not supported",
                          "describe it in words"))
        elif child.type == "link_open" and refused_scheme(child.attrGet("href") or ""):
            found.append((f"link to '{child.attrGet('href')}': only http, https and mailto "
                          "links, relative links and #fragments are allowed", LINK_HINT))
    return RenderedInline(md.renderer.render(tokens, md.options, {}), "".join(plain), tuple(found))
