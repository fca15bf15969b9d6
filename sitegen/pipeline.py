"""The build, stage by stage: load -> validate -> render (diagrams, pages, cards) -> write.

Each stage skips what has not changed since the last build: a topic's model, its diagrams,
its page and the cards are kept in the cache folder by a key of everything they are made
from, and output files are rewritten only when their bytes change. When no input changed
at all, the build stops after reading the inputs, before loading any of the libraries.
The heavy modules are therefore imported inside build(), where they are first needed.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
import time
from dataclasses import field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from .records import frozen
from .cache import Cache, digest, generator_fingerprint
from .sources import (EXAM_FILE, SETS_FILE, SITE_FILE, TOPICS_DIR, Templates, read_file, settled,
                      topic_names, topic_signature, topic_sources)
from .output import is_current, read_manifest, record_summary, write_tree
from .errors import BuildFailed, ContentError
from .session import BuildSession

if TYPE_CHECKING:
    from . import model


@frozen
class BuildConfig:
    """Where a build reads from and writes to."""

    content_dir: Path = Path("content")
    """Folder with site.yaml and topics/."""
    templates_dir: Path = Path("templates")
    """Folder with the Jinja templates and static assets."""
    output_dir: Path = Path("output")
    """Folder the site and cards are written to (updated only when the whole build succeeds)."""
    base_url: str = ""
    """Public address of the site, e.g. https://user.github.io/repo/ (optional)."""
    cache_dir: Path | None = None
    """Folder of results kept between builds (safe to delete), e.g. .sitegen-cache (the
    command line's default); None keeps nothing."""
    jobs: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    """How many diagrams or cards are made at once."""
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    """Told what a long build is doing, stage by stage (short builds say nothing)."""
    strict: bool = False
    """Whether warnings fail the build as errors do (output/ is then left as it was)."""

    @property
    def site_url(self) -> str:
        """base_url ending in "/", so page paths can be appended, or ""."""
        if not self.base_url:
            return ""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def base_path(self) -> str:
        """Path part of base_url, ending in "/", or "" when no base URL is set."""
        if not self.base_url:
            return ""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


LONG_BUILD_TOPICS = 100
"""Topics to read from which a build is long enough to say what it is doing as it goes."""


@frozen
class BuildReport:
    """What a build produced."""

    pages: int
    """HTML pages in the site."""
    diagrams: int
    """Diagrams in the site."""
    cards: int
    """Card PDFs."""
    files: int
    """All files in output/."""
    seconds: float
    """Wall-clock duration."""
    written: tuple[str, ...] = ()
    """Files written because their bytes changed."""
    removed: tuple[str, ...] = ()
    """Files removed because the build no longer makes them."""
    remade: tuple[str, ...] = ()
    """Files whose inputs changed, so they were made again (from the cache or anew)."""
    reasons: tuple[str, ...] = ()
    """What changed since the last build, in words."""
    cached: dict[str, int] = field(default_factory=dict)
    """Results taken from the cache, by kind."""
    rendered: dict[str, int] = field(default_factory=dict)
    """Results made anew, by kind."""
    card_fits: tuple[tuple[str, float, str], ...] = ()
    """Each card PDF's path, the type size it settled on (pt), and in words its size and
    column widths and the layouts it took (for -v)."""
    warnings: tuple[ContentError, ...] = ()
    """What is worth fixing in the content but did not stop the build (Site.warnings)."""

    @property
    def unchanged(self) -> bool:
        return not (self.written or self.removed)


@frozen
class BuildJob:
    """What every producer of one build reads."""

    config: BuildConfig
    site: model.Site
    """The validated site."""
    inputs: _Inputs
    """Keys of everything the build read (topic keys, templates)."""
    cache: Cache
    card_layout: object
    """The card layout started as soon as the site was validated (card.CardLayout)."""
    keys: object
    """What identifies each page's inputs between builds (pages.PageKeys)."""


@frozen
class Produced:
    """What one producer made."""

    files: dict
    """Output files by path: bytes, or output.Product made when written."""
    data: object = None
    """What later producers may use besides the files (the drawn diagrams, say)."""
    background: object = None
    """Work the producer left running in other processes while the build goes on (the
    book's layout): the build calls its wait() once every producer has run, before it
    writes anything, so that its results are in the cache and its errors stop the build;
    and its close() whatever happens."""


