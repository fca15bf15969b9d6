"""libyaml reads content; the pure-Python parser words the errors. Both feed one reader of
parser events, which must make the same nodes and mistakes from either."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path

import pytest
import yaml

from sitegen import load
from source_data import CONTENT

TESTS = Path(__file__).parent


def read_with(parser_class, text: str):
    errors: list = []
    node = load._read_document(parser_class(text), "f.yaml", errors, text)
    return node, sorted(errors)


def read(text: str):
    """What sitegen makes of a YAML file's text: its nodes (None if unreadable) and mistakes."""
    errors: list = []
    node = load._load_yaml(Path("f.yaml"), errors, text.encode("utf-8"))
    return node, sorted(errors)


SNIPPETS = [
    "a: &x 1\nb: *x\n", "- &first item\n", "[*x]\n", "{a: *x}\n", "a: R&D\n", "a: 2 * 3\n",
    "a: 1\na: 2\n", "a: 1\na: {b: \"\\x01\"}\n", "? [a]\n: \"\\x01\"\nb: 2\n", "{[a]: b}\n",
    "", "# only a comment\n", "---\n", "!!str yes\n", "!!int 3\n", "!!int '3'\n", "! yes\n",
    "a: !custom text\n", "a: |\n  yes\nb: >\n  1\n", "a: 'yes'\n", "a: \"\\e\"\n",
    "a: yes\nb: 1.5\nc: 2020-01-01\nd: ~\ne:\nf: null\ng: 0x1F\nh: .inf\ni: 1_000\nj: -\n",
    "- - - a\n- b: c\n  d: e\n", "{a: 1, b: [1, 2, {c: d}]}\n", "? a\n? b\n", "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1\n", "a: [&x 1, *x]\nb: *x\nb: &y 3\n", "'a': 1\n\"a\": 2\n",
    "icon: 🛡️\ntext: \"┌── ☁️ ──┐\"\n",
    "a: {b: from $5,500/mo}\n", "- {a: one, two, three}\n", "- {a: x, a}\n", "- {a: 1,000}\n",
    "- {a: x\n  , y}\n", "- {a: x, y: {b: c, d}}\n", "- {a, b}\n",
    "- {a: \"x\", y}\n", "- {a: x, \"y\"}\n", "- {a: x, &y z}\n", "- {a: x, !!str z}\n",
    "- {a: x, \"big\" deal}\n", "- {a: x, @home}\n", "- {a: x, - y}\n", "- {a: x, #b}\nc: d\n",
]
YAML_FILES = sorted(CONTENT.rglob("*.yaml")) + sorted(TESTS.rglob("*.yaml"))


@pytest.mark.parametrize("text", SNIPPETS + [path.read_bytes().decode("utf-8", "replace")
                                     for path in YAML_FILES],
                         ids=[repr(s)[:40] for s in SNIPPETS]
                         + [str(p.relative_to(TESTS.parent)) for p in YAML_FILES])
def test_libyaml_and_the_python_parser_give_the_same_nodes_and_mistakes(text):
    try:
        python = read_with(yaml.SafeLoader, text)
    except yaml.YAMLError:  # invalid: libyaml must refuse it too, or it would be read
        with pytest.raises(yaml.YAMLError):
            read_with(yaml.cyaml.CParser, text)
        return
    except load._OverLimit as over:  # and at the same place
        with pytest.raises(load._OverLimit) as libyaml_over:
            read_with(yaml.cyaml.CParser, text)
        assert libyaml_over.value.args == over.args
        return
    assert read_with(yaml.cyaml.CParser, text) == python


