"""The questions kind: exam-style multiple choice, single answer or "choose N", as a self-test.

Each question is a flashcard named by its id: the question and its options -> the right
options, then the explanation; filed under its choice-set tags as "set:value".
"""

from __future__ import annotations

import re
import string

from ..records import frozen
from ..fields import get
from ..load import Mapping, Node, Scalar, Sequence
from ..inline import inline_text
from ..model import Block, Choice, Topic, _Model, sealed
from ..notes import Note, option_letter
from ..shapes import ID, TEXT, Count, Key, ListOf, MapOf, OneOf, Reference, Shape
from ..exam import TASK_IDS, TASKS_KEY_TEXT
from ..inline import plain_text
from .base import ExamQuestion, Kind, TopicScope, optional_inline

MIN_OPTIONS, MAX_OPTIONS = 2, 6
_SAYS_CHOOSE = re.compile(r"\(\s*choose\b[^)]*\)", re.I)


@sealed
@frozen
class Option(_Model):
    """One option of a question."""

    id: str
    """Identifier the answer names; a, b, c... for options written as plain text."""
    text: str
    """The option as the exam shows it."""
    note: str
    """Optional word on why this option is right or wrong; "" when none."""


@sealed
@frozen
class Tag(_Model):
    """A question's value of a choice set, e.g. its exam domain."""

    name: str
    """The set's name, e.g. "Exam domain"."""
    value: Choice
    """The value."""
    set_id: str = ""
    """The set's id, as the question names it, e.g. "domain"."""


@sealed
@frozen
class Question(_Model):
    """A multiple-choice question."""

    id: str
    """Unique within the block; keeps a learner's answer when questions are reordered."""
    question: str
    """The question."""
    options: tuple[Option, ...]
    """Its options, in the order shown."""
    answer: tuple[str, ...]
    """Ids of the right options, in option order."""
    explanation: str
    """Why the answer is right."""
    tags: tuple[Tag, ...]
    """Values of choice sets the question is filed under, e.g. its exam domain."""
    tasks: tuple[str, ...] = ()
    """Ids of the exam blueprint's tasks the question is on (content/exam.yaml); () when
    it names none."""

    @property
    def choose(self) -> int:
        """How many options to choose: 1 for a single-answer question."""
        return len(self.answer)

    def is_answer(self, option: Option) -> bool:
        return option.id in self.answer

    @property
    def answer_options(self) -> tuple[Option, ...]:
        return tuple(option for option in self.options if option.id in self.answer)

    def letter(self, option: Option) -> str:
        """The option's letter as shown, A, B, C..."""
        return string.ascii_uppercase[self.options.index(option)]


@sealed
@frozen(kw_only=True)
class Questions(Block):
    """Exam-style multiple-choice questions."""

    kind = "questions"
    printable = True
    interactive = True
    practice = True
    items: tuple[Question, ...]
    """The questions, in order."""


def _options(node: Node | None, f) -> list[tuple[Node, Option]]:
    items = f.sequence(node, "options")
    if items and not MIN_OPTIONS <= len(items) <= MAX_OPTIONS:
        f.error(node, f"a question has {MIN_OPTIONS} to {MAX_OPTIONS} options, this one has {len(items)}",
                "exam questions offer four or five options")
    plain = [isinstance(item, Scalar) for item in items]
    if any(plain) and not all(plain):
        f.error(node, "options are either all plain text or all mappings with 'id' and 'text'",
                "write each option the same way")
        return None
    options = []
    for i, item in enumerate(items):
        if isinstance(item, Scalar):
            text = f.inline(item, f"option {i + 1}")
            options.append((item, Option(string.ascii_lowercase[i], text, "")))
        else:
            option = f.mapping(item, "option", OPTION.required, OPTION.optional)
            options.append((get(option, "id"), Option(f.identifier(get(option, "id"), "option id"),
                                                      f.inline(get(option, "text"), "option text"),
                                                      optional_inline(option, "note", f))))
    f.unique([(n, o.id) for n, o in options if o.id], "option id")
    seen: dict[str, Node] = {}
    for n, option in options:
        same = " ".join((option.text or "").split()).casefold()
        if same and same in seen:
            f.error(n, f"duplicate option '{option.text}'",
                    f"already used on line {seen[same].line}; each option must be unique")
        elif same:
            seen[same] = n
    return options if items else None


