"""The only code that writes under the output folder (dist/).

Every file is written to a temporary name beside its target (``.<name>.*.part``)
and renamed into place, so dist/ never holds a half-written file; temporary
files left by a killed run are removed when the next run starts.  ZIP-based
outputs (DOCX, EPUB) are normalised, fixed entry times and attributes, so the
same briefing gives the same bytes on any machine.

``manifest.json`` lists every output with its checksum and the key of what it
was made from (so an unchanged output is not made again), and remembers the
checksums of the source files (so an unchanged source is not read again).  One
run at a time holds ``.briefkit.lock`` in the folder; a second run is refused.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from briefkit.errors import OutputError

MANIFEST = "manifest.json"
LOCK = ".briefkit.lock"
PART = ".part"  # temporary files are ".<name>.<random>.part"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Record:
    """One output, as listed in the manifest."""

    path: str  # relative to the output folder
    format: str
    briefing: str | None  # None for collection outputs (feeds, front page)
    bytes: int
    sha256: str
    media_type: str
    key: str = ""  # digest of everything the output was made from
    mtime_ns: int = 0  # of the file as written: a file changed behind our back is made again
    seconds: float = 0.0  # how long it took, to start the longest work first next time


_FIELDS = [f.name for f in fields(Record)]


def reproducible_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    """The time stamped inside archives: SOURCE_DATE_EPOCH, else ``moment`` in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.fromtimestamp(int(epoch), UTC)
    if moment is None:
        return ZIP_EPOCH
    moment = moment.astimezone(UTC)
    if moment.year < 1980:
        return ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def normalise_zip(data: bytes, moment: datetime | None = None) -> bytes:
    """Rewrite a ZIP with fixed entry times and attributes, keeping entry order.

    Entry order is kept because EPUB requires ``mimetype`` first (and stored).
    """
    stamp = reproducible_time(moment)
    source = zipfile.ZipFile(io.BytesIO(data))
    # ZIP keeps seconds to the even one: that is how a normalised entry reads back
    stored = (*stamp[:5], stamp[5] // 2 * 2)
    if all(info.date_time == stored and info.external_attr == 0o644 << 16
           and info.create_system == 3 for info in source.infolist()):
        return data  # already normalised (an exporter may do it to keep its own bytes stable)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            out.writestr(fixed, source.read(info.filename), compresslevel=9
                         if info.compress_type == zipfile.ZIP_DEFLATED else None)
    return target.getvalue()


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _cannot_write(path: Path, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += ": free some space and run again"
    return OutputError(f"{_shown(path)}: cannot write ({reason}); earlier outputs are unchanged")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # No fsync: the rename already guarantees whole files to every reader, and
            # thousands of fsyncs would cost more than the export itself.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def publish(folder: Path, name: str, data: bytes, *, format: str, media_type: str,
            briefing: str | None = None, modified: datetime | None = None, key: str = "",
            seconds: float = 0.0) -> Record:
    """Write one output atomically into ``folder`` and return its manifest record.

    Safe to call from worker processes: it touches only the file ``name``; the
    run's :class:`Output` adds the record to the manifest.
    """
    if data[:4] == b"PK\x03\x04":
        data = normalise_zip(data, modified)
    target = folder / name
    try:
        _atomic_write(target, data)
        mtime_ns = target.stat().st_mtime_ns
    except OSError as error:
        raise _cannot_write(target, error) from None
    return Record(name, format, briefing, len(data), hashlib.sha256(data).hexdigest(),
                  media_type, key, mtime_ns, round(seconds, 4))


