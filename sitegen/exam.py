"""The exam blueprint (content/exam.yaml): its model, how it is read and checked, how topics,
questions and scenarios name its tasks, and which domain each practice question counts toward."""

from __future__ import annotations

import difflib
import os
import re
from typing import TYPE_CHECKING

from .records import frozen
from .errors import ContentError
from .fields import Fields, get
from .load import Mapping, Node, Scalar, Sequence
from .model import Choice, ChoiceSet, _Model, sealed
from .shapes import TEXT, Count, Key, ListOf, Pattern, Reference, Shape, Type

if TYPE_CHECKING:
    from .model import Site, Topic

MAX_EXAM_QUESTIONS, MAX_EXAM_MINUTES = 1000, 1000
"""The most questions and minutes an exam may be said to have: far past any real exam."""
TASK_ID = re.compile(r"^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$")
"""A task id as blueprints number them: 1.1, 2.3, D1.T2, 4-b."""
EXAM_URL = re.compile(r"^https?://[^\s/]+\S*$")


# The model ------------------------------------------------------------------------------

@sealed
@frozen
class Task(_Model):
    """One task statement of a domain, e.g. "2.1 Understand the AWS shared responsibility
    model."."""

    id: str
    """Its number as the blueprint writes it, e.g. "2.1"; what `tasks:` lists name."""
    text: str
    """The statement."""
    domain_id: str
    """The id of its domain (a value of the exam's domains set)."""


@sealed
@frozen
class Domain(_Model):
    """One domain of the exam: a value of the domains set, its weight and its tasks."""

    choice: Choice
    """The value of the exam's domains set (content/sets.yaml) it is: its label is the
    domain's name, its style the domain's colour."""
    weight: int
    """Its share of the exam's scored content, in percent (the weights add up to 100)."""
    tasks: tuple[Task, ...]
    """Its task statements, in order."""

    @property
    def id(self) -> str:
        return self.choice.id

    @property
    def name(self) -> str:
        return self.choice.label


@sealed
@frozen
class Exam(_Model):
    """The certification exam the guide prepares for, as its official blueprint has it."""

    title: str
    """The exam's name, e.g. "AWS Certified Cloud Practitioner"."""
    code: str
    """Its code, e.g. "CLF-C02"."""
    url: str
    """Its official page (http or https); "" when none is given."""
    questions: int
    """How many questions the real exam has."""
    minutes: int
    """Its time limit, in minutes."""
    domains: tuple[Domain, ...]
    """Its domains, in order."""
    domains_set: str = ""
    """The id of the shared choice set whose values the domains are (a question's tag of
    that set is its domain)."""

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task, domain by domain."""
        return tuple(task for domain in self.domains for task in domain.tasks)

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)

    def domain(self, domain_id: str) -> Domain | None:
        return next((domain for domain in self.domains if domain.id == domain_id), None)


def question_domain(site: Site, topic: Topic, question) -> Domain | None:
    """The domain a practice question counts toward: its tag of the exam's domains set, else
    the domain of its first task, else that of its topic's first task; None without an exam
    or when none of these says."""
    return None if site.exam is None else _question_domain(site.exam, topic, question)


def _question_domain(exam: Exam, topic: Topic, question,
                     lookup: _Lookup | None = None) -> Domain | None:
    lookup = lookup or _Lookup.of(exam)
    for tag in question.tags:
        if tag.set_id == exam.domains_set:
            return lookup.domains.get(tag.value.id)
    for task_id in question.tasks or topic.tasks:
        task = lookup.tasks.get(task_id)
        if task is not None:
            return lookup.domains.get(task.domain_id)
    return None


@frozen
class _Lookup:
    """An exam's tasks and domains by id, for walking many questions."""

    tasks: dict[str, Task]
    domains: dict[str, Domain]

    @classmethod
    def of(cls, exam: Exam) -> _Lookup:
        return cls({task.id: task for task in exam.tasks},
                   {domain.id: domain for domain in exam.domains})


# What the guide covers ------------------------------------------------------------------

