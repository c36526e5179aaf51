"""The export run: which briefings, which formats, and what came of each.

Exporters stay pure; this module decides what runs, hands the bytes to
:mod:`briefkit.output`, and keeps going when one briefing or one format fails.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefkit import registry
from briefkit.config import Settings
from briefkit.errors import BriefingError, BriefkitError
from briefkit.exporters.base import CollectionContext, CollectionExporter, Context, Exporter, OutputInfo
from briefkit.load import BriefingFile, discover, display_path, load_all
from briefkit.output import Output, Record
from briefkit.themes import Theme


@dataclass
class Failure:
    """One thing that did not export: which file, which format, why."""

    file: str
    format: str | None
    reason: str
    bug: str | None = None  # a traceback when the cause is a bug, not the input

    def __str__(self) -> str:
        return f"{self.file}: {self.format}: {self.reason}" if self.format else self.reason


@dataclass
class Report:
    written: list[Record] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


Listener = Callable[[str], None]


def _run_one(exporter: Exporter, item: BriefingFile, context: Context, output: Output) -> Record:
    data = exporter.export(item, context)
    return output.write(exporter.filename(item.id), data, format=exporter.name,
                        media_type=exporter.media_type, briefing=item.id,
                        modified=item.briefing.modified)


def export(settings: Settings, theme: Theme, *, formats: Sequence[str] | None = None,
           paths: Sequence[Path] | None = None, out: Path | None = None,
           listener: Listener | None = None) -> Report:
    """Export ``paths`` (default: every briefing in source/) to ``formats`` (default: all).

    Collection formats (feeds, front page) always cover every valid briefing of
    source/; they run when named, or when every format is asked for.
    """
    started = time.perf_counter()
    tell = listener or (lambda line: None)
    names = list(formats) if formats else registry.names()
    exporters = [registry.get(n) for n in names]  # unknown names fail before any work
    report = Report()
    output = Output(out or settings.output_dir)
    context = Context(settings, theme)

    every = discover(settings.source_dir)
    chosen = [Path(os.path.abspath(p)) for p in (paths if paths else every)]
    wanted = set(chosen)
    items: list[BriefingFile] = []
    everything = chosen + [p for p in (Path(os.path.abspath(e)) for e in every) if p not in wanted]
    for path, result in zip(everything, load_all(everything, settings.source_dir)):
        if isinstance(result, BriefingError):
            if path in wanted:  # problems elsewhere in source/ are for `validate` to tell
                for line in result.lines():
                    report.failed.append(Failure(display_path(path), None, line))
            continue
        items.append(result)

    for item in items:
        if Path(os.path.abspath(item.path)) not in wanted:
            continue
        for exporter in exporters:
            if exporter.collection:
                continue
            shown = display_path(item.path)
            try:
                record = _run_one(exporter, item, context, output)
            except BriefkitError as error:
                report.failed.append(Failure(shown, exporter.name, error.message))
                continue
            except Exception as error:  # a bug in an exporter: report it, keep the others going
                report.failed.append(Failure(shown, exporter.name,
                                             f"internal error: {type(error).__name__}: {error}",
                                             traceback.format_exc()))
                continue
            report.written.append(record)
            tell(f"wrote {output.folder.name}/{record.path} ({record.bytes:,} bytes)")

    collections = [e for e in exporters if isinstance(e, CollectionExporter)]
    if collections:
        by_id: dict[str, dict[str, OutputInfo]] = {}
        for record in output.records.values():
            if record.briefing is not None:
                by_id.setdefault(record.briefing, {})[record.format] = OutputInfo(
                    record.path, record.format, record.media_type, record.bytes)
        cctx = CollectionContext(settings, theme, by_id)
        for exporter in collections:
            try:
                data = exporter.export_collection(items, cctx)
                newest = max((i.briefing.modified for i in items), default=None)
                record = output.write(exporter.filename(), data, format=exporter.name,
                                      media_type=exporter.media_type, modified=newest)
            except BriefkitError as error:
                report.failed.append(Failure(exporter.filename(), exporter.name, error.message))
                continue
            report.written.append(record)
            tell(f"wrote {output.folder.name}/{record.path} ({record.bytes:,} bytes)")

    output.save()
    report.seconds = time.perf_counter() - started
    return report
