"""Shared fixtures: the shipped content built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# The content checks live in a module of their own: show their failures as fully as a test's.
pytest.register_assert_rewrite("content_checks", "source_data")

from sitegen.pipeline import BuildConfig, build, check

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
FIXTURES = ROOT / "tests" / "fixtures"


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
def layered_site():
    """The fixture guide shaped like the seed (tests/fixtures/layered), validated: for tests
    of the generator, which must not depend on what content/ holds."""
    return check(BuildConfig(content_dir=FIXTURES / "layered"))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """output/ of a build of the shipped content."""
    out = tmp_path_factory.mktemp("built") / "output"
    build(BuildConfig(CONTENT, TEMPLATES, out))
    return out


FIXTURE = FIXTURES / "layered"
"""The guide generator tests build: one topic, "layered", shaped like the seed."""


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private, editable copy of the fixture guide (tests/fixtures/layered)."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="session")
def layered_built(tmp_path_factory) -> Path:
    """output/ of a build of the fixture guide."""
    out = tmp_path_factory.mktemp("layered-built") / "output"
    build(BuildConfig(FIXTURE, TEMPLATES, out))
    return out
