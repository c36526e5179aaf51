"""The WordprocessingML python-docx has no API for, built once on its oxml layer.

Hyperlinks with their relationship, PAGE/NUMPAGES fields, the document's
language and fonts in the style defaults, right-to-left paragraphs, runs,
tables and sections, alt text on pictures, repeated table header rows,
paragraph shading and borders and a table style (lists: :mod:`.numbering`;
embedded fonts: :mod:`.fonts`).  Every element is inserted where the schema
orders it, so Word opens the file without "repairing" it.
"""

from __future__ import annotations

import re
from typing import cast

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shape import InlineShape
from docx.table import _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree  # type: ignore[import-untyped]

# Child order of the elements we add to, from ECMA-376 part 1 (17.3.1.26, 17.3.2.28,
# 17.4.60, 17.6.17): Word rejects a document whose children are out of order.
_PPR = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
        "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")
_RPR = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
        "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint",
        "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing",
        "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
        "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
        "w:eastAsianLayout", "w:specVanish", "w:oMath")
_TBLPR = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
          "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
          "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
          "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_SECTPR = ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
           "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType",
           "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
           "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
_RANK = {parent: {tag: rank for rank, tag in enumerate(order)} for parent, order in (
    ("w:pPr", _PPR), ("w:rPr", _RPR), ("w:tblPr", _TBLPR), ("w:sectPr", _SECTPR))}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TAB_AFTER_WORD = re.compile(r"(?<=\S)\t")
_BORDER_SIDES = ("top", "left", "bottom", "right", "between", "bar")


def element(tag: str, **attributes: str) -> BaseOxmlElement:
    """A new element ``tag`` ('w:shd') with ``w:`` attributes (``val='clear'``)."""
    made = OxmlElement(tag)
    for name, value in attributes.items():
        made.set(qn(f"w:{name}"), value)
    return made


def prefixed(node: etree._Element) -> str:
    return "w:" + str(node.tag).rsplit("}", 1)[-1]


