"""The briefing as an EPUB 3 e-book (``dist/<id>.epub``), packaged by EbookLib.

One chapter per section.  A reader's table of contents then jumps straight to
each question the briefing answers, a reading system lays out and paginates
one short file at a time (quick page turns on e-ink), and every question
starts on a fresh page, as sections do in print.  A section without a heading
has no entry of its own to show in the contents: it joins the chapter before
it, so an introduction opens on the title page, under the byline.  A section
with a heading and no blocks still gets its own chapter, holding its heading,
so the contents lists every section and no file is ever empty.

The book is: the title page, the contents (the navigation document, also in
the reading order), the chapters, then the sources with their links.  An NCX
is added for EPUB 2 reading systems.  Chapter bodies come from the theme's
templates (``epub-*.html`` and the shared ``blocks.html``), so the typography
of the web page and the PDF (French no-break spaces ...) is in the e-book too;
the stylesheet is the theme's ``epub.css``.

Everything is derived from the briefing: the identifier is a UUID 5 of its
canonical address and ``dcterms:modified`` is its last change, so the same
briefing always gives the same book.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from briefkit import inline
from briefkit.errors import ExporterError, ThemeError
from briefkit.exporters.base import Context, Exporter
from briefkit.exporters.html import HTMLExporter
from briefkit.load import BriefingFile
from briefkit.model import Briefing, Section
from briefkit.output import normalise_zip
from briefkit.render import html
from briefkit.render.labels import labels_for
from briefkit.render.typography import typeset
from briefkit.themes import Theme

if TYPE_CHECKING:
    from ebooklib import epub  # type: ignore[import-untyped]

STYLESHEET = "style/epub.css"
IMAGE_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
#: Written in English (marked so): EPUB Accessibility asks for a summary, and
#: briefkit has no translation of it yet.
ACCESSIBILITY_SUMMARY = (
    "A news briefing in reading order, with a title page, a table of contents and "
    "one chapter per section, each under a heading. {images}Tables have header cells. "
    "The stylesheet sets no font sizes, so the reader's own settings apply."
)
ACCESSIBILITY_IMAGES = "Every image has a text alternative. "
_XHTML_NS = 'xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VARIABLE = re.compile(r"var\(--([a-z-]+)\)")


def identifier(briefing: Briefing, base_url: str | None = None) -> str:
    """The book's ``dc:identifier``: a UUID 5 URN that never changes for a briefing.

    Derived from the briefing's canonical URL; without one, from the address of
    its web page under the project's ``base_url`` (the same URL, so adding it to
    the briefing later keeps the identifier), else from its id alone.
    """
    if briefing.url:
        address = briefing.url
    elif base_url:
        address = base_url + HTMLExporter().filename(briefing.id)
    else:
        address = f"urn:briefkit:briefing:{briefing.id}"
    return uuid.uuid5(uuid.NAMESPACE_URL, address).urn


def utc_stamp(moment: datetime) -> str:
    """A moment as EPUB writes ``dcterms:modified``: CCYY-MM-DDThh:mm:ssZ, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stylesheet(theme: Theme) -> str:
    """The theme's ``epub.css`` with its ``var(--name)`` replaced by the theme's values.

    Many reading systems ignore CSS custom properties, so none is left in the book.
    """
    ts = theme.settings
    stack = ", ".join(f'"{f}"' for f in ts.fonts.fallback)
    values = {
        "font-body": f'"{ts.fonts.body}", {stack}, serif',
        "font-headings": f'"{ts.fonts.headings}", {stack}, sans-serif',
        **ts.colours.model_dump(),
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ThemeError(
                f"theme '{theme.name}': epub.css uses var(--{name}); "
                f"known: {', '.join('--' + v for v in values)}"
            )
        return str(values[name])

    return _VARIABLE.sub(value, theme.read_text("epub.css"))


def chapters(sections: Sequence[Section]) -> tuple[list[Section], list[list[Section]]]:
    """The sections that open the briefing (shown on the title page), and the chapters.

    A chapter starts at each section with a heading and takes the sections
    without a heading that follow it.
    """
    opening: list[Section] = []
    grouped: list[list[Section]] = []
    for section in sections:
        if section.heading is not None:
            grouped.append([section])
        elif grouped:
            grouped[-1].append(section)
        else:
            opening.append(section)
    return opening, grouped


class EpubExporter(Exporter):
    name = "epub"
    extension = ".epub"
    media_type = "application/epub+zip"
    description = "an EPUB 3 e-book: title page, one chapter per section, sources"

    def export(self, item: BriefingFile, context: Context) -> bytes:
        from ebooklib import epub

        briefing = item.briefing
        lang, direction = briefing.language, briefing.direction
        labels = labels_for(lang)
        theme, settings = context.theme, context.settings

        book = epub.EpubBook()
        book.IDENTIFIER_ID = "briefing-id"
        book.set_identifier(identifier(briefing, settings.base_url))
        book.set_title(typeset(briefing.title, lang))
        book.set_language(lang)
        book.set_direction(direction)
        # EbookLib's own templates, with the direction on the root element and a language on the NCX
        book.set_template("nav", (
            f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html {_XHTML_NS} dir="{direction}"/>'
        ).encode())
        book.set_template("ncx", (
            '<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" '
            '"http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">'
            f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="{lang}"/>'
        ).encode())
        self._metadata(book, briefing, settings.publisher)

        css = epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                            content=stylesheet(theme).encode("utf-8"))
        book.add_item(css)

        # each image once, named by its order of appearance: stable, and safe in any reader
        images: dict[str, str] = {}
        for block in briefing.images():
            if block.src in images:
                continue
            asset = item.assets[block.src]
            number = len(images) + 1
            images[block.src] = f"images/image-{number}{IMAGE_EXTENSIONS[asset.media_type]}"
            book.add_item(epub.EpubImage(uid=f"image-{number}", file_name=images[block.src],
                                         media_type=asset.media_type, content=asset.read()))

        def document(uid: str, title: str, template: str, **extra: Any) -> epub.EpubHtml:
            body = html.render(template, item, theme, settings, images.__getitem__, **extra)
            page = epub.EpubHtml(uid=uid, file_name=f"{uid}.xhtml", title=title, lang=lang,
                                 direction=direction, content=body.encode("utf-8"))
            page.add_item(css)
            book.add_item(page)
            return page

        opening, grouped = chapters(briefing.sections)
        title_page = document("title", book.title, "epub-title.html", sections=opening)
        body = [
            document(f"section-{number}", typeset(group[0].heading or "", lang),
                     "epub-sections.html", sections=group)
            for number, group in enumerate(grouped, 1)
        ]
        if briefing.sources:
            body.append(document("sources", labels.sources, "epub-sources.html"))

        nav = epub.EpubNav(title=labels.contents, direction=direction)
        nav.add_item(css)
        book.add_item(nav)
        book.add_item(epub.EpubNcx())
        book.toc = [title_page, *body]
        book.spine = [title_page, nav, *body]
        return normalise_zip(self._write(book, briefing), briefing.modified)

    @staticmethod
    def _metadata(book: epub.EpubBook, briefing: Briefing, publisher: str) -> None:
        """Dublin Core and accessibility metadata, beyond title, language and identifier."""
        lang = briefing.language
        # EbookLib's add_author gives every creator the same id: ours are numbered
        for number, author in enumerate(briefing.authors, 1):
            uid = f"creator-{number}"
            book.add_metadata("DC", "creator", typeset(author.name, lang), {"id": uid})
            book.add_metadata(None, "meta", "aut",
                              {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
        book.add_metadata("DC", "date", utc_stamp(briefing.published))
        for tag in briefing.tags:
            book.add_metadata("DC", "subject", tag)
        description = briefing.summary or (briefing.standfirst and inline.plain(briefing.standfirst))
        if description:
            book.add_metadata("DC", "description", typeset(description, lang))
        if publisher:
            book.add_metadata("DC", "publisher", publisher)
        if briefing.rights:
            book.add_metadata("DC", "rights", typeset(briefing.rights, lang))

        has_images = bool(briefing.images())
        access = [
            ("accessMode", "textual"),
            *([("accessMode", "visual")] if has_images else []),
            ("accessModeSufficient", "textual"),
            *([("accessModeSufficient", "textual,visual")] if has_images else []),
            ("accessibilityFeature", "structuralNavigation"),
            ("accessibilityFeature", "tableOfContents"),
            ("accessibilityFeature", "readingOrder"),
            ("accessibilityFeature", "displayTransformability"),
            *([("accessibilityFeature", "alternativeText")] if has_images else []),
            ("accessibilityHazard", "none"),
        ]
        for name, value in access:
            book.add_metadata(None, "meta", value, {"property": f"schema:{name}"})
        summary = ACCESSIBILITY_SUMMARY.format(images=ACCESSIBILITY_IMAGES if has_images else "")
        book.add_metadata(None, "meta", summary,
                          {"property": "schema:accessibilitySummary", XML_LANG: "en"})

    @staticmethod
    def _write(book: epub.EpubBook, briefing: Briefing) -> bytes:
        """The book's bytes; EbookLib's silent failures become errors."""
        from ebooklib import epub

        buffer = io.BytesIO()
        options = {
            "raise_exceptions": True,  # else write_epub returns False on OSError and says nothing
            "mtime": briefing.modified.astimezone(UTC),  # else "now"
            "epub3_pages": False,
        }
        try:
            written = epub.write_epub(buffer, book, options)
        except OSError as error:
            raise ExporterError(f"{briefing.id}: the EPUB could not be written ({error})") from None
        if not written:
            raise ExporterError(f"{briefing.id}: the EPUB could not be written")
        data = buffer.getvalue()
        # EbookLib writes an empty file for a document it cannot parse, and carries on
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            empty = [i.filename for i in archive.infolist() if i.file_size == 0]
        if empty:
            raise ExporterError(f"{briefing.id}: the EPUB has empty files: {', '.join(empty)}")
        return data
