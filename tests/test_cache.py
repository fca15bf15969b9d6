"""The cache folder: only ever sitegen's own, private, and read back as data, never as code."""

from __future__ import annotations

import io
import marshal
import os
import pickle
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from sitegen.cache import Cache
from sitegen.cli import main
from sitegen.errors import FolderNotOurs

ROOT = Path(__file__).resolve().parent.parent
TAG_FILE = "CACHEDIR.TAG"  # the Cache Directory Tagging standard's
SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"
BUILD = ["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates")]


def run_build(tmp_path: Path, cache: Path, *extra: str) -> int:
    return main([*BUILD, "--output", str(tmp_path / "out"), "--cache", str(cache), *extra])


def test_a_folder_with_cache_like_subfolders_is_refused_not_emptied(tmp_path, capsys):
    mine = tmp_path / "x"
    (mine / "page").mkdir(parents=True)
    (mine / "page" / "thesis.txt").write_text("thesis", encoding="utf-8")
    assert run_build(tmp_path, mine) == 3
    assert f"{mine}/ is not a sitegen cache folder" in capsys.readouterr().err
    assert (mine / "page" / "thesis.txt").read_text(encoding="utf-8") == "thesis"
    assert not (tmp_path / "out").exists()


def test_a_folder_with_a_generation_file_is_refused_not_emptied(tmp_path, capsys):
    mine = tmp_path / "y"
    (mine / "Photos").mkdir(parents=True)
    (mine / "Photos" / "1.jpg").write_text("a", encoding="utf-8")
    (mine / "generation").write_text("t", encoding="utf-8")
    assert run_build(tmp_path, mine) == 3
    assert "not a sitegen cache folder" in capsys.readouterr().err
    assert (mine / "Photos" / "1.jpg").read_text(encoding="utf-8") == "a"
    assert (mine / "generation").read_text(encoding="utf-8") == "t"


