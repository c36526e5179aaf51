"""Raw CMS text in, an article out.

What the CMS gives us is one run of text: paragraphs separated by
``<br /> <br />`` (or a blank line), and a question line followed by a single
``<br />`` and its answer.  A question line (one ending in ``?``, ``？`` or
``؟``) with an answer under it becomes a section heading; lines that all start
with a bullet (``•``, ``-``, ``*``) or a number (``1.``, ``1)``) make a list; any
other single ``<br />`` is a line break inside a paragraph, read as a space.

The text may hold the same inline HTML as an HTML article (``<em>``,
``<strong>``, ``<a>``, entities): each paragraph is read by the HTML reader, so
the same elements are read and the same are refused.  There is no title line:
the title comes from ``--title``, or is made from the standfirst.
"""

from __future__ import annotations

import re

from briefkit.importers.article import Article
from briefkit.importers.html import opening, read_html

#: Two or more line breaks in a row (spaces between them allowed), or a blank line.  Each
#: starts where a search can tell at once (``<br`` or a line break), never with whitespace:
#: a search trying every space of a long run of them would take time in its square.
PARAGRAPH_BREAK = re.compile(r"<br\s*/?>(?:\s*<br\s*/?>)+\s*|\n[ \t]*\n\s*", re.IGNORECASE)
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
QUESTION = re.compile(r"[?？؟]\s*(?:</[a-z]+>\s*)*$", re.IGNORECASE)
#: List lines: "• item", "- item", "* item"; "1. item", "1) item".
BULLET = re.compile(r"^\s*[•\-*]\s+")
NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+")
#: Blocks that are written as HTML inside CMS text.
_BLOCK_START = re.compile(r"^\s*<(blockquote|ul|ol|h[1-6]|p)\b", re.IGNORECASE)
#: A heading is a line, not a paragraph that happens to end with a question.
MAX_QUESTION = 200


def looks_like_cms(text: str) -> bool:
    """Whether the text is CMS text: paragraphs set apart by ``<br />`` pairs."""
    return bool(re.search(r"<br\s*/?>\s*<br\s*/?>", text, re.IGNORECASE))


def to_html(text: str) -> str:
    """The CMS text as HTML: one ``<p>`` per paragraph, ``<h2>`` per question line.

    Line breaks are kept, so a line in the HTML is the same line in the text.
    """
    html: list[str] = []
    position = 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        html.append(_paragraph(text[position:end]))
        if match:
            html.append("\n" * match.group().count("\n"))
            position = match.end()
    return "".join(html)


def _paragraph(segment: str) -> str:
    if not segment.strip():
        return segment
    if _BLOCK_START.match(segment):
        return segment
    lines = [line for line in LINE_BREAK.split(segment) if line.strip()]
    first = lines[0]
    if len(lines) > 1 and QUESTION.search(first) and len(first.strip()) <= MAX_QUESTION:
        return f"<h2>{first}</h2>{_body(lines[1:])}"
    return _body(lines)


def _body(lines: list[str]) -> str:
    """A paragraph, or a list when every line (two or more) starts with a bullet or a number."""
    for marker, tag in ((BULLET, "ul"), (NUMBER, "ol")):
        if len(lines) > 1 and all(marker.match(line) for line in lines):
            items = "".join(f"<li>{marker.sub('', line, count=1)}</li>" for line in lines)
            return f"<{tag}>{items}</{tag}>"
    return f"<p>{' '.join(lines)}</p>"


def read_cms(text: str, file: str) -> Article:
    """Read raw CMS text."""
    lines = text.splitlines()

    def locate(tag: str, position: tuple[int, int]) -> tuple[int, int]:
        # the HTML keeps the text's line breaks, so only the column needs finding
        line = position[0]
        found = opening(tag).search(lines[line - 1] if line <= len(lines) else "")
        return line, (found.start() + 1) if found else 1

    return read_html(to_html(text), file, locate)
