"""The validated, immutable content model: what every renderer reads."""

from __future__ import annotations

import copyreg
import io
import pickle
from typing import TYPE_CHECKING, ClassVar

from .records import frozen

if TYPE_CHECKING:
    from .errors import ContentError
    from .exam import Exam


class _Sealed(type):
    """The model's classes: once the module is loaded, nothing can change them.

    A class attribute set at run time would change every model object at once; unpickling a
    cache entry can set attributes on any class it names (its BUILD step), which would let a
    planted entry change the model for the whole process."""

    def __setattr__(cls, name, value):
        if cls.__dict__.get("_sealed"):
            raise AttributeError(f"sitegen's model class {cls.__name__} cannot be changed")
        super().__setattr__(name, value)

    def __delattr__(cls, name):
        if cls.__dict__.get("_sealed"):
            raise AttributeError(f"sitegen's model class {cls.__name__} cannot be changed")
        super().__delattr__(name)


class _Model(metaclass=_Sealed):
    """Base of every model class (see _Sealed)."""

    __slots__ = ()


def sealed(cls):
    """Seals a model class (see _Sealed) and lets the cache read it back (_ModelUnpickler).

    Applied above @dataclass, which sets the class's methods after it is made."""
    _CLASSES[(cls.__module__, cls.__qualname__)] = cls
    # pickle asks copyreg for a class's slot names and keeps them on the class; on a sealed
    # class that keeping fails, and every object pickled (thousands of texts sent to the
    # page workers) would look them up again, walking the class's bases. Kept here, first.
    type.__setattr__(cls, "__slotnames__", copyreg._slotnames(cls))
    type.__setattr__(cls, "_sealed", True)
    return cls


_CLASSES: dict[tuple[str, str], type] = {}
"""Every model class, by module and name: what a cached model may be made of."""


@sealed
@frozen
class Choice(_Model):
    """One value of a choice set, e.g. "AWS" of the set of owners."""

    id: str
    """Identifier that table cells, answers and tags use to name this value."""
    label: str
    """Display name, e.g. "AWS"."""
    text: str
    """Optional short text, e.g. the tagline "Security OF the Cloud"; "" when none."""
    keyword: str
    """Optional word of text to remember, printed in bold; "" when none."""
    style: str
    """Name of its style in the palette (styles.PALETTE): a colour and a pattern."""

    @property
    def full_label(self) -> str:
        """The label with the short text, e.g. "IaaS (EC2)"."""
        from .inline import inline_text  # inline.py builds on this module

        return inline_text(f"{self.label} ({self.text})") if self.text else self.label


@sealed
@frozen
class ChoiceSet(_Model):
    """A named set of labelled values (owners, service models, support plans...)."""

    id: str
    """Identifier that blocks use to name the set."""
    name: str
    """What one value is, e.g. "Owner" or "Storage class"."""
    values: tuple[Choice, ...]
    """The values, in declared order."""


@frozen(kw_only=True)
class Block(_Model):
    """One section of a topic page; each kind (sitegen/kinds/) is a subclass."""

    kind: ClassVar[str]
    printable: ClassVar[bool] = False
    """Whether the block has a compact form for the printed card."""
    interactive: ClassVar[bool] = False
    """Whether the page's self-test script works on the block."""
    practice: ClassVar[bool] = False
    """Whether its items are practice questions, which the exam coverage counts toward the
    exam's domains and tasks (sitegen/exam.py)."""
    id: str
    """Unique within the topic; the page anchor and the name cards use to pick blocks."""
    title: str
    """Section heading."""
    icon: str = ""
    """Optional emoji shown before the heading (decorative; hidden from screen readers)."""
    numbers: tuple[int, ...] = ()
    """On a card that prints some of its items: each printed item's number on the page
    (1-based), so that the card numbers them as the page does. Empty: all items, from 1."""

    def number(self, index: int) -> int:
        """The page's number of the item printed at `index` (0-based)."""
        return self.numbers[index] if self.numbers else index + 1

    @property
    def card_heading(self) -> str:
        """Heading of the block on the printed card."""
        return self.title


@sealed
@frozen
class Source(_Model):
    """A document a topic is based on, listed on its page."""

    title: str
    """The document's title."""
    url: str
    """Its address (http or https)."""


