#!/usr/bin/env python3
"""Build benchmark (not a test): sitegen against Hugo and MkDocs on synthetic guides.

    make bench                                    # sizes 1,100,1000, 5 runs
    .venv/bin/python bench/run.py --quick         # sizes 1,100, 1 run: a minute or so
    .venv/bin/python bench/run.py --sizes 1,100,1000 --runs 3 --json bench.json

For each size N, bench/synthetic.py writes the same N topic pages for all three tools into a
temporary project folder. Every case is a whole command run as a subprocess; its wall time
and peak memory (max RSS of the child or of the largest process it waited for, from wait4)
are recorded. Cases run round by round, so machine noise hits all of them alike; the ratios
are medians of per-round ratios. A peer that is not installed is skipped with a note.

Then bench/serve_latency.py measures `sitegen serve` on the same size: save to reloaded page,
and bench/floor.py the least CPU time any clean build of that guide needs (its YAML and prose
parsed, its diagrams drawn by one `dot`, its pages rendered from the model and written, each
alone), the bound a clean build is measured against.

A clean sitegen build of 1000 topics (1000 pages, 2000 Graphviz diagrams, two cards, the
study pages) takes about twenty seconds on this two-core machine: `--sizes 100,1000 --runs 3`
takes about a quarter of an hour, `--quick` a few minutes.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def find_sitegen() -> list[str]:
    for candidate in (ROOT / ".venv/bin/sitegen", Path(sys.executable).parent / "sitegen"):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("sitegen")
    if not found:
        sys.exit("sitegen is not installed: run `make site` first")
    return [found]


def find_mkdocs() -> list[str] | None:
    if importlib.util.find_spec("mkdocs"):
        return [sys.executable, "-m", "mkdocs"]
    found = shutil.which("mkdocs")
    return [found] if found else None


def become_subreaper() -> bool:
    """Adopt orphaned descendants. sitegen's workers hang off a multiprocessing fork server
    that nobody waits for, so without this their memory would never reach wait4."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


# Python tools are timed as people run them, with compiled modules kept (.pyc): some
# machines set PYTHONDONTWRITEBYTECODE, which makes every run compile every module anew.
CHILD_ENVIRONMENT = {name: value for name, value in os.environ.items()
                     if name != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the last output line of one command."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                 env=CHILD_ENVIRONMENT)
        # wait4 rather than child.wait(): it also returns the child's resource usage.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        while True:  # reap adopted orphans (untimed) so none runs on into the next case
            try:
                peak = max(peak, os.wait4(-1, 0)[2].ru_maxrss)
            except ChildProcessError:
                break
        log.seek(0)
        output = log.read()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} (in {cwd}) exited {child.returncode}:\n{output}")
    lines = output.strip().splitlines()
    return elapsed, peak / 1024, lines[-1] if lines else ""


