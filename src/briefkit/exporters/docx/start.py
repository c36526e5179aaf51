"""The document a Word export starts from: the template (python-docx's, or the theme's
``reference.docx``) emptied, its page set up from the theme and the theme's styles made.

Making the styles is a good part of a document's time (python-docx looks every style
up by name through all of them), and every document of a theme, language and
direction starts the same: a process makes each start once, keeps it saved, and each
document opens a copy.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.errors import ThemeError
from briefkit.exporters.docx.styles import WordStyles
from briefkit.render.dates import locale_of
from briefkit.theme import ThemeSettings, digest_of

if TYPE_CHECKING:
    from docx.document import Document
    from docx.shared import Length

# Word 2010's copy of styles.xml: a template's copy would go stale once we restyle
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
PAGE_SIZES_MM = {"A4": (210, 297), "Letter": (215.9, 279.4)}
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$")
#: How many starts a process keeps (one per theme, language and direction in use).
MAX_STARTS = 16


@dataclass(frozen=True)
class Start:
    """A document made ready for a briefing's text (saved), with what its body needs: the
    styles' ids, the bulleted lists' number and the ordered lists' definition."""

    data: bytes
    ids: dict[str, str]
    bullets: int
    number_definition: int


_starts: dict[tuple[str, str, bool, str], Start] = {}


def start(look: ThemeSettings, language: str, rtl: bool, reference: Path | None) -> Start:
    """The start of a document in ``language`` (as Word writes it: 'fr-FR'), right to
    left or not, from the theme's ``look`` and ``reference`` document (None: python-docx's
    template), made once per process."""
    key = (look.model_dump_json(), language, rtl, digest_of(reference) if reference else "")
    if key not in _starts:
        import docx

        document = docx.Document(str(reference) if reference else None)
        _clear_template(document, reference is not None)
        _page(document, look, rtl, reference is not None)
        styles = WordStyles(document, look, language=language, rtl=rtl,
                            reference=reference is not None, text_width=text_width(document))
        styles.make()
        out = io.BytesIO()
        document.save(out)
        if len(_starts) >= MAX_STARTS:
            _starts.pop(next(iter(_starts)))
        _starts[key] = Start(out.getvalue(), styles.ids(), styles.bullets,
                             styles.number_definition)
    return _starts[key]


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


def text_width(document: Document) -> Length:
    """Width between the margins."""
    from docx.shared import Emu

    section = document.sections[0]
    return Emu((section.page_width or 0) - (section.left_margin or 0)
               - (section.right_margin or 0))


def text_height(document: Document) -> Length:
    """Height between the margins."""
    from docx.shared import Emu

    section = document.sections[0]
    return Emu((section.page_height or 0) - (section.top_margin or 0)
               - (section.bottom_margin or 0))


def _clear_template(document: Document, reference: bool) -> None:
    """Empty the body (keeping its section) and drop the template's leftovers: the
    thumbnail of another document, its bibliography and stale style copies."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    body = document.element.body
    for child in list(body):
        if child is not body.sectPr:
            body.remove(child)
    if not reference:
        # python-docx's template defines 140 table styles nobody picked; Word offers
        # its own gallery anyway, so keep the list a partner sees short
        styles = document.styles.element
        for style in styles.findall(qn("w:style")):
            if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in (
                    "TableNormal", "TableGrid"):
                styles.remove(style)
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, STYLES_WITH_EFFECTS):
            del document.part.rels[rid]


def _page(document: Document, look: ThemeSettings, rtl: bool, reference: bool) -> None:
    from docx.shared import Mm

    from briefkit.exporters.docx import ooxml
    section = document.sections[0]
    if not reference:
        width, height = PAGE_SIZES_MM[look.page.size]
        top, right, bottom, left = _margins(look.page.margins)
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
        section.header_distance = Mm(max(top / 2, 8))
        section.footer_distance = Mm(max(bottom / 2, 8))
    if rtl:
        ooxml.right_to_left_section(section._sectPr)


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
