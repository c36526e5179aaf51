"""Reading files the user gave: bounded, regular files only, decoded as UTF-8 with a
located message when they are not, and shown by their path inside the project.

Every reader of source/, themes/ and the state folder goes through here, so that a
FIFO, a device or a 2 GB file is one line, never a hang or a full memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from briefkit.errors import BriefingError


def display_path(path: Path) -> str:
    """The path as a user typed it: relative to the working folder when inside it."""
    try:
        # the link's own name, not its target's: a link leading outside is named as listed
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def read_regular(path: Path, limit: int, shown: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else one line.

    A device (``/dev/zero``), a FIFO or a socket is refused before anything is read:
    the file is opened without blocking and the opened descriptor itself is checked,
    so a name swapped after a check cannot make the read hang or run without end.
    Confinement (where ``path`` may lead) is the caller's check, made before.
    """
    read = read_capped(path, limit)
    if isinstance(read, str):
        raise BriefingError.single(shown, read)
    return read


def read_capped(path: Path, limit: int) -> bytes | str:
    """:func:`read_regular`'s work: the bytes, or what is wrong, as words after a name."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return "no such file"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return "is not a regular file"
        if status.st_size > limit:
            return f"is larger than {megabytes(limit)} MB ({megabytes(status.st_size)} MB)"
        chunks: list[bytes] = []
        total = 0
        # never more than the limit, even if the file grows after fstat()
        while total <= limit:
            chunk = os.read(descriptor, min(1024 * 1024, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            return f"is larger than {megabytes(limit)} MB"
        return b"".join(chunks)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    finally:
        os.close(descriptor)


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' if the file is written so, with or without a byte order mark.

    Without one, JSON text starts with an ASCII character: its zero bytes tell the
    encoding (RFC 4627, section 3).
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:4]
    if len(head) == 4 and (head[1:] == b"\0\0\0" or head[:3] == b"\0\0\0"):
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def decode_text(data: bytes, file: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    wide = _wide_encoding(data)
    if wide:
        raise BriefingError.single(file, f"the file is {wide}: save it as UTF-8", line=1, column=1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        raise BriefingError.single(
            file,
            f"not UTF-8: byte 0x{byte:02X} cannot be decoded (save the file as UTF-8)",
            line=line,
            column=column,
        ) from None


def confinement(path: Path, source: Path) -> Path:
    """The folder a briefing's files must stay in: source/ for files under it (as
    named, before links are followed), else the briefing's own folder."""
    named = Path(os.path.abspath(path))
    source = source.resolve()
    return source if named.is_relative_to(source) else named.parent.resolve()
