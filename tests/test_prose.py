"""Prose: GitHub-flavoured tables and strikethrough, callouts, footnotes and definition lists,
headings under the block's own, and every Markdown the site cannot show reported where it is."""

from __future__ import annotations

import lxml.html
import pytest

from sitegen.i18n import catalogue
from sitegen.prose import CALLOUT_TYPES, problems, to_html

CALLOUT_LABELS = {kind: catalogue("en").text("callout_" + kind) for kind in CALLOUT_TYPES}


def rendered(markdown: str, doc_id: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<div>{to_html(markdown, doc_id)}</div>")


def words(element) -> str:
    return " ".join(element.text_content().split())


def test_a_table_is_a_table_in_a_frame_that_scrolls():
    page = rendered("| Class | Retrieval |\n| :--- | ---: |\n| `STANDARD_IA` | ms |\n")
    (frame,) = page.xpath("./div[contains(@class, 'prose-table')]")
    assert frame.get("tabindex") == "0" and frame.get("role") == "region" and frame.get("aria-label")
    (table,) = frame.xpath("./table")
    assert [words(th) for th in table.xpath("./thead/tr/th")] == ["Class", "Retrieval"]
    assert [words(td) for td in table.xpath("./tbody/tr/td")] == ["STANDARD_IA", "ms"]
    assert table.xpath("./tbody/tr/td/code")
    # Alignment is a class, not an inline style.
    assert [td.get("class") for td in table.xpath("./tbody/tr/td")] == ["align-left", "align-right"]
    assert not page.xpath("//*[@style]")


def test_strikethrough_definition_lists_and_footnotes():
    page = rendered("~~old~~ new[^1]\n\nTerm\n: What it means\n\n[^1]: The note.\n", "overview")
    assert [words(s) for s in page.xpath("//s")] == ["old"]
    assert [words(dt) for dt in page.xpath("//dl/dt")] == ["Term"]
    assert [words(dd) for dd in page.xpath("//dl/dd")] == ["What it means"]
    (reference,) = page.xpath("//sup[@class='footnote-ref']/a")
    (note,) = page.xpath("//li[@class='footnote-item']")
    # Anchors carry the block's id, so two prose blocks of a page never share one.
    assert reference.get("href") == f"#{note.get('id')}" and "overview" in note.get("id")
    assert "The note." in words(note)


@pytest.mark.parametrize("kind", list(CALLOUT_LABELS))
def test_every_callout_type_is_an_aside_with_its_label(kind):
    for markdown in (f"> [!{kind.upper()}]\n> Read **twice**.\n", f"::: {kind}\nRead **twice**.\n:::\n"):
        page = rendered(markdown)
        (aside,) = page.xpath("./aside")
        assert aside.get("class") == f"callout callout-{kind}" and aside.get("role") == "note"
        (label,) = aside.xpath("./p[@class='callout-label']")
        assert words(label) == CALLOUT_LABELS[kind]
        assert words(aside) == f"{CALLOUT_LABELS[kind]} Read twice." and aside.xpath(".//strong")
        assert "[!" not in words(page) and ":::" not in words(page)
        assert problems(markdown) == []


def test_a_callout_keeps_text_written_on_its_marker_line_and_what_follows():
    page = rendered("> [!NOTE] First line\n>\n> Second paragraph\n")
    assert [words(p) for p in page.xpath("./aside/p")] == ["Note", "First line", "Second paragraph"]
    assert page.xpath("//blockquote") == []
    assert words(rendered("> Just a quote\n").xpath("./blockquote")[0]) == "Just a quote"


@pytest.mark.parametrize("markdown, levels", [
    ("### Answers\n\nText\n", ["h3"]),
    ("# Top\n\n## Under\n\n### Below\n", ["h3", "h4", "h5"]),
    ("#### Start\n\n###### Deep\n", ["h3", "h5"]),
    ("# A\n\n###### F\n", ["h3", "h6"]),  # capped
    ("## A\n\n## B\n\n### C\n", ["h3", "h3", "h4"]),
])
def test_the_highest_heading_of_the_prose_becomes_h3(markdown, levels):
    assert [h.tag for h in rendered(markdown).xpath("./*[self::h1 or self::h2 or self::h3 or "
                                                    "self::h4 or self::h5 or self::h6]")] == levels


def test_raw_html_is_text_and_refused_links_never_get_a_target():
    page = rendered("<b>hi</b> [x](javascript:alert(1)) <data:text/html,x> ![alt](i.png) "
                    "[ok](https://example.org/) [rel](other.html#a) [here](#top) [m](mailto:a@b.org)")
    assert "<b>hi</b>" in words(page) and page.xpath("//b") == [] and page.xpath("//img") == []
    assert page.xpath("//a/@href") == ["https://example.org/", "other.html#a", "#top", "mailto:a@b.org"]


def located(markdown: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.message) for p in problems(markdown)]


