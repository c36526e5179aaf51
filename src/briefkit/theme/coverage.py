"""A face's coverage table, as kept between processes: the code points it draws.

Reading the character maps of a theme's dozen faces (fontTools decoding each
``cmap`` in Python) costs a fresh process about a third of a second, which
every worker, every live preview and every run in its own process would pay
before its first PDF or e-book.  The table is kept in the exporters' cache
under the digest of the face's bytes, as the ranges of code points it maps,
and read back only when it is one well-formed table.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from itertools import chain

#: ``keep(key, make, check)``: the exporters' cache (:class:`briefkit.exporters.base.Cache`).
Keep = Callable[[str, Callable[[], bytes], Callable[[bytes], bool]], bytes]

#: Changes when the way a table is made changes, so that kept ones are made again.
VERSION = 1
#: How a kept table starts.
MARK = f"briefkit coverage {VERSION}\n".encode()
#: One range of consecutive code points: its first, and how many.
_RANGE = struct.Struct(">II")
_LAST = 0x10FFFF


def table_key(digest: str) -> str:
    """The cache key of the coverage table of the face whose bytes have ``digest``."""
    return f"coverage-{VERSION}-{digest}"


def encode(points: Iterable[int]) -> bytes:
    """Code points as a table: the mark, then each range as (first, count)."""
    ranges: list[list[int]] = []
    for point in sorted(points):
        if ranges and ranges[-1][0] + ranges[-1][1] == point:
            ranges[-1][1] += 1
        else:
            ranges.append([point, 1])
    return MARK + b"".join(_RANGE.pack(first, count) for first, count in ranges)


def _ranges(data: bytes) -> list[tuple[int, int]]:
    return list(_RANGE.iter_unpack(memoryview(data)[len(MARK):]))


def is_table(data: bytes) -> bool:
    """Whether ``data`` is a well-formed table: ranges in order, apart, of code points."""
    if not data.startswith(MARK) or (len(data) - len(MARK)) % _RANGE.size:
        return False
    end = -1
    for first, count in _ranges(data):
        if first <= end or count == 0 or first + count - 1 > _LAST:
            return False
        end = first + count
    return True


def decode(data: bytes) -> frozenset[int]:
    """The code points of a table that :func:`is_table`."""
    return frozenset(chain.from_iterable(range(first, first + count)
                                         for first, count in _ranges(data)))
