"""Error types for author-facing content mistakes and failed builds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError:
    """One mistake in the content, located precisely enough to fix without searching."""

    path: str
    """File the mistake is in, as reached from the --content folder given."""
    line: int
    """1-based line number (0 when the whole file is at fault)."""
    col: int
    """1-based column number (0 when the whole line or file is at fault)."""
    message: str
    """What is wrong, worded around what was expected."""
    hint: str = ""
    """How to fix it, when there is something useful to say."""

    def __str__(self) -> str:
        # A mistake about a whole file (e.g. it is missing) has no line to point at.
        location = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{location}: error: {self.message}{hint}"


class BuildFailed(Exception):
    """Raised once a stage has collected every error it could find."""

    def __init__(self, errors: list[ContentError] | tuple[ContentError, ...]):
        self.errors = tuple(sorted(set(errors)))
        super().__init__("\n".join(str(e) for e in self.errors))


class MissingTool(Exception):
    """A system tool or font the build needs is not installed; names the Debian package."""


def template_error_line(problem: Exception) -> str:
    """A mistake in templates/ (not in content), said with its place and without a traceback."""
    where = f"{problem.filename}:{problem.lineno}: " if getattr(problem, "lineno", None) else ""
    return f"sitegen: error in the templates: {where}{type(problem).__name__}: {problem}"