def test_a_table_without_its_delimiter_row_is_reported_where_it_starts():
    assert located("Intro\n\n  | a | b |\n  | c | d |\n") == [
        (3, 3, "this looks like a table, but Markdown reads it as text: a table needs a "
               "delimiter row under its header row")]
    # A delimiter row whose cells do not match the header's is not a table either.
    assert [p[:2] for p in located("| a | b |\n| --- |\n| c | d |\n")] == [(1, 1)]
    assert located("a | b is not a table row, and `| x |` is code\n") == []


def test_unknown_callouts_and_unclosed_containers_are_reported():
    assert located("Text\n\n> [!FOO]\n> body\n") == [(3, 3, "unknown callout type '[!FOO]'")]
    assert located("::: tip\nNever closed\n") == [(1, 1, "callout '::: tip' is not closed")]
    assert located("::: danger\nx\n:::\n") == [(1, 1, "unknown callout type '::: danger'")]
    (problem,) = problems("> [!IMPORTANT]\n> x\n")
    assert "[!NOTE], [!TIP], [!WARNING], and [!TRAP]" in problem.hint


def test_a_footnote_reference_without_its_footnote_is_reported():
    assert located("Defined[^a] and not[^b].\n\n[^a]: A.\n") == [
        (1, 20, "footnote [^b] is referred to but never written")]
    assert located("In code: `[^b]`\n") == []


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x",
                                  "file:///etc/passwd", "ftp://example.org/", "vbscript:x"])
def test_links_outside_the_allow_list_are_reported_where_they_are(link):
    assert located(f"First line\n\nSee [this]({link}) now\n") == [
        (3, 12, f"link to '{link}' in prose: only http, https and mailto links, relative links "
                "and #fragments are allowed")]
    assert len(problems(f"<{link}>\n")) == 1  # an autolink too


@pytest.mark.parametrize("link", ["https://example.org/", "http://x.org", "mailto:a@b.org",
                                  "other.html", "../up.html", "#fragment", "/root.html", "page?q=1"])
def test_allowed_links_are_not_reported(link):
    assert problems(f"[this]({link})\n") == []


def test_the_fixture_page_shows_rich_prose(layered_built):
    page = lxml.html.fromstring((layered_built / "topics" / "layered.html").read_bytes())
    (prose,) = page.xpath("//section[@id='next-steps']/div[@class='prose']")
    assert [h.tag for h in prose.xpath("./h3")] == ["h3"]  # written as ###, under the block's h2
    assert prose.xpath(".//div[contains(@class, 'prose-table')]/table/tbody/tr")
    assert [a.get("class") for a in prose.xpath("./aside")] == ["callout callout-trap", "callout callout-tip"]
    assert [words(p) for p in prose.xpath("./aside/p[@class='callout-label']")] == ["Exam trap", "Tip"]
    assert prose.xpath(".//section[@class='footnotes']//li[@id='fn-next-steps-1']")
    for syntax in ("|", "[!", ":::", "~~", "[^"):
        assert syntax not in words(prose), syntax


def test_callout_and_prose_table_styles_are_in_the_stylesheet():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "templates" / "static" / "site.css").read_text()
    for selector in (".callout", ".callout-label", *(f".callout-{k}" for k in CALLOUT_LABELS),
                     ".prose-table table", "code {", "s {"):
        assert selector in css, selector


# Prose kept between builds ------------------------------------------------------------------

