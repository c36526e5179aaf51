"""Writing a run down: outputs and their extra files into the output folder, the
manifest, and the removals.

Every file reaches the output folder from here, in this process, through
:class:`briefkit.engine.output.OutputFolder`: extra files (images, fonts) before
the output that links them, so no link is ever dead; one extra file has one owner's
bytes; the manifest is saved before anything is removed, so a run killed midway
never lists a missing file.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import replace

from briefkit.config import Settings
from briefkit.engine import cache
from briefkit.engine.jobs import BriefingJob, CollectionJob, Made
from briefkit.engine.lastgood import LastGood
from briefkit.engine.output import OutputFolder, safe_name
from briefkit.engine.plan import Staleness
from briefkit.engine.report import Failure, Progress, Report
from briefkit.engine.sources import Source
from briefkit.engine.state import Record, State
from briefkit.errors import OutputError
from briefkit.files import display_path


class Writer:
    """Writes what the jobs made, and keeps the manifest and the output folder in step."""

    def __init__(self, settings: Settings, state: State, dist: OutputFolder, report: Report,
                 tell: Progress, staleness: Staleness) -> None:
        self.settings, self.state, self.dist = settings, state, dist
        self.report, self.tell, self.staleness = report, tell, staleness
        self.extras: dict[str, tuple[str, str]] = {}  # extra file -> (sha256, output) this run
        # extra files many outputs link (web fonts), by SHA-256: workers send them once
        self.shared: dict[str, str] = {}

    def write(self, job: BriefingJob | CollectionJob, made: Made) -> Failure | None:
        """Write an output and its extra files, extras first; a failure when an extra
        file would take another's place (nothing is then written)."""
        briefing = job.item.id if isinstance(job, BriefingJob) and job.item else None
        records = self.state.records
        extras: list[tuple[str, bytes | None, str]] = []
        for name in sorted({*made.files, *made.held}):
            data = made.files.get(name)
            sha = hashlib.sha256(data).hexdigest() if data is not None else made.held[name]
            owner = self.extras.get(name)
            known = records.get(name)
            if safe_name(name) is None or name == job.name:
                problem = f"extra file {name!r} is not a file name inside the output folder"
            elif known is not None and not known.extra:
                problem = f"extra file {name} would replace the output of that name"
            elif owner is not None and owner[0] != sha:
                problem = f"extra file {name} is also published by {owner[1]}, with other bytes"
            elif data is None and owner is None:  # cannot happen: held names what was written
                problem = f"internal error: extra file {name} came back without its bytes"
            else:
                extras.append((name, data, sha))
                continue
            return Failure.of(job, problem)
        force = self.staleness.force
        self.state.writing()  # a run killed from now on may leave temporary files
        for name, data, sha in extras:
            known = records.get(name)
            fresh = (known is not None and known.sha256 == sha
                     and self.staleness.current_extra(name))
            if name not in self.extras and not (fresh and not force):
                assert data is not None  # held: only what self.extras has
                written = self.dist.write(name, data)
                media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                extra = Record(name, job.format, briefing, written.bytes, written.sha256,
                               media_type, "", written.mtime_ns, extra=True)
                self.state.add(extra)
                self.report.written.append(extra)
            if name in self.extras and name not in self.shared:
                self.shared[name] = sha  # a second output links it: held from now on
            self.extras[name] = (sha, job.name)
            self.staleness.written(name)
        written = self.dist.write(job.name, made.data)
        self.staleness.written(job.name)
        # the manifest keeps what making this output takes, for the next run to judge its
        # work by (keys.estimates); the report, what it took here, with the cache entries
        # it made for the outputs after it
        record = Record(job.name, job.format, briefing, written.bytes, written.sha256,
                        made.media_type, job.key, written.mtime_ns,
                        round(max(0.0, made.seconds - made.making), 4),
                        tuple(name for name, _, _ in extras), cache=made.cached)
        self.state.add(record)
        self.report.written.append(
            replace(record, seconds=round(made.seconds, 4)) if made.making else record)
        self.report.warnings.extend(f"{job.shown}: {job.format}: {w}" for w in made.warnings)
        self.tell.written(record)
        return None

    def held(self) -> dict[str, str]:
        """The extra files many outputs of this run link, whose bytes it holds (name ->
        SHA-256): a worker sends back only their digests."""
        return dict(self.shared)

    def gone(self, sources: list[Source]) -> tuple[set[str], set[str]]:
        """The briefings with outputs in the output folder, and those of them no longer
        in source/ (or renamed)."""
        present = {s.id for s in sources if s.memory is not None}
        published = {r.briefing for r in self.state.records.values()
                     if not r.extra and r.briefing is not None}
        return published, published - present

    def keep_published(self, sources: list[Source]) -> None:
        """Stop before a run that would remove every published briefing: an emptied
        source/ or a source setting naming another folder is far likelier than a
        newsroom unpublishing everything; that takes ``--prune``.  Removing some of
        them (briefings deleted or renamed) needs no flag."""
        published, gone = self.gone(sources)
        if published and gone == published:
            raise OutputError(
                f"{display_path(self.settings.source_dir)}: holds none of the {len(published)} "
                f"briefings published in {display_path(self.dist.folder)}; kept their outputs, "
                "nothing was written or removed: pass --prune to remove them all")

    def trim_state(self, last_good: LastGood) -> None:
        """Keep the state folder to what this output folder uses: the exporters' cache
        within its bound, the last good versions of the briefings it remembers."""
        used = {name for record in self.state.records.values() for name in record.cache}
        cache.bound(self.state.home, used, self.settings.cache)
        last_good.prune(self.state.sources.items())

    def tidy(self, sources: list[Source]) -> None:
        """Remove outputs of briefings gone from source/ (or renamed), and extra files
        (images, fonts) that no output links any more."""
        records = self.state.records
        _, departed = self.gone(sources)
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
