"""Contact sheets, terminal screens as pictures and the index page, for scripts/look.

Only for looking: the fonts here are whatever the machine has (DejaVu from Debian's
fonts-dejavu-core when present), never those of an output.
"""

from __future__ import annotations

import html
import json
import subprocess
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

THUMB = 300  # the height of a thumbnail on a sheet
SHEET = 1800  # the width of a sheet
GAP = 12
LABEL = 18  # the height of the label under a thumbnail
FIRST, LAST = 4, 2  # a long run of pages shows its first four and last two
# a full-page screenshot is cut into screens this tall for its thumbnails
SCREEN = {390: 780}
SCREEN_OTHER = 960
THEME_FONTS = Path(__file__).resolve().parent.parent / "src/briefkit/theme/packaged/default/fonts"


class Shot(NamedTuple):
    """One image made from one output: whose, of what, and where it is."""

    theme: str
    briefing: str
    group: str  # one row of the sheet: "PDF", "web 390", "RSS in newsboat" ...
    label: str  # under the thumbnail: "PDF p.3/41"
    path: str
    screens: bool = False  # a full-page screenshot: shown on the sheet as screens


# --- fonts ---------------------------------------------------------------------------------

def _font_file(pattern: str) -> str | None:
    """The file fontconfig picks for ``pattern``, if fontconfig is there."""
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                              text=True, timeout=30, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None


@cache
def _faces() -> list[tuple[str, frozenset[int]]]:
    """Font files to draw terminal text with, each with its characters: a monospace face
    first, then faces that cover what it lacks (Arabic, Hebrew, emoji)."""
    files = [_font_file("DejaVu Sans Mono"), _font_file("monospace"), _font_file("DejaVu Sans"),
             *map(str, sorted(THEME_FONTS.glob("Noto*.ttf"))), str(THEME_FONTS / "Amiri-Regular.ttf")]
    faces = []
    for file in dict.fromkeys(f for f in files if f and Path(f).is_file()):
        with TTFont(file, lazy=True) as font:
            faces.append((file, frozenset(font.getBestCmap())))
    return faces


