"""`sitegen new topic`: a starter with every kind that builds as written, listed in site.yaml
by one added line, and clear refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from content_checks import TOPIC_CHECKS
from sitegen.cli import main
from sitegen.kinds import KINDS
from sitegen.pipeline import BuildConfig, build, check

ROOT = Path(__file__).resolve().parent.parent
NAME = "iam-basics"


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> tuple[Path, Path, str]:
    """(content, output, site.yaml before): the shipped content with a starter topic, built."""
    root = tmp_path_factory.mktemp("started")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    before = (content / "site.yaml").read_text(encoding="utf-8")
    assert main(["new", "topic", NAME, "--content", str(content)]) == 0
    check(BuildConfig(content_dir=content))
    output = root / "output"
    build(BuildConfig(content, ROOT / "templates", output, cache_dir=None))
    return content, output, before


def test_the_starter_has_an_example_of_every_kind_and_names_its_schema(started):
    content, _, _ = started
    text = (content / "topics" / NAME / "topic.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../../schemas/topic.schema.json"
    assert [block["kind"] for block in yaml.safe_load(text)["blocks"]] == list(KINDS)
    for kind in KINDS.values():
        assert f"  # {kind.name}: " in text  # each example under a comment on its kind


def test_site_yaml_gets_one_line_and_keeps_its_comments(started):
    content, _, before = started
    after = (content / "site.yaml").read_text(encoding="utf-8")
    last = "  - s3-storage-classes\n"
    assert after == before.replace(last, f"{last}  - {NAME}\n")


@pytest.mark.parametrize("check_topic", TOPIC_CHECKS, ids=lambda c: c.__name__)
def test_the_starter_builds_and_its_outputs_equal_its_data(started, check_topic):
    content, output, _ = started
    check_topic(output, content, NAME)


def test_a_flow_list_of_topics_gets_the_name_added(tmp_path, content_copy):
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("topics:\n  - layered\n",
                                                             "topics: [layered]  # all\n"),
                    encoding="utf-8")
    assert main(["new", "topic", NAME, "--content", str(content_copy)]) == 0
    assert f"topics: [layered, {NAME}]  # all\n" in site.read_text(encoding="utf-8")
    check(BuildConfig(content_dir=content_copy))


@pytest.mark.parametrize("name, message", [
    ("Bad Name", "'Bad Name' is not a valid topic name"),
    ("layered", "topic 'layered' already exists"),
    ("../x", "is not a valid topic name"),
])
def test_an_invalid_or_existing_name_is_refused_in_one_line(content_copy, capsys, name, message):
    before = sorted(p.relative_to(content_copy) for p in content_copy.rglob("*"))
    site = (content_copy / "site.yaml").read_text(encoding="utf-8")
    assert main(["new", "topic", name, "--content", str(content_copy)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert sorted(p.relative_to(content_copy) for p in content_copy.rglob("*")) == before
    assert (content_copy / "site.yaml").read_text(encoding="utf-8") == site


def test_a_listed_topic_without_a_folder_is_refused(content_copy, capsys):
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  - layered\n", f"  - layered\n  - {NAME}\n"),
                    encoding="utf-8")
    assert main(["new", "topic", NAME, "--content", str(content_copy)]) == 2
    assert f"topic '{NAME}' is already listed" in capsys.readouterr().err
    assert not (content_copy / "topics" / NAME).exists()
