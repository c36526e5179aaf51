"""Simple HTML in, an article out.

Read: ``<p>``, ``<h1>`` (the title) to ``<h6>`` (section headings),
``<blockquote>`` (a quote; a closing ``<footer>``, ``<cite>`` or "— Name"
paragraph is its attribution), ``<ul>``/``<ol>``/``<li>`` (nested lists are
flattened), ``<em>``/``<i>``, ``<strong>``/``<b>``, ``<a href>`` and ``<br>``;
in ``<head>``, ``<title>``, ``<meta name="author">`` and the publication date
``<meta property="article:published_time">``; ``<html lang>``.

Elements that only hold or arrange text (``div``, ``span``, ``section``,
``code`` ...) are read through.  Every other element is refused, naming it and
its line, before any of its content is read: so ``<script>``, ``<style>``,
``<iframe>`` or ``<object>`` content never reaches a briefing, and nothing is
silently lost (an ``<img>`` or a ``<table>`` is refused too: add those to the
briefing by hand).

Comments are left out; one left open runs to the end of the file, so it is refused
like ``<script>`` (an editor's note would otherwise become text), as is a tag never
closed by ``>``.  Formatting nested deeper than :data:`MAX_INLINE_DEPTH` is read
through, its words kept.

Entities are decoded, whitespace is collapsed, and inline formatting becomes the
briefing's markup (``*em*``, ``**strong**``, ``[label](url)``); literal ``*``,
``[``, ``]`` and ``\\`` are escaped so they stay literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from briefkit import inline
from briefkit.errors import BriefingError
from briefkit.importers.article import Article, Heading
from briefkit.importers.html_inline import (
    MAX_INLINE_DEPTH,
    SPACE,
    InlineLine,
    bounded_references,
    plain_text,
    safe_url,
    stand_in_character,
)
from briefkit.inline import Text, markup

#: Elements that hold or arrange text: read through.  (Not ``<del>`` or ``<s>``: struck-out
#: words read as current ones would change what the article says, so they are refused.)
TRANSPARENT = frozenset(
    [
        "html", "body", "span", "small", "abbr", "time", "code", "kbd", "samp", "var", "mark", "u",
        "ins", "sup", "sub", "q", "dfn", "bdi", "bdo", "wbr", "data", "nobr"
    ]
)
#: Containers that end the paragraph before and after them.
CONTAINERS = frozenset(
    [
        "div", "section", "article", "main", "header", "footer", "aside", "nav", "figure",
        "figcaption", "pre", "address", "hgroup", "details", "summary", "center"
    ]
)
HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
EMPHASIS = frozenset({"em", "i"})
STRONG = frozenset({"strong", "b"})
#: Read only for the metadata they carry.
HEAD = frozenset({"head", "title", "meta", "link"})
READ = (
    TRANSPARENT | CONTAINERS | HEADINGS | EMPHASIS | STRONG | HEAD
    | {"p", "blockquote", "ul", "ol", "li", "a", "br", "hr", "cite"}
)
#: Metadata that names the publication date.
#: An attribute giving the line of the source a block comes from (Markdown).
SOURCE_LINE = "data-source-line"
PUBLISHED_META = ("article:published_time", "date", "dc.date", "dcterms.created")

#: What the parser leaves unread at the end when a "<" construct is never closed by ">":
#: a tag (group 1 its name), an end tag, a declaration or a processing instruction.  Each
#: would otherwise be read again from every "<" after it, to the end of the file.
_UNFINISHED = re.compile(r"</?([A-Za-z][\w-]*)|<[!?/]")
#: A "<" that starts no tag: the parser reads it as text, one character at a time, with a
#: step of its own per "<".  It is read as a stand-in character instead, in one run with the
#: text around it, and is "<" again in what the reader collects.
_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")
_DASH = re.compile(r"^\s*(?:—|―|–|--)\s*")
#: Where to report a refused element: (tag, position in the HTML) -> (line, column) in the file.
Locate = Callable[[str, tuple[int, int]], tuple[int, int]]


class HtmlReader(HTMLParser):
    """Collects the article as the parser walks the elements."""

    def __init__(self, file: str, locate: Locate) -> None:
        super().__init__(convert_charrefs=True)
        self.file = file
        self.locate = locate
        self.article = Article()
        self.h1: str | None = None
        self.head_title: list[str] | None = None  # its pieces, joined once at the end
        self.in_head = 0
        self.in_title = False
        self.current: InlineLine | None = None
        self.kind = ""  # what self.current is: p, h1..h6, li, attribution
        self.quote: list[tuple[str, str]] | None = None  # (markup, plain) per paragraph
        self.attribution: str | None = None
        self.items: list[str] | None = None
        self.ordered = False
        self.depth = 0
        self.source_line: int | None = None
        self.stand_in: str | None = None  # what a "<" that starts no tag is read as

    def feed(self, data: str) -> None:
        """Read ``data``; each "<" that starts no tag is read as a stand-in character of the
        same length (positions in the file stay right) and given back as "<"."""
        if "<" in data and self.stand_in is None:
            self.stand_in = stand_in_character(data)
        if self.stand_in is not None:
            data = _LONE_LT.sub(self.stand_in, data)
        super().feed(data)

    def _restored(self, text: str) -> str:
        return text.replace(self.stand_in, "<") if self.stand_in and self.stand_in in text \
            else text

    def line(self) -> int:
        """The line of the file being read: the HTML's own, or the source's."""
        return self.source_line or self.getpos()[0]
    # --- refusals and notes

    def refuse(self, tag: str) -> None:
        line, column = self.locate(tag, self.getpos())
        why = {
            "script": "scripts never reach a briefing",
            "style": "styling comes from the theme",
            "img": "add images to the briefing by hand, as image blocks",
            "table": "add tables to the briefing by hand, as table blocks",
        }.get(tag, "a briefing carries text, headings, quotes and lists only")
        shown = tag if len(tag) <= MAX_TAG_NAME else f"{tag[:MAX_TAG_NAME]}…"
        raise BriefingError.single(
            self.file, f"<{shown}> cannot be imported: {why} (remove it from the file)",
            line=line, column=column,
        )

    def note(self, message: str) -> None:
        self.article.notes.append(f"{self.file}:{self.line()}: {message}")

    # --- paragraphs

    def begin(self, kind: str) -> InlineLine:
        self.end()
        self.current = InlineLine(self.line())
        self.kind = kind
        return self.current

    def ensure(self) -> InlineLine:
        """The paragraph text goes into, started if text appears outside any."""
        if self.current is None:
            return self.begin("li" if self.items is not None else "p")
        return self.current

    def end(self) -> None:
        current, kind = self.current, self.kind
        self.current, self.kind = None, ""
        if current is None:
            return
        nodes = current.nodes()
        if kind in HEADINGS or kind == "attribution":
            text = plain_text(nodes)
            if not text:
                return
            if kind == "attribution":
                self.attribution = _DASH.sub("", text)
            elif kind == "h1" and self.h1 is None and self.article.title is None:
                self.h1 = text
            else:
                self.article.pieces.append(Heading(text))
            return
        text, degraded = markup(nodes)
        if not text:
            return
        if current.flattened:
            self.article.notes.append(
                f"{self.file}:{current.line}: formatting nested more than {MAX_INLINE_DEPTH} "
                "deep was read through, the words are kept")
        if degraded:
            self.article.notes.append(
                f"{self.file}:{current.line}: formatting that cannot be written as briefing "
                "markup was dropped, the words are kept"
            )
        if kind == "li" and self.items is not None:
            self.items.append(text)
        elif self.quote is not None:
            self.quote.append((text, plain_text(nodes)))
        else:
            self.article.pieces.append({"type": "paragraph", "text": text})

    def end_quote(self) -> None:
        self.end()
        paragraphs, attribution = self.quote or [], self.attribution
        self.quote, self.attribution = None, None
        if attribution is None and len(paragraphs) > 1 and _DASH.match(paragraphs[-1][1]):
            attribution = _DASH.sub("", paragraphs.pop()[1])
        if paragraphs:
            block: dict[str, Any] = {"type": "quote", "text": " ".join(p[0] for p in paragraphs)}
            if attribution:
                block["attribution"] = attribution
            self.article.pieces.append(block)

    def end_list(self) -> None:
        self.end()
        items, self.items, self.depth = self.items or [], None, 0
        if items:
            self.article.pieces.append({"type": "list", "items": items, "ordered": self.ordered})

    # --- the parser's events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: self._restored(value or "") for name, value in attrs}
        if tag not in READ:
            self.refuse(tag)
        if attributes.get(SOURCE_LINE, "").isdigit():
            self.source_line = int(attributes[SOURCE_LINE])
        if tag == "head":
            self.in_head += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            self.meta(attributes)
        elif tag == "html":
            self.article.language = attributes.get("lang") or None
        elif tag in HEAD or self.in_head:
            return
        elif tag == "p":
            if self.kind == "li" and self.current is not None:
                self.current.text(" ")
            else:
                self.begin("p")
        elif tag in HEADINGS:
            self.begin(tag)
        elif tag == "blockquote":
            if self.quote is None:
                self.end_list()
                self.quote = []
            self.end()
        elif tag in ("footer", "cite") and self.quote is not None and self.current is None:
            self.begin("attribution")
        elif tag in ("ul", "ol"):
            if self.items is None:
                self.end()
                self.items, self.ordered = [], tag == "ol"
            else:
                self.end()
            self.depth += 1
        elif tag == "li":
            if self.items is None:
                self.end()
                self.items, self.ordered, self.depth = [], False, 1
            self.begin("li")
        elif tag in CONTAINERS or tag == "hr":
            if self.kind in ("p", "li") or tag == "hr":
                self.end()
        elif tag in EMPHASIS:
            self.ensure().open("em")
        elif tag in STRONG:
            self.ensure().open("strong")
        elif tag == "a":
            self.link(attributes.get("href"))
        elif tag == "br" and self.current is not None:
            self.current.text(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "meta", "link", "wbr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = max(0, self.in_head - 1)
        elif tag == "title":
            self.in_title = False
        elif self.in_head:
            return
        elif tag == "p" or tag in HEADINGS:
            if self.kind == tag:
                self.end()
        elif tag == "blockquote":
            if self.quote is not None:
                self.end_quote()
        elif tag in ("footer", "cite"):
            if self.kind == "attribution":
                self.end()
        elif tag in ("ul", "ol"):
            self.end()
            self.depth -= 1
            if self.depth <= 0 and self.items is not None:
                self.end_list()
        elif tag == "li":
            if self.kind == "li":
                self.end()
        elif tag in CONTAINERS:
            if self.kind in ("p", "li"):
                self.end()
        elif self.current is not None:
            if tag in EMPHASIS:
                self.current.close("em")
            elif tag in STRONG:
                self.current.close("strong")
            elif tag == "a":
                self.current.close("a")

    def handle_data(self, data: str) -> None:
        data = self._restored(data)
        if self.in_title:
            self.head_title = self.head_title or []
            self.head_title.append(data)
            return
        if self.in_head:
            return
        if self.current is None and not data.strip():
            return  # the spaces and line breaks between blocks
        if self.current is None and self.quote is None and self.items is not None:
            self.begin("li")
        self.ensure().text(data)

    # --- links and metadata

    def link(self, href: str | None) -> None:
        line = self.ensure()
        if href is None:
            line.open("a")
            return
        scheme = inline.link_scheme(href.strip())
        if scheme in inline.LINK_SCHEMES:
            line.open("a", safe_url(href))
            return
        where = f"a '{scheme}:' address" if scheme else "a relative address"
        if scheme not in ("javascript", "vbscript", "data"):
            where += f" ({href.strip()[:60]})"
        self.note(f"link to {where} dropped, its words kept: only http, https and mailto links "
                  "are imported")
        line.open("a")

    def meta(self, attributes: dict[str, str]) -> None:
        name = (attributes.get("name") or attributes.get("property") or "").lower()
        content = SPACE.sub(" ", attributes.get("content", "")).strip()
        if not content:
            return
        if name == "author":
            self.article.authors.append(content)
        elif name in PUBLISHED_META and self.article.published is None:
            self.article.published = content

    def close(self) -> None:
        # what the parser could not finish is left in rawdata: at the end of the file it
        # would become text, so an editor's note in an unclosed comment would be published
        rest = self.rawdata
        if rest.startswith("<!--"):
            raise unclosed_comment(self.file, *self.locate("!--", self.getpos()))
        unfinished = _UNFINISHED.match(rest)
        if unfinished:
            name = unfinished.group(1) or unfinished.group()[1:]  # a tag's name, or "!" ...
            tag = name.lower() if len(name) <= MAX_TAG_NAME else f"{name[:MAX_TAG_NAME]}…"
            line, column = self.locate(name, self.getpos())
            raise BriefingError.single(
                self.file, f"<{tag}: this tag is never closed by '>' (finish or remove it)",
                line=line, column=column)
        super().close()
        self.end()
        if self.quote is not None:
            self.end_quote()
        if self.items is not None:
            self.end_list()
        if self.h1:
            self.article.title = self.h1
        elif self.head_title and plain_text([Text("".join(self.head_title))]):
            # a page's <title> often ends with the site's name: say where the title came from
            self.article.title = plain_text([Text("".join(self.head_title))])
            self.article.notes.append(
                f"{self.file}: no <h1>: title taken from the page's <title>: "
                f"{self.article.title!r} (pass --title to set it)")


def unclosed_comment(file: str, line: int, column: int) -> BriefingError:
    """The refusal of a comment that runs to the end of the file."""
    return BriefingError.single(
        file, "an HTML comment opened here is never closed: an editor's note never reaches "
        "a briefing (close it with --> or remove it)", line=line, column=column)


#: The most of a tag's name looked for in the file, or shown: a "name" can be the rest of
#: the file (``<x<x<x...``), and a pattern of it would take longer to build than to read.
MAX_TAG_NAME = 40


def opening(tag: str) -> re.Pattern[str]:
    """Where ``<tag`` opens in a line of the file (``tag`` may be ``!--``)."""
    name = tag[:MAX_TAG_NAME]
    whole = len(name) == len(tag) and name[-1:].isalnum()
    return re.compile(rf"<{re.escape(name)}" + (r"\b" if whole else ""), re.IGNORECASE)


def read_html(text: str, file: str, locate: Locate | None = None,
              line: int | None = None) -> Article:
    """Read an HTML article.

    ``locate(tag, (line, column))`` gives the position to report for a refused
    element, when the HTML was made from another text (CMS text, Markdown, ninjs).
    ``line``, when given, is the file's line that every note names (the HTML is
    one value on one line of a JSON file).
    """
    reader = HtmlReader(file, locate or (lambda tag, position: (position[0], position[1] + 1)))
    reader.source_line = line
    reader.feed(bounded_references(text))
    reader.close()
    return reader.article