def test_what_plain_scalars_would_have_become_is_kept_beside_their_text():
    node, errors = read("a: yes\nb: 1.5\nc: 2020-01-01\nd: ~\ne: 'yes'\nf: |\n  1\ng: text\n"
                        "h: !!int 3\ni: !!str true\nj:\n")
    assert not errors
    kinds = {key: (value.text, value.implicit_type) for key, (_, value) in node.entries.items()}
    assert kinds == {"a": ("yes", "bool"), "b": ("1.5", "float"), "c": ("2020-01-01", "timestamp"),
                     "d": ("~", "null"), "e": ("yes", "str"), "f": ("1\n", "str"),
                     "g": ("text", "str"), "h": ("3", "int"), "i": ("true", "str"),
                     "j": ("", "null")}


def test_every_anchor_and_alias_is_a_mistake_and_an_alias_reads_as_a_placeholder():
    node, errors = read("a: &x 1\nb: *x\nc: [&y 2, *y]\n")
    assert [(e.line, e.col) for e in errors] == [(1, 4), (2, 4), (3, 5), (3, 11)]
    assert all("anchors and aliases" in e.message for e in errors)
    assert node.entries["b"][1].implicit_type == "alias"
    assert node.entries["a"][1].text == "1"


def test_a_duplicate_key_keeps_the_first_value_and_its_own_value_is_not_checked():
    node, errors = read("a: 1\na: {b: \"\\x01\"}\nc: \"\\x02\"\n")
    assert node.entries["a"][1].text == "1"
    assert [(e.line, e.message) for e in errors] == [
        (2, "duplicate key 'a'"), (3, "character U+0002 is not allowed in text")]


def test_a_key_that_is_not_text_is_a_mistake():
    node, errors = read("{[a]: b, c: d}\n")
    assert list(node.entries) == ["c"]
    assert [e.message for e in errors] == ["a mapping key must be plain text"]


def test_several_documents_in_one_file_are_a_syntax_error_at_the_second():
    node, errors = read("a: 1\n---\nb: 2\n")
    assert node is None
    assert [(e.line, e.col, e.message) for e in errors] == [
        (2, 1, "YAML syntax error: a second YAML document starts here, and a file holds one "
               "(remove this '---' line, or what follows it)")]


def test_an_empty_file_reads_as_an_empty_value():
    for text in ("", "# nothing yet\n"):
        node, errors = read(text)
        assert (node.text, node.implicit_type, node.line, node.col, errors) == ("", "null", 1, 1, [])


def depth(node) -> int:
    """How many lists and mappings deep the first item of each goes."""
    levels = 0
    while isinstance(node, (load.Sequence, load.Mapping)):
        levels += 1
        inner = node.items if isinstance(node, load.Sequence) else [
            entry[1] for entry in node.entries.values()]
        node = inner[0] if inner else None
    return levels


@pytest.fixture(params=["libyaml", "python"])
def parser(request, monkeypatch):
    """Each way a file is read: with libyaml, and with the pure-Python parser alone, as
    where PyYAML is installed without libyaml."""
    if request.param == "python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    return request.param


