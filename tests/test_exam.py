"""The exam blueprint (exam.yaml) and the coverage page: the model equals the data, the page
shows every domain, weight and task with the topics and question counts worked out here from
the YAML alone, warnings are printed and --strict fails on them, and an edit of exam.yaml
checks again the topics a build kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from sitegen.cli import main
from sitegen.errors import BuildFailed
from sitegen.exam import question_domain
from sitegen.output import MARKER
from sitegen.pipeline import BuildConfig, build, check
from sitegen.session import BuildSession
from source_data import CONTENT, shown_text

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FIXTURE = ROOT / "tests" / "fixtures" / "exam"


# The data, read here with plain PyYAML ---------------------------------------------------

def as_written(path: Path):
    """A YAML file with every scalar as the text it is written as (1.10 stays "1.10"), as
    the README says task ids are read."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def blueprint(content: Path) -> dict:
    return as_written(content / "exam.yaml")["exam"]


def topic_data(content: Path) -> list[tuple[str, dict]]:
    slugs = as_written(content / "site.yaml")["topics"]
    return [(slug, as_written(content / "topics" / slug / "topic.yaml")) for slug in slugs]


def expected_coverage(content: Path) -> dict:
    """What the coverage page must show, by the rules the README gives: a question counts
    toward the domain of its tag of the domains set, else of its first task, else of its
    topic's first task; toward its own tasks, or else its topic's tasks of that domain; a
    topic covers the tasks it, its questions and its scenarios name."""
    exam = blueprint(content)
    domain_of = {task["id"]: domain["domain"] for domain in exam["domains"]
                 for task in domain["tasks"]}
    covering = {task_id: [] for task_id in domain_of}
    on_task = dict.fromkeys(domain_of, 0)
    in_domain = {domain["domain"]: 0 for domain in exam["domains"]}
    total = unfiled = 0
    for slug, topic in topic_data(content):
        topic_tasks = topic.get("tasks", [])
        named = set(topic_tasks)
        for block in topic["blocks"]:
            for item in block.get("items", []):
                if not isinstance(item, dict):
                    continue
                named |= set(item.get("tasks", []))
                if block["kind"] != "questions":
                    continue
                total += 1
                tag = item.get("tags", {}).get(exam["domains_set"])
                tasks = item.get("tasks", []) or topic_tasks
                domain = tag or (domain_of[tasks[0]] if tasks else None)
                if domain is None:
                    unfiled += 1
                    continue
                in_domain[domain] += 1
                for task_id in item.get("tasks", []) or [t for t in topic_tasks
                                                         if domain_of[t] == domain]:
                    on_task[task_id] += 1
        for task_id in named:
            covering[task_id].append(slug)
    return {"covering": covering, "on_task": on_task, "in_domain": in_domain,
            "total": total, "unfiled": unfiled}


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


# The model -------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [CONTENT, FIXTURE], ids=["content", "fixture"])
def test_the_exam_model_equals_the_blueprint(content):
    site = check(BuildConfig(content_dir=content))
    data = blueprint(content)
    exam = site.exam
    assert (exam.title, exam.code, exam.url, exam.questions, exam.minutes, exam.domains_set) == (
        data["title"], data["code"], data.get("url", ""), int(data["questions"]),
        int(data["minutes"]), data["domains_set"])
    (domains_set,) = [s for s in site.sets if s.id == data["domains_set"]]
    values = {value.id: value for value in domains_set.values}
    assert [(d.id, d.choice, d.weight) for d in exam.domains] == [
        (d["domain"], values[d["domain"]], int(d["weight"])) for d in data["domains"]]
    assert [(t.id, str(t.text), t.domain_id) for d in exam.domains for t in d.tasks] == [
        (t["id"], t["text"], d["domain"]) for d in data["domains"] for t in d["tasks"]]
    assert sum(d.weight for d in exam.domains) == 100


def test_task_ids_are_read_as_written():
    exam = check(BuildConfig(content_dir=FIXTURE)).exam
    assert [task.id for task in exam.tasks] == ["1.1", "1.2", "1.10", "2.1", "2.2", "3.1"]
    assert exam.task("1.10").text.plain == "Understand cloud economics."


