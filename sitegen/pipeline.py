"""The build, stage by stage: load -> validate -> render (diagrams, pages, cards) -> write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import model
from .card import check_card_font, render_cards
from .diagrams import check_graphviz, render_diagrams
from .load import load_content
from .output import write_tree
from .pages import render_site
from .validate import validate


@dataclass(frozen=True)
class BuildConfig:
    """Where a build reads from and writes to."""

    content_dir: Path = Path("content")
    """Folder with site.yaml and topics/."""
    templates_dir: Path = Path("templates")
    """Folder with the Jinja templates and static assets."""
    output_dir: Path = Path("output")
    """Folder the site and cards are written to (replaced whole)."""
    base_url: str = ""
    """Public address of the site, e.g. https://user.github.io/repo/ (optional)."""

    @property
    def site_url(self) -> str:
        """base_url ending in "/", so page paths can be appended, or ""."""
        if not self.base_url:
            return ""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def base_path(self) -> str:
        """Path part of base_url, ending in "/", or "" when no base URL is set."""
        if not self.base_url:
            return ""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    pages: int
    """HTML pages written."""
    diagrams: int
    """Diagrams drawn."""
    cards: int
    """Card PDFs written."""
    files: int
    """All files written."""
    seconds: float
    """Wall-clock duration."""


def check(config: BuildConfig) -> model.Site:
    """Load and validate only; raises BuildFailed listing every mistake."""
    return validate(load_content(config.content_dir))


def build(config: BuildConfig) -> BuildReport:
    """Build the site and cards; output/ is replaced only when everything succeeded."""
    started = time.perf_counter()
    site = check(config)
    check_graphviz()
    check_card_font()
    diagrams = render_diagrams(site)
    outputs = render_site(site, diagrams, config.templates_dir, config.site_url,
                          config.base_path)
    cards = render_cards(site, config.templates_dir)
    write_tree({**outputs, **cards}, config.output_dir)
    return BuildReport(
        pages=sum(path.endswith(".html") for path in outputs),
        diagrams=len(diagrams),
        cards=len(cards),
        files=len(outputs) + len(cards),
        seconds=time.perf_counter() - started,
    )