@contextlib.contextmanager
def within(seconds: int):
    """Fails the test if the block has not ended after that long (instead of running on)."""
    def stop(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    except TimeoutError:
        # Without the traceback, which pytest fails to show for an exception raised there.
        pytest.fail(f"not done after {seconds} s", pytrace=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


LIMIT = load.MAX_DEPTH


@pytest.mark.parametrize("text", [
    "a: " + "[" * (LIMIT - 1) + "]" * (LIMIT - 1) + "\n",
    "a: " + "{a: " * (LIMIT - 1) + "}" * (LIMIT - 1) + "\n",
    "".join("  " * level + "k:\n" for level in range(LIMIT - 1)) + "  " * (LIMIT - 1) + "k: v\n",
    "- " * LIMIT + "v\n",
], ids=["flow list", "flow mapping", "block mapping", "block list"])
def test_nesting_up_to_the_limit_reads(parser, text):
    node, errors = read(text)
    assert errors == []
    assert depth(node) == LIMIT


DEEP = 100_000


@pytest.mark.parametrize("text, line, col", [
    ("- " + "[" * DEEP + "]" * DEEP + "\n", 1, 2 + LIMIT),
    ("- " + "[" * DEEP + "\n", 1, 2 + LIMIT),
    ("a: " + "{a: " * DEEP + "\n", 1, 4 + 4 * (LIMIT - 1)),
    ("- " + "[\n" * DEEP, LIMIT, 1),
    ("- " * DEEP + "v\n", 1, 1 + 2 * LIMIT),
    ("? " * DEEP + "v\n", 1, 1 + 2 * LIMIT),
    ("".join(" " * level + "k:\n" for level in range(1500)), LIMIT + 1, LIMIT + 1),
], ids=["flow list", "unclosed flow list", "flow mapping", "flow list over lines",
        "block list", "block keys", "block mapping"])
def test_nesting_beyond_the_limit_is_refused_where_it_passes_it_and_at_once(parser, text,
                                                                          line, col):
    with within(60):  # minutes before the limit, with the pure-Python parser
        node, errors = read(text)
    assert node is None
    assert [str(e) for e in errors] == [
        f"f.yaml:{line}:{col}: error: lists and mappings are nested more than {LIMIT} levels "
        "deep here (hint: write this as a flatter list, or close the [ or { opened before it)"]


def test_invalid_yaml_is_worded_by_the_python_parser_where_the_mistake_started():
    node, errors = read("title: x\nlist: [1, 2\nother: y\n")
    assert node is None
    assert [(e.line, e.col, e.message) for e in errors] == [
        (2, 7, "YAML syntax error: a [ list starts here but its closing ] is missing")]


def test_a_syntax_error_is_the_only_mistake_reported_for_its_file():
    node, errors = read("a: &x 1\na: 2\nb: \"\\x01\"\nc: [1\n")
    assert node is None
    assert [e.message for e in errors] == [
        "YAML syntax error: a [ list starts here but its closing ] is missing"]


@pytest.mark.parametrize("text, line, col", [
    ("[" + "a," * load.MAX_VALUES + "a]\n", 1, 2 + 2 * (load.MAX_VALUES - 1)),
    ("- a\n" * load.MAX_VALUES + "- b\n", load.MAX_VALUES, 3),
], ids=["flow list", "block list"])
def test_values_beyond_the_limit_are_refused_at_the_first_one_over(text, line, col):
    # With libyaml only: both parsers feed the one reader that counts, and the pure-Python
    # parser takes a quarter of a minute over that many.
    node, errors = read(text)
    assert node is None
    assert [str(e) for e in errors] == [
        f"f.yaml:{line}:{col}: error: the file holds more than {load.MAX_VALUES:,} values "
        "(texts, lists and mappings); this is the first beyond them (hint: split it: a topic "
        "this long reads better as several topics)"]


def test_values_up_to_the_limit_read():
    node, errors = read("- a\n" * (load.MAX_VALUES - 1))
    assert (len(node.items), errors) == (load.MAX_VALUES - 1, [])


def comma_error(line: int, col: int, value: str, quoted: str) -> str:
    return (f"f.yaml:{line}:{col}: error: the value '{value}' has a comma, which ends a value "
            f"inside {{ }} (hint: put the value in quotes: {quoted})")


@pytest.mark.parametrize("text, value, col, nodes", [
    ("a: {b: from $5,500/mo}\n", "from $5,500/mo", 8, {"b": "from $5,500/mo"}),
    ("a: {t: S3, d: durable, cheap storage}\n", "durable, cheap storage", 15,
     {"t": "S3", "d": "durable, cheap storage"}),
    ("a: {b: one, two, three}\n", "one, two, three", 8, {"b": "one, two, three"}),
    ("a: {b: x, b}\n", "x, b", 8, {"b": "x, b"}),  # not a duplicate key: part of the value
    ("a: {b: 1,000, c: d}\n", "1,000", 8, {"b": "1,000", "c": "d"}),
    ("a: {b: x,\n  y}\n", "x, y", 8, {"b": "x, y"}),
    ("a: {b: say \"hi\", y}\n", 'say "hi", y', 8, {"b": 'say "hi", y'}),
], ids=["the issue's", "a definition", "two commas", "a key again", "a number", "over lines",
        "with quotes"])
def test_a_value_a_comma_cut_short_in_braces_is_read_whole_and_reported(parser, text, value, col,
                                                                         nodes):
    node, errors = read(text)
    quoted = f"'{value}'" if '"' in value else f'"{value}"'
    assert [str(e) for e in errors] == [comma_error(1, col, value, quoted)]
    inner = node.entries["a"][1]
    assert {key: (v.text, v.implicit_type) for key, (_, v) in inner.entries.items()} == {
        key: (v, "str") for key, v in nodes.items()}


@pytest.mark.parametrize("text", [
    "a: {b: x, c: y}\n", "a: {b: x, c: }\n", "a: {b: \"x\", c}\n", "a: {b: x, \"c\"}\n",
    "a: {b, c}\n", "a: {b: [x], c}\n", "a: [x, y, z]\n", "a: {b: \"x, y\"}\n",
    "a: {b: x, c: [y, z]}\n",
])
def test_what_a_comma_in_braces_is_meant_for_is_not_reported(parser, text):
    assert read(text)[1] == []


@pytest.mark.parametrize("text, line, col, value, quoted", [
    ('a: {b: durable, "eleven nines" of it}\n', 1, 8, 'durable, "eleven nines" of it',
     '\'durable, "eleven nines" of it\''),
    ('a: {b: x, "big" deal, c: d}\n', 1, 8, 'x, "big" deal', '\'x, "big" deal\''),
    ("a: {b: x, 'big' deal}\n", 1, 8, "x, 'big' deal", '"x, \'big\' deal"'),
    ("a: {b: x, @home}\n", 1, 8, "x, @home", '"x, @home"'),
    ("a: {b: x, `home`}\n", 1, 8, "x, `home`", '"x, `home`"'),
    ("a: {b: x, - y}\n", 1, 8, "x, - y", '"x, - y"'),
    ("x: 1\na:\n  - {b: x, @home}\n", 3, 9, "x, @home", '"x, @home"'),
], ids=["the issue's", "before a key", "single quotes", "at", "backquote", "dash",
        "further down"])
def test_a_syntax_error_after_a_comma_in_braces_says_to_quote_the_value(parser, text, line, col,
                                                                        value, quoted):
    node, errors = read(text)
    assert node is None
    assert [str(e) for e in errors] == [comma_error(line, col, value, quoted)]


def test_a_syntax_error_not_caused_by_a_comma_keeps_its_own_words(parser):
    node, errors = read("a: {b: x, c: y: z}\n")
    assert [e.message for e in errors] == [
        "YAML syntax error: a { mapping starts here but its closing } is missing"]


@pytest.mark.parametrize("text, line, col, closing", [
    ("a: {b: SOC 2, #1 by far}\nc: d\n", 1, 15, "}"),
    ("- {b: SOC 2, #1 by far}\n- {c: d}\n", 1, 14, "}"),
    ("a: [x, #1]\nb: c\n", 1, 8, "]"),
], ids=["then a key", "then an item", "a list"])
def test_a_comment_that_hides_a_closing_bracket_is_named(parser, text, line, col, closing):
    node, errors = read(text)
    assert [str(e) for e in errors] == [
        f"f.yaml:{line}:{col}: error: YAML syntax error: ' #' starts a comment, which hides the "
        f"{closing} after it (hint: put the text with the '#' in quotes)"]


def test_a_comma_error_quotes_a_long_value_cut_short():
    node, errors = read("a: {b: " + "x" * 1_000_000 + ", y}\n")
    assert len(str(errors[0])) < 300
    assert "'xxxxxxxxxx" in errors[0].message and "…" in errors[0].message