@cache
def _font(file: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(file, size) if file else ImageFont.load_default(size)


def _label_font(size: int = 13) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return _font(_font_file("DejaVu Sans"), size)


# --- terminal screens ----------------------------------------------------------------------

def draw_terminal(lines: list[str], target: Path, size: int = 15) -> None:
    """Draw captured terminal text the way a terminal does: one character a cell (two for wide
    ones), in logical order, white on black; the first line and the last one written
    (newsboat's title and help bars) on blue."""
    faces = _faces()
    mono = _font(faces[0][0] if faces else None, size)
    cell_w = round(mono.getlength("M"))
    cell_h = round(size * 1.3)
    columns = max(100, *(sum(_cells(c) for c in line) for line in lines))
    image = Image.new("RGB", (columns * cell_w + 16, len(lines) * cell_h + 16), "black")
    draw = ImageDraw.Draw(image)
    bars = {0, max((n for n, line in enumerate(lines) if line.strip()), default=0)}
    for row, line in enumerate(lines):
        y = 8 + row * cell_h
        if row in bars:
            draw.rectangle((0, y, image.width, y + cell_h - 1), fill=(0, 0, 160))
        column = 0
        for char in line:
            cells = _cells(char)
            if cells == 0 and unicodedata.category(char) == "Cf":
                continue  # invisible in a terminal too
            face = next((f for f, chars in faces if ord(char) in chars), None)
            # a mark goes on the cell before it
            x = 8 + (column if cells else max(0, column - 1)) * cell_w
            draw.text((x, y), char, font=_font(face, size), fill=(235, 235, 235),
                      embedded_color=True)
            column += cells
    image.save(target)


def _cells(char: str) -> int:
    # as wcwidth(3) counts: marks and format characters (joiners, selectors) take no cell
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


# --- contact sheets ------------------------------------------------------------------------

class Thumb(NamedTuple):
    label: str
    image: Image.Image | None  # None: the place of the pages left out
    path: str | None


def _thumbs(shots: list[Shot]) -> Iterator[Thumb]:
    """The thumbnails of one row: each page, or each screen of a full-page screenshot, the
    middle of a long run left out."""
    pieces: list[Thumb] = []
    for shot in shots:
        with Image.open(shot.path) as opened:
            image = opened.convert("RGB")
        screen = SCREEN.get(image.width, SCREEN_OTHER)
        if shot.screens and image.height > screen * 1.25:
            # every screen at the same scale, the last (shorter) one included
            scale = THUMB / screen
            count = -(-image.height // screen)
            for n in range(count):
                part = image.crop((0, n * screen, image.width, min(image.height, (n + 1) * screen)))
                size = (round(part.width * scale), max(1, round(part.height * scale)))
                pieces.append(Thumb(f"{shot.label} · {n + 1}/{count}",
                                    part.resize(size, Image.Resampling.LANCZOS), shot.path))
        else:
            image.thumbnail((SHEET, THUMB), Image.Resampling.LANCZOS)
            pieces.append(Thumb(shot.label, image, shot.path))
    if len(pieces) > FIRST + LAST + 1:
        left_out = len(pieces) - FIRST - LAST
        pieces = [*pieces[:FIRST], Thumb(f"… {left_out} more", None, None), *pieces[-LAST:]]
    yield from pieces


def draw_sheet(shots: list[Shot], target: Path) -> None:
    """One contact sheet: a row (or more) per group of images, a thumbnail each with its label
    under it; beside it, target.json says where each thumbnail is and what it shows."""
    groups: dict[str, list[Shot]] = {}
    for shot in shots:
        groups.setdefault(shot.group, []).append(shot)
    title = f"{shots[0].briefing} · theme {shots[0].theme}" if shots else target.stem
    cells: list[dict[str, object]] = []
    x, y, row_height, right = GAP, 40, 0, 0
    placed: list[tuple[Thumb, tuple[int, int]]] = []
    for group in groups.values():
        if x > GAP:  # every group starts a row
            x, y, row_height = GAP, y + row_height + GAP, 0
        for thumb in _thumbs(group):
            width = max(thumb.image.width if thumb.image else 0,
                        round(_label_font().getlength(thumb.label)) + 4)
            if x + width > SHEET - GAP and x > GAP:
                x, y, row_height = GAP, y + row_height + GAP, 0
            placed.append((thumb, (x, y)))
            height = (thumb.image.height if thumb.image else THUMB) + LABEL
            row_height = max(row_height, height)
            x += width + GAP
            right = max(right, x)
    sheet = Image.new("RGB", (max(right, 600), y + row_height + GAP), (200, 200, 200))
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, 10), title, fill="black", font=_label_font(18))
    for thumb, (left, top) in placed:
        if thumb.image is None:
            width = round(_label_font().getlength(thumb.label)) + 4
            draw.rectangle((left, top, left + width, top + THUMB - 1), fill=(170, 170, 170))
            draw.text((left + 2, top + THUMB // 2), thumb.label, fill="black", font=_label_font())
            continue
        sheet.paste(thumb.image, (left, top))
        box = (left, top, left + thumb.image.width, top + thumb.image.height)
        draw.text((left, top + thumb.image.height + 2), thumb.label, fill="black",
                  font=_label_font())
        cells.append({"label": thumb.label, "box": box,
                      "image": str(Path(thumb.path).relative_to(target.parent))
                      if thumb.path else None})
    sheet.save(target)
    target.with_suffix(".json").write_text(json.dumps(
        {"briefing": shots[0].briefing if shots else target.stem,
         "theme": shots[0].theme if shots else target.parent.name, "cells": cells},
        indent=1, ensure_ascii=False) + "\n", "utf-8")


# --- the index page ------------------------------------------------------------------------

def write_index(look: Path) -> Path:
    """look/index.html: every sheet, with links to every full-size image beside it."""
    parts = ["<!doctype html><meta charset=utf-8><title>briefkit: make look</title>",
             ("<style>body{font:14px sans-serif;margin:1em}img{max-width:100%;"
              "border:1px solid #999}li{display:inline;margin-right:.8em}</style>"),
             "<h1>make look</h1>"]
    for theme in sorted(p for p in look.iterdir() if p.is_dir()):
        parts.append(f"<h2>theme {html.escape(theme.name)}</h2>")
        for sheet in sorted(theme.glob("*.png")):
            name = f"{theme.name}/{sheet.name}"
            parts.append(f"<h3 id='{html.escape(theme.name)}-{html.escape(sheet.stem)}'>"
                         f"{html.escape(sheet.stem)}</h3><a href='{html.escape(name)}'>"
                         f"<img src='{html.escape(name)}' loading=lazy alt=''></a><ul>")
            images = sorted((theme / sheet.stem).glob("*")) if (theme / sheet.stem).is_dir() else []
            for image in images:
                link = f"{theme.name}/{sheet.stem}/{image.name}"
                parts.append(f"<li><a href='{html.escape(link)}'>{html.escape(image.stem)}</a>")
            parts.append("</ul>")
    index = look / "index.html"
    index.write_text("\n".join(parts) + "\n", "utf-8")
    return index
