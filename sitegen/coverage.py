"""The exam coverage page (exam.html): each domain of the exam blueprint with its weight and
tasks, the topics that cover each task and the practice questions on it.

The page is made from the model alone (exam.coverage walks the topics' blocks once, without
reading any page), and its key is what it shows: after an edit that changes no task, title or
question count it is neither rendered nor rewritten.
"""

from __future__ import annotations

from pathlib import Path

from . import model as m
from .cache import Cache, digest
from .exam import Coverage, coverage
from .output import Product
from .sources import Templates

EXAM_PAGE = "exam.html"


def produce_exam_page(job, made):
    """The exam coverage producer: exam.html, for a guide with an exam blueprint."""
    from .pipeline import Produced

    site = job.site
    if site.exam is None:
        return Produced({})
    measured = coverage(site.exam, site.topics)
    page = exam_page(site, measured, job.inputs.templates, job.config.site_url, job.cache,
                     job.keys.base)
    return Produced({EXAM_PAGE: page}, data=measured)


def exam_page(site: m.Site, measured: Coverage, templates: Templates | Path,
              base_url: str = "", cache: Cache | None = None, base_key: str = "") -> Product:
    """exam.html as a product keyed by everything it shows. templates: as read by the build,
    or their folder; base_key: the generator's and the templates' key (pages.PageKeys.base)."""
    from .pages import public_url, topic_page_path

    cache = cache or Cache(None)
    templates = Templates.of(templates)
    page_paths = {topic.slug: topic_page_path(topic) for topic in site.topics}
    url = public_url(base_url, EXAM_PAGE) if base_url else ""
    key = digest(base_key, EXAM_PAGE, repr((
        site.title, site.description, site.author, site.language, url, _shown(measured))))

    def make() -> bytes:
        found = cache.get("page", key)
        if found is not None:
            return found
        from .templating import make_environment

        environment = make_environment(templates, cache.compiled_templates)
        html = environment.get_template(EXAM_PAGE).render(
            site=site, root="", page_url=url, coverage=measured, exam=site.exam,
            page_paths=page_paths).encode("utf-8")
        cache.put("page", key, html)
        return html

    return Product(key, make)


def _shown(measured: Coverage) -> tuple:
    """What the page shows of the coverage: the exam, and per task the topics covering it
    (by slug and title) and its count of questions, without the topics' whole models."""
    return (measured.exam, measured.questions, measured.unfiled, tuple(
        (domain.questions, domain.topics, tuple(
            (task.questions, tuple((topic.slug, topic.short_title) for topic in task.topics))
            for task in domain.tasks))
        for domain in measured.domains))
