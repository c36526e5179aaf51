"""The briefing as a Word document partners open, edit and republish (``dist/<id>.docx``).

A native document, not a picture of the PDF: every block is text in a named
style derived from the theme (Title, Heading 1, Quote, List Number, Caption, a
table style, and styles of our own for the standfirst, factbox, timeline,
byline, sources and credits), so a partner restyles a kind of block in one
place.  A theme may carry ``reference.docx``: as with pandoc's reference
document, its styles and page setup are used, and the theme only fills in
the styles it lacks.  What python-docx has no API for lives in
:mod:`briefkit.exporters.wordml`.

The output depends only on the briefing, the theme and the settings: the
document properties come from the briefing, never from the clock or the
template.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from briefkit import inline
from briefkit.errors import ThemeError
from briefkit.exporters.base import Context, Exporter
from briefkit.load import BriefingFile
from briefkit.model import Factbox, Image, ListBlock, Paragraph, Quote, Table, Timeline
from briefkit.render.dates import locale_of, long_date
from briefkit.render.labels import labels_for
from briefkit.render.typography import typeset

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.shared import Length
    from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle
    from docx.text.paragraph import Paragraph as WordParagraph
    from docx.text.run import Run

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TABLE_STYLE = "Briefing Table"
# Word 2010's copy of styles.xml: a template's copy would go stale once we restyle
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
# Pictures are sized as if their pixels were at screen resolution, never beyond the text
# width, and never taller than this share of the text height.
PIXELS_PER_INCH = 96
# Tables up to this many rows are kept on one page.
KEEP_TABLE_ROWS = 15
# python-docx refuses core properties longer than this (Word's own limit)
CORE_PROPERTY_LIMIT = 255
MAX_PICTURE_HEIGHT = 0.6
PAGE_SIZES_MM = {"A4": (210, 297), "Letter": (215.9, 279.4)}
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$")
# Strong right-to-left characters: Hebrew, Arabic, Syriac, Thaana, NKo ... and their
# presentation forms.  A run holding one is marked right-to-left.
_RTL_TEXT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


class DocxExporter(Exporter):
    name = "docx"
    extension = ".docx"
    media_type = MEDIA_TYPE
    description = "the briefing as a Word document partners can edit, styles from the theme"

    def export(self, item: BriefingFile, context: Context) -> bytes:
        return _WordBriefing(item, context).build()


def word_language(language: str) -> str:
    """The language tag Word proofs in: the briefing's, with the likeliest region added
    when it has none ('fr' -> 'fr-FR'), as Word's proofing tools are per region."""
    if "-" in language:
        return language
    locale = locale_of(language)
    if locale.language != language.lower():
        return language
    from babel.core import get_global

    likely = get_global("likely_subtags").get(locale.language, "")
    region = next((part for part in likely.split("_")[1:] if len(part) == 2), None)
    return f"{language}-{region}" if region else language


def _margins(text: str) -> tuple[float, float, float, float]:
    """CSS-like margins ('22mm 20mm 24mm 20mm', 1 to 4 lengths) in millimetres:
    top, right, bottom, left."""
    per_unit = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
    lengths = []
    for part in text.split():
        match = _LENGTH.match(part)
        if not match:
            raise ThemeError(
                f"page margins {text!r}: {part!r} is not a length in mm, cm, in or pt"
            )
        lengths.append(float(match.group(1)) * per_unit[match.group(2)])
    if not 1 <= len(lengths) <= 4:
        raise ThemeError(f"page margins {text!r}: give 1 to 4 lengths, as in CSS")
    # as in CSS: a missing right repeats the top, bottom the top, left the right
    top = lengths[0]
    right = lengths[1] if len(lengths) > 1 else top
    bottom = lengths[2] if len(lengths) > 2 else top
    left = lengths[3] if len(lengths) > 3 else right
    return top, right, bottom, left


def _utc(moment: datetime) -> datetime:
    # python-docx writes core-property times with a 'Z' and no conversion
    return moment.astimezone(UTC).replace(tzinfo=None)


