"""The study pages: flashcards.html, every note of the guide to review with spaced repetition,
and practice.html, every practice question to draw timed practice exams from.

Each page is one section per topic, rendered on its own and kept in the cache under a key
of the topic's files, then joined: after an edit to one topic of a big guide, only that
topic's sections are rendered again. A kept section is signed (see cache.signed): it is published
as it is, and a cache is data someone else may have written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

from .records import frozen
from . import model as m
from .cache import Cache, digest, signature, signed, verified
from .kinds.questions import Question, Questions
from .notes import topic_notes
from .output import Product, ready
from .sources import Templates

FLASHCARDS_PATH = "flashcards.html"
PRACTICE_PATH = "practice.html"
NEW_CARDS_PER_DAY = 20
"""New flashcards a review session offers a day, as Anki's default."""
PRACTICE_SIZE = 20
"""Questions a practice exam has unless the reader asks for another number."""
SECTION_KINDS = ("flashcards", "practice")
"""The cache's kinds of this module: one topic's section of each page."""
SLOT_KIND = "study"
"""The cache's kind for the sections each study page was last made of, kept together."""


def topic_page_path(slug: str) -> str:
    return f"topics/{slug}.html"


# Which pages a guide has ------------------------------------------------------------------

def gives_notes(topic: m.Topic) -> bool:
    """Whether a topic has a block whose kind gives notes, without making them: cheap enough
    to ask of every topic on every build."""
    from .kinds import KINDS

    return any(KINDS[block.kind].flashcards is not None for block in topic.blocks)


def has_flashcards(site: m.Site) -> bool:
    return any(gives_notes(topic) for topic in site.topics)


def practice_questions(topic: m.Topic) -> Iterator[tuple[Questions, Question]]:
    """The topic's practice questions, in page order, each with its block."""
    for block in topic.blocks:
        if isinstance(block, Questions):
            for question in block.items:
                yield block, question


def has_practice(site: m.Site) -> bool:
    return any(True for topic in site.topics for _ in practice_questions(topic))


# What practice exams are drawn by ------------------------------------------------------------

@frozen
class PracticeDomain:
    """One share of a practice exam: an exam domain and its weight."""

    id: str
    """The value id of the domains' set; "" for questions in no domain."""
    label: str
    """Its name."""
    weight: int
    """Its share, relative to the others' (percent, for an exam's domains); 0 for questions
    that only fill what the weighted domains cannot."""


@frozen
class Blueprint:
    """How practice exams are drawn: the domains with their weights, and the exam's pace."""

    domains: tuple[PracticeDomain, ...]
    """The domains in order (without the "" bucket of questions in none)."""
    set_id: str = ""
    """The choice set whose values are the domains ("" when there are none)."""
    minutes: int = 0
    """The exam's time limit, for `questions` questions; 0 when there is no exam."""
    questions: int = 0
    """The exam's number of questions; 0 when there is no exam."""
    exam_title: str = ""
    """The exam's name; "" when there is none."""
    exam_key: str = ""
    """Key of the whole exam blueprint, whose tasks decide the domain of many questions."""

    @property
    def key(self) -> str:
        return digest(repr(self))


def blueprint(site: m.Site) -> Blueprint:
    """The exam's domains and weights (content/exam.yaml); a guide without an exam weighs the
    values of the shared choice set that tags the most questions equally."""
    exam = site.exam
    if exam is not None:
        return Blueprint(tuple(PracticeDomain(d.choice.id, d.choice.label, d.weight)
                               for d in exam.domains), exam.domains_set, exam.minutes,
                         exam.questions, exam.title, digest(repr(exam)))
    shared = {choice_set.id: choice_set for choice_set in site.sets}
    tagged = dict.fromkeys(shared, 0)
    for topic in site.topics:
        for _, question in practice_questions(topic):
            for tag in question.tags:
                if tag.set_id in tagged:
                    tagged[tag.set_id] += 1
    if not any(tagged.values()):
        return Blueprint(())
    set_id = max(tagged, key=lambda name: tagged[name])  # the first of the most, on a tie
    return Blueprint(tuple(PracticeDomain(value.id, value.label, 1)
                           for value in shared[set_id].values), set_id)


def question_domain_id(site: m.Site, plan: Blueprint, topic: m.Topic, question: Question) -> str:
    """The id of the domain a question counts toward; "" for none."""
    if site.exam is not None:
        from .exam import question_domain

        domain = question_domain(site, topic, question)
        return domain.choice.id if domain is not None else ""
    return next((tag.value.id for tag in question.tags if tag.set_id == plan.set_id), "")


# Sections kept in the cache ------------------------------------------------------------------

