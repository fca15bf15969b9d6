"""Colour pairs the site, diagrams and card use meet WCAG AA contrast (4.5:1 for text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.styles import PALETTE

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
TEXT_PAIRS += [(f"style-{s.name}-text", f"style-{s.name}-bg") for s in PALETTE]
TEXT_PAIRS += [(f"style-{s.name}-text", "bg") for s in PALETTE]  # breakdown headings' borders
TEXT_PAIRS += [("right", "bg-soft"), ("wrong", "bg-soft"), ("right", "bg"), ("wrong", "bg")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("fg,bg", TEXT_PAIRS)
def test_site_text_colours_meet_aa(scheme, fg, bg):
    colours = palettes()[scheme]
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= AA_TEXT, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("style", [s for s in PALETTE if s.hatch], ids=lambda s: s.name)
def test_hatched_cells_keep_aa(scheme, style):
    # Hatched styles carry 14 % stripes of their line colour under the text.
    colours = palettes()[scheme]
    striped = mix(colours[f"style-{style.name}-bg"], colours[f"style-{style.name}-line"], 0.14)
    assert contrast(colours[f"style-{style.name}-text"], striped) >= AA_TEXT


@pytest.mark.parametrize("style", PALETTE, ids=lambda s: s.name)
def test_diagram_and_card_fills_keep_black_text_legible(style):
    # Diagram labels and card text are near-black on the fills, in every scheme.
    assert contrast("#000000", style.fill) >= AA_TEXT
    assert contrast("#111111", style.fill) >= AA_TEXT
    assert contrast(style.line, "#ffffff") >= 3.0  # borders: non-text contrast


@pytest.mark.parametrize("style", PALETTE, ids=lambda s: s.name)
def test_the_stylesheets_define_every_style_of_the_palette(style):
    # site.css and card.css carry the palette by hand: they must agree with styles.py.
    colours = palettes()
    assert [colours[scheme][f"style-{style.name}-{part}"] for part in ("bg", "text", "line")
            for scheme in ("light",)] == list(style.light)
    assert [colours["dark"][f"style-{style.name}-{part}"] for part in ("bg", "text", "line")] \
        == list(style.dark)
    site_css = STATIC.read_text(encoding="utf-8")
    assert re.search(rf"\.choice-{style.name} {{[^}}]*--p-style: {style.border};", site_css)
    card_css = (STATIC.parent.parent / "card.css").read_text(encoding="utf-8")
    assert f".choice-{style.name} {{ background: {style.fill}; border: 1pt {style.border} {style.line}; }}" in card_css


def test_palette_styles_differ_in_colour_and_pattern():
    # Two styles never share both a border pattern and a hatch, and no two share a fill.
    patterns = [(s.border, s.hatch) for s in PALETTE]
    assert len(set(patterns)) == len(patterns)
    assert len({s.fill for s in PALETTE}) == len(PALETTE)