class Output:
    """The output folder: the lock, atomic writes and the manifest.

    Use it as a context manager: entering takes the lock (or raises
    :class:`OutputError` naming the run that holds it), checks the folder can be
    written, removes temporary files a killed run left, and reads the manifest.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.records: dict[str, Record] = {}
        self.sources: dict[str, Any] = {}  # what build.py remembers about source files
        self.changed = False  # whether the manifest needs writing
        self._lock: int | None = None

    # --- the run's lifetime --------------------------------------------------------

    def __enter__(self) -> Self:
        self.lock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unlock()

    def lock(self) -> None:
        """Take the folder for this run, clean up after a killed one, re-read the manifest."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise _cannot_write(self.folder, error) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputError(
                f"{_shown(self.folder)}: another 'briefkit export' (process {holder}) is "
                "writing here; run again when it has finished") from None
        self._lock = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._check_writable()
        except OSError as error:
            self.unlock()
            raise _cannot_write(self.folder, error) from None
        except OutputError:
            self.unlock()
            raise
        self.clean_stale()
        self._read_manifest()

    def unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock
            self._lock = None

    def _check_writable(self) -> None:
        """Fail once, clearly, before any work when nothing can be written here."""
        try:
            fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=PART, dir=self.folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise _cannot_write(self.folder, error) from None

    def clean_stale(self) -> list[Path]:
        """Remove the temporary files of an interrupted run; returns what was removed."""
        removed = []
        for folder, _, files in os.walk(self.folder):
            for name in files:
                if name.startswith(".") and name.endswith(PART):
                    path = Path(folder) / name
                    try:
                        path.unlink()
                        removed.append(path)
                    except OSError:
                        pass
        return removed

    # --- the manifest --------------------------------------------------------------

    def _read_manifest(self) -> None:
        manifest = self.folder / MANIFEST
        try:
            data = json.loads(manifest.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            data = {}  # a damaged manifest is rebuilt from this run
            self.changed = True
        known = {f.name for f in fields(Record)}
        records: dict[str, Record] = {}
        try:
            for entry in data.get("outputs", []):
                record = Record(**{k: v for k, v in entry.items() if k in known})
                records[record.path] = record
            sources = data.get("sources", {})
        except (TypeError, AttributeError):
            records, sources = {}, {}
        self.records = records
        self.sources = sources if isinstance(sources, dict) else {}

    def is_current(self, record: Record) -> bool:
        """Whether the file of ``record`` is still the one that was written."""
        try:
            found = os.stat(os.path.join(self.folder, record.path))
        except OSError:
            return False
        return found.st_size == record.bytes and found.st_mtime_ns == record.mtime_ns

    def write(self, name: str, data: bytes, *, format: str, media_type: str,
              briefing: str | None = None, modified: datetime | None = None,
              key: str = "") -> Record:
        """Write one output atomically and record it in the manifest (saved by :meth:`save`)."""
        record = publish(self.folder, name, data, format=format, media_type=media_type,
                         briefing=briefing, modified=modified, key=key)
        self.add(record)
        return record

    def add(self, record: Record) -> None:
        """Record an output written by :func:`publish` (saved by :meth:`save`)."""
        self.records[record.path] = record
        self.changed = True

    def remove(self, paths: Iterable[str]) -> list[str]:
        """Drop outputs from the manifest, save it, then delete their files.

        In that order, so a run killed in between never leaves the manifest
        listing a file that is gone.
        """
        gone = [p for p in paths if self.records.pop(p, None) is not None]
        if not gone:
            return []
        self.changed = True
        self.save()
        for path in gone:
            target = self.folder / path
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            except OSError as error:
                raise _cannot_write(target, error) from None
            parent = target.parent
            while parent != self.folder and parent.is_relative_to(self.folder):
                try:
                    parent.rmdir()  # only when empty: images/<id>/ of a removed briefing
                except OSError:
                    break
                parent = parent.parent
        return gone

    def save(self) -> None:
        """Write the manifest, atomically, listing every output in a stable order."""
        if not self.changed and (self.folder / MANIFEST).exists():
            return
        # One output or source per line: readable, diffable, and fast to write (the C
        # encoder; json's indent= falls back to the slow one).
        outputs = ",\n  ".join(json.dumps({f: getattr(r, f) for f in _FIELDS}, ensure_ascii=False)
                               for _, r in sorted(self.records.items()))
        sources = ",\n  ".join(f"{json.dumps(name, ensure_ascii=False)}: "
                               f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
                               for name, entry in sorted(self.sources.items()))
        text = f'{{\n "outputs": [\n  {outputs}\n ],\n "sources": {{\n  {sources}\n }}\n}}\n'
        try:
            _atomic_write(self.folder / MANIFEST, text.encode("utf-8"))
        except OSError as error:
            raise _cannot_write(self.folder / MANIFEST, error) from None
        self.changed = False
