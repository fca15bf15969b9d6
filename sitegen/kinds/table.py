"""The table kind: a table from data, with declared columns of text or of a choice set."""

from __future__ import annotations


from ..records import frozen
from ..fields import get
from ..load import Mapping, Node, Scalar
from ..model import Block, Choice, ChoiceSet, _Model, sealed
from ..shapes import FLAG, ID, Key, ListOf, MapOf, OneOf, Reference, Shape, Text
from .base import Kind, TopicScope

TEXT = "text"
"""The column type of free text (the default)."""


@sealed
@frozen
class Column(_Model):
    """One column of a table."""

    id: str
    """Identifier that each row uses as the key of its cell in this column."""
    heading: str
    """Column heading."""
    set: ChoiceSet | None
    """The set every cell names a value of, or None for a column of text."""


@sealed
@frozen
class Row(_Model):
    """One row of a table."""

    cells: tuple[str | Choice, ...]
    """One cell per column, in column order: text, or a value of the column's set."""


@sealed
@frozen
class RowGroup(_Model):
    """Rows of a table that belong together."""

    name: str
    """Group name, shown as a row heading across the table; "" for a table without groups."""
    rows: tuple[Row, ...]
    """Rows in order."""


@sealed
@frozen(kw_only=True)
class Table(Block):
    """A table of declared columns, in rows or in named groups of rows."""

    kind = "table"
    printable = True
    caption: str
    """Table caption."""
    columns: tuple[Column, ...]
    """Columns, in order."""
    row_header: int
    """Index of the column whose cell heads its row."""
    groups: tuple[RowGroup, ...]
    """Row groups; a table written with plain rows has one group without a name."""

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    def heads(self) -> tuple[str, ...]:
        """Each row's heading cell, in row order."""
        return tuple(row.cells[self.row_header] for row in self.rows)

    @property
    def choice_columns(self) -> tuple[tuple[int, Column], ...]:
        """(index, column) of every column typed by a choice set."""
        return tuple((i, column) for i, column in enumerate(self.columns) if column.set)

    def runs(self, column: int) -> tuple[tuple[Choice, tuple[tuple[int, str], ...]], ...]:
        """Consecutive rows with the same value in one set-typed column, with each row's
        index and heading: where the value changes, one run ends and the next begins."""
        found: list[tuple[Choice, list]] = []
        for index, (row, head) in enumerate(zip(self.rows, self.heads())):
            value = row.cells[column]
            if not found or found[-1][0] != value:
                found.append((value, []))
            found[-1][1].append((index, head))
        return tuple((value, tuple(rows)) for value, rows in found)

    @property
    def legend(self) -> tuple[ChoiceSet, ...]:
        """The sets the table's cells name values of, once each, in column order."""
        found: list[ChoiceSet] = []
        for _, column in self.choice_columns:
            if column.set not in found:
                found.append(column.set)
        return tuple(found)


def _column_type(node: Node | None, scope: TopicScope) -> ChoiceSet | None:
    """The set a column's `type` names; None for text (or a type already reported)."""
    if node is None or (isinstance(node, Scalar) and node.text == TEXT):
        return None
    # "text" is among the choices for its did-you-mean; a set with a mistake is silent.
    return scope.fields.reference(node, "column type", {**scope.sets, TEXT: None}, "choice set")


def _columns(block: Mapping, scope: TopicScope) -> list[tuple[Node, Column]]:
    f = scope.fields
    columns = []
    for node in f.sequence(get(block, "columns"), "columns"):
        if isinstance(node, Mapping) and "each" in node.entries:
            column = f.mapping(node, "column", EACH_COLUMN.required, EACH_COLUMN.optional)
            cell_set = _column_type(get(column, "type"), scope)
            each = scope.choice_set(get(column, "each"), "column 'each'")
            show_text = get(column, "show_text") is not None and f.flag(get(column, "show_text"),
                                                                         "show_text")
            for value in each.values if each else ():
                heading = value.full_label if show_text else value.label
                columns.append((get(column, "each"), Column(value.id, heading, cell_set)))
            continue
        column = f.mapping(node, "column", COLUMN.required, COLUMN.optional)
        cell_set = _column_type(get(column, "type"), scope)
        column_id = f.identifier(get(column, "id"), "column id")
        heading = f.inline(get(column, "heading"), "column heading")
        if column_id is not None:
            columns.append((get(column, "id"), Column(column_id, heading, cell_set)))
    f.unique([(node, column.id) for node, column in columns], "column id")
    return columns


def _row(node: Node, number: int, columns: list[Column], header: int | None,
         scope: TopicScope) -> Row:
    f = scope.fields
    row = f.mapping(node, f"row {number}", tuple(c.id for c in columns))
    head = get(row, columns[header].id) if header is not None else None
    name = f"'{head.text.strip()}'" if isinstance(head, Scalar) and head.text.strip() else str(number)
    cells = []
    for column in columns:
        cell = get(row, column.id)
        where = f"cell '{column.heading or column.id}' of row {name}"
        cells.append(scope.choice(cell, where, column.set) if column.set else f.inline(cell, where))
    return Row(tuple(cells))