UNUSABLE = object()
"""A `choose` with a mistake, already reported: the answer is then not counted against it."""


def _count(node: Node | None, options: int, f):
    """How many options to choose: None for a single-answer question."""
    if node is None:
        return None
    if not f.expect(node, Scalar, "choose"):
        return UNUSABLE
    highest = max(2, min(MAX_OPTIONS, options) - 1)
    if node.implicit_type == "str" and node.text.strip().isdigit():
        f.error(node, f"choose must be a whole number, got '{node.text}' in quotes, which makes "
                "it text", f"write it without quotes: choose: {node.text.strip()}")
        return UNUSABLE
    if node.implicit_type != "int" or not 2 <= int(node.text) <= highest:
        f.error(node, f"choose must be a whole number from 2 to {highest} (one less than the "
                f"options), got '{node.text}'", "leave it out for a single-answer question")
        return UNUSABLE
    return int(node.text)


def _answer(node: Node | None, options: list[Option] | None, choose, f) -> tuple[str, ...]:
    if node is None or options is None:
        return ()  # no answer, or options already reported as unusable
    written = list(node.items) if isinstance(node, Sequence) else [node]
    ids = {o.id: o.id for o in options if o.id}
    named = [f.reference(item, "answer", ids, "option id") for item in written]
    if isinstance(node, Sequence):
        f.unique([(item, value) for item, value in zip(written, named) if value], "answer")
    if choose is UNUSABLE:
        pass
    elif choose is None and len(written) != 1:
        f.error(node, f"a single-answer question has exactly one answer, this one lists {len(written)}",
                f"for a multiple-response question add 'choose: {len(written)}'" if len(written) > 1
                else "name the id of the right option")
    elif choose is not None and len(written) != choose:
        f.error(node, f"the question says choose {choose}, but its answer lists {len(written)}",
                f"list exactly {choose} option ids, e.g. [{', '.join(list(ids)[:choose])}]")
    return tuple(o.id for o in options if o.id in named)


def _tags(node: Node | None, scope: TopicScope) -> tuple[Tag, ...]:
    f = scope.fields
    if node is None or not f.expect(node, Mapping, "tags"):
        return ()
    tags = []
    for key, (key_node, value_node) in node.entries.items():
        choice_set = scope.choice_set(key_node, "tag set")
        value = scope.choice(value_node, f"tag '{key}'", choice_set)
        if value is not None:
            scope.exam.check_tag(value_node, choice_set.id, value, f)
            tags.append(Tag(choice_set.name, value, choice_set.id))
    return tuple(tags)


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    questions = []
    for number, node in enumerate(f.sequence(get(block, "items"), "questions"), 1):
        item = f.mapping(node, "question", QUESTION.required, QUESTION.optional)
        options = _options(get(item, "options"), f)
        choose = _count(get(item, "choose"), len(options or ()), f)
        question_node = get(item, "question")
        if isinstance(question_node, Scalar) and _SAYS_CHOOSE.search(question_node.text):
            f.error(question_node, "the question says how many to choose itself",
                    "leave '(Choose ...)' out: the site and the card add it from 'choose'")
        id_node = get(item, "id")
        question_id = f.identifier(id_node, "question id") if id_node is not None else f"q{number}"
        tags = _tags(get(item, "tags"), scope)
        questions.append((id_node or node, Question(
            id=question_id,
            question=f.inline(get(item, "question"), "question"),
            options=tuple(option for _, option in options or ()),
            answer=_answer(get(item, "answer"),
                           None if options is None else [o for _, o in options], choose, f),
            explanation=f.inline(get(item, "explanation"), "explanation"),
            tags=tags,
            tasks=scope.tasks(get(item, "tasks"), f"the tasks of question '{question_id}'",
                              scope.exam.domain_of(tags)),
        )))
    f.unique([(n, q.id) for n, q in questions if q.id], "question id")
    return {"items": tuple(q for _, q in questions)}


