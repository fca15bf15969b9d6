"""Error types for author-facing content mistakes and failed builds."""

from __future__ import annotations

import re
import traceback

from .records import frozen


@frozen(order=True)
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
    level: str = "error"
    """"error", which fails the build, or "warning": worth fixing, and the build goes on
    (unless run with --strict)."""

    def __str__(self) -> str:
        # A mistake about a whole file (e.g. it is missing) has no line to point at.
        path = _quoted_path(self.path)
        location = f"{path}:{self.line}:{self.col}" if self.line else path
        hint = f" (hint: {printable(self.hint)})" if self.hint else ""
        return f"{location}: {self.level}: {printable(self.message)}{hint}"


# What a terminal acts on rather than shows: C0 controls (the line feed too, which would start
# a line that seems to be sitegen's own), DEL and C1 controls (U+009B is the escape "ESC [" to
# some terminals); the bidirectional formatting characters, which show a line in another order
# than it is written (CVE-2021-42574), and the line and paragraph separators; and the lone
# surrogates a file name's undecodable bytes are read as.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")
_NAMED_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
                  "\f": "\\f", "\r": "\\r"}


def printable(text: str) -> str:
    """text that can be shown on a terminal or in a CI log as it is: each character a terminal
    would act on instead of showing it is written as git writes it in a file name, \\t or
    \\033, and beyond ASCII as the octal of its UTF-8 bytes (\\342\\200\\256 for U+202E).
    Everything from content or from file names goes through it before it is printed."""
    return _UNPRINTABLE.sub(_escape, text)


EXCERPT_LENGTH = 60
"""How many characters of the author's text a message quotes: enough to find the place, and
a line of a megabyte is not printed whole."""


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """text as a message quotes it: whole when short, else its start and end around a '…'."""
    if len(text) <= length:
        return text
    tail = length // 4
    return text[:length - tail - 1] + "…" + text[-tail:]


def _escape(found: re.Match) -> str:
    character = found.group()
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    try:  # a file name's undecodable byte, as it was on disk
        data = character.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = character.encode("utf-8", "surrogatepass")
    return "".join(f"\\{byte:03o}" for byte in data)


def _quoted_path(path: str) -> str:
    """A file name as git shows one: as it is, or, when it holds a character printable()
    escapes, in double quotes, so that a backslash of its own is told apart from an escape."""
    if not _UNPRINTABLE.search(path):
        return path
    return '"' + printable(path.replace("\\", "\\\\").replace('"', '\\"')) + '"'


class BuildFailed(Exception):
    """Raised once a stage has collected every error it could find."""

    def __init__(self, errors: list[ContentError] | tuple[ContentError, ...]):
        self.errors = tuple(sorted(set(errors)))
        super().__init__("\n".join(str(e) for e in self.errors))


class SetupProblem(Exception):
    """A problem outside the content, with the machine or the project's folders: said in
    one line, with exit code 3."""


class FolderNotOurs(SetupProblem):
    """An output or cache folder that holds files sitegen did not make: never emptied."""


class MissingTool(SetupProblem):
    """A system tool or font the build needs is not installed; names the Debian package."""


class UnreadableTemplates(SetupProblem):
    """A file of the templates folder cannot be read."""


def template_error_line(problem: Exception) -> str:
    """A mistake in templates/ (not in content), said with its place and without a traceback."""
    place = _template_place(problem)
    where = f"{place[0]}:{place[1]}: " if place else ""
    text = f"sitegen: error in the templates: {where}{type(problem).__name__}: {problem}"
    # Jinja's own wording can take lines of its own.
    return "\n".join(printable(line) for line in text.split("\n"))


_TRACEBACK_PLACE = re.compile(r'File "([^"]+)", line (\d+)')


def _template_place(problem: BaseException) -> tuple[str, int] | None:
    """Template file and line of a Jinja error: a syntax error carries them; for a mistake met
    while rendering (an undefined name), Jinja puts the template's own lines in the traceback,
    which for a page rendered in a worker process comes as text."""
    if getattr(problem, "lineno", None):
        return problem.filename, problem.lineno  # type: ignore[attr-defined]
    place = None
    for frame, line in traceback.walk_tb(problem.__traceback__):
        if _is_template(frame.f_code.co_filename):
            place = frame.f_code.co_filename, line
    remote = getattr(problem.__cause__, "tb", None)  # concurrent.futures' _RemoteTraceback
    if place is None and isinstance(remote, str):
        for name, line in _TRACEBACK_PLACE.findall(remote):
            if _is_template(name):
                place = name, int(line)
    return place


def _is_template(file_name: str) -> bool:
    # Python's own frames are .py files, or "<frozen runpy>", "<string>" and the like.
    return not file_name.endswith(".py") and not file_name.startswith("<")