@frozen
class TaskCoverage:
    """What the guide has for one task."""

    task: Task
    topics: tuple[Topic, ...]
    """Topics that cover it: tagged with it themselves, or in one of their questions or
    scenarios; in the guide's order."""
    questions: int
    """Practice questions on it: those tagged with it, and those without tasks of their own
    in a topic tagged with it (when they count toward its domain)."""


@frozen
class DomainCoverage:
    """What the guide has for one domain."""

    domain: Domain
    tasks: tuple[TaskCoverage, ...]
    questions: int
    """Practice questions that count toward the domain (see question_domain)."""
    topics: int
    """Topics that cover at least one of its tasks."""


@frozen
class Coverage:
    """The guide measured against the exam blueprint."""

    exam: Exam
    domains: tuple[DomainCoverage, ...]
    questions: int
    """Every practice question of the guide."""
    unfiled: int
    """Practice questions that count toward no domain (no domain tag and no task)."""


def coverage(exam: Exam, topics: tuple[Topic, ...]) -> Coverage:
    """Which topics and how many practice questions the guide has for each domain and task:
    from the model alone, one pass over the topics' blocks."""
    lookup = _Lookup.of(exam)
    covering: dict[str, list[Topic]] = {task_id: [] for task_id in lookup.tasks}
    on_task = dict.fromkeys(covering, 0)
    in_domain = {domain.id: 0 for domain in exam.domains}
    total = unfiled = 0
    # Whether a kind's items name tasks, by its class: a kind's items are all of one type,
    # and asking each block (most have no `items` at all) took most of the walk's time.
    tagged: dict[type, bool] = {}
    for topic in topics:
        named = set(topic.tasks)
        for block in topic.blocks:
            kind = type(block)
            if kind not in tagged:
                items = getattr(block, "items", None)
                if items is not None and not items:
                    continue
                tagged[kind] = items is not None and hasattr(items[0], "tasks")
            if not tagged[kind]:
                continue
            for item in block.items:
                own = item.tasks
                named.update(own)
                if not block.practice:
                    continue
                total += 1
                domain = _question_domain(exam, topic, item, lookup)
                if domain is None:
                    unfiled += 1
                    continue
                in_domain[domain.id] += 1
                # A question without tasks of its own is on its topic's tasks of its domain.
                for task_id in own or [t for t in topic.tasks if t in lookup.tasks
                                       and lookup.tasks[t].domain_id == domain.id]:
                    if task_id in on_task:
                        on_task[task_id] += 1
        for task_id in named:
            if task_id in covering:
                covering[task_id].append(topic)
    domains = []
    for domain in exam.domains:
        tasks = tuple(TaskCoverage(task, tuple(covering[task.id]), on_task[task.id])
                      for task in domain.tasks)
        slugs = {topic.slug for task in tasks for topic in task.topics}
        domains.append(DomainCoverage(domain, tasks, in_domain[domain.id], len(slugs)))
    return Coverage(exam, tuple(domains), total, unfiled)


# How exam.yaml is written ------------------------------------------------------------------

@frozen
class TaskIdType(Type):
    """A task id: text, or a number such as 1.1 written without quotes (read as written)."""

    words: str = "task id"

    def schema(self) -> dict:
        # Unquoted, 1.1 is a number to an editor's YAML parser; sitegen reads its text.
        return {"type": ["string", "number"], "pattern": TASK_ID.pattern}


TASK_IDS = ListOf(TaskIdType())
TASK = Shape("task", (
    Key("id", TaskIdType(), "The task's number as the blueprint writes it, e.g. 1.1 (quotes "
        "are optional: 1.10 stays 1.10); unique in the exam.", required=True),
    Key("text", TEXT, "The task statement.", required=True),
), "A task statement of an exam domain.")
DOMAIN = Shape("exam domain", (
    Key("domain", Reference("a value of `domains_set`"), "The value of the domains set this "
        "domain is: its label is the domain's name.", required=True),
    Key("weight", Count(1, 100), "Its share of the exam's scored content, in percent; the "
        "weights of all domains add up to 100.", required=True),
    Key("tasks", ListOf(TASK), "Its task statements, in order.", required=True),
), "One domain of the exam, with its weight and tasks.")
QUESTIONS = Key("questions", Count(1, MAX_EXAM_QUESTIONS), "How many questions the real exam "
                "has.", required=True)
