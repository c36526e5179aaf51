"""The project's state folder, ``.briefkit/``, and its parts, never followed through a link.

Runs write and clean the state folder: a link in place of it or of one of its
parts (``.briefkit/tmp -> ../source``) would take that writing and cleaning
elsewhere.  Every part is checked before use and a link is refused with one
line naming it; files in it are read without following a link, bounded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from briefkit.engine.output import cannot_write
from briefkit.errors import OutputError
from briefkit.files import display_path

STATE = ".briefkit"
LOCK = "lock"  # one run at a time (engine/state.py)
MANIFESTS = "manifests"  # one per output folder (engine/state.py)
TMP = "tmp"  # each process's temporary folder (engine/scratch.py)
CACHE = "cache"  # what exporters derive from the theme (engine/cache.py)
MAKING = "making"  # which process makes which cache entry (engine/cache.py)
THEMES = "themes"  # themes laid out for a worker that does not see the project's
LAST_GOOD = "last-good"  # each briefing's last good version, per output folder (engine/lastgood.py)
#: Everything the state folder holds, checked at the start of every run.
PARTS = (LOCK, MANIFESTS, TMP, CACHE, MAKING, THEMES, LAST_GOOD)


def refuse_link(path: Path) -> None:
    """Refuse ``path``, a part of the state folder, when it is a symbolic link."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise OutputError(f"{display_path(path)}: is a symbolic link; briefkit keeps its run "
                              "state in plain folders and files and never follows a link "
                              "there: remove it and run again")
    except FileNotFoundError:
        pass


def check_home(home: Path) -> None:
    """Refuse a state folder that is, or holds in place of one of its parts, a link."""
    refuse_link(home)
    for part in PARTS:
        refuse_link(home / part)


def state_folder(home: Path, name: str) -> Path:
    """The folder ``name`` of the state folder ``home``, made if missing; a link in place
    of either, or a file where a folder should be, is refused with one line."""
    folder = home / name
    refuse_link(home)
    refuse_link(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        found = os.lstat(folder)
    except OSError as error:
        raise cannot_write(folder, error) from None
    if not stat.S_ISDIR(found.st_mode):  # a link or a file put there since the check
        refuse_link(folder)
        raise OutputError(f"{display_path(folder)}: is not a folder; remove it and run again")
    return folder


def open_plain(path: Path, limit: int) -> tuple[int, bytes] | None:
    """An open descriptor on ``path`` and its bytes, when it is a regular file (not a
    link, a FIFO or a device) of at most ``limit`` bytes; else None.  The caller closes
    the descriptor (kept open for a lock on it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        found = os.fstat(fd)
        if stat.S_ISREG(found.st_mode) and found.st_size <= limit:
            chunks, total = [], 0
            while total <= limit:  # never more than the limit, even if the file grows
                chunk = os.read(fd, min(1 << 20, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            if total <= limit:
                return fd, b"".join(chunks)
    except OSError:
        pass
    os.close(fd)
    return None


def read_plain(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes, never read
    through a link; None for anything else."""
    opened = open_plain(path, limit)
    if opened is None:
        return None
    fd, data = opened
    os.close(fd)
    return data
