"""Interface strings in catalogues: every catalogue complete, and a guide built in Spanish
shows no English interface string, on the site, in its scripts and on its cards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
import yaml

from sitegen import i18n
from sitegen.pipeline import BuildConfig, build
from content_checks import pdf_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SCRIPTS = ("quiz.js", "search.js", "theme.js", "strings.js", "flashcards.js", "practice.js")
BASE_URL = "https://example.github.io/repo/"  # so that 404.html gets its scripts too


def entries(tag: str, sections=i18n.SECTIONS) -> dict[str, i18n.Entry]:
    catalogue = i18n.load_catalogue(tag)
    return {key: entry for section in sections for key, entry in catalogue.sections[section].items()}


def forms(entry: i18n.Entry) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry.values())


def placeholders(entry: i18n.Entry) -> set[str]:
    return {name for form in forms(entry) for name in i18n.PLACEHOLDER.findall(form)}


def fragments(entry: i18n.Entry) -> set[str]:
    """The fixed words of a string: its forms cut at the placeholders, with a word of three
    letters or more ("Tip", not "A4" or "(")."""
    return {part.strip() for form in forms(entry) for part in i18n.PLACEHOLDER.split(form)[::2]
            if re.search(r"[^\W\d_]{3}", part)}


def occurs(fragment: str, text: str, path: str = "") -> bool:
    """Whether the words are in the text, as words; on a card in any case, which its style
    may change."""
    flags = re.IGNORECASE if path.endswith(".pdf") else 0
    before = r"(?<!\w)" if re.match(r"\w", fragment) else ""
    after = r"(?!\w)" if re.search(r"\w$", fragment) else ""
    return re.search(before + re.escape(fragment) + after, text, flags) is not None


# The catalogues ------------------------------------------------------------------------

@pytest.mark.parametrize("tag", [tag for tag in i18n.available() if tag != "en"])
def test_catalogues_have_the_same_keys_and_placeholders(tag):
    english, other = i18n.load_catalogue("en"), i18n.load_catalogue(tag)
    for section in i18n.SECTIONS:
        assert sorted(other.sections[section]) == sorted(english.sections[section]), section
    theirs = entries(tag)
    for key, entry in entries("en").items():
        assert placeholders(theirs[key]) == placeholders(entry), key


@pytest.mark.parametrize("tag", i18n.available())
def test_catalogues_are_well_formed(tag):
    catalogue = i18n.load_catalogue(tag)
    assert catalogue.plural in i18n.PLURAL_RULES
    keys = [key for strings in catalogue.sections.values() for key in strings]
    assert len(keys) == len(set(keys)), "a key in two sections"
    for key, entry in entries(tag).items():
        if isinstance(entry, dict):
            assert "other" in entry and set(entry) <= set(i18n.PLURAL_FORMS), key
            assert "count" in placeholders(entry), f"{key}: plural forms are chosen by {{count}}"
        for form in forms(entry):
            assert isinstance(form, str) and form.strip(), key
            # Only well-formed placeholders: a stray brace would be shown as it is.
            assert "{" not in i18n.PLACEHOLDER.sub("", form) and "}" not in i18n.PLACEHOLDER.sub("", form), key


def test_every_string_is_used_and_every_string_used_exists():
    templates = "".join(path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html"))
    scripts = "".join((TEMPLATES / "static" / name).read_text(encoding="utf-8") for name in SCRIPTS)
    used = set(re.findall(r'\bt\("([a-z_0-9]+)"(?!\s*~)', templates))
    pages = set(i18n.load_catalogue("en").sections["pages"])
    assert used - pages == set()
    # Made from a number or a paper size: t("choose_" ~ n), and the card links (pages.py);
    # the prose's callout labels and table frame (prose.py); the study links (pages.py).
    from sitegen.prose import CALLOUT_TYPES

    dynamic = ({f"choose_{n}" for n in range(2, 6)}
               | {"paper_a4", "paper_a4_size", "paper_letter", "paper_letter_size"}
               | {f"callout_{kind}" for kind in CALLOUT_TYPES} | {"prose_table"}
               | {key for key in pages if key.startswith("study_")})
    assert pages - used == dynamic
    for key in i18n.load_catalogue("en").sections["scripts"]:
        assert f'"{key}"' in scripts, key


def test_a_language_tag_finds_its_catalogue():
    assert i18n.catalogue_tag("es") == "es"
    assert i18n.catalogue_tag("es-MX") == "es"
    assert i18n.catalogue_tag("EN-gb") == "en"
    assert i18n.catalogue_tag("fr") is None
    assert i18n.catalogue_tag("e") is None


def test_numbers_and_plural_forms_follow_the_language():
    english, spanish = i18n.catalogue("en"), i18n.catalogue("es-ES")
    assert [english.number(n) for n in (7, 999, 1000, 1234567)] == ["7", "999", "1,000", "1,234,567"]
    assert [spanish.number(n) for n in (7, 1000, 9999, 10000)] == ["7", "1000", "9999", "10.000"]
    assert spanish.text("on_this_page_sections", count=1) == "En esta página: 1 sección"
    assert spanish.text("on_this_page_sections", count=12000) == "En esta página: 12.000 secciones"
    assert english.text("on_this_page_sections", count=2) == "On this page: 2 sections"


def test_values_are_escaped_and_markup_is_kept():
    from markupsafe import Markup

    spanish = i18n.catalogue("es")
    assert spanish.markup("link_to", title="<b>&") == "Enlace a «&lt;b&gt;&amp;»"
    assert spanish.markup("link_to", title=Markup("<em>x</em>")) == "Enlace a «<em>x</em>»"


# A guide built in Spanish ----------------------------------------------------------------

# The fixture guide, edited: its own text is English, and words of it that are also
# interface words are put in Spanish, so that any English interface word found in a build
# came from sitegen. A second topic (a copy of the first) makes the pages link to the
# previous and next one, asks the scenarios' default question ("Which owner?") and has a
# question to choose three of; the card gets the questions, for its answer key.
TOPIC_EDITS = [("Remember the phrase", "Recuerda la frase"), ("Which TWO are", "¿Cuáles dos son"),
               ("hard drive", "disco duro"), ("due to", "debido a"),
               # The book's text is compared in any case, as a card's is.
               ("about the model, and the reality", "about the model, and the facts")]
CONTENT_EDITS = {
    "site.yaml": [("[exam-tips, misconceptions, key-takeaways]",
                   "[exam-tips, misconceptions, practice-questions]"),
                  ("  - layered\n", "  - layered\n  - second\n"),
                  ("cards:\n", "book: {}\ncards:\n")],
    "topics/layered/topic.yaml": TOPIC_EDITS,
    "topics/layered/next-steps.md": [("the next section", "the next part"),
                                     ("Read the question", "Read the item")],
    "topics/second/topic.yaml": TOPIC_EDITS + [
        ("    prompt: Who is responsible?\n", ""),
        ("    items:\n      - id: encryption\n", """    items:
      - question: What does the customer secure on IaaS?
        choose: 3
        options: [Guest OS patches, Data, Firewall rules, Data center doors]
        answer: [a, b, c]
        explanation: On IaaS the customer secures everything above the hypervisor
      - id: encryption\n""")],
    "topics/second/next-steps.md": [("the next section", "the next part"),
                                    ("Read the question", "Read the item")],
}


def content_words(content: Path) -> str:
    """Every text value of the content (not its keys), and its Markdown."""
    words: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            words.append(node)

    for path in sorted(content.rglob("*")):
        if path.suffix == ".yaml":
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
        elif path.suffix == ".md":
            words.append(path.read_text(encoding="utf-8"))
    return "\n".join(words)


def prepared_guide(target: Path, content: Path, language: str) -> Path:
    import shutil

    shutil.copytree(content, target)
    shutil.copytree(target / "topics" / "layered", target / "topics" / "second")
    site = target / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("language: en", f"language: {language}"),
                    encoding="utf-8")
    for name, edits in CONTENT_EDITS.items():
        text = (target / name).read_text(encoding="utf-8")
        for before, after in edits:
            assert before in text
            text = text.replace(before, after)
        (target / name).write_text(text, encoding="utf-8")
    return target


# Attributes a reader meets: read out, shown on hover or in the empty box, or by a browser.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "content")
JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def shown_text(output: Path) -> dict[str, str]:
    """What a reader can meet in the built guide, by file: the text and read attributes of
    every page, the strings it hands its scripts, the string literals of the scripts, the
    search index and the text of the cards and the book."""
    shown = {}
    for path in sorted(output.rglob("*.html")):
        page = lxml.html.fromstring(path.read_bytes())
        parts = [text for text in page.xpath("//text()[not(ancestor::script or ancestor::style)]")]
        parts += [element.get(name) for element in page.iter() if isinstance(element.tag, str)
                  for name in READ_ATTRIBUTES if element.get(name)]
        for blob in page.xpath("//script[@type='application/json']"):
            strings = json.loads(blob.text)
            parts += [form for entry in strings.values() for form in forms(entry)]
        shown[str(path.relative_to(output))] = " ".join(" ".join(parts).split())
    for name in SCRIPTS:
        code = (output / "assets" / name).read_text(encoding="utf-8")
        # Not names of elements, classes or events ("section", "quiz-item", "click").
        shown[f"assets/{name}"] = " ".join(literal for literal in JS_STRING.findall(code)
                                           if not re.fullmatch(r"[\"'][a-z][a-z-]*[\"']", literal))
    for path in sorted((output / "assets").glob("search-index*/*.js")):
        shown[str(path.relative_to(output))] = path.read_text(encoding="utf-8")
    for path in sorted([*(output / "cards").glob("*.pdf"), *output.glob("guide-*.pdf")]):
        # The card prints its page's address, whose folder names are not words of the card.
        shown[str(path.relative_to(output))] = re.sub(re.escape(BASE_URL) + r"\S*", " ",
                                                             pdf_text(path))
    return shown


@pytest.fixture(scope="module")
def guides(tmp_path_factory):
    """The fixture guide built in English and in Spanish (as es-MX: a region picks its
    language's catalogue), with the content words that clash with interface words edited."""
    from conftest import FIXTURE

    built = {}
    for language in ("en", "es-MX"):
        folder = tmp_path_factory.mktemp(f"guide-{language}")
        content = prepared_guide(folder / "content", FIXTURE, language)
        build(BuildConfig(content, TEMPLATES, folder / "output", base_url=BASE_URL))
        built[language] = (content, shown_text(folder / "output"))
    return built


def test_the_content_itself_has_no_english_interface_words(guides):
    """Else the test below could not tell sitegen's words from the author's."""
    content, _ = guides["es-MX"]
    words = content_words(content)
    spanish = set().union(*map(fragments, entries("es").values()))
    clashes = [fragment for entry in entries("en").values() for fragment in fragments(entry) - spanish
               if occurs(fragment, words)]
    assert clashes == []


def test_a_spanish_guide_shows_no_english_interface_string(guides):
    _, shown = guides["es-MX"]
    assert any(path.endswith(".pdf") for path in shown) and "404.html" in shown
    spanish = set().union(*map(fragments, entries("es").values()))
    found = {}
    for key, entry in entries("en", ("pages", "scripts")).items():
        for fragment in sorted(fragments(entry) - spanish):  # "A4" is A4 in Spanish too
            where = [path for path, text in shown.items() if occurs(fragment, text, path)]
            if where:
                found[f"{key}: {fragment}"] = where
    assert found == {}


def test_a_spanish_guide_says_in_spanish_what_an_english_one_says_in_english(guides):
    _, english = guides["en"]
    _, spanish = guides["es-MX"]
    assert english.keys() == spanish.keys()
    missing = {}
    theirs = entries("es")
    for key, entry in entries("en", ("pages", "scripts")).items():
        for path, text in english.items():
            if path.startswith("assets/") and path.endswith(SCRIPTS):
                continue  # the scripts name strings by key; the page hands them the words
            if any(occurs(fragment, text, path) for fragment in fragments(entry)):
                wanted = fragments(theirs[key])
                if wanted and not any(occurs(fragment, spanish[path], path) for fragment in wanted):
                    missing.setdefault(key, []).append(path)
    assert missing == {}
    # Quotation marks as the language writes them.
    assert "— «Security IN the Cloud»" in spanish["topics/layered.html"]
    for path in spanish:
        if path.startswith("cards/"):
            for words in ("Recuerda", "Respuestas:", "(Elige DOS.)"):
                assert occurs(words, spanish[path], path), (path, words)
        elif path.endswith(".pdf"):
            for words in ("Índice", "Soluciones", "Pregunta 1.", "(Elige DOS.)",
                          "Respuestas en la página", "Pregunta en la página"):
                assert occurs(words, spanish[path], path), (path, words)


def test_spanish_pages_hand_their_scripts_the_spanish_strings(guides):
    _, shown = guides["es-MX"]
    for value in forms(entries("es")["score"]) + [entries("es")["switch_to_dark"]]:
        assert value in shown["topics/layered.html"]


# The preview's overlay ---------------------------------------------------------------------

def test_the_live_reload_overlay_takes_its_words_from_the_catalogues():
    from sitegen.serve_livereload import SCRIPT

    catalogues = json.dumps(i18n.live_reload_strings(), ensure_ascii=False, sort_keys=True)
    assert catalogues in SCRIPT
    code = SCRIPT.replace(catalogues, "")
    for entry in entries("en", ("serve",)).values():
        for fragment in fragments(entry):
            assert not occurs(fragment, code), fragment
    assert json.loads(catalogues)["es"]["hide"] == "Ocultar"
