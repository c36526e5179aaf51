"""The briefing as the PDF a partner receives: tagged, accessible, archivable (WeasyPrint).

The PDF is the theme's HTML rendering of the briefing, laid out with the
theme's stylesheets for print.  It is PDF/UA-1 by default (``[pdf] variant``
in briefkit.toml, or ``briefkit export --pdf-variant``), always tagged, with
the fonts the theme carries embedded.  The same briefing gives the same bytes:
dates come from the briefing, never from the clock, and the file identifier
from the briefing's id.

WeasyPrint reads only through :class:`~briefkit.render.fetcher.ConfinedFetcher`
(the briefing's source folder and the theme, never the network; the briefing's
images and the theme's logo from the bytes checked before, as the other formats
publish them), and is
imported inside :meth:`PDFExporter.export` so other commands do not pay for it.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit.briefing_file import BriefingFile
from briefkit.errors import BriefingError, ThemeError
from briefkit.exporters.base import Context, Exported, Exporter
from briefkit.files import confinement, display_path
from briefkit.load import find_in_source
from briefkit.render import html, published
from briefkit.render.furniture import page_furniture
from briefkit.theme import Theme, describe

if TYPE_CHECKING:
    from briefkit.render.fetcher import ConfinedFetcher


@dataclass(frozen=True)
class _PrintStyle:
    """What the PDFs of one theme share in a process: the print stylesheet, compiled once,
    the FontConfiguration its faces were loaded into, each language's page furniture
    compiled once (by its text), and WeasyPrint's cache of decoded images (the logo, a
    picture several briefings show: its URL names its bytes' digest)."""

    css: Any  # weasyprint.CSS
    fonts: Any  # weasyprint.text.fonts.FontConfiguration
    furniture: dict[str, Any] = field(default_factory=dict)  # weasyprint.CSS by its text
    images: dict[str, Any] = field(default_factory=dict)  # WeasyPrint's ``cache`` option


#: Past this many entries, a theme's image cache starts again (between two PDFs): a worker
#: making thousands of PDFs keeps the pictures they share, not every picture it saw.
MAX_IMAGES = 256
# One compiled stylesheet and one FontConfiguration per theme for the whole run:
# parsing the CSS and loading a dozen font files costs more than laying out a briefing.
# Keyed by the theme's folders and the digest of its files, which its stylesheet's text and
# its logo (cached by its URL) are made from: the text is written once, not for each PDF.
_styles: dict[tuple[tuple[Path, ...], str], _PrintStyle] = {}
# WeasyPrint's font machinery (Pango, fontconfig) is not made for threads sharing
# one FontConfiguration; PDFs of one process are laid out one at a time.
_lock = threading.Lock()
# Each FontConfiguration keeps its fonts in a temporary folder, removed when it is
# deleted: delete them at exit, while Python can still remove a folder.
atexit.register(_styles.clear)


def _theme_file_url(theme: Theme, relative: str) -> str:
    path = theme.find(relative)
    if path is None:
        raise ThemeError(f"theme '{theme.name}': {relative} (named in theme.toml) not found")
    return path.as_uri()


def _folder_url(folder: Path) -> str:
    return folder.resolve().as_uri() + "/"


def _print_style(theme: Theme, item: BriefingFile | None) -> _PrintStyle:
    """The theme's compiled print stylesheet, made on first use (call with the lock held)."""
    from weasyprint import CSS  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    from briefkit.render.fetcher import LOGO_REFERENCE, ConfinedFetcher

    key = (theme.folders, theme.fingerprint)
    style = _styles.get(key)
    if style is None:
        # the logo is fetched with the document, from its checked bytes (see export)
        text = html.stylesheet(theme, print_media=True,
                               font_url=lambda relative: _theme_file_url(theme, relative),
                               logo_url=LOGO_REFERENCE)
        fetcher = ConfinedFetcher(theme.folders)
        fonts = FontConfiguration()
        css = CSS(string=text, base_url=_folder_url(theme.folders[0]), url_fetcher=fetcher,
                  font_config=fonts)
        if item is not None:
            fetcher.check(item.id, display_path(item.path))
        elif fetcher.refused:
            raise ThemeError(f"theme '{theme.name}': {fetcher.refused[0]}")
        style = _styles[key] = _PrintStyle(css, fonts)
    return style