class _WordBriefing:
    """One briefing being written as a Word document."""

    def __init__(self, item: BriefingFile, context: Context) -> None:
        self.item = item
        self.briefing = item.briefing
        self.theme = context.theme
        self.settings = context.settings
        self.look = context.theme.settings
        self.language = self.briefing.language
        self.rtl = self.briefing.direction == "rtl"
        self.reference = context.theme.find("reference.docx")
        self.bullets = 0  # numId of the bulleted lists, once made
        self._themed: set[str] = set()  # styles given the theme's look
        self._by_name: dict[str, BaseStyle] = {}

    # --- the document ---------------------------------------------------------------

    def build(self) -> bytes:
        """The .docx bytes."""
        import docx

        self.document: Document = docx.Document(str(self.reference) if self.reference else None)
        self._clear_template()
        self._page()
        self._styles()
        # style ids by name, looked up once: python-docx searches every style each time
        self.style_ids = {style.name: style.style_id for style in self.document.styles}
        self._header_and_footer()
        self._front()
        for section in self.briefing.sections:
            if section.heading:
                self._text_paragraph(section.heading, "Heading 1")
            for block in section.blocks:
                self._block(block)
        self._sources()
        if self.briefing.rights:
            self._text_paragraph(self.briefing.rights, "Credit")
        self._properties()
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def _clear_template(self) -> None:
        """Empty the body (keeping its section) and drop the template's leftovers: the
        thumbnail of another document, its bibliography and stale style copies."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.ns import qn

        body = self.document.element.body
        for child in list(body):
            if child is not body.sectPr:
                body.remove(child)
        if not self.reference:
            # python-docx's template defines 140 table styles nobody picked; Word offers
            # its own gallery anyway, so keep the list a partner sees short
            styles = self.document.styles.element
            for style in styles.findall(qn("w:style")):
                if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in (
                        "TableNormal", "TableGrid"):
                    styles.remove(style)
        package = self.document.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package.rels[rid]
        for rid, rel in list(self.document.part.rels.items()):
            if rel.reltype in (RT.CUSTOM_XML, STYLES_WITH_EFFECTS):
                del self.document.part.rels[rid]

    def _page(self) -> None:
        from docx.shared import Mm

        from briefkit.exporters import wordml

        section = self.document.sections[0]
        if not self.reference:
            width, height = PAGE_SIZES_MM[self.look.page.size]
            top, right, bottom, left = _margins(self.look.page.margins)
            section.page_width, section.page_height = Mm(width), Mm(height)
            section.top_margin, section.right_margin = Mm(top), Mm(right)
            section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
            section.header_distance = Mm(max(top / 2, 8))
            section.footer_distance = Mm(max(bottom / 2, 8))
        if self.rtl:
            wordml.right_to_left_section(section._sectPr)

    @property
    def text_width(self) -> Length:
        """Width between the margins."""
        from docx.shared import Emu

        section = self.document.sections[0]
        return Emu((section.page_width or 0) - (section.left_margin or 0)
                   - (section.right_margin or 0))

    @property
    def text_height(self) -> Length:
        """Height between the margins."""
        from docx.shared import Emu

        section = self.document.sections[0]
        return Emu((section.page_height or 0) - (section.top_margin or 0)
                   - (section.bottom_margin or 0))

    # --- styles ---------------------------------------------------------------------

    def _styles(self) -> None:
        """Every style the briefing uses, from theme.toml; a reference document's own
        styles are kept as they are."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.shared import Pt

        from briefkit.exporters import wordml

        fonts, colours, size = self.look.fonts, self.look.colours, self.look.fonts.size
        complex_font = fonts.fallback[0] if fonts.fallback else None
        lang = word_language(self.language)
        if not self.reference:
            wordml.set_text_defaults(self.document, font=fonts.body, complex_font=complex_font,
                                     size=size, colour=colours.text[1:], after=size * 0.8,
                                     line=1.15)
        wordml.set_language_defaults(self.document, lang, rtl=self.rtl)
        wordml.set_document_language(self.document, lang)

        body, head = fonts.body, fonts.headings
        text, muted, accent, rule, shade = (c[1:] for c in (
            colours.text, colours.muted, colours.accent, colours.rule, colours.shade))
        # the side a quote's or a timeline's rule runs down: where lines start
        start = "right" if self.rtl else "left"

        self._paragraph_style("Normal", None)  # fonts and size: the style defaults
        title = self._paragraph_style("Title", "Normal", font=head, size=size * 2.2, bold=True,
                                      colour=text, before=0, after=6, keep=True)
        if title is not None:
            ppr = wordml.properties(title.element, "w:pPr")
            ppr.remove_all("w:pBdr", "w:contextualSpacing")
            wordml.put(ppr, wordml.element("w:spacing", before="0", after="120", line="240",
                                           lineRule="auto"))
            title.element.get_or_add_rPr().remove_all("w:spacing", "w:kern")
        subtitle = self._paragraph_style("Subtitle", "Normal", font=head, size=size * 1.25,
                                         italic=False, colour=muted, after=8, keep=True)
        if subtitle is not None:
            wordml.drop_numbering(wordml.properties(subtitle.element, "w:pPr"))
            subtitle.element.get_or_add_rPr().remove_all("w:spacing")
        self._paragraph_style("Standfirst", "Normal", font=body, size=size * 1.15, bold=True,
                              colour=text, before=6, after=10)
        byline = self._paragraph_style("Byline", "Normal", font=head, size=size * 0.85,
                                       colour=muted, before=4, after=18)
        if byline is not None:
            wordml.borders(wordml.properties(byline.element, "w:pPr"), {"top": (rule, 6)},
                           space=6)
        for level, factor, before in ((1, 1.3, 20), (2, 1.1, 14)):
            heading = self._paragraph_style(f"Heading {level}", "Normal", font=head,
                                            size=size * factor, bold=True, colour=text,
                                            before=before, after=6, keep=True)
            if heading is not None and level == 1:
                wordml.borders(wordml.properties(heading.element, "w:pPr"),
                               {"top": (accent, 18)}, space=6)
        quote = self._paragraph_style("Quote", "Normal", font=body, size=size * 1.1,
                                      italic=not self.rtl, colour=text, before=6, after=12)
        if quote is not None:
            ppr = wordml.properties(quote.element, "w:pPr")
            wordml.borders(ppr, {start: (accent, 18)}, space=10)
            quote.paragraph_format.left_indent = Pt(14)
            quote.paragraph_format.right_indent = Pt(14)
        self._character_style("Attribution", font=head, size=size * 0.85, italic=False,
                              colour=muted)
        self._character_style("Hyperlink", colour=accent, underline=True)
        for name in ("List Bullet", "List Number"):
            self._paragraph_style(name, "Normal", after=3)
        self._paragraph_style("Caption", "Normal", font=head, size=size * 0.85, bold=False,
                              colour=muted, before=4, after=2)
        self._paragraph_style("Credit", "Normal", font=head, size=size * 0.75, colour=muted,
                              after=12)
        # the factbox: a shaded box; same borders on every paragraph make Word draw one box
        factbox = self._paragraph_style("Factbox", "Normal", font=body, size=size * 0.95,
                                        colour=text, after=3)
        if factbox is not None:
            ppr = wordml.properties(factbox.element, "w:pPr")
            wordml.shade(ppr, shade)
            wordml.borders(ppr, {"top": (text, 18), "left": (shade, 4), "bottom": (shade, 4),
                                 "right": (shade, 4)}, space=8)
            factbox.paragraph_format.left_indent = Pt(10)
            factbox.paragraph_format.right_indent = Pt(10)
        self._paragraph_style("Factbox Title", "Factbox", font=head, size=size, bold=True,
                              colour=text, after=4, keep=True)
        # the timeline: one continuous accent rule down the side of dates and events
        timeline = (
            self._paragraph_style("Timeline Date", "Normal", font=head, size=size * 0.85,
                                  bold=True, colour=accent, after=0, keep=True),
            self._paragraph_style("Timeline Event", "Normal", font=body, colour=text, after=6),
        )
        for style in timeline:
            if style is not None:
                wordml.borders(wordml.properties(style.element, "w:pPr"),
                               {start: (accent, 12)}, space=8)
                style.paragraph_format.left_indent = Pt(10)
        self._paragraph_style("Source", "Normal", size=size * 0.9, after=3)
        for name in ("Header", "Footer"):
            hf = self._paragraph_style(name, "Normal", font=head, size=size * 0.75,
                                       colour=muted, after=0)
            if hf is not None:
                hf.paragraph_format.tab_stops.clear_all()
                hf.paragraph_format.tab_stops.add_tab_stop(self.text_width,
                                                           WD_TAB_ALIGNMENT.RIGHT)
        if self._style_missing(TABLE_STYLE):
            wordml.add_table_style(self.document, TABLE_STYLE, text=text, rule=rule, font=head,
                                   size=size * 0.9)
        # list numbering: real Word lists, the styles point at them so a new item typed by
        # a partner gets a bullet or a number too
        self.bullet_definition = wordml.add_list_definition(self.document, ordered=False)
        self.number_definition = wordml.add_list_definition(self.document, ordered=True)
        self.bullets = wordml.add_list(self.document, self.bullet_definition, restart=False)
        for name, definition in (("List Bullet", self.bullet_definition),
                                 ("List Number", self.number_definition),
                                 ("Factbox", self.bullet_definition),
                                 ("Source", self.number_definition)):
            if self._restyled(name):
                num = (self.bullets if definition == self.bullet_definition
                       else wordml.add_list(self.document, definition, restart=False))
                ppr = wordml.properties(self._by_name[name].element, "w:pPr")
                wordml.number_paragraph(ppr, num)
        if self._restyled("Factbox Title"):
            ppr = wordml.properties(self._by_name["Factbox Title"].element, "w:pPr")
            wordml.number_paragraph(ppr, 0)  # numId 0: no bullet on the title

    def _restyled(self, name: str) -> bool:
        return name in self._themed

    def _style_missing(self, name: str) -> bool:
        return name not in self._by_name

    def _style(self, name: str, kind: str, base: str | None) -> CharacterStyle | None:
        """Style ``name``, made when missing; None when a reference document defines it
        (then it stays as designed)."""
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.document.styles
        if not self._by_name:
            self._by_name = {style.name: style for style in styles}
        if name in self._by_name and self.reference:
            return None
        if name in self._by_name:
            style = self._by_name[name]
        else:
            builtin = name in ("Title", "Subtitle", "Quote", "Caption", "Hyperlink", "Header",
                               "Footer", "List Bullet", "List Number", "Normal",
                               "Heading 1", "Heading 2")
            style_type = (WD_STYLE_TYPE.CHARACTER if kind == "character"
                          else WD_STYLE_TYPE.PARAGRAPH)
            style = styles.add_style(name, style_type, builtin=builtin)
            style.quick_style = True
            if base in self._by_name:
                style.base_style = self._by_name[base]
            self._by_name[name] = style
        self._themed.add(name)
        return cast("CharacterStyle", style)  # paragraph styles are character styles too

    def _paragraph_style(self, name: str, base: str | None, *, font: str | None = None,
                         size: float | None = None, bold: bool | None = None,
                         italic: bool | None = None, colour: str | None = None,
                         before: float | None = None, after: float | None = None,
                         keep: bool | None = None) -> ParagraphStyle | None:
        from docx.shared import Pt, RGBColor

        style = cast("ParagraphStyle | None", self._style(name, "paragraph", base))
        if style is None:
            return None
        self._character_look(style, font=font, size=size, bold=bold, italic=italic)
        if colour is not None:
            style.font.color.rgb = RGBColor.from_string(colour)
        fmt = style.paragraph_format
        if before is not None:
            fmt.space_before = Pt(before)
        if after is not None:
            fmt.space_after = Pt(after)
        if keep is not None:
            fmt.keep_with_next = keep
        return style

    def _character_style(self, name: str, *, font: str | None = None,
                         size: float | None = None, italic: bool | None = None,
                         colour: str | None = None, underline: bool | None = None) -> None:
        from docx.shared import RGBColor

        style = self._style(name, "character", "Default Paragraph Font")
        if style is None:
            return
        self._character_look(style, font=font, size=size, italic=italic)
        if colour is not None:
            style.font.color.rgb = RGBColor.from_string(colour)
        if underline is not None:
            style.font.underline = underline

    def _character_look(self, style: CharacterStyle, *, font: str | None, size: float | None,
                        bold: bool | None = None, italic: bool | None = None) -> None:
        from briefkit.exporters import wordml

        rpr = style.element.get_or_add_rPr()
        if font is not None:
            fallback = self.look.fonts.fallback
            wordml.set_fonts(rpr, font, fallback[0] if fallback else None)
        if size is not None:
            wordml.set_size(rpr, size)
        if bold is not None:
            style.font.bold = bold
            rpr.remove_all("w:bCs")
            if bold:
                wordml.put(rpr, wordml.element("w:bCs"))
        if italic is not None:
            style.font.italic = italic
            rpr.remove_all("w:iCs")

    # --- header, footer, front matter -----------------------------------------------

    def _header_and_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        from briefkit.exporters import wordml

        section = self.document.sections[0]
        # a reference document's own header and footer text gives way to ours
        for story in (section.header, section.footer):
            for block in [*story.paragraphs, *story.tables]:
                element = block._element
                element.getparent().remove(element)
            story.add_paragraph()
        masthead = self.look.brand.masthead or self.settings.publisher
        header = section.header.paragraphs[0]
        header._p.style = self.style_ids["Header"]
        if masthead:
            self._runs(header, header._p, (inline.Text(masthead),))
            header.add_run().add_tab()
        self._runs(header, header._p, (inline.Text(self.briefing.title),))

        # the theme's footer line at the start, the page number at the end; alone, the page
        # number is centred
        paragraph = section.footer.paragraphs[0]
        paragraph._p.style = self.style_ids["Footer"]
        if self.look.brand.footer:
            self._runs(paragraph, paragraph._p, (inline.Text(self.look.brand.footer),))
            paragraph.add_run().add_tab()
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._runs(paragraph, paragraph._p,
                   (inline.Text(f"{labels_for(self.language).page} "),))
        wordml.add_field(paragraph, "PAGE")
        paragraph.add_run(" / ")
        wordml.add_field(paragraph, "NUMPAGES")

    def _front(self) -> None:
        b = self.briefing
        self._text_paragraph(b.title, "Title")
        if b.subtitle:
            self._text_paragraph(b.subtitle, "Subtitle")
        if b.standfirst:
            self._markup_paragraph(b.standfirst, "Standfirst")
        byline = self._paragraph("Byline")
        for index, author in enumerate(b.authors):
            if index:
                self._runs(byline, byline._p, (inline.Text(", "),))
            name: tuple[inline.Inline, ...] = (inline.Text(author.name),)
            self._runs(byline, byline._p,
                       (inline.Link(name, author.url),) if author.url else name, bold=True)
            if author.role:
                self._runs(byline, byline._p, (inline.Text(f" ({author.role})"),))
        if b.authors:
            byline.add_run().add_break()
        when = long_date(b.published, self.language)
        if b.updated and b.updated.date() != b.published.date():
            label = labels_for(self.language).updated
            when += f" · {label} {long_date(b.updated, self.language)}"
        self._runs(byline, byline._p, (inline.Text(when),))

    def _sources(self) -> None:
        from briefkit.exporters import wordml

        if not self.briefing.sources:
            return
        self._text_paragraph(labels_for(self.language).sources, "Heading 1")
        num = wordml.add_list(self.document, self.number_definition)
        for source in self.briefing.sources:
            paragraph = self._paragraph("Source")
            wordml.number_paragraph(wordml.properties(paragraph._p, "w:pPr"), num)
            title: tuple[inline.Inline, ...] = (inline.Text(source.title),)
            self._runs(paragraph, paragraph._p,
                       (inline.Link(title, source.url),) if source.url else title)
            if source.publisher:
                self._runs(paragraph, paragraph._p, (inline.Text(f", {source.publisher}"),),
                           italic=True)

    # --- blocks ---------------------------------------------------------------------

    def _block(self, block: object) -> None:
        from briefkit.exporters import wordml

        if isinstance(block, Paragraph):
            self._markup_paragraph(block.text, "Normal")
        elif isinstance(block, Quote):
            paragraph = self._markup_paragraph(block.text, "Quote")
            if block.attribution:
                paragraph.add_run().add_break()
                self._runs(paragraph, paragraph._p,
                           (inline.Text(f"\u2014 {block.attribution}"),), style="Attribution")
        elif isinstance(block, ListBlock):
            style = "List Number" if block.ordered else "List Bullet"
            num = (wordml.add_list(self.document, self.number_definition) if block.ordered
                   else self.bullets)
            for text in block.items:
                paragraph = self._markup_paragraph(text, style)
                wordml.number_paragraph(wordml.properties(paragraph._p, "w:pPr"), num)
        elif isinstance(block, Image):
            self._image(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Timeline):
            for event in block.events:
                self._text_paragraph(event.when, "Timeline Date")
                self._markup_paragraph(event.text, "Timeline Event")
        elif isinstance(block, Factbox):
            if block.title:
                self._text_paragraph(block.title, "Factbox Title")
            for index, text in enumerate(block.items, 1):
                paragraph = self._markup_paragraph(text, "Factbox")
                wordml.number_paragraph(wordml.properties(paragraph._p, "w:pPr"), self.bullets)
                # one box on one page: a box split by a page break reads as two
                if index < len(block.items):
                    paragraph.paragraph_format.keep_with_next = True

    def _image(self, block: Image) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        from briefkit.exporters import wordml

        asset = self.item.assets[block.src]
        natural = Emu(round(asset.width * 914400 / PIXELS_PER_INCH))
        width: int = min(natural, self.text_width)
        height = round(width * asset.height / asset.width)
        tallest: int = round(self.text_height * MAX_PICTURE_HEIGHT)
        if height > tallest:
            width, height = round(width * tallest / height), tallest
        paragraph = self._paragraph("Normal")
        paragraph.paragraph_format.keep_with_next = bool(block.caption or block.credit)
        # centred: "left" and "right" swap meaning in right-to-left paragraphs from one
        # word processor to the next, the centre does not
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture = paragraph.add_run().add_picture(io.BytesIO(asset.read()), width=Emu(width),
                                                  height=Emu(height))
        wordml.set_alt_text(picture, typeset(block.alt, self.language))
        if block.caption:
            caption = self._markup_paragraph(block.caption, "Caption")
            caption.paragraph_format.keep_with_next = bool(block.credit)
        if block.credit:
            self._text_paragraph(block.credit, "Credit")

    def _table(self, block: Table) -> None:
        from docx.oxml.ns import qn
        from docx.table import _Cell
        from docx.text.paragraph import Paragraph as WordParagraph

        from briefkit.exporters import wordml

        if block.caption:
            caption = self._markup_paragraph(block.caption, "Caption")
            caption.paragraph_format.keep_with_next = True
        table = self.document.add_table(rows=1 + len(block.rows), cols=len(block.header))
        table._tbl.tblPr.style = self.style_ids[TABLE_STYLE]
        if self.rtl:
            wordml.right_to_left_table(table._tbl)
        # straight to the cells' XML: python-docx's row.cells recomputes the grid each time
        for tr, cells in zip(table._tbl.tr_lst, [block.header, *block.rows]):
            for tc, text in zip(tr.tc_lst, cells):
                paragraph = WordParagraph(tc.p_lst[0], _Cell(tc, table))
                self._runs(paragraph, paragraph._p, inline.parse(text) if text else ())
        wordml.repeat_header_row(table.rows[0])
        if len(block.rows) <= KEEP_TABLE_ROWS:
            # a short table reads best on one page: each row keeps with the next
            for tr in table._tbl.tr_lst[1:-1]:
                for p in tr.iter(qn("w:p")):
                    wordml.put(wordml.properties(p, "w:pPr"), wordml.element("w:keepNext"))
        # a little air between the table and what follows
        self._paragraph("Normal").paragraph_format.space_after = 0

    # --- text -----------------------------------------------------------------------

    def _paragraph(self, style: str) -> WordParagraph:
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph as WordParagraph
        from lxml import etree  # type: ignore[import-untyped]

        # python-docx's add_paragraph looks for the body's end from its start each time,
        # which grows with the document; the section properties close the body
        body = self.document.element.body
        p = body.makeelement(qn("w:p"), {})  # made by the body: a python-docx CT_P
        body.sectPr.addprevious(p)
        if style != "Normal":
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self.style_ids[style])
        return WordParagraph(p, self.document)

    def _text_paragraph(self, text: str, style: str) -> WordParagraph:
        paragraph = self._paragraph(style)
        self._runs(paragraph, paragraph._p, (inline.Text(text),))
        return paragraph

    def _markup_paragraph(self, text: str, style: str) -> WordParagraph:
        paragraph = self._paragraph(style)
        self._runs(paragraph, paragraph._p, inline.parse(text))
        return paragraph

    def _runs(self, paragraph: WordParagraph, container: BaseOxmlElement,
              nodes: tuple[inline.Inline, ...], *, bold: bool = False,
              italic: bool = False, style: str | None = None) -> list[Run]:
        """Runs for inline nodes, typeset in the briefing's language, in character style
        ``style`` (a name); links become hyperlinks in the Hyperlink style."""
        from briefkit.exporters import wordml

        style_id = self.style_ids[style] if style else None

        made = []
        for node in nodes:
            if isinstance(node, inline.Text):
                text = typeset(node.text, self.language)
                made.append(wordml.add_run(
                    container, paragraph, text, style=style_id, bold=bold, italic=italic,
                    rtl=self.rtl and _RTL_TEXT.search(text) is not None))
            elif isinstance(node, inline.Emphasis):
                made += self._runs(paragraph, container, node.children, bold=bold, italic=True,
                                   style=style)
            elif isinstance(node, inline.Strong):
                made += self._runs(paragraph, container, node.children, bold=True,
                                   italic=italic, style=style)
            else:
                link = wordml.add_hyperlink(paragraph, node.url)
                made += self._runs(paragraph, link, node.children, bold=bold, italic=italic,
                                   style="Hyperlink")
        return made

    # --- properties -----------------------------------------------------------------

    def _properties(self) -> None:
        """Document properties from the briefing, never from the template or the clock."""
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        b = self.briefing
        props = self.document.core_properties
        props.title = _fit(typeset(b.title, self.language))
        props.author = _fit("; ".join(a.name for a in b.authors))
        props.subject = _fit(typeset(b.subtitle, self.language) if b.subtitle else "")
        props.keywords = _fit("; ".join(b.tags))
        props.comments = _fit(b.summary or (inline.plain(b.standfirst) if b.standfirst else ""))
        props.category = ""
        props.language = b.language
        props.identifier = _fit(b.url or "")
        props.last_modified_by = ""
        props.revision = 1
        props.content_status = ""
        props.version = ""
        props.created = _utc(b.published)
        props.modified = _utc(b.modified)
        element = props._element
        for name in ("lastPrinted",):
            element.remove_all(f"cp:{name}")

        # extended properties: the template's claim to be "Microsoft Macintosh Word" with
        # one page and no words would be wrong; say what made the file and for whom
        package = self.document.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.EXTENDED_PROPERTIES:
                del package.rels[rid]
        company = _xml_text(self.look.brand.masthead or self.settings.publisher)
        app = Part(
            PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES,
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties">'
                "<Application>briefkit</Application><DocSecurity>0</DocSecurity>"
                f"<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "</Properties>"
            ).encode(),
            package,
        )
        package.relate_to(app, RT.EXTENDED_PROPERTIES)


def _fit(text: str, limit: int = CORE_PROPERTY_LIMIT) -> str:
    """``text`` cut at a word to fit a core property, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "\u2026"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
