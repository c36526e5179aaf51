"""The e-book's cover, drawn from the theme at export time (``images/cover.png``).

E-reader libraries show a book by its cover image: the masthead over an
accent rule, the title large, the subtitle, and the date at the foot, in the
theme's colours and fonts.  Text is laid out with Pillow through libraqm
(HarfBuzz shaping, FriBiDi ordering), so Arabic letters join and
right-to-left briefings are set from the right.  Each text takes the first
of the theme's families (headings, body, fallbacks) that has all its
letters.  Without libraqm, a right-to-left or complex-script cover could not
be set correctly: such a book then has no cover rather than a wrong one.
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit.model import Briefing
from briefkit.render.dates import long_date
from briefkit.render.typography import tie_last_words, typeset
from briefkit.theme import Theme, characters_of

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont, Layout

#: 2:3, the shape of a paperback and of most e-reader library tiles
WIDTH, HEIGHT = 1200, 1800
MARGIN = 110
MEDIA_TYPE = "image/png"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@lru_cache(maxsize=32)
def _font(path: Path, size: int, engine: Layout) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size, layout_engine=engine)


def _needs_shaping(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters or combining marks, which only a
    shaping engine sets correctly."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") or unicodedata.combining(ch)
               for ch in text)


class _Cover:
    def __init__(self, briefing: Briefing, theme: Theme, masthead: str) -> None:
        from PIL import Image as Picture
        from PIL import ImageDraw

        self.briefing = briefing
        self.theme = theme
        self.masthead = masthead
        self.rtl = briefing.direction == "rtl"
        self.look = theme.settings
        self.image = Picture.new("RGB", (WIDTH, HEIGHT), _rgb(self.look.colours.shade))
        self.draw: ImageDraw.ImageDraw = ImageDraw.Draw(self.image)

    def faces(self, text: str, *, bold: bool,
              families: tuple[str, ...] | None = None) -> list[Path]:
        """The theme's faces for ``text``, first choice first: the family with most of its
        letters (all, usually), then the others in the theme's order for what it lacks."""
        fonts = self.look.fonts
        letters = {ord(ch) for ch in text if not ch.isspace()}
        found = []
        for family in (*(families or (fonts.headings, fonts.body)), *fonts.fallback):
            faces = sorted((f for f in fonts.files if f.family == family and f.style == "normal"),
                           key=lambda f: abs(f.weight - (700 if bold else 400)))
            path = self.theme.find(faces[0].path) if faces else None
            if path is not None and path not in found:
                found.append(path)
        # stable: among equals the theme's order stands
        found.sort(key=lambda path: -len(letters & characters_of(path)))
        return found

    def runs(self, text: str, faces: list[Path]) -> list[tuple[Path, str]]:
        """``text`` cut where the face changes: each character in the first face that has
        it (spaces stay with the run they are in)."""
        runs: list[tuple[Path, str]] = []
        for ch in text:
            face = runs[-1][0] if runs and ch.isspace() else next(
                (f for f in faces if ord(ch) in characters_of(f)), faces[0])
            if runs and runs[-1][0] == face:
                runs[-1] = (face, runs[-1][1] + ch)
            else:
                runs.append((face, ch))
        return runs

    def font(self, path: Path, size: int) -> FreeTypeFont:
        from PIL import ImageFont, features

        engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
        return _font(path, size, engine)

    def lines(self, text: str, faces: list[Path], size: int, width: int) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (at spaces; a no-break space
        holds its words together)."""
        lines: list[str] = []
        for word in text.split(" "):
            trial = f"{lines[-1]} {word}" if lines else word
            if lines and self.length(trial, faces, size) <= width:
                lines[-1] = trial
            else:
                lines.append(word)
        return lines

    def length(self, text: str, faces: list[Path], size: int) -> float:
        return sum((self.font(face, size).getlength(run, **self.layout())
                    for face, run in self.runs(text, faces)), 0.0)

    def layout(self) -> dict[str, Any]:
        from PIL import features

        if not features.check("raqm"):
            return {}
        return {"direction": "rtl" if self.rtl else "ltr", "language": self.briefing.language}

    def write(self, text: str, top: float, size: int, colour: str, *, bold: bool,
              families: tuple[str, ...] | None = None, leading: float = 1.2,
              max_lines: int = 7) -> float:
        """Set ``text`` from ``top``, from the side lines start; the next free ``top``.

        Runs in different faces follow each other from that side: the shaping engine
        orders the text inside a run, and a run holds a whole script's stretch."""
        faces = self.faces(text, bold=bold, families=families)
        room = WIDTH - 2 * MARGIN
        lines = self.lines(text, faces, size, room)
        if len(lines) > max_lines:
            lines = [*lines[:max_lines - 1], " ".join(lines[max_lines - 1:])]
            while len(lines[-1]) > 1 and self.length(lines[-1] + "\u2026", faces, size) > room:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + "\u2026"
        for line in lines:
            x = float(WIDTH - MARGIN if self.rtl else MARGIN)
            for face, run in self.runs(line, faces):
                font = self.font(face, size)
                # on a common baseline, about an ascent below the line's top
                self.draw.text((x, top + size * 0.8), run, font=font, fill=_rgb(colour),
                               anchor="rs" if self.rtl else "ls", **self.layout())
                step = font.getlength(run, **self.layout())
                x += -step if self.rtl else step
            top += size * leading
        return top

    def render(self) -> bytes:
        look, b = self.look, self.briefing
        colours, fonts = look.colours, look.fonts
        accent = _rgb(colours.accent)
        top = float(MARGIN)
        if self.masthead:
            top = self.write(self.masthead.upper(), top, 46, colours.accent, bold=True,
                             max_lines=2)
            top += 14
        self.draw.rectangle((MARGIN, top, WIDTH - MARGIN, top + 12), fill=accent)
        top += 12 + 110
        title = tie_last_words(typeset(b.title, b.language))
        size = 104 if len(title) < 60 else 84 if len(title) < 110 else 68
        top = self.write(title, top, size, colours.text, bold=True, leading=1.18)
        if b.subtitle:
            top += 40
            self.write(tie_last_words(typeset(b.subtitle, b.language)), top, 50, colours.muted,
                       bold=False, families=(fonts.headings, fonts.body), max_lines=4)
        # the date at the foot, over a thin rule
        foot = HEIGHT - MARGIN - 52
        self.draw.rectangle((MARGIN, foot - 36, WIDTH - MARGIN, foot - 33),
                            fill=_rgb(colours.text))
        self.write(long_date(b.published, b.language), foot, 44, colours.text, bold=False,
                   max_lines=1)
        out = io.BytesIO()
        self.image.save(out, "PNG", optimize=True)
        return out.getvalue()


def cover(briefing: Briefing, theme: Theme, masthead: str) -> bytes | None:
    """The cover as PNG bytes; None when it could not be set correctly (right-to-left or
    complex-script text without libraqm)."""
    from PIL import features

    # a cover line is one line of text: line breaks and tabs in a title become spaces
    briefing = briefing.model_copy(update={
        "title": " ".join(briefing.title.split()),
        "subtitle": " ".join(briefing.subtitle.split()) if briefing.subtitle else None})
    masthead = " ".join(masthead.split())
    texts = (briefing.title, briefing.subtitle or "", masthead)
    if any(theme.undrawable(text) for text in texts):
        return None  # no cover is better than one with empty boxes for letters
    if not features.check("raqm") and (briefing.direction == "rtl"
                                       or any(_needs_shaping(t) for t in texts)):
        return None
    try:
        return _Cover(briefing, theme, masthead).render()
    except (RuntimeError, OSError, ValueError):  # text the layout library cannot set
        return None
