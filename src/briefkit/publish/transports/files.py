"""Folders reached through fsspec: SFTP, FTP (and FTPS), S3, a local or mounted folder.

Each file is written under a temporary name beside its place
(``.<name>.<random>.part``) and renamed into place: SFTP's posix-rename (or
remove and rename on a server without it), FTP's RNFR/RNTO (after deleting
the old file when the server refuses to overwrite), ``os.replace`` for a
local folder.  S3 takes an object whole in one request, so it needs no
temporary name.  A connection is used by one thread at a time; a target
sending in parallel opens one per worker.
"""

from __future__ import annotations

import contextlib
import ftplib
import os
import posixpath
import secrets
import threading
from typing import Any

from briefkit.config import PublishTarget
from briefkit.publish.faults import Fault
from briefkit.publish.targets import Address
from briefkit.publish.transports import CHUNK, Connection, Landed, Outgoing, RemoteFile

#: Buffer of an FTP upload: one STOR per file for nearly every file.
FTP_BLOCK = 16 * CHUNK


def filesystem(address: Address, target: PublishTarget, password: str | None) -> Any:
    """A new fsspec file system (one connection) for ``address``."""
    try:
        return _filesystem(address, target, password)
    except ImportError as error:
        raise Fault(f"{address.kind}:// targets need the publish extra "
                    f"(pip install 'briefkit[publish]'): {error}") from None


def _filesystem(address: Address, target: PublishTarget, password: str | None) -> Any:
    if address.kind == "sftp":
        from briefkit.publish.transports.ssh import CheckedSFTP

        options: dict[str, Any] = {
            "port": address.port or 22, "username": address.user,
            "timeout": target.timeout, "banner_timeout": target.timeout,
            "auth_timeout": target.timeout, "known_hosts": target.known_hosts,
        }
        if target.key_file:
            options["key_filename"] = os.path.expanduser(target.key_file)
        if password is not None:
            options["password"] = password
        return CheckedSFTP(address.host, skip_instance_cache=True, **options)
    if address.kind in ("ftp", "ftps"):
        from fsspec.implementations.ftp import FTPFileSystem

        from briefkit.publish.transports.ftps import CheckedFTPS

        login = {"port": address.port or 21, "username": address.user,
                 "password": password or "", "timeout": target.timeout,
                 "skip_instance_cache": True}
        if address.kind == "ftps":
            return CheckedFTPS(address.host, ca_file=target.ca_file, **login)
        return FTPFileSystem(address.host, **login)
    if address.kind == "s3":
        from s3fs import S3FileSystem

        client: dict[str, Any] = {}
        if target.region:
            client["region_name"] = target.region
        return S3FileSystem(
            endpoint_url=target.endpoint_url, client_kwargs=client, skip_instance_cache=True,
            # retries are briefkit's own, the same for every kind of target
            config_kwargs={"connect_timeout": target.timeout, "read_timeout": target.timeout,
                           "retries": {"max_attempts": 1}})
    from fsspec.implementations.local import LocalFileSystem

    return LocalFileSystem(skip_instance_cache=True)