def put(parent: BaseOxmlElement, child: BaseOxmlElement) -> BaseOxmlElement:
    """Put ``child`` in ``parent`` (a w:pPr, w:rPr, w:tblPr or w:sectPr) in schema order,
    replacing a child of the same name."""
    tag = prefixed(child)
    rank = _RANK[prefixed(parent)]
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    # before the first child the schema puts after it (a parent holds few children)
    for existing in parent:
        if rank.get(prefixed(existing), -1) > rank[tag]:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def properties(owner: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """The ``tag`` properties child (w:pPr, w:rPr) of a paragraph, run or style, made if missing."""
    found = owner.find(qn(tag))
    if found is None:
        found = element(tag)
        if tag == "w:pPr" and prefixed(owner) == "w:style":
            # in a style, pPr comes before rPr, tblPr, trPr, tcPr, tblStylePr
            owner.insert_element_before(found, "w:rPr", "w:tblPr", "w:trPr", "w:tcPr",
                                        "w:tblStylePr")
        elif tag == "w:rPr" and prefixed(owner) == "w:style":
            owner.insert_element_before(found, "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")
        elif (tag, prefixed(owner)) in (("w:rPr", "w:r"), ("w:pPr", "w:p")):
            owner.insert(0, found)  # the first child of a run or paragraph
        else:
            owner.append(found)
    return cast(BaseOxmlElement, found)


# --- fonts and language ---------------------------------------------------------------


def set_fonts(rpr: BaseOxmlElement, latin: str, complex_script: str | None = None) -> None:
    """Name the fonts of a w:rPr: ``latin`` for Latin text, ``complex_script`` for Arabic,
    Hebrew...  Theme font references are dropped: in Word they win over named fonts."""
    fonts = element("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=latin)
    if complex_script:
        fonts.set(qn("w:cs"), complex_script)
    put(rpr, fonts)


def set_size(rpr: BaseOxmlElement, points: float, complex_points: float | None = None) -> None:
    """Font size of a w:rPr: ``points`` for Latin text, ``complex_points`` (else the same)
    for complex scripts (Arabic, Hebrew ...)."""
    put(rpr, element("w:sz", val=str(round(points * 2))))
    put(rpr, element("w:szCs", val=str(round((complex_points or points) * 2))))


def set_line_pitch(ppr: BaseOxmlElement, points: float) -> None:
    """Baselines of a paragraph (or paragraph style) exactly ``points`` apart, whatever
    the face's own line height; space before and after stay as they are."""
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = put(ppr, element("w:spacing"))
    spacing.set(qn("w:line"), str(round(points * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def set_single_spacing(ppr: BaseOxmlElement) -> None:
    """Lines of a paragraph as tall as what they hold: a picture in a paragraph whose
    lines are an exact pitch apart would show as a strip that tall."""
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = put(ppr, element("w:spacing"))
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")


def _defaults(document: Document, tag: str) -> BaseOxmlElement:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = element("w:docDefaults")
        styles.insert(0, defaults)
    wrapper_tag = "w:rPrDefault" if tag == "w:rPr" else "w:pPrDefault"
    wrapper = defaults.find(qn(wrapper_tag))
    if wrapper is None:
        wrapper = element(wrapper_tag)
        if tag == "w:rPr":
            defaults.insert(0, wrapper)
        else:
            defaults.append(wrapper)
    return properties(wrapper, tag)


def set_text_defaults(document: Document, *, font: str, complex_font: str | None,
                      size: float, colour: str, after: float, line: float,
                      pitch: float | None = None, complex_size: float | None = None) -> None:
    """The style defaults every style inherits: fonts, size (``complex_size`` for complex
    scripts, else the same) and colour ('RRGGBB'), space after a paragraph (points),
    line spacing (a multiple of the face's line height, or with ``pitch`` baselines
    exactly that many points apart) and widow control."""
    rpr = _defaults(document, "w:rPr")
    set_fonts(rpr, font, complex_font)
    put(rpr, element("w:color", val=colour))
    set_size(rpr, size, complex_size)
    ppr = _defaults(document, "w:pPr")
    # never a paragraph's first or last line alone on a page
    put(ppr, element("w:widowControl"))
    put(ppr, element(
        "w:spacing", before="0", after=str(round(after * 20)), line=str(round(line * 240)),
        lineRule="auto"))
    if pitch is not None:
        set_line_pitch(ppr, pitch)


def set_language_defaults(document: Document, language: str, *, rtl: bool) -> None:
    """The language Word proofs every style in (``w:lang`` val, eastAsia and bidi in the
    style defaults), and right-to-left paragraphs when ``rtl``."""
    put(_defaults(document, "w:rPr"),
        element("w:lang", val=language, eastAsia=language, bidi=language))
    if rtl:
        put(_defaults(document, "w:pPr"), element("w:bidi"))


def set_theme_language(document: Document, language: str) -> None:
    """The language Word uses for theme fonts (settings.xml ``w:themeFontLang``)."""
    settings = document.settings.element
    for old in settings.findall(qn("w:themeFontLang")):
        old.set(qn("w:val"), language)


def set_document_language(document: Document, language: str) -> None:
    """Forget the template's proofing state, so Word checks the text in ``language``."""
    settings = document.settings.element
    for old in settings.findall(qn("w:proofState")):
        settings.remove(old)
    set_theme_language(document, language)


# --- right to left --------------------------------------------------------------------


def right_to_left_paragraph(pPr: BaseOxmlElement) -> None:
    """Make a paragraph (or paragraph style) right-to-left."""
    put(pPr, element("w:bidi"))


def right_to_left_table(table_element: BaseOxmlElement) -> None:
    """Lay a table's columns out from the right."""
    put(properties(table_element, "w:tblPr"), element("w:bidiVisual"))


def right_to_left_section(sect_pr: BaseOxmlElement) -> None:
    """A right-to-left section: page numbering and columns run from the right."""
    put(sect_pr, element("w:bidi"))


# --- hyperlinks and fields ------------------------------------------------------------


def add_hyperlink(paragraph: Paragraph, url: str,
                  known: dict[str, str] | None = None) -> BaseOxmlElement:
    """Append a ``w:hyperlink`` to ``url`` (an external relationship) to ``paragraph``;
    fill it with :func:`add_run`.

    ``known`` (url -> relationship id, for the paragraph's part) makes each link take
    the same time however many came before: python-docx looks through every
    relationship of the part for one to reuse."""
    if known is None:
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    elif url in known:
        rid = known[url]
    else:
        rels = paragraph.part.rels
        number = len(rels) + 1
        while f"rId{number}" in rels:
            number += 1
        rid = f"rId{number}"
        rels.add_relationship(RT.HYPERLINK, url, rid, is_external=True)
        known[url] = rid
    link = OxmlElement("w:hyperlink", attrs={qn("r:id"): rid})
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_run(container: BaseOxmlElement, paragraph: Paragraph, text: str = "", *,
            style: str | None = None, bold: bool = False, italic: bool = False,
            rtl: bool = False, font: str | None = None) -> Run:
    """A new run of ``text`` at the end of ``container`` (a paragraph's w:p or a
    w:hyperlink): character style id ``style``, bold, italic, right-to-left, which
    makes Word shape it with the complex-script font (and read w:bCs / w:iCs), and in
    ``font`` whatever the script (else the style's fonts)."""
    # SubElement keeps python-docx's element classes and is much faster than OxmlElement
    r = etree.SubElement(container, qn("w:r"))
    if style or bold or italic or rtl or font:
        rpr = etree.SubElement(r, qn("w:rPr"))
        if style:
            etree.SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), style)
        if font:
            # every slot: Word picks one by the characters' ranges, LibreOffice by script
            fonts = etree.SubElement(rpr, qn("w:rFonts"))
            for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{slot}"), font)
        flags = (("w:b", bold), ("w:bCs", bold and rtl), ("w:i", italic),
                 ("w:iCs", italic and rtl), ("w:rtl", rtl))
        for tag, wanted in flags:
            if wanted:
                etree.SubElement(rpr, qn(tag))
    run = Run(r, paragraph)
    if any(ch in text for ch in "\t\n\r"):
        # a tab after a word ends at the next tab stop, which may be a hair away: a space
        # first keeps the words apart on the page and in its text
        text = _TAB_AFTER_WORD.sub(" \t", text)
        run.text = text  # python-docx turns tabs and line breaks into w:tab and w:br
    elif text:
        t = etree.SubElement(r, qn("w:t"))
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
    return run


def add_field(paragraph: Paragraph, instruction: str, shown: str = "1") -> None:
    """A field computed by the word processor (``PAGE``, ``NUMPAGES``), showing ``shown``
    until it is updated."""
    parts = [
        element("w:fldChar", fldCharType="begin"),
        OxmlElement("w:instrText", attrs={XML_SPACE: "preserve"}),
        element("w:fldChar", fldCharType="separate"),
        OxmlElement("w:t"),
        element("w:fldChar", fldCharType="end"),
    ]
    parts[1].text = f" {instruction} "
    parts[3].text = shown
    for part in parts:
        r = OxmlElement("w:r")
        r.append(part)
        paragraph._p.append(r)


# --- pictures and tables --------------------------------------------------------------


def set_alt_text(picture: InlineShape, text: str) -> None:
    """The description read aloud for a picture (``wp:docPr descr``)."""
    picture._inline.docPr.set("descr", text)


def set_flush(picture: InlineShape) -> None:
    """No room around a picture set in the line: a picture as wide as the text then
    ends at the right margin.  Without the distances LibreOffice adds 0.32 cm on each
    side (Word's default for pictures in front of text)."""
    inline = picture._inline
    for side in ("distT", "distB", "distL", "distR"):
        inline.set(side, "0")
    if inline.find(qn("wp:effectExtent")) is None:
        effect = OxmlElement("wp:effectExtent", attrs={"l": "0", "t": "0", "r": "0", "b": "0"})
        inline.extent.addnext(effect)


def repeat_header_row(row: _Row) -> None:
    """Repeat ``row`` at the top of every page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    for old in trpr.findall(qn("w:tblHeader")):
        trpr.remove(old)
    trpr.append(element("w:tblHeader"))
    # and keep it with the first row below it (w:cantSplit would be the obvious way, but
    # LibreOffice then drops the rows that follow a page break)
    for p in row._tr.iter(qn("w:p")):
        put(properties(p, "w:pPr"), element("w:keepNext"))


def add_table_style(document: Document, name: str, *, text: str, rule: str, font: str,
                    size: float, complex_size: float | None = None,
                    pitch: float | None = None) -> None:
    """A table style: rules between rows in ``rule``, a bold header row over a rule in
    ``text`` (colours as 'RRGGBB'), cells in ``font`` at ``size`` points
    (``complex_size`` for complex scripts), lines ``pitch`` points apart (else single)."""
    style_id = "".join(ch for ch in name if ch.isalnum())
    half_points = str(round(size * 2))
    complex_half_points = str(round((complex_size or size) * 2))
    line = f'w:line="{round(pitch * 20)}" w:lineRule="exact"' if pitch else (
        'w:line="240" w:lineRule="auto"')
    style = parse_xml(
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{style_id}">'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="0" {line}/></w:pPr>'
        f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{complex_half_points}"/></w:rPr>'
        '<w:tblPr><w:tblBorders>'
        f'<w:top w:val="single" w:sz="4" w:space="0" w:color="{rule}"/>'
        f'<w:bottom w:val="single" w:sz="4" w:space="0" w:color="{rule}"/>'
        f'<w:insideH w:val="single" w:sz="4" w:space="0" w:color="{rule}"/>'
        '</w:tblBorders><w:tblCellMar>'
        '<w:top w:w="80" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="80" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        '<w:tcPr><w:tcBorders>'
        '<w:top w:val="nil"/>'
        f'<w:bottom w:val="single" w:sz="12" w:space="0" w:color="{text}"/>'
        '</w:tcBorders></w:tcPr></w:tblStylePr>'
        '</w:style>'
    )
    style.insert(0, element("w:name", val=name))
    set_fonts(properties(style, "w:rPr"), font)
    for old in document.styles.element.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == style_id:
            document.styles.element.remove(old)
    document.styles.element.append(style)


# --- shading, borders -----------------------------------------------------------------


def shade(ppr: BaseOxmlElement, fill: str) -> None:
    """A background colour ('RRGGBB') behind a paragraph or paragraph style."""
    put(ppr, element("w:shd", val="clear", color="auto", fill=fill))


def borders(ppr: BaseOxmlElement, rules: dict[str, tuple[str, int]], *,
            space: int = 4) -> None:
    """Rules around a paragraph or paragraph style: ``{side: (colour 'RRGGBB', size in
    eighths of a point)}``, ``space`` points between rule and text.  Consecutive paragraphs
    with the same borders share one box."""
    box = element("w:pBdr")
    for side in _BORDER_SIDES:
        if side in rules:
            colour, size = rules[side]
            box.append(element(f"w:{side}", val="single", sz=str(size), space=str(space),
                               color=colour))
    put(ppr, box)
