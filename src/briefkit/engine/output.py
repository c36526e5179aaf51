"""The only code that writes under the output folder (dist/).

Every file is written to a temporary name beside its target (``.<name>.*.part``)
and renamed into place, so dist/ never holds a half-written file; temporary
files left by a killed run are removed when the next run starts.  Nothing here
writes or deletes outside the folder: every name is checked to stay inside it,
whatever the run state it came from says.

dist/ holds only what is published.  What a run remembers (the manifest, the
lock) lives in the project's state folder (:mod:`briefkit.engine.state`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import posixpath
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from briefkit.errors import OutputError
from briefkit.files import display_path
from briefkit.reproducible import normalise_zip, reproducible_time

__all__ = ["PART", "OutputFolder", "Written", "normalise_zip", "reproducible_time", "safe_name",
           "safe_names"]

PART = ".part"  # temporary files are ".<name>.<random>.part"
_TEMPORARY = re.compile(r"\.[^/]+\.[A-Za-z0-9_]+\.part")


@dataclass(frozen=True)
class Written:
    """A file as written: its size, checksum and modification time."""

    bytes: int
    sha256: str
    mtime_ns: int


def safe_name(name: object) -> str | None:
    """``name`` if it is a plain relative path inside a folder (``a/b.png``), else None.

    Names come from exporters and from the run state on disk, which anyone could
    have edited: ``../briefkit.toml``, ``/etc/passwd``, ``a/../../x`` or a name
    with a NUL never reach the file system.
    """
    return name if isinstance(name, str) and _plain(name) else None


#: Names found safe by :func:`safe_names` (bounded as :func:`_plain`'s memory is).
_SAFE: set[str] = set()


def safe_names(names: Sequence[object]) -> bool:
    """Whether every one of ``names`` is a :func:`safe_name`.

    Asked of every output's extra files when the manifest is read: the records of a
    format list the same web fonts and the same images, so a list whose names were all
    found safe before is answered at once.
    """
    try:
        if _SAFE.issuperset(names):
            return True
    except TypeError:  # something unhashable: not a name
        return False
    if not all(map(safe_name, names)):
        return False
    if len(_SAFE) > 1 << 16:
        _SAFE.clear()
    _SAFE.update(cast("Sequence[str]", names))  # every one a str: safe_name said so
    return True


@lru_cache(maxsize=1 << 16)
def _plain(name: str) -> bool:
    # remembered: a run asks about the same names (web fonts, shared images) thousands of
    # times, reading the manifest and checking the outputs
    if not name or "\\" in name or "\0" in name:
        return False
    if name.startswith("/") or posixpath.normpath(name) != name:
        return False
    return not any(p in ("", ".", "..") for p in name.split("/"))


def cannot_write(path: Path, error: OSError) -> OutputError:
    """The one line said when ``path`` cannot be written."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += ": free some space and run again"
    return OutputError(f"{display_path(path)}: cannot write ({reason}); earlier outputs are unchanged")


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False,
                 make_folders: bool = True) -> None:
    """Write ``data`` beside ``path`` and rename it into place (never a half file).

    The temporary file has a random name and is made exclusively, never through a
    link (:func:`tempfile.mkstemp`: ``O_CREAT | O_EXCL | O_NOFOLLOW``); a link at
    ``path`` itself is replaced, never written through.  With ``exclusive``, a file
    already at ``path`` (or one put there meanwhile) is never replaced:
    :class:`FileExistsError`.  Missing folders on the way are made, unless
    ``make_folders`` is false.
    """
    if make_folders:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            # No fsync: the rename already guarantees whole files to every reader, and
            # thousands of fsyncs would cost more than the export itself.
            os.fchmod(handle.fileno(), 0o644)  # the file opened, not whatever has its name now
        if exclusive:
            os.link(temporary, path)  # fails if the name is taken, even a moment ago
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class OutputFolder:
    """The published folder: whole files written in, files removed, nothing outside it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        """The file ``name`` inside the folder; an unsafe name is a bug of the caller."""
        if safe_name(name) is None:
            raise OutputError(f"{name!r} is not a file name inside {display_path(self.folder)}")
        target = self.folder / name
        # a folder on the way replaced by a link leading out is not followed
        parent = target.parent.resolve()
        if not parent.is_relative_to(self.folder.resolve()):
            raise OutputError(f"{display_path(target)}: leads outside {display_path(self.folder)}")
        return target

    def prepare(self, clean: bool = True) -> None:
        """Create the folder, check it can be written and, with ``clean``, remove a killed
        run's temporary files."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=PART, dir=self.folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise cannot_write(self.folder, error) from None
        if clean:
            self.clean_stale()

    def clean_stale(self) -> list[Path]:
        """Remove the temporary files of an interrupted run; returns what was removed.

        Only regular files named as :func:`atomic_write` names them
        (``.<name>.<random>.part``) are: an output folder may be shared, and what
        briefkit did not write there is left alone.  No link is followed."""
        removed = []
        for folder, _, files in os.walk(self.folder):
            for name in files:
                if _TEMPORARY.fullmatch(name) is None:
                    continue
                path = Path(folder) / name
                try:
                    if stat.S_ISREG(os.lstat(path).st_mode):
                        path.unlink()
                        removed.append(path)
                except OSError:
                    pass
        return removed

    def write(self, name: str, data: bytes) -> Written:
        """Write one file atomically; a folder that cannot be written stops the run."""
        target = self.path(name)
        try:
            atomic_write(target, data)
            mtime_ns = target.stat().st_mtime_ns
        except OSError as error:
            raise cannot_write(target, error) from None
        return Written(len(data), hashlib.sha256(data).hexdigest(), mtime_ns)

    def is_current(self, name: str, size: int, mtime_ns: int) -> bool:
        """Whether file ``name`` is still the one that was written (size and time)."""
        if safe_name(name) is None:
            return False
        try:
            # a string, not a Path: every output of the folder is looked at in each run
            found = os.stat(os.path.join(self.folder, name), follow_symlinks=False)
        except OSError:
            return False
        return found.st_size == size and found.st_mtime_ns == mtime_ns

    def remove(self, names: Iterable[str]) -> None:
        """Delete files (and the folders they leave empty), never anything outside."""
        root = self.folder.resolve()
        for name in names:
            if safe_name(name) is None:
                continue
            target = self.folder / name
            if not target.parent.resolve().is_relative_to(root):
                continue
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            except OSError as error:
                raise cannot_write(target, error) from None
            parent = target.parent
            while parent != self.folder and parent.is_relative_to(self.folder):
                try:
                    parent.rmdir()  # only when empty: images/<id>/ of a removed briefing
                except OSError:
                    break
                parent = parent.parent
