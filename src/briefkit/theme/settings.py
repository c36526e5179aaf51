"""What a theme.toml may say: every value typed, bounded and safe to write into CSS,
Word styles and XML as it is.

A theme's values reach the stylesheet of every web page, so a value is checked
for what it is (a colour is a hex colour, a font family a name of letters,
digits, spaces, hyphens and full stops, a size a finite number within bounds),
never escaped after the fact.  :func:`problems` turns what pydantic finds into
one located line per problem: ``theme.toml:line:col: key: message``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from briefkit import links
from briefkit.characters import check_characters
from briefkit.errors import Problem
from briefkit.objections import objections
from briefkit.tomlfiles import Key, key_lines, locate

#: Body text size, in points
MIN_FONT_SIZE, MAX_FONT_SIZE = 5.0, 48.0
#: Each page margin, in millimetres
MAX_MARGIN_MM = 60.0
#: Longest text value (name, description, masthead, footer)
MAX_TEXT = 200

_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FAMILY = re.compile(r"[^\W_](?:[\w.\-]| (?! ))*(?<! )")
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_FILE = re.compile(r"[\w][\w.\- ]*(/[\w][\w.\- ]*)*")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}")
_LENGTH = re.compile(r"(\d{1,4}(?:\.\d{1,4})?)(mm|cm|in|pt)")
_PER_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


def _one_line(value: str) -> str:
    """Plain text on one line: no control character, no line or paragraph separator."""
    for index, ch in enumerate(value):
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufffe\uffff":
            raise ValueError(f"control character U+{ord(ch):04X} at position {index + 1}: "
                             "a theme value is one line of plain text")
    if len(value) > MAX_TEXT:
        raise ValueError(f"is {len(value)} characters long: at most {MAX_TEXT}")
    return value


def _colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise ValueError(f"{value!r} is not a colour: write it as '#rrggbb' (or '#rgb')")
    digits = value[1:].lower()
    return "#" + ("".join(d * 2 for d in digits) if len(digits) == 3 else digits)


def _family(value: str) -> str:
    if not _FAMILY.fullmatch(value) or len(value) > 80:
        raise ValueError(f"{value!r} is not a font family name: letters, digits, single "
                         "spaces, '-' and '.' only, at most 80 characters")
    return value


def _font_size(value: float) -> float:
    if not math.isfinite(value) or not MIN_FONT_SIZE <= value <= MAX_FONT_SIZE:
        raise ValueError(f"{value} is not a text size: give points from {MIN_FONT_SIZE:g} "
                         f"to {MAX_FONT_SIZE:g}")
    return value


def _weight(value: int) -> int:
    if not 1 <= value <= 1000:
        raise ValueError(f"{value} is not a font weight: from 1 to 1000 (400 regular, 700 bold)")
    return value


def _file(value: str) -> str:
    if not _FILE.fullmatch(value) or ".." in value.split("/") or len(value) > MAX_TEXT:
        raise ValueError(f"{value!r} is not a file of the theme: a relative path "
                         "('fonts/Face.ttf') of letters, digits, spaces, '-', '_' and '.'")
    # a logo or a web font is published under this path: bounded as an address writes it,
    # so that every address under base_url stays within what a sitemap allows
    written = len(quote(value, safe="/"))
    if written > links.THEME_PATH_MAX:
        raise ValueError(f"is {written} characters long as an address writes it (letters "
                         f"beyond ASCII take up to 12): at most {links.THEME_PATH_MAX}")
    return value


def _margins(value: str) -> str:
    parts = value.split(" ")
    if not 1 <= len(parts) <= 4:
        raise ValueError(f"{value!r}: give 1 to 4 lengths separated by single spaces, as in CSS")
    for part in parts:
        match = _LENGTH.fullmatch(part)
        if not match:
            raise ValueError(f"{value!r}: {part!r} is not a length in mm, cm, in or pt")
        if float(match.group(1)) * _PER_MM[match.group(2)] > MAX_MARGIN_MM:
            raise ValueError(f"{value!r}: {part} is over {MAX_MARGIN_MM:g} mm")
    return value


def _language_tag(value: str) -> str:
    if not _LANGUAGE_TAG.fullmatch(value):
        raise ValueError(f"{value!r} is not a language tag: write it as in a briefing "
                         "('fr', 'ar', 'pt-BR')")
    return value


def theme_name(value: str) -> str:
    if not _THEME_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a theme name: letters, digits, '-' and '_'")
    return value


OneLine = Annotated[str, AfterValidator(_one_line), AfterValidator(check_characters)]
Colour = Annotated[str, AfterValidator(_colour)]
Family = Annotated[str, AfterValidator(_family)]
ThemeFile = Annotated[str, AfterValidator(_one_line), AfterValidator(_file)]
LanguageTag = Annotated[str, AfterValidator(_language_tag)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class FontFile(_Table):
    """One font file carried by the theme (OFL-licensed), for @font-face."""

    family: Family
    path: ThemeFile
    weight: Annotated[int, AfterValidator(_weight)] = 400
    style: Literal["normal", "italic"] = "normal"


class Fonts(_Table):
    body: Family = "Charis SIL"
    headings: Family = "Inter"
    #: families for scripts the first two lack (Arabic, Hebrew ...), in order
    fallback: Annotated[list[Family], Field(max_length=20)] = ["Amiri", "Noto Sans Hebrew"]
    size: Annotated[float, AfterValidator(_font_size)] = 10.5  # body size in points, printed
    files: Annotated[list[FontFile], Field(max_length=100)] = []

    @property
    def families(self) -> tuple[str, ...]:
        """Every family text is set in: the body's, the headings', then the fallbacks."""
        return tuple(dict.fromkeys((self.body, self.headings, *self.fallback)))

    def stack(self, first: str) -> tuple[str, ...]:
        """The families text set in ``first`` falls back through: every other family of
        the theme, so that a character one face lacks comes from another face the theme
        carries (Greek in the body, say), never from the fonts of the machine."""
        return tuple(dict.fromkeys((first, *self.families)))

    def files_of(self, families: Collection[str] | None = None) -> list[FontFile]:
        """The font files of ``families`` (every one, when None), in theme.toml's order."""
        return [face for face in self.files if families is None or face.family in families]


