"""How an export run shows itself: a progress bar on a terminal, one line per output in logs.

On a terminal, a bar per format (outputs done out of outputs to make) and one
for the whole run, with the time left.  Anywhere else (CI, cron, a pipe), one
plain line per output written, so logs can be searched.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from briefkit.engine.report import Failure, Progress
from briefkit.engine.state import Record

if TYPE_CHECKING:
    from rich.progress import TaskID


class Log(Progress):
    """One line per output written: ``wrote dist/x.pdf (123,456 bytes, 0.84 s)``."""

    def __init__(self, folder: str, stream: TextIO | None = None) -> None:
        self.folder = folder
        self.stream = stream or sys.stdout

    def planned(self, work: Mapping[str, int], up_to_date: Mapping[str, int]) -> None:
        total, fresh = sum(work.values()), sum(up_to_date.values())
        if total or fresh:
            print(f"{total} outputs to make, {fresh} up to date", file=self.stream, flush=True)

    def written(self, record: Record) -> None:
        print(f"wrote {self.folder}/{record.path} ({record.bytes:,} bytes, "
              f"{record.seconds:.2f} s)", file=self.stream, flush=True)

    def removed(self, path: str) -> None:
        print(f"removed {self.folder}/{path} (its briefing is no longer in source/)",
              file=self.stream, flush=True)


class Bars(Progress):
    """Rich progress bars on a terminal: one per format, one for the run, time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self.console = Console(stderr=True)
        self.bars = RichProgress(
            TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=self.console, transient=False)
        self.tasks: dict[str, TaskID] = {}
        self.total: TaskID | None = None
        self.failures = 0

    def planned(self, work: Mapping[str, int], up_to_date: Mapping[str, int]) -> None:
        for name in sorted(set(work) | set(up_to_date)):
            fresh = up_to_date.get(name, 0)
            note = f"{fresh} up to date" if fresh else ""
            self.tasks[name] = self.bars.add_task(name, total=work.get(name, 0) or None,
                                                  note=note, start=bool(work.get(name)))
        self.total = self.bars.add_task("all", total=sum(work.values()), note="")
        self.bars.start()

    def _advance(self, name: str) -> None:
        if name not in self.tasks:  # a collection found out of date at the end
            self.tasks[name] = self.bars.add_task(name, total=1, note="")
        self.bars.advance(self.tasks[name])
        if self.total is not None:
            self.bars.advance(self.total)

    def written(self, record: Record) -> None:
        self._advance(record.format)

    def skipped(self, record: Record) -> None:
        self._advance(record.format)

    def failed(self, failure: Failure) -> None:
        self.failures += 1
        if failure.format:
            self._advance(failure.format)
        if self.total is not None:
            self.bars.update(self.total, note=f"[red]{self.failures} failed")

    def close(self) -> None:
        self.bars.stop()
