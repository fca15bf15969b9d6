"""The scenarios kind: exam scenarios answered by a value of a choice set, as a self-test."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import get
from ..load import Mapping
from ..model import Block, Choice, ChoiceSet, _Model, sealed
from .base import Kind, TopicScope, optional_inline


@sealed
@dataclass(frozen=True)
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


@sealed
@dataclass(frozen=True, kw_only=True)
class Scenarios(Block):
    """Exam scenarios: a self-test with hidden answers."""

    kind = "scenarios"
    printable = True
    interactive = True
    answers: ChoiceSet
    """The set every answer is a value of; the self-test offers its values."""
    prompt: str
    """The question every scenario asks, e.g. "Who is responsible?"."""
    items: tuple[Scenario, ...]
    """The scenarios, in order."""


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    answers = scope.choice_set(get(block, "answers"), "scenario answers")
    items = []
    for node in f.sequence(get(block, "items"), "scenarios"):
        item = f.mapping(node, "scenario", ("title", "question", "answer", "explanation"))
        title = f.inline(get(item, "title"), "scenario title")
        items.append(Scenario(
            title=title,
            question=f.inline(get(item, "question"), "question"),
            answer=scope.choice(get(item, "answer"), f"answer of scenario '{title}'", answers),
            explanation=f.inline(get(item, "explanation"), "explanation"),
        ))
    prompt = optional_inline(block, "prompt", f)
    if not prompt and answers is not None and answers.name:
        prompt = f"Which {answers.name[:1].lower() + answers.name[1:]}?"
    return {"answers": answers, "prompt": prompt, "items": tuple(items)}


KIND = Kind("scenarios", Scenarios, parse, required=("answers", "items"), optional=("prompt",),
            summary="Situations answered by one value of a choice set (`answers`), as a self-test.")
