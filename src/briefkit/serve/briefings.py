"""Which briefing file holds which briefing, for the preview pages.

The id and title are read from the JSON alone (no image is decoded), and kept
while the file's size and time stay the same; a file that no longer parses
keeps the id it had, so its problems are still shown on its preview page.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from briefkit.errors import BriefkitError
from briefkit.files import confinement
from briefkit.load import discover, read_briefing


@dataclass(frozen=True)
class Known:
    """What a briefing file said the last time it could be read."""

    id: str | None
    title: str | None
    stamp: tuple[int, int]  # size, modification time (ns)


def _read(path: Path, source: Path) -> tuple[str | None, str | None]:
    # read as the loader reads: confined, bounded, and a FIFO in source/ never blocks
    try:
        data = json.loads(read_briefing(path, confinement(path, source)))
    except (BriefkitError, ValueError, RecursionError):  # the export run says what is wrong
        return None, None
    if not isinstance(data, dict):
        return None, None
    found, title = data.get("id"), data.get("title")
    return (found if isinstance(found, str) else None,
            title if isinstance(title, str) else None)


class Briefings:
    """The briefing files of a source folder by id, read lazily and cheaply."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._known: dict[Path, Known] = {}
        self._lock = threading.Lock()

    def about(self, path: Path) -> Known:
        """The id and title of ``path``, as it is now or as it last parsed."""
        try:
            found = os.stat(path)
            stamp = (found.st_size, found.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)
        with self._lock:
            known = self._known.get(path)
        if known is not None and known.stamp == stamp:
            return known
        id_, title = _read(path, self.source)
        if id_ is None and known is not None:  # broken now: it keeps the id it had
            id_, title = known.id, known.title
        known = Known(id_, title, stamp)
        with self._lock:
            self._known[path] = known
        return known

    def id_of(self, path: Path) -> str:
        """The briefing id of ``path`` (its file name when it never parsed)."""
        return self.about(path).id or path.stem

    def files_of(self, briefing_id: str) -> list[Path]:
        """The source files that hold (or last held) briefing ``briefing_id``."""
        named = self.source / f"{briefing_id}.json"
        if named.is_file() and self.id_of(named) == briefing_id:
            return [named]  # the usual case: no need to read every other file
        return [p for p in discover(self.source) if self.id_of(p) == briefing_id]