@pytest.mark.parametrize("content", [CONTENT, FIXTURE], ids=["content", "fixture"])
def test_the_tasks_of_topics_questions_and_scenarios_equal_the_data(content):
    site = check(BuildConfig(content_dir=content))
    for topic, (slug, data) in zip(site.topics, topic_data(content)):
        assert (topic.slug, topic.tasks) == (slug, tuple(data.get("tasks", [])))
        blocks = {block.id: block for block in topic.blocks}
        for block in data["blocks"]:
            if block["kind"] not in ("questions", "scenarios"):
                continue
            assert [item.tasks for item in blocks[block["id"]].items] == [
                tuple(item.get("tasks", [])) for item in block["items"]], (slug, block["id"])


def test_the_questions_tasks_agree_with_their_domains(site):
    """Each question's tasks are of the domain it counts toward (a topic or a question
    without tasks is valid content too: an author may add one)."""
    for topic in site.topics:
        for block in topic.blocks:
            for item in getattr(block, "items", ()):
                if block.practice and item.tasks:
                    domain = question_domain(site, topic, item)
                    assert all(site.exam.task(t).domain_id == domain.id for t in item.tasks)


def test_a_question_counts_toward_its_tag_then_its_task_then_its_topics_task():
    site = check(BuildConfig(content_dir=FIXTURE))
    networking, storage = site.topics
    tagged, by_task, by_topic = networking.block("practice").items
    two_tasks, unfiled = storage.block("practice").items
    assert [getattr(question_domain(site, topic, q), "id", None) for topic, q in [
        (networking, tagged), (networking, by_task), (networking, by_topic),
        (storage, two_tasks), (storage, unfiled)]] == [
        "concepts", "security", "concepts", "security", None]


def test_a_guide_without_an_exam_has_no_exam_and_no_page(layered_site, layered_built):
    assert layered_site.exam is None and layered_site.warnings == ()
    assert question_domain(layered_site, layered_site.topics[0],
                           layered_site.topics[0].block("practice-questions").items[0]) is None
    assert not (layered_built / "exam.html").exists()
    assert "exam.html" not in (layered_built / "index.html").read_text(encoding="utf-8")


# The coverage page -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exam-built") / "output"
    build(BuildConfig(FIXTURE, TEMPLATES, out, base_url="https://example.github.io/repo/"))
    return out


def check_coverage_page(built: Path, content: Path) -> None:
    """exam.html shows what expected_coverage works out from the YAML."""
    data, expected = blueprint(content), expected_coverage(content)
    page = parse(built / "exam.html")
    sets = as_written(content / "sets.yaml")["sets"]
    (domains_set,) = [s for s in sets if s["id"] == data["domains_set"]]
    labels = {value["id"]: shown_text(value["label"]) for value in domains_set["values"]}
    titles = {slug: shown_text(topic.get("short_title", topic["title"]))
              for slug, topic in topic_data(content)}
    assert data["title"] in text(page.xpath("//h1")[0])
    facts = text(page.xpath("//dl[@class='exam-facts']")[0])
    for value in (data["code"], data["questions"], data["minutes"], data.get("url", "")):
        assert value in facts
    assert str(expected["total"]) in facts
    sections = page.xpath("//section[contains(@class, 'exam-domain')]")
    assert [s.get("id") for s in sections] == [f"domain-{d['domain']}" for d in data["domains"]]
    for section, domain in zip(sections, data["domains"]):
        name = labels[domain["domain"]]
        count = expected["in_domain"][domain["domain"]]
        assert text(section.xpath("./h2")[0]) == name
        figures = text(section.xpath(".//dl[@class='domain-figures']")[0])
        assert f"{domain['weight']}% of the exam" in figures
        assert figures.split("Practice questions in this guide ")[1].startswith(f"{count} (")
        flagged = "exam-domain-gap" in section.get("class").split()
        assert flagged == (count == 0) == bool(section.xpath(".//p[@class='exam-gap']")), name
        rows = section.xpath(".//tbody/tr")
        assert len(rows) == len(domain["tasks"])
        for row, task in zip(rows, domain["tasks"]):
            heading, topics, questions = row.xpath("./th|./td")
            assert text(heading) == f"{task['id']} {shown_text(task['text'])}"
            links = topics.xpath(".//a")
            assert [a.get("href") for a in links] == [
                f"topics/{slug}.html" for slug in expected["covering"][task["id"]]]
            assert [text(a) for a in links] == [
                titles[slug] for slug in expected["covering"][task["id"]]]
            assert text(questions) == str(expected["on_task"][task["id"]])
        (total,) = section.xpath(".//tfoot/tr")
        slugs = {slug for task in domain["tasks"] for slug in expected["covering"][task["id"]]}
        assert text(total.xpath("./td")[-1]) == str(count)
        assert text(total.xpath("./td")[0]).startswith(f"{len(slugs)} topic")