def _share_pictures(style: _PrintStyle, images: dict[str, Any]) -> None:
    """Keep for the theme's next PDFs what this one decoded of the pictures whose URL
    names checked bytes (a briefing's picture by its digest, the theme's logo), and their
    data; anything else (a file a stylesheet names, a refusal) each PDF fetches, and the
    fetcher judges, again."""
    from briefkit.render.fetcher import IMAGE_SCHEME, LOGO_REFERENCE

    if len(style.images) > MAX_IMAGES:
        style.images.clear()
    for key, value in images.items():
        # WeasyPrint keys a picture by its URL, and its data by names without a colon
        ours = ":" not in key or key.startswith(f"{IMAGE_SCHEME}:") or key == LOGO_REFERENCE
        if ours and value is not None:
            style.images[key] = value


def _refuse_attachments(document_html: Any, fetcher: ConfinedFetcher) -> None:
    """A PDF from us never carries files: ``rel=attachment`` links are refused, not embedded."""
    for element in document_html.etree_element.iter():
        if "attachment" in (element.get("rel") or "").lower().split():
            fetcher.refuse(element.get("href") or f"<{element.tag} rel=attachment>",
                           "attachments are not embedded in a PDF")


_VARIATION_SELECTORS = {0xFE0E: None, 0xFE0F: None}


def _check_drawable(document_html: Any, item: BriefingFile, theme: Theme) -> None:
    """Refuse a page with characters no face of the theme draws, before layout takes them
    from the fonts of this machine (other bytes, or empty boxes, on another one)."""
    body = document_html.etree_element.find("body")
    # the text, and the addresses print.css writes after links
    text = "".join((*body.itertext(), *(a.get("href") or "" for a in body.iter("a"))))
    missing = theme.undrawable(text)
    if not missing:
        return
    found = find_in_source(item, "".join(missing))
    where, first = ((f"line {found[1]}, column {found[2]}, {found[3]}: ", found[0]) if found
                    else ("", missing[0]))
    added = "" if found else " (in text the page adds: labels, dateline, settings)"
    others = len(missing) - 1
    what = (f"{describe(first)}{added} and {others} other character{'s' * (others > 1)} are"
            if others else f"{describe(first)}{added} is")
    them = "them" if others else "it"
    raise BriefingError(
        f"{where}{what} in no face of theme '{theme.name}', so the PDF would take {them} from "
        f"this machine's fonts; add a font that has {them} to the theme ([[fonts.files]] and "
        "fonts.fallback)")


def _check_fonts(document: Any, theme: Theme) -> None:
    """Refuse a PDF set in a face the theme does not carry (a stylesheet naming a family
    of the machine): every face embedded comes from the theme."""
    carried = {face.family for face in theme.settings.fonts.files}
    for font in document.fonts.values():
        family = getattr(font, "family", None)  # the family Pango chose, as WeasyPrint keeps it
        if family is not None and family not in carried:
            drawn = "".join(sorted(set("".join(getattr(font, "to_unicode", {}).values()))))[:40]
            raise ThemeError(
                f"theme '{theme.name}' sets text ({drawn!r}) in '{family}', a font it "
                "does not carry: its stylesheets may name only the families of its "
                "[[fonts.files]]")


#: Below this many pixels per inch at its printed size, an image prints soft: the desk is warned
MIN_PPI = 150
_CSS_PX_PER_INCH = 96


def coarse_images(document: Any, item: BriefingFile) -> tuple[str, ...]:
    """One line for each image of the briefing printed at fewer than :data:`MIN_PPI`
    pixels per inch, as laid out: what a desk replaces before the PDF goes to print."""
    from weasyprint.formatting_structure.boxes import ReplacedBox  # type: ignore[import-untyped]

    from briefkit.render.fetcher import image_source

    lines: dict[str, str] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            named = image_source(element.get("src", "")) if element is not None else None
            if not isinstance(box, ReplacedBox) or named is None or not box.width:
                continue
            src = named[1]
            asset = item.assets.get(src)
            if asset is None or src in lines:
                continue
            inches = box.width / _CSS_PX_PER_INCH
            ppi = asset.width / inches
            if ppi < MIN_PPI:
                lines[src] = (
                    f"image {src!r} ({asset.width} px wide) is printed "
                    f"{inches * 25.4:.0f} mm wide, at {ppi:.0f} ppi: it prints soft (give "
                    f"it {-(-MIN_PPI * inches // 1):.0f} px or more for {MIN_PPI} ppi)")
    return tuple(lines.values())


_STREAM, _END_STREAM = b"\nstream\n", b"\nendstream"


