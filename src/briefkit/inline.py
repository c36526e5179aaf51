"""Inline markup of briefing text: ``*emphasis*``, ``**strong**``, ``[label](url)``.

Everything else is literal text: ``<script>`` stays the nine characters it is,
and every output escapes it.  A backslash makes the next ``*``, ``[``, ``]``
or ``\\`` literal.  Markers that do not pair up are literal too, so a stray
asterisk never swallows a paragraph.

The parser is pure and cached: the model uses it to check links at load time,
and every format renders from the same tree.  Its inverse, :func:`serialise`,
writes a tree back as markup; :func:`markup` first makes a tree from another
format (the importers' HTML) into one the markup can carry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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


Inline = Text | Emphasis | Strong | Link

_ESCAPABLE = "*[]\\"
_SPECIAL = re.compile(r"[*\[\\]")
_PLAIN = re.compile(r"[^*\[\\]+")
_ESCAPE = re.compile(r"([\\*\[\]])")
#: What HTML and the markup count as whitespace (not the no-break space).
_SPACE = re.compile(r"[ \t\n\r\f\v]+")


class _Marks:
    """Where the markers of one text close, found in one pass from the end.

    A closer is searched for at every opening marker; scanning forward each time
    made hostile text (``**a **a **a ...``, ``[a](`` repeated) take minutes, so
    the answers for every position are worked out once, in linear time.  The
    rules are those of a forward scan (see :meth:`closer`).
    """

    def __init__(self, s: str) -> None:
        n = len(s)
        # strong[i] / single[i]: the first closer a forward scan starting at i meets,
        # a closer at i itself allowed; -1 when the scan runs off the end
        strong = [-1] * (n + 2)
        single = [-1] * (n + 2)
        self._strong, self._single = strong, single
        for i in range(n - 1, -1, -1):
            c = s[i]
            if c == "\\" and i + 1 < n and s[i + 1] in _ESCAPABLE:
                strong[i], single[i] = strong[i + 2], single[i + 2]
                continue
            follows_text = i > 0 and not s[i - 1].isspace()
            if c == "*" and i + 1 < n and s[i + 1] == "*":
                strong[i] = i if follows_text else strong[i + 1]
                # a single-star scan skips a ** pair whole, up to the pair's closer
                close = self.closer(i + 2, "**")
                single[i] = -1 if close == -1 else single[close + 2]
            elif c == "*" and follows_text:
                strong[i], single[i] = strong[i + 1], i
            else:
                strong[i], single[i] = strong[i + 1], single[i + 1]
        # the ")" balancing each "(": URLs may hold parentheses
        self.paren: dict[int, int] = {}
        opened: list[int] = []
        for i, c in enumerate(s):
            if c == "(":
                opened.append(i)
            elif c == ")" and opened:
                self.paren[opened.pop()] = i
        # next_space[i]: the first whitespace at or after i (n if none)
        next_space = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_space[i] = i if s[i].isspace() else next_space[i + 1]
        self.next_space = next_space

    def closer(self, start: int, marker: str) -> int:
        """Index of the closing ``marker`` after ``start``, or -1.

        A closer follows a non-space character (so ``5 * 3`` is not emphasis); a
        single ``*`` closer is never half of a ``**``, whose pairs are skipped whole.
        """
        found = self._strong if marker == "**" else self._single
        first = found[start]
        # the scan starts at ``start`` but a closer there would close nothing
        return found[start + 1] if first == start else first


def _link_at(s: str, i: int, marks: _Marks) -> tuple[str, str, int] | None:
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
    close = marks.paren.get(j + 1, -1)
    if close == -1 or close == j + 2 or marks.next_space[j + 2] < close:
        return None
    return s[i + 1 : j], s[j + 2 : close], close + 1


def _parse(s: str, in_link: bool = False) -> tuple[Inline, ...]:
    out: list[Inline] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(Text("".join(buf)))
            buf.clear()

    if not _SPECIAL.search(s):
        return (Text(s),) if s else ()
    marks = _Marks(s)
    i = 0
    while i < len(s):
        plain_run = _PLAIN.match(s, i)
        if plain_run:
            buf.append(plain_run.group())
            i = plain_run.end()
            continue
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in _ESCAPABLE:
            buf.append(s[i + 1])
            i += 2
            continue
        if s.startswith("**", i) and i + 2 < len(s) and not s[i + 2].isspace():
            close = marks.closer(i + 2, "**")
            if close != -1:
                flush()
                out.append(Strong(_parse(s[i + 2 : close], in_link)))
                i = close + 2
                continue
        if c == "*" and not s.startswith("**", i) and i + 1 < len(s) and not s[i + 1].isspace():
            close = marks.closer(i + 1, "*")
            if close != -1:
                flush()
                out.append(Emphasis(_parse(s[i + 1 : close], in_link)))
                i = close + 1
                continue
        if c == "[" and not in_link:
            link = _link_at(s, i, marks)
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


# --- back to markup ----------------------------------------------------------------------


def _rebuild(node: Inline, children: list[Inline]) -> Inline:
    if isinstance(node, Emphasis):
        return Emphasis(tuple(children))
    if isinstance(node, Strong):
        return Strong(tuple(children))
    assert isinstance(node, Link)
    return Link(tuple(children), node.url)


def tidy(nodes: Sequence[Inline]) -> list[Inline]:
    """Inline nodes as the briefing markup can carry them.

    Whitespace collapses to one space and moves out of formatting (``*a *`` is
    not emphasis), empty formatting goes, emphasis inside emphasis merges, and
    neighbours of the same kind join.
    """
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            if node.text:
                out.append(Text(_SPACE.sub(" ", node.text)))
            continue
        children = tidy(node.children)
        if isinstance(node, (Emphasis, Strong)):
            # *a *b* c* is just emphasis: the inner marker would close the outer one
            flat: list[Inline] = []
            for child in children:
                flat.extend(child.children if type(child) is type(node) else (child,))
            children = tidy(flat) if len(flat) != len(children) else children
        first = children[0] if children else None
        lead = isinstance(first, Text) and first.text.startswith(" ")
        if isinstance(first, Text) and lead:
            children[0] = Text(first.text[1:])
        last = children[-1] if children else None
        trail = isinstance(last, Text) and last.text.endswith(" ")
        if isinstance(last, Text) and trail:
            children[-1] = Text(last.text[:-1])
        children = [c for c in children if not (isinstance(c, Text) and not c.text)]
        if lead:
            out.append(Text(" "))
        if children:
            out.append(_rebuild(node, children))
        if trail:
            out.append(Text(" "))
    # neighbours of one kind join: each run is gathered and joined once (joining them
    # one by one would copy the run so far for each of thousands of pieces)
    merged: list[Inline] = []
    run: list[Inline] = []
    for following in [*out, None]:
        if run and (following is None or type(following) is not type(run[0])
                    or isinstance(following, Link)):
            first = run[0]
            if len(run) == 1:
                merged.append(first)
            elif isinstance(first, Text):
                merged.append(Text(_SPACE.sub(" ", "".join(t.text for t in run
                                                           if isinstance(t, Text)))))
            else:
                merged.append(_rebuild(first, tidy([c for n in run if not isinstance(n, Text)
                                                    for c in n.children])))
            run = []
        if following is not None:
            run.append(following)
    return merged


def _strip(nodes: list[Inline]) -> list[Inline]:
    """Without the spaces at either end."""
    nodes = list(nodes)
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip(" "))
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip(" "))
    return [n for n in nodes if not (isinstance(n, Text) and not n.text)]


def serialise(nodes: Sequence[Inline]) -> str:
    """Briefing markup for inline nodes."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(_ESCAPE.sub(r"\\\1", node.text))
        elif isinstance(node, Emphasis):
            parts.append(f"*{serialise(node.children)}*")
        elif isinstance(node, Strong):
            parts.append(f"**{serialise(node.children)}**")
        else:
            parts.append(f"[{serialise(node.children)}]({node.url})")
    return "".join(parts)


def _without_nested(nodes: Sequence[Inline], inside: bool = False) -> list[Inline]:
    """Formatting inside formatting dropped (its text kept)."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node)
        elif isinstance(node, (Emphasis, Strong)) and inside:
            out.extend(_without_nested(node.children, True))
        else:
            nested = inside or not isinstance(node, Link)
            out.append(_rebuild(node, _without_nested(node.children, nested)))
    return out


def _without_formatting(nodes: Sequence[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, (Emphasis, Strong)):
            out.extend(_without_formatting(node.children))
        elif isinstance(node, Link):
            out.append(Link(tuple(_without_formatting(node.children)), node.url))
        else:
            out.append(node)
    return out


def markup(nodes: Sequence[Inline]) -> tuple[str, bool]:
    """Briefing markup that reads back as ``nodes``, and whether it had to give up
    some formatting to get there.

    A few HTML nestings have no unambiguous markup (``<em><strong>x</strong></em>``
    would be ``***x***``); each step down keeps every word: inner formatting
    dropped, then emphasis and strong, then links.
    """
    wanted = _strip(tidy(nodes))
    attempts = (
        wanted,
        _strip(tidy(_without_nested(wanted))),
        _strip(tidy(_without_formatting(wanted))),
    )
    for attempt in attempts:
        text = serialise(attempt)
        if list(parse(text)) == attempt:
            return text, attempt is not wanted
    return serialise([Text(plain(tuple(wanted)))]), True