def test_the_coverage_page_shows_the_shipped_blueprint_and_coverage(built):
    check_coverage_page(built, CONTENT)


def test_the_coverage_page_shows_the_fixture_blueprint_and_coverage(fixture_built):
    check_coverage_page(fixture_built, FIXTURE)
    expected = expected_coverage(FIXTURE)
    # The fixture takes each way a question is counted, and leaves one unfiled.
    assert expected["unfiled"] == 1 and expected["in_domain"] == {
        "concepts": 2, "security": 2, "billing": 0}
    page = parse(fixture_built / "exam.html")
    assert "1 of them counts toward no domain" in text(page.xpath("//dl[@class='exam-facts']")[0])
    assert page.xpath("//a[@rel='external']/@href") == ["https://example.com/certification/demo/"]
    # A task's text is inline Markdown, shown as such.
    assert page.xpath("//tbody/tr/th[contains(., '1.10')]/em/text()") == ["cloud economics"]


def test_the_index_links_the_coverage_page_and_the_sitemap_lists_it(fixture_built):
    index = parse(fixture_built / "index.html")
    (link,) = index.xpath("//main//nav[@class='study-links']//a[@href='exam.html']")
    assert text(link) == "Exam coverage"
    assert text(link.getparent()) == "Exam coverage (DEMO-C01)"
    assert "https://example.github.io/repo/exam.html" in (
        fixture_built / "sitemap.xml").read_text(encoding="utf-8")


