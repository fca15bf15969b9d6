"""Any edit an author might make ends in a Site or in located errors, never in a traceback."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildConfig, check

REPLACEMENTS = ["no", "1.10", "2024-01-01", "~", "[]", "{}", "[a, b]", "{a: b}", "''", "x: y",
                "&a x", "*a", '"unterminated', "- item", "true", "aws", "customer", "iaas"]


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "value", "indent", "key"])
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {rng.choice(REPLACEMENTS)}"
        elif action == "indent":
            lines[i] = " " * rng.choice([0, 1, 2, 4, 6]) + lines[i].lstrip()
        elif action == "key" and ":" in lines[i]:
            key, rest = lines[i].split(":", 1)
            lines[i] = f"{key}x:{rest}"
    return lines


@pytest.mark.parametrize("seed", range(150))
def test_random_edits_never_crash_validation(content_copy, seed):
    rng = random.Random(seed)
    target = rng.choice([content_copy / "site.yaml",
                         content_copy / "topics" / "layered" / "topic.yaml"])
    lines = target.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join(mutate(lines, rng)) + "\n", encoding="utf-8")
    try:
        check(BuildConfig(content_dir=content_copy))
    except BuildFailed as failure:
        for error in failure.errors:
            assert Path(error.path).is_relative_to(content_copy)
            assert error.line >= 0 and error.message


def _dies_in_a_worker(item: int) -> int:
    import multiprocessing
    import os

    if multiprocessing.parent_process() is not None:
        os._exit(1)  # as when the kernel kills a worker that ran out of memory
    return item * 2


def test_work_spread_over_processes_is_done_here_when_a_worker_dies():
    from concurrent.futures.process import BrokenProcessPool

    from sitegen.workers import PARALLEL_MINIMUM, spread

    items = list(range(PARALLEL_MINIMUM))
    assert spread(_dies_in_a_worker, items, 2) == [item * 2 for item in items]
    with pytest.raises(BrokenProcessPool):  # work that may have crashed the worker itself
        spread(_dies_in_a_worker, items, 2, here_if_killed=False)
