"""The e-book's cover, drawn from the theme at export time (``images/cover.png``).

E-reader libraries show a book by its cover image: the masthead over an
accent rule, the title large, the subtitle, and the dateline at the foot (as
every format writes it: :func:`briefkit.render.dates.dateline`), in the
theme's colours and fonts.  Every text stays inside the margins: a long title
is set smaller, and a word too long for a line at the smallest size is broken
(after a slash or a hyphen where it has one).  Text is laid out with Pillow through libraqm
(HarfBuzz shaping, FriBiDi ordering), so Arabic letters join and
right-to-left briefings are set from the right.  Each text takes the first
of the theme's families (headings, body, fallbacks) that has all its
letters.  Without libraqm, a right-to-left or complex-script cover could not
be set correctly: such a book then has no cover rather than a wrong one.

The cover is drawn in the theme's few colours, on its ground: it is written as
a palette PNG whose colours are the ground, each ink, and the shades that
anti-aliasing lays between them (exact for the flat colours, within a few
levels for an edge), run-length compressed: it encodes in an eighth of the time of a
full-colour one and weighs 40% less.  It is kept in the export's cache under everything it
is drawn from (texts, dateline, language, theme, Pillow's version), so a book
made again (an edit of its text, ``--force``) does not draw its cover again.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import unicodedata
import zlib
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit.datelines import Convention
from briefkit.model import Briefing
from briefkit.render.dates import dateline
from briefkit.render.typography import tie_last_words, typeset
from briefkit.theme import Theme

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont, Layout

#: 2:3, the shape of a paperback and of most e-reader library tiles
WIDTH, HEIGHT = 1200, 1800
MARGIN = 110
MEDIA_TYPE = "image/png"
#: A text too long for its lines is set smaller, down to half its size: the largest of
#: these shares of it that sets every word whole in the lines it may take
SHRINK = (1.0, 0.9, 0.8, 0.72, 0.64, 0.57, 0.5)
TITLE_LINES = 7
#: Where a word too long for a line breaks best: after these
_BREAK_AFTER = "/-\u2010_.?&=>)"
NBSP = "\u00a0"
#: Changes when the way a cover is drawn or written changes, so that kept ones are made again
COVER_VERSION = 2
#: zlib's level and strategy for the PNG.  A cover is runs of one palette entry (the
#: ground, an ink), which run-length matching finds in less than half the time of
#: level 6's search (about 4 against 9 ms), for a file about 30% larger (36 against 28 KB)
COMPRESS_LEVEL = 6
COMPRESS_TYPE = zlib.Z_RLE
_PNG = b"\x89PNG\r\n\x1a\n"
_IHDR = struct.Struct(">I4sII")
#: ``keep(key, make, check)``: the export's cache (:class:`briefkit.exporters.base.Cache`)
Keep = Callable[[str, Callable[[], bytes], Callable[[bytes], bool]], bytes]


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
    def __init__(self, briefing: Briefing, theme: Theme, masthead: str,
                 conventions: Mapping[str, Convention] | None) -> None:
        self.briefing = briefing
        self.conventions = conventions
        self.theme = theme
        self.masthead = masthead
        self.rtl = briefing.direction == "rtl"
        self.look = theme.settings
        self.ground = _rgb(self.look.colours.shade)
        # each colour drawn on a coverage mask of its own (anti-aliased text as grey
        # levels), in the order first drawn: the palette image is made from them exactly
        self.masks: dict[tuple[int, int, int], Any] = {}  # PIL.Image.Image, mode "L"
        self.draws: dict[tuple[int, int, int], ImageDraw] = {}
        # what a text measures, by text, faces and size: breaking lines and fitting a
        # size measure the same words and lines again, and drawing a line its runs
        self.extents: dict[tuple[str, tuple[Path, ...], int], float] = {}
        self.measures: dict[tuple[str, Path, int], tuple[float, float, float]] = {}
        self.options = self.layout()  # the shaping engine's, the same for every text

    def ink(self, colour: str) -> ImageDraw:
        """Where to draw in a theme colour: its coverage mask."""
        from PIL import Image as Picture
        from PIL import ImageDraw as Drawing

        rgb = _rgb(colour)
        if rgb not in self.masks:
            self.masks[rgb] = Picture.new("L", (WIDTH, HEIGHT), 0)
            self.draws[rgb] = Drawing.Draw(self.masks[rgb])
        return self.draws[rgb]

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
        found.sort(key=lambda path: -len(letters & self.theme.drawn_by(path)))
        return found

    def runs(self, text: str, faces: list[Path]) -> list[tuple[Path, str]]:
        """``text`` cut where the face changes: each character in the first face that has
        it (spaces stay with the run they are in)."""
        runs: list[tuple[Path, str]] = []
        for ch in text:
            face = runs[-1][0] if runs and ch.isspace() else next(
                (f for f in faces if ord(ch) in self.theme.drawn_by(f)), faces[0])
            if runs and runs[-1][0] == face:
                runs[-1] = (face, runs[-1][1] + ch)
            else:
                runs.append((face, ch))
        return runs

    def font(self, path: Path, size: int) -> FreeTypeFont:
        from PIL import ImageFont, features

        engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
        return _font(path, size, engine)

    def lines(self, text: str, faces: list[Path], size: int,
              width: int) -> tuple[list[str], bool]:
        """``text`` broken into lines no wider than ``width`` (at spaces; a no-break space
        holds its words together, and a word wider than the line is broken), and whether
        every word is whole (none broken but where a no-break space tied it to another)."""
        lines: list[str] = []
        whole = True
        for word in text.split(" "):
            trial = f"{lines[-1]} {word}" if lines else word
            if lines and self.extent(trial, faces, size) <= width:
                lines[-1] = trial
            else:
                pieces, kept = self.broken(word, faces, size, width)
                lines.extend(pieces)
                whole = whole and kept
        return lines, whole

    def broken(self, word: str, faces: list[Path], size: int,
               width: int) -> tuple[list[str], bool]:
        """``word`` in pieces no wider than ``width``: the longest that fits, ending after
        a slash, hyphen or the like where one does; and whether it broke only where a
        no-break space tied two words."""
        pieces = []
        whole = True
        while len(word) > 1 and self.extent(word, faces, size) > width:
            fits = 1
            while fits < len(word) and self.extent(word[:fits + 1], faces, size) <= width:
                fits += 1
            # words a no-break space ties part there first, then after a slash, a hyphen ...
            spaces = [i for i in range(1, fits + 1) if i < len(word) and word[i] == NBSP]
            if spaces:
                pieces.append(word[:spaces[-1]])
                word = word[spaces[-1] + 1:]
                continue
            whole = False
            breaks = [i + 1 for i in range(1, fits) if word[i] in _BREAK_AFTER]
            cut = breaks[-1] if breaks and breaks[-1] > fits // 2 else fits
            pieces.append(word[:cut])
            word = word[cut:]
        return [*pieces, word], whole

    def extent(self, text: str, faces: list[Path], size: int) -> float:
        """How wide ``text`` is on the cover: its advance, or its ink where a glyph
        reaches further."""
        key = (text, tuple(faces), size)
        found = self.extents.get(key)
        if found is None:
            found = self.extents[key] = self._extent(text, faces, size)
        return found

    def _extent(self, text: str, faces: list[Path], size: int) -> float:
        start, end, x = 0.0, 0.0, 0.0
        for face, run in self.runs(text, faces):
            left, right, advance = self.measure(run, face, size)
            start, end = min(start, x + left), max(end, x + right)
            x += advance
        return max(end, x) - start

    def measure(self, run: str, face: Path, size: int) -> tuple[float, float, float]:
        """Where a run's ink starts and ends from its origin, and its advance."""
        key = (run, face, size)
        found = self.measures.get(key)
        if found is None:
            font = self.font(face, size)
            left, _, right, _ = font.getbbox(run, anchor="ls", **self.options)
            found = self.measures[key] = (left, right, font.getlength(run, **self.options))
        return found

    def layout(self) -> dict[str, Any]:
        from PIL import features

        if not features.check("raqm"):
            return {}
        return {"direction": "rtl" if self.rtl else "ltr", "language": self.briefing.language}

    def fit(self, text: str, sizes: tuple[int, ...], *, bold: bool,
            families: tuple[str, ...] | None = None,
            max_lines: int = 7) -> tuple[int, list[str], list[Path]]:
        """The largest of ``sizes`` that sets ``text`` in at most ``max_lines`` lines
        with every word whole, else the smallest: the size, the lines and the faces.
        Lines past ``max_lines`` are cut, with an ellipsis."""
        faces = self.faces(text, bold=bold, families=families)
        room = WIDTH - 2 * MARGIN
        for size in sizes:
            lines, whole = self.lines(text, faces, size, room)
            if whole and len(lines) <= max_lines:
                break
        if len(lines) > max_lines:
            lines = [*lines[:max_lines - 1], " ".join(lines[max_lines - 1:])]
            while len(lines[-1]) > 1 and self.extent(lines[-1] + "\u2026", faces, size) > room:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + "\u2026"
        return size, lines, faces

    def draw_lines(self, lines: list[str], faces: list[Path], top: float, size: int,
                   colour: str, leading: float = 1.2) -> float:
        """Set ``lines`` from ``top``, from the side lines start; the next free ``top``.

        Runs in different faces follow each other from that side: the shaping engine
        orders the text inside a run, and a run holds a whole script's stretch."""
        for line in lines:
            x = float(WIDTH - MARGIN if self.rtl else MARGIN)
            runs = self.runs(line, faces)
            if runs:
                # a glyph reaching past its start (a swash, a "j") starts a hair further in
                left, right, advance = self.measure(runs[0][1], runs[0][0], size)
                x += -max(0.0, right - advance) if self.rtl else max(0.0, -left)
            for face, run in runs:
                # on a common baseline, about an ascent below the line's top
                self.ink(colour).text((x, top + size * 0.8), run, font=self.font(face, size),
                                      fill=255, anchor="rs" if self.rtl else "ls",
                                      **self.options)
                step = self.measure(run, face, size)[2]
                x += -step if self.rtl else step
            top += size * leading
        return top

    def write(self, text: str, top: float, size: int, colour: str, *, bold: bool,
              families: tuple[str, ...] | None = None, leading: float = 1.2,
              max_lines: int = 7) -> float:
        """Set ``text`` from ``top`` at ``size``, smaller if a word would not fit a line;
        the next free ``top``."""
        sizes = tuple(round(size * share) for share in SHRINK)
        size, lines, faces = self.fit(text, sizes, bold=bold, families=families,
                                      max_lines=max_lines)
        return self.draw_lines(lines, faces, top, size, colour, leading)

    def render(self) -> bytes:
        look, b = self.look, self.briefing
        colours, fonts = look.colours, look.fonts
        top = float(MARGIN)
        if self.masthead:
            top = self.write(self.masthead.upper(), top, 46, colours.accent, bold=True,
                             max_lines=2)
            top += 14
        self.ink(colours.accent).rectangle((MARGIN, top, WIDTH - MARGIN, top + 12), fill=255)
        top += 12 + 110
        title = tie_last_words(typeset(b.title, b.language))
        size = 104 if len(title) < 60 else 84 if len(title) < 110 else 68
        top = self.write(title, top, size, colours.text, bold=True, leading=1.18,
                         max_lines=TITLE_LINES)
        if b.subtitle:
            top += 40
            self.write(tie_last_words(typeset(b.subtitle, b.language)), top, 50, colours.muted,
                       bold=False, families=(fonts.headings, fonts.body), max_lines=4)
        # the dateline at the foot, over a thin rule: the one every format prints
        size, lines, faces = self.fit(dateline(b, self.conventions), (44, 40, 36), bold=False,
                                      max_lines=2)
        foot = HEIGHT - MARGIN - 52 - (len(lines) - 1) * size * 1.2
        self.ink(colours.text).rectangle((MARGIN, foot - 36, WIDTH - MARGIN, foot - 33),
                                         fill=255)
        self.draw_lines(lines, faces, foot, size, colours.text)
        return palette_png(self.ground, list(self.masks.items()))