def test_the_coverage_page_is_made_from_the_model_and_kept_while_what_it_shows_stays(tmp_path):
    """An edit that changes nothing the page shows leaves it unrendered and unwritten; one
    that changes a count rewrites it."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    config = BuildConfig(content, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache")
    build(config)
    topic = content / "topics" / "storage" / "topic.yaml"
    text_before = topic.read_text(encoding="utf-8")
    topic.write_text(text_before.replace("Nobody", "No one"), encoding="utf-8")
    report = build(config)
    assert "topics/storage.html" in report.written and "exam.html" not in report.remade
    filed = "        explanation: Object storage keeps each file as an object with its metadata.\n"
    topic.write_text(text_before.replace(filed, filed + "        tags: {domain: billing}\n"),
                     encoding="utf-8")
    report = build(config)
    assert "exam.html" in report.written


# Warnings --------------------------------------------------------------------------------

WARNING = ("exam.yaml:26:7: warning: domain 'Billing and Pricing' (15%) has no practice "
           "questions (hint: tag questions with domain: billing or with one of its tasks (3.1))")


def test_a_domain_without_questions_is_a_warning_at_its_entry():
    (warning,) = check(BuildConfig(content_dir=FIXTURE)).warnings
    assert str(warning) == f"{FIXTURE}/{WARNING}"
    lines = (FIXTURE / "exam.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[warning.line - 1][warning.col - 1:] == "- domain: billing"[2:]


def test_build_and_check_print_warnings_and_succeed(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["check", "--content", str(FIXTURE)]) == 0
    printed = capsys.readouterr()
    assert printed.err.splitlines() == [f"{FIXTURE}/{WARNING}"]
    assert "no errors, 1 warning" in printed.out
    command = ["build", "--content", str(FIXTURE), "--templates", str(TEMPLATES),
               "--output", str(out), "--cache", str(tmp_path / "cache")]
    assert main(command) == 0
    printed = capsys.readouterr()
    assert printed.err.splitlines() == [f"{FIXTURE}/{WARNING}"]
    # Every page: the topics, the index, 404.html, exam.html and the study pages.
    assert printed.out.startswith(f"built {out}/: {len(list(out.rglob('*.html')))} pages")
    assert (out / "flashcards.html").is_file() and (out / "practice.html").is_file()
    assert (out / "exam.html").is_file()
    # A build that finds nothing changed says them again.
    assert main(command) == 0
    printed = capsys.readouterr()
    assert "nothing changed" in printed.out and printed.err.splitlines() == [f"{FIXTURE}/{WARNING}"]


def test_strict_counts_warnings_as_errors_and_leaves_the_output_as_it_was(tmp_path, capsys):
    out = tmp_path / "out"
    command = ["build", "--content", str(FIXTURE), "--templates", str(TEMPLATES),
               "--output", str(out), "--cache", str(tmp_path / "cache")]
    assert main([*command, "--strict"]) == 1
    printed = capsys.readouterr()
    assert printed.err.splitlines() == [
        f"{FIXTURE}/{WARNING}", f"1 warning, which --strict counts as errors; {out}/ was left unchanged"]
    assert printed.out == "" and not out.exists()
    assert main(["check", "--content", str(FIXTURE), "--strict"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 warning, which --strict counts as errors"
    # After a build without it, nothing has changed: --strict still fails, on the warnings
    # that build recorded, and output/ stays as that build made it.
    assert main(command) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main([*command, "--strict"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"{FIXTURE}/{WARNING}"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # Without warnings, --strict builds.
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    topic = content / "topics" / "storage" / "topic.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace(
        "        tags: {domain: security}\n        tasks: [2.1, 2.2]\n",
        "        tags: {domain: billing}\n        tasks: [3.1]\n"), encoding="utf-8")
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--output", str(tmp_path / "strict"), "--no-cache", "--strict"]) == 0
    assert capsys.readouterr().err == ""


# exam.yaml is part of what a topic is checked against --------------------------------------

def without_task_2_2(content: Path) -> None:
    exam = content / "exam.yaml"
    written = exam.read_text(encoding="utf-8")
    task = "        - id: 2.2\n          text: Identify access management capabilities.\n"
    assert task in written
    exam.write_text(written.replace(task, ""), encoding="utf-8")


TASK_ERRORS = [
    "topics/networking/topic.yaml:28:17: error: task '2.2' in the tasks of question 'by-task' "
    "is not a task of {content}/exam.yaml (hint: did you mean '2.1'?)",
    "topics/storage/topic.yaml:16:22: error: task '2.2' in the tasks of question 'two-tasks' "
    "is not a task of {content}/exam.yaml (hint: did you mean '2.1'?)",
]


@pytest.mark.parametrize("kept", ["session", "cache"])
def test_an_edit_of_exam_yaml_checks_again_the_topics_a_build_kept(tmp_path, kept):
    """The topics' models are kept by their files' key (in the session sitegen serve holds,
    and in the cache folder): removing a task they name must still fail the next build."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    config = BuildConfig(content, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache")
    with BuildSession() as session:
        build(config, session)
        before = {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()}
        without_task_2_2(content)
        with pytest.raises(BuildFailed) as failure:
            if kept == "session":
                build(config, session)
            else:
                with BuildSession() as fresh:  # as a new process: the cache folder only
                    build(config, fresh)
    assert [str(e) for e in failure.value.errors] == [
        f"{content}/" + line.format(content=content) for line in TASK_ERRORS]
    assert {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()} == before


