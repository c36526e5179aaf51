"""One export run: what changed, what to make, where to make it, and writing it down.

Exporters stay pure; the run decides what is made and where the work goes
(:mod:`briefkit.engine.executors`), and keeps going when one briefing or one
format fails.  Every file reaches the output folder through
:class:`briefkit.engine.output.OutputFolder`, from this process alone: workers,
local or on a cluster, only send bytes back.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from briefkit import registry
from briefkit.config import Settings
from briefkit.engine import keys, work
from briefkit.engine.cluster import choose_scheduler
from briefkit.engine.executors import default_jobs
from briefkit.engine.jobs import BriefingJob, CollectionJob, Job, Made, Outcome, Read, ReadJob
from briefkit.engine.lastgood import DAMAGED, LastGood, left_out
from briefkit.engine.output import OutputFolder
from briefkit.engine.placement import Workplace
from briefkit.engine.plan import Follow, Plan, Planner, Staleness
from briefkit.engine.project import check_source_folder, output_folder
from briefkit.engine.report import Failure, Progress, Report
from briefkit.engine.scratch import sweep
from briefkit.engine.sources import Looked, Source, read_job, recall, source_name
from briefkit.engine.state import Record, State
from briefkit.engine.write import Writer
from briefkit.errors import BriefingError, OutputError
from briefkit.exporters.base import Exporter
from briefkit.files import display_path
from briefkit.load import discover, duplicate_id
from briefkit.theme import Theme

#: How often the manifest is saved during a run, so a killed run loses little: every
#: SAVE_EVERY seconds, and no more than one part in SAVE_SHARE of the run's time (the
#: run's own process saving takes a core from the workers).  An interim save encodes
#: only the records changed since the last: 0.04 s of CPU for the 16,000 records of
#: 2,000 briefings, against 0.18 s for a whole save.
SAVE_EVERY = 2.0  # seconds
SAVE_SHARE = 50


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
        dist.prepare(clean=state.cut_short())
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
        state.written()
        report.sources = state.sources
    report.seconds = time.perf_counter() - started
    return report


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops a run as Ctrl-C does: running outputs finish, the manifest is saved."""
    raise KeyboardInterrupt