@frozen
class Producer:
    """One kind of output of a build, made from the site and what earlier producers made."""

    name: str
    """The key later producers find its result under."""
    doing: str
    """What a long build says while it runs."""
    produce: str
    """Its function, "module:function" in sitegen, given the BuildJob and what the earlier
    producers made; imported when it runs, so a build loads only the code it uses."""
    wanted: Callable[[BuildJob], bool] | None = None
    """Whether the guide has this output at all (None: always); when not, the producer gives
    no files and the data `otherwise`, and its module is not imported."""
    otherwise: object = None

    def run(self, job: BuildJob, made: dict[str, Produced]) -> Produced:
        if self.wanted is not None and not self.wanted(job):
            return Produced({}, self.otherwise)
        from importlib import import_module

        module, function = self.produce.split(":")
        return getattr(import_module(f"{__package__}.{module}"), function)(job, made)


def producers() -> tuple[Producer, ...]:
    """The outputs of a build, in the order they are made; a new output (a flashcard deck,
    a whole-guide PDF) is one more entry. Imported on use: an unchanged build loads none."""
    return (
        Producer("diagrams", "drawing diagrams", "diagrams:produce_diagrams"),
        # Before the pages, which show its size.
        Producer("deck", "making the Anki deck", "deck:produce_deck",
                 lambda job: job.site.deck is not None),
        Producer("previews", "drawing link previews", "previews:produce_previews",
                 lambda job: bool(job.config.site_url), {}),
        # Started right after the diagrams it shows, laid out beside the pages and cards.
        Producer("book", "laying out the book", "book:produce_book",
                 lambda job: job.site.book is not None),
        Producer("pages", "rendering pages", "pages:produce_pages"),
        Producer("search", "indexing pages", "search:produce_search_index"),
        Producer("exam", "measuring the exam coverage", "coverage:produce_exam_page",
                 lambda job: job.site.exam is not None),
        Producer("cards", "laying out cards", "card:produce_cards"),
        Producer("study", "assembling the study pages", "study:produce_study"),
    )


def check(config: BuildConfig) -> model.Site:
    """Load and validate only; raises BuildFailed listing every mistake (and, with
    config.strict, every warning)."""
    from .load import load_content
    from .validate import validate

    site = validate(load_content(config.content_dir))
    _fail_if_strict(config, site.warnings)
    return site


def _fail_if_strict(config: BuildConfig, warnings: tuple[ContentError, ...]) -> None:
    """With --strict, warnings are mistakes: the build stops before writing anything."""
    if config.strict and warnings:
        raise BuildFailed(warnings)


@frozen
class _Inputs:
    """Keys of everything a build reads."""

    generator: str
    templates: Templates
    base_url: str
    site_yaml: bytes | None
    """site.yaml's bytes; None when it could not be read."""
    sets_yaml: bytes | None
    """sets.yaml's bytes; None when there is none (or it could not be read)."""
    exam_yaml: bytes | None
    """exam.yaml's bytes; None when there is none (or it could not be read)."""
    topics: dict[str, str]
    """Key of each topic folder's files, by folder name."""
    signatures: dict[str, list]
    """Names, sizes and times of each topic folder's files."""
    sources: dict[str, list[tuple[str, bytes]]]
    """The files of each topic folder read to make its key: the build parses these bytes,
    not the files again, which a save during the build may have changed since."""

    @property
    def build_key(self) -> str:
        return digest(self.generator, self.templates.fingerprint, self.base_url,
                      self.site_yaml or b"", self.sets_yaml or b"", self.exam_yaml or b"",
                      *[part for slug, key in sorted(self.topics.items()) for part in (slug, key)])


