"""The theme's fonts inside the e-book: subset font files and their ``@font-face`` rules.

A reading system sets text in the faces a book carries, else in its own: a
serif where the theme is sans-serif, a box where no font of the device has an
emoji.  The book carries the regular, bold, italic and bold italic of the
body's and the headings' families, and of each fallback family (Amiri, Noto
Sans Hebrew, Noto Emoji ...) holding a character of the book that the
families before it lack.  Each face is cut down to the book's characters
(with their capitals, which a stylesheet may ask for, and what a reading
system draws itself: list numbers, bullets, a hyphen), in a language written
in Latin letters to those letters and punctuation too, which all its books
share, and to the OpenType features a reading system applies; in its own
outlines: TrueType as ``font/ttf`` or CFF (Inter) as ``font/otf``, the
formats every EPUB reading system reads (Adobe's RMSDK, in many e-ink
readers, reads no WOFF2).  That is about 200 KB of fonts for an English
briefing in the default theme.  Subsets are kept in the export's cache by
the digest of the face and of its characters: the books of a language
written in Latin letters ask for the same ones, made once (a second or
two).  Faces whose licence bits forbid embedding stay out.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefkit.errors import ThemeError
from briefkit.exporters.base import Wanted
from briefkit.render.html import css_string
from briefkit.theme import Theme, digest_of
from briefkit.theme.fonts import embedding_restricted, subset_face

#: Folder of the fonts inside the book's package (beside style/ and images/)
FOLDER = "fonts"
#: The weights a stylesheet's "normal" and "bold" ask for
WEIGHTS = (400, 700)
#: Drawn by a reading system beside the book's text: list numbers and bullets, the
#: quote attribution's dash, the hyphen of a broken word
GENERATED = "0123456789.\u2022\u25e6\u25aa-\u2010\u2014\u00a0"
#: In every subset: printable ASCII, Latin-1, dashes, quotes, ellipsis, bullets, the
#: narrow no-break space, the euro and the minus, which books in Latin scripts share
SHARED = "".join(map(chr, (*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2028),
                           *range(0x2030, 0x203B), 0x202F, 0x20AC, 0x2212)))
#: OpenType features the e-book's stylesheet asks for, beside those on by default
#: (``font-variant-numeric: tabular-nums`` in tables)
STYLESHEET_FEATURES = ("tnum",)
#: Changes when the way subsets are made changes, so that kept ones are made again
SUBSET_VERSION = 1


@dataclass(frozen=True)
class BookFont:
    """One face in the book: where it is in the package, its media type, bytes, and the
    ``@font-face`` it answers to."""

    href: str
    media_type: str
    data: bytes
    family: str
    weight: int
    style: str

    def rule(self, stylesheet: str) -> str:
        """Its ``@font-face`` rule, for a stylesheet at ``stylesheet`` in the package."""
        url = posixpath.relpath(self.href, posixpath.dirname(stylesheet))
        return (f"@font-face {{ font-family: {css_string(self.family)}; src: url({css_string(url)});"
                f" font-weight: {self.weight}; font-style: {self.style}; }}")


def book_fonts(theme: Theme, text: str, language: str,
               keep_all: Callable[[Sequence[Wanted]], list[bytes]] | None = None,
               ) -> list[BookFont]:
    """The faces the book's ``text`` (in ``language``) is set in, subset; families in the
    theme's order.  ``keep_all`` (the export context's cache, Cache.get_all) keeps the
    subsets."""
    fonts = theme.settings.fonts
    # with the capitals a stylesheet may ask for (the masthead, credits), and in a language
    # written in Latin letters those books share: the books of a language ask for one subset
    shared = SHARED if _in_latin_script(language) else ""
    wanted = {ord(ch) for ch in f"{text}{text.upper()}{GENERATED}{shared}"}
    faces, subsets = [], []
    for family in theme.families_for(text):
        for face in fonts.files:
            path = theme.find(face.path) if face.family == family else None
            if path is None or face.weight not in WEIGHTS or embedding_restricted(path):
                continue
            characters = "".join(map(chr, sorted(wanted & theme.drawn_by(path))))

            def make(path: Path = path, characters: str = characters) -> bytes:
                try:
                    return subset(path, characters)
                except Exception as error:  # noqa: BLE001 (fontTools raises many kinds on a damaged font)
                    raise ThemeError(f"theme '{theme.name}': {path.name} cannot be embedded "
                                     f"in the e-book ({error})") from None

            faces.append((family, face))
            subsets.append((_key(path, characters), make, is_sfnt))
    found = []
    made = keep_all(subsets) if keep_all else [make() for _, make, _ in subsets]
    for (family, face), data in zip(faces, made, strict=True):
        cff = data[:4] == b"OTTO"
        stem = posixpath.splitext(posixpath.basename(face.path))[0]
        found.append(BookFont(f"{FOLDER}/{stem}{'.otf' if cff else '.ttf'}",
                              "font/otf" if cff else "font/ttf", data, family,
                              face.weight, face.style))
    return found


def _in_latin_script(language: str) -> bool:
    """Whether ``language`` (a BCP 47 tag) is written in Latin letters, as CLDR's likely
    subtags say ('en' -> 'en_Latn_US')."""
    from babel.core import get_global

    tag = language.replace("-", "_")
    likely = get_global("likely_subtags")
    found = likely.get(tag.lower()) or likely.get(tag.split("_")[0].lower(), "")
    return "_Latn" in found or "_Latn" in f"_{tag}_"


def _key(path: Path, characters: str) -> str:
    """The cache key of a subset: what its bytes depend on (the face, the characters)."""
    wanted = hashlib.sha256(characters.encode("utf-8", "surrogatepass")).hexdigest()
    return f"epub-font-{SUBSET_VERSION}-{digest_of(path)[:32]}-{wanted[:32]}"


def is_sfnt(data: bytes) -> bool:
    """Whether ``data`` is an OpenType font with TrueType or CFF outlines and a sound
    ``head``: what a subset kept between runs must be before it goes in a book."""
    from fontTools.ttLib import TTFont

    if data[:4] not in (b"\x00\x01\x00\x00", b"OTTO"):
        return False
    try:
        with TTFont(io.BytesIO(data), lazy=True) as font:
            return font["head"].magicNumber == 0x5F0F3CF5 and ("glyf" in font or "CFF " in font)
    except Exception:  # noqa: BLE001 (fontTools raises many kinds on bytes that are no font)
        return False


@lru_cache(maxsize=32)
def subset(path: Path, characters: str) -> bytes:
    """The font at ``path`` cut down to ``characters``, with its layout features and
    names, as plain OpenType (a WOFF or WOFF2 file unwrapped)."""
    from fontTools import subset as subsetting

    # the features a reading system applies by itself (kerning, ligatures, Arabic
    # forms, marks ...) and the figures the stylesheet asks for; not the stylistic sets
    # and small capitals no stylesheet of the book asks for (they double a face's size)
    features = [*subsetting.Options().layout_features, *STYLESHEET_FEATURES]
    return subset_face(path, characters, features)


def font_faces(fonts: Iterable[BookFont], stylesheet: str) -> str:
    """The ``@font-face`` rules of ``fonts`` for the stylesheet at ``stylesheet``."""
    return "".join(font.rule(stylesheet) + "\n" for font in fonts)
