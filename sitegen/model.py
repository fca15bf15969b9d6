"""The validated, immutable content model: what every renderer reads."""

from __future__ import annotations

import dataclasses
import io
import pickle
from dataclasses import dataclass
from typing import ClassVar


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


@dataclass(frozen=True)
class Party(_Model):
    """Someone who can own a responsibility (e.g. AWS, Customer); declared once per topic."""

    id: str
    """Identifier that matrix cells, layers and scenario answers use to name this party."""
    name: str
    """Display name, e.g. "AWS"."""
    responsibility: str
    """Heading for what this party owns, e.g. "AWS Responsibility"."""
    tagline: str
    """The phrase to remember, e.g. "Security OF the Cloud"."""
    keyword: str
    """The one word of the tagline that carries the mnemonic, e.g. "OF"."""
    index: int
    """1-based position in the topic's declaration; picks the party's colour and pattern."""


@dataclass(frozen=True)
class ServiceModel(_Model):
    """A way of consuming the cloud (IaaS, PaaS, SaaS) with an example service."""

    id: str
    """Identifier that matrix rows use as a column key."""
    name: str
    """Display name, e.g. "IaaS"."""
    example: str
    """A representative service, e.g. "EC2"."""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.example})"


@dataclass(frozen=True, kw_only=True)
class Block(_Model):
    """One section of a topic page; subclasses are the block kinds."""

    kind: ClassVar[str]
    printable: ClassVar[bool] = False
    """Whether the block has a compact form for the printed card."""
    id: str
    """Unique within the topic; the page anchor and the name cards use to pick blocks."""
    title: str
    """Section heading."""
    icon: str = ""
    """Optional emoji shown before the heading (decorative; hidden from screen readers)."""

    @property
    def card_heading(self) -> str:
        """Heading of the block on the printed card."""
        return self.title


@dataclass(frozen=True, kw_only=True)
class Prose(Block):
    """Free Markdown text kept in a .md file beside topic.yaml."""

    kind = "prose"
    markdown: str
    """The Markdown source (raw HTML in it is shown as text, never interpreted)."""


@dataclass(frozen=True)
class PartGroup(_Model):
    """A named group of parts inside a layer, e.g. Physical Security."""

    name: str
    """Group name."""
    parts: tuple[str, ...]
    """What the group is made of, e.g. Hardware, Facilities."""


@dataclass(frozen=True)
class Layer(_Model):
    """One party's side of the responsibility boundary."""

    party: Party
    """Who owns this layer."""
    parts: tuple[str, ...]
    """Loose parts of the layer."""
    groups: tuple[PartGroup, ...]
    """Grouped parts of the layer."""


@dataclass(frozen=True, kw_only=True)
class Layers(Block):
    """The layered model drawn as a diagram: parties stacked, separated by a boundary."""

    kind = "layers"
    caption: str
    """Diagram caption."""
    boundary: str
    """Label of the line between the layers."""
    layers: tuple[Layer, ...]
    """Layers from top to bottom."""


@dataclass(frozen=True)
class ComparisonRow(_Model):
    """One aspect compared across parties."""

    aspect: str
    """The aspect, e.g. "Scope"."""
    values: tuple[str, ...]
    """One value per compared party, in the block's party order."""


@dataclass(frozen=True, kw_only=True)
class Comparison(Block):
    """A table comparing parties aspect by aspect."""

    kind = "comparison"
    printable = True
    caption: str
    """Table caption."""
    heading: str
    """Header of the aspect column."""
    parties: tuple[Party, ...]
    """Compared parties, in column order."""
    rows: tuple[ComparisonRow, ...]
    """Compared aspects, in order."""


@dataclass(frozen=True)
class Area(_Model):
    """One area of responsibility with its key points."""

    name: str
    """Area name, e.g. "Hardware"."""
    points: tuple[str, ...]
    """What the area covers."""


@dataclass(frozen=True)
class BreakdownSection(_Model):
    """Everything one party is responsible for, area by area."""

    party: Party
    """Whose responsibilities these are."""
    intro: str
    """Sentence introducing the areas."""
    areas: tuple[Area, ...]
    """The areas, in order."""


@dataclass(frozen=True, kw_only=True)
class Breakdown(Block):
    """Detailed per-party breakdown of responsibilities."""

    kind = "breakdown"
    sections: tuple[BreakdownSection, ...]
    """One section per party."""


@dataclass(frozen=True)
class MatrixRow(_Model):
    """Who owns one component under each service model."""

    component: str
    """The security component, e.g. "Operating System"."""
    owners: tuple[Party, ...]
    """Owner under each service model, in the topic's service-model order."""


@dataclass(frozen=True)
class MatrixGroup(_Model):
    """Rows of the matrix that belong together."""

    name: str
    """Group name, shown as a row header spanning the table."""
    rows: tuple[MatrixRow, ...]
    """Rows in order."""


