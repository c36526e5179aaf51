"""Exports made inside the test process: one exporter, or the engine, without the command
line; and what an export run tells collection exporters about a briefing's files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit import registry
from briefkit.exporters.base import CollectionExporter, Context, Exported, Exporter, OutputInfo

if TYPE_CHECKING:
    from briefkit import engine
    from briefkit.briefing_file import BriefingFile
    from briefkit.config import Settings
    from briefkit.theme import Theme

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip", "docx": DOCX,
               "html": "text/html"}

#: What an export run says it made: by briefing id, then format.
Outputs = dict[str, dict[str, OutputInfo]]


def made(briefing_id: str, **sizes: int) -> dict[str, OutputInfo]:
    """The files exported for a briefing, format -> OutputInfo, e.g. ``made(id, pdf=61_282)``."""
    return {f: OutputInfo(f"{briefing_id}.{f}", f, MEDIA_TYPES[f], size,
                          registry.get(f).shown_as())
            for f, size in sizes.items()}


def export_with(exporter: Exporter, items: BriefingFile | Sequence[BriefingFile],
                settings: Settings, theme: Theme, outputs: Outputs | None = None) -> Exported:
    """What ``exporter`` makes of one briefing, or of ``items`` for a collection exporter,
    given the files already exported (``outputs``); bytes alone come back as
    :class:`Exported` too."""
    context = Context(settings, theme, outputs or {})
    if isinstance(exporter, CollectionExporter):
        collection = list(items) if isinstance(items, Sequence) else [items]
        made_ = exporter.export_collection(collection, context)
    else:
        item = items[0] if isinstance(items, Sequence) else items
        made_ = exporter.export(item, context)
    return made_ if isinstance(made_, Exported) else Exported(made_)


def export_folder(folder: Path, formats: Sequence[str] | None = None,
                  **options: object) -> engine.Report:
    """The engine's export of the newsroom ``folder`` in ``formats`` (default: all), in this
    process, as the command line runs it (its settings and theme)."""
    from briefkit import engine
    from briefkit.config import load_settings
    from briefkit.theme import load_theme

    settings = load_settings(folder)
    theme = load_theme(settings.theme, folder)
    return engine.export(settings, theme, formats=formats, **options)  # type: ignore[arg-type]
