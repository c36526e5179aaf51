"""What a run remembers between runs, kept out of the published folder.

``.briefkit/`` at the project root (git-ignored, like ``.quarto/``) holds the
lock that keeps two runs apart and, per output folder, the manifest: every
output with its checksum and the key of what it was made from (so an
unchanged output is not made again), and what the run knows of each source
file (so an unchanged one is not read again).  dist/ holds only what is
published, and a run with nothing to do changes nothing in it.

The state is input like any other: it is read back defensively.  A record
naming a path outside the output folder is dropped with a warning.  Neither the
state folder nor anything in it (the lock, the manifests, the cache, the
temporary folders) is ever followed through a symbolic link: a link there is
refused with one line naming it, before anything is read, written or removed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from briefkit.engine.home import (
    LOCK,
    MANIFESTS,
    STATE,
    check_home,
    read_plain,
    refuse_link,
    state_folder,
)
from briefkit.engine.legacy import OLD_LOCK, OLD_MANIFEST, old_manifest, remove_old_lock
from briefkit.engine.output import atomic_write, cannot_write, safe_name, safe_names
from briefkit.engine.seals import SHA256
from briefkit.errors import OutputError
from briefkit.files import display_path

__all__ = ["LOCK", "MANIFESTS", "STATE", "Record", "State", "manifest_name"]

#: The largest manifest read back (a few hundred bytes per output).
MAX_MANIFEST = 512 * 1024 * 1024
#: More seconds than any output takes to make: a record saying more is not as written.
YEAR = 365 * 24 * 3600
#: A media type as an exporter names it: printable ASCII, no line break, type/subtype.
_MEDIA_TYPE = re.compile(r"[!-~]+/[ -~]{1,250}")


@dataclass(frozen=True)
class Record:
    """One file in the output folder, as the manifest lists it."""

    path: str  # relative to the output folder
    format: str
    briefing: str | None  # None for collection outputs (feeds, front page)
    bytes: int
    sha256: str
    media_type: str
    key: str = ""  # digest of everything the output was made from
    mtime_ns: int = 0  # of the file as written: a file changed behind our back is made again
    seconds: float = 0.0  # how long it took, to start the longest work first next time
    files: tuple[str, ...] = ()  # the extra files this output links to (images, fonts, logo)
    extra: bool = False  # an extra file: kept while some output names it in ``files``
    #: the entries of the exporters' cache it was made with: kept while it is recorded
    cache: tuple[str, ...] = ()


_FIELDS = [f.name for f in fields(Record)]
_KNOWN = frozenset(_FIELDS)
#: The fields of a record the manifest writes as numbers of the names it holds once.
_LISTS = frozenset({"files", "cache"})


def _entries(cache: Any) -> tuple[str, ...]:
    """The names of cache entries among ``cache`` (an odd one protects nothing)."""
    if not isinstance(cache, list | tuple):
        return ()
    try:
        return _entry_names(tuple(cache))
    except TypeError:  # something unhashable: not a list of names
        return ()


@lru_cache(maxsize=256)
def _entry_names(names: tuple[object, ...]) -> tuple[str, ...]:
    # remembered: the outputs of a format name the same entries (every page, the web fonts)
    return tuple(n for n in names if isinstance(n, str) and SHA256.fullmatch(n))


def _named(value: Any, names: list[Any]) -> Any:
    """A record's list of names, each as written in it or the manifest's name it numbers
    (None for a number of none: the record is not as written)."""
    if not isinstance(value, list):
        return value
    try:  # anything else than a name or a number stays, for the checks to refuse
        return [names[n] if type(n) is int and n >= 0 else n for n in value]
    except IndexError:
        return None


def _record(entry: Any, names: list[Any]) -> Record | str:
    """A record read back from disk, or why it is not one as written."""
    if not isinstance(entry, dict):
        return "not a record"
    # a record as this version writes it is copied whole; keys it does not know are left out
    values = (dict(entry) if _KNOWN.issuperset(entry)
              else {k: v for k, v in entry.items() if k in _KNOWN})
    path, files = values.get("path"), _named(values.get("files", ()), names)
    if safe_name(path) is None:
        return "not a file inside the output folder"
    if not isinstance(files, list | tuple) or not safe_names(files):
        return "it links a file outside the output folder"
    values["files"] = tuple(files)
    values["cache"] = _entries(_named(values.get("cache", ()), names))
    try:
        record = Record(**values)
    except TypeError:
        return "its fields are not a record's"
    if (not isinstance(record.format, str) or not isinstance(record.bytes, int)
            or not isinstance(record.mtime_ns, int) or not isinstance(record.key, str)
            or not (record.briefing is None or isinstance(record.briefing, str))
            # seconds, in a year; neither NaN nor a flag (the next run sums them)
            or type(record.seconds) not in (int, float) or not 0 <= record.seconds < YEAR
            # a type/subtype a header can carry (publish sends it, an e-mail names it)
            or not isinstance(record.media_type, str)
            or _MEDIA_TYPE.fullmatch(record.media_type) is None):
        return "its fields are not a record's"
    return record


def manifest_name(root: Path, folder: Path) -> str:
    """The manifest's file name for an output folder: its path from the project, quoted."""
    try:
        relative = folder.resolve().relative_to(root.resolve()).as_posix()
        return quote(relative, safe="") + ".json"
    except ValueError:
        return "outside-" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16] + ".json"


