"""The export run: which outputs are out of date, making them in parallel, and what came of each.

Exporters stay pure; this module decides what runs, runs it on a process pool,
and keeps going when one briefing or one format fails.  Every file reaches
dist/ through :mod:`briefkit.output`.

An output is made again only when what it is made from changed.  Its *key* is
a digest of the briefing file, the briefing's images, the theme's files, the
settings, briefkit's version and the format; the manifest records each
output's key.  A source file whose size and modification time are those the
manifest remembers is not even read again, which keeps a run that has nothing
to do under a second for thousands of briefings.  A collection output (a feed,
the front page) has a key made of every member's key and the outputs listed in
it, so it follows any change to any entry.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit import __version__, registry
from briefkit.config import Settings
from briefkit.errors import BriefingError, BriefkitError, OutputError, Problem
from briefkit.exporters.base import (
    CollectionContext,
    CollectionExporter,
    Context,
    Exported,
    Exporter,
    OutputInfo,
    published_image,
)
from briefkit.load import BriefingFile, confinement, discover, display_path, load
from briefkit.output import Output, Record, publish
from briefkit.themes import Theme

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Relative cost of one output of each format, until a run has measured them.
FIRST_GUESS = {"pdf": 1.0, "epub": 0.2, "docx": 0.15, "html": 0.05, "image": 0.01}
#: The job that reads a briefing file, as opposed to making an output.
READ = "read"
#: How often the manifest is saved during a run, so a killed run loses little.
SAVE_EVERY = 2.0  # seconds


# --- what a run reports -----------------------------------------------------------------


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
    """What a run did: outputs written, left as they were, removed, and what failed."""

    written: list[Record] = field(default_factory=list)
    skipped: list[Record] = field(default_factory=list)  # up to date, not made again
    removed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1

    @property
    def ok(self) -> bool:
        return not self.failed

    def timings(self) -> dict[str, dict[str, float]]:
        """Per format: outputs written and the seconds they took (summed over processes)."""
        table: dict[str, dict[str, float]] = {}
        for record in self.written:
            row = table.setdefault(record.format, {"outputs": 0, "seconds": 0.0})
            row["outputs"] += 1
            row["seconds"] = round(row["seconds"] + record.seconds, 4)
        return dict(sorted(table.items()))

    def as_json(self) -> dict[str, Any]:
        """The machine-readable report printed by ``briefkit export --json``."""
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "jobs": self.jobs,
            "written": [{"path": r.path, "format": r.format, "briefing": r.briefing,
                         "bytes": r.bytes, "sha256": r.sha256, "seconds": r.seconds}
                        for r in self.written],
            "skipped": [{"path": r.path, "format": r.format, "briefing": r.briefing}
                        for r in self.skipped],
            "removed": self.removed,
            "failed": [{"file": f.file, "format": f.format, "reason": f.reason}
                       for f in self.failed],
            "timings": self.timings(),
        }


class Progress:
    """What a run tells while it goes.  The command line shows it; this one says nothing."""

    def planned(self, work: Mapping[str, int], up_to_date: Mapping[str, int]) -> None:
        """Outputs to make and outputs already up to date, per format."""

    def written(self, record: Record) -> None:
        """One output was written."""

    def skipped(self, record: Record) -> None:
        """An output planned to be made turned out to be up to date."""

    def failed(self, failure: Failure) -> None:
        """One output (or one briefing) failed."""

    def removed(self, path: str) -> None:
        """An output of a briefing no longer in source/ was removed."""


class _Lines(Progress):
    """A progress that hands one line per output to a function (e.g. ``print``)."""

    def __init__(self, folder: str, tell: Callable[[str], None]) -> None:
        self.folder, self.tell = folder, tell

    def written(self, record: Record) -> None:
        self.tell(f"wrote {self.folder}/{record.path} ({record.bytes:,} bytes)")


# --- what the files hold --------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _file_digest(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class _Source:
    """One briefing file of this run and what we know of it."""

    path: Path
    name: str  # its entry in the manifest's "sources"
    memory: dict[str, Any] | None = None  # the entry: still right for the file as it is now
    item: BriefingFile | None = None
    error: BriefingError | None = None
    duplicate_of: str | None = None

    @property
    def id(self) -> str | None:
        if self.item is not None:
            return self.item.id
        return self.memory["id"] if self.memory else None

    @property
    def content(self) -> str:
        """Digest of the briefing file and its images: what its outputs are made from."""
        assert self.memory is not None
        images = sorted((src, image["sha256"]) for src, image in self.memory["images"].items())
        return _digest(self.memory["sha256"], *(f"{src}={sha}" for src, sha in images))

    @property
    def valid(self) -> bool:
        return self.memory is not None and self.error is None and self.duplicate_of is None


def _stamp(found: os.stat_result) -> int:
    """The modification time to remember; 0 (hash it again next time) for a file changed
    in the last two seconds, which a later edit of the same size could leave unchanged."""
    return 0 if time.time_ns() - found.st_mtime_ns < 2_000_000_000 else found.st_mtime_ns


def _still_same(path: str | Path, entry: Any) -> bool:
    """Whether ``path`` still holds what ``entry`` remembers, re-reading it only when
    its size or modification time moved (and then updating ``entry``)."""
    if not isinstance(entry, dict):
        return False
    try:
        found = os.stat(path)
        if (found.st_size, found.st_mtime_ns) == (entry.get("size"), entry.get("mtime_ns")):
            return True
        if _file_digest(path) != entry.get("sha256"):
            return False
    except OSError:
        return False
    entry["size"], entry["mtime_ns"] = found.st_size, _stamp(found)
    return True


def _recall(path: Path, entry: Any, root: Path) -> dict[str, Any] | None:
    """The manifest's memory of a briefing file, if the file and its images are unchanged."""
    try:
        if not (_still_same(path, entry) and isinstance(entry["id"], str)):
            return None
        for image in entry["images"].values():
            if not _still_same(os.path.join(root, image["file"]), image):
                return None
    except (KeyError, TypeError, AttributeError):
        return None
    return dict(entry)