MINUTES = Key("minutes", Count(1, MAX_EXAM_MINUTES), "Its time limit, in minutes.", required=True)
EXAM = Shape("exam", (
    Key("title", TEXT, "The exam's name.", required=True),
    Key("code", TEXT, "Its code, e.g. CLF-C02.", required=True),
    Key("url", Pattern(EXAM_URL.pattern, "http(s) address"), "Its official page, http or "
        "https."),
    QUESTIONS,
    MINUTES,
    Key("domains_set", Reference("a choice set of sets.yaml"), "The shared choice set whose "
        "values are the exam's domains (a question's tag of it is its domain).",
        required=True),
    Key("domains", ListOf(DOMAIN), "One entry per value of the domains set, in the order the "
        "coverage page lists them.", required=True),
), "The exam the guide prepares for, as its official blueprint has it.")
EXAM_FILE = Shape("exam.yaml", (
    Key("exam", EXAM, "The exam blueprint.", required=True),
), "The exam blueprint: domains, weights and task statements, which topics, questions and "
   "scenarios name in `tasks`.")
TASKS_KEY_TEXT = ("Ids of the exam blueprint's tasks (content/exam.yaml) that {what} covers, "
                  "e.g. [2.1, 2.3].")


# Reading exam.yaml -------------------------------------------------------------------------

@frozen
class ExamScope:
    """What `tasks:` and domain tags are checked against while topics are read."""

    path: str
    """exam.yaml's path, for messages, whether it exists or not."""
    declared: bool = False
    """Whether there is an exam.yaml."""
    exam: Exam | None = None
    """The blueprint as far as it could be read (its mistakes are reported at exam.yaml);
    None without one, or when too little of it could be read to check names against."""
    unreadable: frozenset[str] = frozenset()
    """Task ids written in exam.yaml whose entries have mistakes: what names them is not
    reported again."""
    every_domain: bool = True
    """Whether every domain entry names its value: when one does not (it was reported),
    a question's domain the exam seems to lack is not reported too."""

    def tasks(self, node: Node | None, what: str, f: Fields,
              domain: Choice | None = None) -> tuple[str, ...]:
        """The task ids a `tasks:` list names (None: the key is absent). domain: the
        domain the item is tagged with, which each task must belong to."""
        if node is None:
            return ()
        items = f.sequence(node, what)
        if not self.declared:
            f.error(node, f"{what} name tasks of an exam blueprint, but there is no "
                    f"{self.path}",
                    f"write the exam's domains and tasks in {self.path}, as the README shows, "
                    "or leave out 'tasks'")
            return ()
        found: list[tuple[Node, str]] = []
        for number, item in enumerate(items, 1):
            task_id = task_id_text(item, f"item {number} of {what}", f)
            if task_id is None or self.exam is None or task_id in self.unreadable:
                found += [(item, task_id)] if task_id else []
                continue
            task = self.exam.task(task_id)
            if task is None:
                known = [t.id for t in self.exam.tasks]
                close = difflib.get_close_matches(task_id, known, n=1, cutoff=0.6)
                f.error(item, f"task '{task_id}' in {what} is not a task of {self.path}",
                        f"did you mean '{close[0]}'?" if close
                        else "tasks of the exam: " + ", ".join(known))
                continue
            if domain is not None and task.domain_id != domain.id:
                owner = self.exam.domain(task.domain_id)
                f.error(item, f"task {task_id} is in the domain '{task.domain_id}' "
                        f"({owner.name if owner else task.domain_id}), but the question is "
                        f"tagged with the domain '{domain.id}' ({domain.label})",
                        f"tag the question with {self.exam.domains_set}: {task.domain_id}, or "
                        f"name a task of {domain.label}")
            found.append((item, task_id))
        f.unique(found, "task")
        return tuple(dict.fromkeys(task_id for _, task_id in found))

    def check_tag(self, node: Node, set_id: str, value: Choice, f: Fields) -> None:
        """A question's tag of the exam's domains set names a domain the exam has."""
        exam = self.exam
        if (exam is None or not self.every_domain or set_id != exam.domains_set
                or exam.domain(value.id) is not None):
            return
        f.error(node, f"the question is tagged with the domain '{value.id}' ({value.label}), "
                f"which {self.path} has no entry for",
                f"add the domain to the exam's domains, or tag the question with one of: "
                + ", ".join(domain.id for domain in exam.domains))

    def domain_of(self, tags) -> Choice | None:
        """The value of the exam's domains set among a question's tags."""
        if self.exam is None:
            return None
        return next((tag.value for tag in tags if tag.set_id == self.exam.domains_set), None)