class Colours(_Table):
    text: Colour = "#1d1d1f"
    accent: Colour = "#b0171f"
    muted: Colour = "#5f6368"
    rule: Colour = "#d8d8d8"
    shade: Colour = "#f3f1ec"  # factbox background


class Page(_Table):
    size: Literal["A4", "Letter"] = "A4"
    #: top, right, bottom, left, as in CSS
    margins: Annotated[str, AfterValidator(_margins)] = "22mm 20mm 24mm 20mm"


class Brand(_Table):
    masthead: OneLine = ""  # empty: the project's publisher
    logo: ThemeFile | None = None  # a file in the theme folder
    footer: OneLine = ""
    #: the footer in other languages, by language tag ("fr", "ar", "pt-BR")
    footers: Annotated[dict[LanguageTag, OneLine], Field(max_length=100)] = {}

    def footer_in(self, language: str) -> str:
        """The footer line of a briefing in ``language`` (a BCP 47 tag): its translation
        for the tag, else for the language, else ``footer``."""
        translations = {tag.lower(): text for tag, text in self.footers.items()}
        tag = language.lower()
        return translations.get(tag) or translations.get(tag.split("-")[0]) or self.footer


class ThemeSettings(_Table):
    name: OneLine = ""
    description: OneLine = ""
    extends: Annotated[str, AfterValidator(theme_name)] | None = None
    fonts: Fonts = Fonts()
    colours: Colours = Colours()
    page: Page = Page()
    brand: Brand = Brand()


def problems(error: ValidationError, origin: dict[Key, tuple[str, str]]) -> list[Problem]:
    """One located line per problem; ``origin`` names, for each key, the theme.toml
    (as shown, and its text) it was read from."""
    found = []
    for objection in objections(error, ThemeSettings, unknown="unknown key"):
        loc: Key = objection.path
        shown, text = next((origin[loc[:n]] for n in range(len(loc), -1, -1)
                            if loc[:n] in origin), ("theme.toml", ""))
        line, column = locate(loc, key_lines(text))
        key = ".".join(str(p) for p in loc) or "(top)"
        found.append(Problem(shown, f"{key}: {objection.message}", line, column))
    return sorted(found, key=lambda p: (p.file, p.line or 0, p.column or 0))


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` over ``parent``, key by key; tables merge, anything else is replaced."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
