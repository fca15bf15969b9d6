"""Typed reads of located nodes: what each mistake in a name or an id is said to be."""

from __future__ import annotations

import pytest

from sitegen import model as m
from sitegen.fields import Fields
from sitegen.load import Mapping, Scalar

OWNER = m.ChoiceSet("owner", "Owner", (m.Choice("customer", "Customer", "", "", "blue"),
                                       m.Choice("aws", "AWS", "", "", "orange")))


def text(value: str) -> Scalar:
    return Scalar("f.yaml", 3, 7, text=value, implicit_type="str")


def messages(f: Fields) -> list[str]:
    return [str(e) for e in f.errors]


@pytest.mark.parametrize("written, shown, named, position", [
    ("exam\u200btips", "exam\\u200btips", "U+200B ZERO WIDTH SPACE", 5),
    ("exam\u00a0tips", "exam\\u00a0tips", "U+00A0 NO-BREAK SPACE", 5),
    ("exam\u00adtips", "exam\\u00adtips", "U+00AD SOFT HYPHEN", 5),
    ("exam\ufefftips", "exam\\ufefftips", "U+FEFF ZERO WIDTH NO-BREAK SPACE", 5),
    ("\u2066exam-tips", "\\342\\201\\246exam-tips", "U+2066 LEFT-TO-RIGHT ISOLATE", 1),
    ("exam-tips\u202e", "exam-tips\\342\\200\\256", "U+202E RIGHT-TO-LEFT OVERRIDE", 10),
    ("exam\u3000tips", "exam\\u3000tips", "U+3000 IDEOGRAPHIC SPACE", 5),
    ("exam\u3164tips", "exam\\u3164tips", "U+3164 HANGUL FILLER", 5),
], ids=["zero-width space", "no-break space", "soft hyphen", "byte order mark", "bidi isolate",
        "bidi override", "ideographic space", "hangul filler"])
def test_an_invisible_character_in_an_id_is_named_with_its_code_point_and_position(
        written, shown, named, position):
    f = Fields()
    assert f.identifier(text(written), "block id") is None
    assert messages(f) == [f"f.yaml:3:7: error: block id '{shown}' has an invisible character "
                           f"{named} at position {position} (hint: delete it; retype the id)"]


def test_a_space_in_an_id_is_still_an_invalid_id():
    f = Fields()
    f.identifier(text("Exam Tips"), "block id")
    assert messages(f) == ["f.yaml:3:7: error: block id 'Exam Tips' is not a valid id (hint: use "
                           "lowercase letters, digits and single '-' or '_' between them)"]


def test_a_value_named_with_an_invisible_character_says_so_not_did_you_mean():
    f = Fields()
    assert f.choice(text("cust\u200bomer"), "cell 'IaaS'", OWNER) is None
    assert f.choice(text("a\u200bw\u200bz"), "cell 'SaaS'", OWNER) is None
    assert messages(f) == [
        "f.yaml:3:7: error: cell 'IaaS' names 'cust\\u200bomer', which has an invisible "
        "character U+200B ZERO WIDTH SPACE at position 5 (hint: delete it; retype the id)",
        "f.yaml:3:7: error: cell 'SaaS' names 'a\\u200bw\\u200bz', which has an invisible "
        "character U+200B ZERO WIDTH SPACE at position 2, and 1 more after it (hint: delete "
        "them; retype the id; did you mean 'aws'?)"]


def test_a_reference_with_an_invisible_character_says_so():
    f = Fields()
    assert f.reference(text("owner\u2060"), "column type", {"owner": OWNER}, "choice set") is None
    assert messages(f) == [
        "f.yaml:3:7: error: column type names 'owner\\u2060', which has an invisible character "
        "U+2060 WORD JOINER at position 6 (hint: delete it; retype the id)"]


def test_a_key_with_an_invisible_character_says_so_and_is_not_also_missing():
    key = text("title\u200b")
    node = Mapping("f.yaml", 1, 1, entries={key.text: (key, text("Hello"))})
    f = Fields()
    f.mapping(node, "topic", ("title",))
    assert messages(f) == [
        "f.yaml:3:7: error: unknown key 'title\\u200b' in topic: it has an invisible character "
        "U+200B ZERO WIDTH SPACE at position 6 (hint: delete it; retype the key)"]


def test_a_long_id_is_quoted_cut_short():
    f = Fields()
    f.identifier(text("x" * 1_000_000 + "\u200b"), "block id")
    assert len(messages(f)[0]) < 300
    assert "at position 1000001" in messages(f)[0]
