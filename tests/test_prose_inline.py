"""Inline Markdown in YAML text: rendered on the page and the card, plain wherever markup
cannot go (attributes, titles, drawings, the search index), and checked where it is written."""

from __future__ import annotations

import io
import pickle
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest
from markupsafe import escape

from sitegen import model
from sitegen.inline import Inline, plain_text
from content_checks import pdf_text, search_documents, svg_texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def words(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("text, html, plain", [
    ("plain & <text>", "plain &amp; &lt;text&gt;", "plain & <text>"),
    ("**bold** *em* `code` ~~gone~~", "<strong>bold</strong> <em>em</em> <code>code</code> <s>gone</s>",
     "bold em code gone"),
    ("[AWS](https://aws.amazon.com/) or [here](#top)",
     '<a href="https://aws.amazon.com/">AWS</a> or <a href="#top">here</a>', "AWS or here"),
    ("`<script>` and <b>x</b>", "<code>&lt;script&gt;</code> and &lt;b&gt;x&lt;/b&gt;", "<script> and <b>x</b>"),
    ("&amp; &#65; stay as typed", "&amp;amp; &amp;#65; stay as typed", "&amp; &#65; stay as typed"),
    (r"not \*emphasis\*", "not *emphasis*", "not *emphasis*"),
    ("snake_case_name", "snake_case_name", "snake_case_name"),
])
def test_inline_text_renders_its_markdown_and_has_a_plain_form(text, html, plain):
    assert str(escape(Inline(text))) == html
    assert Inline(text).plain == plain and plain_text(Inline(text)) == plain
    assert Inline(text) == text  # the model keeps the text as written
    assert plain_text(text) == text  # a plain str is plain text


def test_a_refused_link_or_an_image_never_renders_and_is_a_problem():
    assert str(escape(Inline("[x](javascript:alert(1))"))) == "<a>x</a>"
    assert str(escape(Inline("![alt](x.png)"))) == "alt"
    assert len(Inline("[x](javascript:alert(1)) <data:text/html,x>").problems()) == 2
    assert Inline("[ok](https://example.org/) [rel](page.html)").problems() == ()


def test_text_without_markdown_characters_does_not_load_markdown_it():
    """Shipped content is mostly such text: it must not pay for a Markdown parse."""
    from sitegen import prose

    prose.render_inline.cache_clear()
    for text in ("Plain words, numbers 1-2 & (brackets)", "≥ 3 AZs; 128 KB: 30 days."):
        assert escape(Inline(text)) == escape(text) and Inline(text).plain == text
    assert prose.render_inline.cache_info().misses == 0


def test_inline_text_is_read_back_from_the_cache_and_cannot_be_changed():
    data = pickle.dumps(Inline("**x**"), protocol=5)
    found = model._ModelUnpickler(io.BytesIO(data)).load()
    assert type(found) is Inline and found.plain == "x"
    with pytest.raises(AttributeError):
        Inline.plain = "changed"


def page(built: Path):
    return lxml.html.fromstring((built / "topics" / "layered.html").read_bytes())


def test_the_page_renders_inline_markdown_in_cells_tips_options_and_questions(layered_built):
    shown = page(layered_built)
    (table,) = shown.xpath("//section[@id='of-vs-in']//table")
    assert "Infrastructure" in [words(e) for e in table.xpath(".//td/strong")]
    assert "application" in [words(e) for e in table.xpath(".//td/code")]
    assert "some" in [words(e) for e in table.xpath(".//td/s")]
    assert table.xpath(".//td/a/@href") == ["https://aws.amazon.com/artifact/"]
    assert [words(e) for e in shown.xpath("//ol[@class='tips']//strong")] == ["YOUR"]
    assert [words(e) for e in shown.xpath("//ol[@class='tips']//code")] == ["IaaS", "PaaS", "SaaS"]
    options = shown.xpath("//li[@class='option']/label")
    assert [words(e) for e in shown.xpath("//li[@class='option']/label/strong")] == ["always"]
    assert shown.xpath("//li[@class='option']/label/a/@href") == ["https://aws.amazon.com/iam/"]
    assert "D. IAM policies" in [words(label) for label in options]
    assert [words(e) for e in shown.xpath("//li[contains(@class, 'scenario ')]//p[@class='question']/strong")] == ["unencrypted"]
    # A value's text is Markdown too, in a column heading made of the label and the text.
    assert "EC2" in [words(e) for e in shown.xpath("//section[@id='responsibility-matrix']//thead//th/code")]
    assert not re.search(r"\*\*|~~|`|\]\(", words(shown.xpath("//main")[0]))


def test_attributes_titles_and_contents_get_the_plain_text(layered_built):
    shown = page(layered_built)
    assert "Why This Model Matters" in shown.xpath("//nav[@class='toc toc-sidebar']//a/text()")
    assert shown.xpath("//nav[@class='toc toc-sidebar']//a/*") == []  # no markup in a link
    assert [words(e) for e in shown.xpath("//h2/em")] == ["Matters"]
    attributes = [value for element in shown.iter() for value in element.attrib.values()]
    assert "Link to “Why This Model Matters”" in attributes
    assert "Myth or reality: AWS handles all security" in attributes
    assert "exam-scenarios--A data breach occurs due to unencrypted S3 bucket. Who is responsible?" in attributes
    assert not [value for value in attributes if "*" in value or "`" in value]


def test_the_card_prints_the_text_without_markdown(layered_built):
    printed = pdf_text(layered_built / "cards" / "layered-a4.pdf")
    for expected in ("Infrastructure protection", "Data and application protection",
                     "Limited to compliance reports", "it's likely YOUR responsibility",
                     "The service type (IaaS/PaaS/SaaS) determines",
                     "A data breach occurs due to unencrypted S3 bucket"):
        assert expected in printed, expected
    assert not re.search(r"\*|`|~~|\]\(", printed)


def test_the_search_index_holds_the_plain_text(layered_built):
    text = " ".join(d["title"] + " " + d["text"] for d in search_documents(layered_built))
    for expected in ("Infrastructure protection", "Limited to compliance reports",
                     "likely YOUR responsibility", "Why This Model Matters", "AWS, always"):
        assert expected in text, expected
    assert not re.search(r"\*|`|~~|\]\(", text)


def test_drawings_label_the_plain_text(layered_built):
    texts = []
    for svg in (layered_built / "diagrams").glob("*.svg"):
        texts += svg_texts(svg.read_bytes())
        assert not re.search(rb"\*\*|`", svg.read_bytes())
    assert "Data Classification" in texts  # a row of the drawn table
    assert "Client Encrypt" in texts  # a part of a layer
    assert "IaaS (EC2)" in texts  # a column headed by a value's label and text


def test_the_plain_filter_and_markdown_in_templates(tmp_path):
    from sitegen.templating import make_environment

    (tmp_path / "t.html").write_text('<p title="{{ x | plain }}">{{ x }}</p>{{ y | plain }}')
    env = make_environment(tmp_path)
    assert env.get_template("t.html").render(x=Inline("**a** <b>"), y="<i>") == \
        '<p title="a &lt;b&gt;"><strong>a</strong> &lt;b&gt;</p>&lt;i&gt;'


def test_a_refused_link_in_a_cell_is_reported_at_the_cell(content_copy):
    from sitegen.errors import BuildFailed
    from sitegen.pipeline import BuildConfig, check

    path = content_copy / "topics" / "layered" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    old = "{aspect: Scope, aws: Physical and foundational,"
    path.write_text(topic.replace(old, "{aspect: Scope, aws: \"[x](javascript:alert(1))\","),
                    encoding="utf-8")
    line = topic[:topic.index(old)].count("\n") + 1
    with pytest.raises(BuildFailed) as failure:
        check(BuildConfig(content_dir=content_copy))
    (error,) = [str(e) for e in failure.value.errors]
    col = path.read_text(encoding="utf-8").splitlines()[line - 1].index('"[x]') + 1
    assert error.startswith(f"{path}:{line}:{col}: error: cell 'Security OF the Cloud (AWS)' "
                            "of row 'Scope': link to 'javascript:alert(1)'")
