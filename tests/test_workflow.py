"""The GitHub Pages workflow: valid, linted, and building exactly what `make site` builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import yaml

from sitegen.cli import BASE_URL_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
BIN = Path(sys.executable).parent


def workflow() -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); look it up either way.
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def test_workflow_matches_githubs_workflow_schema():
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_the_workflow_linter():
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--config", ROOT / ".github" / "zizmor.yml", WORKFLOW],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_uses_the_official_pages_actions_in_order():
    used = [step["uses"].split("@")[0] for job in ("build", "deploy") for step in steps(job)
            if "uses" in step]
    assert used == ["actions/checkout", "actions/configure-pages", "actions/cache",
                    "actions/upload-pages-artifact", "actions/deploy-pages"]
    config = workflow()
    assert config["jobs"]["deploy"]["needs"] == "build"
    assert config["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert config["permissions"] == {"contents": "read"}
    trigger = config.get("on", config.get(True))
    assert trigger["push"]["branches"] == ["main"]


def test_workflow_builds_with_make_site_and_the_pages_address():
    (build_step,) = [step for step in steps("build") if step.get("run") == "make site"]
    assert build_step["env"] == {BASE_URL_VARIABLE: "${{ steps.pages.outputs.base_url }}/"}
    (configure,) = [step for step in steps("build") if "configure-pages" in step.get("uses", "")]
    assert configure["id"] == "pages"
    (upload,) = [step for step in steps("build") if "upload-pages-artifact" in step.get("uses", "")]
    assert upload["with"]["path"] == "output"
    # The packages step runs the same script `make site` runs, as root through sudo.
    assert any(step.get("run") == "sudo tools/system-packages.sh build" for step in steps("build"))


def test_workflow_keeps_the_cache_folder_make_site_builds_with():
    from sitegen.cache import DEFAULT_FOLDER

    (keep,) = [step for step in steps("build") if "actions/cache" in step.get("uses", "")]
    assert keep["with"]["path"] == str(DEFAULT_FOLDER)
    names = [step.get("name") for step in steps("build")]
    assert names.index(keep["name"]) < names.index("Build the site and the cards")
    assert keep["with"]["key"].startswith(keep["with"]["restore-keys"].strip())


def test_make_site_passes_the_base_url_variable_through(tmp_path, monkeypatch):
    """What the workflow sets reaches the build: canonical links under the repository path."""
    from sitegen.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv(BASE_URL_VARIABLE, "https://owner.github.io/study-guide/")
    assert main(["build", "--output", str(tmp_path / "out")]) == 0
    page = lxml.html.fromstring((tmp_path / "out" / "index.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == ["https://owner.github.io/study-guide/"]
    not_found = lxml.html.fromstring((tmp_path / "out" / "404.html").read_bytes())
    assert "/study-guide/index.html" in not_found.xpath("//a/@href")

