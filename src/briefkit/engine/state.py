"""What a run remembers between runs, kept out of the published folder.

``.briefkit/`` at the project root (git-ignored, like ``.quarto/``) holds the
lock that keeps two runs apart and, per output folder, the manifest: every
output with its checksum and the key of what it was made from (so an
unchanged output is not made again), and what the run knows of each source
file (so an unchanged one is not read again).  dist/ holds only what is
published, and a run with nothing to do changes nothing in it.

The state is input like any other: it is read back defensively.  A record
naming a path outside the output folder is dropped with a warning; the state
files are never followed through symbolic links.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from briefkit.errors import OutputError
from briefkit.output import atomic_write, cannot_write, safe_name, shown_path

STATE = ".briefkit"
LOCK = "lock"
MANIFESTS = "manifests"
#: What the first versions kept inside the output folder, moved here once.
OLD_MANIFEST, OLD_LOCK = "manifest.json", ".briefkit.lock"


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


_FIELDS = [f.name for f in fields(Record)]


def _record(entry: Any) -> Record | None:
    """A record read back from disk, or None when anything in it is not as written."""
    if not isinstance(entry, dict):
        return None
    try:
        record = Record(**{k: v for k, v in entry.items() if k in _FIELDS})
    except TypeError:
        return None
    files = record.files if isinstance(record.files, list | tuple) else None
    if (safe_name(record.path) is None or files is None
            or any(safe_name(f) is None for f in files)
            or not isinstance(record.format, str) or not isinstance(record.bytes, int)
            or not isinstance(record.mtime_ns, int) or not isinstance(record.key, str)
            or not (record.briefing is None or isinstance(record.briefing, str))):
        return None
    return Record(**{**{f: getattr(record, f) for f in _FIELDS}, "files": tuple(files)})


def manifest_name(root: Path, folder: Path) -> str:
    """The manifest's file name for an output folder: its path from the project, quoted."""
    try:
        relative = folder.resolve().relative_to(root.resolve()).as_posix()
        return quote(relative, safe="") + ".json"
    except ValueError:
        return "outside-" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16] + ".json"


def _not_a_link(path: Path) -> None:
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise OutputError(f"{path}: is a symbolic link; briefkit keeps its state in plain "
                              f"files: remove it and run again")
    except FileNotFoundError:
        pass


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

    def __enter__(self) -> Self:
        self.lock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unlock()

    def lock(self) -> None:
        """Take the project for this run, then read (or migrate) the manifest."""
        try:
            _not_a_link(self.home)
            (self.home / MANIFESTS).mkdir(parents=True, exist_ok=True)
            _not_a_link(self.home / MANIFESTS)
            fd = os.open(self.home / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OutputError(f"{self.home / LOCK}: is a symbolic link; remove it and "
                                  "run again") from None
            raise cannot_write(self.home, error) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputError(
                f"{shown_path(self.home)}: another briefkit run (process {holder}) is working in "
                "this project; run again when it has finished") from None
        self._lock = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as error:
            self.unlock()
            raise cannot_write(self.home / LOCK, error) from None
        self._read()

    def unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock
            self._lock = None

    # --- the manifest --------------------------------------------------------------

    def _load(self, path: Path) -> dict[str, Any] | None:
        try:
            _not_a_link(path)
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self.changed = True  # a damaged manifest is rebuilt from this run
            return {}
        return data if isinstance(data, dict) else {}

    def _read(self) -> None:
        data = self._load(self.manifest)
        if data is None:
            data = self._migrate()
        outputs = data.get("outputs", [])
        for entry in outputs if isinstance(outputs, list) else []:
            record = _record(entry)
            if record is None:
                shown = entry.get("path") if isinstance(entry, dict) else entry
                self.warnings.append(f"{self.manifest}: ignored the record of {shown!r}: "
                                     "not a file inside the output folder")
                self.changed = True
                continue
            self.records[record.path] = record
        sources = data.get("sources", {})
        self.sources = sources if isinstance(sources, dict) else {}

    def _migrate(self) -> dict[str, Any]:
        """Take over the manifest an earlier version kept in the output folder, once."""
        old = self.folder / OLD_MANIFEST
        data = self._load(old) or {}
        if data:
            self.changed = True
        for name in (OLD_MANIFEST, OLD_LOCK):
            path = self.folder / name
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    path.unlink()
            except OSError:
                pass
        return data

    def add(self, record: Record) -> None:
        self.records[record.path] = record
        self.changed = True

    def drop(self, paths: list[str]) -> None:
        for path in paths:
            if self.records.pop(path, None) is not None:
                self.changed = True

    def save(self) -> None:
        """Write the manifest, atomically, listing every output in a stable order."""
        if not self.changed and self.manifest.exists():
            return
        # One output or source per line: readable, diffable, and fast to write (the C
        # encoder; json's indent= falls back to the slow one).
        outputs = ",\n  ".join(
            json.dumps({f: getattr(r, f) for f in _FIELDS}, ensure_ascii=False)
            for _, r in sorted(self.records.items()))
        sources = ",\n  ".join(f"{json.dumps(name, ensure_ascii=False)}: "
                               f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
                               for name, entry in sorted(self.sources.items()))
        text = f'{{\n "outputs": [\n  {outputs}\n ],\n "sources": {{\n  {sources}\n }}\n}}\n'
        try:
            atomic_write(self.manifest, text.encode("utf-8"))
        except OSError as error:
            raise cannot_write(self.manifest, error) from None
        self.changed = False
