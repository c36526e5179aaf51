"""Archives that come out the same on every machine and every run.

DOCX and EPUB are ZIP files, and a ZIP records when and by whom each entry was
written.  The engine rewrites every archive an exporter returns with fixed
entry times and attributes (dated ``SOURCE_DATE_EPOCH`` when it is set, else
the briefing's own date), so the same briefing gives the same bytes anywhere.

The rewrite copies each entry's compressed bytes as the exporter's library
wrote them (inflating and deflating a Word document's embedded fonts again
cost more than the rest of the rewrite), except entries in a format that is
compressed already (PNG, JPEG, GIF and WebP images, WOFF and WOFF2 fonts):
deflating those buys next to nothing, so they are stored as they are.

A large entry many archives share (a face a Word document or an e-book embeds)
is deflated once and kept (:func:`deflated`): its exporter hands the library a
short stand-in, and the rewrite puts the kept entry in its place, the bytes the
library would have written.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: How the formats that are compressed already begin (WebP: ``RIFF``, a size, ``WEBP``).
_COMPRESSED = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"wOFF", b"wOF2")
#: A local file header (APPNOTE 4.3.7): signature, version needed, flags, method, time,
#: date, CRC-32, compressed and uncompressed sizes, lengths of the name and extra field.
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
#: A central directory header (APPNOTE 4.3.12): as above, after the version made by, with
#: the comment's length, disk, internal and external attributes and the local header's offset.
_CENTRAL = struct.Struct("<4sBBHHHHHIIIHHHHHII")
#: The end of central directory record (APPNOTE 4.3.16).
_END = struct.Struct("<4sHHHHIIH")
_UNIX = 3  # "version made by": the attributes are Unix permissions
_ATTRIBUTES = 0o644 << 16  # a plain file, rw-r--r--
_UTF8_NAME = 0x800
#: A kept entry: its CRC-32 and size, then its raw DEFLATE stream.
_KEPT = struct.Struct(">II")
_STAND_IN = b"briefkit: a deflated entry goes here "

#: ``keep(key, make, check)``: the export context's cache (engine/cache.py).
Keep = Callable[[str, Callable[[], bytes], Callable[[bytes], bool]], bytes]


@dataclass(frozen=True)
class Deflated:
    """An archive entry's content deflated as ``zipfile`` deflates it (zlib's default
    level, a raw stream), with the CRC-32 and size of what it inflates to."""

    raw: bytes
    crc: int
    size: int

    @property
    def stand_in(self) -> bytes:
        """What the exporter's library writes in the entry's place, for the rewrite to
        replace (:func:`normalise_zip`)."""
        return _STAND_IN + _KEPT.pack(self.crc, self.size).hex().encode()

    def to_bytes(self) -> bytes:
        return _KEPT.pack(self.crc, self.size) + self.raw

    @classmethod
    def of(cls, content: bytes) -> Deflated:
        deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return cls(deflate.compress(content) + deflate.flush(), zlib.crc32(content),
                   len(content))


def deflated(content: bytes, keep: Keep | None = None) -> Deflated:
    """``content`` deflated once: ``keep`` (the export context's cache) keeps it by the
    digest of the content, and hands it back only when it inflates to that content."""
    if keep is None:
        return Deflated.of(content)
    name = f"deflated-{hashlib.sha256(content).hexdigest()}"
    kept = keep(name, lambda: Deflated.of(content).to_bytes(),
                lambda data: _inflates_to(data, content))
    crc, size = _KEPT.unpack_from(kept)
    return Deflated(kept[_KEPT.size:], crc, size)


def _inflates_to(data: bytes, content: bytes) -> bool:
    if len(data) < _KEPT.size:
        return False
    crc, size = _KEPT.unpack_from(data)
    inflate = zlib.decompressobj(-15)
    return (size == len(content) and crc == zlib.crc32(content)
            and inflate.decompress(data[_KEPT.size:], size + 1) == content and inflate.eof)


def reproducible_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    """The time stamped inside archives: SOURCE_DATE_EPOCH, else ``moment`` in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.fromtimestamp(int(epoch), UTC)
    if moment is None:
        return ZIP_EPOCH
    moment = moment.astimezone(UTC)
    if not 1980 <= moment.year <= 2107:  # what a ZIP entry can carry
        return ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def compressed_already(data: bytes) -> bool:
    """Whether ``data`` (its first 12 bytes are enough) is an image or a font in a format
    that is compressed already, which an archive stores rather than deflates."""
    return data.startswith(_COMPRESSED) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _head(source: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with source.open(info) as entry:
        return entry.read(12)


def _kept_as_it_is(source: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the rewrite copies an entry as it is: stored, or deflated and not compressed
    already."""
    if info.compress_type == zipfile.ZIP_STORED:
        return True
    return info.compress_type == zipfile.ZIP_DEFLATED and not compressed_already(
        _head(source, info))


def normalise_zip(data: bytes, moment: datetime | None = None,
                  kept: Mapping[str, Deflated] | None = None) -> bytes:
    """Rewrite a ZIP with fixed entry times and attributes, keeping entry order (EPUB
    requires ``mimetype`` first, and stored) and each entry's compressed bytes; an entry
    that is compressed already is stored (:func:`compressed_already`); the entries named
    in ``kept`` hold a stand-in, replaced by the kept entry."""
    stamp = reproducible_time(moment)
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    kept = kept or {}
    if kept.keys() - set(source.namelist()):
        raise ValueError(f"no entry {sorted(kept.keys() - set(source.namelist()))} to replace")
    # ZIP keeps seconds to the even one: that is how a normalised entry reads back
    stored = (*stamp[:5], stamp[5] // 2 * 2)
    if not kept and all(info.date_time == stored and info.external_attr == _ATTRIBUTES
           and info.create_system == _UNIX and not info.extra
           and _kept_as_it_is(source, info) for info in infos):
        return data  # already normalised
    when = ((stamp[3] << 11) | (stamp[4] << 5) | (stamp[5] // 2),
            ((stamp[0] - 1980) << 9) | (stamp[1] << 5) | stamp[2])
    out = io.BytesIO()
    central = []
    for info in infos:
        if info.filename in kept:
            method, raw, crc, size = _replaced(source, info, kept[info.filename])
        else:
            (method, raw), crc, size = _entry(data, source, info), info.CRC, info.file_size
        name = info.filename.encode("utf-8")
        flags = 0 if info.filename.isascii() else _UTF8_NAME
        version = 20 if method == zipfile.ZIP_DEFLATED else 10
        if len(raw) >= 1 << 32 or size >= 1 << 32 or len(infos) >= 0xFFFF:
            raise ValueError("an archive too large to be rewritten without ZIP64")
        fields = (version, flags, method, *when, crc, len(raw), size, len(name))
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, _UNIX, *fields, 0, 0, 0, 0,
                                     _ATTRIBUTES, out.tell()) + name)
        out.write(_LOCAL.pack(b"PK\x03\x04", *fields, 0))
        out.write(name)
        out.write(raw)
    start = out.tell()
    out.write(b"".join(central))
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), out.tell() - start,
                        start, 0))
    return out.getvalue()


def _replaced(source: zipfile.ZipFile, info: zipfile.ZipInfo,
              entry: Deflated) -> tuple[int, bytes, int, int]:
    """The kept entry in place of its stand-in (anything else there is a mistake)."""
    if info.file_size > len(entry.stand_in) or source.read(info) != entry.stand_in:
        raise ValueError(f"{info.filename} does not hold the stand-in of its kept entry")
    return zipfile.ZIP_DEFLATED, entry.raw, entry.crc, entry.size


def _entry(data: bytes, source: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, bytes]:
    """An entry's method and compressed bytes, as the rewrite writes them."""
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not (
            info.flag_bits & 0x1) and _kept_as_it_is(source, info):
        raw = _raw(data, info)
        if raw is not None:
            return info.compress_type, raw
    content = source.read(info)  # checks the CRC
    if compressed_already(content):
        return zipfile.ZIP_STORED, content
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return zipfile.ZIP_DEFLATED, deflate.compress(content) + deflate.flush()


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """An entry's compressed bytes as they are in the archive, or None when its local
    header is not where the central directory says."""
    offset = info.header_offset
    if offset + _LOCAL.size > len(data):
        return None
    header = _LOCAL.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return None
    start = offset + _LOCAL.size + header[9] + header[10]
    if start + info.compress_size > len(data):
        return None
    return data[start:start + info.compress_size]