def parse(block: Mapping, scope: TopicScope) -> dict:
    f = scope.fields
    declared = _columns(block, scope)
    columns = [column for _, column in declared]
    header = 0 if columns else None
    header_node = get(block, "row_header")
    if header_node is not None:
        header_id = f.identifier(header_node, "row_header")
        ids = [c.id for c in columns]
        if header_id is not None and header_id not in ids:
            f.reference(header_node, "row_header", {i: i for i in ids}, "column")
            header = None
        elif header_id is not None:
            header = ids.index(header_id)
    if header is not None and columns[header].set is not None:
        f.error(header_node or declared[header][0], f"row header column '{columns[header].id}' "
                f"is typed by the set '{columns[header].set.id}'", "the row header must be a text column")
    rows_node, groups_node = get(block, "rows"), get(block, "groups")
    if (rows_node is None) == (groups_node is None):
        f.error(block, "a table has either 'rows' or 'groups' of rows" + (
            ", not both" if rows_node is not None else ""),
            "write its rows under 'rows:', or named groups under 'groups:'")
    groups, number = [], 0

    def rows_of(node: Node | None, what: str) -> tuple[Row, ...]:
        nonlocal number
        rows = []
        for row_node in f.sequence(node, what):
            number += 1
            if columns:
                rows.append(_row(row_node, number, columns, header, scope))
        return tuple(rows)

    if rows_node is not None and groups_node is None:
        groups.append(RowGroup("", rows_of(rows_node, "rows")))
    elif groups_node is not None and rows_node is None:
        for node in f.sequence(groups_node, "row groups"):
            group = f.mapping(node, "row group", ROW_GROUP.required, ROW_GROUP.optional)
            groups.append(RowGroup(f.inline(get(group, "name"), "group name"),
                                   rows_of(get(group, "rows"), "rows")))
    return {"caption": f.inline(get(block, "caption"), "caption"), "columns": tuple(columns),
            "row_header": header or 0, "groups": tuple(groups)}


COLUMN_TYPE = Key("type", Reference("a choice set, or text"),
                  "text (the default), or the id of a choice set: every cell then names one "
                  "of its values, shown by its label, in its style, with a legend.")
COLUMN = Shape("column", (
    Key("id", ID, "How each row names its cell in this column.", required=True),
    Key("heading", Text(), "The column's heading.", required=True),
    COLUMN_TYPE,
), "A column of the table.")
EACH_COLUMN = Shape("column per value", (
    Key("each", Reference("a choice set"), "One column per value of this set, headed by "
        "the value's label, its id the column id.", required=True),
    COLUMN_TYPE,
    Key("show_text", FLAG, "Head each column by its value's label and text, e.g. "
        "\"IaaS (EC2)\"."),
), "One column for each value of a choice set.")
ROW = MapOf("column id", Text(), "row")
"""A row's keys are the table's column ids, so they are the content's, not the schema's."""
ROW_GROUP = Shape("row group", (
    Key("name", Text(), "The group's name, shown as a heading across the table.", required=True),
    Key("rows", ListOf(ROW), "The group's rows.", required=True),
), "Rows of the table that belong together, under a name.")

KIND = Kind("table", Table, parse, keys=(
    Key("caption", Text(), "What the table shows (its caption).", required=True),
    Key("columns", ListOf(OneOf((COLUMN, EACH_COLUMN))), "The columns, in order.",
        required=True),
    Key("row_header", Reference("a column"), "The text column whose cells head the rows "
        "(default: the first)."),
    Key("rows", ListOf(ROW), "The rows: each a mapping of column id to its cell (text, or "
        "a value id for a set-typed column). Write either rows or groups."),
    Key("groups", ListOf(ROW_GROUP), "Named groups of rows, instead of rows."),
), one_of=("rows", "groups"), summary="A table of declared columns (text, or values of a choice set), in rows or named groups of rows.",
    notes="Every row has exactly one cell per column, keyed by column id. A row header must "
          "be a text column. Printable; on a phone it scrolls sideways inside its own frame.",
    example="""\
- kind: table
  id: responsibility-matrix
  title: The Responsibility Matrix
  caption: Who is responsible for each security component, by service model
  columns:
    - {id: component, heading: Security Component}   # type: text (the default)
    - {id: note, heading: Note, type: text}
    - {id: owner, heading: Owner, type: owner}        # every cell names a value of set owner
    - {each: service_model, type: owner, show_text: true}
                                  # one column per value of service_model, cells of set owner,
                                  # headed by the value's label and text ("IaaS (EC2)")
  row_header: component    # optional: the column whose cells head the rows (default: first)
  groups:                  # or `rows:` with no groups
    - name: Platform and software
      rows:
        - {component: Operating System, note: Guest OS, owner: customer, iaas: customer, paas: aws, saas: aws}
        - {component: Database Engine, note: Engine patches, owner: aws, iaas: customer, paas: aws, saas: aws}
    - name: Infrastructure
      rows:
        - {component: Physical Security, note: Data centers, owner: aws, iaas: aws, paas: aws, saas: aws}
""")
