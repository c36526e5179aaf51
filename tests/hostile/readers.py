"""Independent readers for every media type an exporter can produce.

Each reader opens an output with a library that did not write it (html.parser,
pypdf, python-docx, zipfile and lxml, feedparser, json, the email parser), fails if the output
is not well-formed, and returns what a reader would find in it: the visible
text, the HTML/XHTML elements and attributes used, and the title the file
declares.  A new exporter with a media type missing here fails the property
tests until a reader is added: nothing is exported unchecked.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import lxml.html
from lxml import etree


@dataclass
class Reading:
    """What an independent reader found in one output."""

    text: list[str] = field(default_factory=list)  # visible text, in pieces
    elements: set[str] = field(default_factory=set)  # element names (local, lower-case)
    attributes: set[str] = field(default_factory=set)  # attribute names (local, lower-case)
    titles: list[str] = field(default_factory=list)  # titles the file declares (metadata)

    @property
    def all_text(self) -> str:
        return "\n".join(self.text)

    def add(self, other: Reading) -> None:
        self.text += other.text
        self.elements |= other.elements
        self.attributes |= other.attributes
        self.titles += other.titles


class _HTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.reading = Reading()
        self._in_title = False
        self._skip = 0  # inside <style> or <script>: not visible text
        self._json_ld = False  # inside <script type="application/ld+json">

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # structured data (JSON-LD) is data a browser never runs, not a script
        data = tag == "script" and ("type", "application/ld+json") in attrs
        self._json_ld = data
        self.reading.elements.add("script:ld+json" if data else tag.lower())
        self.reading.attributes |= {name.lower() for name, _ in attrs}
        self._in_title = tag == "title"
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "content") and value:
                self.reading.text.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._json_ld:
            json.loads(data)  # well-formed, or the reader fails
            self._json_ld = False
        if self._in_title:
            self.reading.titles.append(data)
        if not self._skip:
            self.reading.text.append(data)


def read_html(data: bytes | str) -> Reading:
    """An HTML document or fragment, read by the standard library's parser."""
    parser = _HTML()
    parser.feed(data.decode("utf-8") if isinstance(data, bytes) else data)
    parser.close()
    return parser.reading


def _xml_reading(root: etree._Element) -> Reading:
    reading = Reading()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        reading.elements.add(etree.QName(element).localname.lower())
        reading.attributes |= {etree.QName(name).localname.lower() for name in element.attrib}
        for name in ("alt", "title"):
            if element.get(name):
                reading.text.append(element.get(name))
    reading.text.append("".join(root.itertext()))
    return reading


def _xml(data: bytes, what: str) -> etree._Element:
    # no network, no entities from outside: the parser must not fetch anything either
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise AssertionError(f"{what} is not well-formed XML: {error}") from None


def read_pdf(data: bytes) -> Reading:
    """pypdf opens the document and reads its metadata; poppler's pdftotext reads the
    text (pypdf garbles fonts embedded with a custom encoding, as WeasyPrint does
    for Charis SIL)."""
    import pypdf

    document = pypdf.PdfReader(io.BytesIO(data), strict=False)
    assert document.pages, "the PDF has no page"
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(data)
            file.flush()
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", file.name, "-"],
                                  capture_output=True, check=True).stdout.decode("utf-8")
        reading = Reading(text=[text])
    else:
        reading = Reading(text=[page.extract_text() or "" for page in document.pages])
    if document.metadata and document.metadata.title:
        reading.titles.append(document.metadata.title)
    return reading


def read_docx(data: bytes) -> Reading:
    import docx

    document = docx.Document(io.BytesIO(data))
    reading = Reading(text=[p.text for p in document.paragraphs])
    for table in document.tables:
        for row in table.rows:
            reading.text += [cell.text for cell in row.cells]
    for section in document.sections:
        reading.text += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    if document.core_properties.title:
        reading.titles.append(document.core_properties.title)
    return reading


_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def read_epub(data: bytes) -> Reading:
    """An EPUB: the zip laid out as OCF requires, the package document, every XHTML file."""
    book = zipfile.ZipFile(io.BytesIO(data))
    first = book.infolist()[0]
    assert first.filename == "mimetype", f"first entry is {first.filename}, not mimetype"
    assert first.compress_type == zipfile.ZIP_STORED, "mimetype is compressed"
    assert not first.extra, "mimetype has an extra field"
    assert book.read("mimetype") == b"application/epub+zip"
    assert book.testzip() is None, "a damaged entry in the EPUB"
    container = _xml(book.read("META-INF/container.xml"), "container.xml")
    rootfile = container.find(f"{_CONTAINER}rootfiles/{_CONTAINER}rootfile")
    assert rootfile is not None, "container.xml names no package document"
    opf_path = rootfile.get("full-path")
    package = _xml(book.read(opf_path), opf_path)
    reading = Reading()
    title = package.find(f"{_OPF}metadata/{_DC}title")
    assert title is not None and title.text, "the package has no dc:title"
    reading.titles.append(title.text)
    folder = opf_path.rpartition("/")[0]
    names = set(book.namelist())
    for item in package.iter(f"{_OPF}item"):
        href = f"{folder}/{item.get('href')}" if folder else item.get("href")
        href = re.sub(r"[^/]+/\.\./", "", href)
        assert href in names, f"the package lists {href}, which the zip lacks"
        if item.get("media-type") == "application/xhtml+xml":
            reading.add(_xml_reading(_xml(book.read(href), href)))
    return reading


