"""What the terminal is told about a build: its summary line, its error lines, exit codes.

Shared by `sitegen build` (cli) and `sitegen serve` (serve), so that both word a build's
outcome alike.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .errors import BuildFailed, SetupProblem, printable, template_error_line

if TYPE_CHECKING:
    from .pipeline import BuildConfig, BuildReport

EXIT_CONTENT_ERROR = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130  # as shells report a command ended by Ctrl-C


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _holds(report: BuildReport) -> str:
    return (f"{plural(report.pages, 'page')}, {plural(report.diagrams, 'diagram')}, "
            f"{plural(report.cards, 'card')}{card_sizes(report.card_fits)}")


PAPER_NAMES = {"a4": "A4", "letter": "Letter"}
"""Paper names for the summary line, by the end of a card's file name."""


def card_sizes(fits) -> str:
    """The type sizes the cards settled on, for the summary line: " at 8 pt" when every
    card kept one size, else the most common one and the cards that differ, e.g.
    " at 8 pt; s3-storage-classes A4 7.5 pt, Letter 7.25 pt"."""
    if not fits:
        return ""
    sizes = [size for _, size, _ in fits]
    usual = max(sorted(set(sizes), reverse=True), key=sizes.count)
    others: dict[str, list[str]] = {}
    for path, size, _ in fits:
        if size != usual:
            name, _, paper = path.removeprefix("cards/").removesuffix(".pdf").rpartition("-")
            others.setdefault(name, []).append(f"{PAPER_NAMES.get(paper, paper)} {size:g} pt")
    if not others:
        return f" at {usual:g} pt"
    shown = [f"{name} {', '.join(papers)}" for name, papers in list(others.items())[:3]]
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return f" at {usual:g} pt (" + "; ".join(shown) + more + ")"


def summary_line(config: BuildConfig, report: BuildReport) -> str:
    """One line per build: what the site holds, what this build did, and how long it took."""
    if report.reasons == ("nothing changed",):
        did = "nothing changed"
    elif report.unchanged:
        did = "no file changed"
    else:
        did = f"{plural(len(report.written), 'file')} written"
        if report.removed:
            did += f", {len(report.removed)} removed"
    cached = sum(report.cached.values())
    if cached:
        did += f", {cached} from cache"
    return f"built {config.output_dir}/: {_holds(report)}; {did}; {report.seconds:.2f} s"


def describe(report: BuildReport) -> str:
    """What a good build holds and changed, e.g. "3 pages, 2 diagrams, 2 cards; 2 files written"."""
    if report.unchanged:
        return f"{_holds(report)}; no file changed"
    removed = f", {len(report.removed)} removed" if report.removed else ""
    return f"{_holds(report)}; {plural(len(report.written), 'file')} written{removed}"


def details(report: BuildReport) -> list[str]:
    """For -v: why the build ran, what was made again, written and removed."""
    lines = [f"why: {reason}" for reason in report.reasons]
    lines += [f"written: {path}" for path in report.written]
    lines += [f"made again, same bytes: {path}" for path in report.remade
              if path not in report.written]
    lines += [f"removed: {path}" for path in report.removed]
    lines += [f"card: {path} at {words}" for path, _, words in report.card_fits]
    if report.cached or report.rendered:
        kinds = sorted(set(report.cached) | set(report.rendered))
        lines.append("cache: " + ", ".join(
            f"{kind} {report.cached.get(kind, 0)} hit/{report.rendered.get(kind, 0)} new"
            for kind in kinds))
    return lines


def error_lines(problem: Exception) -> tuple[str, ...] | None:
    """The lines that say why a build failed: each content error, or the one setup or
    templates problem; None for any other exception, a bug in sitegen, whose traceback is
    for whoever fixes it."""
    if isinstance(problem, BuildFailed):
        return tuple(str(error) for error in problem.errors)
    if isinstance(problem, SetupProblem):
        return (f"sitegen: error: {printable(str(problem))}",)
    # Jinja is loaded only when a build renders, so its errors are recognised that way.
    jinja2 = sys.modules.get("jinja2")
    if jinja2 is not None and isinstance(problem, jinja2.TemplateError):
        return (template_error_line(problem),)
    return None


def exit_code(problem: Exception) -> int:
    """The exit code of a build that failed with problem (one error_lines() words)."""
    return EXIT_CONTENT_ERROR if isinstance(problem, BuildFailed) else EXIT_ENVIRONMENT


def error_count_line(count: int, outcome: str = "") -> str:
    """The last line of a failed build: how many errors, and what became of the output."""
    return f"{plural(count, 'error')}; {outcome}" if outcome else plural(count, "error")


def failure_count_line(problem: Exception, outcome: str = "") -> str:
    """error_count_line for a build that failed with problem; one that failed on warnings
    alone (--strict) counts them as warnings."""
    errors = getattr(problem, "errors", ())
    if errors and all(error.level == "warning" for error in errors):
        counted = f"{plural(len(errors), 'warning')}, which --strict counts as errors"
        return f"{counted}; {outcome}" if outcome else counted
    return error_count_line(len(error_lines(problem) or ()), outcome)


def print_warnings(warnings) -> None:
    """Each warning of a build that went on despite them, on standard error, as errors are."""
    for warning in warnings:
        print(warning, file=sys.stderr)


class StatusLine:
    """One line on the terminal (standard error), rewritten in place as a long build moves on."""

    def __init__(self) -> None:
        self._shown = False

    def show(self, text: str) -> None:
        """Shows text in place of the line shown before; "" clears it."""
        if not text and not self._shown:
            return
        sys.stderr.write(f"\r\x1b[K{'sitegen: ' + printable(text) + '…' if text else ''}")
        sys.stderr.flush()
        self._shown = bool(text)
