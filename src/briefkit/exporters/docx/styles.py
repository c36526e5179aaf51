"""The Word document's styles, derived from the theme (``theme.toml``).

Every block of a briefing is text in a named style: Word's own (Title,
Heading 1, Quote, List Number, Caption ...) where one fits, styles of our own
for the standfirst, byline, attribution, factbox, timeline, sources and
credits, and a table style.  Spacing and page-flow rules (keep a heading with
the lines after it) live in the styles, so a partner restyles a kind of block
in one place.  A reference document's own styles are kept as they are: the
theme only fills in the styles it lacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from briefkit.theme import ThemeSettings

if TYPE_CHECKING:
    from docx.document import Document
    from docx.shared import Length
    from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle

TABLE_STYLE = "Briefing Table"
#: Line pitch as a multiple of the type size, as the printed page sets it (print.css and
#: style.css): an exact pitch, because "auto" multiplies each face's own line height, and
#: Charis SIL's tall one made "1.15" nearly double spacing (19.7 pt for 10.5 pt type).
LEADING = 1.48
#: Scripts the printed page and the web set larger than Latin at the same size, with more
#: room between lines (style.css ``html:lang(ar)``): by language, the factor for
#: complex-script text (``w:szCs``) and for the line pitch.
SCRIPT_SIZES = {"ar": (1.15, 1.65 / LEADING)}


class WordStyles:
    """The styles of one document being written; :meth:`make` adds them."""

    def __init__(self, document: Document, look: ThemeSettings, *, language: str, rtl: bool,
                 reference: bool, text_width: Length) -> None:
        self.document = document
        self.look = look
        self.language = language  # as Word writes it: 'fr-FR'
        self.rtl = rtl
        self.reference = reference
        self.text_width = text_width
        self.bullets = 0  # numId of the bulleted lists, once made
        self.number_definition = 0
        self._themed: set[str] = set()  # styles given the theme's look
        self._by_name: dict[str, BaseStyle] = {}
        # complex-script text (Arabic) larger than Latin at the same size, lines further apart
        self.script_size, self.script_leading = SCRIPT_SIZES.get(
            language.split("-", maxsplit=1)[0].lower(), (1.0, 1.0))

    def ids(self) -> dict[str, str]:
        """Style ids by name, looked up once: python-docx searches every style each time."""
        return {style.name: style.style_id for style in self.document.styles}

    def make(self) -> None:
        """Every style the briefing uses, from theme.toml; a reference document's own
        styles are kept as they are."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.shared import Pt

        from briefkit.exporters.docx import numbering, ooxml
        fonts, colours, size = self.look.fonts, self.look.colours, self.look.fonts.size
        complex_font = fonts.fallback[0] if fonts.fallback else None
        lang = self.language
        if not self.reference:
            ooxml.set_text_defaults(self.document, font=fonts.body, complex_font=complex_font,
                                     size=size, colour=colours.text[1:], after=size * 0.8,
                                     line=1.15, pitch=self.pitch(size, LEADING),
                                     complex_size=size * self.script_size)
        ooxml.set_language_defaults(self.document, lang, rtl=self.rtl)
        ooxml.set_document_language(self.document, lang)

        body, head = fonts.body, fonts.headings
        text, muted, accent, rule, shade = (c[1:] for c in (
            colours.text, colours.muted, colours.accent, colours.rule, colours.shade))
        # the side a quote's or a timeline's rule runs down: where lines start
        start = "right" if self.rtl else "left"

        self._paragraph_style("Normal", None)  # fonts and size: the style defaults
        title = self._paragraph_style("Title", "Normal", font=head, size=size * 2.2, bold=True,
                                      colour=text, before=0, after=6, keep=True, leading=1.1)
        if title is not None:
            ppr = ooxml.properties(title.element, "w:pPr")
            ppr.remove_all("w:pBdr", "w:contextualSpacing")
            title.element.get_or_add_rPr().remove_all("w:spacing", "w:kern")
        subtitle = self._paragraph_style("Subtitle", "Normal", font=head, size=size * 1.25,
                                         italic=False, colour=muted, after=8, keep=True,
                                         leading=1.3)
        if subtitle is not None:
            numbering.drop_numbering(ooxml.properties(subtitle.element, "w:pPr"))
            subtitle.element.get_or_add_rPr().remove_all("w:spacing")
        # larger, not bold: bold and emphasis inside the standfirst stay visible
        self._paragraph_style("Standfirst", "Normal", font=body, size=size * 1.2, bold=False,
                              colour=text, before=6, after=10, keep=True, leading=1.42)
        byline = self._paragraph_style("Byline", "Normal", font=head, size=size * 0.85,
                                       colour=muted, before=4, after=18, leading=1.45)
        if byline is not None:
            ooxml.borders(ooxml.properties(byline.element, "w:pPr"), {"top": (rule, 6)},
                           space=6)
        for level, factor, before in ((1, 1.3, 20), (2, 1.1, 14)):
            heading = self._paragraph_style(f"Heading {level}", "Normal", font=head,
                                            size=size * factor, bold=True, colour=text,
                                            before=before, after=6, keep=True, leading=1.25)
            if heading is not None and level == 1:
                ooxml.borders(ooxml.properties(heading.element, "w:pPr"),
                               {"top": (accent, 18)}, space=6)
        quote = self._paragraph_style("Quote", "Normal", font=body, size=size * 1.1,
                                      italic=not self.rtl, colour=text, before=6, after=8,
                                      leading=1.4)
        if quote is not None:
            ppr = ooxml.properties(quote.element, "w:pPr")
            ooxml.borders(ppr, {start: (accent, 18)}, space=10)
            quote.paragraph_format.left_indent = Pt(14)
            quote.paragraph_format.right_indent = Pt(14)
        # the attribution shares the quote's rule (same borders and indents: one box)
        self._paragraph_style("Attribution", "Quote", font=head, size=size * 0.85,
                              italic=False, colour=muted, before=0, after=12, leading=1.4)
        self._character_style("Hyperlink", colour=accent, underline=True)
        for name in ("List Bullet", "List Number"):
            self._paragraph_style(name, "Normal", after=3)
        self._paragraph_style("Caption", "Normal", font=head, size=size * 0.85, bold=False,
                              colour=muted, before=4, after=2, leading=1.4)
        self._paragraph_style("Credit", "Normal", font=head, size=size * 0.75, colour=muted,
                              after=12, leading=1.4)
        # the factbox: a shaded box; same borders on every paragraph make Word draw one box
        factbox = self._paragraph_style("Factbox", "Normal", font=body, size=size * 0.95,
                                        colour=text, after=3, leading=1.45)
        if factbox is not None:
            ppr = ooxml.properties(factbox.element, "w:pPr")
            ooxml.shade(ppr, shade)
            ooxml.borders(ppr, {"top": (text, 18), "left": (shade, 4), "bottom": (shade, 4),
                                 "right": (shade, 4)}, space=8)
            factbox.paragraph_format.left_indent = Pt(10)
            factbox.paragraph_format.right_indent = Pt(10)
        self._paragraph_style("Factbox Title", "Factbox", font=head, size=size, bold=True,
                              colour=text, after=4, keep=True, leading=1.3)
        # the timeline: one continuous accent rule down the side of dates and events
        timeline = (
            self._paragraph_style("Timeline Date", "Normal", font=head, size=size * 0.85,
                                  bold=True, colour=accent, after=0, keep=True, leading=1.3),
            self._paragraph_style("Timeline Event", "Normal", font=body, colour=text, after=6),
        )
        for style in timeline:
            if style is not None:
                ooxml.borders(ooxml.properties(style.element, "w:pPr"),
                               {start: (accent, 12)}, space=8)
                style.paragraph_format.left_indent = Pt(10)
        self._paragraph_style("Source", "Normal", size=size * 0.9, after=3, leading=1.4)
        for name in ("Header", "Footer"):
            hf = self._paragraph_style(name, "Normal", font=head, size=size * 0.75,
                                       colour=muted, after=0, leading=1.2)
            if hf is not None:
                hf.paragraph_format.tab_stops.clear_all()
                hf.paragraph_format.tab_stops.add_tab_stop(self.text_width,
                                                           WD_TAB_ALIGNMENT.RIGHT)
        if self._style_missing(TABLE_STYLE):
            ooxml.add_table_style(self.document, TABLE_STYLE, text=text, rule=rule, font=head,
                                  size=size * 0.9, complex_size=size * 0.9 * self.script_size,
                                  pitch=self.pitch(size * 0.9, 1.35))
        # list numbering: real Word lists, the styles point at them so a new item typed by
        # a partner gets a bullet or a number too
        self.bullet_definition = numbering.add_list_definition(self.document, ordered=False,
                                                            rtl=self.rtl)
        self.number_definition = numbering.add_list_definition(self.document, ordered=True,
                                                            rtl=self.rtl)
        self.bullets = numbering.add_list(self.document, self.bullet_definition, restart=False)
        for name, definition in (("List Bullet", self.bullet_definition),
                                 ("List Number", self.number_definition),
                                 ("Factbox", self.bullet_definition),
                                 ("Source", self.number_definition)):
            if self._restyled(name):
                num = (self.bullets if definition == self.bullet_definition
                       else numbering.add_list(self.document, definition, restart=False))
                ppr = ooxml.properties(self._by_name[name].element, "w:pPr")
                numbering.number_paragraph(ppr, num)
                if self.rtl:
                    # LibreOffice puts the number on the side of the style's own direction
                    ooxml.right_to_left_paragraph(ppr)
        if self._restyled("Factbox Title"):
            ppr = ooxml.properties(self._by_name["Factbox Title"].element, "w:pPr")
            numbering.number_paragraph(ppr, 0)  # numId 0: no bullet on the title

    def pitch(self, size: float, leading: float) -> float:
        """Points from one baseline to the next for type of ``size`` points set
        ``leading`` times its size apart (more for a script set larger)."""
        return size * leading * self.script_size * self.script_leading

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
                         keep: bool | None = None,
                         leading: float = LEADING) -> ParagraphStyle | None:
        """Paragraph style ``name`` in the theme's look; with a ``size``, its lines
        ``leading`` times the size apart."""
        from docx.shared import Pt, RGBColor

        from briefkit.exporters.docx import ooxml

        style = cast("ParagraphStyle | None", self._style(name, "paragraph", base))
        if style is None:
            return None
        self._character_look(style, font=font, size=size, bold=bold, italic=italic)
        if colour is not None:
            style.font.color.rgb = RGBColor.from_string(colour)
        if size is not None:
            ooxml.set_line_pitch(ooxml.properties(style.element, "w:pPr"),
                                 self.pitch(size, leading))
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
        from briefkit.exporters.docx import ooxml
        rpr = style.element.get_or_add_rPr()
        if font is not None:
            fallback = self.look.fonts.fallback
            ooxml.set_fonts(rpr, font, fallback[0] if fallback else None)
        if size is not None:
            ooxml.set_size(rpr, size, size * self.script_size)
        if bold is not None:
            style.font.bold = bold
            rpr.remove_all("w:bCs")
            if bold:
                ooxml.put(rpr, ooxml.element("w:bCs"))
        if italic is not None:
            style.font.italic = italic
            rpr.remove_all("w:iCs")

    # --- header, footer, front matter -----------------------------------------------