class _Run:
    """One export run: sources -> plan -> execute -> write.

    What the sources are (:mod:`~briefkit.engine.sources`), what is out of date and
    in what order (:mod:`~briefkit.engine.plan`), where the jobs go
    (:mod:`~briefkit.engine.placement`) and writing what comes back
    (:mod:`~briefkit.engine.write`).
    """

    def __init__(self, settings: Settings, theme: Theme, state: State, dist: OutputFolder,
                 report: Report, tell: Progress, force: bool,
                 exporters: Sequence[Exporter], asked: bool = False, prune: bool = False,
                 first: Sequence[str] = ()) -> None:
        self.settings, self.theme, self.state = settings, theme, state
        self.report, self.tell, self.prune = report, tell, prune
        base = keys.base_key(settings, theme)
        # each format's key names the versions of the libraries that shape its bytes
        versions = keys.versions(["briefkit", *keys.libraries(exporters)])
        bases = {e.name: keys.format_base(base, e, versions, settings) for e in exporters}
        self.staleness = Staleness(state, dist, force, report.skipped)
        self.planner = Planner(exporters, bases, keys.estimates(state.records.values()),
                               self.staleness, first)
        self.writer = Writer(settings, state, dist, report, tell, self.staleness)
        self.place = Workplace(settings, work.setup_for(settings, theme, state.home),
                               versions, report, asked, self.writer.held,
                               lambda: state.records)
        self.sources: dict[Path, Source] = {}
        self.chosen: list[Source] = []
        self.members: list[Source] = []  # every valid briefing of source/
        self.worked: set[Path] = set()  # briefings with outputs made this run
        self.saved = time.monotonic()
        self.saving = 0.0  # how long the last save took
        self.last_good = LastGood(state.home, state.manifest)

    def fail(self, failure: Failure) -> None:
        self.report.failed.append(failure)
        self.tell.failed(failure)

    def close(self, keep_warm: bool) -> None:
        self.place.close(keep_warm)
        if not keep_warm:
            work.forget()

    # --- sources: what is there --------------------------------------------------------

    def go(self, paths: list[Path] | None, scheduler: str | None) -> None:
        root, known = self.settings.source_dir, self.state.sources
        everything = discover(root)  # absolute: source_dir is
        in_source = set(everything)
        chosen = paths if paths is not None else everything
        looked: Looked = {}  # the images many briefings show, looked at once
        for path in everything + [p for p in chosen if p not in in_source]:
            name = source_name(path, root)
            self.sources[path] = Source(path, name, recall(path, known.get(name), root, looked))
        self.chosen = [self.sources[p] for p in chosen]
        unread = [s for s in self.sources.values() if s.memory is None]
        planner = self.planner
        formats = tuple(e.name for e in (*planner.single, *planner.listing,
                                         *planner.collections))
        self.place.start(planner.amount(self.chosen, len(unread)), scheduler, formats)
        self.read(unread)
        self.survey(paths is not None, in_source)
        if paths is None and not self.prune:
            self.writer.keep_published(list(self.sources.values()))
        self.make(planner.plan(self.chosen, self.members))

    def read(self, sources: Sequence[Source]) -> None:
        """Read briefing files (on the workers when there are many), and wait for them."""
        jobs: list[Job] = [read_job(s, self.state.sources) for s in sources]
        for job, outcome in self.place.outcomes(jobs):
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
        for source in self.chosen:
            path = source.path
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
        if self.planner.collections:  # a broken briefing keeps its place in them
            self.members, kept, warnings = self.last_good.stand_in(
                self.sources.values(), self.members, in_source)
            self.report.kept += kept
            self.report.warnings += warnings

    # --- execute: making what the plan says --------------------------------------------

    def make(self, plan: Plan) -> None:
        counts = plan.counts
        if plan.listings_due:
            self.worked = {job.source for job in plan.jobs}
        # Unchanged briefings with an output to make again (--force, a new format) are
        # read first; then every output goes to the workers, the longest first.
        self.read(list({job.source: self.sources[job.source] for job in plan.jobs
                        if self.sources[job.source].item is None}.values()))
        ready: list[Job] = []
        for job in plan.jobs:
            item = self.sources[job.source].item
            if item is None:  # it broke since the manifest was written: reported by read()
                counts[job.format] -= 1
            else:
                ready.append(replace(job, item=item))
        self.tell.planned(counts, plan.fresh)
        # A briefing's outputs that list its others follow them (Follow); the rest of
        # the listings, of briefings with nothing else to make, are made after.
        follow = Follow(self.planner.waves(), [j for j in ready if isinstance(j, BriefingJob)],
                        self.state.records) if plan.listings_due else None
        # While the workers make the briefings' outputs, read every member the
        # collections will need; they run at the end, as they list the outputs' sizes.
        if plan.collections_due or plan.listings_due:
            ready += [read_job(s, self.state.sources) for s in self.members
                      if s.item is None and not s.kept]
        for done, outcome in self.place.outcomes(ready):
            self.take(done, outcome)
            if follow is not None and isinstance(done, BriefingJob):
                self.follow_up(follow, done.source, follow.came_back(done))
        if follow is not None:
            self.make_listings(follow.followed)
        if plan.collections_due:
            self.make_collections()

    def follow_up(self, follow: Follow, path: Path, wave: Sequence[Exporter] | None) -> None:
        """Send a briefing's listings now due, if any (or the wave after, when every one
        is up to date)."""
        source = self.sources[path]
        while wave is not None:
            records = follow.records(source.id, self.state.records) if source.id else {}
            jobs = self.listing_jobs(wave, [source], records)
            follow.sent(path, jobs)
            if jobs:
                self.place.add(jobs)
                return
            wave = follow.next(path)

    def make_listings(self, followed: set[Path]) -> None:
        """Outputs that list the briefing's other outputs (their sizes, their links), in
        waves, so that one listing another sees it: those of the briefings not
        ``followed`` already."""
        chosen = [s for s in self.chosen if s.path not in followed]
        for wave in self.planner.waves() if chosen else ():
            for job, outcome in self.place.outcomes(self.listing_jobs(wave, chosen)):
                self.take(job, outcome)

    def listing_jobs(self, wave: Sequence[Exporter], chosen: Sequence[Source],
                     records: Mapping[str, Record] | None = None) -> list[BriefingJob]:
        """The outputs of ``wave`` that list the ``chosen`` briefings' others and are out
        of date."""
        jobs: list[BriefingJob] = []
        for source, exporter, name, key, outputs in list(
                self.planner.listings(wave, chosen, records)):
            if source.item is None or source.id is None:
                continue
            if self.staleness.needed(name, key):
                jobs.append(BriefingJob(exporter.name, name, key, source.path, 0.05,
                                        source.item, {source.id: outputs}))
            elif source.path in self.worked:  # counted as work, found up to date
                self.tell.skipped(self.state.records[name])
        return jobs

    def make_collections(self) -> None:
        kept = [s for s in self.members if s.kept and s.item is None]
        if not kept:
            self._make_collections()
            return
        # the last good versions standing in, laid out in this process's temporary folder
        shop = work.workshop(self.place.local_setup)
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
        outputs = keys.outputs_of({s.id for s in valid}, records)
        jobs: list[Job] = []
        for exporter, key in self.planner.collection_keys(self.planner.collections,
                                                          valid).items():
            name = exporter.filename()
            if self.staleness.needed(name, key):
                jobs.append(CollectionJob(exporter.name, name, key, items, outputs))
            else:
                self.tell.skipped(records[name])
        for job, outcome in self.place.outcomes(jobs):
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
        if time.monotonic() - self.saved > max(SAVE_EVERY, SAVE_SHARE * self.saving):
            started = time.monotonic()
            self.state.save(interim=True)
            self.saved = time.monotonic()
            self.saving = self.saved - started

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
        """Write an output and its extra files, or say why it cannot be."""
        failure = self.writer.write(job, made)
        if failure is not None:
            self.fail(failure)

    def abandon(self) -> None:
        """Stop: what is being made finishes and is written, and everything is recorded."""
        for crew in self.place.crews():
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

    # --- write: what is left to do once everything is made -----------------------------

    def tidy(self) -> None:
        self.writer.tidy(list(self.sources.values()))

    def trim_state(self) -> None:
        self.writer.trim_state(self.last_good)
