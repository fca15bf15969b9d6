#!/usr/bin/env python3
"""The least CPU time any clean build of a synthetic guide needs, measured piece by piece.

    .venv/bin/python bench/floor.py DIR [--runs 3] [--json floor.json]

DIR is a folder written by bench/synthetic.py. Three pieces are timed, each in one process:

    markdown + jinja   the same pages as Markdown (DIR/mkdocs/docs), each parsed by
                       markdown-it-py and written through a one-line Jinja template: the bare
                       loop a Python generator of these pages cannot beat
    graphviz           every diagram of the guide as sitegen writes it in DOT, drawn to SVG by
                       a single `dot` process: Graphviz's own C code, no start-up per graph
    yaml               every topic.yaml read by libyaml into events, nothing built from them

Their sum over two cores, shared perfectly and with nothing started, bounds how many pages a
second a clean build that draws its diagrams can reach on this machine. sitegen's clean build
does all three and more (validation, search index, cards), so it can only be slower.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}"
        "</title></head>\n<body><main>{{ body }}</main></body></html>\n")


def markdown_loop(docs: list[Path], out: Path) -> float:
    """CPU seconds to turn every Markdown page into an HTML file."""
    import jinja2
    from markdown_it import MarkdownIt

    started = time.process_time()
    parser = MarkdownIt("commonmark").enable("table")
    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        title = text.partition("\n")[0].lstrip("# ")
        html = template.render(title=title, body=jinja2.utils.markupsafe.Markup(parser.render(text)))
        (out / f"{doc.stem}.html").write_text(html, encoding="utf-8")
    return time.process_time() - started


def diagram_sources(content: Path) -> list[str]:
    """Every diagram of the guide in DOT, as sitegen writes it (not timed)."""
    from sitegen.diagrams import diagram_blocks, dot_source
    from sitegen.load import load_content
    from sitegen.validate import validate

    site = validate(load_content(content))
    return [dot_source(topic, block) for topic, block in diagram_blocks(site)]


def graphviz(dot_file: Path) -> float:
    """CPU seconds of one `dot` process drawing every graph in the file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # -o names the file of the first graph only; the others would go to stdout.
    subprocess.run(["dot", "-Tsvg", str(dot_file)], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def yaml_events(files: list[Path]) -> float:
    """CPU seconds for libyaml to read every file into events."""
    import yaml

    started = time.process_time()
    for path in files:
        for _ in yaml.parse(path.read_bytes(), Loader=yaml.CSafeLoader):
            pass
    return time.process_time() - started


def measure(folder: Path, runs: int) -> dict:
    docs = sorted((folder / "mkdocs/docs").glob("*.md"))
    topic_files = sorted((folder / "content/topics").glob("*/topic.yaml"))
    sources = diagram_sources(folder / "content")
    times: dict[str, list[float]] = {"markdown + jinja": [], "graphviz": [], "yaml": []}
    with tempfile.TemporaryDirectory(prefix="sitegen-floor-") as scratch:
        dot_file = Path(scratch) / "all.dot"
        dot_file.write_text("\n".join(sources), encoding="utf-8")
        pages = Path(scratch) / "pages"
        pages.mkdir()
        for _ in range(runs):
            times["markdown + jinja"].append(markdown_loop(docs, pages))
            times["graphviz"].append(graphviz(dot_file))
            times["yaml"].append(yaml_events(topic_files))
    medians = {name: statistics.median(values) for name, values in times.items()}
    total = sum(medians.values())
    best_wall = total / 2  # two cores, perfectly shared, nothing started
    return {"pages": len(docs), "diagrams": len(sources), "runs": runs,
            "cpu_s": {name: round(value, 3) for name, value in medians.items()},
            "total_cpu_s": round(total, 3), "two_core_wall_s": round(best_wall, 3),
            "pages_per_s_bound": round(len(docs) / best_wall, 1),
            "markdown_loop_pages_per_s": round(len(docs) / (medians["markdown + jinja"] / 2), 1),
            "without_graphviz_pages_per_s_bound": round(
                len(docs) / ((total - medians["graphviz"]) / 2), 1)}


def describe(floor: dict) -> str:
    parts = " + ".join(f"{name} {seconds:.2f}" for name, seconds in floor["cpu_s"].items())
    return (f"floor of a clean build: {parts} = {floor['total_cpu_s']:.2f} CPU-s; on two cores "
            f"at best {floor['two_core_wall_s']:.2f} s = {floor['pages_per_s_bound']:.0f} pages/s "
            f"({floor['without_graphviz_pages_per_s_bound']:.0f} pages/s without drawing "
            f"{floor['diagrams']} diagrams; the markdown + jinja loop alone "
            f"{floor['markdown_loop_pages_per_s']:.0f} pages/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder written by bench/synthetic.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    floor = measure(args.folder, args.runs)
    print(describe(floor))
    if args.json:
        args.json.write_text(json.dumps(floor, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
