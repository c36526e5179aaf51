"""The plain-text part: a briefing written for reading in a mail client that shows no
HTML, or a reader who prefers text.

Everything the HTML part says is here, in the same order: title, subtitle,
byline and dateline, standfirst, each section under its heading, every block
(lists with bullets or numbers, quotes with their attribution, a table's rows
one a line with ``|`` between cells, timeline dates with their events,
factboxes, images by their alt text, caption and credit), the sources, and
the links to the web page and the downloads.  Links are written after their
label in angle brackets, ``<https://...>``, as RFC 3986 suggests for text.

Lines are at most 78 characters: paragraphs are wrapped at 76 and sent
``format=flowed`` (RFC 3676), each soft line ending in a space, so clients
that know it reflow them to a phone's screen; indented blocks (lists, quotes,
tables) keep their lines.  Only an address longer than a line goes past it,
whole, on a line of its own.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from briefkit import inline
from briefkit.model import (
    Block,
    Briefing,
    Factbox,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Section,
    Table,
    Timeline,
)
from briefkit.render.html import headline
from briefkit.render.labels import comma, join_names, labels_for
from briefkit.render.typography import typeset, typeset_inline

#: The measure of the text; a flowed line adds a space at its end and a line that starts
#: with a space (or ">", or "From ") one at its start: 78 at most, as RFC 5322 asks.
WIDTH = 76


@dataclass(frozen=True)
class Download:
    """A file exported for the briefing, as the message links it."""

    label: str  # "PDF"
    size: str  # "120 kB", in the briefing's language
    url: str


def columns(text: str) -> int:
    """How many columns ``text`` takes in a fixed-width font: wide (East Asian) letters
    two, marks that join the letter before none."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def inline_text(text: str, language: str, *, tie: bool = False) -> str:
    """Briefing text with inline markup as plain text in the language's typography:
    strong words between asterisks, a link's address after its label."""
    nodes = inline.parse(text)
    runs = iter(typeset_inline(nodes, language, tie=tie))

    def render(children: tuple[inline.Inline, ...]) -> str:
        out = []
        for node in children:
            if isinstance(node, inline.Text):
                out.append(next(runs))
            elif isinstance(node, inline.Emphasis):
                out.append(render(node.children))
            elif isinstance(node, inline.Strong):
                out.append(f"*{render(node.children)}*")
            else:
                label = render(node.children)
                address = node.url.removeprefix("mailto:")
                out.append(label if label.strip() in (node.url, address)
                           else f"{label} {written_address(node.url)}")
        return "".join(out)

    return render(nodes)


def written_address(url: str) -> str:
    """An address as text carries it (RFC 3986, appendix C): between angle brackets, any
    bracket or space in it percent-encoded, so nothing but the brackets ends it."""
    escaped = url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{escaped}>"


