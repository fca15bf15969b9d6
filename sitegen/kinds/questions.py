"""The questions kind: exam-style multiple choice, single answer or "choose N", as a self-test."""

from __future__ import annotations

import string
from dataclasses import dataclass

from ..fields import get
from ..load import Mapping, Node, Scalar, Sequence
from ..model import Block, Choice, _Model, sealed
from .base import Kind, TopicScope, optional_text

MIN_OPTIONS, MAX_OPTIONS = 2, 6


@sealed
@dataclass(frozen=True)
class Option(_Model):
    """One option of a question."""

    id: str
    """Identifier the answer names; a, b, c... for options written as plain text."""
    text: str
    """The option as the exam shows it."""
    note: str
    """Optional word on why this option is right or wrong; "" when none."""


@sealed
@dataclass(frozen=True)
class Tag(_Model):
    """A question's value of a choice set, e.g. its exam domain."""

    name: str
    """The set's name, e.g. "Exam domain"."""
    value: Choice
    """The value."""


@sealed
@dataclass(frozen=True)
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
@dataclass(frozen=True, kw_only=True)
class Questions(Block):
    """Exam-style multiple-choice questions."""

    kind = "questions"
    printable = True
    interactive = True
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
        return []
    options = []
    for i, item in enumerate(items):
        if isinstance(item, Scalar):
            text = f.text(item, f"option {i + 1}")
            options.append((item, Option(string.ascii_lowercase[i], text, "")))
        else:
            option = f.mapping(item, "option", ("id", "text"), ("note",))
            options.append((get(option, "id"), Option(f.identifier(get(option, "id"), "option id"),
                                                      f.text(get(option, "text"), "option text"),
                                                      optional_text(option, "note", f))))
    f.unique([(n, o.id) for n, o in options if o.id], "option id")
    f.unique([(n, " ".join(o.text.split()).casefold()) for n, o in options if o.text], "option")
    return options


def _count(node: Node | None, f) -> int | None:
    if node is None:
        return None
    if not isinstance(node, Scalar) or node.implicit_type != "int" or not 2 <= int(node.text) <= MAX_OPTIONS - 1:
        f.error(node, f"choose must be a whole number from 2 to {MAX_OPTIONS - 1}, got '{getattr(node, 'text', '')}'",
                "leave it out for a single-answer question")
        return None
    return int(node.text)


def _answer(node: Node | None, options: list[Option], choose: int | None, f) -> tuple[str, ...]:
    if node is None:
        return ()
    written = list(node.items) if isinstance(node, Sequence) else [node]
    ids = {o.id: o.id for o in options if o.id}
    named = [f.reference(item, "answer", ids, "option id") for item in written]
    if isinstance(node, Sequence):
        f.unique([(item, value) for item, value in zip(written, named) if value], "answer")
    if choose is None and len(written) != 1:
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
            tags.append(Tag(choice_set.name, value))
    return tuple(tags)


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    questions = []
    for number, node in enumerate(f.sequence(get(block, "items"), "questions"), 1):
        item = f.mapping(node, "question", ("question", "options", "answer", "explanation"),
                         ("id", "choose", "tags"))
        options = _options(get(item, "options"), f)
        choose = _count(get(item, "choose"), f)
        id_node = get(item, "id")
        question_id = f.identifier(id_node, "question id") if id_node is not None else f"q{number}"
        questions.append((id_node or node, Question(
            id=question_id,
            question=f.text(get(item, "question"), "question"),
            options=tuple(option for _, option in options),
            answer=_answer(get(item, "answer"), [o for _, o in options], choose, f),
            explanation=f.text(get(item, "explanation"), "explanation"),
            tags=_tags(get(item, "tags"), scope),
        )))
    f.unique([(n, q.id) for n, q in questions if q.id], "question id")
    return {"items": tuple(q for _, q in questions)}


KIND = Kind("questions", Questions, parse, required=("items",),
            summary="Exam-style multiple choice: 2-6 options, one answer or `choose: N`, an explanation, optional tags.")
