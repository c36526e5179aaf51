"""HTML's inline content: character references, spaces, links and nested formatting, as
they become the briefing's inline markup."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence

from briefkit import inline
from briefkit.inline import Emphasis, Inline, Link, Strong, Text, tidy

SPACE = re.compile(r"[ \t\n\r\f\v]+")


#: A decimal character reference: one of more than 7 digits (leading zeros aside) names
#: no character, and Python refuses to read a number of more than 4,300 digits.
_NUMBER_REFERENCE = re.compile(r"&#0*([0-9]+)")


#: Any numeric character reference, decimal or hexadecimal (leading zeros aside).
_ANY_NUMBER_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]+)|0*([0-9]+))")


#: Formatting (emphasis, strong, links) nested deeper than this is read through, words kept.
MAX_INLINE_DEPTH = 16


def safe_url(url: str) -> str:
    """The URL with what the markup cannot hold percent-encoded (spaces, ``*``,
    ``\\``, unbalanced parentheses); a web server reads it the same."""
    url = re.sub(r"\s", lambda m: f"%{ord(m.group()):02X}", url.strip())
    url = url.replace("\\", "%5C").replace("*", "%2A")
    if url.count("(") != url.count(")"):
        url = url.replace("(", "%28").replace(")", "%29")
    return url


def bounded_references(text: str) -> str:
    """The text with every decimal character reference too long to name a character
    written as U+FFFD's (what HTML decodes it to), short enough for Python to read."""
    def bounded(match: re.Match[str]) -> str:
        digits = match.group(1)
        return match.group() if len(match.group()) <= 10 else \
            f"&#{digits if len(digits) <= 7 else 65533}"

    return _NUMBER_REFERENCE.sub(bounded, text) if "&#" in text else text


def stand_in_character(text: str) -> str | None:
    """A character (from Unicode's private use area) that ``text`` neither holds nor names
    with a character reference, if there is one."""
    present = set(text)
    for match in _ANY_NUMBER_REFERENCE.finditer(text) if "&#" in text else ():
        hexadecimal, decimal = match.groups()
        digits = hexadecimal or decimal
        if len(digits) <= 8:  # longer, it names no character
            present.add(chr(min(int(digits, 16 if hexadecimal else 10), 0x10FFFF)))
    return next((chr(code) for code in range(0xE000, 0xF900) if chr(code) not in present),
                None)


def decode_entities(text: str) -> str:
    """Character references decoded, as an HTML reader does (``&amp;`` is ``&``)."""
    return html.unescape(bounded_references(text))


def plain_text(nodes: Sequence[Inline]) -> str:
    """The words alone, whitespace collapsed (for titles, headings, attributions)."""
    return SPACE.sub(" ", inline.plain(tuple(tidy(nodes)))).strip()


class InlineLine:
    """Inline content being collected: a paragraph, a heading, a list item.

    Formatting nested deeper than :data:`MAX_INLINE_DEPTH` is read through (its
    words kept), so no later step has to walk a tree thousands of levels deep.
    """

    def __init__(self, line: int) -> None:
        self.line = line
        # (element kind, link URL, children, whether it becomes a node of its own)
        self.stack: list[tuple[str, str, list[Inline], bool]] = [("root", "", [], True)]
        # how many of each kind are open: an end tag is matched without walking the stack
        self.open_kinds: Counter[str] = Counter()
        self.flattened = False

    def text(self, data: str) -> None:
        self.stack[-1][2].append(Text(data))

    def open(self, kind: str, url: str = "") -> None:
        kept = len(self.stack) <= MAX_INLINE_DEPTH
        self.flattened = self.flattened or not kept
        # formatting read through writes its words straight into the list of the deepest
        # one kept: handing them up one level at a time would copy them once per level
        self.stack.append((kind, url, [] if kept else self.stack[-1][2], kept))
        self.open_kinds[kind] += 1

    def close(self, kind: str) -> None:
        if not self.open_kinds[kind]:
            return  # a stray end tag: browsers ignore it too
        while True:
            frame_kind, url, children, kept = self.stack.pop()
            self.open_kinds[frame_kind] -= 1
            parent = self.stack[-1][2]
            if not kept:
                pass  # its words are in its parent's list already
            elif frame_kind == "em":
                parent.append(Emphasis(tuple(children)))
            elif frame_kind == "strong":
                parent.append(Strong(tuple(children)))
            elif url:
                parent.append(Link(tuple(children), url))
            else:
                parent.extend(children)  # a link we do not carry: its words only
            if frame_kind == kind:
                return

    def nodes(self) -> list[Inline]:
        while len(self.stack) > 1:
            self.close(self.stack[-1][0])
        return self.stack[0][2]
