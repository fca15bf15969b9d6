"""Diagrams: generated from the model, escaped, deterministic, and complete when read as XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen import model as m
from sitegen.diagrams import boundary_dot, inline_svg, layers_dot, render_diagrams, to_svg
from source_data import blocks_of_kind, party_numbers, site_yaml, topic_yaml

SVG = "{http://www.w3.org/2000/svg}"
SLUGS = site_yaml()["topics"]


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


def diagram_file(built: Path, slug: str, block_id: str) -> Path:
    (path,) = (built / "diagrams").glob(f"{slug}-{block_id}-*.svg")
    return path


@pytest.mark.parametrize("slug", SLUGS)
def test_layer_diagrams_show_every_part_of_the_model(built, slug):
    topic = topic_yaml(slug)
    parties = {p["id"]: p for p in topic["parties"]}
    for block in blocks_of_kind(topic, "layers"):
        texts = svg_texts(diagram_file(built, slug, block["id"]).read_bytes())
        expected = []
        for layer in block["layers"]:
            party = parties[layer["party"]]
            expected += [party["responsibility"].upper(), f'“{party["tagline"]}”', *layer["parts"]]
            for group in layer.get("groups", []):
                expected += [group["name"], *group["parts"]]
        assert sorted(t for t in texts if "═" not in t) == sorted(expected)
        assert any(block["boundary"].upper() in t for t in texts)


@pytest.mark.parametrize("slug", SLUGS)
def test_boundary_diagrams_place_each_component_with_its_owner(built, slug):
    topic = topic_yaml(slug)
    numbers = party_numbers(topic)
    models = topic["service_models"]
    for block in blocks_of_kind(topic, "diagram"):
        matrix = next(b for b in topic["blocks"] if b["id"] == block["source"])
        rows = [row for group in matrix["groups"] for row in group["rows"]]
        root = ET.fromstring(diagram_file(built, slug, block["id"]).read_bytes())
        nodes = {}
        for g in root.iter(f"{SVG}g"):
            if "part" in (g.get("class") or "").split():
                name = g.get("id").rsplit("-", 1)[1]
                lines = [t.text for t in g.iter(f"{SVG}text")]  # long names wrap onto lines
                nodes[name] = (g.get("class"), " ".join(" ".join(lines).split()))
        expected = {}
        for c, sm in enumerate(models):
            for r, row in enumerate(rows):
                owner = row["owners"][sm["id"]]
                expected[f"sm{c}row{r}"] = (f"node part party-{numbers[owner]}", row["component"])
        assert nodes == expected
        texts = svg_texts(ET.tostring(root))
        for sm in models:
            assert f'{sm["name"]} ({sm["example"]})' in texts


def _topic_with_parts(parts: tuple[str, ...]) -> tuple[m.Topic, m.Layers]:
    party = m.Party("p", "Party <i>", "Resp {x}", 'Tag "q"', "K", 1)
    block = m.Layers(id="l", title="T", caption="C", boundary="B\\N", layers=(
        m.Layer(party, parts, (m.PartGroup("G <b>bold</b>", parts),)),))
    topic = m.Topic("t", "T", "T", "", "S", (party,), (), (block,))
    return topic, block


HOSTILE = ('"quoted"', "{braces}", "back\\slash", "<b>not bold</b>", "\\N \\G \\l",
           '"]; evil [label="x', "a & b", "<<TABLE>>")


def test_dot_labels_are_shown_as_literal_text():
    topic, block = _topic_with_parts(HOSTILE)
    texts = svg_texts(to_svg(layers_dot(topic, block), "T"))
    for label in HOSTILE:
        assert texts.count(label) == 2  # once loose, once in the group
    assert "G <b>bold</b>" in texts and "RESP {X}" in texts and '“Tag "q"”' in texts


def test_hostile_labels_in_the_boundary_diagram_stay_text():
    customer = m.Party("c", 'C"ust', "R", "T", "K", 1)
    sm = m.ServiceModel("s", "<S>", "{E}")
    rows = tuple(m.MatrixRow(label, (customer,)) for label in HOSTILE)
    matrix = m.Matrix(id="mx", title="M", caption="c", heading="h", service_models=(sm,),
                      groups=(m.MatrixGroup("g", rows),))
    diagram = m.Diagram(id="d", title="D", source="mx", caption="c")
    topic = m.Topic("t", "T", "T", "", "S", (customer,), (sm,), (matrix, diagram))
    texts = svg_texts(to_svg(boundary_dot(topic, diagram), "D"))
    assert [t for t in texts if t in HOSTILE] == list(HOSTILE)
    assert "<S> ({E})" in texts and 'C"ust manages' in texts


def test_diagrams_are_deterministic_and_named_by_content(site):
    first, second = render_diagrams(site), render_diagrams(site)
    assert first == second
    for diagram in first.values():
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{12}\.svg", diagram.file_name)


def test_diagrams_are_the_same_however_many_jobs_draw_them(site):
    assert render_diagrams(site, jobs=1) == render_diagrams(site, jobs=3)


def test_inline_svg_is_the_bare_svg_element(site):
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


def test_diagrams_carry_their_title_and_no_internal_names(site):
    for (slug, block_id), diagram in render_diagrams(site).items():
        root = ET.fromstring(diagram.svg)
        titles = [t.text for t in root.iter(f"{SVG}title")]
        assert titles == [site.topics[0].block(block_id).title]


def test_long_component_names_wrap_instead_of_widening_the_diagram():
    customer = m.Party("c", "C", "R", "T", "K", 1)
    sm = m.ServiceModel("s", "S", "E")
    long_name = "Customer-managed encryption keys for data stored in every region"
    matrix = m.Matrix(id="mx", title="M", caption="c", heading="h", service_models=(sm,),
                      groups=(m.MatrixGroup("g", (m.MatrixRow(long_name, (customer,)),)),))
    diagram = m.Diagram(id="d", title="D", source="mx", caption="c")
    topic = m.Topic("t", "T", "T", "", "S", (customer,), (sm,), (matrix, diagram))
    root = ET.fromstring(to_svg(boundary_dot(topic, diagram), "D"))
    lines = [t.text for t in root.iter(f"{SVG}text") if t.text not in ("S (E)", "C manages")]
    assert len(lines) > 1 and " ".join(lines) == long_name
    assert float(root.get("width").removesuffix("pt")) < 300


REFERENCES = ("&amp;", "&#xD800;", "&#x1;", "&#65535;", "&lt;b&gt;", "&#38;", "&nbsp;", "&bogus;")
"""Character references as an author may type them: content is plain text, so each is its
own characters wherever it is shown, as the HTML table shows it."""


@pytest.fixture(scope="module")
def references_build(tmp_path_factory) -> Path:
    """The shipped guide with character references in the labels of both diagrams: layer
    parts and groups (HTML-like labels), the boundary, components, parties and service
    models (plain labels)."""
    import shutil

    from sitegen.pipeline import BuildConfig, build

    root = tmp_path_factory.mktemp("references")
    content = root / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    path = content / "topics" / "shared-responsibility" / "topic.yaml"
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
                     ("name: IaaS", "name: IaaS &amp; VMs"), ("name: AWS\n", "name: AWS &lt;b&gt;\n")]:
        assert old in topic, old
        topic = topic.replace(old, new, 1)
    path.write_text(topic, encoding="utf-8")
    out = root / "output"
    build(BuildConfig(content, Path(__file__).resolve().parent.parent / "templates", out))
    return out


def test_every_diagram_is_well_formed_xml_showing_character_references_as_typed(
        references_build):
    topic = topic_yaml("shared-responsibility")  # the shipped text, for what was not replaced
    texts = []
    for svg in sorted((references_build / "diagrams").glob("*.svg")):
        texts += svg_texts(svg.read_bytes())  # fails on text that is not well-formed XML
    for expected in ["Data &amp; keys", "Compute &#xD800;", "Storage &#x1;", "DB &#65535;",
                     "&lt;b&gt;", "Physical &#38; wired", "Keys &#xD800;", "Traffic &#x1;",
                     "OS &#65535;", "Engine &bogus;", "Hosts &amp; racks", "AWS &lt;b&gt; manages",
                     f'IaaS &amp; VMs ({topic["service_models"][0]["example"]})']:
        assert expected in texts, (expected, texts)
    assert any("BOUNDARY &NBSP; LINE" in text for text in texts)


def test_a_diagram_and_the_table_it_is_drawn_from_show_the_same_text(references_build):
    import lxml.html

    page = lxml.html.fromstring(
        (references_build / "topics" / "shared-responsibility.html").read_bytes())
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
    customer = m.Party("c", "C", "R", "T", "K", 1)  # plain labels
    sm = m.ServiceModel("s", f"S{character}", "E")
    matrix = m.Matrix(id="mx", title="M", caption="c", heading="h", service_models=(sm,),
                      groups=(m.MatrixGroup("g", (m.MatrixRow(f"a{character}b", (customer,)),)),))
    diagram = m.Diagram(id="d", title="D", source="mx", caption="c")
    topic = m.Topic("t", "T", "T", "", "S", (customer,), (sm,), (matrix, diagram))
    texts = svg_texts(to_svg(boundary_dot(topic, diagram), "D"))
    assert "a\ufffdb" in texts and "S\ufffd (E)" in texts
