"""Reading order, checked the same way in every format.

The expected sequence comes from the briefing's JSON, read with :mod:`json`
(never through briefkit's model or renderer): the title, subtitle and
standfirst, then every section heading and every block's text in order
(paragraph, quote and attribution, list items, image caption and credit, table
caption and cells, timeline dates and events, factbox title and items), then
the sources.  Inline markup is stripped by :func:`plain`.

The actual text comes from independent readers of each output: poppler's
``pdftotext`` for the PDF, python-docx (paragraphs and tables in body order)
for Word, the OPF spine read with lxml for the EPUB, lxml for the web page,
feedparser and json for the feeds' content, the standard library's ``email`` parser
for a message's plain-text and HTML parts.

Both sides are compared on :func:`letters`: compatibility-folded, case-folded,
letters and digits only.  What outputs are allowed to change (French spacing,
curly quotes, no-break ties, soft hyphens, hyphenation at line ends, list
numbers, labels) never matters there; a missing or misplaced block always does.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

# --- what the briefing says, from its JSON -------------------------------------------

_ESCAPE_OR_LINK = re.compile(
    r"\\(?P<escaped>.)"  # a backslash keeps the next character literal
    r"|\[(?P<label>(?:\\.|[^\\\[\]])*)\]\((?P<url>(?:[^()\s]|\((?:[^()\s])*\))*)\)",
    re.DOTALL,
)


def strings(value: Any) -> list[str]:
    """Every text in a JSON value (an item, a feed), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def plain(text: str) -> str:
    """Inline markup stripped: ``[label](url)`` becomes ``label``, escapes their character.

    Stars need no handling: :func:`letters` drops them, as it drops every mark.
    """
    def replace(match: re.Match[str]) -> str:
        if match["escaped"] is not None:
            return match["escaped"]
        return plain(match["label"])

    return _ESCAPE_OR_LINK.sub(replace, text)


