"""Temporary files of a run, kept where the next run can find them.

Exporters' libraries write temporary files (WeasyPrint keeps the fonts of a
stylesheet in a folder it removes only at interpreter exit, which pool workers
skip).  Every process of a run points :mod:`tempfile` at a folder of its own
under ``.briefkit/tmp/``, holds a lock on it while it lives, and removes it
when it ends; a process killed outright leaves its folder unlocked, and the
next run removes it.  Nothing is left in the system's temporary folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path

TMP = "tmp"
_ALIVE = ".alive"


class Scratch:
    """This process's temporary folder (``tempfile`` writes there while it is open)."""

    def __init__(self, home: Path) -> None:
        self.root = home / TMP
        self.folder: Path | None = None
        self._fd: int | None = None
        self._previous: str | None = None

    def open(self) -> Path:
        """Create and lock the folder, and send ``tempfile`` there."""
        if self.folder is not None:
            return self.folder
        self.root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self.root))
        fd = os.open(folder / _ALIVE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        self.folder, self._fd = folder, fd
        self._previous, tempfile.tempdir = tempfile.tempdir, str(folder)
        return folder

    def close(self) -> None:
        """Remove the folder and everything in it; ``tempfile`` goes back where it was."""
        if self.folder is None:
            return
        if tempfile.tempdir == str(self.folder):
            tempfile.tempdir = self._previous
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
        self.folder = self._fd = None
        try:
            self.root.rmdir()  # only when no other process has a folder there
        except OSError:
            pass


def sweep(home: Path) -> list[Path]:
    """Remove the folders of processes that died without removing theirs."""
    root = home / TMP
    removed: list[Path] = []
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return removed
    for folder in folders:
        try:
            fd = os.open(folder / _ALIVE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its process is alive
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        removed.append(folder)
    try:
        root.rmdir()
    except OSError:
        pass
    return removed
