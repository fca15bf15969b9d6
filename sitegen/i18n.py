"""The interface strings: every word sitegen itself puts on a page, a card or the preview,
from one catalogue per language (sitegen/locales/<language>.yaml), chosen by site.yaml's
`language`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from markupsafe import Markup, escape

from .records import frozen

LOCALES = Path(__file__).parent / "locales"
SECTIONS = ("pages", "scripts", "serve")
"""A catalogue's parts: strings of the templates; strings the page hands to quiz.js,
search.js and theme.js; strings of the overlay `sitegen serve` shows over a page."""
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
"""Unicode CLDR's plural categories: the keys a string with plural forms may have."""
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _one_other(count: int) -> str:
    return "one" if count == 1 else "other"


PLURAL_RULES: dict[str, Callable[[int], str]] = {
    "one_other": _one_other,  # English, Spanish, German, Italian, Dutch... (CLDR, integers)
}
"""How a catalogue's `plural` picks the form for a count. The browser picks with
Intl.PluralRules, which follows CLDR too; a form a catalogue lacks falls back to `other`."""

Entry = str | dict[str, str]
"""A string, or its plural forms by CLDR category ("one", "other"...)."""


@frozen
class Catalogue:
    """The interface strings of one language."""

    language: str
    """The catalogue's language tag, its file name: "en", "es"."""
    name: str
    """The language's name in English, for messages: "Spanish"."""
    plural: str
    """The name of its rule in PLURAL_RULES."""
    group_separator: str
    """Between groups of three digits: "," in English, "." in Spanish."""
    minimum_grouping_digits: int
    """Digits a number needs beyond the first group before it is grouped: 1 in English
    (1,000), 2 in Spanish (1000 but 10.000), as CLDR and the browsers' Intl have it."""
    sections: dict[str, dict[str, Entry]]
    """The strings by section (SECTIONS), then by key."""

    def entry(self, key: str) -> Entry:
        for strings in self.sections.values():
            if key in strings:
                return strings[key]
        raise KeyError(f"no interface string '{key}' in the {self.name} catalogue")

    def number(self, value: int) -> str:
        """An integer written as the language writes it."""
        digits = str(abs(value))
        if len(digits) >= 3 + self.minimum_grouping_digits:
            groups = []
            while len(digits) > 3:
                digits, group = digits[:-3], digits[-3:]
                groups.insert(0, group)
            digits = self.group_separator.join([digits, *groups])
        return ("-" if value < 0 else "") + digits

    def text(self, key: str, **values: object) -> str:
        """The string with its placeholders filled in, as plain text. With plural forms, the
        form is chosen by the value named `count`."""
        return PLACEHOLDER.sub(lambda found: str(self._shown(values[found.group(1)])),
                               self._form(key, values))

    def markup(self, key: str, **values: object) -> Markup:
        """The string as HTML: its own text escaped, and each value escaped as Jinja escapes it
        (a value with __html__, such as rendered inline text, gives its HTML)."""
        return Markup(PLACEHOLDER.sub(lambda found: escape(self._shown(values[found.group(1)])),
                                      escape(self._form(key, values))))

    def _form(self, key: str, values: dict[str, object]) -> str:
        entry = self.entry(key)
        if isinstance(entry, str):
            return entry
        form = PLURAL_RULES[self.plural](int(values["count"]))  # type: ignore[call-overload]
        return entry.get(form, entry["other"])

    def _shown(self, value: object) -> object:
        """Numbers as the language writes them; anything else as it is."""
        return self.number(value) if isinstance(value, int) and not isinstance(value, bool) \
            else value


@lru_cache(maxsize=None)
def available() -> tuple[str, ...]:
    """The languages there are catalogues for, by tag: ("en", "es")."""
    return tuple(sorted(path.stem for path in LOCALES.glob("*.yaml")))


@lru_cache(maxsize=None)
def catalogue_tag(language: str) -> str | None:
    """The catalogue that serves a language tag: the tag itself, else the tag with its last
    subtags dropped ("es-MX" -> "es", "zh-Hant-TW" -> "zh-hant" -> "zh"), ignoring case;
    None if there is none."""
    known = available()
    parts = language.lower().split("-")
    while parts:
        if "-".join(parts) in known:
            return "-".join(parts)
        parts.pop()
    return None


def catalogue(language: str) -> Catalogue:
    """The catalogue for site.yaml's language (validation refuses one without)."""
    tag = catalogue_tag(language)
    if tag is None:
        raise KeyError(f"there is no catalogue of interface strings for '{language}'")
    return load_catalogue(tag)


@lru_cache(maxsize=None)
def load_catalogue(tag: str) -> Catalogue:
    """One catalogue file, read once per process."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((LOCALES / f"{tag}.yaml").read_text(encoding="utf-8"), Loader=loader)
    numbers = data["numbers"]
    return Catalogue(language=tag, name=data["name"], plural=data["plural"],
                     group_separator=numbers["group_separator"],
                     minimum_grouping_digits=numbers["minimum_grouping_digits"],
                     sections={section: data[section] for section in SECTIONS})


def live_reload_strings() -> dict[str, dict[str, Entry]]:
    """The overlay's strings in every language, by catalogue tag: the preview shows pages of
    whatever language, and its script picks by the page's lang attribute."""
    return {tag: load_catalogue(tag).sections["serve"] for tag in available()}