def _verified(entry: bytes | None) -> tuple[dict, bytes] | None:
    """A kept section's summary and HTML, if this user's key signed them (cache.verified): a
    section written by anyone else is made again, never published."""
    data = verified(entry)
    if data is None:
        return None
    end = data.find(b"\n")
    try:
        summary = json.loads(data[:end]) if end > 0 else None
    except ValueError:
        return None
    # A view, not a copy: a study page's sections are megabytes.
    return (summary, memoryview(data)[end + 1:]) if end > 0 and isinstance(summary, dict) else None


class Section:
    """One topic's part of a study page: its summary, and its HTML with the sha256 of it."""

    def __init__(self, topic: m.Topic, summary: dict, html: bytes | memoryview, digest: str,
                 remake: Callable[[], bytes] | None = None) -> None:
        self.topic = topic
        self.summary = summary
        """What the page around it needs to know: {"count": items, ...}."""
        self.digest = digest
        self._html = html
        self._remake = remake
        """For HTML read from the page's kept sections, which only their index signs: how to
        make it again should its bytes not be the ones signed for."""

    @property
    def html(self) -> bytes | memoryview:
        if self._remake is not None:
            if hashlib.sha256(self._html).hexdigest() != self.digest:
                self._html = self._remake()
            self._remake = None
        return self._html


class _Renderer:
    """Renders study pages and their sections, making the Jinja environment on first use."""

    def __init__(self, site: m.Site, templates: Templates, cache: Cache,
                 compiled: Path | None = None) -> None:
        """compiled: where compiled templates are kept, when not the cache's (a worker's)."""
        self.site = site
        self.cache = cache
        self._templates = templates
        self._compiled = compiled if compiled is not None else cache.compiled_templates
        # What the templates see of the site: its settings, not its topic list.
        self._shown = replace(site, topics=(), cards=())
        self._environment = None

    def render(self, template: str, **context) -> str:
        if self._environment is None:
            from .templating import make_environment

            self._environment = make_environment(self._templates, self._compiled)
        return self._environment.get_template(template).render(site=self._shown, root="",
                                                               **context)

    def sections(self, kind: str, keys: dict[str, str] | None,
                 make: Callable[[m.Topic], tuple[dict, str] | None]) -> list[Section]:
        """Each topic's section (those with any items), from the cache when keys (by slug)
        are given and it is kept there; make gives a topic's summary and HTML, or None for a
        topic without any.

        The sections the page was last made of are also kept together, in one entry (see
        _read_slot): after an edit to one topic of a thousand, reading them one file and one
        signature at a time would cost more than rendering the edited topic. That entry is
        written again only when a section's HTML changed, not just its topic's key."""
        def made(topic: m.Topic) -> tuple[dict, bytes]:
            return _as_kept(make(topic))

        slot = self._read_slot(kind) if keys else {}
        found, kept_all, from_slot = [], [], 0
        changed = set(slot) != {topic.slug for topic in self.site.topics}
        for topic in self.site.topics:
            key = keys.get(topic.slug) if keys else None
            last = slot.get(topic.slug)
            if last is not None and last[0] == key:
                _, summary, html, sha = last
                remake = (lambda topic=topic: made(topic)[1])
                from_slot += 1
            else:
                kept = _verified(self.cache.get(kind, key)) if key else None
                if kept is None:
                    kept = made(topic)
                    if key:
                        self.cache.put(kind, key, signed(_entry(*kept)))
                summary, html = kept
                sha, remake = hashlib.sha256(html).hexdigest(), None
                changed = changed or last is None or (last[1], last[3]) != (summary, sha)
            if key:
                kept_all.append((topic.slug, key, summary, html, sha))
            if summary.get("count"):
                found.append(Section(topic, summary, html, sha, remake))
        self.cache.count_hits(kind, from_slot)
        if keys and changed:
            self._write_slot(kind, kept_all, {s.topic.slug: s for s in found})
        return found

    def _slot_key(self, kind: str) -> str:
        # One entry per page, whatever its inputs: each build's replaces the last one's.
        return digest("the sections of the last page", kind)

    def _read_slot(self, kind: str) -> dict[str, tuple[str, dict, memoryview, str]]:
        """The sections the page was last made of, by topic: (key, summary, HTML, sha256 of
        the HTML); none when the entry is missing, its index is not signed by this user, or
        not in its shape. The index alone is signed: a section's HTML is checked against its
        sha256 when it is used (Section.html)."""
        entry = self.cache.get(SLOT_KIND, self._slot_key(kind))
        if entry is None or len(entry) < 40:
            return {}
        size = int.from_bytes(entry[32:40], "little")
        view = memoryview(entry)
        index = view[40:40 + size]
        if len(index) != size or not hmac.compare_digest(entry[:32], signature(index)):
            return {}
        try:
            listed = json.loads(bytes(index))["sections"]
        except (ValueError, KeyError, TypeError):
            return {}
        sections, start, body = {}, 40 + size, len(entry)
        try:
            for slug, key, summary, length, sha in listed:
                if not (isinstance(slug, str) and isinstance(key, str)
                        and isinstance(summary, dict) and isinstance(sha, str)
                        and isinstance(length, int) and 0 <= length <= body - start):
                    return {}
                sections[slug] = (key, summary, view[start:start + length], sha)
                start += length
        except (TypeError, ValueError):
            return {}
        return sections if start == body else {}

    def _write_slot(self, kind: str, sections: list[tuple[str, str, dict, bytes, str]],
                    shown: dict[str, Section]) -> None:
        # A section shown on the page gives its HTML checked (see Section.html); the others
        # (no items) are empty.
        bodies = [shown[slug].html if slug in shown else html
                  for slug, _, _, html, _ in sections]
        index = json.dumps({"sections": [[slug, key, summary, len(body), sha] for
                                         (slug, key, summary, _, sha), body
                                         in zip(sections, bodies)]},
                           sort_keys=True).encode("utf-8")
        self.cache.put(SLOT_KIND, self._slot_key(kind), b"".join(
            [signature(index), len(index).to_bytes(8, "little"), index, *bodies]))


