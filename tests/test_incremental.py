"""Incremental builds are never stale: after any sequence of edits, the output of a build
that reuses its cache and its previous output equals a clean build's, byte for byte."""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest

from sitegen.output import MARKER
from sitegen.pipeline import BuildConfig, build
from sitegen.session import BuildSession

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = "layered"  # the fixture guide's topic, which its card names


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


@pytest.fixture
def long_after(monkeypatch):
    """Builds judge every file as last changed long before them, so they trust the stamps of
    the folders they read (see sources.settled). A file's change time cannot be set back as
    its modification time can, so it is the wait that is skipped instead."""
    from sitegen import sources

    monkeypatch.setattr(sources, "SETTLE_NS", -60 * 10**9)


class Guide:
    """An editable guide: content, templates, and the two builds to compare."""

    def __init__(self, base: Path, rng: random.Random) -> None:
        self.content, self.templates = base / "content", base / "templates"
        shutil.copytree(ROOT / "tests" / "fixtures" / "layered", self.content)
        shutil.copytree(ROOT / "templates", self.templates)
        self.base, self.rng, self.count = base, rng, 0
        self.session = BuildSession()
        """Kept from one incremental build to the next, as sitegen serve keeps its own; a
        new one is as a new process."""
        self.add_topic()  # two topics, so that neighbours and the index have something to do

    # --- edits -------------------------------------------------------------------------
    def topics(self) -> list[str]:
        return re.findall(r"^  - (\S+)$", self.site_yaml().split("\ncards:")[0], re.M)

    def site_yaml(self) -> str:
        return (self.content / "site.yaml").read_text(encoding="utf-8")

    def set_topics(self, slugs: list[str]) -> None:
        text = self.site_yaml()
        listing = "topics:\n" + "".join(f"  - {slug}\n" for slug in slugs)
        text = re.sub(r"topics:\n(?:  - \S+\n)+", lambda _: listing, text, count=1)
        (self.content / "site.yaml").write_text(text, encoding="utf-8")

    def topic_yaml(self, slug: str) -> Path:
        return self.content / "topics" / slug / "topic.yaml"

    def replace_in(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def change_a_cell(self) -> None:
        self.change_a_cell_of(self.rng.choice(self.topics()))

    def change_a_cell_of(self, slug: str) -> None:
        """Flips who owns Network Traffic on SaaS: a table cell, and so a diagram too."""
        path = self.topic_yaml(slug)
        row = re.compile(r"(component: Network Traffic, iaas: \w+, paas: \w+, saas: )(\w+)")
        text = path.read_text(encoding="utf-8")
        flipped = {"customer": "aws", "aws": "customer"}
        path.write_text(row.sub(lambda m: m.group(1) + flipped[m.group(2)], text), encoding="utf-8")

    def add_a_row(self) -> None:
        slug = self.rng.choice(self.topics())
        self.replace_in(self.topic_yaml(slug), "      - Physical security is ALWAYS AWS responsibility\n",
                        "      - Physical security is ALWAYS AWS responsibility\n"
                        f"      - Added tip number {self.count}\n")

    def retitle_a_topic(self) -> None:
        slug = self.rng.choice(self.topics())
        self.replace_in(self.topic_yaml(slug), "short_title: ", f"short_title: Renamed {self.count} ")

    def edit_prose(self) -> None:
        slug = self.rng.choice(self.topics())
        with (self.content / "topics" / slug / "overview.md").open("a", encoding="utf-8") as file:
            file.write(f"\nOne more sentence, number {self.count}.\n")

    def add_topic(self) -> None:
        slug = f"extra-{self.count}"
        shutil.copytree(self.content / "topics" / SHIPPED, self.content / "topics" / slug)
        self.replace_in(self.topic_yaml(slug), "title: Understanding", f"title: Extra {self.count} -")
        topics = self.topics()
        topics.insert(self.rng.randrange(len(topics) + 1), slug)
        self.set_topics(topics)

    def rename_a_topic(self) -> None:
        old = self.rng.choice([s for s in self.topics() if s != SHIPPED] or [None])
        if old is None:
            return self.add_topic()
        new = f"renamed-{self.count}"
        (self.content / "topics" / old).rename(self.content / "topics" / new)
        self.set_topics([new if s == old else s for s in self.topics()])

    def remove_a_topic(self) -> None:
        removable = [s for s in self.topics() if s != SHIPPED]  # the card names the shipped one
        if not removable:
            return self.add_topic()
        slug = self.rng.choice(removable)
        shutil.rmtree(self.content / "topics" / slug)
        self.set_topics([s for s in self.topics() if s != slug])

    def edit_a_template(self) -> None:
        target = self.rng.choice(["topic.html", "static/site.css", "card.css"])
        path = self.templates / target
        if target == "topic.html":
            self.replace_in(path, "{% endblock %}\n", f"{{% endblock %}}\n{{# edit {self.count} #}}\n")
            self.replace_in(path, '<p class="lede">', f'<p data-edit="{self.count}" class="lede">')
        elif target == "card.css":
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\nbody {{ color: #0000{self.count:02d}; }}\n")
        else:
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\n/* edit {self.count} */\n")

    def change_the_site_title(self) -> None:
        self.replace_in(self.content / "site.yaml", "title: Cloud Certification Study Guide",
                        f"title: Cloud Certification Study Guide {self.count}")

    EDITS = ("change_a_cell", "add_a_row", "retitle_a_topic", "edit_prose", "add_topic",
             "rename_a_topic", "remove_a_topic", "edit_a_template", "change_the_site_title")

    # --- builds ------------------------------------------------------------------------
    def incremental(self):
        return build(BuildConfig(self.content, self.templates, self.base / "output",
                                 cache_dir=self.base / "cache"), self.session)

    def clean(self) -> dict[str, bytes]:
        out = self.base / f"clean-{self.count}"
        build(BuildConfig(self.content, self.templates, out))
        found = files(out)
        shutil.rmtree(out)
        return found


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_builds_after_random_edits_equal_clean_builds(long_after, tmp_path, seed):
    guide = Guide(tmp_path, random.Random(seed))
    guide.incremental()
    edits = list(Guide.EDITS) + [random.Random(seed).choice(Guide.EDITS) for _ in range(2)]
    random.Random(seed).shuffle(edits)
    for edit in edits:
        guide.count += 1
        getattr(guide, edit)()
        report = guide.incremental()
        assert not report.unchanged, f"{edit} changed nothing"
        incremental = files(tmp_path / "output")
        clean = guide.clean()
        assert incremental.keys() == clean.keys(), edit
        differing = [path for path in clean if incremental[path] != clean[path]]
        assert differing == [], edit


def test_an_unchanged_rebuild_does_nothing_and_an_edit_touches_only_its_files(tmp_path):
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    assert guide.incremental().reasons == ("nothing changed",)
    slug = guide.topics()[-1]
    (guide.content / "topics" / slug / "overview.md").open("a", encoding="utf-8").write("\nMore.\n")
    report = guide.incremental()
    assert report.reasons == (f"topic {slug} changed",)
    assert set(report.written) == {f"topics/{slug}.html", "assets/search-index/0.js"}
    assert report.rendered.get("card", 0) == 0 and report.rendered.get("svg", 0) == 0


def test_an_edit_rewrites_only_its_topics_part_of_the_search_index(tmp_path, monkeypatch):
    from sitegen import search
    from test_search_index import documents

    monkeypatch.setattr(search, "SHARD_TOPICS", 2)
    guide = Guide(tmp_path, random.Random(0))
    while len(guide.topics()) < 5:
        guide.count += 1
        guide.add_topic()
    guide.incremental()
    order = guide.topics()  # the site's order, the one search results keep
    pages = [document["url"] for document in documents(guide.base / "output") if "#" not in document["url"]]
    assert pages == [f"topics/{slug}.html" for slug in order]
    slug = order[2]
    (guide.content / "topics" / slug / "overview.md").open("a", encoding="utf-8").write("\nMore.\n")
    report = guide.incremental()
    assert set(report.written) == {f"topics/{slug}.html", "assets/search-index/1.js"}
    assert (guide.base / "output").joinpath("assets/search-index/2.js").exists()


def test_a_same_size_edit_within_the_clock_tick_of_the_last_build_is_seen(tmp_path, monkeypatch):
    """File systems stamp times at the kernel's clock tick: a file written again within the
    tick a build read it in keeps its times and, at the same size, looks unchanged. So a
    folder changed just before a build is read again at the next one."""
    from sitegen import pipeline

    stamps, signature = {}, pipeline.topic_signature
    monkeypatch.setattr(pipeline, "topic_signature", lambda folder, previous=None:
                        stamps.setdefault(folder, signature(folder, previous)))
    guide = Guide(tmp_path, random.Random(0))  # just written
    guide.incremental()
    guide.replace_in(guide.topic_yaml(SHIPPED), "title: Understanding", "title: Understandinx")
    assert guide.incremental().reasons == (f"topic {SHIPPED} changed",)
    assert b"Understandinx" in (tmp_path / "output" / "topics" / f"{SHIPPED}.html").read_bytes()


def test_a_same_size_file_restored_with_its_old_time_is_seen(long_after, tmp_path):
    """tar -x, unzip, rsync -a and cp -p set a file's modification time; reproducible
    archives give every version of a file the same one."""
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    path = guide.topic_yaml(SHIPPED)
    old = path.stat()
    guide.replace_in(path, "title: Understanding", "title: Understandinx")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert path.stat().st_size == old.st_size
    assert guide.incremental().reasons == (f"topic {SHIPPED} changed",)


def test_files_added_to_or_removed_from_a_topic_folder_untouched_for_long_are_seen(long_after, tmp_path):
    from sitegen.errors import BuildFailed

    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    assert guide.incremental().reasons == ("nothing changed",)
    folder = guide.content / "topics" / SHIPPED
    (folder / "extra.md").write_text("Extra words.\n", encoding="utf-8")
    assert guide.incremental().reasons == (f"topic {SHIPPED} changed",)
    guide.incremental()
    (folder / "next-steps.md").unlink()
    with pytest.raises(BuildFailed, match="next-steps.md"):
        guide.incremental()


def test_a_file_changed_by_hand_in_the_output_is_made_again(tmp_path):
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    page = tmp_path / "output" / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"edited by hand")
    (tmp_path / "output" / "stray.html").write_bytes(b"left over")
    report = guide.incremental()
    assert report.written == ("index.html",) and report.removed == ("stray.html",)
    assert page.read_bytes() == original


def test_a_big_guide_built_in_worker_processes_equals_one_built_in_one(tmp_path, monkeypatch):
    """Past PARALLEL_MINIMUM topics, topics are read and pages rendered in other processes."""
    from sitegen import workers
    from sitegen.drawing import library_available
    from sitegen.workers import PARALLEL_MINIMUM

    spread_each, calls = workers.spread_each, []

    def noted(function, items, jobs, *options):
        calls.append((getattr(function, "func", function).__name__, len(items), jobs))
        return spread_each(function, items, jobs, *options)
    # Every spread goes through spread_each (diagrams' too, by workers.spread).
    monkeypatch.setattr(workers, "spread_each", noted)

    guide = Guide(tmp_path, random.Random(0))
    while len(guide.topics()) < PARALLEL_MINIMUM + 2:
        guide.count += 1
        guide.add_topic()
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        report = build(BuildConfig(guide.content, guide.templates, out, jobs=jobs))
        # And the index, the 404, the flashcards and the practice exam pages.
        assert report.pages == len(guide.topics()) + 4
        outputs.append(files(out))
    assert outputs[0] == outputs[1]
    topics = len(guide.topics())
    drawn = [("topic_diagrams", topics, 2)] if library_available() else []  # else `dot`
    assert calls == [("validated_topic", topics, 1),  # one process renders pages itself
                     ("validated_topic", topics, 2), *drawn, ("topic_page", topics, 2)]


def test_templates_compiled_by_workers_are_kept_for_the_first_edit(tmp_path, monkeypatch):
    """A new guide's topic pages are rendered in worker processes alone; the templates they
    compiled are kept, so the first edit after it does not compile them again."""
    import jinja2

    from sitegen.workers import PARALLEL_MINIMUM

    guide = Guide(tmp_path, random.Random(1))
    while len(guide.topics()) < PARALLEL_MINIMUM + 2:
        guide.count += 1
        guide.add_topic()
    out, cache = tmp_path / "output", tmp_path / "cache"
    build(BuildConfig(guide.content, guide.templates, out, cache_dir=cache, jobs=2))
    compile_, compiled = jinja2.Environment.compile, []

    def noted(self, source, name=None, *args, **options):
        compiled.append(name)
        return compile_(self, source, name, *args, **options)
    monkeypatch.setattr(jinja2.Environment, "compile", noted)
    guide.change_a_cell()
    report = build(BuildConfig(guide.content, guide.templates, out, cache_dir=cache, jobs=2))
    assert report.written  # the edited topic's page was rendered, here
    assert "topic.html" not in compiled and "base.html" not in compiled


def test_only_a_long_build_says_what_it_is_doing(tmp_path, monkeypatch):
    from sitegen import pipeline

    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "layered", content)
    stages: list[str] = []
    build(BuildConfig(content, ROOT / "templates", tmp_path / "short", progress=stages.append))
    assert stages == []
    monkeypatch.setattr(pipeline, "LONG_BUILD_TOPICS", 1)
    build(BuildConfig(content, ROOT / "templates", tmp_path / "long", progress=stages.append))
    # One stage per producer, in the order of the pipeline's list.
    doing = [producer.doing for producer in pipeline.producers()]
    known = ["drawing diagrams", "rendering pages", "indexing pages", "laying out cards"]
    assert [stage for stage in doing if stage in known] == known
    assert stages == ["reading 1 topic", *doing, "writing output"]


def test_the_cache_keeps_only_the_current_generators_entries(tmp_path):
    from sitegen.cache import Cache

    folder = tmp_path / "cache"
    cache = Cache(folder, "one")
    key = "ab" * 32  # keys are sha256 digests
    cache.put("svg", key, b"made by one")
    cache.flush()
    assert Cache(folder, "one").get("svg", key) == b"made by one"
    assert Cache(folder, "two").get("svg", key) is None
    assert sorted(p.name for p in folder.iterdir()) == ["CACHEDIR.TAG", "generation"]


def test_a_diagram_whose_drawing_was_deleted_from_the_cache_is_drawn_again(tmp_path):
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    out = tmp_path / "output"
    before = files(out)
    shutil.rmtree(tmp_path / "cache" / "svg")
    for diagram in (out / "diagrams").iterdir():
        diagram.unlink()
    report = guide.incremental()
    assert sorted(report.written) == sorted(p for p in before if p.startswith("diagrams/"))
    assert files(out) == before


def test_a_file_added_long_ago_to_a_trusted_folder_is_watched_afterwards(long_after, tmp_path):
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()  # signatures of every folder trusted
    folder = guide.content / "topics" / SHIPPED
    (folder / "extra.md").write_text("Extra words.\n", encoding="utf-8")
    assert guide.incremental().reasons == (f"topic {SHIPPED} changed",)
    (folder / "extra.md").write_text("Other words, longer.\n", encoding="utf-8")
    assert guide.incremental().reasons == (f"topic {SHIPPED} changed",)


@pytest.mark.parametrize("edited", ["topic.yaml", "site.yaml", "topic.html"])
def test_a_save_during_a_build_does_not_leave_a_stale_page_after_an_undo(
        tmp_path, monkeypatch, edited):
    """The build makes its pages from the bytes it hashed, not from files saved since: a
    page kept under the old bytes' key would be shown again when the author undoes."""
    from sitegen import pipeline

    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    path, old = {"topic.yaml": (guide.topic_yaml(SHIPPED), "title: Understanding"),
                 "site.yaml": (guide.content / "site.yaml", "title: Cloud"),
                 "topic.html": (guide.templates / "topic.html", '<p class="lede">')}[edited]
    guide.replace_in(path, old, old + "First ")
    validated_site = pipeline._validated_site

    def saved_meanwhile(*args):  # the author saves again just after the inputs were read
        guide.replace_in(path, old + "First ", old + "Second ")
        return validated_site(*args)

    monkeypatch.setattr(pipeline, "_validated_site", saved_meanwhile)
    guide.incremental()
    page = tmp_path / "output" / "topics" / f"{SHIPPED}.html"
    assert b"First " in page.read_bytes()  # the bytes the build's record names
    monkeypatch.setattr(pipeline, "_validated_site", validated_site)
    guide.incremental()  # sees the second save
    assert b"Second " in page.read_bytes()
    guide.replace_in(path, old + "Second ", old + "First ")  # undo
    guide.incremental()
    assert files(tmp_path / "output") == guide.clean()


def test_folders_that_settle_after_a_build_are_trusted_from_the_next_unchanged_one(
        tmp_path, monkeypatch):
    from sitegen import pipeline, sources

    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()  # every folder just written: none trusted yet
    monkeypatch.setattr(sources, "SETTLE_NS", -60 * 10**9)  # a while later
    assert guide.incremental().reasons == ("nothing changed",)
    read, topic_sources = [], pipeline.topic_sources
    monkeypatch.setattr(pipeline, "topic_sources",
                        lambda folder: read.append(folder) or topic_sources(folder))
    assert guide.incremental().reasons == ("nothing changed",)
    assert read == []


def test_a_save_during_a_build_of_a_trusted_topic_missing_from_the_cache_leaves_nothing_stale(
        long_after, tmp_path, monkeypatch):
    """A topic trusted by its stamps but not in the cache (deleted, as it safely may be) is
    read after its key was taken: a save in between must not file its drawings, page or
    search share under the old bytes' key, to be shown again after an undo."""
    from sitegen import pipeline

    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()  # every folder trusted by its stamps
    shutil.rmtree(tmp_path / "cache")
    guide.session = BuildSession()  # as in a new process
    guide.edit_prose()  # some other change, so that the build does not stop early
    path = guide.topic_yaml(SHIPPED)
    original = path.read_bytes()
    validated_site = pipeline._validated_site

    def saved_meanwhile(*args):
        guide.change_a_cell_of(SHIPPED)
        return validated_site(*args)

    monkeypatch.setattr(pipeline, "_validated_site", saved_meanwhile)
    guide.incremental()
    monkeypatch.setattr(pipeline, "_validated_site", validated_site)
    guide.incremental()
    path.write_bytes(original)  # undo
    guide.incremental()
    assert files(tmp_path / "output") == guide.clean()


def test_a_site_yaml_empty_when_hashed_is_parsed_empty(tmp_path, monkeypatch):
    """An editor that truncates, then writes, leaves site.yaml empty for a moment: a build
    that hashed it empty must not parse the full file saved since under the empty one's key."""
    from sitegen import pipeline
    from sitegen.errors import BuildFailed

    guide = Guide(tmp_path, random.Random(0))
    site = guide.content / "site.yaml"
    full = site.read_bytes()
    read_inputs = pipeline._read_inputs

    def truncated_while_hashed(*args):
        site.write_bytes(b"")
        try:
            return read_inputs(*args)
        finally:
            site.write_bytes(full)

    monkeypatch.setattr(pipeline, "_read_inputs", truncated_while_hashed)
    with pytest.raises(BuildFailed, match="site.yaml"):
        guide.incremental()
    monkeypatch.setattr(pipeline, "_read_inputs", read_inputs)
    guide.incremental()
    site.write_bytes(b"")
    with pytest.raises(BuildFailed, match="site.yaml"):
        guide.incremental()


def test_an_editors_temporary_files_in_the_templates_change_nothing(tmp_path):
    """Vim rewrites its swap file every few seconds while a template is open."""
    guide = Guide(tmp_path, random.Random(0))
    guide.incremental()
    (guide.templates / ".topic.html.swp").write_bytes(os.urandom(64))
    (guide.templates / "blocks" / "tips.html~").write_text("old tips\n", encoding="utf-8")
    assert guide.incremental().reasons == ("nothing changed",)


@pytest.mark.parametrize("damage", [b"", b"\x80 not what was written"])
def test_damaged_cache_entries_are_made_again_not_a_crash(tmp_path, damage):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    config = BuildConfig(content, ROOT / "templates", tmp_path / "out",
                         cache_dir=tmp_path / "cache")
    build(config)
    for entry in (tmp_path / "cache").rglob("*"):
        # Entries, compiled templates included; not the tag that proves the folder sitegen's.
        if entry.is_file() and entry.name not in ("generation", "CACHEDIR.TAG"):
            entry.write_bytes(damage)  # as a crash, or a full disk, may leave them
    shutil.rmtree(tmp_path / "out")
    build(config)  # with a session of its own, as a new process: reads the cache
    build(BuildConfig(content, ROOT / "templates", tmp_path / "clean"))
    assert files(tmp_path / "out") == files(tmp_path / "clean")
