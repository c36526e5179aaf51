"""How files reach a target: one small module per kind, on a kept library.

``files`` reaches folders through fsspec (SFTP over paramiko, with host keys
checked by ``ssh``; FTP; S3 through s3fs; a local or mounted folder), ``mail``
sends messages through smtplib.  No protocol is written by hand here.

What every kind shares is here: a file of the output folder on its way out
(:class:`Outgoing`), read in chunks and hashed while it is sent, so the
receipt records what was really sent and a file whose bytes are no longer
those the manifest lists is refused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from briefkit.engine.state import Record
from briefkit.publish.faults import Fault

CHUNK = 1 << 20  # bytes read and sent at a time

# The libraries log what they also raise (paramiko: "Socket exception: Connection reset");
# with no handler, Python would print it: a fault is one line, said once, by briefkit.
for _library in ("paramiko", "fsspec", "s3fs", "botocore", "aiobotocore", "urllib3"):
    logging.getLogger(_library).addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Landed:
    """What was sent: the size and checksums of the bytes that went."""

    size: int
    sha256: str
    md5: str


@dataclass(frozen=True)
class RemoteFile:
    """A file found on the remote by ``--verify``: its size, and a checksum if the
    protocol gives one (S3's ETag of a single-part upload is the MD5; a local folder is
    read)."""

    size: int
    md5: str = ""
    sha256: str = ""


class Outgoing:
    """A file of the output folder on its way to a target, checked against the manifest."""

    def __init__(self, folder: Path, record: Record, shown: str, md5: bool = False) -> None:
        self.folder, self.record, self.shown = folder, record, shown
        self._sha = hashlib.sha256()
        # S3's ETag, for --verify; elsewhere not worth a second hash of every byte
        self._md5 = hashlib.md5(usedforsecurity=False) if md5 else None
        self.size = 0

    def _stale(self, why: str) -> Fault:
        return Fault(f"{why}: run briefkit export first", stops=False)

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes, hashed as they are read; never through a symbolic link."""
        path = self.folder / self.record.path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as error:
            raise self._stale(f"{self.shown} cannot be read ({error.strerror})") from None
        with os.fdopen(fd, "rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode) or found.st_size != self.record.bytes:
                raise self._stale(f"{self.shown} is not the file exported ({found.st_size:,} "
                                  f"bytes, the manifest lists {self.record.bytes:,})")
            while chunk := handle.read(CHUNK):
                self._sha.update(chunk)
                if self._md5 is not None:
                    self._md5.update(chunk)
                self.size += len(chunk)
                yield chunk

    def read(self) -> bytes:
        """The whole file, checked (for a target that takes a file in one request)."""
        data = b"".join(self.chunks())
        self.check()
        return data

    def check(self) -> Landed:
        """What was read, refused if it is not what the manifest lists."""
        sha = self._sha.hexdigest()
        if sha != self.record.sha256 or self.size != self.record.bytes:
            raise self._stale(f"{self.shown} changed since it was exported")
        return Landed(self.size, sha, self._md5.hexdigest() if self._md5 is not None else "")


class Connection:
    """One open connection to a target: what each kind of file target implements."""

    def put(self, name: str, outgoing: Outgoing, part: str | None,
            media_type: str) -> Landed:
        """Send ``outgoing`` to ``name`` whole: written under ``part`` and renamed, where
        the protocol renames; the bytes are checked before the file is put in place."""
        raise NotImplementedError

    def part_name(self, name: str) -> str | None:
        """The temporary name ``name`` is written under, or None when the target takes
        a file whole in one request (S3)."""
        raise NotImplementedError

    def remove(self, name: str) -> None:
        """Delete a published file (and the folders it leaves empty)."""
        raise NotImplementedError

    def remove_part(self, part: str) -> None:
        """Delete a temporary file left by an interrupted publish, if it is there."""
        raise NotImplementedError

    def listing(self) -> dict[str, RemoteFile]:
        """Every file under the target's folder, by relative name."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection; never raises."""


def context_for(ca_file: str | None) -> ssl.SSLContext:
    """A client context checking certificates and host names, against ``ca_file`` if one
    is named, else against the system's authorities (FTPS, and the mail server)."""
    try:
        return ssl.create_default_context(
            cafile=os.path.expanduser(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or error
        raise Fault(f"ca_file {ca_file}: not a certificate file that can be read "
                    f"({reason})") from None