def _read_inputs(config: BuildConfig, previous: dict) -> _Inputs:
    """Keys of the inputs. A topic folder whose files have the same names, sizes, times and
    inodes (to the nanosecond) as at the last build keeps its key unread, as git's index does."""
    generator = generator_fingerprint()
    try:
        site_yaml: bytes | None = read_file(config.content_dir / SITE_FILE)
    except OSError:  # missing, unreadable, too large or no file: loading says which
        site_yaml = None
    try:
        sets_yaml: bytes | None = read_file(config.content_dir / SETS_FILE)
    except OSError:
        sets_yaml = None
    try:
        exam_yaml: bytes | None = read_file(config.content_dir / EXAM_FILE)
    except OSError:
        exam_yaml = None
    shared = _shared_key(sets_yaml, exam_yaml)
    before = previous.get("summary", {})
    known = before.get("signatures", {}) if before.get("generator") == generator else {}
    # Every topic may use the shared sets and name the exam's tasks: a change to either is
    # a change to every topic.
    same_shared = (before.get("sets_yaml") == digest(sets_yaml or b"")
                   and before.get("exam_yaml") == digest(exam_yaml or b""))
    old_keys = before.get("topics", {}) if same_shared else {}
    topics, signatures, read = {}, {}, {}
    topics_dir = str(config.content_dir / TOPICS_DIR)
    now = time.time_ns()
    for name in topic_names(config.content_dir):
        folder = os.path.join(topics_dir, name)
        trusted = known.get(name)
        signature = topic_signature(folder, trusted)
        if settled(signature, now):
            signatures[name] = signature
        if signature and trusted == signature and name in old_keys:
            topics[name] = old_keys[name]
            continue
        read[name] = topic_sources(folder)
        topics[name] = _topic_key(generator, shared, name, read[name])
    return _Inputs(generator, Templates.read(config.templates_dir), config.base_url,
                   site_yaml, sets_yaml, exam_yaml, topics, signatures, read)


def _shared_key(sets_yaml: bytes | None, exam_yaml: bytes | None) -> str:
    """The key of what every topic is checked against besides its own files: the shared
    sets (sets.yaml) and the exam's tasks and domains (exam.yaml)."""
    if exam_yaml is None:  # a guide without an exam keeps the keys it had before there were any
        return digest(sets_yaml or b"")
    return digest(sets_yaml or b"", "exam.yaml", exam_yaml)


def _topic_key(generator: str, shared: str, name: str, sources: list[tuple[str, bytes]]) -> str:
    """shared: the key of the shared sets and the exam blueprint (_shared_key), which every
    topic may use."""
    # An unreadable folder gets a key of its own; loading it will say what is wrong.
    return digest(generator, shared, name, *[part for file_name, data in sources
                                             for part in (file_name, data)],
                  "" if sources else str(time.time_ns()))


def _changes(previous: dict, inputs: _Inputs) -> list[str]:
    """What changed since the build recorded in the output's marker, in words."""
    before = previous.get("summary", {})
    if not before:
        return ["no earlier build in the output folder"]
    reasons = []
    if before.get("generator") != inputs.generator:
        reasons.append("sitegen or its libraries changed")
    if before.get("base_url") != inputs.base_url:
        reasons.append("the base URL changed")
    if before.get("templates") != inputs.templates.fingerprint:
        reasons.append("templates changed")
    if before.get("site_yaml") != digest(inputs.site_yaml or b""):
        reasons.append("site.yaml changed")
    if before.get("sets_yaml") != digest(inputs.sets_yaml or b""):
        reasons.append("sets.yaml changed")
    if before.get("exam_yaml") != digest(inputs.exam_yaml or b""):
        reasons.append("exam.yaml changed")
    old_topics = before.get("topics", {})
    for slug in sorted(set(old_topics) | set(inputs.topics)):
        if slug not in inputs.topics:
            reasons.append(f"topic {slug} removed")
        elif slug not in old_topics:
            reasons.append(f"topic {slug} added")
        elif old_topics[slug] != inputs.topics[slug]:
            reasons.append(f"topic {slug} changed")
    return reasons or ["output files were changed or removed by hand"]


def _validated_site(config: BuildConfig, inputs: _Inputs, cache: Cache,
                    session: BuildSession) -> tuple[model.Site, _Inputs]:
    """The site, with each topic's model from the session's last build or the cache when its
    files are unchanged; and the inputs, with the keys of any folder read only now (see
    _read_late)."""
    from .load import load_content
    from .model import topic_from_bytes, topic_to_bytes
    from .validate import validate
    from .workers import spread_each, validated_topic

    known = {}
    for slug, key in inputs.topics.items():
        if key in session.topics:
            known[slug] = session.topics[key]
            continue
        found = cache.get("topic", key)
        topic = topic_from_bytes(found) if found is not None else None
        if topic is not None:  # a damaged or foreign entry is no entry: read the topic
            known[slug] = topic
    unread = [slug for slug in inputs.topics if slug not in known]
    inputs = _read_late(config, inputs, unread)
    folders = config.content_dir / TOPICS_DIR
    shared, exam = _shared_sets(config, inputs) if unread else ({}, None)
    jobs = [(folders / slug, inputs.sources[slug], shared, exam) for slug in unread]
    from .prose import keep_made

    for slug, (found, prose) in zip(unread, spread_each(validated_topic, jobs, config.jobs)):
        keep_made(cache, prose)
        if found is not None:  # a topic with mistakes is left to validate() to report
            known[slug] = topic_from_bytes(found)
            cache.put("topic", inputs.topics[slug], found)
    site = validate(load_content(config.content_dir, frozenset(known), list(inputs.topics),
                                 inputs.sources, inputs.site_yaml, inputs.sets_yaml,
                                 inputs.exam_yaml), known)
    for topic in site.topics:
        if topic.slug not in known:  # validated without errors: kept for the next build
            cache.put("topic", inputs.topics[topic.slug], topic_to_bytes(topic))
    session.topics = {inputs.topics[topic.slug]: topic for topic in site.topics}
    return site, inputs


