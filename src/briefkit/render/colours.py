"""The colours of a theme by night: what the web page and the front page use when the
reader's system asks for a dark mode (``prefers-color-scheme: dark``).

A theme's colours are chosen for paper.  By night the page is dark and the text light,
and the accent and muted colours are lightened, each just enough to be read against the
dark page and the factbox's shade at the contrast WCAG 2 asks of text (4.5:1, level AA):
a theme keeps its hue and needs to say nothing more.
"""

from __future__ import annotations

from briefkit.theme import Colours

#: The contrast every text colour has by night against the page and the factbox's shade
MIN_CONTRAST = 4.5
#: The page by day (the background every theme prints on)
PAPER = "#ffffff"
_NIGHT_PAPER = "#17181a"
_NIGHT_TEXT = "#e8e6e3"


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """The relative luminance of a ``#rrggbb`` colour (WCAG 2)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two ``#rrggbb`` colours (WCAG 2): from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` (0 to 1) of ``other`` in it."""
    return _hex(tuple(a + (b - a) * share  # type: ignore[arg-type]
                      for a, b in zip(_rgb(colour), _rgb(other), strict=True)))


def _readable(colour: str, backgrounds: tuple[str, ...]) -> str:
    """``colour`` lightened towards white just enough to reach :data:`MIN_CONTRAST`
    against every one of ``backgrounds``."""
    for step in range(101):
        lighter = _mix(colour, "#ffffff", step / 100)
        if all(contrast(lighter, b) >= MIN_CONTRAST for b in backgrounds):
            return lighter
    return "#ffffff"


def night(colours: Colours) -> dict[str, str]:
    """The theme's colours by night, by name (``paper`` is the page's background)."""
    paper = _NIGHT_PAPER
    shade = _mix(paper, "#ffffff", 0.07)
    backgrounds = (paper, shade)
    return {
        "paper": paper,
        "text": _NIGHT_TEXT,
        "accent": _readable(colours.accent, backgrounds),
        "muted": _readable(colours.muted, backgrounds),
        "rule": _mix(paper, "#ffffff", 0.22),
        "shade": shade,
    }
