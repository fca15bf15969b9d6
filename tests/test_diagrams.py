"""Diagrams: generated from the model, escaped, deterministic, and complete when read as XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen import model as m
from sitegen.diagrams import inline_svg, render_diagrams, to_svg
from sitegen.kinds.diagram import Diagram, draw as boundary_dot
from sitegen.kinds.layers import Layer, Layers, PartGroup, draw as layers_dot
from sitegen.kinds.table import Column, Row, RowGroup, Table
from content_checks import svg_texts
from source_data import site_yaml

SVG = "{http://www.w3.org/2000/svg}"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "layered"
"""A guide of one topic shaped like the seed: layers, and a table typed by two sets."""
SLUGS = site_yaml()["topics"]


def _choice(value_id: str = "c", label: str = "C", text: str = "T") -> m.Choice:
    return m.Choice(value_id, label, text, "", "blue")


def _topic(*blocks, sets=()) -> m.Topic:
    return m.Topic("t", "T", "T", "", "S", (), tuple(sets), tuple(blocks))


def _topic_with_parts(parts: tuple[str, ...]) -> tuple[m.Topic, Layers]:
    value = m.Choice("p", "Party <i>", 'Tag "q"', "", "blue")
    block = Layers(id="l", title="T", caption="C", boundary="B\\N", layers=(
        Layer(value, "Resp {x}", parts, (PartGroup("G <b>bold</b>", parts),)),))
    return _topic(block), block


def _table_topic(heads: tuple[str, ...], column_heading: str = "<S> ({E})",
                 value: m.Choice | None = None) -> tuple[m.Topic, Diagram]:
    value = value or _choice()
    owners = m.ChoiceSet("owner", "Owner", (value,))
    table = Table(id="mx", title="M", caption="c", row_header=0,
                  columns=(Column("h", "h", None), Column("s", column_heading, owners)),
                  groups=(RowGroup("g", tuple(Row((head, value)) for head in heads)),))
    diagram = Diagram(id="d", title="D", source="mx", caption="c")
    return _topic(table, diagram, sets=(owners,)), diagram


HOSTILE = ('"quoted"', "{braces}", "back\\slash", "<b>not bold</b>", "\\N \\G \\l",
           '"]; evil [label="x', "a & b", "<<TABLE>>")


def test_dot_labels_are_shown_as_literal_text():
    topic, block = _topic_with_parts(HOSTILE)
    texts = svg_texts(to_svg(layers_dot(topic, block), "T"))
    for label in HOSTILE:
        assert texts.count(label) == 2  # once loose, once in the group
    assert "G <b>bold</b>" in texts and "RESP {X}" in texts and '“Tag "q"”' in texts


def test_hostile_labels_in_the_table_diagram_stay_text():
    topic, diagram = _table_topic(HOSTILE, value=_choice("c", 'C"ust'))
    texts = svg_texts(to_svg(boundary_dot(topic, diagram), "D"))
    assert [t for t in texts if t in HOSTILE] == list(HOSTILE)
    assert "<S> ({E})" in texts and 'C"ust' in texts


def test_diagrams_are_deterministic_and_named_by_content(layered_site):
    site = layered_site
    first, second = render_diagrams(site), render_diagrams(site)
    assert first == second
    for diagram in first.values():
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{12}\.svg", diagram.file_name)


def test_diagrams_are_the_same_however_many_jobs_draw_them(layered_site):
    site = layered_site
    assert render_diagrams(site, jobs=1) == render_diagrams(site, jobs=3)


def test_inline_svg_is_the_bare_svg_element(layered_site):
    site = layered_site
    for diagram in render_diagrams(site).values():
        markup = inline_svg(diagram.svg)
        assert markup.startswith("<svg") and markup.endswith("</svg>")
        assert "<?xml" not in markup and "<!DOCTYPE" not in markup
        ET.fromstring(markup)


def test_inline_diagrams_never_share_element_ids(built):
    for slug in SLUGS:
        page = (built / "topics" / f"{slug}.html").read_text(encoding="utf-8")
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids))


def test_diagrams_carry_their_title_and_no_internal_names(layered_site):
    site = layered_site
    for (slug, block_id), diagram in render_diagrams(site).items():
        root = ET.fromstring(diagram.svg)
        titles = [t.text for t in root.iter(f"{SVG}title")]
        topic = next(t for t in site.topics if t.slug == slug)
        assert titles == [topic.block(block_id).title]


def test_long_row_names_wrap_instead_of_widening_the_diagram():
    long_name = "Customer-managed encryption keys for data stored in every region"
    topic, diagram = _table_topic((long_name,), "S (E)")
    root = ET.fromstring(to_svg(boundary_dot(topic, diagram), "D"))
    lines = [t.text for t in root.iter(f"{SVG}text") if t.text not in ("S (E)", "C")]
    assert len(lines) > 1 and " ".join(lines) == long_name
    assert float(root.get("width").removesuffix("pt")) < 300


REFERENCES = ("&amp;", "&#xD800;", "&#x1;", "&#65535;", "&lt;b&gt;", "&#38;", "&nbsp;", "&bogus;")
"""Character references as an author may type them: content is plain text, so each is its
own characters wherever it is shown, as the HTML table shows it."""


@pytest.fixture(scope="module")
def references_build(tmp_path_factory) -> Path:
    """The shipped guide with character references in the labels of both diagrams: layer
    parts and groups (HTML-like labels), the boundary, row headings, column headings and
    values (plain labels). A fixture of the shipped topic's shape, kept under tests/."""
    import shutil

    from sitegen.pipeline import BuildConfig, build

    root = tmp_path_factory.mktemp("references")
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    path = content / "topics" / "layered" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    for old, new in [("- Customer Data\n", "- Data &amp; keys\n"),
                     ("- Compute\n", "- Compute &#xD800;\n"), ("- Storage\n", "- Storage &#x1;\n"),
                     ("- Database\n", "- DB &#65535;\n"), ("[Regions,", "['&lt;b&gt;',"),
                     ("name: Physical Security", "name: Physical &#38; wired"),
                     ("boundary: Responsibility Boundary", "boundary: Boundary &nbsp; line"),
                     ("component: Data Encryption", "component: Keys &#xD800;"),
                     ("component: Network Traffic", "component: Traffic &#x1;"),
                     ("component: Operating System", "component: OS &#65535;"),
                     ("component: Database Engine", "component: Engine &bogus;"),
                     ("component: Host Infrastructure", "component: Hosts &amp; racks"),
                     ("label: IaaS", "label: IaaS &amp; VMs"),
                     ("label: AWS\n", "label: AWS &lt;b&gt;\n")]:
        assert old in topic, old
        topic = topic.replace(old, new, 1)
    path.write_text(topic, encoding="utf-8")
    out = root / "output"
    build(BuildConfig(content, Path(__file__).resolve().parent.parent / "templates", out))
    return out