def hold(home: Path) -> int:
    """Take the project in the state folder ``home`` (one run, or one cleaning, at a
    time): the open lock file, to close when done; or one line naming the process that
    holds it."""
    check_home(home)
    try:
        fd = os.open(home / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK,
                     0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            refuse_link(home / LOCK)
        raise cannot_write(home / LOCK, error) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(f"{display_path(home / LOCK)}: is not a regular file; remove "
                          "it and run again")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise OutputError(
            f"{display_path(home)}: another briefkit run (process {holder}) is working in "
            "this project; run again when it has finished") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError as error:
        os.close(fd)  # closing releases the lock
        raise cannot_write(home / LOCK, error) from None
    return fd


class State:
    """The project's run state for one output folder: the lock and the manifest.

    Use it as a context manager: entering takes the lock (or raises
    :class:`OutputError` naming the run that holds it) and reads the manifest.
    """

    def __init__(self, root: Path, folder: Path) -> None:
        self.root, self.folder = root, folder
        self.home = root / STATE
        self.manifest = self.home / MANIFESTS / manifest_name(root, folder)
        self.records: dict[str, Record] = {}
        self.sources: dict[str, Any] = {}  # what the engine remembers about source files
        self.changed = False  # whether the manifest needs writing
        self.warnings: list[str] = []
        self._lock: int | None = None
        #: beside the manifest while a run writes the output folder (see :meth:`cut_short`)
        self.writing_mark = self.manifest.with_suffix(".writing")
        self._found = False  # a manifest was there to read
        self._marked = False
        #: between a run's interim saves: the names' numbers, and each record's line as
        #: the last interim save wrote it (see :meth:`save`)
        self._numbers: dict[str, int] = {}
        self._lines: dict[str, tuple[Record, str]] = {}

    def __enter__(self) -> Self:
        self.lock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unlock()

    def lock(self) -> None:
        """Take the project for this run, then read (or migrate) the manifest."""
        check_home(self.home)  # before anything in it is read, written or removed
        state_folder(self.home, MANIFESTS)
        self._lock = hold(self.home)
        self._read()

    def unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock
            self._lock = None

    # --- the manifest --------------------------------------------------------------

    def _load(self, path: Path) -> dict[str, Any] | None:
        refuse_link(path)
        if not os.path.lexists(path):
            return None
        raw = read_plain(path, MAX_MANIFEST)  # a FIFO there is not waited on
        try:
            data = json.loads(raw) if raw is not None else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.changed = True  # a damaged manifest is rebuilt from this run
            return {}
        return data

    def _read(self) -> None:
        data = self._load(self.manifest)
        self._found = data is not None
        if data is None:
            data = self._migrate()
        outputs, names = data.get("outputs", []), data.get("names", [])
        names = names if isinstance(names, list) else []
        for entry in outputs if isinstance(outputs, list) else []:
            record = _record(entry, names)
            if isinstance(record, str):
                shown = entry.get("path") if isinstance(entry, dict) else entry
                self.warnings.append(f"{self.manifest}: ignored the record of {shown!r}: "
                                     f"{record}")
                self.changed = True
                continue
            self.records[record.path] = record
        sources = data.get("sources", {})
        self.sources = sources if isinstance(sources, dict) else {}

    def _migrate(self) -> dict[str, Any]:
        """Take over the manifest an earlier version kept in the output folder, once.

        Only a file that is provably one is taken over (and removed): an output folder
        shared with others may hold a web app's ``manifest.json``, left as it is."""
        data = old_manifest(self.folder / OLD_MANIFEST)
        if data is None:
            data = {}
        else:
            self.changed = True
            with contextlib.suppress(OSError):
                (self.folder / OLD_MANIFEST).unlink()
        remove_old_lock(self.folder / OLD_LOCK)
        return data

    # --- a run cut short -----------------------------------------------------------

    def cut_short(self) -> bool:
        """Whether the last run into the output folder may have been killed while it wrote
        there, leaving temporary files (or an earlier version's run, or one before the
        manifest existed): only then is the whole folder looked through for them, which
        takes longer than the rest of a run with nothing to do in a big newsroom."""
        return not self._found or os.path.lexists(self.writing_mark)

    def writing(self) -> None:
        """Mark the output folder as being written, before the run's first write."""
        if self._marked:
            return
        try:
            fd = os.open(self.writing_mark,
                         os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                refuse_link(self.writing_mark)
            raise cannot_write(self.writing_mark, error) from None
        os.close(fd)
        self._marked = True

    def written(self) -> None:
        """The run is over, its files whole: nothing of it is left to look for."""
        # a mark that cannot be removed only makes the next run look through the folder
        with contextlib.suppress(OSError):
            os.unlink(self.writing_mark)  # the name itself, never a link's target
        self._marked = False

    def add(self, record: Record) -> None:
        self.records[record.path] = record
        self.changed = True

    def drop(self, paths: list[str]) -> None:
        for path in paths:
            if self.records.pop(path, None) is not None:
                self.changed = True

    def save(self, interim: bool = False) -> None:
        """Write the manifest, atomically, listing every output in a stable order.

        ``interim``: a save while a run makes its outputs, so that a run killed loses
        little.  It encodes only the records changed since the last interim save, the
        names they list numbered as then (0.04 s instead of 0.18 s of CPU for the 16,000
        records of 2,000 briefings); the other saves number the names afresh, from the
        first record."""
        if not self.changed and self.manifest.exists():
            return
        # One output or source per line: readable, diffable, and fast to write (the C
        # encoder; json's indent= falls back to the slow one).  The names many records
        # list (every page's web fonts and cache entries) are written once, under
        # "names", and each record lists their numbers: half the bytes to read back.
        numbers, lines = (self._numbers, self._lines) if interim else ({}, {})

        def numbered(names: tuple[str, ...]) -> list[int]:
            return [numbers.setdefault(name, len(numbers)) for name in names]

        def line(path: str, record: Record) -> str:
            kept = lines.get(path)
            if kept is None or kept[0] is not record:
                text = json.dumps({f: numbered(getattr(record, f)) if f in _LISTS
                                   else getattr(record, f) for f in _FIELDS},
                                  ensure_ascii=False)
                kept = lines[path] = (record, text)
            return kept[1]

        outputs = ",\n  ".join(line(path, r) for path, r in sorted(self.records.items()))
        sources = ",\n  ".join(f"{json.dumps(name, ensure_ascii=False)}: "
                               f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
                               for name, entry in sorted(self.sources.items()))
        names = json.dumps(list(numbers), ensure_ascii=False).replace('", "', '",\n  "')
        text = (f'{{\n "outputs": [\n  {outputs}\n ],\n "names": {names},\n'
                f' "sources": {{\n  {sources}\n }}\n}}\n')
        try:
            atomic_write(self.manifest, text.encode("utf-8"))
        except OSError as error:
            raise cannot_write(self.manifest, error) from None
        self.changed = False
