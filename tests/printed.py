"""What a printed page shows, read from the PDF by tools that did not write it.

Where each word stands (poppler's ``pdftotext -bbox``), in which face, size and colour each
run of text is set (pypdf's content-stream visitor), and where ink falls on the page
(poppler's ``pdftoppm``, read pixel by pixel with Pillow).  Positions are in points from the
top left corner of the page, as pdftotext gives them.
"""

from __future__ import annotations

import io
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
from lxml import etree

MM = 72 / 25.4  # points in a millimetre


@dataclass(frozen=True)
class Word:
    """One word as pdftotext finds it (right-to-left words come in visual order)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    """The words of one page, and its size in points."""

    width: float
    height: float
    words: tuple[Word, ...]

    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def pages(path: Path) -> list[Page]:
    """Every page of the PDF at ``path``, with the box of each of its words."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"],
                         capture_output=True, check=True, timeout=120).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True, resolve_entities=False))
    found = []
    for page in root.iter("{*}page"):
        words = tuple(Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                           float(w.get("xMax")), float(w.get("yMax")))
                      for w in page.iter("{*}word"))
        found.append(Page(float(page.get("width")), float(page.get("height")), words))
    return found


@dataclass(frozen=True)
class Run:
    """A run of text as the PDF draws it: its face (without the subset tag), its size in
    points, its fill colour (0 to 255 per channel) and where it starts (its baseline)."""

    text: str
    face: str
    size: float
    colour: tuple[int, ...]
    x: float
    y: float


def runs(path: Path) -> list[list[Run]]:
    """The runs of text of each page, in the order the PDF draws them."""
    found: list[list[Run]] = []
    for page in pypdf.PdfReader(path).pages:
        here: list[Run] = []
        top = float(page.mediabox.top)
        colour: list[tuple[int, ...]] = [(0, 0, 0)]

        def operator(op: bytes, args: list[object], cm: list[float], tm: list[float],
                     colour: list[tuple[int, ...]] = colour) -> None:
            if op == b"rg":
                colour[0] = tuple(round(float(a) * 255) for a in args)  # type: ignore[arg-type]
            elif op == b"g":
                colour[0] = (round(float(args[0]) * 255),) * 3  # type: ignore[arg-type]

        def text(value: str, cm: list[float], tm: list[float], font: object, size: float,
                 here: list[Run] = here, colour: list[tuple[int, ...]] = colour,
                 top: float = top) -> None:
            if not value.strip() or not isinstance(font, dict):
                return
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            face = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            here.append(Run(value, face, round(size * scale, 2), colour[0], x, top - y))

        page.extract_text(visitor_operand_before=operator, visitor_text=text)
        found.append(here)
    return found


def picture(path: Path, page: int, dpi: int = 100) -> object:
    """Page ``page`` (from 1) as Pillow draws what pdftoppm rendered, in RGB."""
    from PIL import Image

    png = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                          str(path)], capture_output=True, check=True, timeout=120).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")