def _shared_sets(config: BuildConfig, inputs: _Inputs) -> tuple[dict, object]:
    """The shared choice sets, for topics validated on their own (none when sets.yaml has a
    mistake: the whole validation then reports it), and the exam blueprint their tasks are
    checked against (exam.ExamScope; its mistakes too are reported by the whole validation)."""
    from .exam import read_exam
    from .fields import Fields
    from .load import load_exam, load_sets
    from .validate import shared_sets

    errors: list = []
    node = load_sets(config.content_dir, errors, inputs.sets_yaml)
    f = Fields(errors)
    found = shared_sets(node, f)
    sets = {} if f.errors else found
    exam_node = load_exam(config.content_dir, [], inputs.exam_yaml)
    exam = read_exam(exam_node, str(config.content_dir / EXAM_FILE), sets, Fields([])).scope
    return sets, exam


def _read_late(config: BuildConfig, inputs: _Inputs, unread: list[str]) -> _Inputs:
    """The inputs with the files of every folder to validate, reading those trusted by their
    stamps but not in the cache. Such a folder may have been saved since its stamps were
    taken: it is then keyed by the bytes read now, and its stamps are not kept, so that
    nothing made from those bytes is filed under the old bytes' key."""
    late = [slug for slug in unread if slug not in inputs.sources]
    if not late:
        return inputs
    sources, topics, signatures = dict(inputs.sources), dict(inputs.topics), dict(inputs.signatures)
    for slug in late:
        sources[slug] = topic_sources(config.content_dir / TOPICS_DIR / slug)
        key = _topic_key(inputs.generator, _shared_key(inputs.sets_yaml, inputs.exam_yaml), slug,
                         sources[slug])
        if key != topics[slug]:
            topics[slug] = key
            signatures.pop(slug, None)
    return replace(inputs, sources=sources, topics=topics, signatures=signatures)


def _recorded_warnings(recorded) -> tuple[ContentError, ...]:
    """The warnings the last build recorded beside output/ (none when unreadable)."""
    try:
        return tuple(ContentError(str(path), int(line), int(col), str(message), str(hint),
                                  level="warning")
                     for path, line, col, message, hint in recorded or ())
    except (TypeError, ValueError):
        return ()


def _recorded_fits(recorded) -> tuple[tuple[str, float, str], ...]:
    """The card fits the last build recorded beside output/ (none when unreadable)."""
    try:
        return tuple((str(path), float(size), str(words)) for path, size, words in recorded)
    except (TypeError, ValueError):
        return ()


def build(config: BuildConfig, session: BuildSession | None = None) -> BuildReport:
    """Build the site and cards; output/ is updated only when everything succeeded.
    session: what this process's builds keep for the next (sitegen serve holds one for all
    its builds); without one, the build keeps nothing."""
    if session is None:
        with BuildSession(keeps_entries=False) as session:
            return build(config, session)
    # A build makes few reference cycles but holds many objects (a thousand topic models);
    # Python's cycle collector kept walking them all, a third of a small rebuild's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(config, session)
    finally:
        if collecting:
            gc.enable()


