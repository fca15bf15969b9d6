"""Content is untrusted text: markup, script and DOT syntax in it come out as inert text."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import lxml.html
import pytest

from sitegen.pipeline import BuildConfig, build

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SCRIPT = "<script>alert('tip')</script>"
DOT = '"]; x [label="pwned"]; subgraph { \\N'
# Short words: a table cell must still fit its card column (a long word fails the build).
IMG = "<img src=x onerror=f()>"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    import shutil
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "layered", content)
    topic_dir = content / "topics" / "layered"
    topic = (topic_dir / "topic.yaml").read_text(encoding="utf-8")
    topic = topic.replace("- Physical security is ALWAYS AWS responsibility",
                          f"- \"{SCRIPT}\"")
    topic = topic.replace("- Customer Data\n", f"- '{DOT}'\n")
    topic = topic.replace("component: Database Engine", f"component: '{IMG}'")
    topic = topic.replace("          - The customer\n", f"          - \"{SCRIPT} {IMG}\"\n")
    # Markdown inside a text: markup in code and in a link's text, quotes in its address.
    topic = topic.replace("          - AWS, **always**\n",
                          f'          - "`{SCRIPT}` [{IMG}](https://example.org/\\"onclick=\\"f())"\n')
    (topic_dir / "topic.yaml").write_text(topic, encoding="utf-8")
    # Links to javascript: and data: are refused with an error (tests/invalid/prose-link-...).
    (topic_dir / "overview.md").write_text(
        f"{SCRIPT}\n\n{IMG}\n\n`{SCRIPT}` and [fine](https://example.org/)\n", encoding="utf-8")
    out = root / "output"
    build(BuildConfig(content, TEMPLATES, out))
    return out


def test_no_script_and_no_event_handlers_reach_the_page(hostile_build):
    page = lxml.html.fromstring((hostile_build / "topics" / "layered.html").read_bytes())
    # The only scripts are the site's own files and the theme line in <head>; no content.
    assert set(page.xpath("//script/@src")) == {
        "../assets/strings.js", "../assets/theme.js", "../assets/search.js", "../assets/quiz.js"}
    (inline,) = [s.text for s in page.xpath("//script[not(@src) and not(@type)]")]
    assert inline.startswith('document.documentElement.classList.add("js");try{var t=')
    assert "alert" not in inline
    # The interface strings the scripts show: data, not code, and none of the content's.
    (strings,) = page.xpath("//script[not(@src) and @type='application/json']")
    assert json.loads(strings.text)
    assert "alert" not in strings.text
    # The structured data for search engines is data too: the content's markup is in its
    # texts, escaped so that it cannot end the script (tested below).
    assert {s.get("type") for s in page.xpath("//script[not(@src)]")} == {
        None, "application/json", "application/ld+json"}
    assert page.xpath("//img") == []
    assert [e for e in page.iter() if any(a.startswith("on") for a in e.attrib)] == []
    hrefs = page.xpath("//a/@href")
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
    assert "https://example.org/" in hrefs
    text = page.text_content()
    assert SCRIPT in text and IMG in text
    options = [" ".join(label.text_content().split()) for label in page.xpath("//li[@class='option']/label")]
    assert f"B. {SCRIPT} {IMG}" in options  # an option of a question is text too
    assert f"A. {SCRIPT} {IMG}" in options  # as code and as a link's text
    assert page.xpath("//li[@class='option']/label/code/text()") == [SCRIPT]
    assert "https://example.org/%22onclick=%22f()" in hrefs


def test_structured_data_carries_markup_as_escaped_text(hostile_build):
    page = lxml.html.fromstring((hostile_build / "topics" / "layered.html").read_bytes())
    (script,) = page.xpath("//script[@type='application/ld+json']")
    raw = (hostile_build / "topics" / "layered.html").read_text(encoding="utf-8")
    body = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\\u003cscript\\u003e" in body
    (quiz,) = [entry for entry in json.loads(script.text) if entry["@type"] == "Quiz"]
    options = [answer["text"] for question in quiz["hasPart"]
               for answer in question["suggestedAnswer"] + [question["acceptedAnswer"]]
               if isinstance(answer, dict)]
    assert f"{SCRIPT} {IMG}" in options  # the option's text as a reader sees it


def test_dot_syntax_in_content_is_a_label_not_graph_structure(hostile_build):
    import xml.etree.ElementTree as ET

    (svg,) = (hostile_build / "diagrams").glob("*core-concept*.svg")
    root = ET.fromstring(svg.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    texts = [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{ns}text")]
    assert DOT in texts
    assert not any(t == "pwned" for t in texts)
    (matrix_svg,) = (hostile_build / "diagrams").glob("*boundary-shift*.svg")
    assert ET.fromstring(matrix_svg.read_bytes()).iter(f"{ns}text")
    assert IMG in [" ".join("".join(t.itertext()).split())
                   for t in ET.fromstring(matrix_svg.read_bytes()).iter(f"{ns}text")]


def test_the_card_prints_markup_as_text(hostile_build):
    pdf = hostile_build / "cards" / "layered-a4.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert SCRIPT in " ".join(text.split())


def test_search_index_carries_content_as_data_only(hostile_build):
    from test_search_index import documents

    assert any(SCRIPT in document["text"] for document in documents(hostile_build))
    for script in (hostile_build / "assets").rglob("search-index*.js"):
        assert "</script" not in script.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("escape, code", [("\\0", "0000"), ("\\e", "001B"), ("\\x01", "0001"),
                                          ("\\x7f", "007F"), ("\\N", "0085"), ("\\ud800", "D800")])
def test_control_characters_written_as_escapes_are_refused(tmp_path, escape, code):
    """A NUL would end Graphviz's reading of a label, so the text after it became DOT (a
    javascript: link in the drawing); other controls make a drawing invalid XML."""
    from sitegen.errors import BuildFailed
    from sitegen.pipeline import check

    content = tmp_path / "content"
    import shutil
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "layered", content)
    path = content / "topics" / "layered" / "topic.yaml"
    topic = path.read_text(encoding="utf-8")
    attack = f'"] x [URL=<javascript:alert(1)>] y [label=ok]{escape}"'
    assert "- {component: Data Encryption," in topic
    path.write_text(topic.replace("- {component: Data Encryption,",
                                  f"- {{component: {attack},"), encoding="utf-8")
    line = topic[:topic.index("- {component: Data Encryption")].count("\n") + 1
    with pytest.raises(BuildFailed) as failure:
        check(BuildConfig(content_dir=content))
    where = f"{path}:{line}:{topic.splitlines()[line - 1].index('- {component') + 15}: error: "
    # The text is inline Markdown, so its <javascript:...> is also a refused link.
    links = [str(e) for e in failure.value.errors if "link to 'javascript:alert(1)'" in str(e)]
    assert len(links) == 1 and links[0].startswith(where)
    assert [str(e) for e in failure.value.errors if str(e) not in links] == [
        f"{where}character U+{code} is not allowed in text (hint: remove the escape that writes "
        f"it, such as \\0, \\e or \\x01, from this quoted text)"]