def edited_guide(tmp_path):
    """The fixture guide, built once with a cache; then one table cell of its topic edited."""
    import shutil

    from conftest import FIXTURE, TEMPLATES
    from sitegen.pipeline import BuildConfig, build

    content, out, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    shutil.copytree(FIXTURE, content)
    first = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    path = content / "topics" / "layered" / "topic.yaml"
    text = path.read_text(encoding="utf-8")
    assert "A physical hard drive fails" in text
    path.write_text(text.replace("A physical hard drive fails", "A physical disk fails", 1),
                    encoding="utf-8")
    return content, out, cache, first


def test_unchanged_prose_of_an_edited_topic_comes_from_the_cache_as_it_was(tmp_path):
    from conftest import TEMPLATES
    from sitegen.pipeline import BuildConfig, build

    content, out, cache, first = edited_guide(tmp_path)
    assert first.rendered.get("markdown")  # checked and rendered in this process (jobs=1)
    second = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert second.cached.get("markdown") == first.rendered["markdown"]
    assert "markdown" not in second.rendered
    clean = tmp_path / "clean"
    build(BuildConfig(content, TEMPLATES, clean, jobs=1))
    page = "topics/layered.html"
    assert (out / page).read_bytes() == (clean / page).read_bytes()
    assert "A physical disk fails" in (out / page).read_text(encoding="utf-8")


def test_prose_the_cache_did_not_sign_is_made_again_not_published(tmp_path):
    import zlib

    from conftest import TEMPLATES
    from sitegen.pipeline import BuildConfig, build

    content, out, cache, first = edited_guide(tmp_path)
    entries = [p for p in (cache / "markdown").rglob("*") if p.is_file()]
    assert len(entries) == first.rendered["markdown"]
    planted = b"\x00" * 32 + b"<script>alert(1)</script>"
    for entry in entries:
        entry.write_bytes(zlib.crc32(planted).to_bytes(4, "little") + planted)
    second = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=1))
    assert second.rendered.get("markdown") == len(entries)
    assert "alert(1)" not in (out / "topics" / "layered.html").read_text(encoding="utf-8")


def test_prose_problems_kept_in_the_cache_are_reported_again(tmp_path):
    from sitegen.cache import Cache
    from sitegen.prose import kept_in

    markdown = "Text.\n\n![a diagram](d.png)\n\n| a | b |\n"
    found = problems(markdown)
    assert len(found) == 2
    for _ in range(2):
        cache = Cache(tmp_path / "cache", "generation")
        with kept_in(cache):
            assert problems(markdown) == found
            assert str(to_html(markdown, "doc")) == str(to_html(markdown, "doc"))
        cache.flush()
    assert cache.hits["markdown"] == 3 and not cache.fresh  # the second time, all read back


def test_prose_checked_and_rendered_in_workers_is_kept_for_the_first_edit(tmp_path):
    """A new guide's topics are read and their pages rendered in worker processes, which
    hand what they made of prose back to the build: the first edit after it finds it."""
    import shutil

    from conftest import FIXTURE, TEMPLATES
    from sitegen.pipeline import BuildConfig, build
    from sitegen.workers import PARALLEL_MINIMUM

    content, out, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    shutil.copytree(FIXTURE, content)
    names = [f"topic-{n:02d}" for n in range(PARALLEL_MINIMUM)]
    for name in names:
        shutil.copytree(content / "topics" / "layered", content / "topics" / name)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  - layered\n", "".join(f"  - {name}\n" for name in ["layered", *names])),
        encoding="utf-8")
    first = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=2))
    assert first.rendered.get("markdown")  # made in the workers, kept by the build
    path = content / "topics" / "topic-03" / "topic.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("A physical hard drive fails", "A physical disk fails", 1),
                    encoding="utf-8")
    second = build(BuildConfig(content, TEMPLATES, out, cache_dir=cache, jobs=2))
    assert second.cached.get("markdown") and not second.rendered.get("markdown")
    clean = tmp_path / "clean"
    build(BuildConfig(content, TEMPLATES, clean, jobs=1))
    page = "topics/topic-03.html"
    assert (out / page).read_bytes() == (clean / page).read_bytes()