@frozen
class Topic(_Model):
    """One study topic: a page on the site."""

    slug: str
    """Folder name under content/topics/, and the page's file name."""
    title: str
    """Full title, the page heading."""
    short_title: str
    """Title for navigation and cards."""
    icon: str
    """Optional emoji for the title (decorative)."""
    summary: str
    """One or two sentences for the index page."""
    sources: tuple[Source, ...]
    """Documents the topic is based on."""
    sets: tuple[ChoiceSet, ...]
    """Choice sets its blocks may use: the site's shared ones, then its own."""
    blocks: tuple[Block, ...]
    """The page's sections, in order."""
    tasks: tuple[str, ...] = ()
    """Ids of the exam blueprint's tasks the topic covers (content/exam.yaml), in the
    order written; () when it names none."""

    def block(self, block_id: str) -> Block:
        return next(b for b in self.blocks if b.id == block_id)


@frozen
class Card(_Model):
    """A one-page printable quick-reference card drawn from one topic."""

    topic: Topic
    """The topic whose blocks the card prints."""
    title: str
    """Card heading and PDF title."""
    subtitle: str
    """Line under the heading."""
    remember: ChoiceSet | None
    """A set whose values the card's header lists with their text, to remember; or None."""
    columns: tuple[tuple[Block, ...], ...]
    """Blocks per column, top to bottom (a block the card picks items of holds only those)."""
    declared_at: tuple[str, int, int]
    """Where the card is declared (path, line, column), for messages about its layout."""
    widths: tuple[float | None, ...] = ()
    """Each column's share of the columns' width as the author set it (0.4 for `width: 40%`),
    or None for a column whose width the layout chooses; () for all of them."""
    top: tuple[Block, ...] = ()
    """Blocks printed across all columns, under the header."""
    bottom: tuple[Block, ...] = ()
    """Blocks printed across all columns, under the columns."""
    notes: tuple[str, ...] = ()
    """Notes printed on the card only, at the foot of its last column."""

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Every block the card prints, in reading order."""
        return (*self.top, *(block for column in self.columns for block in column), *self.bottom)


@sealed
@frozen
class DeckSettings(_Model):
    """The Anki deck of the guide's flashcards (site.yaml's `deck:`)."""

    name: str
    """The deck's name in Anki, the parent of one subdeck per topic; its slug names the
    file."""
    id: str
    """Names the deck's notes for good (with topic, block and item): the `id:` written,
    else the slug of the name. Kept when the name changes, it keeps learners' history."""


@sealed
@frozen
class BookSettings(_Model):
    """The whole guide printed as one book (site.yaml's `book:`), on A4 and US Letter."""

    title: str
    """The book's title, on its cover and as its PDF title (default: the site's title)."""
    subtitle: str
    """A line under the title on the cover; "" when none."""


@frozen
class Site(_Model):
    """The whole validated guide."""

    title: str
    """Site name."""
    description: str
    """One-sentence description for the index and metadata."""
    author: str
    """Author, written into page and PDF metadata."""
    language: str
    """BCP 47 language tag of the content, e.g. "en"."""
    sets: tuple[ChoiceSet, ...]
    """Choice sets shared by every topic (content/sets.yaml)."""
    topics: tuple[Topic, ...]
    """Topics in reading order."""
    cards: tuple[Card, ...]
    """Printable cards."""
    deck: DeckSettings | None = None
    """The Anki deck to build, or None for a guide without one."""
    exam: Exam | None = None
    """The exam blueprint (content/exam.yaml): its domains, weights and tasks; None for a
    guide without one."""
    warnings: tuple[ContentError, ...] = ()
    """What is worth fixing but does not stop a build (a domain of the exam without
    practice questions), each located like an error; a build with --strict fails on them."""
    book: BookSettings | None = None
    """The guide as a printable book (output/guide-a4.pdf, guide-letter.pdf); None: not made."""


for _class in (Block, Topic, Card, Site):
    sealed(_class)


class _ModelUnpickler(pickle.Unpickler):
    """Reads back only the model's dataclasses and plain values (text, numbers, tuples...).

    Unpickling runs whatever callable a pickle names, so a cache entry someone else wrote
    could otherwise run code; with this, a pickle can name nothing but a model class, and
    making one of those runs no code of the pickle's choosing."""

    def find_class(self, module: str, name: str):
        found = _CLASSES.get((module, name))
        if found is not None:
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class of sitegen's model")


def topic_to_bytes(topic: Topic) -> bytes:
    """A topic model as bytes for the cache (see topic_from_bytes)."""
    return pickle.dumps(topic, protocol=5)


def topic_from_bytes(data: bytes) -> Topic | None:
    """The topic topic_to_bytes made, or None for bytes that are not one (damaged, or written
    by someone else): never code run."""
    from . import inline  # noqa: F401  registers Inline, which displayed texts are

    try:
        topic = _ModelUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 any malformed pickle is simply no entry
        return None
    return topic if isinstance(topic, Topic) else None