def remove(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


class Project:
    """One synthetic guide of n topics and the benchmark cases run on it, in round order."""

    def __init__(self, folder: Path, n: int, tools: dict, sitegen_extra: list[str],
                 study: bool = False):
        synthetic.generate(folder, n)
        p, hugo_dir, mk = folder, folder / "hugo", folder / "mkdocs"
        build = tools["sitegen"] + ["build", "--content", "content", "--templates",
                                    str(ROOT / "templates"), "--output", "output"] + sitegen_extra
        # (name, preparation, command, working directory); preparations are not timed.
        cases = [
            # output/ with sitegen's folder beside it (the record and the spare tree).
            ("sitegen clean", lambda r: remove(p / "output", p / ".output.sitegen",
                                               p / ".sitegen-cache"), build, p),
            ("sitegen unchanged", None, build, p),
            ("sitegen 1 edit", lambda r: synthetic.edit(p, n, "sitegen", r), build, p),
            ("sitegen warm cache", lambda r: remove(p / "output", p / ".output.sitegen"), build, p),
        ]
        # The same guide with the whole-guide outputs too (an Anki deck and the book in two
        # papers), when this sitegen makes them: its clean build, and what they add to it.
        study_folder = folder / "with-study"
        if study:
            synthetic.with_study_outputs(p, study_folder)
        if study and subprocess.run(tools["sitegen"] + ["check", "--content",
                                                        str(study_folder / "content")],
                                    capture_output=True, text=True).returncode == 0:
            cases.append(("sitegen clean +deck+book",
                          lambda r: remove(study_folder / "output", study_folder / ".output.sitegen",
                                           study_folder / ".sitegen-cache"), build, study_folder))
        if tools.get("hugo"):
            hugo = tools["hugo"] + ["--quiet", "--source", str(hugo_dir), "--destination", "public"]
            cases += [("hugo clean", lambda r: remove(hugo_dir / "public"), hugo, hugo_dir),
                      ("hugo rebuild", None, hugo, hugo_dir)]
        if tools.get("mkdocs"):
            mkdocs = tools["mkdocs"] + ["build", "--quiet"]
            cases += [
                ("mkdocs small nav", None, mkdocs + ["--clean", "-f", "mkdocs-small.yml"], mk),
                ("mkdocs default nav", None, mkdocs + ["--clean", "-f", "mkdocs.yml"], mk),
                # --dirty re-renders only pages whose source is newer than their output (and
                # rewrites the search index with those pages alone: less work than a correct build).
                ("mkdocs 1 edit --dirty", lambda r: synthetic.edit(p, n, "mkdocs", r),
                 mkdocs + ["--dirty", "-f", "mkdocs.yml"], mk),
            ]
        self.cases = cases

    def round(self, revision: int, results: dict) -> None:
        for name, prepare, command, cwd in self.cases:
            if prepare:
                prepare(revision)
            seconds, rss, last = measure(command, cwd)
            entry = results.setdefault(name, {"runs_s": [], "runs_rss_mb": [], "last_line": last})
            entry["runs_s"].append(round(seconds, 4))
            entry["runs_rss_mb"].append(round(rss, 1))


CLEAN_CASES = ("sitegen clean", "sitegen warm cache", "sitegen clean +deck+book", "hugo clean",
               "mkdocs small nav", "mkdocs default nav")
RATIOS = [  # (sitegen case, peer case): the same kind of work
    ("sitegen clean", "hugo clean"), ("sitegen clean", "mkdocs small nav"),
    ("sitegen clean", "mkdocs default nav"), ("sitegen unchanged", "hugo rebuild"),
    ("sitegen 1 edit", "hugo rebuild"), ("sitegen 1 edit", "mkdocs 1 edit --dirty"),
    ("sitegen clean +deck+book", "sitegen clean"),
]


def summarise(n: int, results: dict) -> dict:
    cases = {}
    for name, entry in results.items():
        times = entry["runs_s"]
        summary = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                   "peak_rss_mb": max(entry["runs_rss_mb"]), **entry}
        if name in CLEAN_CASES:  # pages: the N topic pages and the index
            summary["pages_per_s"] = (n + 1) / summary["median_s"]
        cases[name] = summary
    ratios = {f"{a} / {b}": statistics.median(x / y for x, y in zip(results[a]["runs_s"],
                                                                    results[b]["runs_s"]))
              for a, b in RATIOS if a in results and b in results}
    return {"topics": n, "pages": n + 1, "cases": cases, "ratios": ratios}


def print_size(summary: dict, runs: int) -> None:
    print(f"\nN = {summary['topics']} topics ({summary['pages']} pages), {runs} run(s)")
    print(f"  {'case':<24}{'median s':>9}{'min s':>8}{'max s':>8}{'peak MB':>9}{'pages/s':>9}  last line")
    for name, c in summary["cases"].items():
        rate = f"{c['pages_per_s']:9.1f}" if "pages_per_s" in c else " " * 9
        print(f"  {name:<24}{c['median_s']:9.3f}{c['min_s']:8.3f}{c['max_s']:8.3f}"
              f"{c['peak_rss_mb']:9.0f}{rate}  {c['last_line'][:60]}")
    for name, ratio in summary["ratios"].items():
        print(f"  ratio {name:<46}{ratio:8.2f}x")
    serve = summary.get("serve")
    if serve:
        print(f"  sitegen serve, save to reloaded page: {serve['median_to_page_ms']:.0f} ms median "
              f"of {serve['saves']} saves (to the reload event {serve['median_to_reload_event_ms']:.0f} ms)")
    if summary.get("floor"):
        print(f"  {summary['floor']['line']}")
        ratio = summary["ratios"].get("sitegen clean / floor on two cores")
        if ratio:
            print(f"  ratio {'sitegen clean / floor on two cores':<46}{ratio:8.2f}x")


