"""The briefing as a Word document partners open, edit and republish (``dist/<id>.docx``).

A native document, not a picture of the PDF: every block is text in a named
style derived from the theme (:mod:`briefkit.exporters.docx.styles`), written
by :mod:`briefkit.exporters.docx.blocks`.  A theme may carry
``reference.docx``: as with pandoc's reference document, its styles and page
setup are used, and the theme only fills in the styles it lacks.  The theme's
fonts travel inside the file (Word's font embedding,
:mod:`briefkit.exporters.docx.fonts`), so Word and LibreOffice show them on a
machine that lacks them.  What python-docx has no API for lives in
:mod:`briefkit.exporters.docx.ooxml`.

The output depends only on the briefing, the theme and the settings: the
document properties come from the briefing, never from the clock or the
template.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from briefkit import inline
from briefkit.briefing_file import BriefingFile
from briefkit.exporters.base import Context, Exporter
from briefkit.exporters.docx.blocks import WordBody
from briefkit.exporters.docx.faces import TextFaces
from briefkit.exporters.docx.start import start, text_height, text_width, word_language
from briefkit.render.dates import conventions_of, dateline
from briefkit.render.labels import comma, labels_for, name_separators
from briefkit.render.typography import typeset
from briefkit.reproducible import Deflated, deflated, normalise_zip

if TYPE_CHECKING:
    from docx.document import Document
    from docx.section import _Footer, _Header
    from docx.shared import Length

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# python-docx refuses core properties longer than this (Word's own limit)
CORE_PROPERTY_LIMIT = 255
# what numbering and page fields print, beside the document's text: kept in font subsets
_FIELD_CHARACTERS = "0123456789./\u2022"


class DocxExporter(Exporter):
    name = "docx"
    label = "Word"
    extension = ".docx"
    media_type = MEDIA_TYPE
    description = "the briefing as a Word document partners can edit, styles from the theme"
    # python-docx writes with lxml; fontTools subsets the embedded fonts; Babel: dates
    made_with = ("python-docx", "lxml", "fonttools", "babel")

    def export(self, item: BriefingFile, context: Context) -> bytes:
        return _WordBriefing(item, context).build()


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
        self.cache = context.cache
        self.kept: dict[str, Deflated] = {}  # the embedded faces, deflated once

    # --- the document ---------------------------------------------------------------

    def build(self) -> bytes:
        """The .docx bytes."""
        import docx

        ready = start(self.look, word_language(self.language), self.rtl, self.reference)
        self.document: Document = docx.Document(io.BytesIO(ready.data))
        self.body = WordBody(self.document, self.item, ready.ids, bullets=ready.bullets,
                             number_definition=ready.number_definition,
                             text_width=self.text_width, text_height=self.text_height,
                             faces=None if self.reference else TextFaces(self.theme))
        self._header_and_footer()
        self._front()
        for section in self.briefing.sections:
            if section.heading:
                self.body.text_paragraph(section.heading, "Heading 1", tie=True)
            for block in section.blocks:
                self.body.block(block)
        self._sources()
        if self.briefing.rights:
            self.body.text_paragraph(self.briefing.rights, "Credit")
        self._fonts()
        self._properties()
        out = io.BytesIO()
        self.document.save(out)
        return normalise_zip(out.getvalue(), self.briefing.modified, self.kept)

    @property
    def text_width(self) -> Length:
        return text_width(self.document)

    @property
    def text_height(self) -> Length:
        return text_height(self.document)

    # --- header, footer, front matter -----------------------------------------------

    def _header_and_footer(self) -> None:
        """The running title in the header from page 2 (the first page shows the title
        itself), the footer line and page number on every page."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        # a reference document's own header and footer text gives way to ours
        stories: tuple[_Header | _Footer, ...] = (
            section.header, section.footer, section.first_page_header, section.first_page_footer)
        for story in stories:
            for block in [*story.paragraphs, *story.tables]:
                element = block._element
                element.getparent().remove(element)
            story.add_paragraph()
        masthead = self.look.brand.masthead or self.settings.publisher
        header = section.header.paragraphs[0]
        header._p.style = self.body.style_ids["Header"]
        if masthead:
            self.body.runs(header, header._p, (inline.Text(masthead),))
            header.add_run().add_tab()
        self.body.runs(header, header._p, (inline.Text(self.briefing.title),))
        section.first_page_header.paragraphs[0]._p.style = self.body.style_ids["Header"]
        for footer in (section.footer, section.first_page_footer):
            self._footer(footer)

    def _footer(self, footer: _Footer) -> None:
        """The theme's footer line at the start, the page number at the end; alone, the
        page number is centred."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        from briefkit.exporters.docx import ooxml
        paragraph = footer.paragraphs[0]
        paragraph._p.style = self.body.style_ids["Footer"]
        footer_text = self.look.brand.footer_in(self.language)
        if footer_text:
            self.body.runs(paragraph, paragraph._p, (inline.Text(footer_text),))
            paragraph.add_run().add_tab()
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.body.runs(paragraph, paragraph._p,
                       (inline.Text(f"{labels_for(self.language).page} "),))
        ooxml.add_field(paragraph, "PAGE")
        paragraph.add_run(" / ")
        ooxml.add_field(paragraph, "NUMPAGES")

    def _front(self) -> None:
        b, body = self.briefing, self.body
        body.text_paragraph(b.title, "Title", tie=True)
        if b.subtitle:
            body.text_paragraph(b.subtitle, "Subtitle", tie=True)
        if b.standfirst:
            body.markup_paragraph(b.standfirst, "Standfirst", tie=True)
        byline = body.paragraph("Byline")
        separators = name_separators(b.language, len(b.authors))
        for index, author in enumerate(b.authors):
            if index:
                body.runs(byline, byline._p, (inline.Text(separators[index - 1]),))
            name: tuple[inline.Inline, ...] = (inline.Text(author.name),)
            body.runs(byline, byline._p,
                      (inline.Link(name, author.url),) if author.url else name, bold=True)
            if author.role:
                body.runs(byline, byline._p, (inline.Text(f" ({author.role})"),))
        if b.authors:
            byline.add_run().add_break()
        body.runs(byline, byline._p,
                  (inline.Text(dateline(b, conventions_of(self.settings))),))

    def _sources(self) -> None:
        from briefkit.exporters.docx import numbering, ooxml
        if not self.briefing.sources:
            return
        body = self.body
        body.text_paragraph(labels_for(self.language).sources, "Heading 1")
        num = numbering.add_list(self.document, body.number_definition)
        for source in self.briefing.sources:
            paragraph = body.paragraph("Source")
            numbering.number_paragraph(ooxml.properties(paragraph._p, "w:pPr"), num)
            title: tuple[inline.Inline, ...] = (inline.Text(source.title),)
            body.runs(paragraph, paragraph._p,
                      (inline.Link(title, source.url),) if source.url else title)
            if source.publisher:
                body.runs(paragraph, paragraph._p, (inline.Text(comma(self.language) + source.publisher),),
                          italic=True)

    def _fonts(self) -> None:
        """Embed the theme's faces the document's text needs (a reference document's
        fonts are its own business)."""
        from lxml.etree import XPath  # type: ignore[import-untyped]

        from briefkit.exporters.docx import fonts
        if self.reference:
            return
        section = self.document.sections[0]
        # the text of every w:t (python-docx's elements make itertext slow and repetitive)
        texts = XPath("//w:t/text()", namespaces={"w": W})
        text = "".join((
            *(str(t) for t in texts(self.document.element)),
            *(str(t) for story in (section.header, section.footer)
              for t in texts(story._element)),
            _FIELD_CHARACTERS,
        ))
        families = self.theme.families_for(text)
        parts = fonts.font_parts(self.theme, families, text, self.cache)
        if parts:
            # a face's bytes are deflated once and kept: python-docx writes a stand-in
            entries = {part.key: deflated(part.data, self.cache.get) for part in parts}
            placed = fonts.embed_parts(self.document, parts,
                                       blob=lambda part: entries[part.key].stand_in)
            self.kept = {name: entries[part.key] for name, part in placed.items()}

#####
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
