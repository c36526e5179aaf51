"""The only code that writes under the output folder (dist/).

Every file is written to a temporary name beside its target and renamed into
place, so dist/ never holds a half-written file.  ZIP-based outputs (DOCX,
EPUB) are normalised, fixed entry times and attributes, so the same briefing
gives the same bytes on any machine.  ``manifest.json`` lists every output.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from briefkit.errors import OutputError

MANIFEST = "manifest.json"
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


def reproducible_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    """The time stamped inside archives: SOURCE_DATE_EPOCH, else ``moment`` in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.fromtimestamp(int(epoch), timezone.utc)
    if moment is None:
        return ZIP_EPOCH
    moment = moment.astimezone(timezone.utc)
    if moment.year < 1980:
        return ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def normalise_zip(data: bytes, moment: datetime | None = None) -> bytes:
    """Rewrite a ZIP with fixed entry times and attributes, keeping entry order.

    Entry order is kept because EPUB requires ``mimetype`` first (and stored).
    """
    stamp = reproducible_time(moment)
    source = zipfile.ZipFile(io.BytesIO(data))
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


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class Output:
    """The output folder: atomic writes and the manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.records: dict[str, Record] = {}
        manifest = folder / MANIFEST
        if manifest.is_file():
            try:
                listed = json.loads(manifest.read_text("utf-8")).get("outputs", [])
                self.records = {r["path"]: Record(**r) for r in listed}
            except (ValueError, TypeError, KeyError, AttributeError):
                self.records = {}  # a damaged manifest is rebuilt from this run

    def write(self, name: str, data: bytes, *, format: str, media_type: str,
              briefing: str | None = None, modified: datetime | None = None) -> Record:
        """Write one output atomically and record it in the manifest (saved by :meth:`save`)."""
        if data[:4] == b"PK\x03\x04":
            data = normalise_zip(data, modified)
        target = self.folder / name
        try:
            _atomic_write(target, data)
        except OSError as error:
            raise OutputError(f"{target}: cannot write ({error.strerror or error})") from None
        record = Record(name, format, briefing, len(data), hashlib.sha256(data).hexdigest(),
                        media_type)
        self.records[name] = record
        return record

    def save(self) -> None:
        """Write the manifest, atomically, listing every output in a stable order."""
        listed: list[dict[str, Any]] = [asdict(r) for _, r in sorted(self.records.items())]
        text = json.dumps({"outputs": listed}, indent=2, ensure_ascii=False) + "\n"
        try:
            _atomic_write(self.folder / MANIFEST, text.encode("utf-8"))
        except OSError as error:
            raise OutputError(f"{self.folder / MANIFEST}: cannot write ({error.strerror})") from None
