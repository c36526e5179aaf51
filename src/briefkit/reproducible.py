"""Archives that come out the same on every machine and every run.

DOCX and EPUB are ZIP files, and a ZIP records when and by whom each entry was
written.  The engine rewrites every archive an exporter returns with fixed
entry times and attributes (dated ``SOURCE_DATE_EPOCH`` when it is set, else
the briefing's own date), so the same briefing gives the same bytes anywhere.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    """The time stamped inside archives: SOURCE_DATE_EPOCH, else ``moment`` in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.fromtimestamp(int(epoch), UTC)
    if moment is None:
        return ZIP_EPOCH
    moment = moment.astimezone(UTC)
    if not 1980 <= moment.year <= 2107:  # what a ZIP entry can carry
        return ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


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
        return data  # already normalised
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
