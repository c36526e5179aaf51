"""What one target's publish works with, and how it records a fault.

A :class:`Delivery` holds a target's settings, its address, the output folder
and what the manifest lists, the report being filled, and the first fault that
stops it.  ``uploads`` (a folder) and ``mailing`` (an e-mail address) do the
work; faults are recorded here, one line each, naming the target and the file.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from briefkit.config import PublishSettings, PublishTarget
from briefkit.engine.state import Record
from briefkit.files import display_path
from briefkit.publish.faults import Fault, describe, scrub
from briefkit.publish.report import Display, Failure, TargetReport
from briefkit.publish.targets import Address

T = TypeVar("T")


def backoff(attempt: int) -> float:
    """Seconds to wait before trying again: 0.5, 1, 2, 4, then 8 at most."""
    return float(min(0.5 * 2 ** attempt, 8.0))


@dataclass
class Delivery:
    """One target's publish: its settings, what there is to send, what came of it."""

    settings: PublishSettings
    name: str
    target: PublishTarget
    address: Address
    folder: Path  # the output folder
    records: Mapping[str, Record]  # the manifest's
    known: Mapping[str, Mapping[str, Any]]  # what the manifest knows of each briefing
    report: TargetReport
    display: Display
    dry_run: bool = False
    verify: bool = False
    prune: bool = False
    warnings: list[str] = field(default_factory=list)
    stopped: Fault | None = None
    secrets: list[str] = field(default_factory=list)  # never printed
    lock: threading.Lock = field(default_factory=threading.Lock)
    _shown: str | None = None

    def shown(self, path: str) -> str:
        """A file of the output folder as the user sees it: ``dist/x.pdf``."""
        if self._shown is None:
            self._shown = display_path(self.folder)
        return f"{self._shown}/{path}"

    def warn(self, message: str) -> None:
        with self.lock:
            self.warnings.append(scrub(f"{self.name}: {message}", self.secrets))

    def fail(self, file: str | None, fault: Fault) -> None:
        """Record a fault, once: after one that stops the target, the others it causes
        (every worker finds the server gone) are not said again."""
        with self.lock:
            if self.stopped is not None:
                return
            if fault.stops:
                self.stopped = fault
            reason = scrub(fault.reason, self.secrets)
            # a fault before any file (the server, the login) names the address instead
            self.report.failed.append(Failure(self.name, file or self.address.shown, reason))

    def password(self, variable: str | None) -> str | None:
        """The password in environment variable ``variable`` (None when none is named)."""
        if variable is None:
            return None
        value = os.environ.get(variable)
        if value is None:
            raise Fault(f"the environment variable {variable} (password_env) is not set")
        self.secrets.append(value)
        return value

    def attempt(self, action: Callable[[], T], file: str | None,
                reset: Callable[[], None] | None = None) -> T | None:
        """``action``, tried again after a transient fault (with a pause, ``reset`` in
        between: a new connection); None once a fault is recorded, so ``action`` itself
        never returns None."""
        for attempt in range(self.target.retries + 1):
            if self.stopped is not None:
                return None
            try:
                return action()
            except Exception as error:
                fault = describe(error)
                if fault is None:
                    raise  # a bug in briefkit: its traceback shows
                if reset is not None:
                    reset()
                if fault.transient and attempt < self.target.retries:
                    time.sleep(backoff(attempt))
                    continue
                self.fail(file, fault)
                return None
        return None