SECTIONS_MARK = "<!-- the sections -->"
"""Where the page's template puts the sections: the page is rendered around it, and the
sections' bytes spliced in, which spares Jinja copying megabytes of a big guide's text."""


def _spliced(page: str, sections: list[Section]) -> bytes:
    before, mark, after = page.encode("utf-8").partition(SECTIONS_MARK.encode("utf-8"))
    assert mark, "the study page's template shows no sections"
    return b"".join([before, *(section.html for section in sections), after])


def _as_kept(made: tuple[dict, str] | None) -> tuple[dict, bytes]:
    """A section as made (its summary and HTML, or None for a topic without any) as it is
    kept: a topic without one keeps an empty section."""
    return ({"count": 0}, b"") if made is None else (made[0], made[1].encode("utf-8"))


def _entry(summary: dict, html: bytes) -> bytes:
    """A section as kept in the cache, before it is signed (see _verified)."""
    return json.dumps(summary, sort_keys=True).encode("utf-8") + b"\n" + html


# Sections made in worker processes, with their topic's page -------------------------------

@frozen
class SectionJob:
    """What a worker process needs to make a topic's sections of the study pages."""

    kinds: tuple[str, ...]
    """The sections to make: "flashcards", "practice"."""
    plan: Blueprint | None
    """The practice exam's blueprint, for a practice section (drawn from the whole guide)."""


def section_kinds(site: m.Site) -> tuple[dict[str, str], Blueprint | None]:
    """The study pages the guide has, by section kind: what else their sections show, which
    their keys hold (see section_key); and the practice exam's blueprint, if it has one."""
    kinds, plan = {}, None
    if has_flashcards(site):
        kinds["flashcards"] = ""
    if has_practice(site):
        plan = blueprint(site)
        kinds["practice"] = plan.key
    return kinds, plan


def section_key(base: str, kind: str, site: m.Site, extra: str, topic_key: str) -> str:
    """Key of a topic's section of a study page: the build's base key (pages.PageKeys.base),
    the section's kind, the site's language, what else it shows and its topic's key."""
    return digest(base, kind, site.language, extra, topic_key)


def make_sections(site_alone: m.Site, templates: Templates, compiled: Path | None,
                  job: SectionJob, topic: m.Topic) -> dict[str, bytes]:
    """A topic's sections of the study pages, by kind, as kept in the cache before signing:
    made in a worker process with the topic's page, while the build process would otherwise
    render a big guide's two thousand sections alone, after every page. site_alone: the site
    without its topics, as topic pages see it."""
    renderer = _Renderer(site_alone, templates, Cache(None), compiled)
    made = {}
    for kind in job.kinds:
        result = (_flashcards_section(renderer, topic) if kind == "flashcards"
                  else _practice_section(renderer, job.plan, topic))
        made[kind] = _entry(*_as_kept(result))
    return made


# The pages ------------------------------------------------------------------------------------

def _flashcards_section(renderer: _Renderer, topic: m.Topic) -> tuple[dict, str] | None:
    notes = topic_notes(topic) if gives_notes(topic) else ()
    if not notes:
        return None
    return {"count": len(notes)}, renderer.render("study/flashcards_topic.html", topic=topic,
                                                  notes=notes, page=topic_page_path(topic.slug))


