"""Re-exporting while briefings are edited: one worker thread, one change at a time.

The thread decides what to ask of the engine and what to tell the open pages;
the engine (:class:`~briefkit.engine.warm.WarmProject`, or anything with the
methods of :class:`Engine`) does the reading, the exporting and the writing.
The engine takes a lock on the project for each export, so exports never
overlap: changes wait in a queue, and those that arrive during an export are
handled together by the next.

A change to briefing files takes two exports: their web pages alone first (the
page a writer looks at reloads at once), then every other format and the
collections, the PDFs first, each announced as soon as it is written.  A
briefing that does not load is left out of the second, so its last good
outputs, and the feeds and front page that list it, stay as they were until it
is fixed.  A change to the settings, the theme or an image reads the settings
and the theme again and exports everything that depends on them.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from briefkit.engine.project import Project, display_path
from briefkit.engine.report import Progress, Report
from briefkit.engine.state import Record
from briefkit.engine.warm import SourceFile
from briefkit.errors import BriefkitError

#: What a page listens for: ``reload`` once per change, when its web pages are made;
#: ``outputs`` as more of its outputs are made, the last one (``busy`` false) when all are.
RELOAD, OUTPUTS = "reload", "outputs"
#: What a writer looks at after an edit: the web page, made alone first, then the PDF.
WEB_PAGE, PRINT = "html", "pdf"

Announce = Callable[[str, dict[str, Any]], None]


class Engine(Protocol):
    """What the preview asks of the export engine."""

    project: Project

    def reopen(self) -> None:
        """Read the settings and the theme again; a BriefkitError keeps the last good."""

    def formats(self) -> list[str]:
        """The installed formats."""
        ...

    def outputs_of(self, briefing_id: str, formats: Iterable[str]) -> dict[str, str]:
        """The file each of ``formats`` makes for a briefing, by format."""
        ...

    def files(self) -> Mapping[Path, SourceFile]:
        """The briefing files of source/, with the id and title the last export knew."""
        ...

    def export(self, formats: Sequence[str] | None = None, paths: Sequence[Path] | None = None,
               first: Sequence[str] = (), progress: Progress | None = None) -> Report:
        """Export what is out of date, as ``briefkit export`` does."""
        ...

    def warm_up(self, made: Collection[str], first: Sequence[str],
                waiting: Callable[[], bool]) -> None:
        """Load the exporters the last export did not use."""


@dataclass(frozen=True)
class Change:
    """What changed since the last export."""

    paths: frozenset[Path] = frozenset()  # briefing files written or added
    everything: bool = False  # settings, theme, an image, a removed file

    def __or__(self, other: Change) -> Change:
        return Change(self.paths | other.paths, self.everything or other.everything)


@dataclass(frozen=True)
class Problems:
    """What went wrong with one file the last time an export covered it."""

    source: Path | None  # the briefing file; None for a collection's output
    collection: bool  # the output of every briefing (a feed, the front page)
    lines: tuple[str, ...]


@dataclass
class Status:
    """What the preview pages show: the last change handled and what went wrong."""

    edit: int = 0  # number of changes handled so far (the first export is 1)
    busy: bool = True
    failures: dict[str, Problems] = field(default_factory=dict)  # by file, as shown
    project: list[str] = field(default_factory=list)  # settings, theme, output folder
    seconds: float = 0.0  # of the last change, every export it took

    def as_json(self) -> dict[str, Any]:
        """The state as ``/_preview/_status`` gives it."""
        return {"edit": self.edit, "busy": self.busy, "seconds": self.seconds,
                "project": self.project,
                "failures": {file: list(p.lines) for file, p in self.failures.items()}}


class _Hooks(Progress):
    """The engine's progress hooks: a stop asked raises KeyboardInterrupt from one, which
    makes the engine finish the output being written and record it; ``written`` hears
    of each output as it is written."""

    def __init__(self, stopping: threading.Event,
                 written: Callable[[Record], None] | None = None) -> None:
        self.stopping, self._written = stopping, written

    def _check(self) -> None:
        if self.stopping.is_set():
            raise KeyboardInterrupt

    def planned(self, work: object, up_to_date: object) -> None:
        self._check()

    def written(self, record: Record) -> None:
        self._check()
        if self._written is not None:
            self._written(record)

    def skipped(self, record: object) -> None:
        self._check()

    def failed(self, failure: object) -> None:
        self._check()

    def removed(self, path: str) -> None:
        self._check()


def _interrupt(thread: int) -> None:
    """Raise KeyboardInterrupt in thread ``thread`` at its next Python instruction: the
    engine stops the run there as it does on Ctrl-C, removing its temporary files."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                               ctypes.py_object(KeyboardInterrupt))


