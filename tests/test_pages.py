"""The built HTML site, parsed with a real HTML parser and checked against the source YAML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from source_data import (CONTENT, blocks_of_kind, displayed_texts, party_names, site_yaml,
                         topic_yaml)

SLUGS = site_yaml()["topics"]


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


def topic_page(built: Path, slug: str):
    return parse(built / "topics" / f"{slug}.html")


def table_rows(table) -> list[list[str]]:
    return [[text(cell) for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]


def section(page, block_id: str):
    (found,) = page.xpath(f'//section[@id="{block_id}"]')
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_every_text_of_the_topic_reaches_its_page(built, slug):
    page_text = text(topic_page(built, slug))
    missing = [t for t in displayed_texts(topic_yaml(slug)) if t not in page_text]
    assert missing == []


@pytest.mark.parametrize("slug", SLUGS)
def test_prose_files_are_rendered(built, slug):
    page = topic_page(built, slug)
    for block in blocks_of_kind(topic_yaml(slug), "prose"):
        markdown = (CONTENT / "topics" / slug / block["file"]).read_text(encoding="utf-8")
        plain = " ".join(markdown.replace("**", "").split())
        assert text(section(page, block["id"]).xpath('.//div[@class="prose"]')[0]) == plain


@pytest.mark.parametrize("slug", SLUGS)
def test_comparison_tables_equal_the_source(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    for block in blocks_of_kind(topic, "comparison"):
        parties = {p["id"]: p for p in topic["parties"]}
        (table,) = section(page, block["id"]).xpath(".//table")
        expected = [[block["heading"]] + [f'{parties[p]["tagline"]} ({parties[p]["name"]})'
                                          for p in block["parties"]]]
        expected += [[row["aspect"]] + [row["values"][p] for p in block["parties"]]
                     for row in block["rows"]]
        assert table_rows(table) == expected
        assert text(table.xpath("./caption")[0]) == block["caption"]
        assert all(th.get("scope") == "col" for th in table.xpath("./thead//th"))
        assert all(th.get("scope") == "row" for th in table.xpath("./tbody//th"))


@pytest.mark.parametrize("slug", SLUGS)
def test_matrix_tables_equal_the_source(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    names = party_names(topic)
    models = topic["service_models"]
    for block in blocks_of_kind(topic, "matrix"):
        (table,) = section(page, block["id"]).xpath(".//table")
        expected = [[block["heading"]] + [f'{sm["name"]} ({sm["example"]})' for sm in models]]
        for group in block["groups"]:
            expected.append([group["name"]])
            expected += [[row["component"]] + [names[row["owners"][sm["id"]]] for sm in models]
                         for row in group["rows"]]
        assert table_rows(table) == expected
        assert text(table.xpath("./caption")[0]) == block["caption"]
        assert len(table.xpath("./tbody")) == len(block["groups"])
        assert {th.get("scope") for th in table.xpath("./tbody/tr/th")} == {"row", "rowgroup"}
        legend = text(section(page, block["id"]).xpath('.//p[@class="legend"]')[0])
        for party in topic["parties"]:
            assert f'{party["name"]} = {party["responsibility"]}' in legend


@pytest.mark.parametrize("slug", SLUGS)
def test_misconception_tables_equal_the_source(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    for block in blocks_of_kind(topic, "myths"):
        (table,) = section(page, block["id"]).xpath(".//table")
        expected = [["Misconception", "Reality"]]
        expected += [[item["myth"], item["reality"]] for item in block["items"]]
        assert table_rows(table) == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_list_blocks_show_every_item_in_order(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    for kind, selector in (("tips", "ol[@class='tips']"), ("list", "*[@class='statements']")):
        for block in blocks_of_kind(topic, kind):
            items = section(page, block["id"]).xpath(f".//{selector}/li")
            assert len(items) == len(block["items"])
            for number, (li, expected) in enumerate(zip(items, block["items"]), 1):
                shown = text(li)
                assert shown.endswith(expected)
                if kind == "tips":
                    assert shown == f"Tip {number} {expected}"
            if kind == "list":
                tag = "ol" if block.get("ordered") else "ul"
                assert items[0].getparent().tag == tag


@pytest.mark.parametrize("slug", SLUGS)
def test_scenarios_hide_the_answer_until_asked(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    names = party_names(topic)
    for block in blocks_of_kind(topic, "scenarios"):
        scenarios = section(page, block["id"]).xpath(".//li[contains(@class, 'scenario ')]")
        assert len(scenarios) == len(block["items"])
        for li, item in zip(scenarios, block["items"]):
            assert text(li.xpath(".//*[@class='question']")[0]) == item["question"]
            (details,) = li.xpath(".//details")
            assert details.get("open") is None  # closed until the learner opens it
            answer = text(details.xpath("./p")[0])
            assert answer == f'{names[item["answer"]]} — {item["explanation"]}'
            outside = text(li).replace(text(details), "")
            assert item["explanation"] not in outside


@pytest.mark.parametrize("slug", SLUGS)
def test_breakdown_and_quick_reference_keep_their_structure(built, slug):
    topic, page = topic_yaml(slug), topic_page(built, slug)
    for block in blocks_of_kind(topic, "breakdown"):
        sections = section(page, block["id"]).xpath(".//section")
        assert len(sections) == len(block["sections"])
        for shown, source in zip(sections, block["sections"]):
            areas = shown.xpath(".//ol[@class='areas']/li")
            assert [text(a.xpath("./strong")[0]) for a in areas] == [a["name"] for a in source["areas"]]
            assert [[text(p) for p in a.xpath("./ul/li")] for a in areas] == \
                [a["points"] for a in source["areas"]]
    for block in blocks_of_kind(topic, "quick_reference"):
        groups = section(page, block["id"]).xpath(".//section")
        assert [text(g.xpath("./h3")[0]) for g in groups] == [g["title"] for g in block["groups"]]
        assert [[text(li) for li in g.xpath(".//li")] for g in groups] == \
            [g["items"] for g in block["groups"]]


def test_every_block_is_a_section_with_a_heading_anchor_and_a_contents_entry(built):
    for slug in SLUGS:
        page = topic_page(built, slug)
        blocks = topic_yaml(slug)["blocks"]
        contents = page.xpath("//nav[@aria-label='On this page']")
        assert len(contents) == 2  # the sidebar and the folded list for narrow screens
        for toc in contents:
            assert toc.xpath(".//ol/li/a/@href") == [f'#{b["id"]}' for b in blocks]
        for block in blocks:
            heading = section(page, block["id"]).xpath("./h2")[0]
            assert heading.xpath("./a[@class='anchor']/@href") == [f'#{block["id"]}']


def test_pages_have_language_landmarks_and_titles(built):
    for path in built.rglob("*.html"):
        page = parse(path)
        assert page.get("lang") == site_yaml()["language"], path
        assert page.xpath("//main[@id='main']"), path
        assert page.xpath("//header") and page.xpath("//footer"), path
        assert page.xpath("//title")[0].text_content().strip(), path
        assert len(page.xpath("//h1")) == 1, path


def test_diagrams_have_text_alternatives(built):
    for slug in SLUGS:
        for figure in topic_page(built, slug).xpath("//figure[@class='diagram']"):
            (image,) = figure.xpath(".//div[@class='diagram-image']")
            assert image.get("role") == "img" and image.get("aria-label")
            assert figure.getnext().tag == "details"  # the text version follows each diagram
            assert figure.xpath(".//svg")


def test_index_lists_every_topic_and_card(built):
    index = parse(built / "index.html")
    links = index.xpath("//main//a/@href")
    for slug in SLUGS:
        assert f"topics/{slug}.html" in links
    for card in site_yaml().get("cards", []):
        for paper in ("a4", "letter"):
            assert f'cards/{card["topic"]}-{paper}.pdf' in links


def test_every_link_is_relative_and_resolves_inside_the_site(built):
    """So the site works at /, under /repo/ on GitHub Pages, and opened from the folder."""
    for page_path in built.rglob("*.html"):
        page = parse(page_path)
        for element, attribute, link, _ in page.iterlinks():
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, (page_path, link)
            assert not parts.path.startswith("/"), (page_path, link)
            if parts.path:
                target = (page_path.parent / parts.path).resolve()
                assert target.is_file(), (page_path, link)
            if parts.fragment and not parts.path:
                assert page.xpath(f'//*[@id="{parts.fragment}"]'), (page_path, link)


def test_site_is_ready_for_github_pages_and_fetches_nothing_external(built):
    assert (built / ".nojekyll").is_file()
    assert (built / "404.html").is_file()
    for path in list(built.rglob("*.html")) + list(built.rglob("*.css")) + list(built.rglob("*.svg")):
        body = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", body), path
        assert "@import" not in body and "url(http" not in body, path


def test_404_page_works_at_any_depth(site):
    """GitHub Pages serves 404.html at whatever address was missing, however deep."""
    from sitegen.diagrams import render_diagrams
    from sitegen.pages import render_site

    templates = Path(__file__).resolve().parent.parent / "templates"
    outputs = render_site(site, render_diagrams(site), templates,
                          base_url="https://example.github.io/repo/", base_path="/repo/")
    page = lxml.html.fromstring(outputs["404.html"])
    assert page.xpath("//link[@rel='stylesheet']") == []  # styles inlined, no relative URL
    assert page.xpath("//style/text()")[0].strip()
    assert set(page.xpath("//a/@href")) == {"#main", "/repo/index.html",
                                            "/repo/index.html#topics-heading"}
    assert page.xpath("//link[@rel='icon']/@href") == ["/repo/assets/favicon.svg"]
    assert set(page.xpath("//script/@src")) == {"/repo/assets/theme.js", "/repo/assets/search.js"}
    assert page.xpath("//body/@data-root") == ["/repo/"]
    # Shown at any missing address: it names none as its own.
    assert page.xpath("//link[@rel='canonical'] | //meta[@property='og:url']") == []


def test_404_page_without_a_base_path_links_only_from_the_top_level(site):
    """Without --base-url nothing on it may depend on where it is served."""
    from sitegen.diagrams import render_diagrams
    from sitegen.pages import render_site

    templates = Path(__file__).resolve().parent.parent / "templates"
    page = lxml.html.fromstring(render_site(site, render_diagrams(site), templates)["404.html"])
    assert page.xpath("//script/@src") == [] and page.xpath("//link[@rel='icon']") == []
    assert set(page.xpath("//a/@href")) == {"#main", "index.html", "index.html#topics-heading"}
    # No scripts, so the search box and theme toggle must stay hidden: no "js" class.
    (inline,) = page.xpath("//script[not(@src)]/text()")
    assert "js" not in inline.split("try")[0]