def _practice_section(renderer: _Renderer, plan: Blueprint, topic: m.Topic) -> tuple[dict, str] | None:
    labels = {domain.id: domain.label for domain in plan.domains}
    items, domains = [], {}
    for block, question in practice_questions(topic):
        domain = question_domain_id(renderer.site, plan, topic, question)
        domain = domain if domain in labels else ""
        domains[domain] = domains.get(domain, 0) + 1
        items.append((block, question, domain, labels.get(domain, "")))
    if not items:
        return None
    return ({"count": len(items), "domains": domains},
            renderer.render("study/practice_topic.html", topic=topic, items=items,
                            page=topic_page_path(topic.slug)))


def study_products(site: m.Site, templates: Templates, cache: Cache | None = None,
                   keys=None, base_url: str = "", deck_link=None) -> dict[str, Product]:
    """flashcards.html and practice.html, for a guide with notes and questions. keys
    (pages.PageKeys): with them, each page is made only when its key is new, from sections
    kept in the cache by their topic's key; without, everything is rendered. deck_link: the
    Anki deck's (deck.DeckLink), listed among the study links without its size, as topic
    pages list it."""
    from markupsafe import Markup

    from .pages import public_url, study_links

    cache = cache or Cache(None)
    renderer = _Renderer(site, templates, cache)
    study = study_links(site, replace(deck_link, kilobytes=None) if deck_link else None)
    shell = repr((site.title, site.description, site.author, site.language, base_url, study))
    products: dict[str, Product] = {}

    def page(path: str, kind: str, extra: str, section: Callable[[m.Topic], tuple | None],
             make: Callable[[list[Section]], bytes]) -> None:
        """A page made of one section per topic; extra: what else its sections show;
        section: how to make a topic's (see _Renderer.sections)."""
        known = keys.topics if keys is not None else {}
        if not all(topic.slug in known for topic in site.topics):
            # A topic without a key of its files (a model given to the build, as tests do):
            # nothing tells the page's inputs apart but its bytes.
            products[path] = ready(make(renderer.sections(kind, None, section)))
            return
        sections = renderer.sections(kind, {
            t.slug: section_key(keys.base, kind, site, extra, known[t.slug])
            for t in site.topics}, section)
        # The page's key is what it shows, its sections' HTML by digest (which the summaries
        # are counted from), not their topics' keys: after an edit that changes no section (a
        # table cell), the page is not made again, and a big guide's megabytes are neither
        # joined nor written.
        key = digest(keys.base, path, shell, extra, *[
            part for s in sections for part in (s.topic.slug, s.topic.short_title, s.digest)])
        products[path] = Product(key, lambda: make(sections))

    def address(path: str) -> str:
        return public_url(base_url, path) if base_url else ""

    if has_flashcards(site):
        def flashcards(sections: list[Section]) -> bytes:
            return _spliced(renderer.render(
                "flashcards.html", page_url=address(FLASHCARDS_PATH), study=study,
                sections=Markup(SECTIONS_MARK), new_per_day=NEW_CARDS_PER_DAY,
                topics=[(s.topic, s.summary["count"]) for s in sections],
                count=sum(s.summary["count"] for s in sections)), sections)
        page(FLASHCARDS_PATH, "flashcards", "", lambda topic: _flashcards_section(renderer, topic),
             flashcards)

    if has_practice(site):
        plan = blueprint(site)

        def practice(sections: list[Section]) -> bytes:
            available: dict[str, int] = {}
            for section in sections:
                for domain, count in section.summary["domains"].items():
                    available[domain] = available.get(domain, 0) + count
            domains = [(domain, available.get(domain.id, 0)) for domain in plan.domains]
            if available.get(""):  # questions in no domain fill what the others cannot
                domains.append((PracticeDomain("", "", 0), available[""]))
            total = sum(available.values())
            size = min(PRACTICE_SIZE, total)
            return _spliced(renderer.render(
                "practice.html", page_url=address(PRACTICE_PATH), study=study,
                sections=Markup(SECTIONS_MARK), plan=plan, domains=domains,
                weights=sum(domain.weight for domain in plan.domains) or 1, total=total,
                size=size, topics=len(sections),
                minutes=math.ceil(size * plan.minutes / plan.questions) if plan.questions else 0,
            ), sections)
        page(PRACTICE_PATH, "practice", plan.key,
             lambda topic: _practice_section(renderer, plan, topic), practice)
    return products


def produce_study(job, made):
    """The study pages producer: flashcards.html and practice.html."""
    from .pipeline import Produced

    return Produced(study_products(job.site, job.inputs.templates, job.cache, job.keys,
                                   job.config.site_url, made["deck"].data))