@frozen
class ExamRead:
    """exam.yaml as read: what topics are checked against, and where each domain is written."""

    scope: ExamScope
    places: dict[str, Node]
    """Each domain's entry in exam.yaml, by domain id: where its warnings point."""


def read_exam(node: Node | None, path: str, shared: dict[str, ChoiceSet | None],
              f: Fields) -> ExamRead:
    """exam.yaml's blueprint, every mistake in it reported. shared: the choice sets of
    sets.yaml (None for one with a mistake, already reported)."""
    if node is None:  # none, or one unreadable or not YAML, which loading reported
        return ExamRead(ExamScope(path, os.path.lexists(path)), {})
    exam_file = f.mapping(node, "exam.yaml", EXAM_FILE.required, EXAM_FILE.optional)
    exam = f.mapping(get(exam_file, "exam"), "exam", EXAM.required, EXAM.optional)
    if exam is None:
        return ExamRead(ExamScope(path, True), {})
    url = f.text(get(exam, "url"), "exam url") if get(exam, "url") is not None else ""
    if url and not EXAM_URL.match(url):
        f.error(get(exam, "url"), f"exam url '{url}' is not an http or https address",
                "write the full address of the exam's official page, e.g. https://...")
    title = f.text(get(exam, "title"), "exam title")
    code = f.text(get(exam, "code"), "exam code")
    questions, minutes = (whole_number(get(exam, key.name), key.name, key.type.minimum,
                                       key.type.maximum, f) for key in (QUESTIONS, MINUTES))
    set_node = get(exam, "domains_set")
    choice_set = None
    if isinstance(set_node, Scalar) and set_node.text.strip() in shared:
        choice_set = shared[set_node.text.strip()]  # None: its own mistakes are reported
    elif set_node is not None:
        f.reference(set_node, "domains_set", shared, "shared choice set")
    domains_key = exam.entries["domains"][0] if "domains" in exam.entries else None
    domains, places, unreadable = _domains(get(exam, "domains"), domains_key, choice_set, f)
    if choice_set is None:
        return ExamRead(ExamScope(path, True, None, unreadable), places)
    entries = get(exam, "domains")
    every_domain = isinstance(entries, Sequence) and len(entries.items) == len(domains)
    blueprint = Exam(title=title or "", code=code or "", url=url or "",
                     questions=questions or 0, minutes=minutes or 0, domains=domains,
                     domains_set=choice_set.id)
    return ExamRead(ExamScope(path, True, blueprint, unreadable, every_domain), places)


