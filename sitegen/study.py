"""The study pages: flashcards.html, every note of the guide to review with spaced repetition,
and practice.html, every practice question to draw timed practice exams from.

Each page is one section per topic, rendered on its own and kept in the cache under a key
of the topic's files, then joined: after an edit to one topic of a big guide, only that
topic's sections are rendered again. A kept section is signed (see cache.signed): it is published
as it is, and a cache is data someone else may have written.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Callable, Iterator

from .records import frozen
from . import model as m
from .cache import Cache, digest, signed, verified
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


@frozen
class Section:
    """One topic's part of a study page."""

    topic: m.Topic
    summary: dict
    """What the page around it needs to know: {"count": items, ...}."""
    html: bytes


class _Renderer:
    """Renders study pages and their sections, making the Jinja environment on first use."""

    def __init__(self, site: m.Site, templates: Templates, cache: Cache) -> None:
        self.site = site
        self.cache = cache
        self._templates = templates
        # What the templates see of the site: its settings, not its topic list.
        self._shown = replace(site, topics=(), cards=())
        self._environment = None

    def render(self, template: str, **context) -> str:
        if self._environment is None:
            from .templating import make_environment

            self._environment = make_environment(self._templates, self.cache.compiled_templates)
        return self._environment.get_template(template).render(site=self._shown, root="",
                                                               **context)

    def sections(self, kind: str, keys: dict[str, str] | None,
                 make: Callable[[m.Topic], tuple[dict, str] | None]) -> list[Section]:
        """Each topic's section, from the cache when keys (by slug) are given and it is kept
        there; make gives a topic's summary and HTML, or None for a topic without any.

        The sections of the page's last build are also kept together, in one entry (see
        _read_slot): after an edit to one topic of a thousand, reading them one file and one
        signature at a time would cost more than rendering the edited topic."""
        slot = self._read_slot(kind) if keys else {}
        found, kept_all, from_slot = [], [], 0
        for topic in self.site.topics:
            key = keys.get(topic.slug) if keys else None
            kept = slot.get(key) if key else None
            if kept is not None:
                from_slot += 1
            else:
                kept = _verified(self.cache.get(kind, key)) if key else None
            if kept is None:
                made = make(topic)
                kept = ({"count": 0}, b"") if made is None else (made[0], made[1].encode("utf-8"))
                if key:
                    data = json.dumps(kept[0], sort_keys=True).encode("utf-8") + b"\n" + kept[1]
                    self.cache.put(kind, key, signed(data))
            if key:
                kept_all.append((key, *kept))
            if kept[0].get("count"):
                found.append(Section(topic, kept[0], kept[1]))
        self.cache.count_hits(kind, from_slot)
        if keys and from_slot != len(kept_all):
            self._write_slot(kind, kept_all)
        return found

    def _slot_key(self, kind: str) -> str:
        # One entry per page, whatever its inputs: each build's replaces the last one's.
        return digest("the sections of the last page", kind)

    def _read_slot(self, kind: str) -> dict[str, tuple[dict, bytes]]:
        """The sections the page was last made of, by their keys; none when the entry is
        missing, not signed by this user, or not in its shape."""
        kept = _verified(self.cache.get(SLOT_KIND, self._slot_key(kind)))
        if kept is None:
            return {}
        index, joined = kept
        sections, start = {}, 0
        view = memoryview(joined)
        try:
            for key, summary, length in index["sections"]:
                if not (isinstance(key, str) and isinstance(summary, dict)
                        and isinstance(length, int) and 0 <= length <= len(joined) - start):
                    return {}
                sections[key] = (summary, view[start:start + length])
                start += length
        except (KeyError, TypeError, ValueError):
            return {}
        return sections if start == len(joined) else {}

    def _write_slot(self, kind: str, sections: list[tuple[str, dict, bytes]]) -> None:
        index = {"sections": [[key, summary, len(html)] for key, summary, html in sections]}
        data = b"".join([json.dumps(index, sort_keys=True).encode("utf-8"), b"\n",
                         *(html for _, _, html in sections)])
        self.cache.put(SLOT_KIND, self._slot_key(kind), signed(data))


SECTIONS_MARK = "<!-- the sections -->"
"""Where the page's template puts the sections: the page is rendered around it, and the
sections' bytes spliced in, which spares Jinja copying megabytes of a big guide's text."""


def _spliced(page: str, sections: list[Section]) -> bytes:
    before, mark, after = page.encode("utf-8").partition(SECTIONS_MARK.encode("utf-8"))
    assert mark, "the study page's template shows no sections"
    return b"".join([before, *(section.html for section in sections), after])


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

    def page(path: str, kind: str, extra: str, make: Callable[[dict | None], bytes]) -> None:
        """A page made of one section per topic; extra: what else its sections show."""
        known = keys.topics if keys is not None else {}
        if not all(topic.slug in known for topic in site.topics):
            # A topic without a key of its files (a model given to the build, as tests do):
            # nothing tells the page's inputs apart but its bytes.
            products[path] = ready(make(None))
            return
        sections = {t.slug: digest(keys.base, kind, site.language, extra, known[t.slug])
                    for t in site.topics}
        key = digest(keys.base, path, shell, extra,
                     *[part for t in site.topics for part in (t.slug, sections[t.slug])])
        products[path] = Product(key, lambda: make(sections))

    def address(path: str) -> str:
        return public_url(base_url, path) if base_url else ""

    if has_flashcards(site):
        def flashcards(section_keys: dict | None) -> bytes:
            sections = renderer.sections("flashcards", section_keys,
                                         lambda topic: _flashcards_section(renderer, topic))
            return _spliced(renderer.render(
                "flashcards.html", page_url=address(FLASHCARDS_PATH), study=study,
                sections=Markup(SECTIONS_MARK), new_per_day=NEW_CARDS_PER_DAY,
                topics=[(s.topic, s.summary["count"]) for s in sections],
                count=sum(s.summary["count"] for s in sections)), sections)
        page(FLASHCARDS_PATH, "flashcards", "", flashcards)

    if has_practice(site):
        plan = blueprint(site)

        def practice(section_keys: dict | None) -> bytes:
            sections = renderer.sections("practice", section_keys,
                                         lambda topic: _practice_section(renderer, plan, topic))
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
        page(PRACTICE_PATH, "practice", plan.key, practice)
    return products


def produce_study(job, made):
    """The study pages producer: flashcards.html and practice.html."""
    from .pipeline import Produced

    return Produced(study_products(job.site, job.inputs.templates, job.cache, job.keys,
                                   job.config.site_url, made["deck"].data))
