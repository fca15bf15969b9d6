"""Command line: `sitegen build` and `sitegen check`; prints errors and sets exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import BuildFailed, MissingTool
from .output import OutputNotOurs
from .pipeline import BuildConfig, build, check

EXIT_CONTENT_ERROR = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen",
                                     description="Build the study site and quick-reference cards.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="{build,check}")
    for verb, text in (("build", "validate content/ and write the site and cards to output/"),
                       ("check", "validate content/ only; writes nothing")):
        sub = verbs.add_parser(verb, help=text, description=text)
        sub.add_argument("--content", type=Path, default=Path("content"), help="content folder")
        if verb == "build":
            sub.add_argument("--templates", type=Path, default=Path("templates"),
                             help="templates folder")
            sub.add_argument("--output", type=Path, default=Path("output"),
                             help="output folder, replaced whole on success")
            sub.add_argument("--base-url", default=os.environ.get("SITEGEN_BASE_URL", ""),
                             help="public address, e.g. https://user.github.io/repo/ "
                                  "(default: $SITEGEN_BASE_URL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.verb == "check":
            site = check(BuildConfig(content_dir=args.content))
            print(f"{args.content}/: {len(site.topics)} topics, {len(site.cards)} cards, no errors")
            return 0
        config = BuildConfig(args.content, args.templates, args.output, args.base_url)
        report = build(config)
    except BuildFailed as failure:
        for error in failure.errors:
            print(error, file=sys.stderr)
        count = len(failure.errors)
        kept = "" if args.verb == "check" else f"; {args.output}/ was left unchanged"
        print(f"{count} error{'s' if count != 1 else ''}{kept}", file=sys.stderr)
        return EXIT_CONTENT_ERROR
    except (MissingTool, OutputNotOurs) as problem:
        print(f"sitegen: error: {problem}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    print(f"built {config.output_dir}/: {report.pages} pages, {report.diagrams} diagrams, "
          f"{report.cards} cards ({report.files} files) in {report.seconds:.2f} s")
    return 0


def entry_point() -> None:
    sys.exit(main())
