"""Colour pairs the site, diagrams and card use meet WCAG AA contrast (4.5:1 for text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.diagrams import PARTY_STYLES

STATIC = Path(__file__).resolve().parent.parent / "templates" / "static" / "site.css"
AA_TEXT = 4.5


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(a: str, b: str, share_of_b: float) -> str:
    """b laid over a at the given opacity, as CSS color-mix does."""
    channels = [round(int(a[i:i + 2], 16) * (1 - share_of_b) + int(b[i:i + 2], 16) * share_of_b)
                for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


def palettes() -> dict[str, dict[str, str]]:
    """The custom colours of the stylesheet, as light-dark(light, dark) pairs."""
    css = STATIC.read_text(encoding="utf-8")
    pairs = re.findall(r"--([\w-]+):\s*light-dark\((#[0-9a-fA-F]{6}),\s*(#[0-9a-fA-F]{6})\)", css)
    assert len(pairs) >= 20, "the palette was not found in site.css"
    return {"light": {name: light for name, light, _ in pairs},
            "dark": {name: dark for name, _, dark in pairs}}


TEXT_PAIRS = [("text", "bg"), ("text", "bg-soft"), ("muted", "bg"), ("muted", "bg-soft"),
              ("link", "bg"), ("link", "bg-soft"), ("text", "varies-bg")]
TEXT_PAIRS += [(f"party-{n}-text", f"party-{n}-bg") for n in (1, 2, 3)]
TEXT_PAIRS += [(f"party-{n}-text", "bg") for n in (1, 2, 3)]  # breakdown headings' borders
TEXT_PAIRS += [("right", "bg-soft"), ("wrong", "bg-soft"), ("right", "bg"), ("wrong", "bg")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("fg,bg", TEXT_PAIRS)
def test_site_text_colours_meet_aa(scheme, fg, bg):
    colours = palettes()[scheme]
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= AA_TEXT, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_striped_customer_cells_keep_aa(scheme):
    # Cells of the first party carry 14 % stripes of its line colour under the text.
    colours = palettes()[scheme]
    striped = mix(colours["party-1-bg"], colours["party-1-line"], 0.14)
    assert contrast(colours["party-1-text"], striped) >= AA_TEXT


@pytest.mark.parametrize("style", PARTY_STYLES)
def test_diagram_and_card_fills_keep_black_text_legible(style):
    # Diagram labels and card text are near-black on the party fills, in every scheme.
    assert contrast("#000000", style["fill"]) >= AA_TEXT
    assert contrast("#111111", style["fill"]) >= AA_TEXT
    assert contrast(style["line"], "#ffffff") >= 3.0  # borders: non-text contrast
