"""Temporary files of a run, kept where the next run can find them.

Exporters' libraries write temporary files (WeasyPrint keeps the fonts of a
stylesheet in a folder it removes only at interpreter exit, which pool workers
skip).  Every process of a run points :mod:`tempfile` at a folder of its own
under ``.briefkit/tmp/``, holds a lock on it while it lives, and removes it
when it ends; a process killed outright leaves its folder unlocked, and the
next run removes it.  Nothing is left in the system's temporary folder.

Only what a briefkit process made is ever removed: each folder carries a
marker file, made with the folder (exclusively, never through a link) and
holding a fixed signature.  A folder without it is left alone, whatever it
holds, and removal never follows a link, neither to the folder nor inside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

from briefkit.engine.home import TMP, refuse_link, state_folder

#: The marker of a process's folder: this file, holding exactly this signature.
MARKER = ".briefkit-scratch"
SIGNATURE = b"briefkit temporary folder 1\n"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


#: The folders of this process's open scratches: what :func:`remove_open` removes.
_open: dict[int, tuple[Path, str]] = {}


def remove_open() -> None:
    """Remove every temporary folder this process has open, now, taking no lock: for a
    process ending outright while a thread may still be writing (the live preview
    stopped in the middle of an export)."""
    for root, name in list(_open.values()):
        _remove(root, name)


class Scratch:
    """This process's temporary folder (``tempfile`` writes there while it is open, unless
    it is not to ``redirect`` it)."""

    def __init__(self, home: Path, redirect: bool = True) -> None:
        self.home, self.redirect = home, redirect
        self.root = home / TMP
        self.folder: Path | None = None
        self._fd: int | None = None
        self._previous: str | None = None
        self._closed = False

    def open(self) -> Path:
        """Create, mark and lock the folder, and send ``tempfile`` there.

        Once closed it stays closed: a thread still exporting while the process ends
        gets an error here, never a new folder left behind."""
        if self.folder is not None:
            return self.folder
        if self._closed:
            raise FileNotFoundError(f"{self.root}: this process's temporary folder is gone")
        state_folder(self.home, TMP)
        # a random name, made exclusively (0700): nothing else can be there already
        folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self.root))
        fd = os.open(folder / MARKER,
                     os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        # locked before it is signed: a sweep never takes a live folder for a dead one
        fcntl.flock(fd, fcntl.LOCK_SH)
        os.write(fd, SIGNATURE)
        self.folder, self._fd = folder, fd
        _open[id(self)] = (self.root, folder.name)
        if self.redirect:
            self._previous, tempfile.tempdir = tempfile.tempdir, str(folder)
        return folder

    def close(self) -> None:
        """Remove the folder and everything in it; ``tempfile`` goes back where it was.

        The folder is renamed before it is emptied: a thread still writing there (an
        export abandoned while the process ends) cannot put a file back in it."""
        self._closed = True
        if self.folder is None:
            return
        if tempfile.tempdir == str(self.folder):
            tempfile.tempdir = self._previous
        _remove(self.root, self.folder.name)
        _open.pop(id(self), None)  # only once it is gone: an ending process may look
        if self._fd is not None:
            os.close(self._fd)
        self.folder = self._fd = None
        with contextlib.suppress(OSError):
            self.root.rmdir()  # only when no other process has a folder there


def _remove(parent: Path, name: str) -> None:
    """Remove folder ``name`` of ``parent`` and all it holds, following no link: not
    ``parent`` (opened without following one), not ``name``, nothing inside."""
    try:
        fd = os.open(parent, _DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # out of the way of a thread still writing
            os.rename(name, f"{name}.gone", src_dir_fd=fd, dst_dir_fd=fd)
            name = f"{name}.gone"
        shutil.rmtree(name, ignore_errors=True, dir_fd=fd)
    finally:
        os.close(fd)


def _signed(root: int, name: str) -> int | None:
    """The marker of folder ``name`` (in the open folder ``root``), opened, when it is
    a briefkit process's folder; None for anything else."""
    try:
        folder = os.open(name, _DIRECTORY, dir_fd=root)
    except OSError:
        return None  # a link, a file, gone
    try:
        marker = os.open(MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        if (stat.S_ISREG(os.fstat(marker).st_mode)
                and os.read(marker, len(SIGNATURE) + 1) == SIGNATURE):
            return marker
    except OSError:
        pass
    os.close(marker)
    return None


def sweep(home: Path) -> list[Path]:
    """Remove the folders of briefkit processes that died without removing theirs.

    A folder is removed only when it carries briefkit's marker and no process
    holds it; anything else under ``.briefkit/tmp/`` is left as it is.
    """
    root = home / TMP
    refuse_link(home)
    refuse_link(root)
    removed: list[Path] = []
    try:
        fd = os.open(root, _DIRECTORY)
    except OSError:
        return removed  # none there: nothing to sweep
    try:
        with os.scandir(fd) as entries:
            names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        for name in names:
            marker = _signed(fd, name)
            if marker is None:
                continue
            try:
                fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its process is alive
            else:
                shutil.rmtree(name, ignore_errors=True, dir_fd=fd)
                removed.append(root / name)
            finally:
                os.close(marker)
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        root.rmdir()
    return removed