def test_every_diagram_is_well_formed_xml_showing_character_references_as_typed(
        references_build):
    texts = []
    for svg in sorted((references_build / "diagrams").glob("*.svg")):
        texts += svg_texts(svg.read_bytes())  # fails on text that is not well-formed XML
    for expected in ["Data &amp; keys", "Compute &#xD800;", "Storage &#x1;", "DB &#65535;",
                     "&lt;b&gt;", "Physical &#38; wired", "Keys &#xD800;", "Traffic &#x1;",
                     "OS &#65535;", "Engine &bogus;", "Hosts &amp; racks", "AWS &lt;b&gt;",
                     "IaaS &amp; VMs (EC2)"]:
        assert expected in texts, (expected, texts)
    assert any("BOUNDARY &NBSP; LINE" in text for text in texts)


def test_a_diagram_and_the_table_it_is_drawn_from_show_the_same_text(references_build):
    import lxml.html

    page = lxml.html.fromstring(
        (references_build / "topics" / "layered.html").read_bytes())
    cells = {" ".join(cell.text_content().split()) for cell in page.iter("th", "td")}
    drawn = {" ".join(text.text_content().split()) for text in page.iter("{*}text", "text")}
    for component in ("Keys &#xD800;", "Traffic &#x1;", "OS &#65535;", "Hosts &amp; racks"):
        assert component in cells and component in drawn, component


@pytest.mark.parametrize("character", ["\x01", "\x1f", "\ud800", "\ufffe", "\uffff"])
def test_a_character_xml_cannot_hold_still_gives_a_well_formed_drawing(character):
    """The loader refuses these in content; a model made any other way is drawn with
    U+FFFD in their place, never as SVG that no XML parser reads."""
    topic, block = _topic_with_parts((f"a{character}b",))  # HTML-like labels
    assert svg_texts(to_svg(layers_dot(topic, block), "T")).count("a\ufffdb") == 2
    topic, diagram = _table_topic((f"a{character}b",), f"S{character} (E)")  # plain labels
    texts = svg_texts(to_svg(boundary_dot(topic, diagram), "D"))
    assert "a\ufffdb" in texts and "S\ufffd (E)" in texts
