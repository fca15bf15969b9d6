"""Shared fixtures: the shipped content built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.pipeline import BuildConfig, build, check

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="session", autouse=True)
def private_key_folder(tmp_path_factory):
    """Builds sign compiled templates with a key kept in the user's cache folder: the tests'
    builds (and the commands they start) keep theirs in a folder of the test session."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


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
