"""Study notes: the question-and-answer pairs a guide's blocks give, for flashcards and decks.

Each block kind says what notes it gives (Kind.flashcards, set in the kind's own module);
this module only walks the topics and asks the registry. A note is named by its topic, its
block and the item's id within the block (Note.guid_parts), never by its text: a reworded
note is the same note, and keeps a learner's review history.
"""

from __future__ import annotations

import string

from .records import frozen
from .model import Site, Topic, _Model, sealed


@sealed
@frozen
class Note(_Model):
    """One flashcard's worth of a block: a prompt and its answer."""

    topic: str
    """The topic's slug."""
    block: str
    """The block's id."""
    item: str
    """The item's id within the block: a question's id, or the id the kind gives its items
    (an explicit `id:`, else the 1-based position); never derived from the text."""
    kind: str
    """What the note is of: "definition", "myth", "question", "scenario"."""
    front: str
    """The prompt, as the model holds texts (an Inline or a plain str; both escape when
    shown through Jinja, an Inline rendering its Markdown)."""
    back: str
    """The answer, held as front is."""
    extra: str = ""
    """What to read after the answer (an explanation); "" when none."""
    options: tuple[str, ...] = ()
    """A question's options in the order shown (the front lists them, lettered A, B...)."""
    tags: tuple[str, ...] = ()
    """Labels to file the note under, "set:value" (a question's choice-set tags, e.g.
    "domain:security-compliance") or "task:<id>"."""
    answers: tuple[int, ...] = ()
    """Positions (0-based) in options of the right ones: how many to choose, and which to
    mark on the back; () for a note without options."""

    @property
    def guid_parts(self) -> tuple[str, str, str]:
        """What names the note for good: (topic, block, item)."""
        return (self.topic, self.block, self.item)


def option_letter(position: int) -> str:
    """An option's letter as shown, A, B, C... for position 0, 1, 2..."""
    return string.ascii_uppercase[position]


def topic_notes(topic: Topic) -> tuple[Note, ...]:
    """The topic's notes, in page order."""
    from .kinds import KINDS  # the kinds build notes: imported on use, not at load

    notes: list[Note] = []
    for block in topic.blocks:
        flashcards = KINDS[block.kind].flashcards
        if flashcards is not None:
            notes += flashcards(topic, block)
    return tuple(notes)


def site_notes(site: Site) -> tuple[Note, ...]:
    """Every topic's notes, in reading order."""
    return tuple(note for topic in site.topics for note in topic_notes(topic))
