"""The briefing's blocks as Word paragraphs, pictures and tables, in linear time.

Paragraphs go straight before the body's closing section properties, found
once: python-docx's ``add_paragraph`` looks for them from the body's start on
every call, which made a long briefing quadratic.  Page flow is paragraph
properties: a short list, a factbox, a quote and its attribution, a picture
and its caption are each kept on one page, and headings (by their style) keep
with the lines after them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefkit import inline
from briefkit.briefing_file import Asset, BriefingFile
from briefkit.model import Factbox, Image, ListBlock, Paragraph, Quote, Table, Timeline
from briefkit.render.typography import numeric_columns, typeset, typeset_inline

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.shared import Length
    from docx.text.paragraph import Paragraph as WordParagraph
    from docx.text.run import Run

    from briefkit.exporters.docx.faces import TextFaces

# Pictures are sized as if their pixels were at screen resolution, never beyond the text
# width, and never taller than this share of the text height.
PIXELS_PER_INCH = 96
MAX_PICTURE_HEIGHT = 0.6
# Tables up to this many rows, and lists up to this many items, are kept on one page.
KEEP_TABLE_ROWS = 15
KEEP_LIST_ITEMS = 4
# Points between a table and the paragraph under it, unless its style has room above
SPACE_AFTER_TABLE = 10
AIRY_STYLES = ("Heading 1", "Heading 2", "Quote", "Caption")
# Strong right-to-left characters: Hebrew, Arabic, Syriac, Thaana, NKo ... and their
# presentation forms.  A run holding one is marked right-to-left.
_RTL_TEXT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# EXIF tag of the orientation a camera recorded
_ORIENTATION = 0x0112


def picture(asset: Asset) -> tuple[bytes, int, int]:
    """The bytes Word shows for an image, and its width and height in pixels.

    Turned upright as its EXIF orientation says (as browsers and the PDF show it:
    Word ignores the tag), and a CMYK JPEG, which python-docx cannot read, made RGB.
    Other images are passed as checked.
    """
    from PIL import Image as Picture
    from PIL import ImageOps

    data = asset.read()
    with Picture.open(io.BytesIO(data)) as image:
        # a PNG's EXIF may follow its pixels, and Pillow decodes them all to look: a PNG
        # without an eXIf chunk anywhere has no orientation to read
        exif = image.format != "PNG" or b"eXIf" in data
        turned = exif and image.getexif().get(_ORIENTATION, 1) not in (1, None)
        if not turned and image.mode not in ("CMYK", "YCbCr", "LAB", "I;16"):
            return data, asset.width, asset.height
        kind = image.format
        dpi = image.info.get("dpi")
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            upright = upright.convert("RGB")
        out = io.BytesIO()
        if kind == "JPEG":
            upright.save(out, "JPEG", quality=92, **({"dpi": dpi} if dpi else {}))
        else:
            upright.save(out, "PNG")
        return out.getvalue(), upright.width, upright.height


class WordBody:
    """The body of one document being written."""

    def __init__(self, document: Document, item: BriefingFile, style_ids: dict[str, str], *,
                 bullets: int, number_definition: int, text_width: Length,
                 text_height: Length, faces: TextFaces | None = None) -> None:
        self.document = document
        self.item = item
        self.language = item.briefing.language
        self.rtl = item.briefing.direction == "rtl"
        self.style_ids = style_ids
        self.bullets = bullets  # numId of every bulleted list
        self.number_definition = number_definition  # each ordered list restarts from it
        self.text_width, self.text_height = text_width, text_height
        self.faces = faces  # which theme face sets a stretch the style's faces lack
        body = document.element.body
        # the section properties close the body: found once, everything goes before them
        self._end: BaseOxmlElement = body.sectPr
        self._links: dict[str, str] = {}  # url -> relationship id
        self._after_table = False

    # --- paragraphs and runs --------------------------------------------------------

    def paragraph(self, style: str) -> WordParagraph:
        """A new empty paragraph in ``style`` (a name) at the end of the body."""
        from docx.oxml.ns import qn
        from docx.shared import Pt
        from docx.text.paragraph import Paragraph as WordParagraph
        from lxml import etree  # type: ignore[import-untyped]

        p = self._end.makeelement(qn("w:p"), {})  # made by an oxml element: a CT_P
        self._end.addprevious(p)
        if style != "Normal":
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self.style_ids[style])
        paragraph = WordParagraph(p, self.document)
        if self._after_table and style not in AIRY_STYLES:
            # air between a table and the text under it (Word has no space after a table)
            paragraph.paragraph_format.space_before = Pt(SPACE_AFTER_TABLE)
        self._after_table = False
        return paragraph

    def text_paragraph(self, text: str, style: str, *, tie: bool = False) -> WordParagraph:
        """A paragraph of plain ``text``; with ``tie``, its last two words never part
        (titles and headings)."""
        paragraph = self.paragraph(style)
        self.runs(paragraph, paragraph._p, (inline.Text(text),), tie=tie)
        return paragraph

    def markup_paragraph(self, text: str, style: str, *, tie: bool = False) -> WordParagraph:
        """A paragraph of text with inline markup (emphasis, strong, links)."""
        paragraph = self.paragraph(style)
        self.runs(paragraph, paragraph._p, inline.parse(text), tie=tie)
        return paragraph

    def _typeset(self, nodes: tuple[inline.Inline, ...], tie: bool) -> Iterator[str]:
        """The texts of ``nodes`` in order, typeset as one text (the shared rule)."""
        return iter(typeset_inline(nodes, self.language, tie=tie))

    def runs(self, paragraph: WordParagraph, container: BaseOxmlElement,
             nodes: tuple[inline.Inline, ...], *, bold: bool = False,
             italic: bool = False, style: str | None = None, tie: bool = False,
             texts: Iterator[str] | None = None) -> list[Run]:
        """Runs for inline nodes, typeset in the briefing's language, in character style
        ``style`` (a name); links become hyperlinks in the Hyperlink style."""
        from briefkit.exporters.docx import ooxml
        if texts is None:
            texts = self._typeset(nodes, tie)
        style_id = self.style_ids[style] if style else None
        made = []
        for node in nodes:
            if isinstance(node, inline.Text):
                text = next(texts)
                rtl = self.rtl and _RTL_TEXT.search(text) is not None
                pieces = self.faces.pieces(text) if self.faces else []
                for font, piece in pieces or [(None, text)]:
                    made.append(ooxml.add_run(container, paragraph, piece, style=style_id,
                                              bold=bold, italic=italic, rtl=rtl, font=font))
            elif isinstance(node, inline.Emphasis):
                made += self.runs(paragraph, container, node.children, bold=bold, italic=True,
                                  style=style, texts=texts)
            elif isinstance(node, inline.Strong):
                made += self.runs(paragraph, container, node.children, bold=True,
                                  italic=italic, style=style, texts=texts)
            else:
                known = self._links if paragraph.part is self.document.part else None
                link = ooxml.add_hyperlink(paragraph, node.url, known)
                made += self.runs(paragraph, link, node.children, bold=bold, italic=italic,
                                  style="Hyperlink", texts=texts)
        return made

    @staticmethod
    def keep_with_next(paragraphs: list[WordParagraph]) -> None:
        """Keep ``paragraphs`` on one page: each but the last keeps with the next."""
        for paragraph in paragraphs[:-1]:
            paragraph.paragraph_format.keep_with_next = True

    # --- blocks ---------------------------------------------------------------------

    def block(self, block: object) -> None:
        """One block of a section."""
        from briefkit.exporters.docx import numbering, ooxml
        if isinstance(block, Paragraph):
            self.markup_paragraph(block.text, "Normal")
        elif isinstance(block, Quote):
            quote = [self.markup_paragraph(block.text, "Quote")]
            if block.attribution:
                quote.append(self.text_paragraph(f"\u2014\u00a0{block.attribution}",
                                                 "Attribution"))
            self.keep_with_next(quote)
        elif isinstance(block, ListBlock):
            style = "List Number" if block.ordered else "List Bullet"
            num = (numbering.add_list(self.document, self.number_definition) if block.ordered
                   else self.bullets)
            items = []
            for text in block.items:
                items.append(self.markup_paragraph(text, style))
                numbering.number_paragraph(ooxml.properties(items[-1]._p, "w:pPr"), num)
            if len(items) <= KEEP_LIST_ITEMS:
                self.keep_with_next(items)
        elif isinstance(block, Image):
            self.image(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Timeline):
            for event in block.events:
                self.text_paragraph(event.when, "Timeline Date")
                self.markup_paragraph(event.text, "Timeline Event")
        elif isinstance(block, Factbox):
            box = [self.text_paragraph(block.title, "Factbox Title")] if block.title else []
            for text in block.items:
                box.append(self.markup_paragraph(text, "Factbox"))
                numbering.number_paragraph(ooxml.properties(box[-1]._p, "w:pPr"), self.bullets)
            # one box on one page: a box split by a page break reads as two
            self.keep_with_next(box)

    def image(self, block: Image) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        from briefkit.exporters.docx import ooxml
        data, pixels_wide, pixels_high = picture(self.item.assets[block.src])
        natural = Emu(round(pixels_wide * 914400 / PIXELS_PER_INCH))
        width: int = min(natural, self.text_width)
        height = round(width * pixels_high / pixels_wide)
        tallest: int = round(self.text_height * MAX_PICTURE_HEIGHT)
        if height > tallest:
            width, height = round(width * tallest / height), tallest
        figure = [self.paragraph("Normal")]
        # centred: "left" and "right" swap meaning in right-to-left paragraphs from one
        # word processor to the next, the centre does not
        figure[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        shape = figure[0].add_run().add_picture(io.BytesIO(data), width=Emu(width),
                                                height=Emu(height))
        ooxml.set_alt_text(shape, typeset(block.alt, self.language))
        ooxml.set_flush(shape)
        ooxml.set_single_spacing(ooxml.properties(figure[0]._p, "w:pPr"))
        if block.caption:
            figure.append(self.markup_paragraph(block.caption, "Caption"))
        if block.credit:
            figure.append(self.text_paragraph(block.credit, "Credit"))
        self.keep_with_next(figure)

    def table(self, block: Table) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.oxml.table import CT_Tbl
        from docx.table import Table as WordTable
        from docx.table import _Cell
        from docx.text.paragraph import Paragraph as WordParagraph

        from briefkit.exporters.docx import ooxml
        if block.caption:
            caption = self.markup_paragraph(block.caption, "Caption")
            caption.paragraph_format.keep_with_next = True
        elif self._after_table:
            # two tables in a row would merge into one: a paragraph keeps them apart
            self.paragraph("Normal")
        made = CT_Tbl.new_tbl(1 + len(block.rows), len(block.header), self.text_width)
        self._end.addprevious(made)
        table = WordTable(made, self.document._body)
        table._tbl.tblPr.style = self.style_ids["Briefing Table"]
        if self.rtl:
            ooxml.right_to_left_table(table._tbl)
        # straight to the cells' XML: python-docx's row.cells recomputes the grid each time
        # figures line up on their units: numeric columns set to the right (left to right
        # only: Word and LibreOffice disagree on what "right" means in a right-to-left cell)
        numeric = set() if self.rtl else numeric_columns(block.rows)
        for tr, cells in zip(table._tbl.tr_lst, [block.header, *block.rows], strict=True):
            for column, (tc, text) in enumerate(zip(tr.tc_lst, cells, strict=True)):
                paragraph = WordParagraph(tc.p_lst[0], _Cell(tc, table))
                self.runs(paragraph, paragraph._p, inline.parse(text) if text else ())
                if column in numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        ooxml.repeat_header_row(table.rows[0])
        if len(block.rows) <= KEEP_TABLE_ROWS:
            # a short table reads best on one page: each row keeps with the next
            for tr in table._tbl.tr_lst[1:-1]:
                for p in tr.iter(qn("w:p")):
                    ooxml.put(ooxml.properties(p, "w:pPr"), ooxml.element("w:keepNext"))
        self._after_table = True
