"""The scenarios kind: exam scenarios answered by a value of a choice set, as a self-test.

Each scenario is a flashcard: its question -> the answer's label, with the explanation after.
A scenario is named by its `id:` if written, else by its position in the block: never by its
title or wording, so a reworded one keeps its review history.
"""

from __future__ import annotations

from dataclasses import replace

from ..records import frozen
from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, ChoiceSet, Topic, _Model, sealed
from ..notes import Note
from ..shapes import ID, TEXT, Key, ListOf, Reference, Shape
from ..exam import TASK_IDS, TASKS_KEY_TEXT
from .base import Kind, TopicScope, item_ids, optional_inline


@sealed
@frozen
class Scenario(_Model):
    """An exam-style situation whose answer is one value of the block's set."""

    title: str
    """Short name of the scenario."""
    question: str
    """The question as the exam would ask it."""
    answer: Choice
    """The right value."""
    explanation: str
    """Why that value is right."""
    id: str = ""
    """Names the scenario for good (its flashcard's history): the `id:` written, else its
    1-based position in the block."""
    tasks: tuple[str, ...] = ()
    """Ids of the exam blueprint's tasks the scenario is on (content/exam.yaml); () when it
    names none."""


@sealed
@frozen(kw_only=True)
class Scenarios(Block):
    """Exam scenarios: a self-test with hidden answers."""

    kind = "scenarios"
    printable = True
    interactive = True
    answers: ChoiceSet
    """The set every answer is a value of; the self-test offers its values."""
    prompt: str
    """The question every scenario asks, e.g. "Who is responsible?"; "" when the block sets
    none, and the page asks "Which <set name>?" in the site's language."""
    items: tuple[Scenario, ...]
    """The scenarios, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    answers = scope.choice_set(get(block, "answers"), "scenario answers")
    items, nodes = [], []
    for node in f.sequence(get(block, "items"), "scenarios"):
        item = f.mapping(node, "scenario", SCENARIO.required, SCENARIO.optional)
        title = f.inline(get(item, "title"), "scenario title")
        nodes.append((get(item, "id"), node, str(len(nodes) + 1)))
        items.append(Scenario(
            title=title,
            question=f.inline(get(item, "question"), "question"),
            answer=scope.choice(get(item, "answer"), f"answer of scenario '{title}'", answers),
            explanation=f.inline(get(item, "explanation"), "explanation"),
            tasks=scope.tasks(get(item, "tasks"), f"the tasks of scenario '{title}'"),
        ))
    ids = item_ids(nodes, f, "scenario id")
    items = [replace(item, id=item_id) for item, item_id in zip(items, ids)]
    return {"answers": answers, "prompt": optional_inline(block, "prompt", f), "items": tuple(items)}


def flashcards(topic: Topic, block: Scenarios) -> tuple[Note, ...]:
    """The scenario's question -> its answer's label, then the explanation; tagged "task:id"
    with its tasks."""
    return tuple(Note(topic.slug, block.id, item.id, "scenario", item.question,
                      item.answer.label, item.explanation,
                      tags=tuple(f"task:{task}" for task in item.tasks))
                 for item in block.items if item.answer is not None)


SCENARIO = Shape("scenario", (
    Key("id", ID, "Names its flashcard for good, so that its review history is kept when "
        "scenarios are reordered (default: its position in the block; rewording never loses "
        "it)."),
    Key("title", TEXT, "A short name for the situation.", required=True),
    Key("question", TEXT, "The situation, as the exam would describe it.", required=True),
    Key("answer", Reference("a value of the block's `answers` set"), "The right value.",
        required=True),
    Key("explanation", TEXT, "Why that value is right.", required=True),
    Key("tasks", TASK_IDS, TASKS_KEY_TEXT.format(what="the scenario")),
), "An exam-style situation answered by one value of a set.")

KIND = Kind("scenarios", Scenarios, parse, flashcards=flashcards, keys=(
    Key("answers", Reference("a choice set"), "The set every answer is a value of; the "
        "self-test offers all its values.", required=True),
    Key("prompt", TEXT, "The question every scenario asks (default: \"Which <set name>?\")."),
    Key("items", ListOf(SCENARIO), "The scenarios, in order.", required=True),
), summary="Situations answered by one value of a choice set (`answers`), as a self-test.",
    notes="Printable. Each scenario is a flashcard of the study deck: its question -> the "
          "answer's label, then the explanation.",
    example="""\
- kind: scenarios
  id: exam-scenarios
  title: Exam Scenarios
  answers: owner             # every answer is a value of this set
  prompt: Who is responsible?   # optional; default "Which owner?"
  items:
    - title: Data Breach
      question: An S3 bucket was left public and data leaked. Who is responsible?
      answer: customer
      explanation: Bucket permissions are configuration, and configuration is the customer's.
    - title: Hardware Failure
      question: A disk in an AWS data center fails. Who replaces it?
      answer: aws
      explanation: The physical hardware is AWS's.
""")
