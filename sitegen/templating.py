"""The Jinja environment shared by the site and the cards."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .prose import to_html


def make_environment(templates_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    """compiled_dir keeps the templates compiled to Python between builds (Jinja checks each
    against its source), which saves most of a small rebuild's time."""
    if compiled_dir is not None:
        compiled_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        # Content is untrusted text: escape everything that is not already Markup. The card
        # stylesheet (.css) is rendered through the same environment and holds no content.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = to_html
    return env