def test_topics_checked_in_worker_processes_are_checked_against_the_exam(tmp_path, monkeypatch):
    """A build of many topics validates them in worker processes, which get the exam too."""
    from sitegen import workers

    monkeypatch.setattr(workers, "PARALLEL_MINIMUM", 2)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    config = BuildConfig(content, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache",
                         jobs=2)
    calls = []
    spread_each = workers.spread_each

    def noted(function, items, jobs, *options):
        calls.append(getattr(function, "__name__", ""))
        return spread_each(function, items, jobs, *options)

    monkeypatch.setattr(workers, "spread_each", noted)
    build(config)
    assert "validated_topic" in calls
    check_coverage_page(config.output_dir, content)  # the tasks the workers read
    without_task_2_2(content)
    shutil.rmtree(tmp_path / "cache")
    with pytest.raises(BuildFailed) as failure:
        build(config)
    assert [str(e) for e in failure.value.errors] == [
        f"{content}/" + line.format(content=content) for line in TASK_ERRORS]


def test_the_build_says_exam_yaml_changed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    config = BuildConfig(content, TEMPLATES, tmp_path / "out", cache_dir=tmp_path / "cache")
    build(config)
    exam = content / "exam.yaml"
    exam.write_text(exam.read_text(encoding="utf-8").replace("minutes: 75", "minutes: 80"),
                    encoding="utf-8")
    report = build(config)
    assert "exam.yaml changed" in report.reasons and "exam.html" in report.written
    assert "80 minutes" in text(parse(config.output_dir / "exam.html"))
    assert (config.output_dir / MARKER).is_file()


# In another language ---------------------------------------------------------------------

def test_the_coverage_page_in_spanish_has_the_spanish_interface_words(tmp_path):
    from sitegen.i18n import load_catalogue

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("language: en", "language: es"),
                    encoding="utf-8")
    build(BuildConfig(content, TEMPLATES, tmp_path / "out"))
    page = parse(tmp_path / "out" / "exam.html")
    spanish, english = (load_catalogue(tag).sections["pages"] for tag in ("es", "en"))
    assert [text(dt) for dt in page.xpath("//dl[@class='exam-facts']/dt")] == [
        spanish[key] for key in ("exam_code", "exam_questions", "exam_time", "exam_official_page",
                                 "exam_guide_questions")]
    assert [text(th) for th in page.xpath("(//thead)[1]//th")] == [
        spanish[key] for key in ("exam_task", "covering_topics", "task_questions")]
    shown = text(page)
    assert "75 minutos" in shown and "40 % del examen" in shown
    assert spanish["domain_without_questions"] in shown
    # No English word of the page's strings is left (the content's own words are English,
    # and none of them is one of these).
    keys = [key for key in english if key.startswith(("exam_", "domain_", "task_"))
            or key in ("share_of_exam", "share_of_guide", "covering_topics", "not_covered",
                       "tasks_of_domain", "topic_count", "minute_count", "unfiled_questions")]
    for key in keys:
        for form in [english[key]] if isinstance(english[key], str) else english[key].values():
            for part in re.split(r"\{[a-z_]+\}", form):
                words = part.strip(" .:()")
                if re.search(r"[A-Za-z]{3}", words) and words not in str(spanish[key]):
                    assert words not in shown, (key, words)


def test_the_blueprints_texts_are_shown_as_text(tmp_path):
    """Untrusted content: markup in the exam's title and a task's text is escaped."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    exam = content / "exam.yaml"
    exam.write_text(exam.read_text(encoding="utf-8")
                    .replace("title: Demo Cloud Exam", "title: \"Demo <script>alert(1)</script> & Co\"")
                    .replace("code: DEMO-C01", "code: \"<i>DEMO</i> & C01\"")
                    .replace("text: Compare pricing models.", "text: \"Compare <b>pricing</b> models.\""),
                    encoding="utf-8")
    build(BuildConfig(content, TEMPLATES, tmp_path / "out"))
    for name in ("exam.html", "index.html"):
        page = parse(tmp_path / "out" / name)
        assert page.xpath("//main//script | //main//b | //main//i") == [], name
        assert "<i>DEMO</i> & C01" in text(page.xpath("//main")[0]), name
    exam_page = parse(tmp_path / "out" / "exam.html")
    assert "Demo <script>alert(1)</script> & Co" in text(exam_page.xpath("//main")[0])
    page = parse(tmp_path / "out" / "exam.html")
    assert "Compare <b>pricing</b> models." in text(page.xpath("//tbody/tr/th[contains(., '3.1')]")[0])
