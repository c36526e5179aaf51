"""The theme's fonts, made ready for Word's font embedding.

Word embeds TrueType faces only (``glyf`` outlines), one per style slot of a
family: regular, bold, italic, bold italic.  Each face is subset to the
characters of the document, with their Unicode neighbourhood, plus Latin-1
and common punctuation, so a partner can still correct a word without the
text falling back to another font, and the document stays small (Word's own
"embed only the characters used" does the same).  Subsets are kept in the
export's cache (the project's state folder, between runs), by the digest of
the face and of the characters: briefings in one language ask for the same
ones, so an edit seldom makes one again.  Faces with
PostScript outlines (``.otf``, CFF, as Inter ships) are converted to TrueType
quadratic outlines with fontTools' ``cu2qu``, which the SIL Open Font License
allows (Inter reserves no font name).  Faces of other weights (Inter
SemiBold) have no slot and are left out, as are faces whose licence bits
forbid embedding.

Embedded, each face is obfuscated with a key derived from its bytes (ECMA-376 part 1,
17.8.1), so the same document gives the same file.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from lxml import etree  # type: ignore[import-untyped]

from briefkit.errors import ThemeError
from briefkit.exporters.base import Cache
from briefkit.exporters.docx.ooxml import prefixed
from briefkit.theme import FontFile, Theme, digest_of, sfnt
from briefkit.theme.fonts import (
    embedding_restricted,
    subset_face,
)

#: Word's four faces of a family, in fontTable.xml's order
SLOTS = ("Regular", "Bold", "Italic", "BoldItalic")
#: Kept in every subset, for partners' edits: printable ASCII, Latin-1, dashes, quotes,
#: ellipsis, bullets, the euro, and the no-break and narrow no-break spaces
EDITING = "".join(map(chr, (*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2028),
                            *range(0x2030, 0x203B), 0x202F, 0x20AC, 0x2212)))
# characters come in neighbourhoods of this many code points
PAGE = 128
# how far a quadratic curve may stray from the cubic it replaces, in font units
_MAX_ERROR = 1.0
#: changes when the way subsets are made changes, so that kept ones are made again
SUBSET_VERSION = 1
#: ``keep(key, make, check)``: the export context's cache
Keep = Callable[[str, Callable[[], bytes], Callable[[bytes], bool]], bytes]


@dataclass(frozen=True)
class Face:
    """One face to embed: its family, Word's slot for it and the TrueType bytes."""

    family: str
    slot: str  # one of SLOTS
    data: bytes


def slot_of(face: FontFile) -> str | None:
    """Word's slot for a theme font file, or None for a weight Word has no slot for."""
    if face.weight not in (400, 700):
        return None
    return ("Bold" if face.weight == 700 else "") + ("Italic" if face.style == "italic" else "") \
        or "Regular"


def faces(theme: Theme, families: Iterable[str], text: str,
          keep: Keep | None = None) -> list[Face]:
    """The faces of ``families`` Word can embed, each subset to ``text`` and the
    editing set, as TrueType; families in order, then slots in Word's order.
    ``keep(key, make, check)`` (the export context's cache) keeps the subsets between
    runs, and hands back only what :func:`is_truetype`."""
    return [Face(family, slot, subset_of(theme, path, characters, keep))
            for family, slot, path, characters in wanted_faces(theme, families, text)]