@dataclass(frozen=True, kw_only=True)
class Matrix(Block):
    """Responsibility matrix: components by service model, each cell a party."""

    kind = "matrix"
    printable = True
    caption: str
    """Table caption."""
    heading: str
    """Header of the component column."""
    service_models: tuple[ServiceModel, ...]
    """Columns, in order (the topic's declared service models)."""
    groups: tuple[MatrixGroup, ...]
    """Row groups, in order."""

    @property
    def rows(self) -> tuple[MatrixRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    def components_owned(self, service_model: ServiceModel, party: Party) -> tuple[str, ...]:
        """Components that party owns under that service model, in row order."""
        column = self.service_models.index(service_model)
        return tuple(row.component for row in self.rows if row.owners[column] == party)


@dataclass(frozen=True, kw_only=True)
class Diagram(Block):
    """A diagram drawn from another block's data (how the boundary moves, from a matrix)."""

    kind = "diagram"
    source: str
    """Id of the matrix block the diagram is drawn from."""
    caption: str
    """What the diagram shows."""


@dataclass(frozen=True)
class Definition(_Model):
    """A term and what it means."""

    term: str
    """The term."""
    definition: str
    """Its meaning."""


@dataclass(frozen=True)
class DefinitionGroup(_Model):
    """A titled list of terms."""

    title: str
    """Group title."""
    items: tuple[Definition, ...]
    """Terms, in order."""


@dataclass(frozen=True, kw_only=True)
class Definitions(Block):
    """Groups of term/definition pairs."""

    kind = "definitions"
    printable = True
    groups: tuple[DefinitionGroup, ...]
    """The groups, in order."""


@dataclass(frozen=True)
class Myth(_Model):
    """A misconception and the reality."""

    myth: str
    """What people wrongly believe."""
    reality: str
    """What is actually true."""


@dataclass(frozen=True, kw_only=True)
class Myths(Block):
    """Misconceptions set against the reality."""

    kind = "myths"
    printable = True
    caption: str
    """Table caption."""
    items: tuple[Myth, ...]
    """The misconceptions, in order."""


@dataclass(frozen=True)
class Scenario(_Model):
    """An exam-style question whose answer is one party."""

    title: str
    """Short name of the scenario."""
    question: str
    """The question as the exam would ask it."""
    answer: Party
    """The responsible party."""
    explanation: str
    """Why that party is responsible."""


@dataclass(frozen=True, kw_only=True)
class Scenarios(Block):
    """Exam scenarios: a self-test with hidden answers."""

    kind = "scenarios"
    printable = True
    items: tuple[Scenario, ...]
    """The scenarios, in order."""


@dataclass(frozen=True, kw_only=True)
class Tips(Block):
    """Numbered exam tips."""

    kind = "tips"
    printable = True
    items: tuple[str, ...]
    """The tips, in order."""


@dataclass(frozen=True, kw_only=True)
class ItemList(Block):
    """A plain list of statements."""

    kind = "list"
    printable = True
    ordered: bool
    """Whether the items are numbered."""
    items: tuple[str, ...]
    """The statements, in order."""


@dataclass(frozen=True)
class QuickGroup(_Model):
    """One column of the quick reference."""

    title: str
    """Group title, e.g. "Always AWS"."""
    party: Party | None
    """The party that always owns these items, or None when ownership varies."""
    items: tuple[str, ...]
    """The items, in order."""


@dataclass(frozen=True, kw_only=True)
class QuickReference(Block):
    """What is always one party's, and what varies."""

    kind = "quick_reference"
    printable = True
    groups: tuple[QuickGroup, ...]
    """The groups, in order."""
    caption: str = ""
    """Optional name of the reference, e.g. "Shared Responsibility Quick Guide"; the card's
    heading for this block when given."""

    @property
    def card_heading(self) -> str:
        return self.caption or self.title


@dataclass(frozen=True)
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
    parties: tuple[Party, ...]
    """Declared parties, in display order."""
    service_models: tuple[ServiceModel, ...]
    """Declared service models, in column order."""
    blocks: tuple[Block, ...]
    """The page's sections, in order."""

    def block(self, block_id: str) -> Block:
        return next(b for b in self.blocks if b.id == block_id)


@dataclass(frozen=True)
class Card(_Model):
    """A one-page printable quick-reference card drawn from one topic."""

    topic: Topic
    """The topic whose blocks the card prints."""
    title: str
    """Card heading and PDF title."""
    subtitle: str
    """Line under the heading."""
    columns: tuple[tuple[Block, ...], ...]
    """Blocks per column, top to bottom."""
    declared_at: tuple[str, int, int]
    """Where the card is declared (path, line, column), for messages about its layout."""


@dataclass(frozen=True)
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
    topics: tuple[Topic, ...]
    """Topics in reading order."""
    cards: tuple[Card, ...]
    """Printable cards."""


for _class in [value for value in list(globals().values())
               if isinstance(value, _Sealed) and value is not _Model]:
    type.__setattr__(_class, "_sealed", True)


class _ModelUnpickler(pickle.Unpickler):
    """Reads back only this module's dataclasses and plain values (text, numbers, tuples...).

    Unpickling runs whatever callable a pickle names, so a cache entry someone else wrote
    could otherwise run code; with this, a pickle can name nothing but a model class, and
    making one of those runs no code of the pickle's choosing."""

    def find_class(self, module: str, name: str):
        found = globals().get(name) if module == __name__ else None
        if isinstance(found, type) and dataclasses.is_dataclass(found):
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class of sitegen's model")


def topic_to_bytes(topic: Topic) -> bytes:
    """A topic model as bytes for the cache (see topic_from_bytes)."""
    return pickle.dumps(topic, protocol=5)


def topic_from_bytes(data: bytes) -> Topic | None:
    """The topic topic_to_bytes made, or None for bytes that are not one (damaged, or written
    by someone else): never code run."""
    try:
        topic = _ModelUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 any malformed pickle is simply no entry
        return None
    return topic if isinstance(topic, Topic) else None