def flashcards(topic: Topic, block: Questions) -> tuple[Note, ...]:
    """The question and its options -> the right options, lettered as shown, then the
    explanation; tagged "set:value" with the question's tags and "task:id" with its tasks."""
    notes = []
    for question in block.items:
        right = [n for n, option in enumerate(question.options) if question.is_answer(option)]
        # Each option's Markdown is its own; " · " and "A. " hold no Markdown characters.
        back = inline_text(" · ".join(f"{option_letter(n)}. {question.options[n].text}"
                                      for n in right))
        notes.append(Note(topic.slug, block.id, question.id, "question", question.question,
                          back, question.explanation,
                          options=tuple(option.text for option in question.options),
                          tags=(*(f"{tag.set_id}:{tag.value.id}" for tag in question.tags),
                                *(f"task:{task}" for task in question.tasks)),
                          answers=tuple(right)))
    return tuple(notes)


def exam_questions(block: Questions) -> tuple[ExamQuestion, ...]:
    """The questions as the page's structured data states them."""
    return tuple(ExamQuestion(plain_text(item.question),
                              tuple(plain_text(option.text) for option in item.options),
                              tuple(i for i, option in enumerate(item.options)
                                    if item.is_answer(option)),
                              plain_text(item.explanation))
                 for item in block.items)


OPTION = Shape("option", (
    Key("id", ID, "How the answer names this option.", required=True),
    Key("text", TEXT, "The option as the exam shows it.", required=True),
    Key("note", TEXT, "Why this option is right or wrong, shown once answered."),
), "An option written as a mapping, with its own id and an optional note.")
QUESTION = Shape("question", (
    Key("id", ID, "Keeps a learner's answer when questions are reordered "
        "(default: q1, q2... by position)."),
    Key("question", TEXT, "The question. Leave out \"(Choose TWO.)\": it is added from "
        "`choose`.", required=True),
    Key("choose", Count(2, MAX_OPTIONS - 1), "How many options the answer lists, for a "
        "multiple-response question (at most one less than the options). Leave it out for "
        "one answer."),
    Key("options", OneOf((ListOf(TEXT, max_items=MAX_OPTIONS, min_items=MIN_OPTIONS),
                          ListOf(OPTION, max_items=MAX_OPTIONS, min_items=MIN_OPTIONS))),
        "The options, in the order shown: all plain text (their ids are a, b, c...) or all "
        "mappings.", required=True),
    Key("answer", OneOf((Reference("an option"), ListOf(Reference("an option")))),
        "The id of the right option, or with `choose` a list of that many ids.",
        required=True),
    Key("explanation", TEXT, "Why the answer is right.", required=True),
    Key("tags", MapOf("choice set id", Reference("a value of that set"), "set id: value id"),
        "Values of choice sets the question is filed under, e.g. {domain: security}: set "
        "id, then value id."),
    Key("tasks", TASK_IDS, TASKS_KEY_TEXT.format(what="the question") + " With a domain "
        "tag, each task is of that domain."),
), "An exam-style multiple-choice question.")

KIND = Kind("questions", Questions, parse, flashcards=flashcards, exam_questions=exam_questions,
            keys=(
    Key("items", ListOf(QUESTION), "The questions, in order.", required=True),
), summary="Exam-style multiple choice: 2-6 options, one answer or `choose: N`, an explanation, optional tags.",
    notes="A self-test on the page: choose, check, right or wrong with the explanation, a "
          "score per section kept in the browser. Options are all plain text or all "
          "mappings; no two may be the same. Printable (questions, options and an answer key). "
          "Each question is a flashcard of the study deck: question and options -> the right "
          "options, then the explanation.",
    example="""\
- kind: questions
  id: practice-questions
  title: Practice Questions
  items:
    - id: patching               # optional, default q1, q2...: keeps answers when reordered
      question: Who patches the guest operating system of an EC2 instance?
      options:                   # 2 to 6; plain text options get the ids a, b, c...
        - The customer
        - AWS
        - Both, by turns
      answer: a                  # single answer: one id
      explanation: On IaaS the customer runs the operating system, so the customer patches it.
      tags: {service_model: iaas}   # optional: set id -> value id
    - question: Which are AWS's responsibility on every service model?
      choose: 2                  # multiple response: the answer lists exactly 2 ids, and the
                                 # site and card add "(Choose TWO.)" to the question
      options:                   # or mappings, with an optional note per option
        - {id: os, text: Patching the guest OS, note: The customer patches the guest OS on IaaS.}
        - {id: dc, text: Physical security of data centers}
        - {id: hv, text: Hypervisor security}
      answer: [dc, hv]
      explanation: Physical infrastructure and the virtualization layer are AWS's.
""")