def wanted_faces(theme: Theme, families: Iterable[str],
                 text: str) -> Iterator[tuple[str, str, Path, str]]:
    """For each face of ``families`` Word can embed, in Word's order: its family, slot,
    file, and the characters its subset holds (``text``'s neighbourhoods and the
    editing set)."""
    wanted = {ord(ch) for ch in EDITING}
    # each character brings its 128-character neighbourhood (its Unicode block, near
    # enough): briefings in one language then ask for the same subsets, made once
    for page in {ord(ch) // PAGE for ch in text}:
        wanted.update(range(page * PAGE, (page + 1) * PAGE))
    for family in families:
        by_slot: dict[str, Path] = {}
        for face in theme.settings.fonts.files:
            slot = slot_of(face)
            path = theme.find(face.path) if face.family == family and slot else None
            if slot and path is not None and not embedding_restricted(path):
                by_slot.setdefault(slot, path)
        for slot in SLOTS:
            if slot in by_slot:
                path = by_slot[slot]
                yield family, slot, path, "".join(map(chr, sorted(wanted & theme.drawn_by(path))))


def subset_of(theme: Theme, path: Path, characters: str, keep: Keep | None = None) -> bytes:
    """The TrueType subset of the face at ``path`` to ``characters``, kept by ``keep``."""
    make = partial(truetype_subset, path, characters)
    try:
        return keep(_key(path, characters), make, is_truetype) if keep else make()
    except Exception as error:  # noqa: BLE001 (fontTools raises many kinds on a damaged font)
        raise ThemeError(f"theme '{theme.name}': {path.name} cannot be embedded in "
                         f"the Word document ({error})") from None


def _key(path: Path, characters: str, kind: str = "font") -> str:
    """The cache key of a subset (``font``) or of the part it is embedded as (``part``):
    what its bytes depend on (the face, the characters)."""
    wanted = hashlib.sha256(characters.encode("utf-8", "surrogatepass")).hexdigest()
    return f"docx-{kind}-{SUBSET_VERSION}-{digest_of(path)[:32]}-{wanted[:32]}"


def is_truetype(data: bytes) -> bool:
    """Whether ``data`` is a whole TrueType font (``glyf`` outlines, a sound ``head``), as
    its table directory says; what a subset kept between runs must be before it is
    embedded in a Word document (microseconds: :mod:`briefkit.theme.sfnt`)."""
    found = sfnt.tables(data) if data[:4] == b"\x00\x01\x00\x00" else None
    return found is not None and sfnt.is_whole(data, found, (b"glyf", b"loca"))


@lru_cache(maxsize=32)
def truetype_subset(path: Path, characters: str) -> bytes:
    """The font at ``path`` cut down to ``characters`` (with its layout features and
    names), with TrueType outlines."""
    def truetype(font: Any) -> None:
        if "CFF " in font:
            _to_truetype(font)

    return subset_face(path, characters, ["*"], truetype)


def _to_truetype(font: object) -> None:
    """Replace a font's CFF outlines by TrueType ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    assert isinstance(font, TTFont)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run the other way round from TrueType's
        glyph_set[name].draw(Cu2QuPen(pen, _MAX_ERROR, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    metrics = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            metrics[name] = (metrics[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxComponentElements = max(
        (len(getattr(g, "components", None) or ()) for g in glyf.glyphs.values()), default=0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and Word needs none
    post.extraNames = []
    post.mapping = {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


# --- embedded fonts -------------------------------------------------------------------

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# font keys are derived from the font's bytes, so the same document gives the same file
_FONT_KEYS = uuid.UUID("5f1d1f0e-2c1b-4d3e-9a47-6b7269656b69")
_FONT_TABLE_XML = f'<w:fonts {nsdecls("w", "r")}/>'
# the start of w:settings' children (17.15.1.78), up to the font embedding switches
_SETTINGS_HEAD = ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
                  "w:removeDateAndTime", "w:doNotDisplayPageBoundaries",
                  "w:displayBackgroundShape", "w:printPostScriptOverText",
                  "w:printFractionalCharacterWidth", "w:printFormsData",
                  "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts")


def obfuscate_font(data: bytes, key: uuid.UUID) -> bytes:
    """A font as Word stores it (ECMA-376 part 1, 17.8.1): its first 32 bytes XORed
    with the 16 bytes of ``key`` taken from the end of its written form to the start.
    The same call undoes it."""
    mask = key.bytes[::-1]
    head = bytes(byte ^ mask[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


def font_key(data: bytes) -> uuid.UUID:
    """The obfuscation key of a font: a UUID 5 of its bytes."""
    return uuid.uuid5(_FONT_KEYS, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class FontPart:
    """A face as the document embeds it: family, slot, key and obfuscated bytes."""

    family: str
    slot: str
    key: uuid.UUID
    data: bytes


def font_parts(theme: Theme, families: Iterable[str], text: str,
               cache: Cache | None = None) -> list[FontPart]:
    """:func:`faces`, obfuscated as Word embeds them; ``cache`` keeps each part whole (its
    key, then its bytes) under the digest of the face and of its characters, so a
    document whose faces were embedded before reads them back as they go in."""
    slots, wanted = [], []
    for family, slot, path, characters in wanted_faces(theme, families, text):
        def make(path: Path = path, characters: str = characters) -> bytes:
            data = subset_of(theme, path, characters, cache.get if cache else None)
            key = font_key(data)
            return key.bytes + obfuscate_font(data, key)

        slots.append((family, slot))
        wanted.append((_key(path, characters, "part"), make, is_font_part))
    made = cache.get_all(wanted) if cache else [make() for _, make, _ in wanted]
    return [FontPart(family, slot, uuid.UUID(bytes=entry[:16]), entry[16:])
            for (family, slot), entry in zip(slots, made, strict=True)]


def is_font_part(entry: bytes) -> bool:
    """Whether a kept part (key, obfuscated bytes) hides a whole TrueType font under the
    key its bytes give (so a document made from it is the one made without it)."""
    if len(entry) < 16 + 32:
        return False
    key = uuid.UUID(bytes=entry[:16])
    data = obfuscate_font(entry[16:], key)
    return is_truetype(data) and font_key(data) == key


def _font_table(document: Document) -> Part:
    try:
        return document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        part = Part(PackURI("/word/fontTable.xml"), CT.WML_FONT_TABLE,
                    _FONT_TABLE_XML.encode(), document.part.package)
        document.part.relate_to(part, RT.FONT_TABLE)
        return part


def embed_fonts(document: Document, faces: Sequence[tuple[str, str, bytes]], *,
                subsetted: bool = True) -> None:
    """Embed TrueType ``faces`` (family, slot 'Regular' | 'Bold' | 'Italic' |
    'BoldItalic', font bytes) in the document: obfuscated parts under word/fonts/,
    ``w:embedRegular`` ... in fontTable.xml, ``w:embedTrueTypeFonts`` in settings."""
    parts = []
    for family, slot, data in faces:
        key = font_key(data)
        parts.append(FontPart(family, slot, key, obfuscate_font(data, key)))
    embed_parts(document, parts, subsetted=subsetted)


def embed_parts(document: Document, parts: Sequence[FontPart], *, subsetted: bool = True,
                blob: Callable[[FontPart], bytes] | None = None) -> dict[str, FontPart]:
    """Embed faces already obfuscated (:func:`font_parts`), as :func:`embed_fonts` does;
    each part holds ``blob(face)`` when given (a stand-in: reproducible.deflated), else
    the face's bytes.  The faces by the archive entry they went in."""
    table = _font_table(document)
    root = etree.fromstring(table.blob)
    package = document.part.package
    by_family: dict[str, dict[str, FontPart]] = {}
    placed: dict[str, FontPart] = {}
    for face in parts:
        by_family.setdefault(face.family, {})[face.slot] = face
    for family, slots in by_family.items():
        font = next((f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == family),
                    None)
        if font is None:
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), family)
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        for old in font:
            if etree.QName(old).localname.startswith("embed"):
                font.remove(old)
        for slot in SLOTS:
            if slot not in slots:
                continue
            face = slots[slot]
            key = face.key
            part = Part(package.next_partname("/word/fonts/font%d.odttf"), OBFUSCATED_FONT,
                        blob(face) if blob else face.data, package)
            placed[part.partname.membername] = face
            embed = etree.SubElement(font, qn(f"w:embed{slot}"))
            embed.set(qn("r:id"), table.relate_to(part, RT.FONT))
            embed.set(qn("w:fontKey"), "{" + str(key).upper() + "}")
            if subsetted:
                embed.set(qn("w:subsetted"), "1")
    # python-docx loads fontTable.xml as an opaque part: its bytes are replaced
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 standalone=True)
    settings = document.settings.element
    for tag in ("w:embedTrueTypeFonts", "w:saveSubsetFonts")[:2 if subsetted else 1]:
        if settings.find(qn(tag)) is None:
            earlier = _SETTINGS_HEAD[:_SETTINGS_HEAD.index(tag)]
            position = 0
            for index, child in enumerate(settings):
                if prefixed(child) in earlier:
                    position = index + 1
            settings.insert(position, OxmlElement(tag))
    return placed
