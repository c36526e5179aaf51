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

An entry is made by one process: the workers of a cold run, which all ask for
the same web fonts and font subsets at their first briefings, would otherwise
each make them.  A process making an entry holds a lock on it (a byte of
``.briefkit/making``, POSIX record locks, let go if the process dies); another
that wants it meanwhile makes what else it asked for, then waits and reads it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefkit.config import CacheSettings
from briefkit.engine.home import CACHE, MAKING, STATE, open_plain, refuse_link
from briefkit.engine.output import atomic_write
from briefkit.engine.seals import SHA256, entry_name, seal, unseal
from briefkit.engine.state import hold
from briefkit.exporters.base import Cache, Check, Wanted

#: What a run killed while writing an entry leaves (output.atomic_write's temporary name).
LEFTOVER = re.compile(r"\.[0-9a-f]{64}\.[A-Za-z0-9_]+\.part")
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
MEGABYTE = 1024 * 1024
DAY = 86_400.0
#: Largest file the exporters' cache hands back (a web font is well under it).
MAX_CACHED = 64 * MEGABYTE


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
            if not (leftover or SHA256.fullmatch(item.name)):
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


# --- the caches exporters are handed ------------------------------------------------------

class NamingCache(Cache):
    """A cache that names the entries each output used (``used``, emptied before each
    job): the manifest records them, and the run keeps the cache to what its outputs
    use (:func:`bound`).  It also counts the seconds spent making entries, or waiting
    for another process to make them (``making``): what one output paid for the
    outputs after it, which the time recorded for that output leaves out."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self.making = 0.0
        self._within = False  # making an entry: the entries it makes are counted with it

    def name_used(self, key: str, check: Check | None) -> None:
        if check is not None:  # only entries with a check are kept between runs
            self.used.add(entry_name(key))

    def get(self, key: str, make: Callable[[], bytes], check: Check | None = None) -> bytes:
        return super().get(key, self.timed(make), check)

    def timed(self, make: Callable[[], bytes]) -> Callable[[], bytes]:
        """``make``, its seconds counted in ``making``."""
        def timed() -> bytes:
            with self.counted():
                return make()
        return timed

    @contextlib.contextmanager
    def counted(self) -> Iterator[None]:
        """Count the seconds inside in ``making``: once, when what is inside makes entries
        of its own (a Word font part, made from the face's subset)."""
        if self._within:
            yield
            return
        started = time.perf_counter()
        self._within = True
        try:
            yield
        finally:
            self._within = False
            self.making += time.perf_counter() - started


class ShippedCache(NamingCache):
    """The exporters' cache on a cluster worker: what the run sent, else made here.

    ``entries`` came with the theme, for every job; ``own``, with the job being done
    (what only its output uses)."""

    def __init__(self, entries: Mapping[str, bytes]) -> None:
        super().__init__()
        self.entries = entries
        self.own: Mapping[str, bytes] = {}

    def get(self, key: str, make: Callable[[], bytes], check: Check | None = None) -> bytes:
        self.name_used(key, check)
        if key in self._kept:  # unsealed and checked once per process, as StateCache does
            return self._kept[key]
        name = entry_name(key)
        shipped = (self.entries.get(name) or self.own.get(name)) if check is not None else None
        found = unseal(shipped, key, check) if shipped is not None and check else None
        if found is not None:
            self._kept[key] = found
            return found
        return super().get(key, make)


class StateCache(NamingCache):
    """The exporters' cache kept in the project's state folder (``.briefkit/cache/``),
    so what is derived from the theme (web fonts) is made once, not once per run, nor
    once per worker.

    Only entries with a ``check`` are kept there; the folder is never followed
    through a link (refused with one line)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def get(self, key: str, make: Callable[[], bytes], check: Check | None = None) -> bytes:
        (data,) = self.get_all([(key, make, check)])
        return data

    def get_all(self, wanted: Sequence[Wanted]) -> list[bytes]:
        """Each entry of ``wanted``, read or made; one another process is making is
        waited for once the others are had."""
        found: list[bytes | None] = []
        wanted = [(key, self.timed(make), check) for key, make, check in wanted]
        for key, make, check in wanted:
            self.name_used(key, check)
            if key in self._kept or check is None:
                found.append(Cache.get(self, key, make))
                continue
            data = self._read(key, check)
            if data is None:
                with self._making(key, wait=False) as ours:
                    if ours:
                        data = self._read(key, check)
                        data = self._make(key, make) if data is None else data
            if data is not None:
                self._kept[key] = data
            found.append(data)
        for index, (key, make, check) in enumerate(wanted):
            if found[index] is None and check is not None:
                # waiting for another process to make it counts as making it
                with self.counted(), self._making(key, wait=True):
                    data = self._read(key, check)
                    data = self._make(key, make) if data is None else data
                self._kept[key] = found[index] = data
        return [data for data in found if data is not None]

    def _read(self, key: str, check: Check) -> bytes | None:
        """The entry of ``key`` as kept, when whole and checked."""
        refuse_link(self.folder.parent)
        refuse_link(self.folder)
        opened = open_plain(self.folder / entry_name(key), MAX_CACHED)
        if opened is None:
            return None
        fd, kept = opened
        found = unseal(kept, key, check)
        if found is not None:
            # its time says when it was last used: an entry no output of this folder
            # names is kept for a while for the others (bound)
            with contextlib.suppress(OSError):
                os.utime(fd)
        os.close(fd)
        return found

    def _make(self, key: str, make: Callable[[], bytes]) -> bytes:
        data = make()
        # a cache that cannot be written is only slower; one that is a link is refused
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            refuse_link(self.folder)  # put there since the check in _read
            atomic_write(self.folder / entry_name(key), seal(key, data))
        return data

    @contextlib.contextmanager
    def _making(self, key: str, wait: bool) -> Iterator[bool]:
        """Whether this process is the one to make the entry of ``key`` (holding its lock
        meanwhile); with ``wait``, once no other process is making it."""
        fd = _making_file(self.folder.parent / MAKING)
        offset = int(entry_name(key)[:12], 16)  # a byte of its own, well past the end
        if fd is None:  # a state folder that cannot be written: each process makes its own
            yield True
            return
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB), 1, offset)
        except OSError as error:
            # another process makes it; or, waiting, a deadlock (EDEADLK): make it here
            yield error.errno == errno.EDEADLK if wait else False
            return
        try:
            yield True
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)


#: The lock file open in this process, by path: one descriptor each, never closed while
#: the process lives, since closing any descriptor of a file lets go of every record
#: lock the process holds on it.
_making_files: dict[Path, int] = {}


def _making_file(path: Path) -> int | None:
    """``.briefkit/making``, open (made if missing), or None when it cannot be."""
    if path not in _making_files:
        refuse_link(path.parent)
        refuse_link(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                refuse_link(path)  # put there since the check
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        _making_files[path] = fd
    return _making_files[path]
