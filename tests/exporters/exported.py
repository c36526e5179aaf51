"""What an export run tells collection exporters about a briefing's files, for tests."""

from __future__ import annotations

from briefkit.exporters.base import OutputInfo

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip", "docx": DOCX,
               "html": "text/html"}


def made(briefing_id: str, **sizes: int) -> dict[str, OutputInfo]:
    """The files exported for a briefing, format -> OutputInfo, e.g. ``made(id, pdf=61_282)``."""
    return {f: OutputInfo(f"{briefing_id}.{f}", f, MEDIA_TYPES[f], size)
            for f, size in sizes.items()}