def _build(config: BuildConfig, session: BuildSession) -> BuildReport:
    started = time.perf_counter()
    previous = read_manifest(config.output_dir)
    inputs = _read_inputs(config, previous)
    build_key = inputs.build_key
    if is_current(config.output_dir, build_key, previous):
        before = previous.get("summary", {})
        warnings = _recorded_warnings(before.get("warnings"))
        _fail_if_strict(config, warnings)
        if before.get("signatures") != inputs.signatures:
            # Folders changed just before the last build have settled since: from now on
            # they are judged by their stamps, not read.
            try:
                record_summary(config.output_dir, build_key,
                               {**before, "signatures": inputs.signatures})
            except OSError:  # a read-only output: they are read again next time, that is all
                pass
        counts = before.get("counts", {})
        return BuildReport(pages=counts.get("pages", 0), diagrams=counts.get("diagrams", 0),
                           cards=counts.get("cards", 0), files=len(previous["files"]),
                           seconds=time.perf_counter() - started, reasons=("nothing changed",),
                           card_fits=_recorded_fits(before.get("card_fits")), warnings=warnings)
    reasons = _changes(previous, inputs)

    from . import prose
    from .card import CardLayout
    from .drawing import check_graphviz
    from .pages import PageKeys
    from .workers import PARALLEL_MINIMUM

    cache = Cache(config.cache_dir, inputs.generator, session.entries)
    with prose.kept_in(cache):
        to_read = [slug for slug, key in inputs.topics.items()
                   if key not in session.topics and not cache.has("topic", key)]
        long_build = config.progress is not None and len(to_read) >= LONG_BUILD_TOPICS

        def stage(text: str) -> None:
            if long_build:
                config.progress(text)

        stage(f"reading {len(to_read)} topic{'' if len(to_read) == 1 else 's'}")
        site, inputs = _validated_site(config, inputs, cache, session)
        _fail_if_strict(config, site.warnings)
        build_key = inputs.build_key  # a folder read late may have a new key
        check_graphviz()
        # Cards are laid out in worker processes beside the diagrams and pages, in one of them
        # when those will keep the other cores busy (sitegen serve keeps its own, see
        # BuildSession.keep_card_workers); in this process with one job.
        card_processes = (0 if config.jobs < 2
                          else 1 if len(to_read) >= PARALLEL_MINIMUM else config.jobs)
        card_layout = CardLayout(site, inputs.templates, cache, card_processes,
                                 session.card_workers, site_url=config.site_url)
        job = BuildJob(config, site, inputs, cache, card_layout, PageKeys(
            digest(inputs.generator, inputs.templates.fingerprint), inputs.topics,
            {path: entry[0] for path, entry in previous["files"].items()}))
        made: dict[str, Produced] = {}
        try:
            for producer in producers():
                stage(producer.doing)
                made[producer.name] = producer.run(job, made)
            for produced in made.values():
                if produced.background is not None:
                    produced.background.wait()
        finally:
            card_layout.close()
            for produced in made.values():
                if produced.background is not None:
                    produced.background.close()
        files = {path: product for produced in made.values()
                 for path, product in produced.files.items()}
        counts = {"pages": sum(path.endswith(".html") for path in files),
                  "diagrams": len(made["diagrams"].data), "cards": len(made["cards"].files)}
        card_fits = [[path, fit.size_pt, fit.describe() + (
                          f", {layouts} layout{'' if layouts == 1 else 's'}" if layouts
                          else ", from cache")]
                     for path, (fit, layouts) in sorted(card_layout.fits.items())]
        summary = {"generator": inputs.generator, "templates": inputs.templates.fingerprint,
                   "base_url": inputs.base_url, "site_yaml": digest(inputs.site_yaml or b""),
                   "sets_yaml": digest(inputs.sets_yaml or b""),
                   "exam_yaml": digest(inputs.exam_yaml or b""),
                   # Said again by a build that finds nothing changed, and failed on by --strict.
                   "warnings": [[w.path, w.line, w.col, w.message, w.hint] for w in site.warnings],
                   "topics": inputs.topics, "counts": counts, "signatures": inputs.signatures,
                   "card_fits": card_fits}
        stage("writing output")
        cache.flush()  # a cache that cannot be written fails the build before output/ changes
        written = write_tree(files, config.output_dir, build_key, summary)
        cache.settle()  # what outputs made while being written put in the cache
        cache.remember()
        rendered = dict(Counter(kind for kind, _ in cache.fresh))
        return BuildReport(
            pages=counts["pages"], diagrams=counts["diagrams"], cards=counts["cards"],
            files=len(files), seconds=time.perf_counter() - started,
            written=tuple(written.written), removed=tuple(written.removed),
            remade=tuple(written.made), reasons=tuple(reasons),
            cached={kind: count for kind, count in cache.hits.items() if count}, rendered=rendered,
            card_fits=tuple((path, size, words) for path, size, words in card_fits),
            warnings=site.warnings,
        )