@dataclass
class _Ran:
    """What one export wrote and removed, and the files it could not read."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: set[Path] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)  # of the outputs written
    told: list[str] = field(default_factory=list)  # announced while the export ran


class Rebuilder:
    """The worker thread that exports, one change at a time, and says what came of it."""

    def __init__(self, engine: Engine, announce: Announce, say: Callable[[str], None]) -> None:
        self.engine, self.announce, self.say = engine, announce, say
        self.status = Status()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._queue: queue.Queue[Change | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="briefkit-export", daemon=True)
        self._warm = False  # whether every exporter has run in this process
        # what is wrong with the settings or theme on disk: shown until they are fixed,
        # while edits go on being exported with the last good ones
        self._unusable: list[str] = []

    # --- the thread -------------------------------------------------------------------

    def start(self) -> None:
        """Start with an export of everything that is out of date."""
        self._queue.put(Change(everything=True))
        self._thread.start()

    def submit(self, change: Change) -> None:
        self._queue.put(change)

    def ask_to_stop(self) -> None:
        """Stop after the output being written; returns at once (a signal handler asks)."""
        self.stopping.set()
        self._queue.put(None)

    def stop(self, seconds: float) -> None:
        """Stop, waiting for the thread at most ``seconds``."""
        self.ask_to_stop()
        if self._thread.is_alive():
            self._thread.join(seconds)

    def abandon(self) -> None:
        """Abandon the output being made, where it is, as Ctrl-C does in a command: the
        run stops there and removes its temporary files; an output is written whole or
        not at all, so dist/ keeps its last version, which the next run makes again."""
        self.ask_to_stop()
        if self._thread.is_alive() and self._thread.ident is not None:
            _interrupt(self._thread.ident)

    def snapshot(self) -> Status:
        with self.lock:
            return Status(self.status.edit, self.status.busy, dict(self.status.failures),
                          list(self.status.project), self.status.seconds)

    def _next(self) -> Change | None:
        """The next change, merged with every change queued behind it."""
        change = self._queue.get()
        while change is not None:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return change
            if more is None:
                return None
            change |= more
        return None

    def _loop(self) -> None:
        with contextlib.suppress(KeyboardInterrupt):  # a stop that did not wait: see stop()
            self.handle_changes()

    def handle_changes(self) -> None:
        """Handle each change queued, until asked to stop."""
        while (change := self._next()) is not None:
            with self.lock:
                self.status.busy = True
                self.status.edit += 1
            try:
                self.handle(change)
            except KeyboardInterrupt:
                return
            except Exception as error:  # noqa: BLE001 (a bug must not stop the preview)
                if self.stopping.is_set():
                    return  # abandoned where it was, while the process ends
                self.say(traceback.format_exc().rstrip())
                with self.lock:
                    self.status.project = [f"internal error: {type(error).__name__}: {error}"]
                self._tell(RELOAD, [], [])
                self._tell(OUTPUTS, [], [])
            finally:
                with self.lock:
                    self.status.busy = False

    # --- one change -------------------------------------------------------------------

    def handle(self, change: Change) -> None:
        """Export what ``change`` made out of date, and tell the pages as it goes."""
        started = time.perf_counter()
        if change.everything:
            shown = "everything"
            runs = [self._everything()]
            self._tell(RELOAD, runs[0].written, runs[0].removed)
            last = _Ran()  # told at once
        else:
            paths = sorted(p for p in change.paths if p.is_file())
            shown = ", ".join(display_path(p) for p in paths) or "nothing"
            runs = self._edit(paths)
            last = runs[-1] if len(runs) > 1 else _Ran()
        written = [name for ran in runs for name in ran.written]
        removed = [name for ran in runs for name in ran.removed]
        seconds = time.perf_counter() - started
        with self.lock:
            self.status.seconds = seconds
            problems = sum(len(p.lines) for p in self.status.failures.values())
            problems += len(self.status.project)
        self._tell(OUTPUTS, [name for name in last.written if name not in last.told],
                   last.removed, final=True)
        self.say(f"{time.strftime('%H:%M:%S')} {shown}: {len(written)} written, "
                 f"{len(removed)} removed, {problems} problems, {seconds:.2f} s")
        if change.everything and not self._warm:
            self._warm = True
            self.engine.warm_up(runs[0].formats, (WEB_PAGE, PRINT), self._waiting)

    def _waiting(self) -> bool:
        """Whether the preview should stop what it does: it stops, or an edit waits."""
        return self.stopping.is_set() or not self._queue.empty()

    def _edit(self, paths: list[Path]) -> list[_Ran]:
        """Briefing files saved: their web pages alone, then every other output, the PDF
        first; the files that do not load are left out of the second export."""
        if WEB_PAGE not in self.engine.formats():
            ran = self._run(None, paths, early=True)
            self._tell(RELOAD, ran.written, [])
            return [ran]
        page = self._run([WEB_PAGE], paths)
        self._tell(RELOAD, page.written, [])
        rest = self._run(None, [p for p in paths if p not in page.unreadable], early=True)
        return [page, rest]

    def _everything(self) -> _Ran:
        """Settings and theme read again, then every briefing (what is up to date is kept).

        Settings or a theme that export refuses (an output folder that could touch the
        project's own files too) leave the last good ones, and the folder being served."""
        try:
            self.engine.reopen()
        except BriefkitError as error:
            self._unusable = error.lines()
            self._problem(error)
            return _Ran()
        self._unusable = []
        return self._run(None, None)

    def _run(self, formats: list[str] | None, paths: list[Path] | None,
             early: bool = False) -> _Ran:
        """One export; its failures replace what was known of the files it covered.  With
        ``early``, the PDFs come first and each is announced as soon as it is written."""
        if paths is not None and not paths:
            return _Ran()
        told: list[str] = []

        def written(record: Record) -> None:
            if record.format == PRINT:
                told.append(record.path)
                self._tell(OUTPUTS, [record.path], [])

        try:
            report = self.engine.export(formats, paths, (PRINT,) if early else (),
                                        _Hooks(self.stopping, written if early else None))
        except BriefkitError as error:  # the output folder: locked, read-only, full
            self._problem(error)
            return _Ran()
        failures: dict[str, Problems] = {}
        for failure in report.failed:
            # one line that starts where it is: file:line:col, or the file and format
            known = failures.get(failure.file)
            lines = (*known.lines, str(failure)) if known else (str(failure),)
            failures[failure.file] = Problems(failure.source, failure.collection, lines)
            if failure.bug:
                self.say(failure.bug.rstrip())
        with self.lock:
            status = self.status
            if paths is None:
                status.failures = failures
            else:
                covered = set(paths)
                # the collections ran again (every format was asked): their old failures go
                status.failures = {
                    file: known for file, known in status.failures.items()
                    if known.source not in covered and not (formats is None and known.collection)}
                status.failures.update(failures)
            status.project = list(self._unusable)
        for problems in failures.values():
            for line in problems.lines:
                self.say(line)
        return _Ran([r.path for r in report.written], list(report.removed),
                    {f.source for f in report.failed if f.format is None and f.source},
                    {r.format for r in report.written}, told)

    def _problem(self, error: BriefkitError) -> None:
        with self.lock:
            self.status.project = error.lines()
        for line in error.lines():
            self.say(line)

    def _tell(self, event: str, written: list[str], removed: list[str],
              final: bool = False) -> None:
        """Announce one event; its problems are named by briefing, for pages to show."""
        status = self.snapshot()
        files = self.engine.files()
        problems = []
        for file, known in sorted(status.failures.items()):
            briefing = None
            if known.source is not None and not known.collection:
                listed = files.get(known.source)
                briefing = listed.id if listed is not None else known.source.stem
            problems.append({"file": file, "id": briefing, "lines": list(known.lines)})
        self.announce(event, {"edit": status.edit, "written": written, "removed": removed,
                              "problems": problems, "project": status.project,
                              "busy": not final})
