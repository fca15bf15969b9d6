"""Command line: `sitegen build`, `check`, `serve`, `schema`, `reference` and `new topic`:
options, printed outcome, exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .cache import DEFAULT_FOLDER
from .errors import BuildFailed
from .pipeline import BuildConfig, build, check
from .reporting import (EXIT_ENVIRONMENT, EXIT_INTERRUPTED, EXIT_USAGE, StatusLine, details,
                        error_lines, exit_code, failure_count_line, plural, print_warnings,
                        summary_line)
from .session import BuildSession
from .stopping import stop_as_ctrl_c

# The Pages workflow and `make site` pass the public address through this variable.
BASE_URL_VARIABLE = "SITEGEN_BASE_URL"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen",
                                     description="Build the study site and quick-reference cards.")
    verbs = parser.add_subparsers(dest="verb", required=True,
                                  metavar="{build,serve,check,schema,reference,new}")
    for verb, text in (("build", "validate content/ and write the site and cards to output/"),
                       ("serve", "build, serve output/ on this machine, and rebuild and reload "
                                 "the open pages on every save"),
                       ("check", "validate content/ only; writes nothing")):
        sub = verbs.add_parser(verb, help=text, description=text)
        sub.add_argument("--content", type=Path, default=Path("content"), help="content folder")
        if verb in ("build", "check"):
            sub.add_argument("--strict", action="store_true",
                             help="fail on warnings too, as on errors (output/ is left as it was)")
        if verb == "serve":  # here, not in serve.py: any other verb then never loads it
            sub.add_argument("--host", default="127.0.0.1",
                             help="address to listen on (default: 127.0.0.1, this machine only)")
            sub.add_argument("--port", type=int, default=8000,
                             help="port to listen on; 0 picks any free port (default: 8000)")
        if verb in ("build", "serve"):
            sub.add_argument("--templates", type=Path, default=Path("templates"),
                             help="templates folder")
            sub.add_argument("--output", type=Path, default=Path("output"),
                             help="output folder, updated only when the whole build succeeds")
            sub.add_argument("--base-url", default=os.environ.get(BASE_URL_VARIABLE, ""),
                             help="public address, e.g. https://user.github.io/repo/, for "
                                  f"canonical links and the sitemap (default: ${BASE_URL_VARIABLE})")
            sub.add_argument("--cache", type=Path, default=DEFAULT_FOLDER,
                             help=f"folder of results kept between builds, safe to delete "
                                  f"(default: {DEFAULT_FOLDER})")
            sub.add_argument("--no-cache", action="store_true",
                             help="make everything anew and keep nothing")
            sub.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)),
                             help="diagrams and cards made at once (default: the cores available)")
            sub.add_argument("-v", "--verbose", action="store_true",
                             help="list what changed and which files were written or removed")
    text = "write the JSON Schemas of site.yaml, sets.yaml, exam.yaml and topic.yaml, for editors"
    sub = verbs.add_parser("schema", help=text, description=text)
    sub.add_argument("--output", type=Path, default=Path("schemas"),
                     help="folder to write them to (default: schemas)")
    text = "print the content reference (every block kind and key) as Markdown"
    sub = verbs.add_parser("reference", help=text, description=text)
    sub.add_argument("--write", type=Path, metavar="README",
                     help="replace the reference between the markers in this file instead")
    text = "start a topic: a topic.yaml with an example of every block kind, listed in site.yaml"
    sub = verbs.add_parser("new", help=text, description=text)
    sub.add_argument("what", choices=["topic"], help="what to start")
    sub.add_argument("name", help="the topic's folder name, e.g. iam-basics")
    sub.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    return parser


def _usage_problem(args: argparse.Namespace) -> str:
    """A wrong folder or address is a usage mistake, better said before anything is read."""
    if args.verb == "reference" and args.write and not args.write.is_file():
        return f"--write: no such file: {args.write}"
    if args.verb in ("schema", "reference"):
        return ""
    if not args.content.is_dir():
        return f"content folder not found: {args.content}/ (run from the project folder or pass --content)"
    if args.verb in ("build", "serve"):
        if not args.templates.is_dir():
            return (f"templates folder not found: {args.templates}/ (run from the project folder "
                    "or pass --templates)")
        if not (args.templates / "topic.html").is_file():
            return (f"not a templates folder: {args.templates}/ has no topic.html (run from the "
                    "project folder or pass --templates)")
        if args.output.exists() and not args.output.is_dir():
            return f"--output must be a folder, but {args.output} is a file"
        if not args.no_cache:
            problem = _cache_problem(args.cache, args.output)
            if problem:
                return problem
        if args.jobs < 1:
            return f"-j/--jobs must be at least 1, got {args.jobs}"
        if args.base_url:
            return _base_url_problem(args.base_url)
    return ""


def _cache_problem(cache: Path, output: Path) -> str:
    """A --cache that cannot be a cache folder: a file, or a folder inside the output (it
    would be published, and replaced by each build) or holding it (each would empty the
    other's files)."""
    if cache.exists() and not cache.is_dir():
        return f"--cache must be a folder, but {cache} is a file"
    cache_at, output_at = Path(os.path.realpath(cache)), Path(os.path.realpath(output))
    if cache_at == output_at:
        return f"--cache and --output must be different folders, got {cache} for both"
    if cache_at.is_relative_to(output_at):
        return f"--cache {cache} is inside the output folder {output}/; choose a folder outside it"
    if output_at.is_relative_to(cache_at):
        return f"--output {output} is inside the cache folder {cache}/; choose a folder outside it"
    return ""


def _base_url_problem(base_url: str) -> str:
    """What is wrong with a --base-url, or "": pages' addresses are appended to it as they
    are, in canonical links and the sitemap, so it must be a plain address of a folder."""
    address = urlsplit(base_url)
    if address.scheme not in ("http", "https") or not address.netloc:
        return f"--base-url must be a full address such as https://user.github.io/repo/, got {base_url}"
    if address.query or address.fragment or "?" in base_url or "#" in base_url:
        return f"--base-url must have no ?query or #fragment, got {base_url}"
    if not base_url.isascii() or any(character.isspace() for character in base_url):
        return (f"--base-url must be written with %-escapes for spaces and non-ASCII letters "
                f"(as a sitemap needs), got {base_url}")
    return ""


def main(argv: list[str] | None = None, session: BuildSession | None = None) -> int:
    """Runs one verb; returns the exit code. session: the build's, when the caller keeps it
    past the build (see entry_point); serve holds one of its own."""
    parser = _parser()
    args = parser.parse_args(argv)
    problem = _usage_problem(args)
    if problem:
        parser.error(problem)  # exits with reporting.EXIT_USAGE
    if args.verb in ("schema", "reference", "new"):
        return _write_verb(args)
    try:
        if args.verb == "check":
            site = check(BuildConfig(content_dir=args.content, strict=args.strict))
            print_warnings(site.warnings)
            warned = f", {plural(len(site.warnings), 'warning')}" if site.warnings else ""
            print(f"{args.content}/: {plural(len(site.topics), 'topic')}, "
                  f"{plural(len(site.cards), 'card')}, no errors{warned} (card layout is "
                  "checked by build)")
            return 0
        status = StatusLine()
        config = BuildConfig(args.content, args.templates, args.output, args.base_url,
                             cache_dir=None if args.no_cache else args.cache,
                             jobs=args.jobs,
                             progress=status.show if sys.stderr.isatty() else None,
                             strict=getattr(args, "strict", False))
        if args.verb == "serve":
            from .serve import run_serve

            return run_serve(config, args.host, args.port)
        try:
            report = build(config, session)
        finally:
            status.show("")
    except Exception as problem:
        lines = error_lines(problem)
        if lines is None:  # a bug in sitegen: its traceback is for whoever fixes it
            raise
        for line in lines:
            print(line, file=sys.stderr)
        if isinstance(problem, BuildFailed):
            print(failure_count_line(problem, "" if args.verb == "check"
                                     else f"{args.output}/ was left unchanged"), file=sys.stderr)
        return exit_code(problem)
    print_warnings(report.warnings)
    print(summary_line(config, report))
    if args.verbose:
        for line in details(report):
            print(f"  {line}")
    return 0


def _write_verb(args: argparse.Namespace) -> int:
    """The verbs that write a file for authors: the schemas, the reference, a new topic."""
    if args.verb == "schema":
        from .schema import write_schemas

        try:
            written = write_schemas(args.output)
        except OSError as problem:
            print(f"sitegen: cannot write {args.output}/: {problem.strerror}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        print(f"wrote {args.output}/: " + ", ".join(path.name for path in written))
        return 0
    if args.verb == "reference":
        from .reference import reference, write_reference

        if args.write is None:
            sys.stdout.write(reference())
            return 0
        try:
            changed = write_reference(args.write)
        except ValueError as problem:  # no markers in the file
            print(f"sitegen: {args.write}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{args.write}: reference " + ("updated" if changed else "already up to date"))
        return 0
    from .starter import StarterRefused, new_topic

    try:
        written, site_yaml = new_topic(args.content, args.name)
    except StarterRefused as refusal:
        print(f"sitegen: {refusal}", file=sys.stderr)
        return refusal.exit_code
    print(f"wrote {', '.join(str(path) for path in written)}; added '{args.name}' to the "
          f"topics of {site_yaml} (see it with `sitegen serve`)")
    return 0


def entry_point() -> None:
    # One build and the process ends. The cycle collector, back on after the build, would walk
    # every object the build made once more, and Python's exit would free them one by one:
    # together a fifth of a second after a thousand topics, for nothing. (serve, which runs
    # for hours, turns the collector back on.)
    gc.disable()
    # `kill` and a closed terminal stop a build as Ctrl-C does: otherwise Python would end
    # at once, leaving its worker processes and a half-written first output behind.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, stop_as_ctrl_c)
    # The build's session is held here, past main(): the topic models it keeps for a next
    # build, which never comes, are then dropped with the process, not freed one by one.
    with BuildSession(keeps_entries=False) as session:
        try:
            code = main(session=session)
        except KeyboardInterrupt:
            print("sitegen: interrupted", file=sys.stderr)
            # A normal exit: multiprocessing's clean-up then releases what the stopped
            # workers shared, which its resource tracker would otherwise report as leaked.
            sys.exit(EXIT_INTERRUPTED)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