def serve_latency(n: int, saves: int, scratch: Path) -> dict | None:
    """bench/serve_latency.py on its own guide of n topics, in a process of its own."""
    result = scratch / f"serve-{n}.json"
    print(f"N={n}: sitegen serve, {saves} saves", file=sys.stderr)
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("serve_latency.py")),
                           "--topics", str(n), "--saves", str(saves), "--json", str(result)],
                          capture_output=True, text=True, env=CHILD_ENVIRONMENT)
    if done.returncode != 0:
        print(f"note: serve latency failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return json.loads(result.read_text(encoding="utf-8"))


def floor(folder: Path, runs: int, scratch: Path) -> dict | None:
    """bench/floor.py on the size's guide: the least CPU time any clean build of it needs."""
    result = scratch / f"floor-{folder.name}.json"
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("floor.py")), str(folder),
                           "--runs", str(runs), "--json", str(result)],
                          capture_output=True, text=True, env=CHILD_ENVIRONMENT)
    if done.returncode != 0:
        print(f"note: floor failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return {**json.loads(result.read_text(encoding="utf-8")), "line": done.stdout.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000", help="topic counts, e.g. 1,100")
    parser.add_argument("--runs", type=int, default=5, help="rounds per size")
    parser.add_argument("--quick", action="store_true", help="sizes 1,100 and 1 run")
    parser.add_argument("--jobs", type=int, help="pass -j JOBS to sitegen (default: its own)")
    # The book is laid out whole: about 0.3 CPU-s a page, some 13 minutes for the 900 pages
    # of a hundred topics. By default only the smallest size times it.
    parser.add_argument("--study-sizes", default="1",
                        help="sizes whose clean build is also timed with the deck and book "
                             "(default 1)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the project folders")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs = "1,100", 1
    sizes = [int(s) for s in args.sizes.split(",")]

    notes = [] if become_subreaper() else [
        "could not become a child subreaper: peak MB misses orphaned worker processes"]
    tools = {"sitegen": find_sitegen(), "hugo": [shutil.which("hugo")] if shutil.which("hugo") else None,
             "mkdocs": find_mkdocs()}
    for peer, how in (("hugo", "apt-get install hugo"), ("mkdocs", "pip install -e '.[bench]'")):
        if not tools[peer]:
            notes.append(f"{peer} is not installed ({how}): its cases are skipped")
    # sitegen is changing: use only the options this one knows, and say what is missing.
    usage = subprocess.run(tools["sitegen"] + ["build", "--help"], capture_output=True, text=True).stdout
    extra = []
    if args.jobs and "--jobs" in usage:
        extra = ["-j", str(args.jobs)]
    elif args.jobs:
        notes.append("this sitegen has no -j/--jobs option: --jobs ignored")
    if "--cache" not in usage:
        notes.append("this sitegen keeps no cache: 'sitegen warm cache' is another clean build")
    versions = {name: subprocess.run(cmd + ["--version"] if name != "hugo" else cmd + ["version"],
                                     capture_output=True, text=True).stdout.strip()
                for name, cmd in tools.items() if cmd and name != "sitegen"}
    for note in notes:
        print(f"note: {note}")

    report = {"environment": {"python": platform.python_version(), "cpus": os.cpu_count(),
                              "affinity": len(os.sched_getaffinity(0)), "machine": platform.platform(),
                              "peers": versions, "sitegen_extra_args": extra, "runs": args.runs},
              "notes": notes, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as scratch:
        # One untimed round on a tiny guide: imports compiled, files and disk caches warm.
        Project(Path(scratch) / "warm-up", 1, tools, extra).round(1, {})
        for n in sizes:
            folder = Path(tempfile.mkdtemp(prefix=f"n{n}-", dir=None if args.keep else scratch))
            print(f"N={n}: generating in {folder}", file=sys.stderr)
            study = str(n) in args.study_sizes.split(",")
            project, results = Project(folder, n, tools, extra, study), {}
            for r in range(args.runs):
                print(f"N={n}: round {r + 1}/{args.runs}", file=sys.stderr)
                # Edits write revision r+1: never seen before, so no cache entry can serve it.
                project.round(r + 1, results)
            summary = summarise(n, results)
            summary["serve"] = serve_latency(n, max(5, 2 * args.runs), Path(scratch))
            print(f"N={n}: floor", file=sys.stderr)
            summary["floor"] = floor(folder, min(args.runs, 3), Path(scratch))
            if summary["floor"] and "sitegen clean" in summary["cases"]:
                summary["ratios"]["sitegen clean / floor on two cores"] = (
                    summary["cases"]["sitegen clean"]["median_s"]
                    / summary["floor"]["two_core_wall_s"])
            report["sizes"][str(n)] = summary
            print_size(summary, args.runs)
            sys.stdout.flush()
    print("\nratios are sitegen / peer: above 1 means sitegen is slower. Peak MB: the largest single process "
          "of the command's tree (workers included), not their sum.")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
