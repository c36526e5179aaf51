"""The briefing as an EPUB 3 e-book (``dist/<id>.epub``), packaged by EbookLib.

A short briefing (under :data:`ONE_FILE_WORDS` words) is one reading file:
title page, sections and sources flow on, as a few screens of text should,
and the contents (the navigation document, outside the reading order) jumps
to each section's heading.  A longer one is split by section: the title
page, the contents, one chapter per section with a heading, then the
sources, so a reading system lays out one short file at a time (quick page
turns on e-ink).  A section without a heading has no entry of its own: it
joins the chapter before it, so an introduction opens on the title page.

The cover is drawn from the theme at export time
(:mod:`briefkit.exporters.epub.cover`) and marked ``cover-image``.  Bodies
come from the theme's templates (``epub-*.html`` and the shared
``blocks.html``), so the typography and the dateline of the web page and the
PDF are in the e-book too; the stylesheet is the theme's ``epub.css``.  The
package element carries the briefing's language (and direction), and the
accessibility summary is in the briefing's language where briefkit has it.

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
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from briefkit import inline, links
from briefkit.briefing_file import BriefingFile
from briefkit.errors import ExporterError, ThemeError
from briefkit.exporters.base import Context, Exporter
from briefkit.exporters.epub_fonts import book_fonts, font_faces
from briefkit.links import IMAGE_EXTENSIONS
from briefkit.model import Briefing, Section
from briefkit.render import html
from briefkit.render.dates import conventions_of
from briefkit.render.labels import labels_for
from briefkit.render.typography import typeset
from briefkit.reproducible import deflated, normalise_zip
from briefkit.theme import Theme

if TYPE_CHECKING:
    from ebooklib import epub  # type: ignore[import-untyped]

STYLESHEET = "style/epub.css"
COVER = "images/cover.png"
#: Below this many words a briefing is one reading file
ONE_FILE_WORDS = 2_500
#: EPUB Accessibility asks for a summary; by language, English where briefkit has none.
ACCESSIBILITY_SUMMARIES = {
    "en": (("A news briefing in reading order, with a title page, a table of contents and a "
            "heading for each section. {images}Tables have header cells. The stylesheet sets "
            "no font sizes, so the reader's own settings apply."),
           "Every image has a text alternative. "),
    "fr": (("Un dossier d'actualité dans l'ordre de lecture, avec une page de titre, une table "
            "des matières et un titre pour chaque partie. {images}Les tableaux ont des cellules "
            "d'en-tête. La feuille de style ne fixe aucune taille de caractères : les réglages "
            "du lecteur s'appliquent."),
           "Chaque image a une alternative textuelle. "),
    "de": (("Ein Nachrichtenbriefing in Lesereihenfolge, mit Titelseite, Inhaltsverzeichnis "
            "und einer Überschrift für jeden Abschnitt. {images}Tabellen haben Kopfzellen. Das "
            "Stylesheet legt keine Schriftgrößen fest, es gelten die Einstellungen des Lesers."),
           "Jedes Bild hat eine Textalternative. "),
    "es": (("Un informe de actualidad en orden de lectura, con portadilla, índice y un título "
            "para cada sección. {images}Las tablas tienen celdas de encabezado. La hoja de "
            "estilo no fija tamaños de letra: se aplican los ajustes del lector."),
           "Cada imagen tiene una alternativa textual. "),
    "ar": (("موجز إخباري بترتيب القراءة، فيه صفحة عنوان وجدول محتويات وعنوان لكل قسم. "
            "{images}للجداول خلايا عناوين. لا تحدد ورقة الأنماط أحجام الخطوط، فتسري "
            "إعدادات القارئ."),
           "لكل صورة بديل نصي. "),
}
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
        address = base_url + links.page(briefing.id)
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
    values = {
        "font-body": f"{html.font_stack(theme, ts.fonts.body)}, serif",
        "font-headings": f"{html.font_stack(theme, ts.fonts.headings)}, sans-serif",
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


Numbered = tuple[int, Section]


def chapters(sections: Sequence[Section]) -> tuple[list[Numbered], list[list[Numbered]]]:
    """The sections that open the briefing (shown on the title page), and the chapters,
    each section with its place in the briefing (from 1).

    A chapter starts at each section with a heading and takes the sections
    without a heading that follow it.
    """
    opening: list[Numbered] = []
    grouped: list[list[Numbered]] = []
    for number, section in enumerate(sections, 1):
        if section.heading is not None:
            grouped.append([(number, section)])
        elif grouped:
            grouped[-1].append((number, section))
        else:
            opening.append((number, section))
    return opening, grouped


def word_count(briefing: Briefing) -> int:
    """Roughly how many words a reader reads: the text of the title, standfirst and every
    block (addresses and image files left out)."""
    count = 0

    def walk(value: object) -> None:
        nonlocal count
        if isinstance(value, str):
            count += len(value.split())
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key not in ("type", "src", "url"):
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk([briefing.title, briefing.subtitle or "", briefing.standfirst or ""])
    walk([section.model_dump() for section in briefing.sections])
    return count


def accessibility_summary(language: str, has_images: bool) -> tuple[str, str]:
    """The summary in ``language`` where briefkit has it (else English), and its language."""
    base = language.split("-", maxsplit=1)[0].lower()
    found = base if base in ACCESSIBILITY_SUMMARIES else "en"
    text, images = ACCESSIBILITY_SUMMARIES[found]
    return text.format(images=images if has_images else ""), (
        language if found == base else "en")


class EpubExporter(Exporter):
    name = "epub"
    label = "EPUB"
    extension = ".epub"
    media_type = "application/epub+zip"
    description = "an EPUB 3 e-book: cover, title page, sections (one file when short), sources"
    # EbookLib writes with lxml; the cover is drawn with the theme's fonts (fontTools)
    made_with = (*html.MADE_WITH, "ebooklib", "lxml", "fonttools")

    def export(self, item: BriefingFile, context: Context) -> bytes:
        from ebooklib import epub

        from briefkit.exporters.epub.cover import cover

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

        masthead = theme.settings.brand.masthead or settings.publisher
        picture = cover(briefing, theme, masthead, conventions_of(settings), context.cache.get)
        if picture is not None:
            image = epub.EpubImage(uid="cover-image", file_name=COVER, media_type="image/png",
                                   content=picture)
            image.properties = ["cover-image"]
            book.add_item(image)
            # for EPUB 2 reading systems (and Kindle's converters)
            book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})

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

        texts = [labels.contents]  # what the book shows, for the fonts it carries

        def document(uid: str, title: str, template: str, **extra: Any) -> epub.EpubHtml:
            body = html.render(template, item, theme, settings, images.__getitem__, **extra)
            texts.append(body)
            page = epub.EpubHtml(uid=uid, file_name=f"{uid}.xhtml", title=title, lang=lang,
                                 direction=direction, content=body.encode("utf-8"))
            page.add_item(css)
            book.add_item(page)
            return page

        nav = epub.EpubNav(title=labels.contents, direction=direction)
        nav.add_item(css)
        opening, grouped = chapters(briefing.sections)
        if word_count(briefing) < ONE_FILE_WORDS:
            # one reading file; the contents lead to its headings
            whole = document("briefing", book.title, "epub-title.html",
                             sections=[*opening, *(s for group in grouped for s in group)],
                             with_sources=bool(briefing.sources))
            book.toc = [
                epub.Link(f"{whole.file_name}#title", book.title, "title"),
                *(epub.Link(f"{whole.file_name}#section-{group[0][0]}",
                            typeset(group[0][1].heading or "", lang), f"section-{group[0][0]}")
                  for group in grouped),
                *([epub.Link(f"{whole.file_name}#sources", labels.sources, "sources")]
                  if briefing.sources else []),
            ]
            book.spine = [whole]
        else:
            title_page = document("title", book.title, "epub-title.html", sections=opening,
                                  with_sources=False)
            body = [
                document(f"section-{group[0][0]}", typeset(group[0][1].heading or "", lang),
                         "epub-sections.html", sections=group)
                for group in grouped
            ]
            if briefing.sources:
                body.append(document("sources", labels.sources, "epub-sources.html"))
            book.toc = [title_page, *body]
            book.spine = [title_page, nav, *body]
        book.add_item(nav)
        book.add_item(epub.EpubNcx())
        # the theme's faces travel with the book, subset to what it shows
        fonts = book_fonts(theme, _shown("".join(texts)), lang, context.cache.get_all)
        # a face's bytes are deflated once and kept: EbookLib writes a stand-in
        kept = {}
        for number, font in enumerate(fonts, 1):
            entry = deflated(font.data, context.cache.get)
            kept[f"{book.FOLDER_NAME}/{font.href}"] = entry
            book.add_item(epub.EpubItem(uid=f"font-{number}", file_name=font.href,
                                        media_type=font.media_type, content=entry.stand_in))
        css.content = (font_faces(fonts, STYLESHEET) + stylesheet(theme)).encode("utf-8")
        return normalise_zip(self._write(book, briefing), briefing.modified, kept)

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
        summary, summary_lang = accessibility_summary(lang, has_images)
        book.add_metadata(None, "meta", typeset(summary, summary_lang),
                          {"property": "schema:accessibilitySummary", XML_LANG: summary_lang})

    @staticmethod
    def _write(book: epub.EpubBook, briefing: Briefing) -> bytes:
        """The book's bytes; EbookLib's silent failures become errors."""
        buffer = io.BytesIO()
        options = {
            "raise_exceptions": True,  # else write_epub returns False on OSError and says nothing
            "mtime": briefing.modified.astimezone(UTC),  # else "now"
            "epub3_pages": False,
            "package_direction": briefing.direction == "rtl",
        }
        writer = _package_writer()(buffer, book, options)
        writer.process()
        try:
            writer.write()
        except OSError as error:
            raise ExporterError(f"{briefing.id}: the EPUB could not be written ({error})") from None
        data = buffer.getvalue()
        # EbookLib writes an empty file for a document it cannot parse, and carries on
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            empty = [i.filename for i in archive.infolist() if i.file_size == 0]
        if empty:
            raise ExporterError(f"{briefing.id}: the EPUB has empty files: {', '.join(empty)}")
        return data



def _shown(markup: str) -> str:
    """The characters of rendered documents (tags left out, their text and entities
    kept): a few more than a reader sees (the head's title, attribute values) is fine."""
    import html as entities

    return entities.unescape(re.sub(r"<[^>]*>", " ", markup))


@lru_cache(maxsize=1)
def _package_writer() -> type:
    """EbookLib's writer, with the book's language on the package element (EbookLib
    leaves it off; DAISY Ace reports it missing as ``epub-lang``)."""
    from ebooklib import epub

    class PackageWriter(epub.EpubWriter):  # type: ignore[misc]
        def _write_opf_file(self, root: Any) -> None:
            root.set(XML_LANG, self.book.language)
            super()._write_opf_file(root)

    return PackageWriter
