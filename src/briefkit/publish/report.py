"""What a publish says: per target, what was sent, removed, mailed, held back or failed.

On a terminal, a bar per target with the bytes left; anywhere else (cron, CI)
one line per file sent or removed, so logs can be searched; ``--json`` the
whole report; ``--quiet`` only problems.  Problems are one line each, naming
the target and the file.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from briefkit.publish.websub import Ping

if TYPE_CHECKING:
    from rich.progress import TaskID


@dataclass(frozen=True)
class Item:
    """A file sent, or to send, or removed."""

    path: str
    bytes: int
    sha256: str = ""


@dataclass(frozen=True)
class Mailed:
    """A message sent (or to send) for one briefing version."""

    briefing: str
    message_id: str
    files: tuple[str, ...]
    bytes: int


@dataclass(frozen=True)
class Failure:
    """One thing that went wrong on a target: which file, why."""

    target: str
    file: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.target}: {self.file}: {self.reason}" if self.file \
            else f"{self.target}: {self.reason}"


@dataclass
class TargetReport:
    """What one target got (or would get, in a dry run)."""

    name: str
    to: str
    kind: str
    sent: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    mailed: list[Mailed] = field(default_factory=list)
    fresh: int = 0  # files (or messages) the target already has as they are
    kept: list[str] = field(default_factory=list)  # published earlier, no longer exported
    held: list[str] = field(default_factory=list)  # waiting for what they link to land
    unsent: int = 0  # left when a fault stopped the target
    changed: list[tuple[str, str]] = field(default_factory=list)  # --verify
    missing: list[str] = field(default_factory=list)  # --verify
    foreign: int = 0  # --verify: files on the remote briefkit did not publish
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def bytes(self) -> int:
        return sum(item.bytes for item in self.sent) + sum(m.bytes for m in self.mailed)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "to": self.to, "kind": self.kind,
            "sent": [{"path": i.path, "bytes": i.bytes, "sha256": i.sha256} for i in self.sent],
            "removed": [{"path": i.path, "bytes": i.bytes} for i in self.removed],
            "mailed": [{"briefing": m.briefing, "message_id": m.message_id,
                        "files": list(m.files), "bytes": m.bytes} for m in self.mailed],
            "up_to_date": self.fresh, "kept": self.kept, "held_back": self.held,
            "not_sent": self.unsent,
            "verify": {"changed": [{"path": p, "how": how} for p, how in self.changed],
                       "missing": self.missing, "foreign": self.foreign},
            "failed": [{"file": f.file, "reason": f.reason} for f in self.failed],
            "seconds": round(self.seconds, 3),
        }


@dataclass
class PublishReport:
    """What a publish did, over every target."""

    dry_run: bool = False
    verify: bool = False
    targets: list[TargetReport] = field(default_factory=list)
    pings: list[Ping] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Failure]:
        return [f for t in self.targets for f in t.failed]

    @property
    def ok(self) -> bool:
        """No fault; and, in a dry run with --verify, a remote that is as the receipt says."""
        drift = self.dry_run and any(t.changed or t.missing for t in self.targets)
        return not self.failed and not drift

    def as_json(self) -> dict[str, Any]:
        """The machine-readable report printed by ``briefkit publish --json``."""
        return {
            "ok": self.ok, "dry_run": self.dry_run, "seconds": round(self.seconds, 3),
            "targets": [t.as_json() for t in self.targets],
            "hubs": [{"hub": p.hub, "feed": p.feed, "ok": p.ok, "detail": p.detail}
                     for p in self.pings],
            "warnings": self.warnings,
        }


class Display:
    """What a publish tells while it goes; this one says nothing (``--quiet``, ``--json``)."""

    def planned(self, target: str, files: int, size: int) -> None:
        """A target has ``files`` to send, ``size`` bytes in all."""

    def sent(self, target: str, item: Item) -> None:
        """One file landed."""

    def removed(self, target: str, path: str) -> None:
        """One file was removed from the target."""

    def mailed(self, target: str, mailed: Mailed, recipients: str) -> None:
        """One message was handed to the mail server."""

    def close(self) -> None:
        """The publish is over."""


class Log(Display):
    """One line per file: ``web: sent night-bus.pdf (123,456 bytes)``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.lock = threading.Lock()

    def _say(self, line: str) -> None:
        with self.lock:
            print(line, file=self.stream, flush=True)

    def sent(self, target: str, item: Item) -> None:
        self._say(f"{target}: sent {item.path} ({item.bytes:,} bytes)")

    def removed(self, target: str, path: str) -> None:
        self._say(f"{target}: removed {path} (no longer exported)")

    def mailed(self, target: str, mailed: Mailed, recipients: str) -> None:
        self._say(f"{target}: mailed {mailed.briefing} to {recipients} "
                  f"({', '.join(mailed.files)}; {mailed.bytes:,} bytes)")


class Bars(Display):
    """A rich progress bar per target on a terminal: bytes sent, and the time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as RichProgress

        self.bars = RichProgress(
            TextColumn("{task.description:<10}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=Console(stderr=True))
        self.tasks: dict[str, TaskID] = {}
        self.lock = threading.Lock()
        self.bars.start()

    def planned(self, target: str, files: int, size: int) -> None:
        with self.lock:
            self.tasks[target] = self.bars.add_task(target, total=size or None)

    def sent(self, target: str, item: Item) -> None:
        with self.lock:
            if target in self.tasks:
                self.bars.advance(self.tasks[target], item.bytes)

    def mailed(self, target: str, mailed: Mailed, recipients: str) -> None:
        with self.lock:
            if target in self.tasks:
                self.bars.advance(self.tasks[target], mailed.bytes)

    def close(self) -> None:
        self.bars.stop()


def summary(report: TargetReport, dry_run: bool) -> str:
    """One line per target at the end of a publish."""
    would = "would " if dry_run else ""
    if report.kind == "mailto":
        what = f"{would}{'mail' if dry_run else 'mailed'} {len(report.mailed)} messages"
    else:
        what = f"{would}{'send' if dry_run else 'sent'} {len(report.sent)} files"
    parts = [f"{what} ({report.bytes:,} bytes)" if report.sent or report.mailed
             else f"nothing to {'mail' if report.kind == 'mailto' else 'send'}"]
    if report.removed:
        parts.append(f"{would}{'remove' if dry_run else 'removed'} {len(report.removed)}")
    parts.append(f"{report.fresh} up to date")
    if report.kept:
        parts.append(f"{len(report.kept)} no longer exported kept (--prune removes them)")
    if report.held:
        parts.append(f"{len(report.held)} held back")
    if report.unsent:
        parts.append(f"{report.unsent} not sent")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.foreign:
        parts.append(f"{report.foreign} files there not published by briefkit (left alone)")
    return f"{report.name}: {', '.join(parts)} in {report.seconds:.1f} s"
