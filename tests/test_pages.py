"""The built HTML site, parsed with a real HTML parser and checked against the source YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from source_data import site_yaml

SLUGS = site_yaml()["topics"]


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


def topic_page(built: Path, slug: str):
    return parse(built / "topics" / f"{slug}.html")


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
        # A topic's sources, and the exam's official page on the exam coverage page.
        sources = set(page.xpath("//section[@id='sources']//li/a | //a[@rel='external']"))
        for element, attribute, link, _ in page.iterlinks():
            parts = urlsplit(link)
            if element in sources:  # a topic's sources are documents elsewhere on the web
                assert parts.scheme in ("http", "https") and attribute == "href", (page_path, link)
                continue
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
        # Links to a topic's sources (and to the exam's own page) are followed by the reader,
        # never fetched by the page.
        body = re.sub(r'<section class="block block-sources".*?</section>', "", body, flags=re.S)
        body = re.sub(r'<a href="https?://[^"]*" rel="external">', "", body)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", body), path
        assert "@import" not in body and "url(http" not in body, path


def test_404_page_works_at_any_depth(layered_site):
    """GitHub Pages serves 404.html at whatever address was missing, however deep."""
    site = layered_site
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
    assert set(page.xpath("//script/@src")) == {"/repo/assets/strings.js", "/repo/assets/theme.js",
                                                 "/repo/assets/search.js"}
    assert page.xpath("//body/@data-root") == ["/repo/"]
    # Shown at any missing address: it names none as its own.
    assert page.xpath("//link[@rel='canonical'] | //meta[@property='og:url']") == []


def test_404_page_without_a_base_path_links_only_from_the_top_level(layered_site):
    """Without --base-url nothing on it may depend on where it is served."""
    site = layered_site
    from sitegen.diagrams import render_diagrams
    from sitegen.pages import render_site

    templates = Path(__file__).resolve().parent.parent / "templates"
    page = lxml.html.fromstring(render_site(site, render_diagrams(site), templates)["404.html"])
    assert page.xpath("//script/@src") == [] and page.xpath("//link[@rel='icon']") == []
    assert set(page.xpath("//a/@href")) == {"#main", "index.html", "index.html#topics-heading"}
    # No scripts, so the search box and theme toggle must stay hidden: no "js" class.
    (inline,) = page.xpath("//script[not(@src)]/text()")
    assert "js" not in inline.split("try")[0]


def test_scenarios_without_a_prompt_ask_by_the_sets_name_keeping_an_acronym(content_copy, tmp_path):
    from sitegen.pipeline import BuildConfig, build

    topic = content_copy / "topics" / "layered" / "topic.yaml"
    root = Path(__file__).resolve().parent.parent
    source = topic.read_text(encoding="utf-8").replace("    prompt: Who is responsible?\n", "")
    for name, asked in (("Owner", "Which owner?"), ("EC2 owner", "Which EC2 owner?")):
        topic.write_text(source.replace("    name: Owner\n", f"    name: {name}\n"), encoding="utf-8")
        out = tmp_path / name.replace(" ", "-")
        build(BuildConfig(content_copy, root / "templates", out, cache_dir=None))
        page = parse(out / "topics" / "layered.html")
        (hint,) = page.xpath("//section[@id='exam-scenarios']//p[@class='hint']")
        assert text(hint).startswith(asked), text(hint)


# What a topic page says about itself: structured data and link previews -----------------

BASE_URL = "https://example.github.io/repo/"


def json_ld(page) -> tuple[str, list]:
    (script,) = page.xpath("//script[@type='application/ld+json']")
    return script.text, json.loads(script.text)


@pytest.fixture(scope="module")
def previewed(tmp_path_factory) -> Path:
    """The fixture guide built with a base URL."""
    from conftest import FIXTURE, TEMPLATES
    from sitegen.pipeline import BuildConfig, build

    out = tmp_path_factory.mktemp("previewed") / "output"
    build(BuildConfig(FIXTURE, TEMPLATES, out, base_url=BASE_URL))
    return out


def test_topic_pages_state_what_they_teach_and_their_questions_as_json_ld(built):
    from source_data import answers_of, question_options, topic_yaml

    for slug in SLUGS:
        topic = topic_yaml(slug)
        raw, found = json_ld(topic_page(built, slug))
        assert not re.search(r"[<>&]", raw)  # escaped as \u003c...: no text can end the script
        resource = found[0]
        assert resource["@context"] == "https://schema.org" and resource["@type"] == "LearningResource"
        assert (resource["name"], resource["description"]) == (topic["title"], " ".join(topic["summary"].split()))
        assert resource["inLanguage"] == site_yaml()["language"]
        assert resource["teaches"] == [block["title"] for block in topic["blocks"]]
        assert resource["isPartOf"] == {"@type": "WebSite", "name": site_yaml()["title"]}
        assert "url" not in resource  # an address only with a base URL
        questions = [item for block in topic["blocks"] if block["kind"] == "questions"
                     for item in block["items"]]
        if not questions:
            assert len(found) == 1
            continue
        quiz = found[1]
        assert quiz["@type"] == "Quiz" and len(quiz["hasPart"]) == len(questions)
        for shown, item in zip(quiz["hasPart"], questions):
            options = [" ".join(t.split()) for _, t, _ in question_options(item)]
            right = [i for i, (o, _, _) in enumerate(question_options(item)) if o in answers_of(item)]
            assert shown["@type"] == "Question" and shown["text"] == " ".join(item["question"].split())
            assert shown["eduQuestionType"] == ("Checkbox" if item.get("choose") else "Multiple choice")
            accepted = shown["acceptedAnswer"] if isinstance(shown["acceptedAnswer"], list) \
                else [shown["acceptedAnswer"]]
            assert [(a["position"], a["text"]) for a in accepted] == [(i, options[i]) for i in right]
            assert all(a["answerExplanation"]["text"] == " ".join(item["explanation"].split())
                       for a in accepted)
            assert [(a["position"], a["text"]) for a in shown["suggestedAnswer"]] == \
                [(i, t) for i, t in enumerate(options) if i not in right]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_with_a_base_url_a_topic_page_previews_as_its_first_diagram(previewed):
    from PIL import Image

    page = topic_page(previewed, "layered")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//meta")}
    image = meta["og:image"]
    assert re.fullmatch(re.escape(BASE_URL) + r"previews/[0-9a-f]{20}\.png", image)
    assert meta["twitter:card"] == "summary_large_image" and meta["twitter:image"] == image
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:alt"] == "The Core Concept"  # the first diagram, a layers block
    assert meta["og:type"] == "article" and meta["og:title"] and meta["og:description"]
    png = previewed / image.removeprefix(BASE_URL)
    assert png_size(png.read_bytes()) == (1200, 630)
    with Image.open(png) as picture:
        picture = picture.convert("RGB")
        corners = {picture.getpixel(xy) for xy in ((0, 0), (1199, 0), (0, 629), (1199, 629))}
        assert corners == {(255, 255, 255)}  # on white, whatever the diagram's background
        assert len(picture.getcolors(1 << 16) or ()) > 2  # and something drawn on it
    _, found = json_ld(page)
    assert found[0]["url"] == BASE_URL + "topics/layered.html"
    assert found[0]["isPartOf"]["url"] == BASE_URL


def test_without_a_base_url_no_page_has_a_link_preview(built):
    for slug in SLUGS:
        page = topic_page(built, slug)
        assert page.xpath("//meta[@property='og:image']") == []
        assert page.xpath("//meta[@name='twitter:card']/@content") == ["summary"]
    assert not (built / "previews").exists()
