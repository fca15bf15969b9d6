#!/usr/bin/env python3
"""The least CPU time any clean build of a synthetic guide needs, measured piece by piece.

    .venv/bin/python bench/floor.py DIR [--runs 3] [--json floor.json]

DIR is a folder written by bench/synthetic.py. Each piece is the work no clean build of the
guide can skip, done the cheapest way, in one process:

    yaml       every YAML file of content/ read by libyaml into events, nothing built
    prose      every Markdown file of content/ parsed by markdown-it-py, as sitegen's prose
               (tokens only)
    graphviz   every diagram of the guide as sitegen writes it in DOT, drawn to SVG by a
               single `dot` process: Graphviz's own C code, no start-up per graph
    pages      every page a clean build writes (topic pages, index, study pages...) rendered
               from the already validated model with sitegen's own templates, one process,
               nothing cached
    writing    every byte of those pages and diagrams written to files

Their sum over two cores, shared perfectly and with nothing started, is the floor a clean
build is measured against. sitegen's clean build does all of it and more (validation, the
search index, cards, workers), so it can only be slower.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def yaml_events(files: list[Path]) -> float:
    """CPU seconds for libyaml to read every file into events."""
    import yaml

    started = time.process_time()
    for path in files:
        for _ in yaml.parse(path.read_bytes(), Loader=yaml.CSafeLoader):
            pass
    return time.process_time() - started


def prose_tokens(files: list[Path]) -> float:
    """CPU seconds for markdown-it-py, set up as sitegen's prose, to parse every file."""
    from sitegen.prose import _prose_markdown

    parser = _prose_markdown()
    started = time.process_time()
    for path in files:
        parser.parse(path.read_text(encoding="utf-8"))
    return time.process_time() - started


def graphviz(dot_file: Path) -> float:
    """CPU seconds of one `dot` process drawing every graph in the file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # -o names the file of the first graph only; the others would go to stdout.
    subprocess.run(["dot", "-Tsvg", str(dot_file)], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


class Guide:
    """The validated model of the guide and its drawn diagrams (made once, not timed)."""

    def __init__(self, content: Path) -> None:
        from sitegen.diagrams import diagram_blocks, dot_source, render_diagrams
        from sitegen.load import load_content
        from sitegen.validate import validate

        self.site = validate(load_content(content))
        self.sources = [dot_source(topic, block) for topic, block in diagram_blocks(self.site)]
        self.diagrams = render_diagrams(self.site, jobs=os.cpu_count() or 1)


def pages(guide: Guide, templates: Path) -> tuple[float, dict[str, bytes]]:
    """CPU seconds to render every page of a clean build from the model; and the pages."""
    from sitegen.pages import site_products
    from sitegen.sources import Templates
    from sitegen.study import study_products

    read = Templates.read(templates)
    started = time.process_time()
    products = site_products(guide.site, guide.diagrams, read)
    products.update(study_products(guide.site, read))
    made = {path: product.make() for path, product in products.items()}
    return time.process_time() - started, made


def writing(files: dict[str, bytes], out: Path) -> float:
    """CPU seconds to write every file, each opened, written and closed."""
    started = time.process_time()
    folders = set()
    for path, data in files.items():
        target = out / path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        with open(target, "wb") as file:
            file.write(data)
    return time.process_time() - started


def measure(folder: Path, runs: int) -> dict:
    content = folder / "content"
    yaml_files = sorted(content.rglob("*.yaml"))
    prose_files = sorted(content.rglob("*.md"))
    templates = Path(__file__).resolve().parent.parent / "templates"
    guide = Guide(content)
    times: dict[str, list[float]] = {"yaml": [], "prose": [], "graphviz": [], "pages": [],
                                     "writing": []}
    with tempfile.TemporaryDirectory(prefix="sitegen-floor-") as scratch:
        dot_file = Path(scratch) / "all.dot"
        dot_file.write_text("\n".join(guide.sources), encoding="utf-8")
        for run in range(runs):
            times["yaml"].append(yaml_events(yaml_files))
            times["prose"].append(prose_tokens(prose_files))
            times["graphviz"].append(graphviz(dot_file))
            seconds, made = pages(guide, templates)
            times["pages"].append(seconds)
            files = {**made, **{f"diagrams/{d.file_name}": d.source()
                                for d in guide.diagrams.values()}}
            times["writing"].append(writing(files, Path(scratch) / f"out-{run}"))
    medians = {name: statistics.median(values) for name, values in times.items()}
    total = sum(medians.values())
    return {"pages": sum(path.endswith(".html") for path in made), "files": len(files),
            "megabytes": round(sum(map(len, files.values())) / 1e6, 1),
            "diagrams": len(guide.sources), "runs": runs,
            "cpu_s": {name: round(value, 3) for name, value in medians.items()},
            "total_cpu_s": round(total, 3),
            "two_core_wall_s": round(total / 2, 3)}  # two cores, perfectly shared


def describe(floor: dict) -> str:
    parts = " + ".join(f"{name} {seconds:.2f}" for name, seconds in floor["cpu_s"].items())
    return (f"floor of a clean build ({floor['pages']} pages, {floor['diagrams']} diagrams, "
            f"{floor['megabytes']} MB in {floor['files']} files): {parts} = "
            f"{floor['total_cpu_s']:.2f} CPU-s; on two cores at best "
            f"{floor['two_core_wall_s']:.2f} s")


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
