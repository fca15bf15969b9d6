"""Builds killed at random moments: output/ is afterwards exactly one whole build, old or new."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOPICS = 300
TRIES = 10
TITLES = ("Kill Test Guide A", "Kill Test Guide B")


def tree(folder: Path) -> dict[str, str]:
    """Every file of a folder, by path: the sha256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def start_build(project: Path, output: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--content", "content", "--templates",
         str(ROOT / "templates"), "--output", output, "--no-cache"],
        cwd=project, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finished_build(project: Path, output: str) -> float:
    started = time.monotonic()
    build = start_build(project, output)
    _, err = build.communicate(timeout=600)
    assert build.returncode == 0, err
    return time.monotonic() - started


def set_title(project: Path, title: str) -> None:
    site = project / "content" / "site.yaml"
    lines = site.read_text(encoding="utf-8").splitlines(keepends=True)
    site.write_text("".join(f"title: {title}\n" if line.startswith("title:") else line
                            for line in lines), encoding="utf-8")


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    """A guide big enough for writing to take a while, and both its whole builds."""
    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    project = tmp_path_factory.mktemp("killed")
    synthetic.generate(project, TOPICS)
    whole, seconds = {}, []
    for title in TITLES:
        set_title(project, title)
        seconds.append(finished_build(project, f"wholes/{len(whole)}"))
        whole[title] = tree(project / "wholes" / str(len(whole)))
    assert whole[TITLES[0]] != whole[TITLES[1]]
    # The quicker of the two: a build slowed by a busy machine would put the later kills
    # past the end of the builds they are meant to stop.
    return project, whole, min(seconds)


def test_a_build_killed_at_any_moment_leaves_one_whole_build(guide):
    project, whole, seconds = guide
    chance = random.Random(14)
    set_title(project, TITLES[0])
    finished_build(project, "output")
    held = TITLES[0]
    killed = 0
    for attempt in range(TRIES):
        target = TITLES[1 - TITLES.index(held)]
        set_title(project, target)
        # Half the kills anywhere in the build, half in its last fifth, where it writes.
        moment = seconds * (chance.uniform(0, 1) if attempt % 2 else chance.uniform(0.8, 1.1))
        build = start_build(project, "output")
        try:
            build.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
        found = tree(project / "output")
        matches = [title for title, files in whole.items() if files == found]
        assert matches, (f"try {attempt}: killed after {moment:.2f} s, output/ is not one whole "
                         f"build: {sorted(set(found) ^ set(whole[target]))[:5]} ...")
        held = matches[0]
        killed += build.returncode != 0
        leftovers = sorted(p.name for p in project.iterdir())
        assert leftovers == [".output.sitegen", "content", "hugo", "mkdocs", "output",
                             "wholes"], leftovers
    assert killed >= TRIES // 2  # most kills stopped a build midway: the test tested something
    # A build after the last kill puts everything right, and leaves nothing stray.
    finished_build(project, "output")
    assert tree(project / "output") == whole[TITLES[1 - TITLES.index(held)]] or \
        tree(project / "output") == whole[held]
    assert sorted(p.name for p in (project / ".output.sitegen").iterdir()) == [
        ".sitegen-output", "previous", "record.json"]
