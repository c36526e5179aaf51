"""What is out of date, and the order to make it in.

The planner compares each output's key (:mod:`briefkit.engine.keys`) with the one
the manifest recorded, and looks at the file once to see it is still as written.
Planning reads no briefing and makes nothing: a :class:`Plan` says which outputs of
the chosen briefings are made, longest first, whether the outputs that list others
and the collections are due, and how many of each format will be made or were
found up to date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.engine import keys
from briefkit.engine.jobs import BriefingJob
from briefkit.engine.output import OutputFolder
from briefkit.engine.sources import Source
from briefkit.engine.state import Record, State
from briefkit.exporters.base import CollectionExporter, Exporter

#: One output that lists a briefing's other outputs: the briefing, its exporter, the
#: output's name, its key and the outputs it lists.
Listing = tuple[Source, Exporter, str, str, dict[str, Any]]


class Staleness:
    """Whether an output must be made again: its key changed, or its file (or one of
    its extra files) is missing or no longer as written."""

    def __init__(self, state: State, dist: OutputFolder, force: bool,
                 skipped: list[Record]) -> None:
        self.state, self.dist, self.force = state, dist, force
        self.skipped = skipped  # up-to-date outputs, reported as such
        self.current: dict[str, bool] = {}  # recorded files found as written, this run
        self.extras: dict[str, bool] = {}  # :meth:`current_extra`'s answers, this run

    def stale(self, name: str, key: str) -> bool:
        """Whether output ``name`` is out of date for ``key`` (always, with force)."""
        record = self.state.records.get(name)
        if (self.force or record is None or record.extra or record.key != key
                or not self.is_current(name)):
            return True
        # every web page links the same fonts: each extra file is looked at once
        extras = self.extras
        for file in record.files:
            known = extras.get(file)
            if known is None:
                known = extras[file] = self.current_extra(file)
            if not known:
                return True
        return False

    def is_current(self, name: str) -> bool:
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

    def current_extra(self, name: str) -> bool:
        """Whether ``name`` is an extra file (an image, a font) still as written."""
        record = self.state.records.get(name)
        return record is not None and record.extra and self.is_current(name)

    def written(self, name: str) -> None:
        """This run wrote ``name``: it is current from now on."""
        self.current[name] = True
        self.extras.pop(name, None)  # its record is new: asked again

    def needed(self, name: str, key: str) -> bool:
        """Whether output ``name`` must be made; an up-to-date one is reported skipped."""
        if self.stale(name, key):
            return True
        self.skipped.append(self.state.records[name])
        return False


@dataclass
class Plan:
    """What a run makes: the briefings' own outputs, then (when due) the outputs that
    list others and the collections."""

    jobs: list[BriefingJob]
    listings: list[Listing] = field(default_factory=list)
    listings_due: bool = False
    collections_due: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # outputs to make, by format
    fresh: dict[str, int] = field(default_factory=dict)  # found up to date, by format


class Planner:
    """Plans a run's work from the sources, the manifest and the formats asked for."""

    def __init__(self, exporters: Sequence[Exporter], bases: Mapping[str, str],
                 guess: Mapping[str, float], staleness: Staleness,
                 first: Sequence[str] = ()) -> None:
        self.single = [e for e in exporters if not e.collection and not e.lists_outputs]
        self.listing = [e for e in exporters if not e.collection and e.lists_outputs]
        #: every format that lists outputs, asked for or not: one lists another only when
        #: it runs after it, so a page lists the same outputs in a run of its format alone
        self.listers = keys.listers(exporters)
        self.collections = [e for e in exporters if isinstance(e, CollectionExporter)]
        self.bases, self.guess, self.staleness = bases, guess, staleness
        self.first = list(first)

    @property
    def records(self) -> dict[str, Record]:
        return self.staleness.state.records

    def amount(self, chosen: Iterable[Source], unread: int) -> float:
        """Roughly how much work the run has, before reading what changed."""
        formats = [e.name for e in (*self.single, *self.listing)]
        amount = keys.READ_COST * unread
        for source in chosen:
            if source.memory is None:
                amount += sum(keys.cost(self.guess, f, 0) for f in formats)
            elif source.id is not None:
                for exporter in self.single:
                    name = exporter.filename(source.id)
                    key = keys.output_key(self.bases[exporter.name], exporter.name, source)
                    if self.staleness.stale(name, key):
                        amount += keys.cost(self.guess, exporter.name, source.memory["size"])
        return amount

    def jobs(self, chosen: Iterable[Source]) -> list[BriefingJob]:
        """Every output of the chosen briefings that is out of date, the longest first."""
        work: list[BriefingJob] = []
        for source in chosen:
            if not source.valid or source.memory is None or source.id is None:
                continue
            for exporter in self.single:
                name = exporter.filename(source.id)
                key = keys.output_key(self.bases[exporter.name], exporter.name, source)
                if self.staleness.needed(name, key):
                    work.append(BriefingJob(exporter.name, name, key, source.path, keys.cost(
                        self.guess, exporter.name, source.memory["size"])))
        work.sort(key=lambda job: -job.cost)  # no core waits on one last PDF at the end
        # then the formats asked for first lead, in their order (the live preview's PDF)
        work.sort(key=lambda job: self.first.index(job.format) if job.format in self.first
                  else len(self.first))
        return work

    def plan(self, chosen: Sequence[Source], members: Sequence[Source]) -> Plan:
        """The run's plan: the chosen briefings' outputs to make, and whether the
        listings (made again when anything changed, as they list every output) and
        the collections are due."""
        records = self.records
        stale_of = self.staleness.stale
        plan = Plan(self.jobs(chosen))
        plan.listings = list(self.listings(self.listing, chosen)) if self.listing else []
        stale = {name for _, _, name, key, _ in plan.listings if stale_of(name, key)}
        plan.listings_due = bool(plan.listings) and (bool(plan.jobs) or bool(stale))
        plan.collections_due = bool(self.collections and members and (
            plan.jobs or plan.listings_due or any(
                stale_of(e.filename(), key)
                for e, key in self.collection_keys(self.collections, members).items())))
        counts = plan.counts
        for job in plan.jobs:
            counts[job.format] = counts.get(job.format, 0) + 1
        for exporter in self.collections:
            if plan.collections_due:
                counts[exporter.name] = 1
            elif exporter.filename() in records:
                self.staleness.skipped.append(records[exporter.filename()])
        if self.listing and not plan.listings_due:  # up to date: said so, nothing read
            self.staleness.skipped.extend(records[name] for _, _, name, _, _ in plan.listings
                                          if name in records)
        elif plan.listings_due:  # those whose briefing changed, or out of date already
            worked = {job.source for job in plan.jobs}
            for source, lister, name, _, _ in plan.listings:
                if source.path in worked or name in stale:
                    counts[lister.name] = counts.get(lister.name, 0) + 1
        for record in self.staleness.skipped:
            plan.fresh[record.format] = plan.fresh.get(record.format, 0) + 1
        return plan

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

    def listings(self, exporters: Sequence[Exporter], chosen: Iterable[Source],
                 records: Mapping[str, Record] | None = None) -> Iterable[Listing]:
        """Each output that lists a chosen briefing's other outputs, with its key;
        ``records``, when given, holds at least every record of the chosen briefings."""
        records = self.records if records is None else records
        valid = [s for s in chosen if s.valid]
        ids = {s.id for s in valid}
        # one pass over the records per exporter, not one per briefing
        seen = {e.name: keys.outputs_of(ids, records, self.listers - set(e.runs_after))
                for e in exporters}
        for source in valid:
            if source.id is None:
                continue
            for exporter in exporters:
                outputs = seen[exporter.name].get(source.id, {})
                key = keys.listing_key(self.bases[exporter.name], exporter.name, source,
                                       outputs, records)
                yield source, exporter, exporter.filename(source.id), key, outputs

    def collection_keys(self, exporters: Sequence[CollectionExporter],
                        members: Sequence[Source]) -> dict[CollectionExporter, str]:
        """Each collection's key over ``members``."""
        parts = keys.collection_parts(members, self.records)
        return {e: keys.collection_key(self.bases[e.name], e.name, parts) for e in exporters}


