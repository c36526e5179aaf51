"""A TrueType or OpenType font's table directory, read with ``struct``.

What checking a font file needs (is it one, whole, with the tables a use of it
requires; may it be embedded) costs a few microseconds read this way, where
importing fontTools costs a tenth of a second: a theme's faces are checked
each time a theme loads, and the fonts kept in the exporters' cache each time
one is handed back.  What is no plain sfnt (WOFF, WOFF2, a collection) is for
fontTools to read.
"""

from __future__ import annotations

import struct

#: The header: version, numTables, then three search fields.
_HEADER = struct.Struct(">4sH6x")
#: One record of the table directory: tag, checksum, offset, length.
_RECORD = struct.Struct(">4sIII")
#: TrueType outlines, CFF outlines ('OTTO'), Apple's TrueType ('true').
VERSIONS = (b"\x00\x01\x00\x00", b"OTTO", b"true")
#: The ``head`` table's magic number, at its byte 12.
HEAD_MAGIC = 0x5F0F3CF5


def tables(data: bytes) -> dict[bytes, tuple[int, int]] | None:
    """Each table's offset and length, by tag; None unless ``data`` starts as an sfnt
    font (:data:`VERSIONS`)."""
    if len(data) < _HEADER.size or data[:4] not in VERSIONS:
        return None
    _, count = _HEADER.unpack_from(data)
    if len(data) < _HEADER.size + count * _RECORD.size:
        return {}
    found = {}
    for index in range(count):
        tag, _, offset, length = _RECORD.unpack_from(data, _HEADER.size + index * _RECORD.size)
        found[tag] = (offset, length)
    return found


def is_whole(data: bytes, found: dict[bytes, tuple[int, int]],
             required: tuple[bytes, ...]) -> bool:
    """Whether every table lies inside ``data``, the ``required`` ones are there and the
    ``head`` table is sound (its magic number)."""
    if not all(tag in found for tag in (*required, b"head")):
        return False
    if any(offset + length > len(data) for offset, length in found.values()):
        return False
    offset, length = found[b"head"]
    return length >= 16 and number(data, offset + 12, 4) == HEAD_MAGIC


def number(data: bytes, at: int, size: int) -> int:
    """The unsigned big-endian number of ``size`` bytes (2 or 4) at ``at``."""
    value: int = struct.unpack_from(">H" if size == 2 else ">I", data, at)[0]
    return value