def compress_once(document: Any, pdf: Any) -> None:
    """Compress each stream of the PDF once (a ``write_pdf`` finisher), for the same bytes.

    pydyf compresses a stream each time its data is asked for, and asks twice when the
    PDF has a file identifier, as every briefing's has (:func:`pdf_identifier`): once to
    write it, once for the digest its trailer carries: the fonts, pages and structure
    were deflated twice, about 8% of a PDF's CPU (``benchmarks/upstream-pydyf-identifier.md``).
    Each compressed stream is made here into a stream of its already compressed bytes,
    its filter named, that pydyf no longer compresses; one whose data would then read
    otherwise in any byte is put back as it was.
    """
    import pydyf  # type: ignore[import-untyped]

    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or not obj.compress:
            continue
        data = obj.data
        start = data.find(_STREAM)
        if start < 0 or not data.endswith(_END_STREAM):
            continue
        was = obj.stream, obj.extra, obj.compress
        obj.stream, obj.compress = [data[start + len(_STREAM):-len(_END_STREAM)]], False
        obj.extra = {**obj.extra, "Filter": "/FlateDecode"}
        if obj.data != data:
            obj.stream, obj.extra, obj.compress = was


def pdf_identifier(briefing_id: str) -> bytes:
    """The PDF's permanent file identifier: the same for every edition of a briefing."""
    return hashlib.md5(f"briefkit:{briefing_id}".encode()).hexdigest().encode()


class PDFExporter(Exporter):
    """The briefing as a tagged PDF (PDF/UA-1 unless the settings ask for another variant)."""

    name = "pdf"
    label = "PDF"
    extension = ".pdf"
    media_type = "application/pdf"
    description = "the briefing for print and partners: tagged PDF/UA-1, fonts embedded"
    # WeasyPrint and what it lays out, hyphenates, subsets and writes the file with
    made_with = (*html.MADE_WITH, "weasyprint", "pydyf", "fonttools", "pyphen", "tinycss2",
                 "cssselect2", "tinyhtml5")

    def prepare(self, context: Context) -> None:
        """Import WeasyPrint and load the theme's fonts, the characters they draw and its
        print stylesheet, once."""
        context.theme.characters  # noqa: B018 (worked out once, before any briefing)
        with _lock:
            _print_style(context.theme, None)

    def close(self) -> None:
        """Drop the compiled stylesheets: their fonts' temporary folders go with them."""
        with _lock:
            _styles.clear()

    def export(self, item: BriefingFile, context: Context) -> Exported:
        """The PDF's bytes, and a warning for each image too coarse for print; a reference
        the fetcher refused raises UnsafeReferenceError."""
        from weasyprint import CSS, HTML

        from briefkit.render.fetcher import ConfinedFetcher, image_reference

        theme, settings = context.theme, context.settings
        source = confinement(item.path, settings.source_dir)

        def image_url(src: str) -> str:
            # checked images are served from where the loader found them; anything
            # else stays a relative reference, for the fetcher to judge
            asset = item.assets.get(src)
            return image_reference(src, asset.sha256) if asset is not None else src

        # Emoji variation selectors choose colour or text style, which a monochrome face
        # cannot; WeasyPrint gives the glyph before one (a keycap: 1️⃣) no text at all,
        # so the PDF would lose it for search, copy and screen readers (PDF/UA).
        page = html.page(item, theme, settings, image_url, tie_paragraphs=True).translate(
            _VARIATION_SELECTORS)
        # images as checked at load (a file changed since is refused), with their decoded type
        fetcher = ConfinedFetcher((source, *theme.folders), images=item.assets,
                                  logo=published.theme_logo(theme))
        variant = None if settings.pdf.variant == "none" else settings.pdf.variant
        with _lock:
            style = _print_style(theme, item)
            document_html = HTML(string=page, base_url=_folder_url(item.path.parent),
                                 url_fetcher=fetcher)
            _refuse_attachments(document_html, fetcher)
            fetcher.check(item.id, display_path(item.path))
            _check_drawable(document_html, item, theme)
            # the page's footer, numbers and running heads in the briefing's language
            text = page_furniture(theme, settings, item.briefing.language)
            furniture = style.furniture.get(text)
            if furniture is None:
                furniture = style.furniture[text] = CSS(string=text, font_config=style.fonts)
            for asset in item.assets.values():
                # one decoded earlier is not fetched again: its file is still as checked
                asset.read()
            images = dict(style.images)  # this PDF's cache, from what the theme's PDFs share
            document = document_html.render(
                font_config=style.fonts, stylesheets=[style.css, furniture], pdf_variant=variant,
                pdf_tags=True,  # tagged whatever the variant: the structure is the accessibility
                cache=images,
            )
            document.metadata.attachments = []
            data: bytes = document.write_pdf(
                pdf_variant=variant, pdf_tags=True, pdf_identifier=pdf_identifier(item.id),
                finisher=compress_once,
            )
            _check_fonts(document, theme)
            warnings = coarse_images(document, item)
            _share_pictures(style, images)
        fetcher.check(item.id, display_path(item.path))
        return Exported(data, warnings=warnings)