class Follow:
    """The outputs that list a briefing's others, due as soon as what they list is made.

    Each wave of them (:meth:`Planner.waves`) is due for a briefing once its outputs
    before that wave came back, made or not, rather than once every briefing's have:
    the workers go on from one briefing's PDF to its web page while others are still
    being made, instead of waiting, a core idle, for the run's last PDF.
    """

    def __init__(self, waves: Sequence[Sequence[Exporter]], jobs: Sequence[BriefingJob],
                 records: Mapping[str, Record]) -> None:
        self.waves = waves
        self.left = Counter(job.source for job in jobs)  # outputs out, by briefing file
        self.at: dict[Path, int] = {}  # the next wave of each briefing followed
        # each briefing's records by its id, so that one briefing's listings are not
        # worked out from every record of the manifest
        self.names: dict[str, set[str]] = {}
        for name, record in records.items():
            if record.briefing is not None and not record.extra:
                self.names.setdefault(record.briefing, set()).add(name)
        for job in jobs:
            if job.item is not None:
                self.names.setdefault(job.item.id, set()).add(job.name)

    @property
    def followed(self) -> set[Path]:
        """The briefing files whose listings are made as their outputs come back."""
        return set(self.left)

    def came_back(self, job: BriefingJob) -> Sequence[Exporter] | None:
        """After one of a followed briefing's outputs came back: the wave of listings
        now due for it, if one is (then :meth:`sent` says which were sent)."""
        if job.source not in self.left:
            return None
        self.left[job.source] -= 1
        return self.next(job.source)

    def next(self, source: Path) -> Sequence[Exporter] | None:
        """The briefing's next wave, if its outputs before it all came back."""
        at = self.at.get(source, 0)
        if self.left[source] > 0 or at >= len(self.waves):
            return None
        self.at[source] = at + 1
        return self.waves[at]

    def sent(self, source: Path, jobs: Sequence[BriefingJob]) -> None:
        """The listings of the briefing's current wave that were sent to be made."""
        self.left[source] = len(jobs)
        for job in jobs:
            if job.item is not None:
                self.names.setdefault(job.item.id, set()).add(job.name)

    def records(self, briefing_id: str, records: Mapping[str, Record]) -> dict[str, Record]:
        """The records of one briefing's outputs, as they stand."""
        return {name: records[name] for name in self.names.get(briefing_id, ())
                if name in records}
