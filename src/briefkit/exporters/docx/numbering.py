"""Word numbering: one abstract list definition per kind of list (bullets, numbers),
and one numbering instance per list, so each numbered list starts again at 1.
"""

from __future__ import annotations

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.numbering import NumberingPart

from briefkit.exporters.docx.ooxml import element, prefixed, put

_NUMBERING_XML = f'<w:numbering {nsdecls("w")}/>'


def _numbering(document: Document) -> BaseOxmlElement:
    try:
        part = document.part.numbering_part
    except NotImplementedError:
        # python-docx cannot make a numbering part: a reference document may have none
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                             parse_xml(_NUMBERING_XML), document.part.package)
        document.part.relate_to(part, RT.NUMBERING)
        part = document.part.numbering_part  # found by its relationship now
    return part.element  # type: ignore[no-any-return]


def add_list_definition(document: Document, *, ordered: bool, indent: int = 360,
                        font: str | None = None, rtl: bool = False) -> int:
    """A one-level list definition (``w:abstractNum``): decimal "1." or a bullet, hanging
    by ``indent`` twentieths of a point.  Returns its abstractNumId."""
    numbering = _numbering(document)
    taken = [int(n) for n in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
    number = max(taken, default=-1) + 1
    definition = element("w:abstractNum", abstractNumId=str(number))
    definition.append(element("w:nsid", val=f"{0xB81E0000 + number:08X}"))
    definition.append(element("w:multiLevelType", val="singleLevel"))
    level = element("w:lvl", ilvl="0")
    level.append(element("w:start", val="1"))
    level.append(element("w:numFmt", val="decimal" if ordered else "bullet"))
    level.append(element("w:lvlText", val="%1." if ordered else "\u2022"))
    level.append(element("w:lvlJc", val="left"))
    ppr = element("w:pPr")
    if rtl:
        # the number sits where lines start: on the right
        ppr.append(element("w:bidi"))
    ppr.append(element("w:ind", left=str(indent), hanging=str(indent)))
    level.append(ppr)
    if not ordered and font:
        rpr = element("w:rPr")
        rpr.append(element("w:rFonts", ascii=font, hAnsi=font, cs=font, hint="default"))
        level.append(rpr)
    definition.append(level)
    existing = numbering.findall(qn("w:abstractNum"))
    if existing:
        existing[-1].addnext(definition)
    else:
        numbering.insert(0, definition)
    return number


def add_list(document: Document, definition: int, *, restart: bool = True) -> int:
    """A list (``w:num``) following ``definition``, counting from 1 again when ``restart``.
    Returns the numId its paragraphs refer to."""
    numbering = _numbering(document)
    num = numbering.add_num(definition)
    if restart:
        override = element("w:lvlOverride", ilvl="0")
        override.append(element("w:startOverride", val="1"))
        num.append(override)
    return int(num.get(qn("w:numId")))


def number_paragraph(ppr: BaseOxmlElement, num_id: int) -> None:
    """Make a paragraph (or paragraph style) an item of list ``num_id``."""
    numbered = element("w:numPr")
    if prefixed(ppr.getparent()) == "w:p":
        numbered.append(element("w:ilvl", val="0"))
    numbered.append(element("w:numId", val=str(num_id)))
    put(ppr, numbered)


def drop_numbering(ppr: BaseOxmlElement) -> None:
    """Remove numbering from a paragraph style (the template's Subtitle carries some)."""
    for old in ppr.findall(qn("w:numPr")):
        ppr.remove(old)