def palette_png(ground: tuple[int, int, int], layers: list[tuple[tuple[int, int, int], Any]]
                ) -> bytes:
    """The cover as a palette PNG, from the coverage mask of each ink drawn on ``ground``:
    entry 0 the ground, then for each ink the shades from the ground to it (the ink
    itself last), as many as the palette holds.  A pixel covered by an ink takes the
    shade of its coverage, so the ground and each ink come out exact."""
    from PIL import Image as Picture
    from PIL import ImageChops

    steps = 255 // max(1, len(layers))
    flat = list(ground)
    indices = Picture.new("L", (WIDTH, HEIGHT), 0)
    for number, (ink, mask) in enumerate(layers):
        first = 1 + number * steps  # the shade of the least coverage
        for step in range(1, steps + 1):
            flat += [round(g + (i - g) * step / steps) for g, i in zip(ground, ink, strict=True)]
        # coverage 1..255 to this ink's entries, 0 (not drawn) to the ground
        levels = [0] + [first + (level * steps - 1) // 255 for level in range(1, 256)]
        # inks do not overlap (lines of text, rules): the layers' entries add up as a maximum,
        # worked out where the ink is (elsewhere its coverage is 0: the ground stays)
        box = mask.getbbox()
        if box is not None:
            indices.paste(ImageChops.lighter(indices.crop(box), mask.crop(box).point(levels)),
                          box)
    indices.putpalette(flat + [0] * (768 - len(flat)))  # "L" to "P", the same pixels
    out = io.BytesIO()
    indices.save(out, "PNG", compress_level=COMPRESS_LEVEL, compress_type=COMPRESS_TYPE)
    return out.getvalue()


def is_cover(data: bytes) -> bool:
    """Whether ``data`` is a PNG of a cover's size, whole (as a kept one must be)."""
    if not data.startswith(_PNG) or len(data) < len(_PNG) + _IHDR.size + 12:
        return False
    _, kind, width, height = _IHDR.unpack_from(data, len(_PNG))
    return kind == b"IHDR" and (width, height) == (WIDTH, HEIGHT) and data.endswith(
        b"IEND\xaeB`\x82")


def cover_key(briefing: Briefing, theme: Theme, masthead: str,
              conventions: Mapping[str, Convention] | None) -> str:
    """The cache key of a cover: a digest of everything it is drawn from."""
    import PIL
    from PIL import features

    from briefkit import __version__

    drawn = [COVER_VERSION, __version__, PIL.__version__, features.check("raqm"),
             theme.fingerprint, masthead, briefing.title, briefing.subtitle,
             dateline(briefing, conventions), briefing.language, briefing.direction]
    digest = hashlib.sha256(json.dumps(drawn, ensure_ascii=False).encode("utf-8"))
    return f"epub-cover-{COVER_VERSION}-{digest.hexdigest()}"


def cover(briefing: Briefing, theme: Theme, masthead: str,
          conventions: Mapping[str, Convention] | None = None,
          keep: Keep | None = None) -> bytes | None:
    """The cover as PNG bytes, its dateline written by the newsroom's ``conventions``;
    None when it could not be set correctly (right-to-left or complex-script text
    without libraqm).  ``keep`` (the export's cache) keeps it, by :func:`cover_key`."""
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
    def make() -> bytes:
        return _Cover(briefing, theme, masthead, conventions).render()

    try:
        if keep is None:
            return make()
        return keep(cover_key(briefing, theme, masthead, conventions), make, is_cover)
    except (RuntimeError, OSError, ValueError):  # text the layout library cannot set
        return None