class Writer:
    """Lines of text, each marked flowed (soft: it goes on in the next line) or fixed."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []

    def blank(self, lines: int = 1) -> None:
        """Empty lines before what comes next: ``lines`` in all, never at the start."""
        if not self.lines:
            return
        there = 0
        while there < len(self.lines) and not self.lines[-1 - there][0]:
            there += 1
        self.lines += [("", False)] * max(0, lines - there)

    def paragraph(self, text: str) -> None:
        """A paragraph flowed at the measure: clients that know format=flowed reflow it."""
        lines = _wrap(text)
        self.lines += [(line, index < len(lines) - 1) for index, line in enumerate(lines)]

    def fixed(self, text: str, first: str = "", rest: str | None = None) -> None:
        """Text wrapped under a hanging indent (``first`` on its first line, ``rest`` on
        the others), its lines kept as they are."""
        indent = " " * columns(first) if rest is None else rest
        self.lines += [(line, False) for line in _wrap(text, first, indent)]

    def heading(self, text: str, underline: str) -> None:
        """A title or heading, underlined to its width."""
        lines = _wrap(text)
        self.lines += [(line, False) for line in lines]
        self.lines.append((underline * max(columns(line) for line in lines), False))

    def text(self) -> str:
        """The lines, flowed ones ending in a space, those that would read as quoted or
        that start with a space stuffed with one (RFC 3676), and a final line end."""
        while self.lines and not self.lines[-1][0]:
            self.lines.pop()
        out = []
        for written, flowed in self.lines:
            line = written.rstrip(" ")
            stuffed = " " + line if line.startswith((" ", ">", "From ")) else line
            out.append(stuffed + " " if flowed else stuffed)
        return "\n".join(out) + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """``text`` as lines of at most :data:`WIDTH` characters, broken at spaces only (never
    inside an address, never at a hyphen, never at a no-break space)."""
    wrapper = textwrap.TextWrapper(WIDTH, initial_indent=first, subsequent_indent=rest,
                                   break_long_words=False, break_on_hyphens=False)
    # one paragraph: a line break inside a text is a space, as in HTML
    return wrapper.wrap(text) or [first.rstrip()]


def _block(out: Writer, block: Block, language: str) -> None:
    def text(value: str) -> str:
        return inline_text(value, language)

    out.blank()
    if isinstance(block, Paragraph):
        out.paragraph(text(block.text))
    elif isinstance(block, ListBlock):
        for number, item in enumerate(block.items, 1):
            out.fixed(text(item), f"  {number}. " if block.ordered else "  • ")
    elif isinstance(block, Quote):
        out.fixed(text(block.text), "    ")
        if block.attribution:
            out.fixed(typeset(block.attribution, language), "    — ")
    elif isinstance(block, Image):
        out.fixed(f"[{typeset(block.alt, language)}]", "  ")
        words = [text(block.caption) if block.caption else "",
                 typeset(block.credit, language) if block.credit else ""]
        if any(words):
            out.fixed(" — ".join(w for w in words if w), "  ")
    elif isinstance(block, Table):
        if block.caption:
            out.fixed(text(block.caption), "  ")
        for row in (block.header, *block.rows):
            cells = [text(cell).strip() or "–" for cell in row]
            out.fixed(" | ".join(cells), "  ", "      ")
    elif isinstance(block, Timeline):
        for event in block.events:
            out.fixed(f"{typeset(event.when, language)} – {text(event.text)}", "  ", "      ")
    elif isinstance(block, Factbox):
        if block.title:
            out.fixed(typeset(block.title, language), "  ")
        for item in block.items:
            out.fixed(text(item), "  • ", "    ")


def sections_text(out: Writer, sections: Sequence[Section], language: str) -> None:
    """Every section: its heading underlined, then its blocks."""
    for section in sections:
        if section.heading:
            out.blank(2)
            out.heading(headline(section.heading, language), "-")
        for block in section.blocks:
            _block(out, block, language)


def briefing_text(briefing: Briefing, *, dateline: str, masthead: str,
                  page_url: str | None, downloads: Sequence[Download],
                  footer: str) -> str:
    """The plain-text part of a briefing's message."""
    language = briefing.language
    labels = labels_for(language)
    out = Writer()
    if masthead:
        out.fixed(typeset(masthead, language))
        out.blank()
    out.heading(headline(briefing.title, language), "=")
    if briefing.subtitle:
        out.paragraph(headline(briefing.subtitle, language))
    out.blank()
    names = [typeset(a.name, language) + (f" ({typeset(a.role, language)})" if a.role else "")
             for a in briefing.authors]
    authors = join_names(names, language)
    out.paragraph(f"{authors} · {dateline}" if authors else dateline)
    if briefing.standfirst:
        out.blank()
        out.paragraph(inline_text(briefing.standfirst, language, tie=True))
    if page_url:
        out.blank()
        out.paragraph(f"{labels.online} {written_address(page_url)}")
    sections_text(out, briefing.sections, language)
    if briefing.sources:
        out.blank(2)
        out.heading(labels.sources, "-")
        for number, source in enumerate(briefing.sources, 1):
            out.blank()
            title = typeset(source.title, language)
            if source.publisher:
                title += comma(language) + typeset(source.publisher, language)
            out.fixed(title, f"{number}. ")
            if source.url:
                out.fixed(written_address(source.url), " " * len(f"{number}. "))
    if page_url or downloads:
        out.blank(2)
        if page_url:
            out.paragraph(f"{labels.online} {written_address(page_url)}")
        if downloads:
            out.blank()
            out.fixed(labels.download)
            for download in downloads:
                out.fixed(f"{download.label}, {download.size} {written_address(download.url)}",
                          "  ", "    ")
    for words in (briefing.rights, footer):
        if words:
            out.blank()
            out.paragraph(typeset(words, language))
    return out.text()
