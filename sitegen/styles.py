"""The palette of styles a choice set's values are told apart by: a colour and a pattern.

Every style pairs colours (light and dark scheme on the site, one fill for diagrams and the
printed card) with a border pattern, and half of them with a hatch too, so two values stay
apart in greyscale print and for readers who do not see the colours. site.css and card.css
define a `choice-<name>` class for each; tests check both against this list and check
every text colour pair for WCAG AA contrast.
"""

from __future__ import annotations

from .records import frozen



@frozen
class Style:
    """One style of the palette."""

    name: str
    """What authors write as a value's `style`, and the CSS class suffix."""
    light: tuple[str, str, str]
    """Background, text and line colour in the light scheme (also the card's)."""
    dark: tuple[str, str, str]
    """Background, text and line colour in the dark scheme."""
    border: str
    """CSS border style of the value's cells and boxes."""
    hatch: bool
    """Whether its cells also carry diagonal stripes."""
    dot_style: str
    """Graphviz style of its boxes in diagrams (Graphviz has no double border)."""

    @property
    def fill(self) -> str:
        """Fill of its boxes in diagrams and on the card (light, under near-black text)."""
        return self.light[0]

    @property
    def line(self) -> str:
        """Border colour of its boxes in diagrams and on the card."""
        return self.light[2]


PALETTE: tuple[Style, ...] = (
    Style("blue", ("#dbeafe", "#1e3a8a", "#1e40af"), ("#1e3a8a", "#dbeafe", "#93c5fd"),
          "dashed", True, "dashed"),
    Style("orange", ("#ffedd5", "#7c2d12", "#9a3412"), ("#7c2d12", "#ffedd5", "#fdba74"),
          "solid", False, "solid"),
    Style("green", ("#dcfce7", "#14532d", "#166534"), ("#14532d", "#dcfce7", "#86efac"),
          "dotted", False, "dotted"),
    Style("purple", ("#f3e8ff", "#581c87", "#6b21a8"), ("#581c87", "#f3e8ff", "#d8b4fe"),
          "double", False, "bold"),
    Style("teal", ("#ccfbf1", "#134e4a", "#115e59"), ("#134e4a", "#ccfbf1", "#5eead4"),
          "dashed", False, "dashed"),
    Style("rose", ("#ffe4e6", "#881337", "#9f1239"), ("#881337", "#ffe4e6", "#fda4af"),
          "solid", True, "solid"),
    Style("amber", ("#fef3c7", "#78350f", "#92400e"), ("#78350f", "#fef3c7", "#fcd34d"),
          "dotted", True, "dotted"),
    Style("slate", ("#e2e8f0", "#0f172a", "#334155"), ("#1e293b", "#e2e8f0", "#94a3b8"),
          "double", True, "bold"),
)
STYLES = {style.name: style for style in PALETTE}


def style_named(name: str) -> Style:
    return STYLES[name]
