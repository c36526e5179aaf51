"""Where things are in a JSON text: line and column for every JSON Pointer.

Python's json module is fast but keeps no positions.  Only when a briefing is
wrong do we scan it again with this small scanner, to point at the exact key
or value; a malformed file is scanned up to its fault, to name the path there.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.DOTALL)
_NEWLINE = re.compile("\n")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
#: Values and keys deeper than this are not recorded, and a problem there is shown at its
#: ancestor this deep: recording each by its whole pointer takes time and memory in depth
#: times width (90,000 numbers 800 deep: 14 s).  A briefing is a few levels deep.
MAX_RECORDED_DEPTH = 32


def strings(data: object) -> Iterator[tuple[str, str]]:
    """Every string value of parsed JSON with its JSON Pointer, in the document's order
    (a loop, not recursion: any depth is read)."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        ptr, value = stack.pop()
        if isinstance(value, str):
            yield ptr, value
        elif isinstance(value, dict):
            stack.extend((f"{ptr}/{escape_pointer_part(k)}", v)
                         for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{ptr}/{i}", v) for i, v in reversed(list(enumerate(value))))


class _Stop(Exception):
    pass


def escape_pointer_part(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """JSON Pointer (RFC 6901) of a path: ('sections', 2, 'alt') -> '/sections/2/alt'."""
    return "".join("/" + escape_pointer_part(p) for p in parts)


@dataclass
class Positions:
    """Offsets found by :func:`scan`; ``path_at_fault`` is where scanning stopped."""

    text: str
    values: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    path_at_fault: str = ""
    _line_starts: list[int] | None = field(default=None, repr=False, compare=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``: a binary search in the line starts,
        found once, so that 10,000 problems in a file cost no more than one scan."""
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def of_value(self, ptr: str) -> tuple[int, int]:
        """Position of the value at ``ptr``, or of its nearest existing parent."""
        while ptr not in self.values and ptr:
            ptr = ptr.rsplit("/", 1)[0]
        return self.line_col(self.values.get(ptr, 0))

    def of_key(self, ptr: str) -> tuple[int, int]:
        if ptr in self.keys:
            return self.line_col(self.keys[ptr])
        return self.of_value(ptr)


def scan(text: str) -> Positions:
    """Record the offset of every value and key; stop quietly at the first fault."""
    found = Positions(text)
    stack: list[str | int] = []
    pos = 0

    def ws() -> None:
        nonlocal pos
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]

    def value() -> None:
        nonlocal pos
        ws()
        if len(stack) <= MAX_RECORDED_DEPTH:
            found.values[pointer(stack)] = pos
        if pos >= len(text):
            raise _Stop
        c = text[pos]
        if c == "{":
            pos += 1
            ws()
            seen: set[str] = set()
            if text.startswith("}", pos):
                pos += 1
                return
            while True:
                ws()
                m = _STRING.match(text, pos)
                if not m:
                    raise _Stop
                key = json.loads(m.group())
                if key in seen:
                    found.duplicates.append((pointer([*stack, key]), pos))
                seen.add(key)
                if len(stack) < MAX_RECORDED_DEPTH:
                    found.keys[pointer([*stack, key])] = pos
                pos = m.end()
                ws()
                if not text.startswith(":", pos):
                    stack.append(key)
                    raise _Stop
                pos += 1
                stack.append(key)
                value()
                stack.pop()
                ws()
                if text.startswith(",", pos):
                    pos += 1
                    continue
                if text.startswith("}", pos):
                    pos += 1
                    return
                raise _Stop
        if c == "[":
            pos += 1
            ws()
            if text.startswith("]", pos):
                pos += 1
                return
            index = 0
            while True:
                stack.append(index)
                value()
                stack.pop()
                ws()
                if text.startswith(",", pos):
                    pos += 1
                    index += 1
                    continue
                if text.startswith("]", pos):
                    pos += 1
                    return
                stack.append(index + 1)
                raise _Stop
        m = _STRING.match(text, pos) if c == '"' else _NUMBER.match(text, pos)
        if m:
            pos = m.end()
            return
        for literal in ("true", "false", "null"):
            if text.startswith(literal, pos):
                pos += len(literal)
                return
        raise _Stop

    try:
        value()
    except (_Stop, RecursionError, ValueError):
        found.path_at_fault = pointer(stack)
    return found