def test_a_new_cache_is_tagged_and_private_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        assert run_build(tmp_path, tmp_path / "cache") == 0
    finally:
        os.umask(previous)
    cache = tmp_path / "cache"
    assert (cache / TAG_FILE).read_bytes().startswith(SIGNATURE)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for path in cache.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    out = tmp_path / "out"
    for path in [out, *out.rglob("*")]:
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_another_generation_empties_only_the_entries_sitegen_names(tmp_path):
    cache = tmp_path / "cache"
    old = Cache(cache, "old")
    old.put("svg", "ab" + "0" * 62, b"<svg/>")
    old.flush()
    entry = cache / "svg" / "ab" / ("ab" + "0" * 62)
    assert entry.exists()
    (cache / "svg" / "ab" / "notes.txt").write_text("mine", encoding="utf-8")
    (cache / "Photos").mkdir()
    (cache / "Photos" / "1.jpg").write_text("a", encoding="utf-8")
    Cache(cache, "new")
    assert not entry.exists()
    assert (cache / "svg" / "ab" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (cache / "Photos" / "1.jpg").read_text(encoding="utf-8") == "a"
    assert (cache / "generation").read_text(encoding="utf-8") == "new"


def test_an_empty_folder_becomes_a_cache(tmp_path):
    (tmp_path / "empty").mkdir()
    Cache(tmp_path / "empty", "g")
    assert (tmp_path / "empty" / TAG_FILE).read_bytes().startswith(SIGNATURE)


def test_a_cache_that_is_not_tagged_is_refused_by_the_library_too(tmp_path):
    (tmp_path / "c" / "svg").mkdir(parents=True)
    with pytest.raises(FolderNotOurs):
        Cache(tmp_path / "c", "g")
    assert (tmp_path / "c" / "svg").is_dir()


@pytest.mark.parametrize("case", ["cache in output", "output in cache", "same folder",
                                  "cache is a file"])
def test_a_cache_that_cannot_be_one_is_a_usage_error(tmp_path, capsys, case):
    out = tmp_path / "out"
    cache = {"cache in output": out / "cache", "output in cache": tmp_path,
             "same folder": out, "cache is a file": tmp_path / "file"}[case]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        run_build(tmp_path, cache)
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert {"cache in output": "is inside the output folder",
            "output in cache": "is inside the cache folder",
            "same folder": "must be different folders",
            "cache is a file": "--cache must be a folder"}[case] in error
    assert not out.exists()


class _Planted:
    """An object whose unpickling runs a command."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self):
        return os.system, (f"touch {self.proof}",)


def _build_in_a_new_process(tmp_path: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *BUILD[1:], "--output",
                           str(tmp_path / "out"), "--cache", str(cache)],
                          capture_output=True, text=True, cwd=ROOT)


def test_a_planted_topic_entry_runs_nothing_and_the_topic_is_read_again(tmp_path):
    cache = tmp_path / "cache"
    assert _build_in_a_new_process(tmp_path, cache).returncode == 0
    entries = list((cache / "topic").rglob("*"))
    entries = [entry for entry in entries if entry.is_file()]
    assert entries
    proof = tmp_path / "proof"
    planted = pickle.dumps(_Planted(proof))
    for entry in entries:
        entry.write_bytes(zlib.crc32(planted).to_bytes(4, "little") + planted)
    (tmp_path / "out" / "index.html").unlink()  # so that the build reads the cache again
    done = _build_in_a_new_process(tmp_path, cache)
    assert done.returncode == 0, done.stderr
    assert not proof.exists()
    assert (tmp_path / "out" / "index.html").exists()


def test_a_planted_compiled_template_runs_nothing(tmp_path):
    cache = tmp_path / "cache"
    assert _build_in_a_new_process(tmp_path, cache).returncode == 0
    from jinja2.bccache import bc_magic

    proof = tmp_path / "proof"
    code = marshal.dumps(compile(f"open({str(proof)!r}, 'w').close()", "<planted>", "exec"))
    entries = [entry for entry in (cache / "jinja").iterdir() if entry.suffix == ".cache"]
    assert entries
    for entry in entries:
        stored = entry.read_bytes()
        start = stored.index(bc_magic)  # after the signature, if any
        stream = io.BytesIO(stored[start + len(bc_magic):])
        pickle.load(stream)  # the template source's checksum: kept, so Jinja takes the code
        header = stream.tell() + start + len(bc_magic)
        entry.write_bytes(stored[:header] + code)
        # Also under the name Jinja's own FileSystemBytecodeCache would read.
        (entry.parent / f"__jinja2_{entry.name}").write_bytes(stored[start:header] + code)
    for page in (tmp_path / "out").rglob("*.html"):
        page.unlink()  # so that every page is rendered again
    done = _build_in_a_new_process(tmp_path, cache)
    assert done.returncode == 0, done.stderr
    assert not proof.exists()
    assert (tmp_path / "out" / "index.html").exists()


def test_a_planted_entry_cannot_change_the_model_for_the_whole_process(tmp_path):
    from sitegen import model

    # GLOBAL sitegen.model Topic; (None, {"__reduce_ex__": "PWNED"}); BUILD: sets a class
    # attribute, as unpickling may on any class a pickle can name.
    planted = (b"\x80\x02csitegen.model\nTopic\nN}X\x0d\x00\x00\x00__reduce_ex__"
               b"X\x05\x00\x00\x00PWNEDs\x86b.")
    assert model.topic_from_bytes(planted) is None
    assert model.Topic.__dict__.get("__reduce_ex__") is None
    assert run_build(tmp_path, tmp_path / "cache") == 0


def test_a_key_file_cut_short_is_made_again(tmp_path, monkeypatch):
    from sitegen import templating

    key_file = tmp_path / "key"
    key_file.write_bytes(b"")
    key_file.chmod(0o600)
    monkeypatch.setenv(templating.KEY_VARIABLE, str(key_file))
    templating.signing_key.cache_clear()
    try:
        key = templating.signing_key()
    finally:
        templating.signing_key.cache_clear()
    assert key_file.read_bytes() == key and len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_topic_read_back_from_the_cache_renders_as_it_did(tmp_path):
    """Displayed texts with Markdown are Inline: the cache's unpickler takes that type,
    so a build in a new process uses the kept topic and renders the same pages."""
    from sitegen import kinds, model  # noqa: F401  the kinds' model classes
    from sitegen.inline import Inline

    cache = tmp_path / "cache"
    assert _build_in_a_new_process(tmp_path, cache).returncode == 0
    first = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*.html")}
    entries = [entry for entry in (cache / "topic").rglob("*") if entry.is_file()]
    (topic,) = [model.topic_from_bytes(entry.read_bytes()[4:]) for entry in entries]
    cells = [cell for block in topic.blocks if block.id == "of-vs-in" for row in block.rows
             for cell in row.cells]
    assert "**Infrastructure** protection" in cells
    # Texts with Markdown are Inline; the others plain str, which render the same.
    assert all(type(cell) is Inline or (type(cell) is str and not set(cell) & set("\\`*_~[<\n"))
               for cell in cells)
    assert {type(cell) for cell in cells} == {Inline, str}
    os.rename(tmp_path / "out", tmp_path / "first")
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), *BUILD[1:], "--output",
                           str(tmp_path / "out"), "--cache", str(cache), "-v"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    again = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*.html")}
    assert again == first
    assert b"<strong>Infrastructure</strong> protection" in first[Path("topics/layered.html")]


def test_the_generator_fingerprint_covers_the_kinds_and_the_catalogues(tmp_path, monkeypatch):
    """A change to a block kind's module or to an interface string makes every cached result
    stale: both shape what is built."""
    import shutil

    import sitegen
    from sitegen import cache

    package = Path(sitegen.__file__).parent
    copy = tmp_path / "sitegen"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    fingerprint = cache.generator_fingerprint.__wrapped__  # not the process's remembered one
    before = fingerprint()
    for changed in ("kinds/tips.py", "locales/en.yaml"):
        path = copy / changed
        original = path.read_bytes()
        path.write_bytes(original + b"\n# changed\n")
        assert fingerprint() != before, changed
        path.write_bytes(original)
    assert fingerprint() == before