class Folders:
    """The remote folders known to exist, shared by a target's connections; each folder
    is made by one connection at a time (two making theme/fonts/ at once would have one
    refused, "Failure" on SFTP, for a folder the other just made), while other folders
    are made at the same time."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def lock_for(self, folder: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(folder, threading.Lock())


class Folder(Connection):
    """A target's folder through one fsspec file system."""

    def __init__(self, address: Address, fs: Any, folders: Folders) -> None:
        self.kind, self.fs, self.root = address.kind, fs, address.folder.rstrip("/") or "/"
        self.folders = folders

    def where(self, name: str) -> str:
        return posixpath.join(self.root, name)

    def part_name(self, name: str) -> str | None:
        if self.kind == "s3":
            return None
        folder, base = posixpath.split(name)
        return posixpath.join(folder, f".{base}.{secrets.token_hex(4)}.part")

    def _folder(self, folder: str) -> None:
        """Make the folder a file goes in (and those above it), once per publish: only
        the folders below the nearest one known to exist are looked at."""
        known = self.folders.known
        if self.kind == "s3" or folder in known:
            return
        with self.folders.lock_for(folder):
            if folder in known:
                return
            if self.kind == "file":
                os.makedirs(folder, exist_ok=True)
                known.add(folder)
                return
            missing = []
            probe = folder
            while probe not in known and probe not in ("", "/", ".") and not self._is_folder(
                    probe):
                missing.append(probe)
                probe = posixpath.dirname(probe)
            for path in reversed(missing):
                try:
                    self.fs.mkdir(path, create_parents=False)
                except (OSError, ftplib.error_perm):
                    if not self._is_folder(path):  # made meanwhile for another folder
                        raise
                known.add(path)
            known.add(folder)

    def _is_folder(self, path: str) -> bool:
        self.fs.invalidate_cache(posixpath.dirname(path))  # FTP lists are cached
        try:
            return bool(self.fs.info(path).get("type") == "directory")
        except FileNotFoundError:
            return False

    def put(self, name: str, outgoing: Outgoing, part: str | None, media_type: str) -> Landed:
        target = self.where(name)
        self._folder(posixpath.dirname(target))
        if part is None:  # S3: one request, the object appears whole or not at all
            data = outgoing.read()
            self.fs.pipe_file(target, data, ContentType=media_type)
            return outgoing.check()
        temporary = self.where(part)
        self._write(temporary, outgoing)
        landed = outgoing.check()  # the bytes sent are those exported, or nothing moves
        self._rename(temporary, target)
        return landed

    def _write(self, temporary: str, outgoing: Outgoing) -> None:
        if self.kind == "sftp":
            with self.fs.open(temporary, "wb") as remote:
                remote.set_pipelined(True)  # paramiko: no round trip per chunk
                for chunk in outgoing.chunks():
                    remote.write(chunk)
            return
        options = {"block_size": FTP_BLOCK} if self.kind in ("ftp", "ftps") else {}
        with self.fs.open(temporary, "wb", **options) as remote:
            for chunk in outgoing.chunks():
                remote.write(chunk)

    def _rename(self, temporary: str, target: str) -> None:
        if self.kind == "file":
            os.replace(temporary, target)
            return
        try:
            self.fs.mv(temporary, target)  # SFTP posix-rename, FTP RNFR/RNTO
        except OSError as error:
            if error.errno is not None:  # permission denied, no such folder: a real fault
                raise
            self._replace_in_steps(temporary, target)  # SFTP "Failure", "unsupported"
        except ftplib.error_perm:
            self._replace_in_steps(temporary, target)

    def _replace_in_steps(self, temporary: str, target: str) -> None:
        """For a server that will not rename over a file (many FTP servers, SFTP without
        the posix-rename extension): the old file goes, then the new one takes its name."""
        try:
            self.fs.rm_file(target)
        except (OSError, ftplib.error_perm):
            pass
        self.fs.mv(temporary, target)

    def _delete(self, path: str) -> None:
        """Delete a file; one that is not there is fine (FTP says so with a 550 that also
        means "permission denied", so it asks)."""
        try:
            self.fs.rm_file(path)
        except FileNotFoundError:
            pass
        except (OSError, ftplib.error_perm):
            self.fs.invalidate_cache(posixpath.dirname(path))
            try:  # not fs.exists(): it says False for a connection that is gone, too
                self.fs.info(path)
            except FileNotFoundError:
                return
            raise

    def remove(self, name: str) -> None:
        target = self.where(name)
        self._delete(target)
        if self.kind == "s3":
            return
        folder = posixpath.dirname(target)
        while folder != self.root and folder.startswith(self.root + "/"):
            try:  # only when empty: images/<id>/ of a removed briefing
                if self.kind == "file":
                    os.rmdir(folder)
                else:
                    self.fs.rmdir(folder)
            except (OSError, ftplib.Error):
                break
            self.folders.known.discard(folder)
            folder = posixpath.dirname(folder)

    def remove_part(self, part: str) -> None:
        self._delete(self.where(part))

    def listing(self) -> dict[str, RemoteFile]:
        self.fs.invalidate_cache()
        try:
            found = self.fs.find(self.root, detail=True)
        except FileNotFoundError:
            return {}
        prefix = self.root.rstrip("/") + "/"
        files = {}
        for path, info in found.items():
            if info.get("type") not in ("file", None):
                continue
            name = path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")
            files[name] = self._remote_file(path, info)
        return files

    def _remote_file(self, path: str, info: dict[str, Any]) -> RemoteFile:
        size = int(info.get("size") or 0)
        if self.kind == "s3":
            etag = str(info.get("ETag") or "").strip('"')
            return RemoteFile(size, md5=etag if "-" not in etag else "")
        if self.kind == "file":
            import hashlib

            with open(path, "rb") as handle:
                return RemoteFile(size, sha256=hashlib.file_digest(handle, "sha256").hexdigest())
        return RemoteFile(size)

    def close(self) -> None:
        # closing a broken connection may fail in any way: it is closed either way
        with contextlib.suppress(Exception):
            if self.kind == "sftp":
                self.fs.client.close()
            elif self.kind in ("ftp", "ftps"):
                self.fs.ftp.close()

