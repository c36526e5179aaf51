"""Inline markup of briefing text: ``*emphasis*``, ``**strong**``, ``[label](url)``.

Everything else is literal text: ``<script>`` stays the nine characters it is,
and every output escapes it.  A backslash makes the next ``*``, ``[``, ``]``
or ``\\`` literal.  Markers that do not pair up are literal too, so a stray
asterisk never swallows a paragraph.

The parser is pure and cached: the model uses it to check links at load time,
and every format renders from the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Union

LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    children: tuple[Inline, ...]
    url: str


Inline = Union[Text, Emphasis, Strong, Link]

_ESCAPABLE = "*[]\\"


def _find_closer(s: str, start: int, marker: str) -> int:
    """Index of the closing ``marker`` at or after ``start``, or -1.

    A closer follows a non-space character (so ``5 * 3`` is not emphasis); a
    single ``*`` closer is never half of a ``**``, whose pairs are skipped whole.
    """
    i = start
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in _ESCAPABLE:
            i += 2
            continue
        if marker == "*" and s.startswith("**", i):
            close = _find_closer(s, i + 2, "**")
            if close == -1:
                return -1
            i = close + 2
            continue
        if s.startswith(marker, i) and i > start and not s[i - 1].isspace():
            return i
        i += 1
    return -1


def _link_at(s: str, i: int) -> tuple[str, str, int] | None:
    """``[label](url)`` starting at ``s[i] == '['``: (label, url, end) or None."""
    j = i + 1
    while j < len(s):
        if s[j] == "\\" and j + 1 < len(s) and s[j + 1] in _ESCAPABLE:
            j += 2
            continue
        if s[j] == "[":
            return None
        if s[j] == "]":
            break
        j += 1
    else:
        return None
    if j == i + 1 or not s.startswith("(", j + 1):
        return None
    # the URL ends at the ")" that balances its "(": Wikipedia URLs hold parentheses
    depth, close = 0, -1
    for k in range(j + 2, len(s)):
        if s[k] == "(":
            depth += 1
        elif s[k] == ")":
            if depth == 0:
                close = k
                break
            depth -= 1
    if close == -1:
        return None
    url = s[j + 2 : close]
    if not url or any(ch.isspace() for ch in url):
        return None
    return s[i + 1 : j], url, close + 1


def _parse(s: str, in_link: bool = False) -> tuple[Inline, ...]:
    out: list[Inline] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(Text("".join(buf)))
            buf.clear()

    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in _ESCAPABLE:
            buf.append(s[i + 1])
            i += 2
            continue
        if s.startswith("**", i) and i + 2 < len(s) and not s[i + 2].isspace():
            close = _find_closer(s, i + 2, "**")
            if close != -1:
                flush()
                out.append(Strong(_parse(s[i + 2 : close], in_link)))
                i = close + 2
                continue
        if c == "*" and not s.startswith("**", i) and i + 1 < len(s) and not s[i + 1].isspace():
            close = _find_closer(s, i + 1, "*")
            if close != -1:
                flush()
                out.append(Emphasis(_parse(s[i + 1 : close], in_link)))
                i = close + 1
                continue
        if c == "[" and not in_link:
            link = _link_at(s, i)
            if link is not None:
                label, url, end = link
                flush()
                out.append(Link(_parse(label, in_link=True), url))
                i = end
                continue
        buf.append(c)
        i += 1
    flush()
    return tuple(out)


@lru_cache(maxsize=4096)
def parse(text: str) -> tuple[Inline, ...]:
    """Parse briefing text into inline nodes."""
    return _parse(text)


def plain(nodes: tuple[Inline, ...] | str) -> str:
    """The text a reader sees, without markup (for metadata and summaries)."""
    if isinstance(nodes, str):
        nodes = parse(nodes)
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        else:
            parts.append(plain(node.children))
    return "".join(parts)


def links(nodes: tuple[Inline, ...] | str) -> list[str]:
    """Every link URL in the text, in order."""
    if isinstance(nodes, str):
        nodes = parse(nodes)
    found: list[str] = []
    for node in nodes:
        if isinstance(node, Link):
            found.append(node.url)
        if not isinstance(node, Text):
            found.extend(links(node.children))
    return found


def link_scheme(url: str) -> str | None:
    """The scheme of an absolute URL, lower-cased, or None for a relative one."""
    head, sep, _ = url.partition(":")
    if not sep or not head or not head[0].isalpha():
        return None
    if not all(ch.isalnum() or ch in "+-." for ch in head):
        return None
    return head.lower()
