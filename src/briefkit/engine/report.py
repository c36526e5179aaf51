"""What a run reports: outputs written, left as they were, removed, and what failed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.engine.jobs import BriefingJob, CollectionJob, Job, ReadJob
from briefkit.engine.state import Record


@dataclass
class Failure:
    """One thing that did not export: which file, which format, why."""

    file: str
    format: str | None
    reason: str
    bug: str | None = None  # a traceback when the cause is a bug, not the input
    source: Path | None = None  # the briefing file; None for a collection's output
    collection: bool = False  # the output of every briefing (a feed, the front page)

    @classmethod
    def of(cls, job: Job, reason: str, bug: str | None = None) -> Failure:
        """The failure of ``job``, naming the briefing file it read or exported, or the
        collection it made."""
        if isinstance(job, ReadJob):
            return cls(job.shown, None, reason, bug, source=job.path)
        return cls(job.shown, job.format, reason, bug,
                   source=job.source if isinstance(job, BriefingJob) else None,
                   collection=isinstance(job, CollectionJob))

    def __str__(self) -> str:
        return f"{self.file}: {self.format}: {self.reason}" if self.format else self.reason


@dataclass
class Report:
    """What a run did: outputs written, left as they were, removed, and what failed."""

    written: list[Record] = field(default_factory=list)
    skipped: list[Record] = field(default_factory=list)  # up to date, not made again
    removed: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: broken briefings whose last good version the collections list (files as shown)
    kept: list[str] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    executor: str = "this process"  # where the work ran: this process, N processes, a cluster
    #: What the manifest remembers of each briefing file (its id, its title), by its path
    #: in source/: the last good one of a file that no longer loads.
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def kept_lines(self) -> list[str]:
        """One line per broken briefing whose last good version the collections list."""
        return [f"kept the last good version in the feeds: {shown} is broken"
                for shown in self.kept]

    @property
    def outputs(self) -> list[Record]:
        """The outputs written, without the extra files they link (images, fonts, logo)."""
        return [r for r in self.written if not r.extra]

    def timings(self) -> dict[str, dict[str, float]]:
        """Per format: outputs written and the seconds they took (summed over processes)."""
        table: dict[str, dict[str, float]] = {}
        for record in self.written:
            if record.extra:
                continue
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
            "executor": self.executor,
            "written": [{"path": r.path, "format": r.format, "briefing": r.briefing,
                         "bytes": r.bytes, "sha256": r.sha256, "seconds": r.seconds}
                        for r in self.written],
            "skipped": [{"path": r.path, "format": r.format, "briefing": r.briefing}
                        for r in self.skipped],
            "removed": self.removed,
            "failed": [{"file": f.file, "format": f.format, "reason": f.reason}
                       for f in self.failed],
            "warnings": self.warnings,
            "kept": self.kept,
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
