"""One minimal broken content tree per kind of mistake, each checked by its exact messages.

Each case is a folder tests/invalid/<case>/ holding content/ (the broken tree) and
expected.txt (every error line `sitegen check` must print for it, in order).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import BuildFailed
from sitegen.pipeline import BuildConfig, check

CASES = sorted(p for p in (Path(__file__).parent / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_content_reports_exactly_the_expected_errors(case, monkeypatch):
    monkeypatch.chdir(case)  # so messages name content/... as an author would see them
    with pytest.raises(BuildFailed) as failure:
        check(BuildConfig(content_dir=Path("content")))
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(e) for e in failure.value.errors] == [line for line in expected if line]
