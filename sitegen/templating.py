"""The Jinja environment shared by the site and the cards."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .prose import to_html
from .sources import Templates


class _TemplatesLoader(jinja2.BaseLoader):
    """Templates from the bytes a build read (see sources.Templates), named by their paths."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    def get_source(self, environment, template):
        return (self.templates.file(template).decode("utf-8"), str(self.templates.folder / template),
                lambda: True)

    def list_templates(self):
        return sorted(self.templates.files)


def make_environment(templates: Templates | Path,
                     compiled_dir: Path | None = None) -> jinja2.Environment:
    """templates: as read by the build, or a folder to read them from. compiled_dir keeps the
    templates compiled to Python between builds (Jinja checks each against its source),
    which saves most of a small rebuild's time."""
    templates = Templates.of(templates)
    if compiled_dir is not None:
        compiled_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir else None,
        loader=_TemplatesLoader(templates),
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