def _feed_html(reading: Reading, html: str) -> None:
    """HTML carried inside a feed, read as the feed reader would show it."""
    reading.add(read_html(html))


def read_xml_feed(data: bytes) -> Reading:
    """RSS or Atom: well-formed XML, and feedparser reads it without complaint."""
    import feedparser

    _xml(data, "the feed")
    # resolving relative URIs re-serialises the HTML and un-escapes quotes in attributes
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, f"feedparser: {parsed.get('bozo_exception')}"
    reading = Reading()

    def shown(value: str, detail: dict[str, str] | None) -> str:
        """A title as a reader shows it: HTML (Atom type="html", an escaped RSS title)
        rendered to its text."""
        if detail is not None and detail.get("type") == "text/html":
            return str(lxml.html.fragment_fromstring(f"<div>{value}</div>").text_content())
        return value

    if parsed.feed.get("title"):
        reading.titles.append(shown(parsed.feed.title, parsed.feed.get("title_detail")))
    for entry in parsed.entries:
        title = shown(entry.get("title", ""), entry.get("title_detail"))
        reading.titles.append(title)
        reading.text.append(title)
        parts = [*entry.get("content", [])]
        if entry.get("summary_detail"):
            parts.append(entry.summary_detail)
        for part in parts:
            if part.type in ("text/html", "application/xhtml+xml"):
                _feed_html(reading, part.value)
            else:
                reading.text.append(part.value)
    return reading


def read_json_feed(data: bytes) -> Reading:
    """JSON Feed 1.1, checked against the required members of the specification."""
    feed = json.loads(data.decode("utf-8"))
    assert feed.get("version") == "https://jsonfeed.org/version/1.1", feed.get("version")
    assert isinstance(feed.get("title"), str), "a JSON feed needs a title"
    assert isinstance(feed.get("items"), list), "a JSON feed needs items"
    reading = Reading(titles=[feed["title"]])
    for item in feed["items"]:
        assert isinstance(item.get("id"), str), "every item needs a string id"
        assert "content_html" in item or "content_text" in item, "an item without content"
        if item.get("title"):
            reading.titles.append(item["title"])
            reading.text.append(item["title"])
        if item.get("content_html"):
            _feed_html(reading, item["content_html"])
        if item.get("content_text"):
            reading.text.append(item["content_text"])
    return reading


def read_json(data: bytes) -> Reading:
    """A JSON document (ninjs): every string is text; headlines and titles are titles;
    HTML bodies are read as HTML."""
    document = json.loads(data.decode("utf-8"))
    reading = Reading()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            if value.get("contentType") == "text/html" and isinstance(value.get("value"), str):
                reading.add(read_html(value["value"]))
            else:
                for name, inner in value.items():
                    walk(inner, name)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, key)
        elif isinstance(value, str):
            reading.text.append(value)

    walk(document)
    for headline in document.get("headlines", []) if isinstance(document, dict) else []:
        reading.titles.append(headline.get("value", ""))
    return reading


def read_xml(data: bytes) -> Reading:
    """Any other XML (a sitemap): well-formed; elements named title are titles."""
    root = _xml(data, "the XML document")
    reading = _xml_reading(root)
    reading.titles += ["".join(e.itertext()) for e in root.iter()
                       if isinstance(e.tag, str) and etree.QName(e).localname == "title"]
    return reading


def read_message(data: bytes) -> Reading:
    """An e-mail: the standard library's parser finds no defect in it or its parts; its
    subject is its title, its plain-text part text, its HTML part read as HTML."""
    from email import message_from_bytes, policy

    message = message_from_bytes(data, policy=policy.default)
    reading = Reading(titles=[str(message["Subject"] or "")])
    for part in message.walk():
        assert not part.defects, part.defects
        if part.get_content_type() == "text/plain":
            reading.text.append(part.get_content())
        elif part.get_content_type() == "text/html":
            reading.add(read_html(part.get_content()))
    assert reading.text, "a message with no text"
    return reading


READERS: dict[str, Callable[[bytes], Reading]] = {
    "text/html": read_html,
    "application/xhtml+xml": lambda data: _xml_reading(_xml(data, "the page")),
    "application/pdf": read_pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": read_docx,
    "application/epub+zip": read_epub,
    "application/rss+xml": read_xml_feed,
    "application/atom+xml": read_xml_feed,
    "application/feed+json": read_json_feed,
    "application/json": read_json,
    "application/xml": read_xml,
    "message/rfc822": read_message,
}


def read(media_type: str, data: bytes) -> Reading:
    """Read ``data`` with the independent reader of its media type."""
    reader = READERS.get(media_type.split(";", maxsplit=1)[0].strip())
    assert reader is not None, f"no independent reader for {media_type}: add one to {__name__}"
    return reader(data)


def squeeze(text: str) -> str:
    """Text as compared across formats: compatibility forms folded, typography undone,
    and no whitespace or hyphen (line breaks and hyphenation move them about)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u00ad", "")
    return re.sub(r"[\s\-\u2010\u2011]+", "", text)
