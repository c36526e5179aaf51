"""One export run: what changed, what to make, where to make it, and writing it down.

Exporters stay pure; the run decides what is made and where the work goes
(:mod:`briefkit.engine.executors`), and keeps going when one briefing or one
format fails.  Every file reaches the output folder through
:class:`briefkit.engine.output.OutputFolder`, from this process alone: workers,
local or on a cluster, only send bytes back.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from briefkit import registry
from briefkit.config import Settings
from briefkit.engine import cache, plan, work
from briefkit.engine.cluster import Cluster, choose_scheduler, security
from briefkit.engine.executors import Crew, Inline, default_jobs, local_pool
from briefkit.engine.jobs import BriefingJob, CollectionJob, Job, Made, Outcome, Read, ReadJob
from briefkit.engine.lastgood import DAMAGED, LastGood, left_out
from briefkit.engine.output import OutputFolder, safe_name
from briefkit.engine.report import Failure, Progress, Report
from briefkit.engine.scratch import sweep
from briefkit.engine.sources import Source, recall, source_name
from briefkit.engine.state import Record, State
from briefkit.errors import BriefingError, ConfigError, OutputError
from briefkit.exporters.base import CollectionExporter, Exporter
from briefkit.files import display_path
from briefkit.load import discover, duplicate_id
from briefkit.theme import Theme

#: Below this many seconds of expected work (as earlier runs measured it), a run stays
#: in this process: starting workers, each loading WeasyPrint and the theme's fonts,
#: would cost more CPU than the work, and save little time.
SMALL_RUN = 4.0
#: How often the manifest is saved during a run, so a killed run loses little.
SAVE_EVERY = 2.0  # seconds


def export(settings: Settings, theme: Theme, *, formats: Sequence[str] | None = None,
           paths: Sequence[Path] | None = None, out: Path | None = None,
           progress: Progress | None = None,
           jobs: int | None = None, force: bool = False, scheduler: str | None = None,
           keep_warm: bool = False, prune: bool = False,
           first: Sequence[str] = ()) -> Report:
    """Export ``paths`` (default: every briefing in source/) to ``formats`` (default: all).

    Only outputs whose inputs changed are made (all of them with ``force``): in
    this process when there is little to do, else on ``jobs`` local processes
    (default: every core), or on the Dask cluster at ``scheduler`` (an address, or
    ``"from-settings"`` for the ``[engine] scheduler`` setting, which is otherwise
    only reported in a warning).  Collection formats (feeds, front page)
    always cover every valid briefing of source/; they run when named, or when
    every format is asked for.  A run over all of source/ also removes the
    outputs of briefings that are no longer there; when that would be every
    published briefing (an emptied source/, a source setting naming another
    folder), only with ``prune``: else the run stops with one line, nothing
    written or removed.  A missing source folder stops any run the same way.
    ``keep_warm`` keeps this process's exporters loaded for the next run (the
    live preview).  The outputs of the formats named in ``first`` are made before the
    others, in that order (the live preview's PDF).
    """
    started = time.perf_counter()
    names = list(formats) if formats else registry.names()
    exporters = [registry.get(n) for n in names]  # unknown names fail before any work
    folder = output_folder(settings, out)
    check_source_folder(settings)
    tell = progress or Progress()
    report = Report(jobs=max(1, jobs or default_jobs()))
    asked = jobs is not None  # a number of processes asked for is used, however small the run
    address, warning = choose_scheduler(scheduler, settings.engine)
    if warning is not None:
        report.warnings.append(warning)
    with State(settings.root, folder) as state:
        report.warnings.extend(state.warnings)
        sweep(state.home)
        dist = OutputFolder(folder)
        dist.prepare()
        run = _Run(settings, theme, state, dist, report, tell, force, exporters, asked, prune,
                   first)
        previous = signal.getsignal(signal.SIGTERM)
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:
            signal.signal(signal.SIGTERM, _stop)
        try:
            run.go([Path(os.path.abspath(p)) for p in paths] if paths else None, address)
            if not paths:
                run.tidy()
            run.trim_state()
        except (KeyboardInterrupt, OutputError):
            run.abandon()
            raise
        finally:
            run.close(keep_warm)
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        state.save()
        report.sources = state.sources
    report.seconds = time.perf_counter() - started
    return report


def output_folder(settings: Settings, out: Path | None = None) -> Path:
    """The folder a run writes (``out``, else the settings' ``output``), once
    :func:`check_output_folder` allows it: the one rule for export and the preview."""
    folder = Path(os.path.abspath(out or settings.output_dir))
    check_output_folder(settings, folder)
    return folder


def check_output_folder(settings: Settings, folder: Path) -> None:
    """Refuse an output folder whose cleaning could touch the project's own files."""
    target = folder.resolve()
    root = settings.root.resolve()
    guarded = {"the project folder": root, "source/": settings.source_dir,
               "themes/": root / "themes", "the run state": root / ".briefkit"}
    for what, given in guarded.items():
        path = given.resolve()
        if target == path or path.is_relative_to(target) or (
                what != "the project folder" and target.is_relative_to(path)):
            raise OutputError(f"{display_path(folder)}: cannot be the output folder: it holds, "
                              f"or is inside, {what} (briefkit replaces and removes files in "
                              "its output folder)")


def check_source_folder(settings: Settings) -> None:
    """Refuse a run whose source folder is missing (a typo in the settings): it would
    find no briefing, and remove every output as no longer in source/."""
    source = settings.source_dir
    if not source.is_dir():
        what = "is not a folder" if source.exists() else "no such folder"
        raise ConfigError(f"{display_path(source)}: {what} (source = {settings.source!r} in the "
                          "settings); nothing was exported or removed: correct the setting, "
                          "or make the folder")


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops a run as Ctrl-C does: running outputs finish, the manifest is saved."""
    raise KeyboardInterrupt


class _Run:
    """One export run: what the sources are, what is out of date, making it."""

    def __init__(self, settings: Settings, theme: Theme, state: State, dist: OutputFolder,
                 report: Report, tell: Progress, force: bool,
                 exporters: Sequence[Exporter], asked: bool = False, prune: bool = False,
                 first: Sequence[str] = ()) -> None:
        self.settings, self.theme, self.state, self.dist = settings, theme, state, dist
        self.report, self.tell, self.force, self.asked = report, tell, force, asked
        self.prune = prune
        self.first = list(first)
        self.single = [e for e in exporters if not e.collection and not e.lists_outputs]
        self.listing = [e for e in exporters if not e.collection and e.lists_outputs]
        self.collections = [e for e in exporters if isinstance(e, CollectionExporter)]
        self.base = plan.base_key(settings, theme)
        # each format's key names the versions of the libraries that shape its bytes
        self.versions = plan.versions(["briefkit", *plan.libraries(exporters)])
        self.bases = {e.name: plan.format_base(self.base, e, self.versions, settings)
                      for e in exporters}
        self.guess = plan.estimates(state.records.values())
        self.sources: dict[Path, Source] = {}
        self.chosen: list[Path] = []
        self.members: list[Source] = []  # every valid briefing of source/
        self.extras: dict[str, tuple[str, str]] = {}  # extra file -> (sha256, output) this run
        self.worked: set[Path] = set()  # briefings with outputs made this run
        self.current: dict[str, bool] = {}  # recorded files found as written, this run
        self.saved = time.monotonic()
        self.setup = work.setup_for(settings, theme, state.home)
        self.crew: Crew | None = None
        self.here: Crew | None = None  # reads and collections, when the work goes elsewhere
        self.cluster: Cluster | None = None
        self.last_good = LastGood(state.home, state.manifest)

    def fail(self, failure: Failure) -> None:
        self.report.failed.append(failure)
        self.tell.failed(failure)

    # --- where the work runs -----------------------------------------------------------

    def start(self, amount: float, scheduler: str | None) -> None:
        """Choose where jobs run, by how much there is to do."""
        formats = tuple(e.name for e in (*self.single, *self.listing, *self.collections))
        if scheduler:
            self.setup = replace(self.setup, portable=True)
            self.cluster = Cluster.connect(scheduler, self.setup, self.versions,
                                           security(scheduler, self.settings.engine))
            cluster = self.cluster
            images = self._images
            self.crew = Crew(cluster.executor,
                             lambda job: (job, self.setup, cluster.files, images(job)),
                             window=2 * cluster.workers + 2)
            self.report.executor = f"the Dask cluster at {scheduler}"
            self.here = self._inline()
            return
        workers = self.report.jobs
        if workers == 1 or (amount < SMALL_RUN and not self.asked):
            self.crew = self.here = self._inline()
            self.report.jobs = 1
            return
        setup = self.setup
        self.crew = Crew(local_pool(workers, setup, formats), lambda job: (job, setup),
                         window=2 * workers, renew=lambda: local_pool(workers, setup, formats))
        self.here = self.crew
        self.report.executor = f"{workers} processes"

    def _inline(self) -> Crew:
        setup = self.setup if not self.setup.portable else replace(self.setup, portable=False)
        return Crew(Inline(), lambda job: (job, setup), window=1)

    def _images(self, job: Job) -> dict[str, bytes] | None:
        """The checked bytes of a briefing's images, for a worker that cannot read source/."""
        if not isinstance(job, BriefingJob) or job.item is None:
            return None
        return {src: asset.read() for src, asset in job.item.assets.items()}

    def outcomes(self, jobs: Sequence[Job]) -> Iterable[tuple[Job, Outcome]]:
        """Run jobs where they belong; cluster workers only make briefings' outputs."""
        assert self.crew is not None and self.here is not None
        if self.here is self.crew:
            yield from self.crew.run(jobs)
            return
        yield from self.here.run([j for j in jobs if not isinstance(j, BriefingJob)])
        yield from self.crew.run([j for j in jobs if isinstance(j, BriefingJob)])

    def close(self, keep_warm: bool) -> None:
        for crew in {id(c): c for c in (self.crew, self.here) if c is not None}.values():
            crew.executor.shutdown(wait=True)
        if self.cluster is not None:
            self.cluster.close()
        if not keep_warm:
            work.forget()

    # --- what is there ---------------------------------------------------------------

    def go(self, paths: list[Path] | None, scheduler: str | None) -> None:
        root, known = self.settings.source_dir, self.state.sources
        everything = discover(root)  # absolute: source_dir is
        in_source = set(everything)
        self.chosen = paths if paths is not None else everything
        for path in everything + [p for p in self.chosen if p not in in_source]:
            name = source_name(path, root)
            self.sources[path] = Source(path, name, recall(path, known.get(name), root))
        unread = [s for s in self.sources.values() if s.memory is None]
        self.start(self._amount(unread), scheduler)
        self.read(unread)
        self.survey(paths is not None, in_source)
        if paths is None and not self.prune:
            self.keep_published()
        work = self.plan()
        self.make(work)

    def _amount(self, unread: list[Source]) -> float:
        """Roughly how much work the run has, before reading what changed."""
        formats = [e.name for e in (*self.single, *self.listing)]
        amount = plan.READ_COST * len(unread)
        for path in self.chosen:
            source = self.sources[path]
            if source.memory is None:
                amount += sum(plan.cost(self.guess, f, 0) for f in formats)
            elif source.id is not None:
                for exporter in self.single:
                    name = exporter.filename(source.id)
                    key = plan.output_key(self.bases[exporter.name], exporter.name, source)
                    if self._stale(name, key):
                        amount += plan.cost(self.guess, exporter.name, source.memory["size"])
        return amount

    def read(self, sources: Sequence[Source]) -> None:
        """Read briefing files (on the workers when there are many), and wait for them."""
        jobs: list[Job] = [ReadJob(s.path, display_path(s.path)) for s in sources]
        for job, outcome in self.outcomes(jobs):
            self.take(job, outcome)

    def survey(self, partial: bool, in_source: set[Path]) -> None:
        """Report the broken and the duplicates; remember what was read."""
        known = self.state.sources
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
                    self.fail(Failure(display_path(path), None, line, source=path))
            elif source.duplicate_of is not None and source.id is not None:
                error = duplicate_id(source.path, source.id, source.duplicate_of)
                self.fail(Failure(display_path(path), None, error.lines()[0], source=path))
        memory = {s.name: s.memory for s in self.sources.values() if s.memory is not None}
        if partial:
            memory = {**known, **memory}
        if memory != known:
            self.state.sources, self.state.changed = memory, True
        self.members = [s for s in self.sources.values() if s.valid and s.path in in_source]
        for source in self.members:
            if not self.last_good.holds(source.name, source.memory):
                self.last_good.keep(source.name, source.memory, self.settings.source_dir)
        if self.collections:  # a broken briefing keeps its place in them
            self.members, kept, warnings = self.last_good.stand_in(
                self.sources.values(), self.members, in_source)
            self.report.kept += kept
            self.report.warnings += warnings

    # --- what is out of date -----------------------------------------------------------

    def _stale(self, name: str, key: str) -> bool:
        record = self.state.records.get(name)
        return (self.force or record is None or record.extra or record.key != key
                or not self._current(name)
                or not all(self._current_extra(f) for f in record.files))

    def _current(self, name: str) -> bool:
        """Whether a recorded file is still as written: looked at once per run (the
        plan asks before and after reading what changed; a web font is linked by every
        page), and known to be so once this run writes it."""
        known = self.current.get(name)
        if known is None:
            record = self.state.records.get(name)
            known = self.current[name] = (
                record is not None
                and self.dist.is_current(name, record.bytes, record.mtime_ns))
        return known

    def _current_extra(self, name: str) -> bool:
        record = self.state.records.get(name)
        return record is not None and record.extra and self._current(name)

    def needed(self, name: str, key: str) -> bool:
        """Whether output ``name`` must be made; an up-to-date one is reported skipped."""
        if self._stale(name, key):
            return True
        self.report.skipped.append(self.state.records[name])
        return False

    def plan(self) -> list[BriefingJob]:
        """Every output of the chosen briefings that is out of date, the longest first."""
        work: list[BriefingJob] = []
        for path in self.chosen:
            source = self.sources[path]
            if not source.valid or source.memory is None or source.id is None:
                continue
            for exporter in self.single:
                name = exporter.filename(source.id)
                key = plan.output_key(self.bases[exporter.name], exporter.name, source)
                if self.needed(name, key):
                    work.append(BriefingJob(exporter.name, name, key, path, plan.cost(
                        self.guess, exporter.name, source.memory["size"])))
        work.sort(key=lambda job: -job.cost)  # no core waits on one last PDF at the end
        # then the formats asked for first lead, in their order (the live preview's PDF)
        work.sort(key=lambda job: self.first.index(job.format) if job.format in self.first
                  else len(self.first))
        return work

    # --- making it ---------------------------------------------------------------------

    def make(self, work: list[BriefingJob]) -> None:
        records = self.state.records
        # The collections run when anything changed (they list every briefing's outputs).
        # the outputs that list others, with their keys: worked out once for this plan
        listings = list(self._listings(self.listing)) if self.listing else []
        stale = {name for _, _, name, key, _ in listings if self._stale(name, key)}
        listing = bool(listings) and (bool(work) or bool(stale))
        due = bool(self.collections and self.members and (work or listing or any(
            self._stale(e.filename(), plan.collection_key(self.bases[e.name], e.name,
                                                          self.members, records))
            for e in self.collections)))
        counts: dict[str, int] = {}
        for job in work:
            counts[job.format] = counts.get(job.format, 0) + 1
        for exporter in self.collections:
            if due:
                counts[exporter.name] = 1
            elif exporter.filename() in records:
                self.report.skipped.append(records[exporter.filename()])
        if self.listing and not listing:  # up to date: said so without reading anything
            self.report.skipped += [records[name] for _, _, name, _, _ in listings
                                    if name in records]
        elif listing:  # those whose briefing changed, or that are out of date already
            self.worked = {job.source for job in work}
            for source, lister, name, _, _ in listings:
                if source.path in self.worked or name in stale:
                    counts[lister.name] = counts.get(lister.name, 0) + 1
        fresh: dict[str, int] = {}
        for record in self.report.skipped:
            fresh[record.format] = fresh.get(record.format, 0) + 1
        # Unchanged briefings with an output to make again (--force, a new format) are
        # read first; then every output goes to the workers, the longest first.
        self.read(list({job.source: self.sources[job.source] for job in work
                        if self.sources[job.source].item is None}.values()))
        ready: list[Job] = []
        for job in work:
            item = self.sources[job.source].item
            if item is None:  # it broke since the manifest was written: reported by read()
                counts[job.format] -= 1
            else:
                ready.append(replace(job, item=item))
        self.tell.planned(counts, fresh)
        # While the workers make the briefings' outputs, read every member the
        # collections will need; they run at the end, as they list the outputs' sizes.
        if due or listing:
            ready += [ReadJob(s.path, display_path(s.path)) for s in self.members
                      if s.item is None and not s.kept]
        for done, outcome in self.outcomes(ready):
            self.take(done, outcome)
        if listing:
            self.make_listings()
        if due:
            self.make_collections()

    def waves(self) -> list[list[Exporter]]:
        """The exporters that list outputs, in waves: each after those it lists."""
        left, done, waves = list(self.listing), set[str](), list[list[Exporter]]()
        present = {e.name for e in self.listing}
        while left:
            wave = [e for e in left if set(e.runs_after) & present <= done]
            if not wave:  # a cycle: the rest run together, none seeing the others
                wave = left
            waves.append(wave)
            done |= {e.name for e in wave}
            left = [e for e in left if e not in wave]
        return waves

    def _listings(self, exporters: Sequence[Exporter]) -> Iterable[
            tuple[Source, Exporter, str, str, dict[str, Any]]]:
        """Each output that lists a chosen briefing's other outputs, with its key."""
        listing = {e.name for e in self.listing}
        valid = [self.sources[p] for p in self.chosen if self.sources[p].valid]
        ids = {s.id for s in valid}
        # one pass over the records per exporter, not one per briefing
        seen = {e.name: plan.outputs_of(ids, self.state.records, listing - set(e.runs_after))
                for e in exporters}
        for source in valid:
            if source.id is None:
                continue
            for exporter in exporters:
                outputs = seen[exporter.name].get(source.id, {})
                key = plan.listing_key(self.bases[exporter.name], exporter.name, source,
                                       outputs, self.state.records)
                yield source, exporter, exporter.filename(source.id), key, outputs

    def make_listings(self) -> None:
        """Outputs that list the briefing's other outputs (their sizes, their links), in
        waves, so that one listing another sees it."""
        for wave in self.waves():
            jobs: list[Job] = []
            for source, exporter, name, key, outputs in list(self._listings(wave)):
                if source.item is None or source.id is None:
                    continue
                if self.needed(name, key):
                    jobs.append(BriefingJob(exporter.name, name, key, source.path, 0.05,
                                            source.item, {source.id: outputs}))
                elif source.path in self.worked:  # counted as work, found up to date
                    self.tell.skipped(self.state.records[name])
            for job, outcome in self.outcomes(jobs):
                self.take(job, outcome)

    def make_collections(self) -> None:
        kept = [s for s in self.members if s.kept and s.item is None]
        if not kept:
            self._make_collections()
            return
        # the last good versions standing in, laid out in this process's temporary folder
        shop = work.workshop(replace(self.setup, portable=False))
        laid_out = Path(tempfile.mkdtemp(prefix="last-good-", dir=shop.scratch.open()))
        try:
            for shown in self.last_good.lay_out(kept, laid_out):
                self.report.kept.remove(shown)
                self.report.warnings.append(left_out(shown, DAMAGED))
            self._make_collections()
        finally:
            shutil.rmtree(laid_out, ignore_errors=True)

    def _make_collections(self) -> None:
        valid = [s for s in self.members if s.item is not None]
        items = tuple(s.item for s in valid if s.item is not None)
        records = self.state.records
        outputs = plan.outputs_of({s.id for s in valid}, records)
        jobs: list[Job] = []
        for exporter in self.collections:
            name = exporter.filename()
            key = plan.collection_key(self.bases[exporter.name], exporter.name, valid, records)
            if self.needed(name, key):
                jobs.append(CollectionJob(exporter.name, name, key, items, outputs))
            else:
                self.tell.skipped(records[name])
        for job, outcome in self.outcomes(jobs):
            self.take(job, outcome)

    # --- what came back ----------------------------------------------------------------

    def take(self, job: Job, outcome: Outcome) -> None:
        """Record what a job brought back: write an output, learn a briefing, or fail."""
        if isinstance(job, ReadJob):
            self.learn(job, outcome)
        elif isinstance(outcome, Made):
            self.publish(job, outcome)
        elif isinstance(outcome, Read):  # cannot happen: a read outcome of an export job
            self.fail(Failure.of(job, "internal error: unexpected outcome"))
        elif outcome.disk_full:
            raise OutputError(outcome.reason)
        else:
            self.fail(Failure.of(job, outcome.reason, outcome.bug))
        if time.monotonic() - self.saved > SAVE_EVERY:
            self.state.save()
            self.saved = time.monotonic()

    def learn(self, job: ReadJob, outcome: Outcome) -> None:
        """What a read job found: the briefing, or its problems."""
        source = self.sources[job.path]
        if isinstance(outcome, Read):
            source.item, source.error = outcome.item, None
            if outcome.memory is not None:
                source.memory = outcome.memory
            return
        assert not isinstance(outcome, Made)
        reason = outcome.reason if outcome.problems else f"{job.shown}: {outcome.reason}"
        source.error = BriefingError(reason, list(outcome.problems))
        if source.memory is not None:  # it broke since the manifest was written: say so now
            for line in source.error.lines():
                self.fail(Failure.of(job, line, outcome.bug))

    def publish(self, job: BriefingJob | CollectionJob, made: Made) -> None:
        """Write an output and its extra files, extras first, so no link is ever dead."""
        briefing = job.item.id if isinstance(job, BriefingJob) and job.item else None
        records = self.state.records
        extras: list[tuple[str, bytes, str]] = []
        for name, data in sorted(made.files.items()):
            sha = hashlib.sha256(data).hexdigest()
            owner = self.extras.get(name)
            known = records.get(name)
            if safe_name(name) is None or name == job.name:
                problem = f"extra file {name!r} is not a file name inside the output folder"
            elif known is not None and not known.extra:
                problem = f"extra file {name} would replace the output of that name"
            elif owner is not None and owner[0] != sha:
                problem = f"extra file {name} is also published by {owner[1]}, with other bytes"
            else:
                extras.append((name, data, sha))
                continue
            self.fail(Failure.of(job, problem))
            return
        for name, data, sha in extras:
            known = records.get(name)
            fresh = known is not None and known.sha256 == sha and self._current_extra(name)
            if name not in self.extras and not (fresh and not self.force):
                written = self.dist.write(name, data)
                media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                extra = Record(name, job.format, briefing, written.bytes, written.sha256,
                               media_type, "", written.mtime_ns, extra=True)
                self.state.add(extra)
                self.report.written.append(extra)
            self.extras[name] = (sha, job.name)
            self.current[name] = True
        written = self.dist.write(job.name, made.data)
        self.current[job.name] = True
        record = Record(job.name, job.format, briefing, written.bytes, written.sha256,
                        made.media_type, job.key, written.mtime_ns, round(made.seconds, 4),
                        tuple(name for name, _, _ in extras), cache=made.cached)
        self.state.add(record)
        self.report.written.append(record)
        self.tell.written(record)

    def abandon(self) -> None:
        """Stop: what is being made finishes and is written, and everything is recorded."""
        for crew in {id(c): c for c in (self.crew, self.here) if c is not None}.values():
            for job, outcome in crew.stop():
                if isinstance(outcome, Made) and not isinstance(job, ReadJob):
                    try:
                        self.publish(job, outcome)
                    except OutputError:
                        break
        try:
            self.state.save()
        except OutputError:
            pass  # the folder is full or read-only: the first error says so

    def gone(self) -> tuple[set[str], set[str]]:
        """The briefings with outputs in the output folder, and those of them no longer in
        source/ (or renamed)."""
        present = {s.id for s in self.sources.values() if s.memory is not None}
        published = {r.briefing for r in self.state.records.values()
                     if not r.extra and r.briefing is not None}
        return published, published - present

    def keep_published(self) -> None:
        """Stop before a run that would remove every published briefing: an emptied
        source/ or a source setting naming another folder is far likelier than a
        newsroom unpublishing everything; that takes ``--prune``.  Removing some of
        them (briefings deleted or renamed) needs no flag."""
        published, gone = self.gone()
        if published and gone == published:
            raise OutputError(
                f"{display_path(self.settings.source_dir)}: holds none of the {len(published)} "
                f"briefings published in {display_path(self.dist.folder)}; kept their outputs, "
                "nothing was written or removed: pass --prune to remove them all")

    def trim_state(self) -> None:
        """Keep the state folder to what this output folder uses: the exporters' cache
        within its bound, the last good versions of the briefings it remembers."""
        used = {name for record in self.state.records.values() for name in record.cache}
        cache.bound(self.state.home, used, self.settings.cache)
        self.last_good.prune(self.state.sources.items())

    def tidy(self) -> None:
        """Remove outputs of briefings gone from source/ (or renamed), and extra files
        (images, fonts) that no output links any more."""
        records = self.state.records
        _, departed = self.gone()
        stale = [r.path for r in records.values()
                 if not r.extra and r.briefing is not None and r.briefing in departed]
        self.state.drop(stale)
        linked = {f for r in records.values() if not r.extra for f in r.files}
        orphans = [r.path for r in records.values() if r.extra and r.path not in linked]
        self.state.drop(orphans)
        gone = stale + orphans
        if not gone:
            return
        self.state.save()  # the manifest first: a run killed now never lists a missing file
        self.dist.remove(gone)
        for path in sorted(gone):
            self.report.removed.append(path)
            self.tell.removed(path)