def letters(text: str) -> str:
    """Text as compared across formats: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class Expected:
    """One piece of text a reader must meet: what it is, and the text as written."""

    what: str  # e.g. "/sections/2/blocks/0/items/1 (list item)"
    text: str


def _block(pointer: str, block: dict[str, Any]) -> list[Expected]:
    kind = block["type"]
    out: list[Expected] = []

    def add(suffix: str, label: str, value: str | None) -> None:
        if value:
            out.append(Expected(f"{pointer}{suffix} ({label})", plain(value)))

    if kind == "paragraph":
        add("/text", "paragraph", block["text"])
    elif kind == "quote":
        add("/text", "quote", block["text"])
        add("/attribution", "quote attribution", block.get("attribution"))
    elif kind == "list":
        for n, item in enumerate(block["items"]):
            add(f"/items/{n}", "list item", item)
    elif kind == "image":
        add("/caption", "image caption", block.get("caption"))
        add("/credit", "image credit", block.get("credit"))
    elif kind == "table":
        add("/caption", "table caption", block.get("caption"))
        for n, cell in enumerate(block["header"]):
            add(f"/header/{n}", "table header cell", cell)
        for r, row in enumerate(block["rows"]):
            for c, cell in enumerate(row):
                add(f"/rows/{r}/{c}", "table cell", cell)
    elif kind == "timeline":
        for n, event in enumerate(block["events"]):
            add(f"/events/{n}/when", "timeline date", event["when"])
            add(f"/events/{n}/text", "timeline event", event["text"])
    elif kind == "factbox":
        add("/title", "factbox title", block.get("title"))
        for n, item in enumerate(block["items"]):
            add(f"/items/{n}", "factbox item", item)
    else:
        raise AssertionError(f"{pointer}: block type {kind!r} has no expected text: add it here")
    return out


def expected(data: dict[str, Any], *, front: bool = True, sources: bool = True,
             blocks: bool = True) -> list[Expected]:
    """Every text of a briefing (its parsed JSON), in reading order.

    ``front``: title, subtitle and standfirst; ``sources``: source titles and publishers;
    ``blocks=False`` keeps only headings and paragraphs.
    """
    out: list[Expected] = []
    if front:
        out += [Expected(f"/{key}", plain(data[key])) for key in ("title", "subtitle", "standfirst")
                if data.get(key)]
    for s, section in enumerate(data["sections"]):
        if section.get("heading"):
            out.append(Expected(f"/sections/{s}/heading (section heading)",
                                plain(section["heading"])))
        for b, block in enumerate(section.get("blocks", [])):
            if blocks or block["type"] == "paragraph":
                out += _block(f"/sections/{s}/blocks/{b}", block)
    if sources:
        for n, source in enumerate(data.get("sources", [])):
            out.append(Expected(f"/sources/{n}/title (source title)", plain(source["title"])))
            if source.get("publisher"):
                out.append(Expected(f"/sources/{n}/publisher (source publisher)",
                                    plain(source["publisher"])))
    return [e for e in out if letters(e.text)]  # an empty cell, or one of only marks


def expected_from_file(path: Path, **options: bool) -> list[Expected]:
    """:func:`expected` of a briefing file."""
    return expected(json.loads(path.read_text("utf-8")), **options)


def missing_in_order(text: str, wanted: list[Expected]) -> list[str]:
    """What is not found in ``text`` in the order given (empty when all is there).

    Each piece is looked for after the end of the one before, so a block that is
    missing, or that moved before an earlier one, is reported; after a miss the
    search goes on from the same place, so every miss is named.
    """
    return _missing(letters(text), wanted, letters)


def _missing(haystack: str, wanted: list[Expected], fold: Callable[[str], str]) -> list[str]:
    position = 0
    misses = []
    for piece in wanted:
        needle = fold(piece.text)
        found = haystack.find(needle, position)
        if found < 0:
            anywhere = haystack.find(needle)
            where = "out of order" if anywhere >= 0 else "missing"
            misses.append(f"{piece.what} {where}: {piece.text[:80]!r}")
            continue
        position = found + len(needle)
    return misses


def assert_in_order(text: str | list[str], wanted: list[Expected], what: str) -> None:
    """Fail naming every piece of ``wanted`` that ``text`` lacks or holds out of order.

    ``text`` may be several readings of one output (the PDF's, see :func:`pdf_texts`):
    one holding everything in order is enough, as a dropped block is in none of them.
    """
    readings = [text] if isinstance(text, str) else text
    misses = min((missing_in_order(t, wanted) for t in readings), key=len)
    assert not misses, f"{what}: " + "; ".join(misses)


# --- what each output says, read by a library that did not write it -------------------


def pdf_text(data: bytes, *options: str) -> str:
    """The PDF's text in reading order, by poppler's pdftotext."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, file.name, "-"],
                              capture_output=True, check=True, timeout=120).stdout.decode()


def pdf_texts(data: bytes) -> list[str]:
    """The PDF read twice by pdftotext: in its reading order, which may take a table
    column by column, and with ``-layout``, which keeps a table's rows on their lines
    but writes right-to-left columns in visual order."""
    return [pdf_text(data), pdf_text(data, "-layout")]


def docx_text(data: bytes) -> str:
    """The Word document's body by python-docx: paragraphs and tables in body order,
    a table's cells row by row (tables inside cells too)."""
    import docx
    from docx.table import Table

    lines: list[str] = []

    def walk(container: Any) -> None:
        for part in container.iter_inner_content():
            if isinstance(part, Table):
                for row in part.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:  # a merged cell is listed once per column
                            seen.add(id(cell._tc))
                            walk(cell)
            else:
                lines.append(part.text)

    walk(docx.Document(io.BytesIO(data)))
    return "\n".join(lines)


def _html_text(root: etree._Element) -> str:
    for hidden in root.xpath("//*[local-name()='script' or local-name()='style']"):
        hidden.getparent().remove(hidden)
    bodies = root.xpath("//*[local-name()='body']")
    return "\n".join("".join(body.itertext()) for body in (bodies or [root]))


