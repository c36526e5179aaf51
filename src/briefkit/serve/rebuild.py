"""Re-exporting while briefings are edited: one worker thread, one export at a time.

Every export goes through :func:`_export`, the one call into the engine.  With
one job the engine runs in this process, so WeasyPrint stays imported and the
theme's fonts and stylesheets stay loaded from one export to the next: an edit
costs the render, not the start-up.  The engine takes a lock on the project for
each run, so runs never overlap: changes wait in a queue, and the changes that
arrive during a run are handled together by the next one.

A change to briefing files is exported in three runs: their web pages first
(the page a writer looks at reloads at once), their PDFs, then every other
format and the collections.  A briefing that does not load is left out of the
later runs, so its last good outputs, and the feeds and front page that list
it, stay as they were until it is fixed.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit import registry
from briefkit.config import Settings, load_settings
from briefkit.errors import BriefkitError
from briefkit.files import display_path
from briefkit.load import discover
from briefkit.serve.briefings import Briefings
from briefkit.theme import Theme, load_theme

if TYPE_CHECKING:
    from briefkit.engine.report import Failure

#: What a page listens for: ``reload`` once per change, when its web pages are made;
#: ``outputs`` as more of its outputs are made, the last one (``busy`` false) when all are.
RELOAD, OUTPUTS = "reload", "outputs"
#: The formats exported first, each on its own, after an edit: what a writer looks at.
WEB_PAGE, PRINT = "html", "pdf"

Announce = Callable[[str, dict[str, Any]], None]


def _export(settings: Settings, theme: Theme, formats: Sequence[str] | None,
            paths: Sequence[Path] | None, progress: Any) -> Any:
    """The one call into the export engine: in this process (``jobs=1``), and kept warm
    (``keep_warm``: WeasyPrint, the fonts and the stylesheets stay loaded between
    runs; the exporters' caches and temporary folder are released at exit)."""
    from briefkit import engine

    return engine.export(settings, theme, formats=formats, paths=paths, out=None,
                         progress=progress, jobs=1, force=False, keep_warm=True)


def _here(settings: Settings) -> Settings:
    """The settings with no cluster named: the preview exports in this warm process
    (where exports run is not part of what an output is made from)."""
    return settings.model_copy(update={"engine": settings.engine.model_copy(
        update={"scheduler": None})})


@dataclass(frozen=True)
class Change:
    """What changed since the last export."""

    paths: frozenset[Path] = frozenset()  # briefing files written or added
    everything: bool = False  # settings, theme, an image, a removed file

    def __or__(self, other: Change) -> Change:
        return Change(self.paths | other.paths, self.everything or other.everything)


@dataclass
class Status:
    """What the preview pages show: the last change handled and what went wrong."""

    edit: int = 0  # number of changes handled so far (the first export is 1)
    busy: bool = True
    failures: dict[str, list[str]] = field(default_factory=dict)  # file shown -> lines
    project: list[str] = field(default_factory=list)  # settings, theme, output folder
    seconds: float = 0.0  # of the last change, both runs
    collections: set[str] = field(default_factory=set)  # failures of no briefing: feeds, ...


class _Stoppable:
    """The engine's progress hooks, used to stop a run early: raising KeyboardInterrupt
    from a hook makes the engine finish the output being written and record it."""

    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping

    def _check(self) -> None:
        if self.stopping.is_set():
            raise KeyboardInterrupt

    def planned(self, work: object, up_to_date: object) -> None:
        self._check()

    def written(self, record: object) -> None:
        self._check()

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


def _of_collection(failure: Failure) -> bool:
    """Whether an engine's failure is a collection's (a feed, the front page), not a
    briefing's: it names an output of no briefing file, whatever its name looks like."""
    if failure.format is None:  # a briefing file that does not load
        return False
    try:
        return registry.get(failure.format).collection
    except BriefkitError:  # a plugin that cannot be loaded is reported by the run
        return False


@dataclass
class _Ran:
    """What one export run wrote and removed, and the files it could not read."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)  # of the outputs written


class Rebuilder:
    """The worker thread that exports, one change at a time, and says what came of it."""

    def __init__(self, root: Path, settings: Settings, theme: Theme, briefings: Briefings,
                 announce: Announce, say: Callable[[str], None]) -> None:
        self.root, self.settings, self.theme = root, _here(settings), theme
        self.briefings, self.announce, self.say = briefings, announce, say
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
            return Status(self.status.edit, self.status.busy,
                          {k: list(v) for k, v in self.status.failures.items()},
                          list(self.status.project), self.status.seconds,
                          set(self.status.collections))

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
            self._changes()

    def _changes(self) -> None:
        while (change := self._next()) is not None:
            with self.lock:
                self.status.busy = True
                self.status.edit += 1
            try:
                self._handle(change)
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

    def _handle(self, change: Change) -> None:
        started = time.perf_counter()
        if change.everything:
            shown = "everything"
            run = self._everything()
            self._tell(RELOAD, run.written, run.removed)
            runs = [run]
        else:
            paths = sorted(p for p in change.paths if p.is_file())
            shown = ", ".join(display_path(p) for p in paths) or "nothing"
            installed = registry.names()
            web = self._run([WEB_PAGE] if WEB_PAGE in installed else None, paths)
            self._tell(RELOAD, web.written, [])
            readable = [p for p in paths if display_path(p) not in web.unreadable]
            runs = [web]
            if PRINT in installed and readable:
                # the PDF next, on its own: the engine orders a run by its own estimates
                runs.append(self._run([PRINT], readable))
                self._tell(OUTPUTS, runs[-1].written, [])
            runs.append(self._run(None, readable))
            run = runs[-1]
        written = [name for done in runs for name in done.written]
        removed = [name for done in runs for name in done.removed]
        seconds = time.perf_counter() - started
        with self.lock:
            self.status.seconds = seconds
            problems = sum(len(lines) for lines in self.status.failures.values())
            problems += len(self.status.project)
        last = run if len(runs) > 1 else _Ran()  # a run over everything was told at once
        self._tell(OUTPUTS, last.written, last.removed, final=True)
        self.say(f"{time.strftime('%H:%M:%S')} {shown}: {len(written)} written, "
                 f"{len(removed)} removed, {problems} problems, {seconds:.2f} s")
        if change.everything and not self._warm:
            self._warm = True
            # each file's id and title, while they parse: a file broken later keeps them
            for path in discover(self.settings.source_dir):
                self.briefings.about(path)
            self._warm_up(run.formats)

    def _warm_up(self, made: set[str]) -> None:
        """Export one briefing to every format the run over everything did not make (dist/
        was up to date), writing nothing: each exporter's libraries, fonts and stylesheets
        are then loaded before the first edit, which pays only for its own outputs."""
        from briefkit.exporters.base import Context
        from briefkit.files import confinement
        from briefkit.load import load

        installed = registry.names()
        cold = [name for name in dict.fromkeys([WEB_PAGE, *installed])  # the web page first
                if name in installed and name not in made and not registry.get(name).collection]
        source = self.settings.source_dir
        for path in discover(source) if cold else []:
            try:
                item = load(path, confinement(path, source))
            except BriefkitError:
                continue
            for name in cold:
                if self.stopping.is_set() or not self._queue.empty():
                    return  # an edit waits: it warms up what it needs itself
                # what goes wrong here, the export runs report
                with contextlib.suppress(Exception):
                    registry.get(name).export(item, Context(self.settings, self.theme))
            return

    def _everything(self) -> _Ran:
        """Settings and theme read again, then every briefing (what is up to date is kept).

        An output folder that export refuses is refused here by the same rule: the
        last good settings stay, and with them the folder being served."""
        from briefkit.engine import output_folder

        try:
            settings = _here(load_settings(self.root))
            output_folder(settings)
            theme = load_theme(settings.theme, settings.root)
        except BriefkitError as error:
            self._unusable = error.lines()
            self._problem(error)
            return _Ran()
        self.settings, self.theme, self._unusable = settings, theme, []
        return self._run(None, None)

    def _run(self, formats: list[str] | None, paths: list[Path] | None) -> _Ran:
        """One export run; its failures replace what was known of the files it covered."""
        if paths is not None and not paths:
            return _Ran()
        try:
            report = _export(self.settings, self.theme, formats, paths,
                             _Stoppable(self.stopping))
        except BriefkitError as error:  # the output folder: locked, read-only, full
            self._problem(error)
            return _Ran()
        failures: dict[str, list[str]] = {}
        collections: set[str] = set()
        for failure in report.failed:
            # one line that starts where it is: file:line:col, or the file and format
            failures.setdefault(failure.file, []).append(str(failure))
            if _of_collection(failure):
                collections.add(failure.file)
            if failure.bug:
                self.say(failure.bug.rstrip())
        with self.lock:
            status = self.status
            if paths is None:
                status.failures, status.collections = failures, collections
            else:
                for path in paths:
                    status.failures.pop(display_path(path), None)
                if formats is None:  # the collections ran again: their old failures go
                    for file in status.collections:
                        status.failures.pop(file, None)
                    status.collections = collections
                status.failures.update(failures)
            status.project = list(self._unusable)
        for lines in failures.values():
            for line in lines:
                self.say(line)
        return _Ran([r.path for r in report.written], list(report.removed),
                    {f.file for f in report.failed if f.format is None},
                    {r.format for r in report.written})

    def _problem(self, error: BriefkitError) -> None:
        with self.lock:
            self.status.project = error.lines()
        for line in error.lines():
            self.say(line)

    def _tell(self, event: str, written: list[str], removed: list[str],
              final: bool = False) -> None:
        """Announce one event; its problems are named by briefing, for pages to show."""
        status = self.snapshot()
        problems = []
        for file, lines in sorted(status.failures.items()):
            briefing = None if file in status.collections else self.briefings.id_of(
                self.root / file)
            problems.append({"file": file, "id": briefing, "lines": lines})
        self.announce(event, {"edit": status.edit, "written": written, "removed": removed,
                              "problems": problems, "project": status.project,
                              "busy": not final})