def _domains(node: Node | None, key: Node | None, choice_set: ChoiceSet | None,
             f: Fields) -> tuple[tuple[Domain, ...], dict[str, Node], frozenset[str]]:
    """The domains (those whose value could be read), where each is written, and the task
    ids whose entries have mistakes. key: the `domains` key, where what is wrong with the
    list as a whole is reported."""
    domains, places, weights = [], {}, []
    named: list[tuple[Node, str]] = []
    task_ids: list[tuple[Node, str]] = []
    unreadable: set[str] = set()
    for item in f.sequence(node, "domains"):
        entry = f.mapping(item, "exam domain", DOMAIN.required, DOMAIN.optional)
        value_node = get(entry, "domain")
        value = f.choice(value_node, "domain", choice_set) if choice_set else None
        weights.append(whole_number(get(entry, "weight"), "weight", 1, 100, f))
        tasks = []
        for task_node in f.sequence(get(entry, "tasks"), "tasks"):
            task = f.mapping(task_node, "task", TASK.required, TASK.optional)
            before = len(f.errors)
            task_id = task_id_text(get(task, "id"), "task id", f)
            text = f.inline(get(task, "text"), "task text")
            if task_id is not None:
                task_ids.append((get(task, "id"), task_id))
            elif isinstance(get(task, "id"), Scalar):
                unreadable.add(get(task, "id").text.strip())
            if task_id is not None and (value is None or len(f.errors) > before):
                unreadable.add(task_id)
            elif task_id is not None:
                tasks.append(Task(task_id, text, value.id))
        if value is not None:
            named.append((value_node, value.id))
            places.setdefault(value.id, item)
            domains.append(Domain(value, weights[-1] or 0, tuple(tasks)))
    f.unique(named, "exam domain")
    f.unique(task_ids, "task id")
    if choice_set is not None and isinstance(node, Sequence) and node.items:
        missing = [v for v in choice_set.values if v.id not in {d.id for d in domains}]
        # A value misspelt in an entry was reported there, with a did-you-mean.
        unnamed = [n for n in (get(i, "domain") for i in node.items if isinstance(i, Mapping))
                   if n is not None and not (isinstance(n, Scalar) and n.text.strip()
                                              in {d.id for d in domains})]
        if missing and len(unnamed) < len(missing):
            listed = " and ".join(f"'{v.id}' ({v.label})" for v in missing)
            f.error(key, f"the exam's domains have no entry for {listed} of the set "
                    f"'{choice_set.id}'", "every value of the domains set is a domain of the "
                    "exam: add an entry with its weight and tasks for each, or take the value "
                    "out of the set")
    if weights and all(weight is not None for weight in weights) and sum(weights) != 100:
        f.error(key, f"the domains' weights add up to {sum(weights)}%, not 100%",
                "each weight is the domain's percentage of the exam's scored content, as the "
                "blueprint gives it: make them add up to 100")
    return tuple(domains), places, frozenset(unreadable)


def task_id_text(node: Node | None, what: str, f: Fields) -> str | None:
    """A task id as written: `1.1` unquoted is a number to YAML, and is taken as its text."""
    if not f.expect(node, Scalar, what):
        return None
    text = node.text.strip()
    if node.implicit_type not in ("str", "int", "float") or not text:
        f.text(node, what)  # says what YAML made of it
        return None
    if not TASK_ID.match(text):
        f.error(node, f"{what} '{text}' is not a task id",
                "write the task's number as the blueprint does, e.g. 1.1 or 2.3")
        return None
    return text


def whole_number(node: Node | None, what: str, lowest: int, highest: int,
                 f: Fields) -> int | None:
    """A whole number from lowest to highest, written without quotes."""
    if not f.expect(node, Scalar, what):
        return None
    text = node.text.strip()
    if node.implicit_type == "str" and text.isdigit():
        f.error(node, f"{what} must be a whole number, got '{text}' in quotes, which makes it "
                "text", f"write it without quotes: {what}: {text}")
        return None
    if node.implicit_type != "int" or not text.isdigit() or not lowest <= int(text) <= highest:
        f.error(node, f"{what} must be a whole number from {lowest} to {highest}, got '{text}'")
        return None
    return int(text)


# Warnings ----------------------------------------------------------------------------------

def exam_warnings(read: ExamRead, measured: Coverage) -> tuple[ContentError, ...]:
    """What the guide lacks against the blueprint: each domain without practice questions,
    at its entry in exam.yaml."""
    warnings = []
    for domain in measured.domains:
        if domain.questions:
            continue
        place = read.places.get(domain.domain.id)
        if place is None:
            continue
        exam = measured.exam
        tasks = ", ".join(task.id for task in domain.domain.tasks)
        warnings.append(ContentError(
            place.path, place.line, place.col,
            f"domain '{domain.domain.name}' ({domain.domain.weight}%) has no practice questions",
            f"tag questions with {exam.domains_set}: {domain.domain.id}"
            + (f" or with one of its tasks ({tasks})" if tasks else ""),
            level="warning"))
    return tuple(warnings)
