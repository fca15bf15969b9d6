"""The search index: a document per topic and per section, holding what a reader sees there."""

from __future__ import annotations

import re
from pathlib import Path


from content_checks import search_documents

def documents(built: Path) -> list[dict]:
    return search_documents(built)


def test_cells_and_list_items_stay_apart_in_snippets(layered_built):
    by_title = {d["title"]: d["text"] for d in documents(layered_built)}
    assert "Hypervisor security · Host operating systems" in by_title["Detailed Breakdown"]
    assert "Data Encryption · Customer · Customer · Customer" in by_title["The Responsibility Matrix"]


def test_controls_and_drawings_are_not_indexed(layered_built):
    by_title = {d["title"]: d["text"] for d in documents(layered_built)}
    scenarios = by_title["Key Exam Scenarios"]
    assert "Show the answer" not in scenarios  # a <summary>, not reading matter
    assert "open the diagram on its own" not in by_title["The Core Concept"]
    assert "Who is responsible?" in scenarios


def test_decomposed_text_is_indexed_composed(content_copy, tmp_path):
    from sitegen.pipeline import BuildConfig, build

    topic = content_copy / "topics" / "layered" / "topic.yaml"
    text = topic.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1)
    topic.write_text(text.replace(f"title: {title}", f"title: {title} Se\u0301curite\u0301", 1),
                     encoding="utf-8")
    build(BuildConfig(content_copy, Path(__file__).parent.parent / "templates", tmp_path / "out"))
    titles = [d["title"] for d in documents(tmp_path / "out")]
    assert f"{title} S\u00e9curit\u00e9" in titles
    assert not any("\u0301" in d["title"] + d["text"] for d in documents(tmp_path / "out"))


def test_a_kept_share_that_is_not_index_data_is_made_again(content_copy, tmp_path):
    """A cache entry is published as it is, so one that could run as script is not used."""
    from sitegen.pipeline import BuildConfig, build

    cache, out = tmp_path / "cache", tmp_path / "out"
    templates = Path(__file__).parent.parent / "templates"
    build(BuildConfig(content_copy, templates, out, cache_dir=cache))
    shares = [p for p in (cache / "search").rglob("*") if p.is_file()]
    assert shares
    planted = b'{"topic":"x","title":"x","url":"x","text":"x"}];alert(1);['
    import zlib
    for share in shares:
        share.write_bytes(zlib.crc32(planted).to_bytes(4, "little") + planted)
    for part in (out / "assets" / "search-index").iterdir():
        part.unlink()  # so that the parts are joined again from the kept shares
    import subprocess
    import sys

    # In a new process: this one remembers the shares its last build used.
    subprocess.run([sys.executable, str(templates.parent / "build.py"), "--content",
                    str(content_copy), "--templates", str(templates), "--output", str(out),
                    "--cache", str(cache)], check=True, capture_output=True)
    assert all("alert" not in part.read_text(encoding="utf-8")
               for part in (out / "assets" / "search-index").iterdir())
    assert documents(out)