def _remember(path: Path, before: os.stat_result, item: BriefingFile,
              root: Path) -> dict[str, Any]:
    """What the manifest keeps about a briefing file just loaded (stat taken before reading,
    so a file changed while we read it is read again next time)."""
    images = {}
    for src, asset in sorted(item.assets.items()):
        found = os.stat(asset.path)
        try:
            file = str(asset.path.relative_to(root))
        except ValueError:
            file = str(asset.path)
        images[src] = {"file": file, "size": found.st_size, "mtime_ns": _stamp(found),
                       "sha256": asset.sha256}
    return {"id": item.id, "size": before.st_size, "mtime_ns": _stamp(before),
            "sha256": item.digest, "images": images}


def _load(source: _Source, settings: Settings) -> None:
    """Read and check a briefing file, remembering it when it is valid."""
    root = settings.source_dir
    try:
        before = os.stat(source.path)
    except OSError:
        before = None
    try:
        item = load(source.path, confinement(source.path, root))
    except BriefingError as error:
        source.error = error
        return
    source.item, source.error = item, None
    if before is not None:
        source.memory = _remember(source.path, before, item, root)


# --- the work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One output to make."""

    format: str  # an exporter's name, or "image"
    name: str  # the output's file name in dist/
    key: str
    file: str  # what a failure names ("": the briefing file, shown when it fails)
    cost: float = 0.0
    source: Path | None = None  # the briefing file
    item: BriefingFile | None = None
    src: str | None = None  # the image, for "image" jobs
    items: tuple[BriefingFile, ...] = ()  # the members, for collection jobs
    outputs: Mapping[str, Mapping[str, OutputInfo]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What came of a job, as a worker sends it back."""

    name: str
    record: Record | None = None
    reason: str | None = None
    bug: str | None = None
    fatal: bool = False  # dist/ cannot be written: the run stops
    # A "read" job's result: the briefing and its memory, or its problems.
    item: BriefingFile | None = None
    memory: dict[str, Any] | None = None
    problems: tuple[str, list[Problem]] | None = None


class _Workshop:
    """What a worker process keeps for the whole run: the context and the exporters."""

    def __init__(self, settings: Settings, theme: Theme, folder: Path) -> None:
        self.context = Context(settings, theme)
        self.folder = folder
        self.exporters: dict[str, Exporter] = {}

    def exporter(self, name: str) -> Exporter:
        if name not in self.exporters:
            self.exporters[name] = registry.get(name)
        return self.exporters[name]

    def read(self, job: Job) -> Outcome:
        """Read and check a briefing file (reading thousands is worth sharing out too)."""
        assert job.source is not None
        source = _Source(job.source, job.name)
        _load(source, self.context.settings)
        if source.error is not None:
            return Outcome(job.name, problems=(source.error.message, source.error.problems))
        return Outcome(job.name, item=source.item, memory=source.memory)

    def make(self, job: Job) -> Outcome:
        if job.format == READ:
            return self.read(job)
        started = time.perf_counter()
        modified: datetime | None = None
        try:
            if job.format == "image":
                assert job.item is not None and job.src is not None
                asset = job.item.assets[job.src]
                try:
                    data = asset.read()
                except OSError as error:
                    return Outcome(job.name, reason=f"image {job.src!r} cannot be read "
                                                    f"({error.strerror})")
                media_type = asset.media_type
                briefing: str | None = job.item.id
            else:
                exporter = self.exporter(job.format)
                media_type = exporter.media_type
                if isinstance(exporter, CollectionExporter):
                    context = CollectionContext(self.context.settings, self.context.theme,
                                                job.outputs)
                    data = exporter.export_collection(job.items, context)
                    modified = max((i.briefing.modified for i in job.items), default=None)
                    briefing = None
                else:
                    assert job.item is not None
                    data = exporter.export(job.item, self.context)
                    modified, briefing = job.item.briefing.modified, job.item.id
            if isinstance(data, Exported):
                for extra, content in data.files.items():
                    publish(self.folder, extra, content, format=job.format,
                            media_type="application/octet-stream", briefing=briefing)
                data = data.data
            record = publish(self.folder, job.name, data, format=job.format,
                             media_type=media_type, briefing=briefing, modified=modified,
                             key=job.key, seconds=time.perf_counter() - started)
        except OutputError as error:
            return Outcome(job.name, reason=error.message, fatal=True)
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                # The exporter's own temporary files (WeasyPrint's fonts): the disk is full.
                return Outcome(job.name, reason=f"{job.name}: cannot write temporary files "
                               f"({error.strerror}); earlier outputs are unchanged", fatal=True)
            return _bug(job, error)
        except BriefkitError as error:
            return Outcome(job.name, reason=error.message)
        except Exception as error:  # noqa: BLE001 (a bug in an exporter: report it, go on)
            return _bug(job, error)
        return Outcome(job.name, record)


def _bug(job: Job, error: Exception) -> Outcome:
    return Outcome(job.name, reason=f"internal error: {type(error).__name__}: {error}",
                   bug=traceback.format_exc())


_workshop: _Workshop | None = None


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the run that started it dies (even by SIGKILL),
    so no worker outlives its run and writes beside the next one."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the run died before we asked
        os._exit(1)


def _open_workshop(settings: Settings, theme: Theme, folder: Path, parent: int) -> None:
    """Pool initializer: Ctrl-C is the run's to handle; the worker finishes its output."""
    global _workshop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    _workshop = _Workshop(settings, theme, folder)


def _make(job: Job) -> Outcome:
    assert _workshop is not None
    return _workshop.make(job)


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops a run as Ctrl-C does: running outputs finish, the manifest is saved."""
    raise KeyboardInterrupt


class _Crew:
    """Runs jobs in worker processes (or here, with one job) and hands back outcomes."""

    def __init__(self, jobs: int, settings: Settings, theme: Theme, folder: Path) -> None:
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.here = _Workshop(settings, theme, folder) if jobs == 1 else None
        self.running: dict[Future[Outcome], Job] = {}
        self.waiting: deque[Job] = deque()  # for the one-process crew
        if jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork: workers start with briefkit already imported; they are started before
            # any thread of ours exists (the progress bar starts after the first submit).
            self.pool = ProcessPoolExecutor(
                jobs, mp_context=multiprocessing.get_context("fork"),
                initializer=_open_workshop, initargs=(settings, theme, folder, os.getpid()))

    def submit(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            if self.pool is not None:
                self.running[self.pool.submit(_make, job)] = job
            else:
                self.waiting.append(job)

    def outcomes(self) -> Iterator[tuple[Job, Outcome]]:
        """Outcomes as jobs finish, until none is left."""
        while self.waiting:
            job = self.waiting.popleft()
            assert self.here is not None
            yield job, self.here.make(job)
        if not self.running:
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        while self.running:
            done, _ = wait(self.running, return_when=FIRST_COMPLETED)
            for future in done:
                job = self.running.pop(future)
                try:
                    yield job, future.result()
                except Exception as error:  # noqa: BLE001 (a worker died: say so, go on)
                    yield job, Outcome(job.name, reason="the export process stopped "
                                       f"unexpectedly ({type(error).__name__}: {error})")

    def stop(self) -> list[tuple[Job, Outcome]]:
        """Drop the jobs not started; let the running ones finish their file, and return
        what came of every job that finished and was not yet handed back."""
        self.waiting.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        finished = []
        for future, job in self.running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                finished.append((job, future.result()))
        self.running.clear()
        return finished

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None


# --- the run ----------------------------------------------------------------------------


def _source_name(path: Path, root: Path) -> str:
    text, prefix = str(path), f"{root}{os.sep}"
    return text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else text


def _duplicate(source: _Source, first: str) -> Failure:
    from briefkit.locate import scan

    shown = display_path(source.path)
    try:
        line, column = scan(source.path.read_text("utf-8")).of_value("/id")
        where = f"{shown}:{line}:{column}: /id"
    except (OSError, UnicodeDecodeError):
        where = shown
    return Failure(shown, None, f"{where}: id '{source.id}' is already used by {first}")


def _estimates(records: Iterable[Record]) -> dict[str, float]:
    """Seconds per output of each format, as the last run measured them."""
    sums: dict[str, list[float]] = {}
    for record in records:
        if record.seconds:
            sums.setdefault(record.format, []).append(record.seconds)
    return {name: sum(times) / len(times) for name, times in sums.items()}


def export(settings: Settings, theme: Theme, *, formats: Sequence[str] | None = None,
           paths: Sequence[Path] | None = None, out: Path | None = None,
           listener: Callable[[str], None] | None = None, progress: Progress | None = None,
           jobs: int | None = None, force: bool = False) -> Report:
    """Export ``paths`` (default: every briefing in source/) to ``formats`` (default: all).

    Only outputs whose inputs changed are made (all of them with ``force``), on
    ``jobs`` processes (default: every core).  Collection formats (feeds, front
    page) always cover every valid briefing of source/; they run when named, or
    when every format is asked for.  A run over all of source/ also removes the
    outputs of briefings that are no longer there.
    """
    started = time.perf_counter()
    names = list(formats) if formats else registry.names()
    exporters = [registry.get(n) for n in names]  # unknown names fail before any work
    folder = out or settings.output_dir
    tell = progress or (_Lines(folder.name, listener) if listener else Progress())
    report = Report(jobs=max(1, jobs or default_jobs()))
    with Output(folder) as output:
        run = _Run(settings, theme, output, report, tell, force)
        run.survey([Path(os.path.abspath(p)) for p in paths] if paths else None)
        work = run.plan([e for e in exporters if not e.collection])
        collections = [e for e in exporters if isinstance(e, CollectionExporter)]
        previous = signal.getsignal(signal.SIGTERM)
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:
            signal.signal(signal.SIGTERM, _stop)
        try:
            run.make(work, collections)
        except (KeyboardInterrupt, OutputError):
            run.abandon()
            raise
        finally:
            run.crew.close()
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        if not paths:
            run.tidy()
        output.save()
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """One export run: what the sources are, what is out of date, making it."""

    def __init__(self, settings: Settings, theme: Theme, output: Output, report: Report,
                 tell: Progress, force: bool) -> None:
        self.settings, self.theme, self.output = settings, theme, output
        self.report, self.tell, self.force = report, tell, force
        self.base = _digest(__version__, settings.fingerprint(), theme.fingerprint)
        self.sources: dict[Path, _Source] = {}
        self.chosen: list[Path] = []
        self.members: list[_Source] = []  # every valid briefing of source/
        self.crew = _Crew(1, settings, theme, output.folder)
        self.saved = time.monotonic()

    def fail(self, failure: Failure) -> None:
        self.report.failed.append(failure)
        self.tell.failed(failure)

    # --- what is there ---------------------------------------------------------------

    def survey(self, paths: list[Path] | None) -> None:
        """Find which source files changed since the manifest was written (stat, and hash
        only what moved), read those, and report the broken ones."""
        root, known = self.settings.source_dir, self.output.sources
        everything = discover(root)  # absolute: source_dir is
        in_source = set(everything)
        self.chosen = paths if paths is not None else everything
        for path in everything + [p for p in self.chosen if p not in in_source]:
            name = _source_name(path, root)
            self.sources[path] = _Source(path, name, _recall(path, known.get(name), root))
        self.read([s for s in self.sources.values() if s.memory is None])
        for source in self.sources.values():
            if source.error is not None and isinstance(known.get(source.name), dict):
                # Broken now: keep the memory of its last good state, and so its outputs.
                source.memory = known[source.name]
        seen: dict[str, Path] = {}
        for source in self.sources.values():
            if source.memory is not None and source.error is None and source.id is not None:
                first = seen.setdefault(source.id, source.path)
                if first != source.path:
                    source.duplicate_of = display_path(first)
        for path in self.chosen:
            source = self.sources[path]
            if source.error is not None:
                for line in source.error.lines():
                    self.fail(Failure(display_path(path), None, line))
            elif source.duplicate_of is not None:
                self.fail(_duplicate(source, source.duplicate_of))
        memory = {s.name: s.memory for s in self.sources.values() if s.memory is not None}
        if paths is not None:
            memory = {**known, **memory}
        if memory != known:
            self.output.sources, self.output.changed = memory, True
        self.members = [s for s in self.sources.values() if s.valid and s.path in in_source]

    def read(self, sources: Sequence[_Source]) -> None:
        """Read briefing files on the workers, and wait for them."""
        self.start_crew(len(sources))
        self.crew.submit(Job(READ, s.name, "", display_path(s.path), source=s.path)
                         for s in sources)
        self.collect()

    def start_crew(self, jobs: int) -> None:
        """Start the worker processes when there is work for more than one."""
        if self.crew.pool is None and self.report.jobs > 1 and jobs > 1:
            self.crew = _Crew(self.report.jobs, self.settings, self.theme, self.output.folder)

    # --- what is out of date -----------------------------------------------------------

    def needed(self, name: str, key: str) -> bool:
        """Whether output ``name`` must be made; an up-to-date one is reported skipped."""
        record = self.output.records.get(name)
        if self.force or record is None or record.key != key \
                or not self.output.is_current(record):
            return True
        self.report.skipped.append(record)
        return False

    def plan(self, single: Sequence[Exporter]) -> list[Job]:
        """Every output of the chosen briefings that is out of date, the longest first."""
        estimates = {**FIRST_GUESS, **_estimates(self.output.records.values())}
        work: list[Job] = []
        for path in self.chosen:
            source = self.sources[path]
            if not source.valid or source.memory is None or source.id is None:
                continue
            content, size = source.content, source.memory["size"]
            for exporter in single:
                name, key = exporter.filename(source.id), _digest(self.base, exporter.name,
                                                                  content)
                if self.needed(name, key):
                    cost = estimates.get(exporter.name, 0.1) * (1 + size / 20_000)
                    work.append(Job(exporter.name, name, key, "", cost, source=path))
            if single:  # images are published beside the briefing's own outputs
                for src, image in source.memory["images"].items():
                    name = published_image(source.id, src)
                    key = _digest(__version__, "image", image["sha256"])
                    if self.needed(name, key):
                        work.append(Job("image", name, key, "", estimates["image"],
                                        source=path, src=src))
        # The longest first, so no core waits on one last PDF at the end.
        work.sort(key=lambda job: -job.cost)
        return work

    # --- making it ---------------------------------------------------------------------

    def make(self, work: list[Job], collections: Sequence[CollectionExporter]) -> None:
        records = self.output.records
        # The collections run when anything changed (they list every briefing's outputs).
        due = bool(collections and self.members and (work or any(
            _out_of_date(self.output, e.filename(), _collection_key(
                self.base, e.name, self.members, records), self.force)
            for e in collections)))
        counts: dict[str, int] = {}
        for job in work:
            counts[job.format] = counts.get(job.format, 0) + 1
        for exporter in collections:
            if due:
                counts[exporter.name] = 1
            elif exporter.filename() in records:
                self.report.skipped.append(records[exporter.filename()])
        fresh: dict[str, int] = {}
        for record in self.report.skipped:
            fresh[record.format] = fresh.get(record.format, 0) + 1
        # Unchanged briefings with an output to make again (--force, a new format) are
        # read first; then every output goes to the workers, the longest first.
        self.read(list({s.path: s for job in work if (s := self.sources[job.source or Path()])
                        .item is None}.values()))
        self.start_crew(len(work))
        ready = []
        for job in work:
            item = self.sources[job.source or Path()].item
            if item is None:  # it broke since the manifest was written: reported by read()
                counts[job.format] -= 1
            else:
                ready.append(replace(job, item=item))
        self.crew.submit(ready)
        self.tell.planned(counts, fresh)  # after the first submit: the workers are forked
        if due:
            # While the workers make the briefings' outputs, read every member the
            # collections will need; they run at the end, as they list the outputs' sizes.
            self.crew.submit(Job(READ, s.name, "", display_path(s.path), source=s.path)
                             for s in self.members if s.item is None)
            self.collect()
            self.collections(collections)
        else:
            self.collect()

    def collections(self, collections: Sequence[CollectionExporter]) -> None:
        valid = [s for s in self.members if s.item is not None]
        items = tuple(s.item for s in valid if s.item is not None)
        outputs = _outputs_of(valid, self.output.records)
        finals = []
        for exporter in collections:
            name = exporter.filename()
            key = _collection_key(self.base, exporter.name, valid, self.output.records)
            if self.needed(name, key):
                finals.append(Job(exporter.name, name, key, name, items=items, outputs=outputs))
            else:
                self.tell.skipped(self.output.records[name])
        self.start_crew(len(finals))
        self.crew.submit(finals)
        self.collect()

    def collect(self) -> None:
        """Record outcomes as they come; the manifest is saved every few seconds."""
        for job, outcome in self.crew.outcomes():
            if job.format == READ:
                self.learn(job, outcome)
            elif outcome.record is not None:
                self.output.add(outcome.record)
                self.report.written.append(outcome.record)
                self.tell.written(outcome.record)
            elif outcome.fatal:
                raise OutputError(outcome.reason or "cannot write")
            else:
                shown = job.file or display_path(job.source or Path(job.name))
                self.fail(Failure(shown, job.format, outcome.reason or "failed", outcome.bug))
            if time.monotonic() - self.saved > SAVE_EVERY:
                self.output.save()
                self.saved = time.monotonic()

    def learn(self, job: Job, outcome: Outcome) -> None:
        """What a read job found: the briefing, or its problems."""
        source = self.sources[job.source or Path()]
        if outcome.problems is not None:
            source.error = BriefingError(*outcome.problems)
            if source.memory is not None:  # it broke since the manifest was written
                for line in source.error.lines():
                    self.fail(Failure(job.file, None, line))
        elif outcome.item is not None:
            source.item, source.memory, source.error = outcome.item, outcome.memory, None
        else:
            source.error = BriefingError(f"{job.file}: {outcome.reason}")
            self.fail(Failure(job.file, None, source.error.message, outcome.bug))

    def abandon(self) -> None:
        """Stop: what is being written finishes, and everything written is recorded."""
        for _, outcome in self.crew.stop():
            if outcome.record is not None:
                self.output.add(outcome.record)
        try:
            self.output.save()
        except OutputError:
            pass  # the folder is full or read-only: the first error says so

    def tidy(self) -> None:
        """Remove outputs of briefings gone from source/ (or renamed), and images a
        briefing no longer shows."""
        known = [s for s in self.sources.values() if s.memory is not None]
        present = {s.id for s in known}
        images = {published_image(s.id or "", src) for s in known
                  for src in (s.memory or {}).get("images", {})}
        stale = [r.path for r in self.output.records.values() if r.briefing is not None
                 and (r.briefing not in present or (r.format == "image" and r.path not in images))]
        for path in self.output.remove(stale):
            self.report.removed.append(path)
            self.tell.removed(path)


def _out_of_date(output: Output, name: str, key: str, force: bool) -> bool:
    record = output.records.get(name)
    return force or record is None or record.key != key or not output.is_current(record)


def _outputs_of(members: Sequence[_Source],
                records: Mapping[str, Record]) -> dict[str, dict[str, OutputInfo]]:
    ids = {s.id for s in members}
    by_id: dict[str, dict[str, OutputInfo]] = {}
    for record in records.values():
        if record.briefing is not None and record.briefing in ids and record.format != "image":
            by_id.setdefault(record.briefing, {})[record.format] = OutputInfo(
                record.path, record.format, record.media_type, record.bytes)
    return by_id


def _collection_key(base: str, name: str, members: Sequence[_Source],
                    records: Mapping[str, Record]) -> str:
    """A collection's key: every member's content, and the outputs it lists."""
    ids = {s.id for s in members}
    parts = sorted(f"{s.id}={s.content}" for s in members)
    parts += sorted(f"{r.path}:{r.format}:{r.bytes}:{r.sha256}" for r in records.values()
                    if r.briefing in ids)
    return _digest(base, name, *parts)
