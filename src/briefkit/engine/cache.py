"""The exporters' cache, ``.briefkit/cache/``, kept within its bound.

Every face and character neighbourhood a theme and the briefings' languages
ever asked for leaves an entry (web fonts, Word font subsets): a newsroom that
exports from cron for a year, changing themes and languages, would grow the
folder without end.  Each output's record names the entries it was made with;
at the end of a run, an entry no output of the output folder names is removed
once it has been unused for ``[cache] unused_days``, and sooner, the longest
unused first, while the cache is larger than ``[cache] max_megabytes``.  An
entry's time is that of its last use (a run that reads it touches it), so one
that another output folder's runs use stays while they use it.

Only entries are ever removed: a regular file named as one (never through a
link), and the half-written entries of a killed run; anything else in the
folder is left as it is.  ``briefkit clean --cache`` empties it the same way,
holding the project's lock so that no run is using it meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from briefkit.config import CacheSettings
from briefkit.engine.home import CACHE, STATE, refuse_link
from briefkit.engine.state import hold

#: An entry's name: the SHA-256 of its key (engine/seals.py).
ENTRY = re.compile(r"[0-9a-f]{64}")
#: What a run killed while writing an entry leaves (output.atomic_write's temporary name).
LEFTOVER = re.compile(r"\.[0-9a-f]{64}\.[A-Za-z0-9_]+\.part")
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
MEGABYTE = 1024 * 1024
DAY = 86_400.0


@dataclass(frozen=True)
class Entry:
    """One file of the cache folder: its name, size and the time of its last use."""

    name: str
    bytes: int
    used_at: float
    leftover: bool = False


@dataclass(frozen=True)
class Removed:
    """What was removed from the cache: how many entries, how many bytes."""

    entries: int = 0
    bytes: int = 0

    def __str__(self) -> str:
        size = f"{self.bytes / MEGABYTE:.1f}".removesuffix(".0")
        return f"{self.entries} {'entry' if self.entries == 1 else 'entries'} ({size} MB)"


def _entries(folder: int) -> list[Entry]:
    """The entries (and a killed run's half-written ones) of the open folder."""
    found = []
    with os.scandir(folder) as listing:
        for item in listing:
            leftover = LEFTOVER.fullmatch(item.name) is not None
            if not (leftover or ENTRY.fullmatch(item.name)):
                continue  # not ours: left alone
            try:
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append(Entry(item.name, info.st_size, info.st_mtime, leftover))
    return found


def _open(home: Path) -> int | None:
    """The cache folder, opened without following a link (refused with one line); None
    when there is none."""
    refuse_link(home)
    refuse_link(home / CACHE)
    try:
        return os.open(home / CACHE, _DIRECTORY)
    except FileNotFoundError:
        return None
    except OSError:
        refuse_link(home / CACHE)  # put there since the check
        return None


def _remove(folder: int, entries: Iterable[Entry]) -> Removed:
    count = size = 0
    for entry in entries:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.name, dir_fd=folder)  # the name itself, never a link's target
            count, size = count + 1, size + entry.bytes
    return Removed(count, size)


def bound(home: Path, used: set[str], settings: CacheSettings,
          now: float | None = None) -> Removed:
    """Remove the entries of ``home``'s cache that no output uses (``used``: their
    names) and that have been unused for ``settings.unused_days``, then, the longest
    unused first, while the cache is larger than ``settings.max_megabytes``.  Called by
    a run holding the project's lock, after its last job."""
    folder = _open(home)
    if folder is None:
        return Removed()
    try:
        found = _entries(folder)
        now = time.time() if now is None else now
        oldest = now - settings.unused_days * DAY
        limit = settings.max_megabytes * MEGABYTE
        total = sum(e.bytes for e in found)
        gone = [e for e in found if e.leftover]  # no job runs now: no write is under way
        total -= sum(e.bytes for e in gone)
        for entry in sorted((e for e in found if not e.leftover and e.name not in used),
                            key=lambda e: (e.used_at, e.name)):
            if entry.used_at < oldest or total > limit:
                gone.append(entry)
                total -= entry.bytes
        return _remove(folder, gone)
    finally:
        os.close(folder)


def empty(root: Path) -> Removed:
    """Empty the cache of the project at ``root`` (``briefkit clean --cache``): every
    entry removed, anything else left as it is.  It holds the project's lock, so no
    run is using the cache meanwhile (while one is, one line names its process)."""
    home = root / STATE
    refuse_link(home)
    if not os.path.lexists(home / CACHE):
        return Removed()
    lock = hold(home)
    try:
        folder = _open(home)
        if folder is None:
            return Removed()
        try:
            removed = _remove(folder, _entries(folder))
        finally:
            os.close(folder)
        with contextlib.suppress(OSError):
            (home / CACHE).rmdir()  # only when nothing else was there
        return removed
    finally:
        os.close(lock)
