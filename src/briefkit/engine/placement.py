"""Where a run's jobs go: this process, a local pool of processes, or a Dask cluster.

A small run stays in this process (starting workers, each loading WeasyPrint and the
theme's fonts, would cost more than the work); a larger one goes to a local pool; with a
scheduler, the briefings' outputs go to the cluster while reads, which need source/, stay
here.  The collections (feeds, front page, sitemap) are always made here: this process
holds every briefing already, and a worker sent them all would hold them again, with
every file of a feed's archive, and keep the memory; made one after another, the feeds
describe each briefing once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from briefkit.config import Settings
from briefkit.engine.cluster import Cluster, pack, perform_packed, security
from briefkit.engine.executors import (
    Crew,
    Grouping,
    Helper,
    Inline,
    LocalPool,
    local_pool,
    stop_fork_server,
)
from briefkit.engine.home import CACHE
from briefkit.engine.jobs import BriefingJob, CollectionJob, Job, Outcome, ReadJob
from briefkit.engine.report import Report
from briefkit.engine.state import Record
from briefkit.engine.work import Setup, cached, perform

#: Below this many seconds of expected work (as earlier runs measured it), a run stays
#: in this process: starting workers, each loading WeasyPrint and the theme's fonts,
#: would cost more CPU than the work, and save little time.
SMALL_RUN = 4.0


class Workplace:
    """The crews a run's jobs go to, chosen by how much there is to do."""

    def __init__(self, settings: Settings, setup: Setup, versions: dict[str, str],
                 report: Report, asked: bool,
                 held: Callable[[], Mapping[str, str]] = dict,
                 records: Callable[[], Mapping[str, Record]] = dict) -> None:
        self.settings, self.setup, self.versions = settings, setup, versions
        self.report, self.asked = report, asked
        self.held = held  # extra files the run holds: workers send back their digests
        #: the manifest's records: the cache entries each output was last made with
        self.records = records
        self.crew: Crew | None = None  # the briefings' outputs
        self.here: Crew | None = None  # reads: where source/ is
        self.inline: Crew | None = None  # the collections: in this process
        self.cluster: Cluster | None = None

    def start(self, amount: float, scheduler: str | None, formats: tuple[str, ...]) -> None:
        """Choose where jobs run, by how much there is to do."""
        if scheduler:
            self.setup = replace(self.setup, portable=True)
            own = own_entries(self.records())
            self.cluster = Cluster.connect(scheduler, self.setup, self.versions,
                                           security(scheduler, self.settings.engine),
                                           {entry for entries in own.values() for entry in entries})
            cluster, held, cache = self.cluster, self.held, self.setup.state / CACHE

            def packed(job: Job) -> bytes:
                entries = own.get(job.name) if isinstance(job, BriefingJob) else None
                return pack(job, _images(job), held(), cached(cache, sorted(entries or ())))

            # several jobs a task (each one pickle); the settings and theme were sent
            # once, with the theme's files and the cache's entries many outputs use
            grouping = Grouping(packed, perform_packed, (cluster.setup, cluster.files))
            self.crew = Crew(cluster.executor, lambda job: (job,), window=2 * cluster.workers + 2,
                             grouping=grouping)
            self.report.executor = f"the Dask cluster at {scheduler}"
            self.here = self.inline = self._inline()
            return
        workers = self.report.jobs
        if workers == 1 or (amount < SMALL_RUN and not self.asked):
            self.crew = self.here = self.inline = self._inline()
            self.report.jobs = 1
            return
        setup, held = self.setup, self.held
        # the reads waiting while every worker is busy, this process makes itself
        reads = Helper(lambda job: isinstance(job, ReadJob), lambda job: perform(job, setup))
        self.crew = Crew(local_pool(workers, setup, formats),
                         lambda job: (job, setup, None, None, held()),
                         window=2 * workers, renew=lambda: local_pool(workers, setup, formats),
                         recycle=self.settings.engine.renew_workers_after, helper=reads)
        self.here = self.crew
        self.inline = self._inline()
        self.report.executor = f"{workers} processes"

    def _inline(self) -> Crew:
        setup = self.setup if not self.setup.portable else replace(self.setup, portable=False)
        return Crew(Inline(), lambda job: (job, setup), window=1)

    @property
    def local_setup(self) -> Setup:
        """The setup of work done in this process."""
        return replace(self.setup, portable=False)

    def outcomes(self, jobs: Sequence[Job]) -> Iterable[tuple[Job, Outcome]]:
        """Run jobs where they belong: reads first where they are not the outputs' crew,
        then the briefings' outputs, then the collections.  Reads due to a local pool
        still starting are done here until it has started."""
        assert self.crew is not None and self.here is not None and self.inline is not None
        shares: dict[int, tuple[Crew, list[Job]]] = {
            id(crew): (crew, []) for crew in (self.here, self.crew, self.inline)}
        for job in jobs:
            crew = (self.inline if isinstance(job, CollectionJob) else
                    self.here if isinstance(job, ReadJob) else self.crew)
            shares[id(crew)][1].append(job)
        # while a local pool starts, this process reads (it would wait for the pool)
        reads = shares[id(self.here)][1]
        pool = self.here.executor
        while reads and isinstance(reads[0], ReadJob) and isinstance(pool, LocalPool) \
                and not pool.started():
            yield from self.inline.run([reads.pop(0)])
        for crew, share in shares.values():
            if share:
                yield from crew.run(share)

    def add(self, jobs: Sequence[BriefingJob]) -> None:
        """Briefings' outputs for the crew making them, while :meth:`outcomes` hands back
        theirs: made next."""
        assert self.crew is not None
        self.crew.add(jobs)

    def crews(self) -> list[Crew]:
        """Each crew once."""
        return list({id(c): c for c in (self.crew, self.here, self.inline)
                     if c is not None}.values())

    def close(self, keep_warm: bool = False) -> None:
        """Shut the crews down (their running jobs finish), and leave the cluster; unless
        kept warm (the live preview), stop the local pool's fork server too."""
        for crew in self.crews():
            crew.close()
        if not keep_warm:
            stop_fork_server()
        if self.cluster is not None:
            self.cluster.close()


def own_entries(records: Mapping[str, Record]) -> dict[str, set[str]]:
    """The entries of the exporters' cache that one briefing's output alone was last made
    with (its e-book's cover), by output name.  A cluster's workers are sent them with
    that output's job; what several outputs use (a web font, a face's subset, a face's
    coverage table, which a collection's record may be the one to name) they are sent
    once, with the theme."""
    outputs: dict[str, list[Record]] = {}
    for record in records.values():
        for entry in record.cache:
            outputs.setdefault(entry, []).append(record)
    own: dict[str, set[str]] = {}
    for entry, named in outputs.items():
        if len(named) == 1 and named[0].briefing is not None:
            own.setdefault(named[0].path, set()).add(entry)
    return own


def _images(job: Job) -> dict[str, bytes] | None:
    """The checked bytes of a briefing's images, for a worker that cannot read source/."""
    if not isinstance(job, BriefingJob) or job.item is None:
        return None
    return {src: asset.read() for src, asset in job.item.assets.items()}