def html_text(data: bytes | str) -> str:
    """The visible text of an HTML page or fragment's body, by lxml."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    if not data.strip():
        return ""
    return _html_text(lxml_html.fromstring(data))


_OPF = "{http://www.idpf.org/2007/opf}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def epub_text(data: bytes) -> str:
    """The book's text in reading order: each XHTML file of the OPF spine, in spine order."""
    book = zipfile.ZipFile(io.BytesIO(data))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    container = etree.fromstring(book.read("META-INF/container.xml"), parser)
    opf_path = container.find(f"{_CONTAINER}rootfiles/{_CONTAINER}rootfile").get("full-path")
    package = etree.fromstring(book.read(opf_path), parser)
    folder = opf_path.rpartition("/")[0]
    hrefs = {item.get("id"): item.get("href") for item in package.iter(f"{_OPF}item")}
    texts = []
    for ref in package.find(f"{_OPF}spine").iter(f"{_OPF}itemref"):
        href = hrefs[ref.get("idref")]
        path = f"{folder}/{href}" if folder else href
        texts.append(_html_text(etree.fromstring(book.read(path), parser)))
    assert texts, "the EPUB spine is empty"
    return "\n".join(texts)


HTML_TYPES = ("text/html", "application/xhtml+xml")


def feed_contents(data: bytes, kind: str) -> dict[str, str]:
    """The visible text of each entry's full content, by entry link: RSS content:encoded
    (else the description) and Atom content by feedparser, JSON Feed content_html by json."""
    if kind == "jsonfeed":
        items = json.loads(data.decode("utf-8"))["items"]
        return {item["url"]: html_text(item.get("content_html", "")) for item in items}
    import feedparser

    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, f"feedparser: {parsed.get('bozo_exception')}"
    out = {}
    for entry in parsed.entries:
        parts = list(entry.get("content", []))
        if not parts and entry.get("summary_detail"):
            # an RSS item without content:encoded carries its body in the description
            parts = [entry.summary_detail]
        out[entry.link] = "\n".join(html_text(part.value) if part.type in HTML_TYPES
                                    else part.value for part in parts)
    return out


# --- what a browser makes of a page ------------------------------------------------------


def chromium_reads(page: Path, script: str, width: int = 1280, dark: bool = False) -> Any:
    """What ``script`` (the body of a JavaScript function of the page's ``window`` and
    ``document``, returning a JSON value) finds once headless Chromium has laid out
    ``page`` (its fonts loaded) in a frame ``width`` pixels wide, with the reader's system
    asking for a dark page or not."""
    import shutil

    harness = page.with_name(f"harness-{page.stem}-{width}.html")
    harness.write_text(
        f'<!DOCTYPE html><body style="margin:0"><iframe id="f" src="{page.name}" '
        f'style="width:{width}px;height:900px;border:0"></iframe><script>'
        "document.getElementById('f').onload = function () {"
        " var w = this.contentWindow, d = this.contentDocument;"
        " d.fonts.ready.then(function () {"
        f"  var found = (function (window, document) {{ {script} }})(w, d);"
        "  document.title = JSON.stringify(found); }); };</script>", "utf-8")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox",
             "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--allow-file-access-from-files",
             f"--user-data-dir={profile}", "--window-size=1400,900",
             "--virtual-time-budget=10000", *(["--force-dark-mode"] if dark else []),
             "--dump-dom", harness.as_uri()],
            check=True, capture_output=True, text=True, timeout=120,
        )
    title = lxml_html.document_fromstring(done.stdout).findtext(".//title") or "null"
    return json.loads(title)


def message_part(data: bytes, subtype: str) -> str:
    """The decoded text of a message's ``text/<subtype>`` part, by the standard library's
    parser."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    text = part.get_content()
    assert isinstance(text, str)
    return text


#: An address written in text as RFC 3986 suggests, between angle brackets.
_ADDRESS = re.compile(r"<(?:https?|mailto):[^>\s]*>", re.IGNORECASE)


def email_text(data: bytes) -> str:
    """A message's plain-text part as a reader reads it: the addresses written after the
    links' labels (``<https://...>``) left out, as a browser shows a link's label only."""
    return _ADDRESS.sub(" ", message_part(data, "plain"))


def email_html(data: bytes) -> str:
    """The visible text of a message's HTML part, by lxml."""
    return html_text(message_part(data, "html"))
