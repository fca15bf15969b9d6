"""Shared fixtures: the shipped content built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.pipeline import BuildConfig, build, check

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="session")
def site():
    """The shipped content, validated: the source of truth the outputs are checked against."""
    return check(BuildConfig(content_dir=CONTENT))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """output/ of a build of the shipped content."""
    out = tmp_path_factory.mktemp("built") / "output"
    build(BuildConfig(CONTENT, TEMPLATES, out))
    return out


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private, editable copy of the shipped content."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
